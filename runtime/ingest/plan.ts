import { DatasetDefinition } from "../datasets/types";
import { describeError, isUtf8 } from "../common";
import { comparePositions } from "./decode";
import { parseJsonObject } from "./json";
import { rawObjectKey, rejectObjectKey, sourceObjectName, unknownPartitionValue } from "./layout";
import { createTimeFormatter, HourPartition } from "./time";
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
    /** Only when a header could not be decoded: the headers field exactly as the event carried it (`headers` keeps those that decoded). */
    readonly headers_as_received?: unknown;
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
    /** The NDJSON lines, one per record; empty when the planner handed them to `onLine` instead. */
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

/** Memoised time formatting shared by the records of one batch (see `createTimeFormatter`). */
export type TimeFormatter = ReturnType<typeof createTimeFormatter>;

/**
 * Per-batch memo for rendering raw lines. The `_ingest` object is rendered from three JSON
 * fragments that only change with the source partition, the stream time and the event hour, so
 * most records only stringify their position and key. The result is exactly
 * `JSON.stringify({ ...record, _ingest: metadata })`.
 */
export interface ClassificationContext {
    readonly time: TimeFormatter;
    /** `,"_ingest":{"dataset_version":…,"engine":…,"source":…,"partition":…,"position":` */
    sourceFragment(version: number, coordinates: SourceRecord["coordinates"]): string;
    /** `,"ingest_time":…,"ingest_time_type":…,"key":` */
    timeFragment(coordinates: SourceRecord["coordinates"]): string;
    /** `,"dt":…,"hour":…}}` */
    partitionFragment(partition: HourPartition): string;
}

/** A fresh memo for one batch. */
export function createClassificationContext(): ClassificationContext {
    const time = createTimeFormatter();
    let sourceOf: SourceRecord["coordinates"] | undefined;
    let sourceText = "";
    let timeOf: number | null | undefined;
    let timeTypeOf = "";
    let timeText = "";
    let partitionOf: HourPartition | undefined;
    let partitionText = "";
    return {
        time,
        sourceFragment: (version, c) => {
            if (sourceOf === undefined || sourceOf.partition !== c.partition || sourceOf.source !== c.source || sourceOf.engine !== c.engine) {
                sourceOf = c;
                sourceText = `,"${ingestMetadataField}":{"dataset_version":${JSON.stringify(version)},"engine":${JSON.stringify(c.engine)},"source":${JSON.stringify(c.source)},"partition":${JSON.stringify(c.partition)},"position":`;
            }
            return sourceText;
        },
        timeFragment: (c) => {
            if (timeOf !== c.streamTimeMs || timeTypeOf !== c.streamTimeType) {
                timeOf = c.streamTimeMs;
                timeTypeOf = c.streamTimeType;
                timeText = `,"ingest_time":${c.streamTimeMs === null ? "null" : JSON.stringify(time.timestamp(c.streamTimeMs))},"ingest_time_type":${JSON.stringify(c.streamTimeType)},"key":`;
            }
            return timeText;
        },
        partitionFragment: (partition) => {
            if (partitionOf !== partition) {
                partitionOf = partition;
                partitionText = `,"dt":${JSON.stringify(partition.dt)},"hour":${JSON.stringify(partition.hour)}}}`;
            }
            return partitionText;
        },
    };
}

function rejectPartition(record: SourceRecord, time: TimeFormatter): HourPartition {
    const ms = record.coordinates.streamTimeMs;
    return ms === null ? { dt: unknownPartitionValue, hour: unknownPartitionValue } : time.partition(ms);
}

