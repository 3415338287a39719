import * as assert from "assert";
import { changeSeq, DmsChangeRow, renderDmsCsv } from "../../../runtime/cdc/dms";
import { CdcError } from "../../../runtime/cdc/errors";
import { createCdcLandingHandler, formatCapturedTables, parseCapturedTables, readCdcLandingSettings, tableOfChangeFile } from "../../../runtime/cdc/handler";
import { ConfigurationError } from "../../../runtime/common/errors";
import { createMemoryObjectStore } from "../../../runtime/common/memoryObjectStore";
import { createLogger, createMetrics } from "../../../runtime/common/telemetry";
import { customers } from "../../../runtime/datasets";

const columns = ["id", "name", "email", "country", "segment", "created_at", "updated_at"];
const row = (op: "I" | "U" | "D", id: string, values: Record<string, string | null> = {}, seq = 1): DmsChangeRow => ({
    op,
    commitTimestamp: "2026-12-06 01:02:03.456789",
    changeSeq: changeSeq(200n, seq),
    values: { id, name: "Ann", email: "a@example.com", country: "IE", segment: "consumer", created_at: "2026-12-06 00:00:00.000000", updated_at: "2026-12-06 01:00:00.000000", ...values },
});
const env = { RAW_BUCKET: "raw", REJECTS_BUCKET: "rejects", CDC_DMS_FOLDER: "_dms", CDC_TABLES: "public.customers=customers" };
const event = (key: string, bucket = "raw") => ({ "detail-type": "Object Created", source: "aws.s3", detail: { bucket: { name: bucket }, object: { key } } });
const quiet = () => {
    const logger = createLogger({ serviceName: "test", logLevel: "SILENT" as never });
    return { logger, metrics: createMetrics({ namespace: "Test", serviceName: "test", logger }) };
};

describe("cdc: the change-file landing handler", () => {
    it("lands a change file named by an Object Created event: rows in = landed + rejected", async () => {
        const store = createMemoryObjectStore();
        const key = "_dms/public/customers/20261206-010203456.csv";
        await store.putObject({ bucket: "raw", key, body: Buffer.from(renderDmsCsv(columns, [row("I", "CUST-00000001"), row("U", "CUST-00000002", { segment: "vip" }, 2), row("D", "CUST-00000003", {}, 3)])) });
        const handle = createCdcLandingHandler({ env, store, ...quiet() });
        const outcome = await handle(event(key));
        assert.deepStrictEqual([outcome.table, outcome.dataset, outcome.rowsIn, outcome.rowsLanded, outcome.rowsRejected, outcome.objectsWritten], ["public.customers", "customers", 3, 2, 1, 2]);
        assert.strictEqual((await store.listKeys("raw", "customers/")).length, 1);
        assert.strictEqual((await store.listKeys("rejects", "customers/")).length, 1);
    });

    it("writes nothing new when the same event is delivered again", async () => {
        const store = createMemoryObjectStore();
        const key = "_dms/public/customers/LOAD00000001.csv";
        await store.putObject({ bucket: "raw", key, body: Buffer.from(renderDmsCsv(columns, [row("I", "CUST-00000001")])) });
        const handle = createCdcLandingHandler({ env, store, ...quiet() });
        await handle(event(key));
        const before = await store.listKeys("raw", "customers/");
        const again = await handle(event(key));
        assert.deepStrictEqual([again.objectsWritten, again.objectsPresent], [0, 1]);
        assert.deepStrictEqual(await store.listKeys("raw", "customers/"), before);
    });

    it("uses the key a mapping declares instead of the dataset's", () => {
        const [table] = parseCapturedTables("public.people=customers:email", "CDC_TABLES");
        assert.deepStrictEqual(table?.dataset.key, ["email"]);
        assert.strictEqual(formatCapturedTables([{ schema: "public", table: "people", dataset: "customers", key: ["email"] }, { schema: "s", table: "t", dataset: "customers" }]), "public.people=customers:email,s.t=customers");
    });

    it("refuses an event of another bucket, naming the raw bucket it expects", async () => {
        const handle = createCdcLandingHandler({ env, store: createMemoryObjectStore(), ...quiet() });
        await assert.rejects(handle(event("_dms/public/customers/a.csv", "landing")), (e: unknown) => e instanceof CdcError && /bucket 'landing', but DMS writes change files to the raw bucket 'raw'/.test(e.message));
    });

    it("refuses a key outside the DMS folder or of a table that is not captured, naming the fix", () => {
        const settings = { dmsFolder: "_dms", tables: parseCapturedTables("public.customers=customers", "CDC_TABLES") };
        assert.throws(() => tableOfChangeFile("customers/dt=2026-12-06/x.csv", settings), /is not _dms\/<schema>\/<table>\/<file>\.csv/);
        assert.throws(() => tableOfChangeFile("_dms/public/orders/LOAD00000001.csv", settings), /table public\.orders, which is not captured \(captured: public\.customers\); add it to dbSourceTables/);
        assert.strictEqual(tableOfChangeFile("_dms/public/customers/LOAD00000001.csv", settings).dataset, customers);
    });

    it("names the variable, what it expected and the fix for bad settings", () => {
        assert.throws(() => readCdcLandingSettings({ ...env, CDC_TABLES: "customers" }), (e: unknown) => e instanceof ConfigurationError && /CDC_TABLES entry 'customers' must be schema\.table=dataset/.test(e.message));
        assert.throws(() => readCdcLandingSettings({ ...env, CDC_TABLES: "public.orders=orders" }), /names dataset 'orders', which is not a database dataset; expected one of customers/);
        assert.throws(() => readCdcLandingSettings({ ...env, CDC_TABLES: "public.c=customers:nope" }), /keys on column\(s\) nope that dataset 'customers' does not declare/);
        assert.throws(() => readCdcLandingSettings({ ...env, CDC_DMS_FOLDER: "" }), /CDC_DMS_FOLDER \(the folder DMS writes change files under\) is not set/);
    });
});
