import { decodeBase64Strict } from "../common/encoding";
import { EventShapeError } from "./errors";
import { KinesisStreamEvent, MskEvent, RecordHeader, SourceCoordinates, SourceRecord, Violation } from "./types";

/**
 * Decoding of the two event shapes into `SourceRecord`s. A malformed *envelope* (no records map,
 * a record without offset or sequence number) is an `EventShapeError`: the event did not come from
 * an event source mapping. A malformed *record payload* (bad base64, no value, too large, bad
 * headers) is kept as a poison record with the reason, so it can be rejected with its coordinates.
 */

export interface DecodeOptions {
    /** Payloads larger than this many bytes are rejected as `oversized`. */
    readonly maxRecordBytes: number;
}

type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function nonNegativeInteger(value: unknown): string | undefined {
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) {
        return String(value);
    }
    if (typeof value === "string" && /^(0|[1-9][0-9]{0,18})$/.test(value)) {
        return value;
    }
    return undefined;
}

function poison(errorType: Violation["errorType"], field: string, message: string): Violation {
    return { errorType, rule: errorType === "oversized" ? "maxRecordBytes" : "decode", field, message };
}

/** The reject reason of a payload larger than the limit (also used when rejects are replayed). */
export function oversizedViolation(field: string, bytes: number, limit: number): Violation {
    return poison("oversized", field, `${field} is ${bytes} bytes, more than the limit of ${limit} bytes (MAX_RECORD_BYTES)`);
}

interface DecodedPayload {
    readonly value: Buffer | null;
    readonly poison?: Violation;
    readonly valueAsReceived?: unknown;
}

function decodePayload(raw: unknown, field: string, options: DecodeOptions): DecodedPayload {
    if (raw === undefined || raw === null) {
        return { value: null, poison: poison("undecodable", field, `the record has no ${field} (null or missing); expected a base64 JSON document`) };
    }
    if (typeof raw !== "string") {
        return { value: null, valueAsReceived: raw, poison: poison("undecodable", field, `${field} must be a base64 string, found ${typeof raw}`) };
    }
    const decoded = decodeBase64Strict(raw);
    if (decoded === undefined) {
        return { value: null, valueAsReceived: raw, poison: poison("undecodable", field, `${field} is not valid base64 (length ${raw.length})`) };
    }
    if (decoded.byteLength > options.maxRecordBytes) {
        return { value: decoded, poison: oversizedViolation(field, decoded.byteLength, options.maxRecordBytes) };
    }
    return { value: decoded };
}

/**
 * A header byte as an event carries it. Lambda serialises Kafka header values as Java `byte[]`,
 * so bytes arrive signed, -128 to 127 (aws-lambda-go#422, powertools-lambda-python#6862).
 * 128 to 255 are accepted too: each such value can only mean one byte (`& 0xff` maps both
 * spellings to the same byte), and events recorded by tools that print bytes unsigned (our own
 * local builders before they matched Lambda, kafkajs dumps) replay unchanged.
 */
function isHeaderByte(byte: unknown): byte is number {
    return typeof byte === "number" && Number.isInteger(byte) && byte >= -128 && byte <= 255;
}

interface DecodedHeaders {
    /** Every header that decoded, in order; kept on the reject line even when another did not. */
    readonly headers: RecordHeader[];
    readonly problem?: Violation;
}

function decodeHeaders(raw: unknown): DecodedHeaders {
    if (raw === undefined || raw === null) {
        return { headers: [] };
    }
    if (!Array.isArray(raw)) {
        return { headers: [], problem: poison("undecodable", "headers", `headers must be an array of {name: byte[]} objects, found ${kindOf(raw)}`) };
    }
    const headers: RecordHeader[] = [];
    let problem: Violation | undefined;
    raw.forEach((entry: unknown, index: number) => {
        if (!isObject(entry)) {
            problem ??= poison("undecodable", "headers", `headers[${index}] must be a {name: byte[]} object, found ${kindOf(entry)}`);
            return;
        }
        for (const [key, bytes] of Object.entries(entry)) {
            if (!Array.isArray(bytes)) {
                problem ??= poison("undecodable", "headers", `headers[${index}].${key} must be an array of bytes (-128 to 127), found ${kindOf(bytes)}`);
                continue;
            }
            const bad = bytes.findIndex((byte) => !isHeaderByte(byte));
            if (bad >= 0) {
                problem ??= poison("undecodable", "headers", `headers[${index}].${key}[${bad}] must be a byte (an integer from -128 to 127), found ${JSON.stringify(bytes[bad]) ?? String(bytes[bad])}`);
                continue;
            }
            headers.push({ key, value: Buffer.from((bytes as number[]).map((byte) => byte & 0xff)) });
        }
    });
    return problem === undefined ? { headers } : { headers, problem };
}

