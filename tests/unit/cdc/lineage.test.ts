import * as assert from "assert";
import { changeSeq, DmsChangeRow, renderDmsCsv } from "../../../runtime/cdc/dms";
import { createCdcLandingHandler, formatCdcSource, parseCdcSource, sourceTableDataset } from "../../../runtime/cdc/handler";
import { changeColumns, changeFileRunId, emitChangeFileLineage } from "../../../runtime/cdc/lineage";
import { createMemoryObjectStore, ObjectStore } from "../../../runtime/common";
import { createLogger, createMetrics } from "../../../runtime/common/telemetry";
import { customers } from "../../../runtime/datasets";
import { createLakeTransport, createLineageEmitter } from "../../../runtime/lineage";
import { assertValidEvents, lakeLineageEvents } from "../../helpers/lineage/schema";

const ref = { bucket: "raw", key: "_dms/public/customers/20261206-010203456.csv" };
const table = { schema: "public", table: "customers", dataset: customers };

function options(store: ObjectStore) {
    return {
        namespace: "etl-platform-dev",
        rawBucket: "raw",
        rejectsBucket: "rejects",
        emitter: createLineageEmitter({ lake: createLakeTransport({ store, bucket: "ops", prefix: "lineage" }), onFailure: (failure) => assert.fail(failure.message) }),
    };
}

