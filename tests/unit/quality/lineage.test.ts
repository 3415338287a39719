import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { createMemoryObjectStore, ObjectStore } from "../../../runtime/common";
import { createLakeTransport, createLineageEmitter } from "../../../runtime/lineage";
import { QualityGateFailedError, runQuality } from "../../../runtime/quality";
import { qualityRunId } from "../../../runtime/quality/lineage";
import { deterministicRunId } from "../../../runtime/lineage";
import { captureOutput } from "../../helpers/output";
import { assertValidEvents, lakeLineageEvents } from "../../helpers/lineage/schema";

const fixture = fs.readFileSync(path.join(__dirname, "fixtures", "orders-run-summary.json"), "utf8");
const summaryUri = "s3://etl-dev-curated/curated/_runs/orders/20240501T10_20240502T02.json";
const s3 = {
    send: async (command: unknown) => {
        assert.ok(command instanceof GetObjectCommand);
        return { Body: { transformToString: async () => fixture } };
    },
} as never;

function lineageInto(store: ObjectStore, failures: string[] = []) {
    return {
        namespace: "etl-platform-dev",
        emitter: createLineageEmitter({ lake: createLakeTransport({ store, bucket: "ops", prefix: "lineage" }), onFailure: (failure) => failures.push(failure.message) }),
    };
}

describe("the quality step's lineage", () => {
    it("emits START and a FAIL carrying every check as an assertion on the curated dataset when the gate fails", async () => {
        const store = createMemoryObjectStore();
        await captureOutput(() => assert.rejects(runQuality({ s3, lineage: lineageInto(store) }, { dataset: "orders", source: "sparkRun", summaryUri }), QualityGateFailedError));
        const all = await lakeLineageEvents(store);
        assertValidEvents(all);
        // The quality run's own events (the summary's stream windows are finished too, see below).
        const events = all.filter((event) => event.job.name.startsWith("quality."));
        assert.deepStrictEqual(events.map((event) => event.eventType).sort(), ["FAIL", "START"]);
        const fail = events.find((event) => event.eventType === "FAIL")!;
        assert.strictEqual(fail.run.runId, qualityRunId({ dataset: "orders", source: "sparkRun", subject: summaryUri }));
        assert.deepStrictEqual([fail.inputs[0]!.namespace, fail.inputs[0]!.name], ["s3://etl-dev-curated", "orders"]);
        const assertions = fail.inputs[0]!.facets!.dataQualityAssertions!.assertions;
        assert.deepStrictEqual(assertions.find((assertion) => assertion.assertion === "amount_in_range"), { assertion: "amount_in_range", success: false, column: "amount" });
        assert.match(fail.run.facets!.errorMessage!.message, /QualityGateFailedError/);
    });

    it("emits COMPLETE when the report is returned without failing the gate", async () => {
        const store = createMemoryObjectStore();
        await captureOutput(() => runQuality({ s3, lineage: lineageInto(store) }, { dataset: "orders", source: "sparkRun", summaryUri, failOnError: false }));
        const events = await lakeLineageEvents(store);
        assertValidEvents(events);
        assert.deepStrictEqual(events.filter((event) => event.job.name.startsWith("quality.")).map((event) => event.eventType).sort(), ["COMPLETE", "START"]);
        // and the five windows the fixture's summary lists are finished
        assert.strictEqual(events.filter((event) => event.job.name === "ingest.orders" && event.eventType === "COMPLETE").length, 5);
    });

    it("finishes the stream ingest windows the run summary says the transform read, with the ingest's own run ids", async () => {
        const store = createMemoryObjectStore();
        const summary = JSON.parse(fixture);
        summary.inputs = {
            ...summary.inputs,
            rawUri: "s3://etl-dev-raw",
            windows: [
                { source: "orders", dt: "2024-05-01", hour: "10" },
                { source: "orders", dt: "2024-05-01", hour: "11" },
            ],
        };
        const withWindows = { send: async () => ({ Body: { transformToString: async () => JSON.stringify(summary) } }) } as never;
        await captureOutput(() => runQuality({ s3: withWindows, lineage: lineageInto(store) }, { dataset: "orders", source: "sparkRun", summaryUri, failOnError: false }));
        const events = await lakeLineageEvents(store);
        assertValidEvents(events);
        const windows = events.filter((event) => event.job.name === "ingest.orders");
        assert.deepStrictEqual(
            windows.map((event) => [event.eventType, event.run.runId]),
            [
                ["COMPLETE", deterministicRunId("ingest", "orders", "orders", "2024-05-01", "10")],
                ["COMPLETE", deterministicRunId("ingest", "orders", "orders", "2024-05-01", "11")],
            ],
        );
        assert.deepStrictEqual(windows[0]!.outputs.map((output) => `${output.namespace}/${output.name}`), ["s3://etl-dev-raw/orders"]);
        // A summary of a local run (a directory, not S3) or of an older job finishes nothing: the local run reports its windows itself.
        const local = createMemoryObjectStore();
        summary.inputs.rawUri = "/tmp/run/lake/raw";
        await captureOutput(() => runQuality({ s3: withWindows, lineage: lineageInto(local) }, { dataset: "orders", source: "sparkRun", summaryUri, failOnError: false }));
        assert.deepStrictEqual((await lakeLineageEvents(local)).filter((event) => event.job.name === "ingest.orders"), []);
    });

    it("still returns the report when lineage cannot be written", async () => {
        const broken: ObjectStore = { ...createMemoryObjectStore(), putObject: async () => Promise.reject(new Error("AccessDenied")) };
        const failures: string[] = [];
        const { result } = await captureOutput(() => runQuality({ s3, lineage: lineageInto(broken, failures) }, { dataset: "orders", source: "sparkRun", summaryUri, failOnError: false }));
        assert.strictEqual(result.dataset, "orders");
        // START, the windows' COMPLETE and the quality COMPLETE: three emissions, each reported
        assert.strictEqual(failures.length, 3);
    });
});
