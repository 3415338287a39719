import * as assert from "assert";
import { ConfigurationError, createMemoryObjectStore } from "../../../runtime/common";
import { IngestWriteError } from "../../../runtime/ingest/errors";
import { createIngestHandler } from "../../../runtime/ingest/handler";
import { readIngestSettings } from "../../../runtime/ingest/settings";
import { kinesisEvent, mskEvent, readingsDataset, sequenceNumber, validOrder } from "../../helpers/ingest/events";
import { createFaultyStore, lines, readAll, readAllRaw } from "../../helpers/ingest/stores";
import { createRecordingTelemetry } from "../../helpers/ingest/telemetry";

const env = { RAW_BUCKET: "raw", REJECTS_BUCKET: "rejects", DATASET: "orders", MAX_RECORD_BYTES: "4096" };

const mixedBatch = mskEvent([
    { partition: 0, offset: 10, key: "a", value: validOrder() },
    { partition: 0, offset: 11, value: validOrder({ order_id: "ORD-000000000011", event_time: "2024-05-01T09:59:00Z" }) },
    { partition: 0, offset: 12, value: validOrder({ amount: 1 }) },
    { partition: 1, offset: 40, value: "{broken" },
    { partition: 1, offset: 41, value: "x".repeat(5000) },
    { partition: 1, offset: 42, value: null },
    { partition: 1, offset: 43, value: validOrder({ order_id: "ORD-000000000043" }) },
]);

