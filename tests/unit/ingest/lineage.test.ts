import * as assert from "assert";
import { createMemoryObjectStore, ObjectStore } from "../../../runtime/common";
import { createIngestHandler } from "../../../runtime/ingest/handler";
import * as fc from "fast-check";
import { batchName, ingestWindowCompletions } from "../../../runtime/ingest/lineage";
import { MskEvent } from "../../../runtime/ingest/types";
import { fxRates, orders } from "../../../runtime/datasets";
import { deterministicRunId, RunEvent } from "../../../runtime/lineage";
import { kinesisEvent, mskEvent, sequenceNumber, validOrder } from "../../helpers/ingest/events";
import { createRecordingTelemetry } from "../../helpers/ingest/telemetry";
import { assertValidEvents, parseLineageObjects } from "../../helpers/lineage/schema";

const env = { RAW_BUCKET: "raw", REJECTS_BUCKET: "rejects", DATASET: "orders", LINEAGE_BUCKET: "ops", LINEAGE_NAMESPACE: "etl-platform-dev" };

const batch = mskEvent([
    { partition: 0, offset: 10, value: validOrder() },
    { partition: 0, offset: 11, value: validOrder({ order_id: "ORD-000000000011" }) },
    { partition: 1, offset: 40, value: "{broken" },
]);

async function lineageEvents(store: ObjectStore): Promise<{ keys: string[]; events: RunEvent[] }> {
    const keys = await store.listKeys("ops", "lineage/");
    const bodies = await Promise.all(keys.map(async (key) => (await store.getObject("ops", key))!));
    return { keys, events: parseLineageObjects(bodies) };
}

