import * as assert from "assert";
import { createIngestHandler } from "../../../runtime/ingest/handler";
import { startKafkaEventSource } from "../../../runtime/local/kafkaEventSource";
import { EventSourceRunner } from "../../../runtime/local/runner";
import { createKafkaProducer } from "../../../runtime/producers/kafka";
import { createOrderGenerator, GeneratedOrder } from "../../../runtime/producers/orders";
import { assertZonesMatch } from "../../helpers/ingest/expectations";
import { createBuckets, createTopic, kafkaBrokers, motoStore, requireKafka, requireMoto, uniqueName, waitUntil } from "../../helpers/ingest/services";
import { readAll } from "../../helpers/ingest/stores";
import { createRecordingTelemetry } from "../../helpers/ingest/telemetry";
import { bindScope } from "../../helpers/iam/recorder";
import { createS3ObjectStore } from "../../../runtime/common/objectStore";
import { s3Client } from "../../helpers/ingest/services";

describe("Kafka end to end: producer → broker → event source runner → handler → S3 (moto)", () => {
    const count = 3000;
    const topic = uniqueName("orders");
    const raw = uniqueName("raw");
    const rejects = uniqueName("rejects");
    const groupId = uniqueName("ingest");
    let produced: GeneratedOrder[];
    const runners: EventSourceRunner[] = [];

    before(async () => {
        await requireMoto();
        await requireKafka();
        await createBuckets(raw, rejects);
        await createTopic(topic, 3);
        produced = createOrderGenerator({ seed: 2024, badRatio: 0.1, startTimeMs: Date.now() - count * 1000 - 60_000 }).take(count);
        const producer = createKafkaProducer({ brokers: kafkaBrokers, topic });
        const report = await producer.send(produced);
        await producer.close();
        assert.deepStrictEqual([report.sent, report.requests], [count, 6]);
    });

    after(async () => {
        await Promise.all(runners.map((runner) => runner.stop()));
    });

    const handlerFor = (telemetry = createRecordingTelemetry()) =>
        createIngestHandler({ engine: "kafka", env: { RAW_BUCKET: raw, REJECTS_BUCKET: rejects, DATASET: "orders" }, store: ingestStore(), telemetry });

    /** The handler's store: its requests are recorded as the ingest role's. */
    const ingestStore = () => createS3ObjectStore({ client: bindScope(s3Client(), { component: "ingest", dataset: "orders", engine: "kafka", buckets: { [raw]: "raw", [rejects]: "rejects" } }) });

    it("lands every valid order in the raw zone and every defective one in the rejects zone under its error type, exactly once", async () => {
        const telemetry = createRecordingTelemetry();
        const runner = await startKafkaEventSource({ brokers: kafkaBrokers, topic, groupId, batchSize: 500, batchingWindowMs: 200, handler: handlerFor(telemetry) });
        runners.push(runner);
        await waitUntil(() => runner.stats.records === count, { timeoutMs: 90_000, description: `${count} records to be committed (now ${runner.stats.records})` });
        await runner.stop();
        assert.strictEqual(runner.stats.failedInvocations, 0);
        assert.ok(telemetry.batches.every((batch) => batch.counts.in <= 500 && batch.counts.in === batch.counts.landed + batch.counts.rejected));
        assertZonesMatch(produced, await readAll(motoStore(), raw), await readAll(motoStore(), rejects), topic);
    });

    it("keys objects <topic>+<partition>+<first offset, 20 digits> and stores normalised, enriched records", async () => {
        const objects = await readAll(motoStore(), raw);
        for (const key of objects.keys()) {
            assert.match(key, new RegExp(`^orders/dt=\\d{4}-\\d{2}-\\d{2}/hour=\\d{2}/${topic}\\+[0-2]\\+\\d{20}\\.ndjson\\.gz$`));
        }
        const first = JSON.parse([...objects.values()][0]!.split("\n")[0]!) as Record<string, unknown>;
        assert.deepStrictEqual(Object.keys(first), ["order_id", "customer_id", "store_id", "region", "channel", "status", "currency", "amount", "line_items", "coupon_code", "event_time", "shipped_time", "_ingest"]);
        assert.match(String(first.event_time), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    });

    it("committed the offsets: a new runner in the same group reprocesses nothing", async () => {
        const runner = await startKafkaEventSource({ brokers: kafkaBrokers, topic, groupId, batchSize: 500, batchingWindowMs: 100, handler: handlerFor() });
        runners.push(runner);
        await new Promise((resolve) => setTimeout(resolve, 4000));
        await runner.stop();
        assert.strictEqual(runner.stats.invocations, 0);
    });
});
