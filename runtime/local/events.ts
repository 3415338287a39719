import type { KafkaMessage } from "kafkajs";
import type { _Record as KinesisSdkRecord } from "@aws-sdk/client-kinesis";
import { BatchItemFailuresResponse, KinesisEventRecord, KinesisStreamEvent, MskEvent, MskRecord } from "../ingest/types";

/**
 * Building Lambda events exactly as the event source mappings do, from what a Kafka consumer or
 * Kinesis GetRecords returns, and reading a handler's partial-failure response the way Lambda
 * does. Pure functions, unit-tested, used by the local runners.
 */

/** Kafka record-batch attribute bit that marks broker (log-append) timestamps. */
const logAppendTimeBit = 0x08;

/** Header bytes as Lambda writes them: Java `byte[]`, so signed, -128 to 127. */
function signedBytes(bytes: Buffer): number[] {
    return Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

function headerEntries(headers: KafkaMessage["headers"]): Record<string, number[]>[] {
    const entries: Record<string, number[]>[] = [];
    for (const [name, value] of Object.entries(headers ?? {})) {
        const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
        for (const item of values) {
            entries.push({ [name]: signedBytes(Buffer.isBuffer(item) ? item : Buffer.from(String(item), "utf8")) });
        }
    }
    return entries;
}

/** The MSK event record of one consumed Kafka message. Null keys and values are left out, as Lambda does. */
export function mskRecordOf(topic: string, partition: number, message: KafkaMessage): MskRecord {
    return {
        topic,
        partition,
        offset: Number(message.offset),
        timestamp: Number(message.timestamp),
        timestampType: (message.attributes & logAppendTimeBit) !== 0 ? "LOG_APPEND_TIME" : "CREATE_TIME",
        ...(message.key !== null ? { key: message.key.toString("base64") } : {}),
        ...(message.value !== null ? { value: message.value.toString("base64") } : {}),
        headers: headerEntries(message.headers),
    };
}

export interface MskEventSource {
    readonly eventSourceArn: string;
    readonly bootstrapServers: string;
}

/** An `aws:kafka` event for consecutive messages of one topic partition. */
export function buildMskEvent(source: MskEventSource, topic: string, partition: number, messages: readonly KafkaMessage[]): MskEvent {
    return {
        eventSource: "aws:kafka",
        eventSourceArn: source.eventSourceArn,
        bootstrapServers: source.bootstrapServers,
        records: messages.length === 0 ? {} : { [`${topic}-${partition}`]: messages.map((message) => mskRecordOf(topic, partition, message)) },
    };
}

export interface KinesisEventSource {
    readonly streamArn: string;
    readonly awsRegion: string;
    /** The role Lambda would invoke with; only informational here. */
    readonly invokeIdentityArn: string;
}

/** The Kinesis event record of one record returned by GetRecords. */
export function kinesisEventRecordOf(source: KinesisEventSource, shardId: string, record: KinesisSdkRecord): KinesisEventRecord {
    const arrival = record.ApproximateArrivalTimestamp ? record.ApproximateArrivalTimestamp.getTime() / 1000 : 0;
    return {
        eventSource: "aws:kinesis",
        eventVersion: "1.0",
        eventID: `${shardId}:${record.SequenceNumber}`,
        eventName: "aws:kinesis:record",
        invokeIdentityArn: source.invokeIdentityArn,
        awsRegion: source.awsRegion,
        eventSourceARN: source.streamArn,
        kinesis: {
            kinesisSchemaVersion: "1.0",
            partitionKey: record.PartitionKey ?? "",
            sequenceNumber: record.SequenceNumber ?? "",
            approximateArrivalTimestamp: arrival,
            data: Buffer.from(record.Data ?? new Uint8Array()).toString("base64"),
        },
    };
}

/** A Kinesis event for consecutive records of one shard. */
export function buildKinesisEvent(source: KinesisEventSource, shardId: string, records: readonly KinesisSdkRecord[]): KinesisStreamEvent {
    return { Records: records.map((record) => kinesisEventRecordOf(source, shardId, record)) };
}

/**
 * How Lambda reads a Kinesis handler's result with `ReportBatchItemFailures`:
 * - no response, or an empty or null `batchItemFailures`: the whole batch succeeded;
 * - identifiers that all name records of the batch: resume from the lowest one (`retryFrom` is
 *   its index in the batch; earlier records are checkpointed);
 * - any empty, null or unknown identifier: the whole batch failed.
 */
export type KinesisBatchVerdict = { readonly kind: "success" } | { readonly kind: "partial"; readonly retryFrom: number } | { readonly kind: "failure"; readonly reason: string };

export function judgeKinesisResponse(sequenceNumbers: readonly string[], response: unknown): KinesisBatchVerdict {
    if (response === undefined || response === null || typeof response !== "object") {
        return { kind: "success" };
    }
    const failures = (response as Partial<BatchItemFailuresResponse>).batchItemFailures;
    if (failures === undefined || failures === null || (Array.isArray(failures) && failures.length === 0)) {
        return { kind: "success" };
    }
    if (!Array.isArray(failures)) {
        return { kind: "failure", reason: "batchItemFailures is not a list" };
    }
    let lowest = Number.POSITIVE_INFINITY;
    for (const failure of failures as readonly unknown[]) {
        const identifier = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
        const index = typeof identifier === "string" && identifier !== "" ? sequenceNumbers.indexOf(identifier) : -1;
        if (index < 0) {
            return { kind: "failure", reason: `itemIdentifier ${JSON.stringify(identifier)} is not a sequence number of the batch` };
        }
        lowest = Math.min(lowest, index);
    }
    return { kind: "partial", retryFrom: lowest };
}
