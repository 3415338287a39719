import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client, Pool } from "pg";
import { landChangeFiles, LandResult } from "../../../runtime/cdc/land";
import { captureChanges, dropCapture, PostgresCaptureConfig, startCapture } from "../../../runtime/cdc/postgresCapture";
import { cdcApplySpec } from "../../../runtime/cdc/spec";
import { CdcError } from "../../../runtime/cdc/errors";
import { createMemoryObjectStore, MemoryObjectStore } from "../../../runtime/common/memoryObjectStore";
import { customers, DatasetDefinition } from "../../../runtime/datasets";
import { javaHome } from "../../../runtime/local/transformStage";
import { readLocalSettings } from "../../../runtime/local/settings";
import { DataApiExecutor } from "../../../runtime/warehouse/dataApi";
import { ensureCdcTable, syncCdcTable } from "../../../runtime/warehouse/cdc";
import { postgresDataApi } from "../../../runtime/warehouse/postgresDataApi";
import { createSource, enableAudit, runWorkload, seed } from "./workload";

/**
 * The database source end to end on this machine: a real PostgreSQL source (wal_level=logical,
 * started by tools/services/postgres.sh) runs the scripted workload; logical decoding captures it
 * into DMS-format change files; they land in the lake with the stream contract; the PySpark apply
 * builds the curated table; the warehouse sync (MERGE) runs on PostgreSQL behind the Data API
 * stand-in. The warehouse is compared with the source table row by row after the workload, after
 * replaying every change file, and after running the workload again; in history mode every
 * committed version is checked against a trigger-kept audit of the source.
 *
 * Needs: tools/services/postgres.sh start, .local/venv (PySpark), Java.
 */

const root = path.resolve(__dirname, "../../..");
const settings = readLocalSettings();
const sourceDb = `cdc_source_${process.pid}`;
const sourceUrl = settings.postgresUrl.replace(/\/[^/]+$/, `/${sourceDb}`);
const slot = `cdc_test_${process.pid}`;
const columns = ["id", "name", "email", "country", "segment", "created_at", "updated_at"];

function python(): string {
    const venv = path.join(root, ".local", "venv", "bin", "python");
    if (!fs.existsSync(venv)) throw new Error(`no PySpark environment at ${venv}; run tools/services/python-env.sh`);
    return venv;
}

/** Copies the raw zone from the store to a folder, as Spark reads it from S3. */
function exportRaw(store: MemoryObjectStore, bucket: string, directory: string): Promise<void> {
    return (async () => {
        fs.rmSync(directory, { recursive: true, force: true });
        for (const key of await store.listKeys(bucket, "")) {
            const file = path.join(directory, key);
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, Buffer.from((await store.getObject(bucket, key)) as Uint8Array));
        }
    })();
}

