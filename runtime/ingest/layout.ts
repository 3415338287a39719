import { HourPartition } from "./time";
import { RejectErrorType, SourceCoordinates } from "./types";

/**
 * Object keys of the raw and rejects zones. Keys are a pure function of the dataset, the output
 * partition and the batch's first position in the source partition, in the style of the Kafka
 * Connect S3 sink (`<topic>+<partition>+<startOffset>`), so a redelivered batch targets the same
 * keys and a conditional create (`If-None-Match: *`) makes the write idempotent.
 *
 *   raw:     <dataset>/dt=YYYY-MM-DD/hour=HH/<source>+<partition>+<first>.ndjson.gz
 *   rejects: <dataset>/error_type=<type>/dt=YYYY-MM-DD/hour=HH/<source>+<partition>+<first>.ndjson.gz
 *
 * `<source>` is the Kafka topic or Kinesis stream, `<partition>` the Kafka partition or shard id,
 * `<first>` the Kafka offset zero-padded to 20 digits or the Kinesis sequence number as is. Topic,
 * stream and shard names cannot contain `+`, so the name splits back unambiguously.
 */

/** Width Kafka offsets are zero-padded to in object names (a 63-bit offset has at most 19 digits). */
export const kafkaOffsetWidth = 20;

/** The suffix of every object the ingest function writes. */
export const objectSuffix = ".ndjson.gz";

/** The value used for `dt` and `hour` of a reject whose stream time is unknown. */
export const unknownPartitionValue = "unknown";

/** `<source>+<partition>+<first position>`: the file name of a batch's object, without suffix. */
export function sourceObjectName(coordinates: Pick<SourceCoordinates, "engine" | "source" | "partition">, firstPosition: string): string {
    const position = coordinates.engine === "kafka" ? firstPosition.padStart(kafkaOffsetWidth, "0") : firstPosition;
    return `${coordinates.source}+${coordinates.partition}+${position}`;
}

/** The raw-zone key of a batch's records for one output partition. */
export function rawObjectKey(dataset: string, partition: HourPartition, objectName: string): string {
    return `${dataset}/dt=${partition.dt}/hour=${partition.hour}/${objectName}${objectSuffix}`;
}

/** The rejects-zone key of a batch's rejects of one error type for one output partition. */
export function rejectObjectKey(dataset: string, errorType: RejectErrorType, partition: HourPartition, objectName: string): string {
    return `${dataset}/error_type=${errorType}/dt=${partition.dt}/hour=${partition.hour}/${objectName}${objectSuffix}`;
}

/**
 * The key used when the primary key already holds *different* content (the batch was redelivered
 * with other boundaries): the primary key with the first 16 hex digits of the content's SHA-256
 * appended, so equal content still maps to one key and nothing is overwritten or lost.
 */
export function conflictObjectKey(key: string, contentSha256: string): string {
    const stem = key.endsWith(objectSuffix) ? key.slice(0, -objectSuffix.length) : key;
    return `${stem}+${contentSha256.slice(0, 16)}${objectSuffix}`;
}

/** The parts of a raw or rejects key, for readers of the zones (Spark, replays, tests). */
export interface ParsedObjectKey {
    readonly dataset: string;
    readonly errorType?: string;
    readonly dt: string;
    readonly hour: string;
    readonly source: string;
    readonly partition: string;
    readonly firstPosition: string;
    /** Set for conflict copies (see `conflictObjectKey`). */
    readonly contentHash?: string;
}

const keyPattern = /^([a-z][a-z0-9_]*)\/(?:error_type=([a-z_]+)\/)?dt=([0-9]{4}-[0-9]{2}-[0-9]{2}|unknown)\/hour=([0-9]{2}|unknown)\/([^/+]+)\+([^/+]+)\+([0-9]+)(?:\+([0-9a-f]{16}))?\.ndjson\.gz$/;

/** Splits a key written by the ingest function; `undefined` for any other key. */
export function parseObjectKey(key: string): ParsedObjectKey | undefined {
    const match = keyPattern.exec(key);
    if (!match) {
        return undefined;
    }
    const [, dataset, errorType, dt, hour, source, partition, first, hash] = match;
    return {
        dataset: dataset as string,
        ...(errorType ? { errorType } : {}),
        dt: dt as string,
        hour: hour as string,
        source: source as string,
        partition: partition as string,
        firstPosition: (first as string).replace(/^0+(?=\d)/, ""),
        ...(hash ? { contentHash: hash } : {}),
    };
}
