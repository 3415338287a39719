import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Client, Pool } from "pg";
import { landChangeFiles } from "../cdc/land";
import { captureChanges, PostgresCaptureConfig, startCapture, tableFolder } from "../cdc/postgresCapture";
import { cdcApplySpec } from "../cdc/spec";
import { createS3ObjectStore } from "../common/objectStore";
import { DatasetDefinition } from "../datasets";
import { DataApiExecutor } from "../warehouse/dataApi";
import { ensureCdcTable, syncCdcTable } from "../warehouse/cdc";
import { qualifiedName } from "../warehouse/sql";
import { getObjectBytes, LakeBuckets, listObjects, mirrorRawPrefix, ndjsonLineCount, publishCuratedFolder, putIfChanged } from "./lake";
import { projectRoot } from "./services";
import { LocalLanding, LocalSourceContext, LocalSourceStage, mergeCounts, plural, windowSeed } from "./sourceStage";
import { javaHome, localArtifactsBucket, run } from "./transformStage";
import { LocalRunError } from "./errors";
import { CdcLineageOptions, emitChangeFileLineage } from "../cdc/lineage";
import { CdcSource, sourceTableDataset } from "../cdc/handler";
import { localLineageNamespace, publishSparkLineage } from "./lineage";
import type { ObjectStore } from "../common/objectStore";

/**
 * The database source of `npm run local`: a source table in the local PostgreSQL (its own database,
 * `tools/services/postgres.sh` runs the server with wal_level=logical) runs a deterministic
 * workload per window (inserts, updates, deletes, a primary-key update); runtime/cdc captures it
 * with real logical decoding into DMS-format change files on moto, lands them with the stream
 * contract, runtime/spark/cdc_apply.py rebuilds the current state (and writes the reference CSV
 * orders join), and runtime/warehouse/cdc.ts makes the warehouse table equal to it, deletes
 * included. The warehouse is then compared with the source table row by row.
 *
 * The customers the order generator draws (CUST-00000001 … CUST-00050000, runtime/producers/orders.ts)
 * are the table's initial rows, reaching the lake through the full load, so every order finds its
 * customer. A window's workload runs once: the source database records the windows it ran.
 */

export interface DatabaseSourceOptions {
    readonly dataset: DatasetDefinition;
    /** Rows of the table before capture starts (ids 1…n). */
    readonly initialCustomers: number;
    /** Customers inserted per window (then some updated, deleted, moved to a new key). */
    readonly insertsPerWindow: number;
    /** Existing customers updated per window. */
    readonly updatesPerWindow: number;
}

export interface DatabaseLanding extends LocalLanding {
    /** Change rows the capture wrote in this run (0 when the window's workload was already captured). */
    readonly capturedNow: number;
    readonly workloadRan: boolean;
}

export const localSourceDatabase = "local_source";
export const localCaptureSlot = "local_run_customers";
export const localDmsBucket = "etl-local-dms";
const dmsFolder = "cdc";
const segments = ["consumer", "small_business", "enterprise"];
const countries = ["IE", "DE", "US", "JP", "BR", "FR", "GB", "AU"];
const now = "date_trunc('milliseconds', clock_timestamp())";

export function sourceDatabaseUrl(postgresUrl: string): string {
    return postgresUrl.replace(/\/[^/]+$/, `/${localSourceDatabase}`);
}

/** The local source database as the landing's lineage names it (CDC_SOURCE on AWS). */
export function localCdcSource(postgresUrl: string): CdcSource {
    const url = new URL(sourceDatabaseUrl(postgresUrl));
    return { kind: "postgres", host: url.hostname, port: Number(url.port || 5432), database: localSourceDatabase };
}

const customerId = (n: number) => `CUST-${String(n).padStart(8, "0")}`;

/** The window's workload, as ids: new customers, the ones deleted again, one moved to a new key, and existing ones updated. */
export function windowWorkload(options: Pick<DatabaseSourceOptions, "initialCustomers" | "insertsPerWindow" | "updatesPerWindow">, date: string, seed: number) {
    const day = Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
    // New ids above the initial ones, a block per day, so windows never collide.
    const first = 60_000_000 + (day % 100_000) * (options.insertsPerWindow + 1);
    const inserted = Array.from({ length: options.insertsPerWindow }, (_, i) => first + i);
    let state = windowSeed(seed, date, "customers") || 1;
    const next = (max: number) => {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        return (state >>> 0) % max;
    };
    const updated = [...new Set(Array.from({ length: options.updatesPerWindow }, () => 1 + next(options.initialCustomers)))].sort((a, b) => a - b);
    return {
        inserted,
        updated,
        deleted: inserted.slice(0, 2),
        moved: { from: inserted[2] as number, to: first + options.insertsPerWindow },
        segmentOf: (n: number) => segments[(n + day) % segments.length] as string,
        countryOf: (n: number) => (n % 17 === 0 ? null : (countries[(n + day) % countries.length] as string)),
    };
}