function runApply(dataset: DatasetDefinition, work: string, label: string): Record<string, unknown>[] {
    const exportPath = path.join(work, `${label}.rows.ndjson`);
    const spec = cdcApplySpec(dataset);
    const result = spawnSync(
        python(),
        [path.join(root, "runtime/spark/cdc_apply.py"), "--spec-json", JSON.stringify(spec), "--raw-uri", path.join(work, "raw"), "--curated-uri", path.join(work, `curated-${label}`),
            "--reference-uri", path.join(work, `reference-${label}`), "--export-path", exportPath, "--master", "local[2]"],
        { cwd: root, encoding: "utf8", env: { ...process.env, JAVA_HOME: javaHome() ?? "", TZ: "UTC", PYSPARK_PYTHON: python(), SPARK_LOCAL_IP: "127.0.0.1" }, maxBuffer: 64 * 1024 * 1024 },
    );
    if (result.status !== 0) throw new Error(`cdc_apply.py failed (${result.status}):\n${result.stderr.slice(-4000)}`);
    return fs.readFileSync(exportPath, "utf8").split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("database source: PostgreSQL logical decoding → DMS files → lake → Spark apply → warehouse MERGE", function () {
    this.timeout(900_000);
    let admin: Pool;
    let source: Client;
    let warehousePool: Pool;
    let executor: DataApiExecutor;
    let closeClient: () => void;
    const store = createMemoryObjectStore();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "cdc-e2e-"));
    const capture: PostgresCaptureConfig = {
        connectionString: sourceUrl,
        slot,
        tables: [{ schema: "public", table: "customers", dataset: customers }],
        store,
        bucket: "dms",
        folder: "cdc",
        batchChanges: 2000,
    };
    const landed: LandResult[] = [];

    const pipeline = async (): Promise<void> => {
        await captureChanges(capture);
        landed.push(...(await landChangeFiles(customers, "dms", "cdc/public/customers/", { store, rawBucket: "raw", rejectsBucket: "rejects" })));
        await exportRaw(store, "raw", path.join(work, "raw"));
    };

    /** Puts the exported curated rows in the stand-in table and runs the sync through the Data API. */
    const sync = async (dataset: DatasetDefinition, schema: string, rows: readonly Record<string, unknown>[]) => {
        const dialect = { engine: "postgres", stageSourceTable: `${schema}.curated_rows` } as const;
        await ensureCdcTable(executor, { dataset, schema, dialect });
        await warehousePool.query(`DROP TABLE IF EXISTS "${schema}"."curated_rows"`);
        await warehousePool.query(`CREATE TABLE "${schema}"."curated_rows" (LIKE "${schema}"."${dataset.name}")`);
        await warehousePool.query(`INSERT INTO "${schema}"."curated_rows" SELECT * FROM jsonb_populate_recordset(NULL::"${schema}"."${dataset.name}", $1::jsonb)`, [JSON.stringify(rows)]);
        await syncCdcTable({ warehouse: executor }, { dataset, schema, curatedUri: "s3://curated/c", manifestUri: "s3://curated/m", dialect });
    };

    const sourceRows = async () =>
        (await source.query(`SELECT ${columns.join(", ")} FROM public.customers ORDER BY id`)).rows.map((row) => normalise(row as Record<string, unknown>));
    const warehouseRows = async (schema: string) =>
        (await warehousePool.query(`SELECT ${columns.join(", ")} FROM "${schema}"."customers" ORDER BY id`)).rows.map((row) => normalise(row as Record<string, unknown>));

    before(async () => {
        admin = new Pool({ connectionString: settings.postgresUrl, max: 2 });
        await admin.query(`DROP DATABASE IF EXISTS ${sourceDb}`);
        await admin.query(`CREATE DATABASE ${sourceDb}`);
        source = new Client({ connectionString: sourceUrl, options: "-c TimeZone=UTC" });
        await source.connect();
        await createSource(source);
        await seed(source, 200);
        warehousePool = new Pool({ connectionString: settings.postgresUrl, max: 4, options: "-c TimeZone=UTC" });
        const { client } = postgresDataApi(warehousePool, { pendingPolls: 0 });
        closeClient = () => client.destroy();
        executor = new DataApiExecutor(client, { workgroupName: "local", database: settings.pgDatabase }, { initialDelayMs: 5, maxDelayMs: 20 });
        for (const schema of ["cdc_current", "cdc_history"]) await warehousePool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    });

    after(async () => {
        await dropCapture({ connectionString: sourceUrl, slot }).catch(() => undefined);
        await source?.end();
        closeClient?.();
        await warehousePool?.end();
        await admin?.query(`DROP DATABASE IF EXISTS ${sourceDb}`);
        await admin?.end();
        fs.rmSync(work, { recursive: true, force: true });
    });

    it("full load, then the workload: the warehouse equals the source row by row; counts add up", async () => {
        const load = await startCapture(capture);
        assert.strictEqual(load.rows, 200);
        await enableAudit(source);
        await runWorkload(source, 1);
        await pipeline();
        const rowsIn = landed.reduce((n, r) => n + r.rowsIn, 0);
        assert.strictEqual(rowsIn, landed.reduce((n, r) => n + r.landed + r.rejected, 0));
        assert.strictEqual(landed.reduce((n, r) => n + r.rejected, 0), 0, "no change of the workload is invalid");
        assert.ok(rowsIn > 4000, `the big transaction's changes are captured (${rowsIn} rows)`);
        assert.ok(landed.some((r) => r.undeclaredColumns.includes("loyalty_tier")), "the new column is seen and reported");
        await sync(customers, "cdc_current", runApply(customers, work, "current"));
        const expected = await sourceRows();
        assert.ok(expected.length > 2500);
        assert.deepStrictEqual(await warehouseRows("cdc_current"), expected);
    });

    it("replaying every change file lands nothing new and leaves the warehouse equal to the source", async () => {
        const before = await store.listKeys("raw", "");
        const replay = await landChangeFiles(customers, "dms", "cdc/public/customers/", { store, rawBucket: "raw", rejectsBucket: "rejects" });
        assert.ok(replay.every((r) => r.objects.every((o) => o.status === "present")), "every object was already there");
        assert.deepStrictEqual(await store.listKeys("raw", ""), before);
        // The files landed once more under new names (as a replay from elsewhere would): still nothing applied twice.
        for (const key of await store.listKeys("dms", "cdc/public/customers/")) {
            await store.putObject({ bucket: "dms", key: key.replace(/\.csv$/, "-replayed.csv"), body: (await store.getObject("dms", key)) as Uint8Array });
        }
        await pipeline();
        await sync(customers, "cdc_current", runApply(customers, work, "current"));
        assert.deepStrictEqual(await warehouseRows("cdc_current"), await sourceRows());
    });

    it("the workload run again: the warehouse still equals the source", async () => {
        await runWorkload(source, 2);
        await pipeline();
        await sync(customers, "cdc_current", runApply(customers, work, "current"));
        assert.deepStrictEqual(await warehouseRows("cdc_current"), await sourceRows());
    });

    it("history mode: every committed version is present with its validity range", async () => {
        const scd2: DatasetDefinition = { ...customers, history: "scd2" };
        await sync(scd2, "cdc_history", runApply(scd2, work, "history"));
        const got = (
            await warehousePool.query(
                `SELECT id, name, segment, to_char(valid_from, '${micros}') AS valid_from, to_char(valid_to, '${micros}') AS valid_to, is_current FROM cdc_history.customers ORDER BY id, valid_from`,
            )
        ).rows as Version[];
        const expected = await expectedHistory(source, store);
        assert.strictEqual(got.length, expected.length, `versions: warehouse ${got.length}, source audit ${expected.length}`);
        assert.deepStrictEqual(got, expected);
        // The current versions are exactly the source table.
        const current = got.filter((v) => v.is_current).map((v) => v.id);
        assert.deepStrictEqual(current, (await sourceRows()).map((r) => r.id));
    });

    it("a type change on a captured column stops the capture with the table, column, types and fix; nothing is written", async () => {
        const filesBefore = await store.listKeys("dms", "");
        await source.query("ALTER TABLE public.customers ALTER COLUMN segment TYPE integer USING 1");
        await assert.rejects(captureChanges(capture), (error: unknown) => {
            assert.ok(error instanceof CdcError);
            assert.match(error.message, /table public\.customers, column 'segment': dataset 'customers' declares string .* the source now has 'integer'; revert the column's type/);
            return true;
        });
        assert.deepStrictEqual(await store.listKeys("dms", ""), filesBefore);
    });
});

