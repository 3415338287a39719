import { DatasetDefinition } from "../datasets/types";
import { describeError, isUtf8 } from "../common";
import { comparePositions } from "./decode";
import { rawObjectKey, rejectObjectKey, sourceObjectName, unknownPartitionValue } from "./layout";
import { formatTimestamp, HourPartition, hourPartition } from "./time";
import { RejectErrorType, SourceEngine, SourceRecord, Violation } from "./types";
import { RecordValidator } from "./validate";

/**
 * Planning a batch: every record is classified (landed or rejected, with its reason), given its
 * output line and assigned to exactly one object. Planning is pure and deterministic: records are
 * put in source order first, so the same batch always yields the same objects with the same
 * bytes, whatever order the records arrived in.
 */

/** The name of the metadata object appended to every raw record. */
export const ingestMetadataField = "_ingest";

/** The `_ingest` object of a raw-zone record: where the record came from and how it was stored. */
export interface RawRecordMetadata {
    readonly dataset_version: number;
    readonly engine: SourceEngine;
    /** Kafka topic or Kinesis stream. */
    readonly source: string;
    /** Kafka partition or Kinesis shard id. */
    readonly partition: string;
    /** Kafka offset or Kinesis sequence number (decimal text). (source, partition, position) is unique. */
    readonly position: string;
    /** When the stream accepted the record (Kafka timestamp or Kinesis approximate arrival), UTC ISO text. */
    readonly ingest_time: string | null;
    /** `CREATE_TIME`, `LOG_APPEND_TIME` or `APPROXIMATE_ARRIVAL`. */
    readonly ingest_time_type: string;
    /** The record key (Kafka key or Kinesis partition key) as UTF-8 text, or null. */
    readonly key: string | null;
    /** Only when the key bytes are not UTF-8: the key in base64. */
    readonly key_base64?: string;
    /** The output partition, derived from the event time (UTC). */
    readonly dt: string;
    readonly hour: string;
}

/** One line of a rejects-zone object. */
export interface RejectLine {
    readonly dataset: string;
    readonly dataset_version: number;
    readonly error_type: RejectErrorType;
    readonly rule: string;
    readonly field: string;
    readonly message: string;
    readonly violations: readonly { readonly error_type: RejectErrorType; readonly rule: string; readonly field: string; readonly message: string }[];
    readonly engine: SourceEngine;
    readonly source: string;
    readonly partition: string;
    readonly position: string;
    readonly ingest_time: string | null;
    readonly ingest_time_type: string;
    readonly key_base64: string | null;
    readonly headers: readonly { readonly key: string; readonly value_base64: string }[];
    /** The payload bytes in base64, or null when there were none or they were not base64. */
    readonly payload_base64: string | null;
    /** The payload as text when it is valid UTF-8. */
    readonly payload_text: string | null;
    /** Only for undecodable payloads: the payload field exactly as the event carried it. */
    readonly payload_as_received?: unknown;
    readonly dt: string;
    readonly hour: string;
}

export type Zone = "raw" | "rejects";

/** One object to write: its key, zone, records and NDJSON lines. */
export interface PlannedObject {
    readonly zone: Zone;
    readonly key: string;
    /** `<engine>:<source>:<partition>`: the source partition all of the object's records come from. */
    readonly sourceId: string;
    readonly errorType?: RejectErrorType;
    readonly firstPosition: string;
    readonly lastPosition: string;
    /** Indexes into `BatchPlan.records`, in source order. */
    readonly recordIndexes: readonly number[];
    readonly lines: readonly string[];
}

/** What happens to one record. */
export interface RecordOutcome {
    readonly zone: Zone;
    /** Index into `BatchPlan.objects`. */
    readonly objectIndex: number;
    readonly errorType?: RejectErrorType;
}

export interface BatchPlan {
    readonly engine: SourceEngine;
    /** The batch's records in source order (source, partition, position). */
    readonly records: readonly SourceRecord[];
    /** One outcome per record, same indexes as `records`. */
    readonly outcomes: readonly RecordOutcome[];
    readonly objects: readonly PlannedObject[];
}

