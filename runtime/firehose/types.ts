/**
 * The Firehose record-transformation contract (Amazon Data Firehose invoking a Lambda function
 * synchronously with a buffer of records): the event it sends for a Kinesis data stream source and
 * the response it expects. Every input `recordId` must come back exactly once; a missing or
 * unknown id makes Firehose treat the whole invocation as failed.
 */

/** The event Firehose sends to a data-transformation function. */
export interface FirehoseTransformationEvent {
    readonly invocationId: string;
    readonly deliveryStreamArn: string;
    /** Present when the delivery stream reads a Kinesis data stream. */
    readonly sourceKinesisStreamArn?: string;
    readonly region: string;
    readonly records: readonly FirehoseTransformationRecord[];
}

export interface FirehoseTransformationRecord {
    readonly recordId: string;
    /** Epoch milliseconds at which Firehose received the record. */
    readonly approximateArrivalTimestamp: number;
    /** Base64. */
    readonly data: string;
    /** Present when the delivery stream reads a Kinesis data stream. */
    readonly kinesisRecordMetadata?: FirehoseKinesisRecordMetadata;
}

export interface FirehoseKinesisRecordMetadata {
    readonly shardId: string;
    readonly partitionKey: string;
    /** Epoch milliseconds at which the Kinesis stream accepted the record. */
    readonly approximateArrivalTimestamp: number;
    readonly sequenceNumber: string;
    /** Non-zero only for records de-aggregated from one KPL aggregate. */
    readonly subsequenceNumber?: string;
}

/** `Ok` and `Dropped` count as delivered; `ProcessingFailed` goes to the error output prefix. */
export type FirehoseRecordResult = "Ok" | "Dropped" | "ProcessingFailed";

/** The partition keys the delivery stream's prefix reads with `!{partitionKeyFromLambda:<name>}`. */
export type FirehosePartitionKeys = {
    readonly dt: string;
    readonly hour: string;
};

export interface FirehoseTransformationResultRecord {
    readonly recordId: string;
    readonly result: FirehoseRecordResult;
    /** Base64. */
    readonly data: string;
    /** Only on `Ok` records: where dynamic partitioning puts them. */
    readonly metadata?: { readonly partitionKeys: FirehosePartitionKeys };
}

export interface FirehoseTransformationResponse {
    readonly records: readonly FirehoseTransformationResultRecord[];
}