async function ensureSourceDatabase(adminUrl: string): Promise<void> {
    const pg = require("pg") as typeof import("pg");
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
        const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [localSourceDatabase]);
        if (!exists.rowCount) {
            await admin.query(`CREATE DATABASE ${localSourceDatabase}`);
        }
    } finally {
        await admin.end();
    }
}

/** Creates the source table with its initial customers (once), and the record of the windows whose workload ran. */
async function ensureSourceTable(client: Client, initialCustomers: number): Promise<void> {
    await client.query("CREATE SCHEMA IF NOT EXISTS local_run");
    await client.query("CREATE TABLE IF NOT EXISTS local_run.workloads (window_date date PRIMARY KEY, ran_at timestamptz NOT NULL DEFAULT now())");
    const exists = await client.query("SELECT to_regclass('public.customers') AS t");
    if ((exists.rows[0] as { t: string | null }).t !== null) {
        return;
    }
    await client.query("BEGIN");
    await client.query(
        `CREATE TABLE public.customers (id text PRIMARY KEY, name text NOT NULL, email text, country text, segment text NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)`,
    );
    await client.query(
        `INSERT INTO public.customers SELECT 'CUST-' || lpad(g::text, 8, '0'), 'Customer ' || g, 'customer' || g || '@example.com', ` +
            `(ARRAY['IE','DE','US','JP','BR','FR','GB','AU'])[1 + g % 8], (ARRAY['consumer','small_business','enterprise'])[1 + g % 3], ${now}, ${now} FROM generate_series(1, $1) AS g`,
        [initialCustomers],
    );
    await client.query("COMMIT");
}

/** Runs the window's workload unless the source already ran it; returns whether it ran. */
async function runWindowWorkload(client: Client, options: DatabaseSourceOptions, date: string, seed: number): Promise<boolean> {
    const ran = await client.query("SELECT 1 FROM local_run.workloads WHERE window_date = $1", [date]);
    if (ran.rowCount) {
        return false;
    }
    const work = windowWorkload(options, date, seed);
    // Inserts, one transaction each, a name with a quote and a comma among them.
    for (const n of work.inserted) {
        await client.query(
            `INSERT INTO public.customers (id, name, email, country, segment, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, ${now}, ${now}) ON CONFLICT (id) DO NOTHING`,
            [customerId(n), n % 5 === 0 ? `O'Brien, "Jr" ${n}` : `Customer ${n}`, `customer${n}@example.com`, work.countryOf(n), work.segmentOf(n)],
        );
    }
    // Updates of existing customers (segment and country), in one transaction.
    await client.query("BEGIN");
    for (const n of work.updated) {
        await client.query(`UPDATE public.customers SET segment = $2, country = $3, updated_at = ${now} WHERE id = $1`, [customerId(n), work.segmentOf(n + 1), work.countryOf(n + 1)]);
    }
    await client.query("COMMIT");
    // Deletes, a primary-key update, and the record that this window's workload ran, together.
    await client.query("BEGIN");
    await client.query(`DELETE FROM public.customers WHERE id = ANY($1)`, [work.deleted.map(customerId)]);
    await client.query(`UPDATE public.customers SET id = $2, updated_at = ${now} WHERE id = $1`, [customerId(work.moved.from), customerId(work.moved.to)]);
    await client.query("INSERT INTO local_run.workloads (window_date) VALUES ($1)", [date]);
    await client.query("COMMIT");
    return true;
}

/** Lines of every raw and rejects object of the dataset, rejects by error type. */
async function countChangeRecords(s3: S3Client, dataset: string, buckets: LakeBuckets): Promise<{ landed: number; rejectedByType: Record<string, number> }> {
    let landed = 0;
    for (const object of await listObjects(s3, buckets.raw, `${dataset}/`)) {
        landed += ndjsonLineCount(await getObjectBytes(s3, buckets.raw, object.key));
    }
    const rejectedByType: Record<string, number> = {};
    for (const object of await listObjects(s3, buckets.rejects, `${dataset}/`)) {
        const type = /\/error_type=([^/]+)\//.exec(object.key)?.[1] ?? "unknown";
        rejectedByType[type] = (rejectedByType[type] ?? 0) + ndjsonLineCount(await getObjectBytes(s3, buckets.rejects, object.key));
    }
    return { landed, rejectedByType };
}

