import * as assert from "assert";
import * as fc from "fast-check";
import { createMemoryObjectStore } from "../../../runtime/common";
import { orders } from "../../../runtime/datasets";
import { createIngestHandler } from "../../../runtime/ingest/handler";
import { KinesisStreamEvent, MskEvent, MskRecord } from "../../../runtime/ingest/types";
import { compileValidator } from "../../../runtime/ingest/validate";
import { createOrderGenerator } from "../../../runtime/producers/orders";
import { b64, sequenceNumber, streamTime, validOrder } from "../../helpers/ingest/events";
import { lines, readAll } from "../../helpers/ingest/stores";
import { createRecordingTelemetry } from "../../helpers/ingest/telemetry";

/** A payload field as an event could carry it: valid orders, damaged orders, any JSON, text, bytes, broken base64, nothing. */
const orderFields = orders.fields.map((field) => field.name);
const generated = fc.integer({ min: 0, max: 2 ** 31 }).map((seed) => createOrderGenerator({ seed, badRatio: 0.5, startTimeMs: streamTime - 3_600_000 }).next().value);
const damaged = fc
    .tuple(generated, fc.constantFrom(...orderFields, "line_items", "extra"), fc.anything())
    .map(([value, field, replacement]) => {
        try {
            const order = JSON.parse(value.toString()) as Record<string, unknown>;
            order[field] = replacement;
            return Buffer.from(JSON.stringify(order) ?? "null");
        } catch {
            return value;
        }
    });
/** The shapes producers really send that JSON.parse alone judges wrongly: BOM, repeated names, deep or huge nesting, long decimals. */
const awkward = fc.oneof(
    generated.map((value) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), value])),
    generated.map((value) => Buffer.from(value.toString().replace(/^\{"order_id":("[^"]*")/, '{"order_id":$1,"order_id":$1'))),
    fc.integer({ min: 1, max: 5_000 }).map((depth) => Buffer.from(`{"customer_id":${"[".repeat(depth)}${"]".repeat(depth)}}`)),
    fc.constantFrom("31.50000001", "500000.0004", "99999.99999", "1e-7", "31.5").map((amount) => Buffer.from(JSON.stringify(validOrder()).replace('"amount":31.5', `"amount":${amount}`))),
);
const payload: fc.Arbitrary<string | null | undefined | number> = fc.oneof(
    { weight: 4, arbitrary: generated.map((value) => value.toString("base64")) },
    { weight: 2, arbitrary: awkward.map((value) => value.toString("base64")) },
    { weight: 4, arbitrary: damaged.map((value) => value.toString("base64")) },
    { weight: 2, arbitrary: fc.jsonValue().map((value) => b64(JSON.stringify(value) ?? "null")) },
    { weight: 1, arbitrary: fc.string({ unit: "binary" }).map((text) => b64(text)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString("base64")) },
    { weight: 1, arbitrary: fc.string() },
    { weight: 1, arbitrary: fc.constantFrom(null, undefined, 42) },
);
// Lambda writes header values as Java byte[] (-128..127); a few out-of-range values and non-arrays too.
const headerBytes = fc.oneof({ weight: 9, arbitrary: fc.array(fc.integer({ min: -128, max: 127 }), { maxLength: 8 }) }, { weight: 1, arbitrary: fc.array(fc.integer({ min: -300, max: 300 }), { maxLength: 8 }) });
const headers = fc.oneof(fc.constant(undefined), fc.constant(null), fc.array(fc.dictionary(fc.string({ maxLength: 8 }), headerBytes), { maxLength: 3 }), fc.constant("not-an-array"));
const key = fc.oneof(fc.constant(null), fc.constant(undefined), fc.string({ maxLength: 20 }).map((text) => b64(text)), fc.string({ maxLength: 6 }));
const timestamp = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: streamTime - 86_400_000, max: streamTime + 86_400_000 }) }, { weight: 1, arbitrary: fc.constantFrom(-1, 0) });

const timestampType = fc.constantFrom("CREATE_TIME", "LOG_APPEND_TIME", undefined);
const mskRecord = fc.record({ partition: fc.integer({ min: 0, max: 3 }), value: payload, key, headers, timestamp, timestampType });

