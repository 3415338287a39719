import { describeError, isUtf8, utf8TextOf } from "../common";
import { decodeBase64Strict } from "../common/encoding";
import { DatasetDefinition } from "../datasets/types";
import { oversizedViolation } from "./decode";
import { jsonString, ParsedJsonObject, parseJsonObject } from "./json";
import { unknownPartitionValue } from "./layout";
import { createTimeFormatter, HourPartition } from "./time";
import { RejectErrorType, SourceEngine, SourceRecord, Violation } from "./types";
import { RecordLayout, RecordValidator } from "./validate";

/**
 * Classifying one record: parse, validate, and render the raw line (with its `_ingest` metadata)
 * or the reject line. The ingest planner and the batch replay both classify through
 * `classifyRecord`, so a replayed record lands exactly as the ingest function would have written it.
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

/** What a violation says, whichever source found it (file drops add their own error types, such as a malformed row). */
interface ViolationLike<E extends string> {
    readonly errorType: E;
    readonly rule: string;
    readonly field: string;
    readonly message: string;
}

/**
 * The fields every reject line starts with, shared by every source (streams, API connectors, file
 * drops, change data capture) so the rejects zone has one shape: the dataset, the first violation
 * and all of them. `violations` must not be empty.
 */
export function rejectVerdict<E extends string>(dataset: Pick<DatasetDefinition, "name" | "version">, violations: readonly ViolationLike<E>[]) {
    const first = violations[0] as ViolationLike<E>;
    return {
        dataset: dataset.name,
        dataset_version: dataset.version,
        error_type: first.errorType,
        rule: first.rule,
        field: first.field,
        message: first.message,
        violations: violations.map((v) => ({ error_type: v.errorType, rule: v.rule, field: v.field, message: v.message })),
    };
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

/** A record's fate before it is assigned to an object. */
export type Classification =
    | {
          readonly zone: "raw";
          readonly partition: HourPartition;
          readonly line: string;
          /** `line` in parts, for writers that encode it without joining it first: the record's JSON without its closing brace… */
          readonly body: string;
          /** …and the `_ingest` object that closes it. */
          readonly metadata: RawLineMetadata;
      }
    | { readonly zone: "rejects"; readonly errorType: RejectErrorType; readonly partition: HourPartition; readonly line: string };

/** A piece of JSON text shared by many lines, with its UTF-8 bytes (encoded once). */
export interface TextFragment {
    readonly text: string;
    readonly bytes: Buffer;
}

function textFragment(text: string): TextFragment {
    return { text, bytes: Buffer.from(text, "utf8") };
}

/**
 * The `_ingest` object of a raw line, `,"_ingest":{…}}`, as the parts it is made of: two fragments
 * shared by the records of a source partition and output hour (kept with their bytes), the stream
 * time's text (shared only while records carry the same timestamp, so kept as text), and the
 * record's own position and key (JSON text). `rawLineMetadataText` joins them.
 */
export interface RawLineMetadata {
    /** `,"_ingest":{"dataset_version":…,"engine":…,"source":…,"partition":…,"position":` */
    readonly source: TextFragment;
    /** The position as JSON text. */
    readonly position: string;
    /** `,"ingest_time":…,"ingest_time_type":…,"key":` */
    readonly time: string;
    /** The key as JSON text (`null`, a string, or `null,"key_base64":"…"`). */
    readonly key: string;
    /** `,"dt":…,"hour":…}}` */
    readonly partition: TextFragment;
}

/** The metadata's JSON text. */
export function rawLineMetadataText(metadata: RawLineMetadata): string {
    return metadata.source.text + metadata.position + metadata.time + metadata.key + metadata.partition.text;
}

/**
 * A raw record's classification. Its `line` is joined from the parts when asked for: the ingest
 * function's encoder writes the parts (`addRaw`) and never asks, so it never builds the string.
 * Every property is assigned in the constructor: Pulumi's closure serialization keeps a class's
 * constructor and methods but drops field initialisers.
 */
class RawClassification {
    readonly zone: "raw";
    readonly partition: HourPartition;
    readonly body: string;
    readonly metadata: RawLineMetadata;
    constructor(partition: HourPartition, body: string, metadata: RawLineMetadata) {
        this.zone = "raw";
        this.partition = partition;
        this.body = body;
        this.metadata = metadata;
    }
    get line(): string {
        return this.body + rawLineMetadataText(this.metadata);
    }
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
    sourceFragment(version: number, coordinates: SourceRecord["coordinates"]): TextFragment;
    /** `,"ingest_time":…,"ingest_time_type":…,"key":` */
    timeFragment(coordinates: SourceRecord["coordinates"]): string;
    /** `,"dt":…,"hour":…}}` */
    partitionFragment(partition: HourPartition): TextFragment;
    /**
     * Filled in by the validator for each valid record (see `RecordLayout`); undefined when the
     * context never derives a record's text from its payload text.
     */
    readonly layout: RecordLayout | undefined;
    /**
     * The normalised record's JSON text without its closing brace: derived from the payload text
     * when that is canonical and `layout` says how (see `openBodyFromText`), else
     * `JSON.stringify(record)`. Either way the same text.
     */
    openBody(dataset: DatasetDefinition, record: Record<string, unknown>, canonicalText: string | undefined): string;
}

/** Options of `createClassificationContext`. */
export interface ClassificationOptions {
    /**
     * Derive a valid record's text from its payload text when the payload is canonical JSON
     * (the same bytes, less JSON.stringify's cost). Defaults to true; false serialises every record,
     * which tests compare against.
     */
    readonly reuseText?: boolean;
}

/**
 * What deriving a record's text from its payload needs of a dataset, built once per context: each
 * declared field's key as canonical text writes it (`,"name":`, and `{"name":` for the first
 * field) and its `,"name":null` for when it is absent.
 */
interface BodyTables {
    readonly dataset: DatasetDefinition;
    readonly names: readonly string[];
    readonly keys: readonly string[];
    readonly nulls: readonly string[];
    /**
     * Whether a field's key, searched back from the start of the next field, is found at the
     * field's own start: its own value holds no such key, which only an array of structs with a
     * member named like the array could hold (strings in canonical text hold no quote). When false
     * only documents with every field present and unchanged are reused.
     */
    readonly searchable: boolean;
}

function bodyTables(dataset: DatasetDefinition): BodyTables {
    const names = dataset.fields.map((field) => field.name);
    return {
        dataset,
        names,
        keys: names.map((name, i) => `${i === 0 ? "{" : ","}${JSON.stringify(name)}:`),
        nulls: names.map((name) => `,${JSON.stringify(name)}:null`),
        searchable: !dataset.fields.some((field) => field.type === "array" && field.items.some((item) => item.name === field.name)),
    };
}

/**
 * The record's JSON text without its closing brace, derived from the canonical payload text, or
 * undefined when it cannot be. The validator says (`layout`) that the document's keys come in
 * definition order and that the fields not marked absent or changed hold the very values read (a
 * valid document has no other keys); canonical text is what JSON.stringify writes for the
 * document. So JSON.stringify(record) is the text with `,"name":null` inserted where absent fields
 * belong and changed fields' values re-serialised. Walking the fields from the last, each present
 * field's key is found searching back from the start of the next present one (`searchable`), so
 * only its own value is searched, until no absent or changed field is left. An absent first field
 * (nothing before it to carry the comma) falls back.
 */
function openBodyFromText(text: string, record: Record<string, unknown>, layout: RecordLayout, tables: BodyTables): string | undefined {
    const absent = layout.absent;
    const changed = layout.changed;
    if (absent < 0) {
        return undefined;
    }
    let pending = absent | changed;
    if (pending === 0) {
        return text.slice(0, -1);
    }
    if (!tables.searchable || (absent & 1) !== 0) {
        return undefined;
    }
    let to = text.length - 1;
    let tail = "";
    for (let i = tables.names.length - 1; i >= 0; i -= 1) {
        const bit = 1 << i;
        if ((absent & bit) !== 0) {
            tail = (tables.nulls[i] as string) + tail;
        } else {
            const key = tables.keys[i] as string;
            const at = i === 0 ? 0 : text.lastIndexOf(key, to);
            if (at < 0) {
                return undefined;
            }
            tail = ((changed & bit) !== 0 ? key + JSON.stringify(record[tables.names[i] as string]) : text.slice(at, to)) + tail;
            to = at;
        }
        pending &= ~bit;
        if (pending === 0) {
            return text.slice(0, to) + tail;
        }
    }
    return undefined;
}

/** A fresh memo for one batch. */
export function createClassificationContext(options: ClassificationOptions = {}): ClassificationContext {
    const time = createTimeFormatter();
    const layout: RecordLayout | undefined = options.reuseText === false ? undefined : { absent: -1, changed: 0 };
    let tables: BodyTables | undefined;
    let sourceOf: SourceRecord["coordinates"] | undefined;
    let sourceText = textFragment("");
    let timeOf: number | null | undefined;
    let timeTypeOf = "";
    let timeText = "";
    let partitionOf: HourPartition | undefined;
    let partitionText = sourceText;
    return {
        time,
        sourceFragment: (version, c) => {
            if (sourceOf === undefined || sourceOf.partition !== c.partition || sourceOf.source !== c.source || sourceOf.engine !== c.engine) {
                sourceOf = c;
                sourceText = textFragment(
                    `,"${ingestMetadataField}":{"dataset_version":${JSON.stringify(version)},"engine":${JSON.stringify(c.engine)},"source":${JSON.stringify(c.source)},"partition":${JSON.stringify(c.partition)},"position":`,
                );
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
                partitionText = textFragment(`,"dt":${JSON.stringify(partition.dt)},"hour":${JSON.stringify(partition.hour)}}}`);
            }
            return partitionText;
        },
        layout,
        openBody: (dataset, record, canonicalText) => {
            if (layout !== undefined && canonicalText !== undefined) {
                if (tables === undefined || tables.dataset !== dataset) {
                    tables = bodyTables(dataset);
                }
                const body = openBodyFromText(canonicalText, record, layout, tables);
                if (body !== undefined) {
                    return body;
                }
            }
            return JSON.stringify(record).slice(0, -1);
        },
    };
}

function rejectPartition(record: SourceRecord, time: TimeFormatter): HourPartition {
    const ms = record.coordinates.streamTimeMs;
    return ms === null ? { dt: unknownPartitionValue, hour: unknownPartitionValue } : time.partition(ms);
}

function rejectLine(dataset: DatasetDefinition, record: SourceRecord, violations: readonly Violation[], partition: HourPartition, time: TimeFormatter): string {
    const c = record.coordinates;
    const payload = record.value;
    const line: RejectLine = {
        ...rejectVerdict(dataset, violations),
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

function parsePayload(record: SourceRecord): ParsedJsonObject | { readonly violation: Violation } {
    const value = record.value as Buffer;
    const text = utf8TextOf(value);
    if (text === undefined) {
        return { violation: { errorType: "undecodable", rule: "decode", field: "value", message: `value: expected UTF-8 JSON text, found ${value.byteLength} bytes that are not valid UTF-8` } };
    }
    return parseJsonObject(text);
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
        const layout = context.layout;
        if (layout !== undefined) {
            // Only a validator that fills it in may say anything: a stale layout must not count.
            layout.absent = -1;
        }
        const result = validator.validate(parsed.document, { referenceTimeMs: record.coordinates.streamTimeMs }, layout);
        if (!result.ok) {
            return reject(dataset, record, result.violations, time);
        }
        const partition = time.partition(result.eventTimeMs);
        const c = record.coordinates;
        const body = context.openBody(dataset, result.record, parsed.canonicalText);
        let key: string;
        const keyText = record.key === null ? undefined : utf8TextOf(record.key);
        if (record.key === null) {
            key = "null";
        } else if (keyText !== undefined) {
            key = jsonString(keyText);
        } else {
            key = `null,"key_base64":${JSON.stringify(record.key.toString("base64"))}`;
        }
        const metadata: RawLineMetadata = {
            source: context.sourceFragment(dataset.version, c),
            position: jsonString(c.position),
            time: context.timeFragment(c),
            key,
            partition: context.partitionFragment(partition),
        };
        return new RawClassification(partition, body, metadata);
    } catch (error) {
        return reject(
            dataset,
            record,
            [{ errorType: "processing_error", rule: "internal", field: "$", message: `$: the record could not be processed (${describeError(error)}); it is kept here for replay` }],
            time,
        );
    }
}

/** The reject-line fields that are always text, and those that are text or null. */
const rejectLineStrings = ["dataset", "error_type", "rule", "field", "message", "engine", "source", "partition", "position", "ingest_time_type", "dt", "hour"] as const;
const rejectLineNullableStrings = ["ingest_time", "key_base64", "payload_base64", "payload_text"] as const;
const sourceEngines: readonly SourceEngine[] = ["kafka", "kinesis"];

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
    return JSON.stringify(value) ?? "nothing";
}

/**
 * Reads one stored reject line back into a `RejectLine`, checking every field a replay relies on.
 * Returns the problem (field, expected, found) instead of throwing, so each reader wraps it in its
 * own error with the object's location.
 */
export function readRejectLine(text: string): { readonly line: RejectLine } | { readonly problem: string } {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (error) {
        return { problem: `expected a JSON object, found text that does not parse (${describeError(error)})` };
    }
    if (!isPlainObject(value)) {
        return { problem: `expected a JSON object, found ${Array.isArray(value) ? "an array" : shown(value)}` };
    }
    for (const name of rejectLineStrings) {
        if (typeof value[name] !== "string") {
            return { problem: `field '${name}' must be a string, found ${shown(value[name])}` };
        }
    }
    for (const name of rejectLineNullableStrings) {
        if (value[name] !== null && typeof value[name] !== "string") {
            return { problem: `field '${name}' must be a string or null, found ${shown(value[name])}` };
        }
    }
    if (!sourceEngines.includes(value.engine as SourceEngine)) {
        return { problem: `field 'engine' must be ${sourceEngines.join(" or ")}, found ${shown(value.engine)}` };
    }
    if (!/^[0-9]+$/.test(value.position as string)) {
        return { problem: `field 'position' must be a decimal offset or sequence number, found ${shown(value.position)}` };
    }
    if (typeof value.ingest_time === "string" && !Number.isFinite(Date.parse(value.ingest_time))) {
        return { problem: `field 'ingest_time' must be an ISO timestamp, found ${shown(value.ingest_time)}` };
    }
    for (const name of ["key_base64", "payload_base64"] as const) {
        if (typeof value[name] === "string" && decodeBase64Strict(value[name] as string) === undefined) {
            return { problem: `field '${name}' is not valid base64` };
        }
    }
    const headers = value.headers;
    if (!Array.isArray(headers) || !headers.every((h: unknown) => isPlainObject(h) && typeof h.key === "string" && typeof h.value_base64 === "string" && decodeBase64Strict(h.value_base64) !== undefined)) {
        return { problem: `field 'headers' must be an array of {key, value_base64} objects, found ${shown(headers)}` };
    }
    if (!Array.isArray(value.violations)) {
        return { problem: `field 'violations' must be an array, found ${shown(value.violations)}` };
    }
    return { line: value as unknown as RejectLine };
}

/**
 * Rebuilds the source record a reject line was made from. Records whose envelope was broken stay
 * rejected for the same reason: no payload was kept (bad base64, a tombstone), or the Kafka key or
 * headers could not be decoded. An `oversized` payload is checked against the current limit.
 */
export function sourceRecordOfRejectLine(line: RejectLine, maxRecordBytes: number): SourceRecord {
    const value = line.payload_base64 === null ? null : Buffer.from(line.payload_base64, "base64");
    const original: Violation = { errorType: line.error_type, rule: line.rule, field: line.field, message: line.message };
    let poison: Violation | undefined;
    if (value === null || (line.error_type === "undecodable" && (line.field === "key" || line.field === "headers"))) {
        poison = original;
    } else if (value.byteLength > maxRecordBytes) {
        poison = oversizedViolation(line.error_type === "oversized" ? line.field : line.engine === "kafka" ? "value" : "data", value.byteLength, maxRecordBytes);
    }
    return {
        coordinates: {
            engine: line.engine,
            source: line.source,
            partition: line.partition,
            position: line.position,
            streamTimeMs: line.ingest_time === null ? null : Date.parse(line.ingest_time),
            streamTimeType: line.ingest_time_type,
        },
        key: line.key_base64 === null ? null : Buffer.from(line.key_base64, "base64"),
        value,
        headers: line.headers.map((header) => ({ key: header.key, value: Buffer.from(header.value_base64, "base64") })),
        ...(poison ? { poison } : {}),
        ...(line.payload_as_received !== undefined ? { valueAsReceived: line.payload_as_received } : {}),
        ...(line.headers_as_received !== undefined ? { headersAsReceived: line.headers_as_received } : {}),
    };
}