export function databaseSourceStage(options: DatabaseSourceOptions): LocalSourceStage<DatabaseLanding> {
    const { dataset } = options;
    if (!dataset.sourceTable) {
        throw new LocalRunError(`dataset '${dataset.name}' has no sourceTable; the database stage captures a "database" dataset`);
    }
    const table = dataset.sourceTable;
    return {
        kind: "database",
        dataset,
        land: async (context: LocalSourceContext): Promise<DatabaseLanding> => {
            const { settings, s3, buckets, window } = context;
            return context.step(`${dataset.name}: capture`, async () => {
                await ensureBucket(s3, localDmsBucket);
                await ensureSourceDatabase(settings.postgresUrl);
                const pg = require("pg") as typeof import("pg");
                const source = new pg.Client({ connectionString: sourceDatabaseUrl(settings.postgresUrl), options: "-c TimeZone=UTC" });
                await source.connect();
                const store = createS3ObjectStore({ endpoint: settings.motoEndpoint, region: settings.region, credentials: settings.credentials });
                const capture: PostgresCaptureConfig = {
                    connectionString: sourceDatabaseUrl(settings.postgresUrl),
                    slot: localCaptureSlot,
                    tables: [{ schema: table.schema, table: table.table, dataset }],
                    store,
                    bucket: localDmsBucket,
                    folder: dmsFolder,
                };
                try {
                    await ensureSourceTable(source, options.initialCustomers);
                    const fullLoad = await startCapture(capture);
                    const workloadRan = await runWindowWorkload(source, options, window.date, context.seed);
                    const changes = await captureChanges(capture);
                    const landed = await landChangeFiles(dataset, localDmsBucket, tableFolder(dmsFolder, table), { store, rawBucket: buckets.raw, rejectsBucket: buckets.rejects });
                    // Each change file's landing run, as the deployed function reports it: from the source table and the file to raw.
                    const lineage: CdcLineageOptions = { emitter: context.lineage, namespace: localLineageNamespace, rawBucket: buckets.raw, rejectsBucket: buckets.rejects, sourceTable: sourceTableDataset(localCdcSource(settings.postgresUrl)) };
                    for (const file of landed) {
                        await emitChangeFileLineage(lineage, { bucket: localDmsBucket, key: file.file }, { schema: table.schema, table: table.table, dataset }, { counts: { rowsIn: file.rowsIn, rowsLanded: file.landed, rowsRejected: file.rejected } });
                    }
                    const rowsIn = landed.reduce((sum, file) => sum + file.rowsIn, 0);
                    const measured = await countChangeRecords(s3, dataset.name, buckets);
                    const rejected = Object.values(measured.rejectedByType).reduce((sum, value) => sum + value, 0);
                    const written = landed.reduce((sum, file) => sum + file.objects.filter((object) => object.status === "written").length, 0);
                    return {
                        value: {
                            sources: [{ name: `${dataset.name} via cdc (${table.schema}.${table.table})`, produced: rowsIn, landed: measured.landed, rejected }],
                            rejectedByErrorType: mergeCounts([measured.rejectedByType]),
                            capturedNow: fullLoad.rows + changes.rows,
                            workloadRan,
                        },
                        detail:
                            `${workloadRan ? `workload for ${window.date} ran` : `workload for ${window.date} already ran`}; captured ${plural(fullLoad.rows + changes.rows, "change row")} now` +
                            `${fullLoad.rows > 0 ? ` (full load ${plural(fullLoad.rows, "row")})` : ""}; ${plural(landed.length, "change file")} hold ${plural(rowsIn, "row")}: ` +
                            `${plural(measured.landed, "record")} in the raw zone, ${plural(rejected, "record")} in the rejects zone; ${plural(written, "object")} written`,
                    };
                } finally {
                    await source.end();
                }
            });
        },
    };
}

async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
    const sdk = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    try {
        await s3.send(new sdk.HeadBucketCommand({ Bucket: bucket }));
    } catch {
        await s3.send(new sdk.CreateBucketCommand({ Bucket: bucket }));
    }
}

export interface CdcApplyOutcome {
    /** Rows of the curated state (read back from the export the apply wrote). */
    readonly curatedRows: number;
    readonly rows: readonly Record<string, unknown>[];
    readonly objectsWritten: number;
    /** True when the raw changes had not changed since the recorded apply, so Spark was not run. */
    readonly reused: boolean;
}