function rejectLine(dataset: DatasetDefinition, record: SourceRecord, violations: readonly Violation[], partition: HourPartition, time: TimeFormatter): string {
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
        ingest_time: c.streamTimeMs === null ? null : time.timestamp(c.streamTimeMs),
        ingest_time_type: c.streamTimeType,
        key_base64: record.key === null ? null : record.key.toString("base64"),
        headers: record.headers.map((h) => ({ key: h.key, value_base64: h.value.toString("base64") })),
        payload_base64: payload === null ? null : payload.toString("base64"),
        payload_text: payload !== null && isUtf8(payload) ? payload.toString("utf8") : null,
        ...(record.valueAsReceived !== undefined ? { payload_as_received: record.valueAsReceived } : {}),
        ...(record.headersAsReceived !== undefined ? { headers_as_received: record.headersAsReceived } : {}),
        dt: partition.dt,
        hour: partition.hour,
    };
    return JSON.stringify(line);
}

function reject(dataset: DatasetDefinition, record: SourceRecord, violations: readonly Violation[], time: TimeFormatter): Classification {
    const partition = rejectPartition(record, time);
    return { zone: "rejects", errorType: (violations[0] as Violation).errorType, partition, line: rejectLine(dataset, record, violations, partition, time) };
}

function parsePayload(record: SourceRecord): { readonly document: unknown } | { readonly violation: Violation } {
    const value = record.value as Buffer;
    if (!isUtf8(value)) {
        return { violation: { errorType: "undecodable", rule: "decode", field: "value", message: `value: expected UTF-8 JSON text, found ${value.byteLength} bytes that are not valid UTF-8` } };
    }
    return parseJsonObject(value.toString("utf8"));
}

/**
 * Classifies one record: parses and validates it, and renders its raw or reject line. Never
 * throws: an unexpected error becomes a `processing_error` reject that keeps the payload.
 */
export function classifyRecord(record: SourceRecord, validator: RecordValidator, context: ClassificationContext = createClassificationContext()): Classification {
    const dataset = validator.dataset;
    const time = context.time;
    try {
        if (record.poison) {
            return reject(dataset, record, [record.poison], time);
        }
        const parsed = parsePayload(record);
        if ("violation" in parsed) {
            return reject(dataset, record, [parsed.violation], time);
        }
        const result = validator.validate(parsed.document, { referenceTimeMs: record.coordinates.streamTimeMs });
        if (!result.ok) {
            return reject(dataset, record, result.violations, time);
        }
        const partition = time.partition(result.eventTimeMs);
        const c = record.coordinates;
        const body = JSON.stringify(result.record);
        let key: string;
        if (record.key === null) {
            key = "null";
        } else if (isUtf8(record.key)) {
            key = JSON.stringify(record.key.toString("utf8"));
        } else {
            key = `null,"key_base64":${JSON.stringify(record.key.toString("base64"))}`;
        }
        const line =
            body.slice(0, -1) +
            context.sourceFragment(dataset.version, c) +
            JSON.stringify(c.position) +
            context.timeFragment(c) +
            key +
            context.partitionFragment(partition);
        return { zone: "raw", partition, line };
    } catch (error) {
        return reject(
            dataset,
            record,
            [{ errorType: "processing_error", rule: "internal", field: "$", message: `$: the record could not be processed (${describeError(error)}); it is kept here for replay` }],
            time,
        );
    }
}

interface ObjectUnderConstruction extends PlannedObject {
    lastPosition: string;
    readonly recordIndexes: number[];
    readonly lines: string[];
}

/**
 * Plans a batch step by step, so the caller can hand each line to its object's encoder as soon as
 * it is rendered and let compression run on other threads between steps. The plan grows with each
 * step and is complete once `step` returns 0.
 */
export interface BatchPlanner {
    /** Classifies up to `count` more records; returns how many are left. */
    step(count: number): number;
    readonly plan: BatchPlan;
}

/**
 * Creates a planner: it classifies every record and groups them into one object per source
 * partition, zone, error type and output partition. Each object's key carries the batch's first
 * position in that source partition, so all objects of one batch and source partition share that
 * position. `onLine`, when given, receives every line with the index of the object it belongs to,
 * in order, and the plan does not keep the lines (objects' `lines` stay empty): a streaming caller
 * encodes them as they come, so the batch's text is never held in memory twice.
 */