describe("the ingest handler's lineage", () => {
    it("emits a START and an OTHER per window, both valid OpenLineage events, in one lake object per batch", async () => {
        const store = createMemoryObjectStore();
        await createIngestHandler({ engine: "kafka", env, store, telemetry: createRecordingTelemetry() })(batch);
        const { keys, events } = await lineageEvents(store);
        assert.strictEqual(keys.length, 1);
        assert.match(keys[0]!, /^lineage\/dt=\d{4}-\d{2}-\d{2}\/ingest\.orders\.[0-9a-f-]{36}\.batch-orders_0_10\.json$/);
        assertValidEvents(events);
        assert.deepStrictEqual(events.map((event) => event.eventType), ["START", "OTHER"]);
        const other = events[1]!;
        assert.deepStrictEqual(other.inputs, [{ namespace: "kafka://b-1:9092", name: "orders" }]);
        const rows = other.outputs.map((output) => `${output.namespace}/${output.name}:${output.outputFacets?.outputStatistics?.rowCount}`);
        assert.deepStrictEqual(rows, ["s3://raw/orders:2", "s3://rejects/orders:1"]);
        assert.strictEqual(events[0]!.outputs[0]!.facets?.schema?.fields[0]?.name, "order_id");
    });

    it("names the window's run deterministically, so a replayed batch writes nothing new", async () => {
        const store = createMemoryObjectStore();
        const handler = createIngestHandler({ engine: "kafka", env, store, telemetry: createRecordingTelemetry() });
        await handler(batch);
        const first = await lineageEvents(store);
        await createIngestHandler({ engine: "kafka", env, store, telemetry: createRecordingTelemetry() })(batch);
        const second = await lineageEvents(store);
        assert.deepStrictEqual(second.keys, first.keys);
        const [dt, hour] = [...(await store.listKeys("raw", "orders/"))[0]!.matchAll(/dt=([^/]+)\/hour=([^/]+)/g)][0]!.slice(1);
        assert.strictEqual(first.events[0]!.run.runId, deterministicRunId("ingest", "orders", "orders", dt!, hour!));
    });

    it("sends the window's START once per container", async () => {
        const store = createMemoryObjectStore();
        const handler = createIngestHandler({ engine: "kafka", env, store, telemetry: createRecordingTelemetry() });
        await handler(batch);
        await handler(mskEvent([{ partition: 0, offset: 12, value: validOrder({ order_id: "ORD-000000000012" }) }]));
        const { events } = await lineageEvents(store);
        assert.deepStrictEqual(events.map((event) => event.eventType), ["START", "OTHER", "OTHER"]);
    });

    it("names a Kinesis stream by its ARN", async () => {
        const store = createMemoryObjectStore();
        await createIngestHandler({ engine: "kinesis", env, store, telemetry: createRecordingTelemetry() })(kinesisEvent([{ sequenceNumber: sequenceNumber(1), value: validOrder() }]));
        const { events } = await lineageEvents(store);
        assertValidEvents(events);
        assert.match(events[0]!.inputs[0]!.namespace, /^arn:aws:kinesis:/);
    });

    it("does not fail the batch when lineage cannot be written, and counts the failure", async () => {
        const inner = createMemoryObjectStore();
        const store: ObjectStore = { ...inner, putObject: (input) => (input.bucket === "ops" ? Promise.reject(new Error("AccessDenied")) : inner.putObject(input)) };
        const telemetry = createRecordingTelemetry();
        const response = await createIngestHandler({ engine: "kafka", env, store, telemetry })(batch);
        assert.deepStrictEqual(response, { batchItemFailures: [] });
        assert.strictEqual(telemetry.batches[0]!.counts.landed, 2);
        assert.strictEqual(telemetry.lineageFailures.length, 1);
        assert.match(telemetry.lineageFailures[0]!, /^lake: .*AccessDenied/);
    });

    it("emits nothing when LINEAGE_BUCKET is unset", async () => {
        const store = createMemoryObjectStore();
        await createIngestHandler({ engine: "kafka", env: { ...env, LINEAGE_BUCKET: undefined }, store, telemetry: createRecordingTelemetry() })(batch);
        assert.deepStrictEqual(await store.listKeys("ops", ""), []);
    });

    it("reports a batch it could not process as a FAIL event with the error", async () => {
        const store = createMemoryObjectStore();
        const broken = { eventSource: "aws:kafka" } as unknown as Parameters<ReturnType<typeof createIngestHandler>>[0];
        await assert.rejects(createIngestHandler({ engine: "kafka", env, store, telemetry: createRecordingTelemetry() })(broken as never));
        const { events } = await lineageEvents(store);
        assertValidEvents(events);
        assert.deepStrictEqual(events.map((event) => event.eventType), ["FAIL"]);
        assert.ok(events[0]!.run.facets?.errorMessage?.message);
    });

    describe("the window's COMPLETE, from the step that consumes it", () => {
        it("finishes each window the consumer read, under the run id of its START and OTHER events, and the whole run validates", async () => {
            const store = createMemoryObjectStore();
            const handler = createIngestHandler({ engine: "kafka", env, store, telemetry: createRecordingTelemetry() });
            await handler(batch);
            await handler(mskEvent([{ partition: 0, offset: 12, value: validOrder({ order_id: "ORD-000000000012" }) }]));
            const { events } = await lineageEvents(store);
            const keys = [...(await store.listKeys("raw", "orders/")), ...(await store.listKeys("rejects", "orders/"))];
            const completion = ingestWindowCompletions({ namespace: "etl-platform-dev", dataset: orders, rawBucket: "raw", keys, completedAt: new Date("2030-01-01T00:00:00Z") })!;
            assert.deepStrictEqual(completion.events.map((event) => [event.eventType, event.run.runId]), [["COMPLETE", events[0]!.run.runId]]);
            assertValidEvents([...events, ...completion.events]);
            assert.deepStrictEqual(completion.events[0]!.outputs, [{ namespace: "s3://raw", name: "orders" }]);
            assert.strictEqual(completion.events[0]!.eventTime, "2030-01-01T00:00:00.000Z");
        });

        it("finishes one run per source and hour, a window of rejects only included, ignores an unknown stream time and other layouts, and names the emission by its windows", () => {
            const keys = [
                "orders/dt=2024-05-03/hour=07/orders-msk+0+10.ndjson.gz",
                "orders/dt=2024-05-03/hour=07/orders-msk+1+40.ndjson.gz",
                "orders/dt=2024-05-03/hour=08/orders-msk+0+90.ndjson.gz",
                "orders/dt=2024-05-03/hour=07/orders-kinesis+shardId-000000000000+49590000000000000000000000000000000000000000000000000001.ndjson.gz",
                "orders/error_type=not_json/dt=2024-05-03/hour=07/orders-msk+0+10.ndjson.gz",
                "orders/error_type=not_json/dt=2024-05-03/hour=09/orders-msk+2+5.ndjson.gz",
                "orders/error_type=undecodable/dt=unknown/hour=unknown/orders-msk+2+6.ndjson.gz",
                "orders/_compaction/manifest.json",
            ];
            const at = new Date("2024-05-05T00:00:00Z");
            const completion = ingestWindowCompletions({ namespace: "n", dataset: orders, rawBucket: "raw", keys, completedAt: at })!;
            assert.deepStrictEqual(
                completion.events.map((event) => event.run.runId),
                [["orders-kinesis", "07"], ["orders-msk", "07"], ["orders-msk", "08"], ["orders-msk", "09"]].map(([source, hour]) => deterministicRunId("ingest", "orders", source!, "2024-05-03", hour!)),
            );
            const again = ingestWindowCompletions({ namespace: "n", dataset: orders, rawBucket: "raw", keys: [...keys].reverse(), completedAt: at })!;
            assert.strictEqual(again.emissionId, completion.emissionId);
            assert.notStrictEqual(ingestWindowCompletions({ namespace: "n", dataset: orders, rawBucket: "raw", keys: keys.slice(0, 1), completedAt: at })!.emissionId, completion.emissionId);
        });

        it("finishes nothing for a dataset that does not come from a stream, or when the consumer read nothing", () => {
            const at = new Date("2024-05-05T00:00:00Z");
            assert.strictEqual(ingestWindowCompletions({ namespace: "n", dataset: fxRates, rawBucket: "raw", keys: ["fx_rates/dt=2024-05-03/hour=07/fx-rates+w+1.ndjson.gz"], completedAt: at }), undefined);
            assert.strictEqual(ingestWindowCompletions({ namespace: "n", dataset: orders, rawBucket: "raw", keys: [], completedAt: at }), undefined);
        });
    });
});

