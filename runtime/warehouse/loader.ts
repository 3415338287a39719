import type { S3Client } from "@aws-sdk/client-s3";
import { DatasetDefinition } from "../datasets";
import { BatchOutcome, ResultRow } from "./dataApi";
import { warehouseSetupStatements } from "./ddl";
import { CuratedFile, LoadBatch, ledgerQuerySql, loadBatchStatements } from "./load";
import { batchId, BatchLimits, childPrefix, filesToLoad, listCuratedFiles, planBatches, writeManifest } from "./manifest";
import { spectrumSchemaSql } from "./spectrum";
import { SqlDialect } from "./sql";

/** What the loader needs to run statements (a `DataApiExecutor`, or a stand-in in tests). */
export interface StatementRunner {
    executeBatch(sqls: readonly string[], purpose: string): Promise<BatchOutcome>;
    query(sql: string, purpose: string): Promise<ResultRow[]>;
}

export interface LoaderConfig {
    readonly dataset: DatasetDefinition;
    /** Redshift schema of the target and ledger tables. */
    readonly schema: string;
    /** Curated zone root, as passed to the Spark job (`s3://bucket/curated`); the table is `<root>/<dataset>/`. */
    readonly curatedUri: string;
    /** Where manifests go; each is `<manifestUri>/<dataset>/<batch id>.manifest.json`. */
    readonly manifestUri: string;
    readonly dialect: SqlDialect;
    /** Defaults to 500 files and 60,000 characters of URIs per batch. */
    readonly batchLimits?: BatchLimits;
    /** Create the schema, target and ledger tables if missing before loading. Defaults to true. */
    readonly ensureTables?: boolean;
    /**
     * Also create the Spectrum external schema over the curated Glue database (with the tables).
     * Its own statement: Redshift runs external DDL outside the load transaction. Defaults to none.
     */
    readonly spectrum?: { readonly schema: string; readonly catalogDatabase: string; readonly iamRoleArn: string };
}

export interface LoaderDeps {
    readonly s3: Pick<S3Client, "send">;
    readonly warehouse: StatementRunner;
    /** Defaults to `() => new Date()`. */
    readonly clock?: () => Date;
    /** Structured progress lines. Defaults to none. */
    readonly log?: (message: string, details: Record<string, unknown>) => void;
}

export interface LoadPlan {
    /** Every curated data file listed. */
    readonly listed: readonly CuratedFile[];
    /** Listed files already in the ledger (same URI and ETag). */
    readonly alreadyLoaded: number;
    readonly batches: readonly LoadBatch[];
}

export interface LoadedBatch {
    readonly batchId: string;
    readonly manifestUri: string;
    readonly files: number;
    readonly statementId: string;
}

export interface LoadResult {
    readonly dataset: string;
    readonly filesListed: number;
    readonly filesAlreadyLoaded: number;
    readonly filesLoaded: number;
    readonly batches: readonly LoadedBatch[];
}

/** Creates the schema, target table and ledger if they are missing (one idempotent transaction). */
export async function ensureWarehouseTables(deps: LoaderDeps, config: LoaderConfig): Promise<void> {
    await deps.warehouse.executeBatch(warehouseSetupStatements(config.dataset, config.schema, config.dialect), `${config.dataset.name}: create tables`);
    if (config.spectrum) {
        const sql = spectrumSchemaSql({ schema: config.spectrum.schema, catalogDatabase: config.spectrum.catalogDatabase, iamRoleArns: [config.spectrum.iamRoleArn] });
        await deps.warehouse.executeBatch([sql], `${config.dataset.name}: spectrum schema over ${config.spectrum.catalogDatabase}`);
    }
}

/** Lists the curated files, subtracts the ledger and splits the rest into batches with their manifests' URIs. */
export async function planLoad(deps: LoaderDeps, config: LoaderConfig): Promise<LoadPlan> {
    const name = config.dataset.name;
    const tableUri = childPrefix(config.curatedUri, name);
    const listed = await listCuratedFiles(deps.s3, tableUri);
    const ledger = await deps.warehouse.query(ledgerQuerySql(config.schema, tableUri), `${name}: read load ledger`);
    const fresh = filesToLoad(listed, ledger);
    const loadedAt = (deps.clock ?? (() => new Date()))();
    const batches = planBatches(fresh, config.batchLimits).map((files): LoadBatch => {
        const id = batchId(name, loadedAt, files);
        return { batchId: id, manifestUri: `${childPrefix(config.manifestUri, name)}${id}.manifest.json`, files, loadedAt };
    });
    return { listed, alreadyLoaded: listed.length - fresh.length, batches };
}

/** Writes the batch's manifest, then runs its load transaction. */
export async function runLoadBatch(deps: LoaderDeps, config: LoaderConfig, batch: LoadBatch): Promise<LoadedBatch> {
    await writeManifest(deps.s3, batch.manifestUri, batch.files);
    const outcome = await deps.warehouse.executeBatch(
        loadBatchStatements(config.dataset, batch, config.schema, config.dialect),
        `${config.dataset.name}: load batch ${batch.batchId}`,
    );
    return { batchId: batch.batchId, manifestUri: batch.manifestUri, files: batch.files.length, statementId: outcome.statementId };
}

/**
 * Loads every curated file of the dataset that is not in the ledger yet: one manifest and one
 * transaction per batch, in order. With no new files it writes and runs nothing.
 */
export async function loadCurated(deps: LoaderDeps, config: LoaderConfig): Promise<LoadResult> {
    const log = deps.log ?? (() => undefined);
    if (config.ensureTables ?? true) {
        await ensureWarehouseTables(deps, config);
    }
    const plan = await planLoad(deps, config);
    log("load planned", { dataset: config.dataset.name, listed: plan.listed.length, alreadyLoaded: plan.alreadyLoaded, batches: plan.batches.length });
    const loaded: LoadedBatch[] = [];
    for (const batch of plan.batches) {
        const result = await runLoadBatch(deps, config, batch);
        log("batch loaded", { dataset: config.dataset.name, ...result });
        loaded.push(result);
    }
    return {
        dataset: config.dataset.name,
        filesListed: plan.listed.length,
        filesAlreadyLoaded: plan.alreadyLoaded,
        filesLoaded: loaded.reduce((total, batch) => total + batch.files, 0),
        batches: loaded,
    };
}