export function createBatchPlanner(engine: SourceEngine, records: readonly SourceRecord[], validator: RecordValidator, onLine?: (objectIndex: number, line: string) => void): BatchPlanner {
    const dataset = validator.dataset.name;
    const ordered = isInSourceOrder(records) ? records : [...records].sort(compareSourceOrder);
    const objectIndexByKey = new Map<string, number>();
    const objects: ObjectUnderConstruction[] = [];
    const outcomes: RecordOutcome[] = [];
    const context = createClassificationContext();
    // The source partition and object of the previous record: consecutive records mostly share
    // both, so names and keys are only built when one of them changes.
    let previousSource: SourceRecord["coordinates"] | undefined;
    let sourceId = "";
    let objectName = "";
    let previous: { zone: Zone; errorType: RejectErrorType | undefined; partition: HourPartition; objectIndex: number } | undefined;
    let next = 0;

    const classifyNext = (index: number) => {
        const record = ordered[index] as SourceRecord;
        const c = record.coordinates;
        if (previousSource === undefined || previousSource.partition !== c.partition || previousSource.source !== c.source || previousSource.engine !== c.engine) {
            sourceId = sourceIdOf(record);
            objectName = sourceObjectName(c, c.position);
            previousSource = c;
            previous = undefined;
        }
        const classification = classifyRecord(record, validator, context);
        const errorType = classification.zone === "rejects" ? classification.errorType : undefined;
        let objectIndex: number;
        if (previous !== undefined && previous.zone === classification.zone && previous.errorType === errorType && previous.partition === classification.partition) {
            objectIndex = previous.objectIndex;
        } else {
            const key =
                classification.zone === "raw"
                    ? rawObjectKey(dataset, classification.partition, objectName)
                    : rejectObjectKey(dataset, classification.errorType, classification.partition, objectName);
            let found = objectIndexByKey.get(key);
            if (found === undefined) {
                found = objects.length;
                objectIndexByKey.set(key, found);
                const object: ObjectUnderConstruction = {
                    zone: classification.zone,
                    key,
                    sourceId,
                    firstPosition: c.position,
                    lastPosition: c.position,
                    recordIndexes: [],
                    lines: [],
                };
                if (errorType !== undefined) {
                    (object as { errorType?: RejectErrorType }).errorType = errorType;
                }
                objects.push(object);
            }
            objectIndex = found;
            previous = { zone: classification.zone, errorType, partition: classification.partition, objectIndex };
        }
        const object = objects[objectIndex] as ObjectUnderConstruction;
        object.recordIndexes.push(index);
        if (onLine === undefined) {
            object.lines.push(classification.line);
        } else {
            onLine(objectIndex, classification.line);
        }
        object.lastPosition = c.position;
        outcomes.push(errorType === undefined ? { zone: classification.zone, objectIndex } : { zone: classification.zone, objectIndex, errorType });
    };

    const step = (count: number) => {
        const end = Math.min(ordered.length, next + count);
        for (; next < end; next += 1) {
            classifyNext(next);
        }
        return ordered.length - next;
    };

    return { step, plan: { engine, records: ordered, outcomes, objects } };
}

/** Plans a whole batch at once (see `createBatchPlanner`). */
export function planBatch(engine: SourceEngine, records: readonly SourceRecord[], validator: RecordValidator): BatchPlan {
    const planner = createBatchPlanner(engine, records, validator);
    planner.step(Number.POSITIVE_INFINITY);
    return planner.plan;
}

function isInSourceOrder(records: readonly SourceRecord[]): boolean {
    for (let i = 1; i < records.length; i += 1) {
        if (compareSourceOrder(records[i - 1] as SourceRecord, records[i] as SourceRecord) > 0) {
            return false;
        }
    }
    return true;
}
