import * as assert from "assert";
import { createIngestHandler } from "../../../runtime/ingest/handler";
import { parseObjectKey } from "../../../runtime/ingest/layout";
import { createMemoryCheckpointStore, startKinesisEventSource } from "../../../runtime/local/kinesisEventSource";
import { createKinesisProducer } from "../../../runtime/producers/kinesis";
import { createOrderGenerator, GeneratedOrder } from "../../../runtime/producers/orders";
import { assertZonesMatch } from "../../helpers/ingest/expectations";
import { createBuckets, createStream, credentials, motoEndpoint, motoStore, region, requireMoto, uniqueName, waitUntil } from "../../helpers/ingest/services";
import { readAll } from "../../helpers/ingest/stores";
import { createRecordingTelemetry } from "../../helpers/ingest/telemetry";
import { recordAs } from "../../helpers/iam/recorder";
import { assertValidEvents, parseLineageObjects } from "../../helpers/lineage/schema";

describe("Kinesis end to end: producer → stream (moto) → event source runner → handler → S3 (moto)", () => {
    const count = 1500;
    const stream = uniqueName("orders");
    const raw = uniqueName("raw");
    const rejects = uniqueName("rejects");
    let produced: GeneratedOrder[];

    before(async () => {
        await requireMoto();
        await createBuckets(raw, rejects);
        await createStream(stream, 2);
        produced = createOrderGenerator({ seed: 99, badRatio: 0.1, startTimeMs: Date.now() - count * 1000 - 60_000 }).take(count);
        const producer = createKinesisProducer({ streamName: stream, endpoint: motoEndpoint, region, credentials });
        const report = await producer.send(produced);
        await producer.close();
        assert.deepStrictEqual([report.sent, report.requests], [count, 3]);
    });

    it("lands every record exactly once, checkpointing each shard after the handler accepted a batch", async () => {
        const telemetry = createRecordingTelemetry();
        const handler = createIngestHandler({ engine: "kinesis", env: { RAW_BUCKET: raw, REJECTS_BUCKET: rejects, DATASET: "orders", LINEAGE_BUCKET: raw, LINEAGE_PREFIX: "lineage" }, store: motoStore(), telemetry });
        const checkpoints = createMemoryCheckpointStore();
        // The event source mapping polls with the function's role, so its requests are the ingest role's too.
        const runner = await recordAs({ component: "ingest", dataset: "orders", engine: "kinesis", buckets: { [raw]: "raw", [rejects]: "rejects" }, streams: [stream] }, () =>
            startKinesisEventSource({ streamName: stream, endpoint: motoEndpoint, region, credentials, batchSize: 400, checkpoints, handler }),
        );
        await waitUntil(() => runner.stats.records === count, { timeoutMs: 90_000, description: `${count} records to be checkpointed (now ${runner.stats.records})` });
        await runner.stop();
        assert.strictEqual(runner.stats.failedInvocations + runner.stats.partialFailures, 0);
        assert.strictEqual(checkpoints.checkpoints.size, 2);
        assert.ok(telemetry.batches.every((batch) => batch.counts.in <= 400 && batch.sources.length === 1));
        // The dataset's prefix only: the lineage events live beside it, under lineage/ of the same bucket.
        const rawObjects = await readAll(motoStore(), raw, "orders/");
        assertZonesMatch(produced, rawObjects, await readAll(motoStore(), rejects), stream);
        for (const key of rawObjects.keys()) {
            assert.match(parseObjectKey(key)?.partition ?? "", /^shardId-\d{12}$/);
            assert.match(parseObjectKey(key)?.firstPosition ?? "", /^[1-9]\d*$/);
        }
        const lineageKeys = await motoStore().listKeys(raw, "lineage/");
        const events = parseLineageObjects(await Promise.all(lineageKeys.map(async (key) => (await motoStore().getObject(raw, key))!)));
        assertValidEvents(events);
        assert.deepStrictEqual([...new Set(events.map((event) => event.job.name))], ["ingest.orders"]);
    });
});
