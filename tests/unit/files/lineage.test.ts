import * as assert from "assert";
import { createMemoryObjectStore, ObjectStore } from "../../../runtime/common";
import { storeInventory } from "../../../runtime/datasets";
import { emitFileLineage, fileRunId } from "../../../runtime/files/lineage";
import { FileOutcome } from "../../../runtime/files/types";
import { createLakeTransport, createLineageEmitter } from "../../../runtime/lineage";
import { assertValidEvents, lakeLineageEvents } from "../../helpers/lineage/schema";

const ref = { bucket: "landing", key: "inventory/2026-12-06.csv", versionId: "v1" };
const landed: FileOutcome = { status: "landed", fileId: "abc", rowsIn: 10, rowsLanded: 9, rowsRejected: 1, objects: [] };

function options(store: ObjectStore) {
    return {
        namespace: "etl-platform-dev",
        drop: { name: "store_inventory", dataset: storeInventory, formats: ["csv" as const], chunkRows: 1000 },
        rawBucket: "raw",
        rejectsBucket: "rejects",
        emitter: createLineageEmitter({ lake: createLakeTransport({ store, bucket: "ops", prefix: "lineage" }), onFailure: (failure) => assert.fail(failure.message) }),
    };
}

describe("the file-drop ingest's lineage", () => {
    it("reports a landed file as START and COMPLETE from the landing object to the raw and rejects zones", async () => {
        const store = createMemoryObjectStore();
        await emitFileLineage(options(store), ref, { outcome: landed });
        const events = await lakeLineageEvents(store);
        assertValidEvents(events);
        assert.deepStrictEqual(events.map((event) => event.eventType), ["START", "COMPLETE"]);
        assert.strictEqual(events[1]!.run.runId, fileRunId("store_inventory", ref));
        assert.deepStrictEqual(events[1]!.inputs[0]!.name, "inventory/2026-12-06.csv");
        assert.deepStrictEqual(events[1]!.outputs.map((output) => [output.namespace, output.outputFacets?.outputStatistics?.rowCount]), [["s3://raw", 9], ["s3://rejects", 1]]);
    });

    it("reports a quarantined file as FAIL with the reason", async () => {
        const store = createMemoryObjectStore();
        await emitFileLineage(options(store), ref, { outcome: { ...landed, status: "quarantined", quarantine: { reason: "unknown_format", message: "not CSV", copy: "q/x" } } });
        const events = await lakeLineageEvents(store);
        assertValidEvents(events);
        assert.match(events[1]!.run.facets!.errorMessage!.message, /unknown_format/);
    });

    it("reports nothing for a duplicate, and a FAIL for a thrown error", async () => {
        const store = createMemoryObjectStore();
        await emitFileLineage(options(store), ref, { outcome: { ...landed, status: "duplicate" } });
        assert.deepStrictEqual(await store.listKeys("ops", ""), []);
        await emitFileLineage(options(store), ref, { error: new Error("SlowDown") });
        const events = await lakeLineageEvents(store);
        assertValidEvents(events);
        assert.deepStrictEqual(events.map((event) => event.eventType), ["FAIL"]);
    });

    it("keeps a retried file to one run and one object", async () => {
        const store = createMemoryObjectStore();
        await emitFileLineage(options(store), ref, { outcome: landed });
        await emitFileLineage(options(store), ref, { outcome: landed });
        assert.strictEqual((await store.listKeys("ops", "lineage/")).length, 1);
    });
});
