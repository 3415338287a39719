import { DatasetDefinition } from "../../../runtime/datasets/types";
import { KinesisStreamEvent, MskEvent, MskRecord } from "../../../runtime/ingest/types";

/** Fixed clock for unit tests: 2024-05-01T10:16:00Z. */
export const streamTime = Date.UTC(2024, 4, 1, 10, 16, 0);

export const b64 = (value: string | Buffer): string => (typeof value === "string" ? Buffer.from(value, "utf8") : value).toString("base64");

/** A valid `orders` record; pass overrides to break one thing at a time. */
export function validOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        order_id: "ORD-ABCDEFGHIJ12",
        customer_id: "CUST-12345678",
        store_id: "S0042",
        region: "EMEA",
        channel: "store",
        status: "paid",
        currency: "EUR",
        amount: 31.5,
        line_items: [
            { sku: "SKU-AAA1", quantity: 2, unit_price: 10.25 },
            { sku: "SKU-BBB2", quantity: 1, unit_price: 11 },
        ],
        event_time: "2024-05-01T10:15:00Z",
        ...overrides,
    };
}

export interface MskRecordSpec {
    readonly topic?: string;
    readonly partition?: number;
    readonly offset: number;
    /** An object is JSON-encoded, a string used as UTF-8 text, a Buffer as is, null means no value. */
    readonly value: unknown;
    readonly key?: string | null;
    readonly headers?: Record<string, string>;
    readonly timestamp?: number;
    readonly timestampType?: string;
}

function payload(value: unknown): string | undefined {
    if (value === null || value === undefined) {
        return undefined;
    }
    if (Buffer.isBuffer(value)) {
        return value.toString("base64");
    }
    return b64(typeof value === "string" ? value : JSON.stringify(value));
}

export function mskRecord(spec: MskRecordSpec): MskRecord {
    const topic = spec.topic ?? "orders";
    const value = payload(spec.value);
    return {
        topic,
        partition: spec.partition ?? 0,
        offset: spec.offset,
        timestamp: spec.timestamp ?? streamTime,
        timestampType: spec.timestampType ?? "CREATE_TIME",
        ...(spec.key !== undefined && spec.key !== null ? { key: b64(spec.key) } : {}),
        ...(value !== undefined ? { value } : {}),
        // Signed, as Lambda writes Java byte[] (-128 to 127).
        headers: Object.entries(spec.headers ?? {}).map(([name, text]) => ({ [name]: Array.from(new Int8Array(Buffer.from(text))) })),
    };
}

/** An MSK event grouping the records by `<topic>-<partition>` as Lambda does. */
export function mskEvent(specs: readonly MskRecordSpec[]): MskEvent {
    const records: Record<string, MskRecord[]> = {};
    for (const spec of specs) {
        const record = mskRecord(spec);
        (records[`${record.topic}-${record.partition}`] ??= []).push(record);
    }
    return { eventSource: "aws:kafka", eventSourceArn: "arn:aws:kafka:us-east-1:123456789012:cluster/test/abc", bootstrapServers: "b-1:9092,b-2:9092", records };
}

export interface KinesisRecordSpec {
    readonly stream?: string;
    readonly shardId?: string;
    readonly sequenceNumber: string;
    readonly value: unknown;
    readonly partitionKey?: string;
    /** Epoch milliseconds; the event carries seconds. */
    readonly arrivalMs?: number;
}

export function kinesisEvent(specs: readonly KinesisRecordSpec[]): KinesisStreamEvent {
    return {
        Records: specs.map((spec) => {
            const shardId = spec.shardId ?? "shardId-000000000000";
            return {
                eventSource: "aws:kinesis",
                eventVersion: "1.0",
                eventID: `${shardId}:${spec.sequenceNumber}`,
                eventName: "aws:kinesis:record",
                awsRegion: "us-east-1",
                invokeIdentityArn: "arn:aws:iam::123456789012:role/ingest",
                eventSourceARN: `arn:aws:kinesis:us-east-1:123456789012:stream/${spec.stream ?? "orders"}`,
                kinesis: {
                    kinesisSchemaVersion: "1.0",
                    partitionKey: spec.partitionKey ?? "pk",
                    sequenceNumber: spec.sequenceNumber,
                    approximateArrivalTimestamp: (spec.arrivalMs ?? streamTime) / 1000,
                    data: payload(spec.value) ?? "",
                },
            };
        }),
    };
}

/** Sequence numbers shaped like Kinesis's (56 digits), increasing with `n`. */
export function sequenceNumber(n: number): string {
    return `4959${String(n).padStart(52, "0")}`;
}

/**
 * A second dataset that exists only in the tests: sensor readings with an hourly partition, a
 * boolean, a date, a long, a double, lower-case normalisation, string length rules and a
 * `requiredWhen` rule. Proves a new dataset needs data, not code.
 */
export const readingsDataset: DatasetDefinition = {
    name: "sensor_readings",
    version: 3,
    description: "Readings from field sensors",
    fields: [
        { name: "sensor_id", type: "string", description: "Sensor", required: true, rules: { minLength: 3, maxLength: 12 }, normalise: { trim: true, case: "lower" } },
        { name: "reading_id", type: "long", description: "Monotonic reading number", required: true, rules: { min: 1 } },
        { name: "celsius", type: "double", description: "Temperature", required: true, rules: { min: -90, max: 60 } },
        { name: "calibrated", type: "boolean", description: "Calibrated sensor", required: true },
        { name: "calibration_date", type: "date", description: "Last calibration" },
        { name: "kind", type: "string", description: "Sensor kind", required: true, rules: { allowed: ["indoor", "outdoor"] }, normalise: { case: "lower" } },
        { name: "measured_at", type: "timestamp", description: "When measured", required: true, rules: { maxFutureSkewSeconds: 60 } },
    ],
    key: ["sensor_id", "reading_id"],
    eventTimeField: "measured_at",
    partitioning: "hour",
    crossFieldRules: [{ kind: "requiredWhen", name: "calibrated_has_date", field: "calibrated", values: ["true"], then: "calibration_date" }],
    quality: [{ kind: "rowCount", name: "readings_present", min: 1, level: "error" }],
    warehouse: { distStyle: "EVEN", sortKeys: ["measured_at"] },
    classification: "internal",
    aggregates: [],
};
