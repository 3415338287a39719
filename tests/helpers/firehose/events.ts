import { FirehoseTransformationEvent } from "../../../runtime/firehose/types";
import { kinesisEvent, KinesisRecordSpec } from "../ingest/events";

/**
 * The Firehose transformation event for the records a Kinesis event of the same specs carries:
 * the same stream, shards, sequence numbers, partition keys, arrival times and payloads, in the
 * shape Firehose sends (arrival times in milliseconds, the stream ARN on the envelope).
 */
export function firehoseEvent(specs: readonly KinesisRecordSpec[], stream = "orders"): FirehoseTransformationEvent {
    const kinesis = kinesisEvent(specs.map((spec) => ({ ...spec, stream })));
    return {
        invocationId: "8a0bbdd5-8d0c-4f5f-8d4c-6f5c0e1f7a10",
        deliveryStreamArn: `arn:aws:firehose:us-east-1:123456789012:deliverystream/platform-dev-${stream}`,
        sourceKinesisStreamArn: `arn:aws:kinesis:us-east-1:123456789012:stream/${stream}`,
        region: "us-east-1",
        records: kinesis.Records.map((record, index) => {
            const arrivalMs = Math.round(record.kinesis.approximateArrivalTimestamp * 1000);
            return {
                recordId: `49546986683135544286507457936321625675700192471156785154${String(index).padStart(4, "0")}`,
                approximateArrivalTimestamp: arrivalMs + 250,
                data: record.kinesis.data,
                kinesisRecordMetadata: {
                    shardId: record.eventID.split(":")[0] as string,
                    partitionKey: record.kinesis.partitionKey,
                    approximateArrivalTimestamp: arrivalMs,
                    sequenceNumber: record.kinesis.sequenceNumber,
                    subsequenceNumber: "0",
                },
            };
        }),
    };
}