/** Timestamps compared as text to the microsecond (JavaScript dates stop at milliseconds). */
const micros = "YYYY-MM-DD HH24:MI:SS.US";

function normalise(row: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
}

interface Version {
    id: string;
    name: string;
    segment: string;
    valid_from: string;
    valid_to: string | null;
    is_current: boolean;
}

/**
 * The versions the source went through, from the audit trigger and each transaction's commit time
 * (track_commit_timestamp), independent of logical decoding. Rows from before the audit started
 * begin at the full load's transfer time, as DMS stamps full-load rows.
 */
async function expectedHistory(source: Client, store: MemoryObjectStore): Promise<Version[]> {
    const loadFile = Buffer.from((await store.getObject("dms", "cdc/public/customers/LOAD00000001.csv")) as Uint8Array).toString("utf8").split("\n");
    const header = (loadFile[0] as string).split(",");
    const loadTs = (loadFile[1] as string).split(",")[header.indexOf("dms_commit_ts")] as string;
    const loadIso = loadTs;
    const audit = (
        await source.query(
            `SELECT a.seq, a.op, a.old_id, a.new_row, to_char(pg_xact_commit_timestamp(a.xid), '${micros}') AS commit_ts FROM public.customers_audit a ORDER BY pg_xact_commit_timestamp(a.xid), a.seq`,
        )
    ).rows as { op: string; old_id: string | null; new_row: Record<string, string> | null; commit_ts: string }[];
    const versions = new Map<string, Version[]>();
    const seeded = (await source.query(`SELECT 'CUST-' || lpad(g::text, 8, '0') AS id, 'Seed ' || g AS name FROM generate_series(1, 200) g`)).rows as { id: string; name: string }[];
    const open = (id: string, name: string, segment: string, from: string) => {
        const list = versions.get(id) ?? [];
        const last = list[list.length - 1];
        if (last && last.is_current) {
            if (last.valid_from === from) {
                list.pop(); // A later change in the same transaction: one committed version.
            } else {
                last.valid_to = from;
                last.is_current = false;
            }
        }
        list.push({ id, name, segment, valid_from: from, valid_to: null, is_current: true });
        versions.set(id, list);
    };
    const close = (id: string, at: string) => {
        const list = versions.get(id) ?? [];
        const last = list[list.length - 1];
        if (last && last.is_current) {
            if (last.valid_from === at) list.pop();
            else Object.assign(last, { valid_to: at, is_current: false });
        }
    };
    for (const row of seeded) open(row.id, row.name, "consumer", loadIso);
    for (const entry of audit) {
        const from = entry.commit_ts;
        if (entry.op === "DELETE") close(entry.old_id as string, from);
        else {
            const row = entry.new_row as Record<string, string>;
            if (entry.op === "UPDATE" && entry.old_id !== row.id) close(entry.old_id as string, from);
            open(row.id as string, row.name as string, row.segment as string, from);
        }
    }
    return [...versions.values()].flat().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.valid_from < b.valid_from ? -1 : 1));
}