describe("the ingest batch name", () => {
    const kafkaRecord = fc.record({ topic: fc.constantFrom("orders", "orders-eu", "o"), partition: fc.nat(12), offset: fc.oneof(fc.nat(), fc.nat().map(String)) });
    const kafkaEvent = fc.array(fc.array(kafkaRecord, { maxLength: 12 }), { maxLength: 5 }).map((lists) => ({ eventSource: "aws:kafka", records: Object.fromEntries(lists.map((list, i) => [`group-${i}`, list])) }));

    it("is the least <topic>+<partition>+<offset> of the batch's records in code-unit order, whatever their grouping and order", () => {
        fc.assert(
            fc.property(kafkaEvent, (event) => {
                const names = Object.values(event.records)
                    .flat()
                    .map((record) => `${record.topic}+${record.partition}+${record.offset}`)
                    .sort();
                assert.strictEqual(batchName("kafka", event as unknown as MskEvent), names[0] ?? "empty");
            }),
            { numRuns: 500 },
        );
    });

    it("compares offsets as text within a partition (9 comes after 10), as sorting the names does", () => {
        const event = mskEvent([
            { partition: 0, offset: 9, value: validOrder() },
            { partition: 0, offset: 10, value: validOrder() },
        ]);
        assert.strictEqual(batchName("kafka", event), "orders+0+10");
    });
});