describe("the ingest handler", () => {
    describe("settings", () => {
        it("names a missing variable and how to fix it", () => {
            assert.throws(
                () => createIngestHandler({ engine: "kafka", env: { ...env, RAW_BUCKET: undefined }, store: createMemoryObjectStore() }),
                (error: unknown) => error instanceof ConfigurationError && error.setting === "RAW_BUCKET" && /RAW_BUCKET \(the raw-zone bucket\) is not set/.test(error.message),
            );
        });

        it("names an unknown dataset and the known ones", () => {
            assert.throws(() => readIngestSettings({ ...env, DATASET: "invoices" }), /DATASET: unknown dataset 'invoices'; expected one of: orders/);
        });

        it("names an invalid number, the range and an example", () => {
            assert.throws(() => readIngestSettings({ ...env, MAX_RECORD_BYTES: "1MB" }), /MAX_RECORD_BYTES must be an integer between 1 and 6291456, found '1MB'; set it to, for example, MAX_RECORD_BYTES=1048576/);
        });

        it("applies documented defaults", () => {
            const settings = readIngestSettings({ RAW_BUCKET: "r", REJECTS_BUCKET: "j", DATASET: "orders" });
            assert.deepStrictEqual(
                [settings.metricsNamespace, settings.serviceName, settings.maxRecordBytes, settings.writeConcurrency, settings.s3],
                ["DataPlatform/Ingest", "ingest", 1_048_576, 16, { requestTimeoutMs: 10_000, maxAttempts: 3, forcePathStyle: false }],
            );
            assert.strictEqual(readIngestSettings({ ...env, S3_ENDPOINT: "http://127.0.0.1:5055" }).s3.forcePathStyle, true);
        });
    });

    describe("with Kafka events", () => {
        it("lands valid records, rejects the rest, and reports the accounting", async () => {
            const store = createMemoryObjectStore();
            const telemetry = createRecordingTelemetry();
            const handler = createIngestHandler({ engine: "kafka", env, store, telemetry });
            const response = await handler(mixedBatch, { awsRequestId: "req-1" });
            assert.deepStrictEqual(response, { batchItemFailures: [] });
            assert.deepStrictEqual([...(await readAll(store, "raw")).keys()], [
                "orders/dt=2024-05-01/hour=09/orders+0+00000000000000000010.ndjson.gz",
                "orders/dt=2024-05-01/hour=10/orders+0+00000000000000000010.ndjson.gz",
                "orders/dt=2024-05-01/hour=10/orders+1+00000000000000000040.ndjson.gz",
            ]);
            assert.deepStrictEqual([...(await readAll(store, "rejects")).keys()], [
                "orders/error_type=cross_field/dt=2024-05-01/hour=10/orders+0+00000000000000000010.ndjson.gz",
                "orders/error_type=not_json/dt=2024-05-01/hour=10/orders+1+00000000000000000040.ndjson.gz",
                "orders/error_type=oversized/dt=2024-05-01/hour=10/orders+1+00000000000000000040.ndjson.gz",
                "orders/error_type=undecodable/dt=2024-05-01/hour=10/orders+1+00000000000000000040.ndjson.gz",
            ]);
            const [summary] = telemetry.batches;
            assert.deepStrictEqual(summary?.counts, { in: 7, landed: 3, rejected: 4, failed: 0 });
            assert.deepStrictEqual(telemetry.contexts, [{ awsRequestId: "req-1" }]);
        });

        it("handles an empty batch without writing anything", async () => {
            const store = createMemoryObjectStore();
            const telemetry = createRecordingTelemetry();
            const handler = createIngestHandler({ engine: "kafka", env, store, telemetry });
            assert.deepStrictEqual(await handler({ eventSource: "aws:kafka", records: {} }), { batchItemFailures: [] });
            assert.strictEqual(store.requests.put, 0);
            assert.deepStrictEqual(telemetry.batches[0]?.counts, { in: 0, landed: 0, rejected: 0, failed: 0 });
        });

        it("throws when a write fails, and the retried batch completes exactly the objects of a clean run", async () => {
            const clean = createMemoryObjectStore();
            await createIngestHandler({ engine: "kafka", env, store: clean, telemetry: createRecordingTelemetry() })(mixedBatch);

            const store = createMemoryObjectStore();
            const faulty = createFaultyStore(store, (input) => (input.key.includes("error_type=not_json") || input.key.includes("hour=09") ? new Error("InternalError") : undefined));
            const telemetry = createRecordingTelemetry();
            await assert.rejects(createIngestHandler({ engine: "kafka", env, store: faulty, telemetry })(mixedBatch), (error: unknown) => error instanceof IngestWriteError && error.failedKeys.length === 2);
            assert.deepStrictEqual(telemetry.batches[0]?.counts, { in: 7, landed: 2, rejected: 3, failed: 2 });

            await createIngestHandler({ engine: "kafka", env, store, telemetry })(mixedBatch);
            assert.deepStrictEqual(telemetry.batches[1]?.counts, { in: 7, landed: 3, rejected: 4, failed: 0 });
            assert.deepStrictEqual(telemetry.batches[1]?.objects.alreadyPresent, 5);
            assert.deepStrictEqual(await readAllRaw(store, "raw"), await readAllRaw(clean, "raw"));
            assert.deepStrictEqual(await readAllRaw(store, "rejects"), await readAllRaw(clean, "rejects"));
        });

        it("treats a write that landed but timed out as present on the retry", async () => {
            const store = createMemoryObjectStore();
            const faulty = createFaultyStore(store, (_input, call) => (call === 1 ? Object.assign(new Error("socket hang up"), { name: "TimeoutError" }) : undefined), { afterWrite: true });
            const telemetry = createRecordingTelemetry();
            await assert.rejects(createIngestHandler({ engine: "kafka", env, store: faulty, telemetry })(mixedBatch), /TimeoutError: socket hang up/);
            await createIngestHandler({ engine: "kafka", env, store: faulty, telemetry })(mixedBatch);
            const raw = lines(await readAll(store, "raw"));
            const rejects = lines(await readAll(store, "rejects"));
            assert.strictEqual(raw.length + rejects.length, 7);
            assert.strictEqual(telemetry.batches[1]?.objects.conflicts, 0);
        });
    });

    describe("with Kinesis events", () => {
        const batch = kinesisEvent([
            { sequenceNumber: sequenceNumber(1), value: validOrder() },
            { sequenceNumber: sequenceNumber(2), value: "[]" },
            { sequenceNumber: sequenceNumber(3), value: validOrder({ order_id: "ORD-000000000003", event_time: "2024-05-01T09:00:00Z" }) },
        ]);

        it("returns no batch item failures when everything landed", async () => {
            const store = createMemoryObjectStore();
            const response = await createIngestHandler({ engine: "kinesis", env, store, telemetry: createRecordingTelemetry() })(batch);
            assert.deepStrictEqual(response, { batchItemFailures: [] });
            assert.strictEqual(store.objects("raw").size, 2);
            assert.strictEqual(store.objects("rejects").size, 1);
        });

        it("reports the shard's records from its first one when a write fails, and the redelivery completes the objects of a clean run", async () => {
            const clean = createMemoryObjectStore();
            await createIngestHandler({ engine: "kinesis", env, store: clean, telemetry: createRecordingTelemetry() })(batch);

            const store = createMemoryObjectStore();
            const faulty = createFaultyStore(store, (input) => (input.key.includes("hour=09") ? new Error("ServiceUnavailable") : undefined));
            const response = await createIngestHandler({ engine: "kinesis", env, store: faulty, telemetry: createRecordingTelemetry() })(batch);
            assert.deepStrictEqual(response.batchItemFailures, [1, 2, 3].map((n) => ({ itemIdentifier: sequenceNumber(n) })));
            await createIngestHandler({ engine: "kinesis", env, store, telemetry: createRecordingTelemetry() })(batch);
            assert.deepStrictEqual(await readAllRaw(store, "raw"), await readAllRaw(clean, "raw"));
            assert.deepStrictEqual(await readAllRaw(store, "rejects"), await readAllRaw(clean, "rejects"));
        });
    });

    describe("with another dataset", () => {
        it("validates and lands records of a dataset defined only as data", async () => {
            const store = createMemoryObjectStore();
            const telemetry = createRecordingTelemetry();
            const handler = createIngestHandler({ engine: "kinesis", env: { ...env, DATASET: "sensor_readings" }, datasets: [readingsDataset], store, telemetry });
            const reading = { sensor_id: "T-100", reading_id: 1, celsius: 20.5, calibrated: false, kind: "outdoor", measured_at: "2024-05-01T10:15:00Z" };
            await handler(
                kinesisEvent([
                    { stream: "readings", sequenceNumber: sequenceNumber(1), value: reading },
                    { stream: "readings", sequenceNumber: sequenceNumber(2), value: { ...reading, reading_id: 2, calibrated: true } },
                ]),
            );
            const raw = lines(await readAll(store, "raw"));
            assert.deepStrictEqual(raw.map((r) => [r.sensor_id, (r._ingest as { dataset_version: number }).dataset_version]), [["t-100", 3]]);
            assert.deepStrictEqual([...store.objects("raw").keys()], [`sensor_readings/dt=2024-05-01/hour=10/readings+shardId-000000000000+${sequenceNumber(1)}.ndjson.gz`]);
            assert.deepStrictEqual([...store.objects("rejects").keys()], [`sensor_readings/error_type=cross_field/dt=2024-05-01/hour=10/readings+shardId-000000000000+${sequenceNumber(1)}.ndjson.gz`]);
        });
    });
});
