import * as assert from "assert";
import { createMemoryObjectStore, ObjectStore } from "../../../runtime/common";
import { orders } from "../../../runtime/datasets";
import { createLakeTransport, createLineageEmitter, datasetNames } from "../../../runtime/lineage";
import { emitLoadFailure, emitLoadLineage } from "../../../runtime/warehouse/lineage";
import { assertValidEvents, lakeLineageEvents } from "../../helpers/lineage/schema";

function options(store: ObjectStore) {
    return {
        namespace: "etl-platform-dev",
        emitter: createLineageEmitter({ lake: createLakeTransport({ store, bucket: "ops", prefix: "lineage" }), onFailure: (failure) => assert.fail(failure.message) }),
        table: (dataset: string) => datasetNames.redshift("wh", "eu-west-1", "analytics", "public", dataset),
    };
}

const result = { dataset: "orders", filesListed: 3, filesAlreadyLoaded: 1, filesLoaded: 2, batches: [{ batchId: "b2", manifestUri: "s3://m/2", files: 1, statementId: "s2" }, { batchId: "b1", manifestUri: "s3://m/1", files: 1, statementId: "s1" }] };

describe("the warehouse load's lineage", () => {
    it("reports a load as START and COMPLETE from the curated prefix to the Redshift table, valid under the official schema", async () => {
        const store = createMemoryObjectStore();
        await emitLoadLineage(options(store), { dataset: orders, curatedUri: "s3://lake-curated/curated", startedAt: new Date("2026-12-06T04:00:00Z"), result });
        const events = await lakeLineageEvents(store);
        assertValidEvents(events);
        assert.deepStrictEqual(events.map((event) => event.eventType), ["START", "COMPLETE"]);
        assert.deepStrictEqual(events[0]!.inputs, [{ namespace: "s3://lake-curated", name: "curated/orders" }]);
        assert.deepStrictEqual([events[0]!.outputs[0]!.namespace, events[0]!.outputs[0]!.name], ["redshift://wh.eu-west-1:5439", "analytics.public.orders"]);
    });

    it("names the run by its batches, so a retried load of the same batches writes nothing new", async () => {
        const store = createMemoryObjectStore();
        await emitLoadLineage(options(store), { dataset: orders, curatedUri: "s3://lake-curated/curated", startedAt: new Date(), result });
        await emitLoadLineage(options(store), { dataset: orders, curatedUri: "s3://lake-curated/curated", startedAt: new Date(), result: { ...result, batches: [...result.batches].reverse() } });
        assert.strictEqual((await store.listKeys("ops", "lineage/")).length, 1);
    });

    it("emits nothing for a load that found nothing new", async () => {
        const store = createMemoryObjectStore();
        await emitLoadLineage(options(store), { dataset: orders, curatedUri: "s3://lake-curated/curated", startedAt: new Date(), result: { ...result, batches: [] } });
        assert.deepStrictEqual(await store.listKeys("ops", ""), []);
    });

    it("reports a failed load as FAIL with the error", async () => {
        const store = createMemoryObjectStore();
        await emitLoadFailure(options(store), { dataset: orders, curatedUri: "s3://lake-curated/curated", error: new Error("COPY failed: stl_load_errors") });
        const events = await lakeLineageEvents(store);
        assertValidEvents(events);
        assert.match(events[0]!.run.facets!.errorMessage!.message, /COPY failed/);
    });
});