/**
 * Rebuilds the curated state with runtime/spark/cdc_apply.py from every landed change (mirrored
 * from the raw bucket), publishes it to the curated bucket under stable names and writes the
 * reference CSV the transform of the consuming datasets joins. Like the transform stage, it skips
 * Spark when the raw changes, the spec and the job's code are those of the recorded apply.
 */
export async function applyChanges(options: {
    readonly s3: S3Client;
    readonly buckets: LakeBuckets;
    readonly dataset: DatasetDefinition;
    readonly runDirectory: string;
    readonly python: string;
    /** Where the apply writes its OpenLineage events (`--lineage-uri`), published to the lineage prefix with the local paths named as the S3 locations they stand for. */
    readonly lineage?: { readonly directory: string; readonly store: ObjectStore; readonly namespace: string };
}): Promise<CdcApplyOutcome> {
    const { s3, buckets, dataset, runDirectory, python, lineage } = options;
    const lake = path.join(runDirectory, "lake");
    const rawDir = path.join(lake, "raw");
    const curatedDir = path.join(lake, "curated");
    const referenceDir = path.join(lake, "reference");
    const exportPath = path.join(lake, `${dataset.name}.curated-rows.ndjson`);
    await mirrorRawPrefix(s3, `${dataset.name}/`, rawDir, buckets);
    const spec = JSON.stringify(cdcApplySpec(dataset));
    const code = fs.readFileSync(path.join(projectRoot, "runtime", "spark", "cdc_apply.py"), "utf8");
    const digest = createHash("sha256");
    for (const object of (await listObjects(s3, buckets.raw, `${dataset.name}/`)).sort((a, b) => (a.key < b.key ? -1 : 1))) {
        digest.update(`${object.key} ${object.etag}\n`);
    }
    digest.update(spec).update(code);
    const fingerprint = digest.digest("hex");
    const recordKey = `_runs/${dataset.name}/cdc-apply.local-inputs.json`;
    const reference = dataset.publishes ? path.join(referenceDir, dataset.publishes.name) : undefined;
    const recorded = (await listObjects(s3, buckets.curated, recordKey)).some((object) => object.key === recordKey)
        ? (JSON.parse((await getObjectBytes(s3, buckets.curated, recordKey)).toString("utf8")) as { fingerprint: string })
        : undefined;
    const readRows = () =>
        fs
            .readFileSync(exportPath, "utf8")
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => JSON.parse(line) as Record<string, unknown>);
    const publishLineage = async () => {
        if (lineage) {
            const locations = [
                { directory: rawDir, uri: `s3://${buckets.raw}` },
                { directory: curatedDir, uri: `s3://${buckets.curated}` },
                { directory: referenceDir, uri: `s3://${localArtifactsBucket}/reference` },
            ];
            await publishSparkLineage({ store: lineage.store, buckets, directory: lineage.directory, locations, job: `cdc-apply.${dataset.name}` });
        }
    };
    if (recorded?.fingerprint === fingerprint && fs.existsSync(exportPath) && (!reference || fs.existsSync(reference))) {
        const rows = readRows();
        await publishLineage();
        return { curatedRows: rows.length, rows, objectsWritten: 0, reused: true };
    }
    const home = javaHome();
    if (home === undefined) {
        throw new LocalRunError("no Java found for Spark: install a JDK (sudo apt-get install -y openjdk-17-jre-headless) or set JAVA_HOME");
    }
    const result = await run(
        python,
        [
            path.join(projectRoot, "runtime", "spark", "cdc_apply.py"),
            "--spec-json", spec,
            "--raw-uri", rawDir,
            "--curated-uri", curatedDir,
            "--reference-uri", referenceDir,
            "--export-path", exportPath,
            "--master", "local[2]",
            ...(lineage ? ["--lineage-uri", lineage.directory, "--lineage-namespace", lineage.namespace] : []),
        ],
        { ...process.env, JAVA_HOME: home, PYSPARK_PYTHON: python, PYSPARK_DRIVER_PYTHON: python, SPARK_LOCAL_IP: "127.0.0.1", TZ: "UTC" },
    );
    if (result.code !== 0) {
        throw new LocalRunError(`runtime/spark/cdc_apply.py failed (exit ${result.code}); last lines:\n${result.stderr.trim().split("\n").slice(-15).join("\n")}`);
    }
    const published = await publishCuratedFolder(s3, curatedDir, dataset.name, buckets);
    let objectsWritten = published.written + published.deleted;
    if (await putIfChanged(s3, buckets.curated, recordKey, Buffer.from(`${JSON.stringify({ fingerprint }, null, 2)}\n`), "application/json")) {
        objectsWritten += 1;
    }
    const rows = readRows();
    await publishLineage();
    return { curatedRows: rows.length, rows, objectsWritten, reused: false };
}

