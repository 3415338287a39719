import * as assert from "assert";
import { createMemoryObjectStore, ObjectStore } from "../../../runtime/common";
import { fxRates } from "../../../runtime/datasets";
import { connectorRunId, emitConnectorLineage } from "../../../runtime/connectors/api/lineage";
import { ConnectorRunSummary } from "../../../runtime/connectors/api/run";
import { createLakeTransport, createLineageEmitter } from "../../../runtime/lineage";
import { assertValidEvents, lakeLineageEvents } from "../../helpers/lineage/schema";

const window = { start: "2026-12-06T03:00:00.000Z", end: "2026-12-06T04:00:00.000Z" };
const summary: ConnectorRunSummary = {
    source: "fx_rates_api", dataset: "fx_rates", outcome: "completed", window, resumed: false, pages: 2,
    recordsIn: 5, recordsLanded: 4, recordsRejected: 1, objectsWritten: 2, objectsAlreadyPresent: 0, objectKeyConflicts: 0, apiErrors: 0, watermark: window.end,
};

function options(store: ObjectStore) {
    return {
        namespace: "etl-platform-dev",
        source: { name: "fx_rates_api", baseUrl: "https://rates.example.com/v1/rates" },
        dataset: fxRates,
        rawBucket: "raw",
        rejectsBucket: "rejects",
        emitter: createLineageEmitter({ lake: createLakeTransport({ store, bucket: "ops", prefix: "lineage" }), onFailure: (failure) => assert.fail(failure.message) }),
    };
}

describe("the API connector's lineage", () => {
    it("reports a completed window as START and COMPLETE from the API to the raw and rejects zones, named by the window", async () => {
        const store = createMemoryObjectStore();
        await emitConnectorLineage(options(store), { summary });
        const events = await lakeLineageEvents(store);
        assertValidEvents(events);
        assert.deepStrictEqual(events.map((event) => event.eventType), ["START", "COMPLETE"]);
        assert.strictEqual(events[1]!.run.runId, connectorRunId("fx_rates_api", window));
        assert.deepStrictEqual([events[1]!.inputs[0]!.namespace, events[1]!.inputs[0]!.name], ["https://rates.example.com", "/v1/rates"]);
        assert.deepStrictEqual(events[1]!.outputs.map((output) => output.outputFacets?.outputStatistics?.rowCount), [4, 1]);
    });

    it("emits nothing for an idle run or a lost claim", async () => {
        const store = createMemoryObjectStore();
        await emitConnectorLineage(options(store), { summary: { ...summary, outcome: "idle", window: null } });
        await emitConnectorLineage(options(store), { summary: { ...summary, outcome: "conflict" } });
        assert.deepStrictEqual(await store.listKeys("ops", ""), []);
    });

    it("reports a failed run as FAIL with the error", async () => {
        const store = createMemoryObjectStore();
        await emitConnectorLineage(options(store), { error: new Error("HTTP 503 after 5 attempts"), at: new Date("2026-12-06T04:00:00Z") });
        const events = await lakeLineageEvents(store);
        assertValidEvents(events);
        assert.match(events[0]!.run.facets!.errorMessage!.message, /503/);
    });
});