/** A record's fate before it is assigned to an object. */
export type Classification =
    | { readonly zone: "raw"; readonly partition: HourPartition; readonly line: string }
    | { readonly zone: "rejects"; readonly errorType: RejectErrorType; readonly partition: HourPartition; readonly line: string };

/** `<engine>:<source>:<partition>` of a record. */
export function sourceIdOf(record: SourceRecord): string {
    return `${record.coordinates.engine}:${record.coordinates.source}:${record.coordinates.partition}`;
}

function comparePartitions(a: SourceRecord, b: SourceRecord): number {
    const x = a.coordinates;
    const y = b.coordinates;
    if (x.engine !== y.engine) {
        return x.engine < y.engine ? -1 : 1;
    }
    if (x.source !== y.source) {
        return x.source < y.source ? -1 : 1;
    }
    if (x.partition !== y.partition) {
        return x.engine === "kafka" ? comparePositions(x.partition, y.partition) : x.partition < y.partition ? -1 : 1;
    }
    return 0;
}

/** Source order: by engine, source, partition, then position. */
export function compareSourceOrder(a: SourceRecord, b: SourceRecord): number {
    return comparePartitions(a, b) || comparePositions(a.coordinates.position, b.coordinates.position);
}

function rejectPartition(record: SourceRecord): HourPartition {
    const ms = record.coordinates.streamTimeMs;
    return ms === null ? { dt: unknownPartitionValue, hour: unknownPartitionValue } : hourPartition(ms);
}

function rejectLine(dataset: DatasetDefinition, record: SourceRecord, violations: readonly Violation[], partition: HourPartition): string {
    const first = violations[0] as Violation;
    const c = record.coordinates;
    const payload = record.value;
    const line: RejectLine = {
        dataset: dataset.name,
        dataset_version: dataset.version,
        error_type: first.errorType,
        rule: first.rule,
        field: first.field,
        message: first.message,
        violations: violations.map((v) => ({ error_type: v.errorType, rule: v.rule, field: v.field, message: v.message })),
        engine: c.engine,
        source: c.source,
        partition: c.partition,
        position: c.position,
        ingest_time: c.streamTimeMs === null ? null : formatTimestamp(c.streamTimeMs),
        ingest_time_type: c.streamTimeType,
        key_base64: record.key === null ? null : record.key.toString("base64"),
        headers: record.headers.map((h) => ({ key: h.key, value_base64: h.value.toString("base64") })),
        payload_base64: payload === null ? null : payload.toString("base64"),
        payload_text: payload !== null && isUtf8(payload) ? payload.toString("utf8") : null,
        ...(record.valueAsReceived !== undefined ? { payload_as_received: record.valueAsReceived } : {}),
        dt: partition.dt,
        hour: partition.hour,
    };
    return JSON.stringify(line);
}

function reject(dataset: DatasetDefinition, record: SourceRecord, violations: readonly Violation[]): Classification {
    const partition = rejectPartition(record);
    return { zone: "rejects", errorType: (violations[0] as Violation).errorType, partition, line: rejectLine(dataset, record, violations, partition) };
}

function parsePayload(record: SourceRecord): { readonly document: unknown } | { readonly violation: Violation } {
    const value = record.value as Buffer;
    if (!isUtf8(value)) {
        return { violation: { errorType: "undecodable", rule: "decode", field: "value", message: `value: expected UTF-8 JSON text, found ${value.byteLength} bytes that are not valid UTF-8` } };
    }
    let document: unknown;
    try {
        document = JSON.parse(value.toString("utf8"));
    } catch (error) {
        return { violation: { errorType: "not_json", rule: "json", field: "value", message: `value: expected a JSON document, found text that does not parse (${describeError(error)})` } };
    }
    if (typeof document !== "object" || document === null || Array.isArray(document)) {
        const kind = Array.isArray(document) ? "an array" : document === null ? "null" : `a ${typeof document}`;
        return { violation: { errorType: "not_object", rule: "json", field: "value", message: `value: expected a JSON object, found ${kind}` } };
    }
    return { document };
}