/** The stand-in for the curated files the Redshift sync COPYs: a table of the curated rows, refilled from the apply's export. */
export function cdcStandInTable(dataset: DatasetDefinition): string {
    return `curated_rows_${dataset.name}`;
}

/**
 * Makes the warehouse table equal to the curated state with the platform's sync
 * (runtime/warehouse/cdc.ts, the postgres dialect): deletes of keys that are gone, MERGE of the rest.
 * Returns the rows the table holds afterwards.
 */
export async function syncWarehouse(options: { readonly pool: Pool; readonly executor: DataApiExecutor; readonly schema: string; readonly dataset: DatasetDefinition; readonly rows: readonly Record<string, unknown>[]; readonly curatedBucket: string }): Promise<number> {
    const { pool, executor, schema, dataset } = options;
    const dialect = { engine: "postgres", stageSourceTable: `${schema}.${cdcStandInTable(dataset)}` } as const;
    await ensureCdcTable(executor, { dataset, schema, dialect });
    const standIn = qualifiedName(schema, cdcStandInTable(dataset));
    const client = await pool.connect();
    try {
        await client.query("BEGIN");
        await client.query(`CREATE TABLE IF NOT EXISTS ${standIn} (LIKE ${qualifiedName(schema, dataset.name)})`);
        await client.query(`DELETE FROM ${standIn}`);
        await client.query(`INSERT INTO ${standIn} SELECT * FROM jsonb_populate_recordset(NULL::${qualifiedName(schema, dataset.name)}, $1::jsonb)`, [JSON.stringify(options.rows)]);
        await client.query("COMMIT");
    } catch (error) {
        await client.query("ROLLBACK");
        throw error;
    } finally {
        client.release();
    }
    await syncCdcTable({ warehouse: executor }, { dataset, schema, curatedUri: `s3://${options.curatedBucket}`, manifestUri: `s3://${options.curatedBucket}/_manifests`, dialect });
    const counted = await pool.query(`SELECT COUNT(*)::int AS n FROM ${qualifiedName(schema, dataset.name)}`);
    return (counted.rows[0] as { n: number }).n;
}

/** Source rows and warehouse rows compared column by column (timestamps to the millisecond, as the lake keeps them). */
export async function compareWithSource(options: { readonly pool: Pool; readonly postgresUrl: string; readonly schema: string; readonly dataset: DatasetDefinition }): Promise<{ sourceRows: number; warehouseRows: number; mismatches: number; firstMismatch?: string }> {
    const { dataset } = options;
    const table = dataset.sourceTable;
    if (!table) {
        throw new LocalRunError(`dataset '${dataset.name}' has no sourceTable to compare with`);
    }
    const select = dataset.fields
        .map((field) => (field.type === "timestamp" ? `to_char("${field.name}" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS "${field.name}"` : `"${field.name}"`))
        .join(", ");
    const key = dataset.key.map((column) => `"${column}"`).join(", ");
    const keyOf = (row: Record<string, unknown>) => dataset.key.map((column) => String(row[column])).join("|");
    const pg = require("pg") as typeof import("pg");
    const source = new pg.Client({ connectionString: sourceDatabaseUrl(options.postgresUrl) });
    await source.connect();
    try {
        const expected = (await source.query(`SELECT ${select} FROM "${table.schema}"."${table.table}" ORDER BY ${key}`)).rows as Record<string, unknown>[];
        const got = (await options.pool.query(`SELECT ${select} FROM ${qualifiedName(options.schema, dataset.name)} ORDER BY ${key}`)).rows as Record<string, unknown>[];
        const warehouse = new Map(got.map((row) => [keyOf(row), JSON.stringify(row)]));
        const sourceKeys = new Set(expected.map(keyOf));
        // Rows only in the warehouse, then source rows missing or different there.
        let mismatches = got.filter((row) => !sourceKeys.has(keyOf(row))).length;
        let firstMismatch: string | undefined;
        for (const row of expected) {
            const text = JSON.stringify(row);
            if (warehouse.get(keyOf(row)) !== text) {
                mismatches += 1;
                firstMismatch ??= `source ${text}; warehouse ${warehouse.get(keyOf(row)) ?? "no row"}`;
            }
        }
        return { sourceRows: expected.length, warehouseRows: got.length, mismatches, ...(firstMismatch ? { firstMismatch } : {}) };
    } finally {
        await source.end();
    }
}
