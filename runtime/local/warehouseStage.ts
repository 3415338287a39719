import * as fs from "fs";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Pool } from "pg";
import { DatasetDefinition } from "../datasets";
import { QualityDeps, runQuality } from "../quality/handler";
import { createLogger, Logger } from "../common/telemetry";
import { QualityReport } from "../quality/evaluate";
import { DataApiExecutor } from "../warehouse/dataApi";
import { ledgerTable } from "../warehouse/ddl";
import { ensureWarehouseTables, loadCurated, LoaderConfig, LoaderDeps, LoadResult } from "../warehouse/loader";
import { postgresDataApi } from "../warehouse/postgresDataApi";
import { qualifiedName, quoteLiteral, timestamptzLiteral } from "../warehouse/sql";
import { LakeBuckets } from "./lake";
import { LocalSettings } from "./settings";
import { LocalWindow } from "./sources";

/**
 * The local warehouse: PostgreSQL behind the Redshift Data API adapter
 * (runtime/warehouse/postgresDataApi.ts), loaded by the platform's loader with the `postgres`
 * dialect. The one difference from Redshift is where the stage's rows come from: Redshift COPYs the
 * manifest's Parquet files; here a table of the curated files' rows keyed by file URI and ETag
 * (`curated_files`, filled from what the Spark job wrote) stands in for them.
 */

export const localWarehouseSchema = "analytics";
/** The stand-in table of a dataset's curated files (one per dataset: its rows have the dataset's columns). */
export function curatedFilesTable(dataset: DatasetDefinition): string {
    return `curated_files_${dataset.name}`;
}

export interface LocalWarehouse {
    readonly pool: Pool;
    readonly executor: DataApiExecutor;
    readonly config: LoaderConfig;
    readonly deps: LoaderDeps;
    close(): Promise<void>;
}

export function openLocalWarehouse(settings: LocalSettings, s3: S3Client, dataset: DatasetDefinition, buckets: LakeBuckets): LocalWarehouse {
    const pg = require("pg") as typeof import("pg");
    const pool = new pg.Pool({ connectionString: settings.postgresUrl, max: 4 });
    const { client } = postgresDataApi(pool, { pendingPolls: 1 });
    const executor = new DataApiExecutor(client, { workgroupName: "local", database: settings.pgDatabase }, { initialDelayMs: 10, maxDelayMs: 100 });
    const config: LoaderConfig = {
        dataset,
        schema: localWarehouseSchema,
        curatedUri: `s3://${buckets.curated}`,
        manifestUri: `s3://${buckets.curated}/_manifests`,
        dialect: { engine: "postgres", stageSourceTable: `${localWarehouseSchema}.${curatedFilesTable(dataset)}` },
    };
    return {
        pool,
        executor,
        config,
        deps: { s3, warehouse: executor },
        close: async () => {
            client.destroy();
            await pool.end();
        },
    };
}

/** Creates the schema, target table and load ledger (through the Data API) and the curated files' stand-in. */
export async function ensureLocalWarehouse(warehouse: LocalWarehouse): Promise<void> {
    await ensureWarehouseTables(warehouse.deps, warehouse.config);
    const { dataset, schema } = warehouse.config;
    await warehouse.pool.query(
        `CREATE TABLE IF NOT EXISTS ${qualifiedName(schema, curatedFilesTable(dataset))} ("file_uri" TEXT NOT NULL, "file_etag" TEXT NOT NULL, LIKE ${qualifiedName(schema, dataset.name)})`,
    );
}

export interface CuratedFileRows {
    readonly uri: string;
    readonly etag: string;
    /** The file's path in the export (`dt=D/part-....parquet`). */
    readonly localPath: string;
}

/**
 * Makes the stand-in hold exactly the rows of the given curated files of the window's partition:
 * a file whose URI and ETag are already there is left alone (so a rerun writes nothing), a changed
 * file's rows are replaced, and rows of files that no longer exist are removed.
 */
export async function syncCuratedFiles(warehouse: LocalWarehouse, exportPath: string, partitionPrefix: string, files: readonly CuratedFileRows[]): Promise<number> {
    const { dataset, schema } = warehouse.config;
    const table = qualifiedName(schema, curatedFilesTable(dataset));
    const rowsByFile = new Map<string, unknown[]>();
    for (const line of fs.readFileSync(exportPath, "utf8").split("\n")) {
        if (line.trim() === "") {
            continue;
        }
        const entry = JSON.parse(line) as { file: string; row: unknown };
        rowsByFile.set(entry.file, [...(rowsByFile.get(entry.file) ?? []), entry.row]);
    }
    let changed = 0;
    const uris = files.map((file) => quoteLiteral(file.uri));
    const stale = await warehouse.pool.query(
        `DELETE FROM ${table} WHERE LEFT("file_uri", ${partitionPrefix.length}) = ${quoteLiteral(partitionPrefix)}${uris.length > 0 ? ` AND "file_uri" NOT IN (${uris.join(", ")})` : ""}`,
    );
    changed += stale.rowCount ?? 0;
    for (const file of files) {
        const present = await warehouse.pool.query(`SELECT 1 FROM ${table} WHERE "file_uri" = $1 AND "file_etag" = $2 LIMIT 1`, [file.uri, file.etag]);
        if (present.rowCount) {
            continue;
        }
        const client = await warehouse.pool.connect();
        try {
            await client.query("BEGIN");
            await client.query(`DELETE FROM ${table} WHERE "file_uri" = $1`, [file.uri]);
            const inserted = await client.query(
                `INSERT INTO ${table} SELECT $1, $2, r.* FROM jsonb_populate_recordset(NULL::${qualifiedName(schema, dataset.name)}, $3::jsonb) AS r`,
                [file.uri, file.etag, JSON.stringify(rowsByFile.get(file.localPath) ?? [])],
            );
            await client.query("COMMIT");
            changed += inserted.rowCount ?? 0;
        } catch (error) {
            await client.query("ROLLBACK");
            throw error;
        } finally {
            client.release();
        }
    }
    return changed;
}