function kindOf(value: unknown): string {
    return Array.isArray(value) ? "an array" : value === null ? "null" : typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** The location of a record in the event, for envelope errors (built only when there is one). */
function mskRecordPath(group: string, index: number): string {
    return `event.records['${group}'][${index}]`;
}

/** The headers of a record: no work for the usual empty list. */
function decodeMskHeaders(raw: unknown): DecodedHeaders {
    return Array.isArray(raw) && raw.length === 0 ? noHeaders : decodeHeaders(raw);
}

const noHeaders: DecodedHeaders = Object.freeze({ headers: Object.freeze([]) as unknown as RecordHeader[] });

/** Decodes one record of an MSK event (see `decodeMskEvent`). */
function decodeMskRecord(raw: unknown, group: string, index: number, groupTopic: string | undefined, groupPartition: string | undefined, options: DecodeOptions): SourceRecord {
    if (!isObject(raw)) {
        throw new EventShapeError(mskRecordPath(group, index), "expected a record object");
    }
    const topic = typeof raw.topic === "string" && raw.topic !== "" ? raw.topic : groupTopic;
    const partition = nonNegativeInteger(raw.partition) ?? groupPartition;
    const offset = nonNegativeInteger(raw.offset);
    if (topic === undefined || partition === undefined) {
        throw new EventShapeError(mskRecordPath(group, index), "the record has no topic and partition, and the group key is not '<topic>-<partition>'");
    }
    if (offset === undefined) {
        throw new EventShapeError(`${mskRecordPath(group, index)}.offset`, `expected a non-negative integer offset, found ${JSON.stringify(raw.offset)}`);
    }
    const timestamp = typeof raw.timestamp === "number" && Number.isFinite(raw.timestamp) && raw.timestamp >= 0 ? Math.trunc(raw.timestamp) : null;
    const coordinates: SourceCoordinates = {
        engine: "kafka",
        source: topic,
        partition,
        position: offset,
        streamTimeMs: timestamp,
        streamTimeType: typeof raw.timestampType === "string" && raw.timestampType !== "" ? raw.timestampType : "CREATE_TIME",
    };
    let key: Buffer | null = null;
    let keyProblem: Violation | undefined;
    if (typeof raw.key === "string") {
        key = decodeBase64Strict(raw.key) ?? null;
        if (key === null) {
            keyProblem = poison("undecodable", "key", `key is not valid base64 (length ${raw.key.length})`);
        }
    } else if (raw.key !== undefined && raw.key !== null) {
        keyProblem = poison("undecodable", "key", `key must be a base64 string or null, found ${typeof raw.key}`);
    }
    const headers = decodeMskHeaders(raw.headers);
    const payload = decodePayload(raw.value, "value", options);
    const problem = keyProblem ?? headers.problem ?? payload.poison;
    // The optional fields are added only when present (rare), so the usual record is one small literal.
    const record: { -readonly [K in keyof SourceRecord]: SourceRecord[K] } = { coordinates, key, value: payload.value, headers: headers.headers };
    if (problem) {
        record.poison = problem;
    }
    if (headers.problem) {
        record.headersAsReceived = raw.headers;
    }
    if (payload.valueAsReceived !== undefined) {
        record.valueAsReceived = payload.valueAsReceived;
    }
    return record;
}

/** Decodes an MSK or self-managed Kafka event. An empty `records` map gives an empty list. */
export function decodeMskEvent(event: MskEvent, options: DecodeOptions): SourceRecord[] {
    if (!isObject(event)) {
        throw new EventShapeError("event", "expected an MSK event object");
    }
    const records = (event as Loose).records;
    if (!isObject(records)) {
        throw new EventShapeError("event.records", "expected an object of '<topic>-<partition>' arrays (an MSK event)");
    }
    const decoded: SourceRecord[] = [];
    for (const [group, list] of Object.entries(records)) {
        if (!Array.isArray(list)) {
            throw new EventShapeError(`event.records['${group}']`, "expected an array of records");
        }
        const separator = group.lastIndexOf("-");
        const groupTopic = separator > 0 ? group.slice(0, separator) : undefined;
        const groupPartition = separator > 0 ? nonNegativeInteger(group.slice(separator + 1)) : undefined;
        for (let index = 0; index < list.length; index += 1) {
            decoded.push(decodeMskRecord(list[index], group, index, groupTopic, groupPartition, options));
        }
    }
    return decoded;
}

const streamArnPattern = /^arn:[^:]+:kinesis:[^:]*:[^:]*:stream\/(.+)$/;
const shardPattern = /^(shardId-[0-9]+):/;

/** The stream name in a Kinesis stream ARN (`arn:aws:kinesis:<region>:<account>:stream/<name>`). */
export function streamNameFromArn(arn: string): string | undefined {
    return streamArnPattern.exec(arn)?.[1];
}

/** Decodes a Kinesis event. An empty `Records` list gives an empty list. */
export function decodeKinesisEvent(event: KinesisStreamEvent, options: DecodeOptions): SourceRecord[] {
    if (!isObject(event) || !Array.isArray((event as Loose).Records)) {
        throw new EventShapeError("event.Records", "expected an array of Kinesis records (a Kinesis event)");
    }
    return (event.Records as readonly unknown[]).map((raw, index) => {
        const path = `event.Records[${index}]`;
        if (!isObject(raw) || !isObject(raw.kinesis)) {
            throw new EventShapeError(path, "expected a record object with a 'kinesis' object");
        }
        const kinesis = raw.kinesis;
        const stream = typeof raw.eventSourceARN === "string" ? streamNameFromArn(raw.eventSourceARN) : undefined;
        if (stream === undefined) {
            throw new EventShapeError(`${path}.eventSourceARN`, `expected a Kinesis stream ARN, found ${JSON.stringify(raw.eventSourceARN)}`);
        }
        const shard = typeof raw.eventID === "string" ? shardPattern.exec(raw.eventID)?.[1] : undefined;
        if (shard === undefined) {
            throw new EventShapeError(`${path}.eventID`, `expected '<shardId>:<sequenceNumber>', found ${JSON.stringify(raw.eventID)}`);
        }
        const sequenceNumber = typeof kinesis.sequenceNumber === "string" && /^[0-9]{1,128}$/.test(kinesis.sequenceNumber) ? kinesis.sequenceNumber : undefined;
        if (sequenceNumber === undefined) {
            throw new EventShapeError(`${path}.kinesis.sequenceNumber`, `expected a decimal sequence number, found ${JSON.stringify(kinesis.sequenceNumber)}`);
        }
        const arrival = kinesis.approximateArrivalTimestamp;
        if (typeof arrival !== "number" || !Number.isFinite(arrival) || arrival < 0) {
            throw new EventShapeError(`${path}.kinesis.approximateArrivalTimestamp`, `expected epoch seconds, found ${JSON.stringify(arrival)}`);
        }
        const coordinates: SourceCoordinates = {
            engine: "kinesis",
            source: stream,
            partition: shard,
            position: sequenceNumber,
            streamTimeMs: Math.round(arrival * 1000),
            streamTimeType: "APPROXIMATE_ARRIVAL",
        };
        const payload = decodePayload(kinesis.data, "data", options);
        return {
            coordinates,
            key: typeof kinesis.partitionKey === "string" ? Buffer.from(kinesis.partitionKey, "utf8") : null,
            value: payload.value,
            headers: [],
            ...(payload.poison ? { poison: payload.poison } : {}),
            ...(payload.valueAsReceived !== undefined ? { valueAsReceived: payload.valueAsReceived } : {}),
        };
    });
}

/** Compares two decimal position strings (offsets or sequence numbers) numerically. */
export function comparePositions(left: string, right: string): number {
    const a = left.length > 1 && left.charCodeAt(0) === 48 ? left.replace(/^0+(?=\d)/, "") : left;
    const b = right.length > 1 && right.charCodeAt(0) === 48 ? right.replace(/^0+(?=\d)/, "") : right;
    if (a.length !== b.length) {
        return a.length - b.length;
    }
    return a < b ? -1 : a > b ? 1 : 0;
}