describe("fuzzing the ingest handler", () => {
    it("never crashes on 10,000+ random and malformed Kafka records, and every record lands or is rejected exactly once", async () => {
        let total = 0;
        await fc.assert(
            fc.asyncProperty(fc.array(mskRecord, { minLength: 100, maxLength: 140 }), async (specs) => {
                const store = createMemoryObjectStore();
                const telemetry = createRecordingTelemetry();
                const handler = createIngestHandler({ engine: "kafka", env: { RAW_BUCKET: "raw", REJECTS_BUCKET: "rejects", DATASET: "orders", MAX_RECORD_BYTES: "2048" }, store, telemetry });
                const records: Record<string, MskRecord[]> = {};
                specs.forEach((spec, index) => {
                    (records[`orders-${spec.partition}`] ??= []).push({
                        topic: "orders",
                        partition: spec.partition,
                        offset: 1000 + index,
                        timestamp: spec.timestamp,
                        ...(spec.timestampType !== undefined ? { timestampType: spec.timestampType } : {}),
                        ...(spec.key !== undefined ? { key: spec.key } : {}),
                        ...(spec.value !== undefined ? { value: spec.value as string } : {}),
                        ...(spec.headers !== undefined ? { headers: spec.headers } : {}),
                    } as MskRecord);
                });
                const event: MskEvent = { eventSource: "aws:kafka", records };
                await handler(event);
                const [summary] = telemetry.batches;
                assert.ok(summary);
                assert.strictEqual(summary.counts.in, specs.length);
                assert.strictEqual(summary.counts.landed + summary.counts.rejected, specs.length);
                const landed = lines(await readAll(store, "raw"));
                const rejected = lines(await readAll(store, "rejects"));
                assert.strictEqual(landed.length, summary.counts.landed);
                assert.strictEqual(rejected.length, summary.counts.rejected);
                // Bad input is a reject with a reason, never a processing error (which would be retried).
                for (const line of rejected) {
                    assert.notStrictEqual(line.error_type, "processing_error", String(line.message));
                    assert.ok(typeof line.message === "string" && line.message.length > 0);
                }
                const positions = [...landed.map((line) => (line._ingest as { position: string }).position), ...rejected.map((line) => line.position as string)].sort();
                assert.deepStrictEqual(positions, specs.map((_, index) => String(1000 + index)).sort());
                total += specs.length;
            }),
            { numRuns: 100, seed: 20240501 },
        );
        assert.ok(total >= 10_000, `only ${total} records were fuzzed`);
    });

    it("never crashes on random Kinesis payloads and accounts for every record", async () => {
        await fc.assert(
            fc.asyncProperty(fc.array(payload, { maxLength: 60 }), async (values) => {
                const store = createMemoryObjectStore();
                const telemetry = createRecordingTelemetry();
                const handler = createIngestHandler({ engine: "kinesis", env: { RAW_BUCKET: "raw", REJECTS_BUCKET: "rejects", DATASET: "orders" }, store, telemetry });
                const event: KinesisStreamEvent = {
                    Records: values.map((value, index) => ({
                        eventID: `shardId-000000000000:${sequenceNumber(index)}`,
                        eventSourceARN: "arn:aws:kinesis:us-east-1:1:stream/orders",
                        kinesis: { partitionKey: "k", sequenceNumber: sequenceNumber(index), approximateArrivalTimestamp: streamTime / 1000, data: value as string },
                    })),
                };
                const response = await handler(event);
                assert.deepStrictEqual(response.batchItemFailures, []);
                const counts = telemetry.batches[0]?.counts;
                assert.strictEqual((counts?.landed ?? 0) + (counts?.rejected ?? 0), values.length);
                const rejected = lines(await readAll(store, "rejects"));
                assert.strictEqual(rejected.length, counts?.rejected ?? 0);
                assert.ok(rejected.every((line) => line.error_type !== "processing_error"));
            }),
            { numRuns: 100, seed: 7 },
        );
    });

    it("never throws from the validator, whatever the document", () => {
        const validator = compileValidator(orders);
        fc.assert(
            fc.property(fc.anything(), fc.option(fc.integer(), { nil: null }), (document, reference) => {
                const result = validator.validate(document, { referenceTimeMs: reference });
                assert.ok(result.ok || result.violations.length > 0);
            }),
            { numRuns: 5_000, seed: 11 },
        );
    });
});