export async function loadWindow(warehouse: LocalWarehouse): Promise<LoadResult> {
    return loadCurated(warehouse.deps, { ...warehouse.config, ensureTables: false });
}

function windowCondition(dataset: DatasetDefinition, window: LocalWindow): string {
    const column = `"${dataset.eventTimeField}"`;
    return `${column} >= ${timestamptzLiteral(new Date(window.startMs))} AND ${column} < ${timestamptzLiteral(new Date(window.endMs))}`;
}

/** Rows of the target table in the window, counted by the warehouse. */
export async function countWindowRows(warehouse: LocalWarehouse, window: LocalWindow): Promise<number> {
    const { dataset, schema } = warehouse.config;
    const rows = await warehouse.executor.query(`SELECT COUNT(*) AS "rows" FROM ${qualifiedName(schema, dataset.name)} WHERE ${windowCondition(dataset, window)}`, `${dataset.name}: rows in the window`);
    return Number(rows[0]?.rows ?? 0);
}

/**
 * The quality step's logger and metrics, kept off the console: the run's summary reports every
 * check. Metrics are built while POWERTOOLS_METRICS_DISABLED is true (tools/local.ts sets it), so
 * nothing is printed as EMF either.
 */
export function quietQualityDeps(): { readonly logger: Logger } {
    return { logger: createLogger({ serviceName: "quality", logLevel: "SILENT" }) };
}

export async function warehouseQuality(warehouse: LocalWarehouse, window: LocalWindow, lineage?: QualityDeps["lineage"]): Promise<QualityReport> {
    return runQuality(
        { warehouse: warehouse.executor, schema: warehouse.config.schema, ...quietQualityDeps(), ...(lineage ? { lineage } : {}) },
        { dataset: warehouse.config.dataset.name, source: "warehouse", start: new Date(window.startMs).toISOString(), end: new Date(window.endMs).toISOString(), failOnError: false },
    );
}

/** The final query: orders and sales per region and UTC day of the window (amounts summed as recorded, across currencies). */
export function salesQuerySql(dataset: DatasetDefinition, schema: string, window: LocalWindow): string {
    const day = `TO_CHAR("${dataset.eventTimeField}" AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
    return (
        `SELECT "region", ${day} AS "day", COUNT(*) AS "orders", SUM("amount") AS "sales" ` +
        `FROM ${qualifiedName(schema, dataset.name)} WHERE ${windowCondition(dataset, window)} ` +
        `GROUP BY "region", ${day} ORDER BY "day", "region"`
    );
}

export async function salesQuery(warehouse: LocalWarehouse, window: LocalWindow): Promise<{ sql: string; rows: { region: string; day: string; orders: number; sales: number }[] }> {
    const sql = salesQuerySql(warehouse.config.dataset, warehouse.config.schema, window);
    const rows = await warehouse.executor.query(sql, "sales per region and day");
    return { sql, rows: rows.map((row) => ({ region: String(row.region), day: String(row.day), orders: Number(row.orders), sales: Number(row.sales) })) };
}

/**
 * Every row of the target table and the load ledger, as a key → content digest map (computed by
 * PostgreSQL), for measuring what a run changed. Missing tables give an empty map.
 */
export async function warehouseRowSnapshot(warehouse: LocalWarehouse): Promise<Map<string, string>> {
    const { dataset, schema } = warehouse.config;
    const snapshot = new Map<string, string>();
    const exists = await warehouse.pool.query(`SELECT to_regclass($1) AS target, to_regclass($2) AS ledger`, [`"${schema}"."${dataset.name}"`, `"${schema}"."${ledgerTable}"`]);
    const found = exists.rows[0] as { target: string | null; ledger: string | null };
    const keys = dataset.key.map((key) => `"${key}"`).join(` || '|' || `);
    if (found.target) {
        const rows = await warehouse.pool.query(`SELECT ${keys} AS k, md5(t::text) AS h FROM ${qualifiedName(schema, dataset.name)} AS t`);
        for (const row of rows.rows as { k: string; h: string }[]) {
            snapshot.set(`${dataset.name}/${row.k}`, row.h);
        }
    }
    if (found.ledger) {
        const rows = await warehouse.pool.query(`SELECT "file_uri" || '|' || "etag" AS k, md5(l::text) AS h FROM ${qualifiedName(schema, ledgerTable)} AS l`);
        for (const row of rows.rows as { k: string; h: string }[]) {
            snapshot.set(`${ledgerTable}/${row.k}`, row.h);
        }
    }
    return snapshot;
}