describe("the change-file landing's lineage", () => {
    it("reports a landed change file as START and COMPLETE from the DMS object to the raw and rejects zones", async () => {
        const store = createMemoryObjectStore();
        await emitChangeFileLineage(options(store), ref, table, { counts: { rowsIn: 10, rowsLanded: 9, rowsRejected: 1 } });
        const events = await lakeLineageEvents(store);
        assertValidEvents(events);
        assert.deepStrictEqual(events.map((event) => event.eventType), ["START", "COMPLETE"]);
        assert.deepStrictEqual([...new Set(events.map((event) => event.run.runId))], [changeFileRunId(ref)]);
        assert.deepStrictEqual(events.map((event) => event.job.name), ["cdc-landing.public.customers", "cdc-landing.public.customers"]);
        const complete = events[1]!;
        assert.deepStrictEqual([complete.inputs[0]!.namespace, complete.inputs[0]!.name, complete.inputs[0]!.inputFacets?.dataQualityMetrics?.rowCount], ["s3://raw", ref.key, 10]);
        assert.deepStrictEqual(complete.outputs.map((output) => [output.namespace, output.name, output.outputFacets?.outputStatistics?.rowCount]), [["s3://raw", "customers", 9], ["s3://rejects", "customers", 1]]);
        assert.deepStrictEqual(complete.outputs[0]!.facets?.schema?.fields.map((field) => field.name), [...customers.fields.map((field) => field.name), ...changeColumns.map((column) => column.name)]);
    });

    it("starts each run at the captured source table when the source database is known", async () => {
        const store = createMemoryObjectStore();
        const source = parseCdcSource("postgres://shop.cluster-abc.us-east-1.rds.amazonaws.com:5432/shop", "CDC_SOURCE");
        await emitChangeFileLineage({ ...options(store), sourceTable: sourceTableDataset(source) }, ref, table, { counts: { rowsIn: 2, rowsLanded: 2, rowsRejected: 0 } });
        const events = await lakeLineageEvents(store);
        assertValidEvents(events);
        for (const event of events) {
            assert.deepStrictEqual(event.inputs.map((input) => [input.namespace, input.name]), [["postgres://shop.cluster-abc.us-east-1.rds.amazonaws.com:5432", "shop.public.customers"], ["s3://raw", ref.key]]);
        }
        // MySQL names a table by database and table: its schema is the database.
        assert.deepStrictEqual(sourceTableDataset(parseCdcSource("mysql://db.internal:3306/shop", "CDC_SOURCE"))({ schema: "shop", table: "customers" }), { namespace: "mysql://db.internal:3306", name: "shop.customers" });
        assert.strictEqual(formatCdcSource(source), "postgres://shop.cluster-abc.us-east-1.rds.amazonaws.com:5432/shop");
    });

    it("refuses a CDC_SOURCE that is not a database URL, naming the variable and the fix", () => {
        assert.throws(() => parseCdcSource("shop.example.internal", "CDC_SOURCE"), /CDC_SOURCE must be postgres:\/\/host:port\/database or mysql:\/\/host:port\/database, found 'shop\.example\.internal'; set it to, for example, CDC_SOURCE=postgres:\/\/shop\.example\.internal:5432\/shop/);
    });

    it("leaves the rejects zone out when nothing was rejected", async () => {
        const store = createMemoryObjectStore();
        await emitChangeFileLineage(options(store), ref, table, { counts: { rowsIn: 3, rowsLanded: 3, rowsRejected: 0 } });
        const events = await lakeLineageEvents(store);
        assertValidEvents(events);
        assert.deepStrictEqual(events[1]!.outputs.map((output) => output.namespace), ["s3://raw"]);
    });

    it("reports a thrown error as START and FAIL with the error", async () => {
        const store = createMemoryObjectStore();
        await emitChangeFileLineage(options(store), ref, table, { error: new Error("SlowDown") });
        const events = await lakeLineageEvents(store);
        assertValidEvents(events);
        assert.deepStrictEqual(events.map((event) => event.eventType), ["START", "FAIL"]);
        assert.match(events[1]!.run.facets!.errorMessage!.message, /Error: SlowDown/);
    });

    it("keeps a redelivered change file to one run and one object", async () => {
        const store = createMemoryObjectStore();
        await emitChangeFileLineage(options(store), ref, table, { counts: { rowsIn: 1, rowsLanded: 1, rowsRejected: 0 } });
        await emitChangeFileLineage(options(store), ref, table, { counts: { rowsIn: 1, rowsLanded: 1, rowsRejected: 0 } });
        assert.strictEqual((await store.listKeys("ops", "lineage/")).length, 1);
    });

    describe("from the deployed handler", () => {
        const columns = ["id", "name", "email", "country", "segment", "created_at", "updated_at"];
        const row = (op: "I" | "D", id: string, seq: number): DmsChangeRow => ({
            op,
            commitTimestamp: "2026-12-06 01:02:03.456789",
            changeSeq: changeSeq(200n, seq),
            values: { id, name: "Ann", email: "a@example.com", country: "IE", segment: op === "I" ? "consumer" : "vip", created_at: "2026-12-06 00:00:00.000000", updated_at: "2026-12-06 01:00:00.000000" },
        });
        const env = { RAW_BUCKET: "raw", REJECTS_BUCKET: "rejects", CDC_DMS_FOLDER: "_dms", CDC_TABLES: "public.customers=customers", LINEAGE_BUCKET: "ops", LINEAGE_NAMESPACE: "etl-platform-dev" };
        const event = (key: string) => ({ "detail-type": "Object Created", source: "aws.s3", detail: { bucket: { name: "raw" }, object: { key } } });
        const quiet = () => {
            const logger = createLogger({ serviceName: "test", logLevel: "SILENT" as never });
            return { logger, metrics: createMetrics({ namespace: "Test", serviceName: "test", logger }) };
        };

        it("emits one run per change file with the counts it landed, under LINEAGE_BUCKET", async () => {
            const store = createMemoryObjectStore();
            await store.putObject({ bucket: "raw", key: ref.key, body: Buffer.from(renderDmsCsv(columns, [row("I", "CUST-00000001", 1), row("I", "CUST-00000002", 2), row("D", "CUST-00000003", 3)])) });
            const outcome = await createCdcLandingHandler({ env, store, ...quiet() })(event(ref.key));
            const events = await lakeLineageEvents(store);
            assertValidEvents(events);
            assert.deepStrictEqual(events.map((e) => [e.eventType, e.job.namespace]), [["START", "etl-platform-dev"], ["COMPLETE", "etl-platform-dev"]]);
            const counts = events[1]!.outputs.map((output) => output.outputFacets?.outputStatistics?.rowCount ?? 0);
            assert.deepStrictEqual([events[1]!.inputs[0]!.inputFacets?.dataQualityMetrics?.rowCount, ...counts], [outcome.rowsIn, outcome.rowsLanded, ...(outcome.rowsRejected > 0 ? [outcome.rowsRejected] : [])]);
        });

        it("emits START and FAIL when the change file cannot be landed, and still throws", async () => {
            const store = createMemoryObjectStore();
            const missing = "_dms/public/customers/20261206-999999999.csv";
            await assert.rejects(createCdcLandingHandler({ env, store, ...quiet() })(event(missing)), /does not exist/);
            const events = await lakeLineageEvents(store);
            assertValidEvents(events);
            assert.deepStrictEqual(events.map((e) => e.eventType), ["START", "FAIL"]);
            assert.strictEqual(events[0]!.inputs[0]!.name, missing);
        });

        it("emits nothing without LINEAGE_BUCKET", async () => {
            const store = createMemoryObjectStore();
            await store.putObject({ bucket: "raw", key: ref.key, body: Buffer.from(renderDmsCsv(columns, [row("I", "CUST-00000001", 1)])) });
            const { LINEAGE_BUCKET: _off, ...withoutLineage } = env;
            await createCdcLandingHandler({ env: withoutLineage, store, ...quiet() })(event(ref.key));
            assert.deepStrictEqual(await store.listKeys("ops", ""), []);
        });
    });
});