/**
 * Classifies one record: parses and validates it, and renders its raw or reject line. Never
 * throws: an unexpected error becomes a `processing_error` reject that keeps the payload.
 */
export function classifyRecord(record: SourceRecord, validator: RecordValidator): Classification {
    const dataset = validator.dataset;
    try {
        if (record.poison) {
            return reject(dataset, record, [record.poison]);
        }
        const parsed = parsePayload(record);
        if ("violation" in parsed) {
            return reject(dataset, record, [parsed.violation]);
        }
        const result = validator.validate(parsed.document, { referenceTimeMs: record.coordinates.streamTimeMs });
        if (!result.ok) {
            return reject(dataset, record, result.violations);
        }
        const partition = hourPartition(result.eventTimeMs);
        const c = record.coordinates;
        const keyIsText = record.key !== null && isUtf8(record.key);
        const metadata: RawRecordMetadata = {
            dataset_version: dataset.version,
            engine: c.engine,
            source: c.source,
            partition: c.partition,
            position: c.position,
            ingest_time: c.streamTimeMs === null ? null : formatTimestamp(c.streamTimeMs),
            ingest_time_type: c.streamTimeType,
            key: record.key !== null && keyIsText ? record.key.toString("utf8") : null,
            ...(record.key !== null && !keyIsText ? { key_base64: record.key.toString("base64") } : {}),
            dt: partition.dt,
            hour: partition.hour,
        };
        const output: Record<string, unknown> = result.record;
        output[ingestMetadataField] = metadata;
        return { zone: "raw", partition, line: JSON.stringify(output) };
    } catch (error) {
        return reject(dataset, record, [
            { errorType: "processing_error", rule: "internal", field: "$", message: `$: the record could not be processed (${describeError(error)}); it is kept here for replay` },
        ]);
    }
}

interface ObjectUnderConstruction extends PlannedObject {
    lastPosition: string;
    readonly recordIndexes: number[];
    readonly lines: string[];
}

/**
 * Plans a batch: classifies every record and groups them into one object per source partition,
 * zone, error type and output partition. Each object's key carries the batch's first position in
 * that source partition, so all objects of one batch and source partition share that position.
 */
export function planBatch(engine: SourceEngine, records: readonly SourceRecord[], validator: RecordValidator): BatchPlan {
    const dataset = validator.dataset.name;
    const ordered = [...records].sort(compareSourceOrder);
    const firstBySource = new Map<string, string>();
    const objectIndexByKey = new Map<string, number>();
    const objects: ObjectUnderConstruction[] = [];
    const outcomes: RecordOutcome[] = [];
    ordered.forEach((record, index) => {
        const sourceId = sourceIdOf(record);
        let first = firstBySource.get(sourceId);
        if (first === undefined) {
            first = record.coordinates.position;
            firstBySource.set(sourceId, first);
        }
        const objectName = sourceObjectName(record.coordinates, first);
        const classification = classifyRecord(record, validator);
        const key =
            classification.zone === "raw"
                ? rawObjectKey(dataset, classification.partition, objectName)
                : rejectObjectKey(dataset, classification.errorType, classification.partition, objectName);
        let objectIndex = objectIndexByKey.get(key);
        if (objectIndex === undefined) {
            objectIndex = objects.length;
            objectIndexByKey.set(key, objectIndex);
            objects.push({
                zone: classification.zone,
                key,
                sourceId,
                ...(classification.zone === "rejects" ? { errorType: classification.errorType } : {}),
                firstPosition: record.coordinates.position,
                lastPosition: record.coordinates.position,
                recordIndexes: [],
                lines: [],
            });
        }
        const object = objects[objectIndex] as ObjectUnderConstruction;
        object.recordIndexes.push(index);
        object.lines.push(classification.line);
        object.lastPosition = record.coordinates.position;
        outcomes.push({
            zone: classification.zone,
            objectIndex,
            ...(classification.zone === "rejects" ? { errorType: classification.errorType } : {}),
        });
    });
    return { engine, records: ordered, outcomes, objects };
}
