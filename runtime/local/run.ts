import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { customers, DatasetDefinition, fxRates, storeInventory } from "../datasets";
import { runQuality } from "../quality/handler";
import { QualityReport } from "../quality/evaluate";
import { qualifiedName, timestamptzLiteral } from "../warehouse/sql";
import { apiSourceStage } from "./apiStage";
import { applyChanges, compareWithSource, databaseSourceStage, localDmsBucket, syncWarehouse } from "./databaseStage";
import { fileSourceStage, localLandingBucket } from "./fileStage";
import { changedEntries, ensureBuckets, LakeBuckets, lakeS3Client, listObjects, localBuckets, localFiles, snapshotObjects } from "./lake";
import { ensureServices, localRunDirectory, projectRoot, readServiceState, recordStarted, stopStartedServices, writeServiceState } from "./services";
import { LocalSettings, localServiceEnv } from "./settings";
import { LocalLanding, LocalSourceContext, plural, windowSeed } from "./sourceStage";
import { LocalSourcePlan, LocalWindow, windowOf } from "./sources";
import { streamSourcePlans, streamSourceStage } from "./streamStage";
import { LocalDatasetRun, LocalInvariant, LocalQualityResult, LocalRunSummary, LocalStage } from "./summary";
import { renderLocalReport } from "./report";
import { localLakePaths, runTransformStage, TransformOutcome } from "./transformStage";
import { countWindowRows, ensureLocalWarehouse, LocalWarehouse, loadWindow, openLocalWarehouse, quietQualityDeps, salesQuery, syncCuratedFiles, warehouseQuality, warehouseRowSnapshot } from "./warehouseStage";
import { LocalRunError } from "./errors";
import { emitLoadLineage, emitSyncLineage } from "../warehouse/lineage";
import { ingestWindowCompletions } from "../ingest/lineage";
import { lineageConnectivity, lineageGraph, localLakeStore, localLineageEmitter, localLineageEnv, localLineageNamespace, localLineagePrefix, localWarehouseDataset, readLocalLineage } from "./lineage";
import type { ObjectStore } from "../common/objectStore";
import type { LineageEmitter } from "../lineage";

/**
 * `npm run local`: the whole platform on this machine, from nothing, for every kind of source.
 * Starts (or reuses) the local services, then runs each dataset from its source to the warehouse
 * in dependency order (runtime/local/*Stage.ts, one module per kind of source):
 *
 *   customers        database   a workload on a PostgreSQL table, logical decoding capture, DMS change
 *                               files, landing, cdc_apply.py (current state + the reference orders join),
 *                               warehouse sync (deletes applied), compared with the source row by row
 *   fx_rates         api        the connector against a local HTTP API, checkpoint on S3, Spark, loader
 *   store_inventory  file       partner files dropped in a landing bucket, the file-ingest function, Spark, loader
 *   orders           stream     Kafka and Kinesis producers, the ingest function, Spark (joining customers
 *                               and converting with fx_rates), loader, and the sales query
 *
 * Quality is judged on each Spark run and warehouse table. Every figure is measured (objects listed
 * and read, rows counted); a second run of the same window measures what it changed, which is
 * nothing when exactly-once holds.
 */

export interface LocalRunOptions {
    readonly settings: LocalSettings;
    /** The stream dataset the producers feed (orders). */
    readonly dataset: DatasetDefinition;
    /** The window, a UTC day `YYYY-MM-DD`. */
    readonly date: string;
    /** Orders produced into Kafka (the MSK engine). */
    readonly kafkaCount: number;
    /** Orders produced into Kinesis. */
    readonly kinesisCount: number;
    readonly seed: number;
    readonly badRatio: number;
    /** Every n-th valid order is sent twice; 0 for none. */
    readonly resendEvery: number;
    /** Progress and service output (stderr in the CLI). */
    readonly log: (text: string) => void;
    /** Long stages report progress here (records sent, records accounted for). */
    readonly onProgress?: (stage: string, done: number, total: number) => void;
}

/** The sizes of the sources other than the stream (small: they show each path, the stream carries the volume). */
export const localSourceSizes = {
    /** The order generator draws CUST-00000001 … CUST-00050000 (runtime/producers/orders.ts): all exist at the source. */
    customers: { initialCustomers: 50_000, insertsPerWindow: 20, updatesPerWindow: 25 },
    fxRates: { sourceName: "fx-rates", withoutRate: "MXN", pageSize: 4, badRecords: 2 },
    storeInventory: { drop: "store_inventory", stores: 20, skus: 10 },
} as const;

/**
 * The generator seed of one source in one window: the run's --seed mixed with the date and the
 * engine (FNV-1a, 32 bits). Order IDs follow from the seed alone, so without the date two windows
 * would send the same orders, and the warehouse MERGE (keyed by order_id) would move rows from one
 * window to the other; without the engine the two sources would carry the same orders.
 */
export function sourceSeed(seed: number, date: string, engine: string): number {
    return windowSeed(seed, date, engine);
}

export function sourcePlans(options: Pick<LocalRunOptions, "dataset" | "date" | "kafkaCount" | "kinesisCount" | "seed" | "badRatio" | "resendEvery">): LocalSourcePlan[] {
    return streamSourcePlans(options);
}

/** The venv python (moto, PySpark), created by the project's script when missing. */
async function venvPython(settings: LocalSettings, log: (text: string) => void): Promise<string> {
    const python = path.join(projectRoot, ".local", "venv", "bin", "python");
    if (!fs.existsSync(python)) {
        const { spawnSync } = require("child_process") as typeof import("child_process");
        const result = spawnSync(path.join(projectRoot, "tools", "services", "python-env.sh"), [], { cwd: projectRoot, env: { ...process.env, ...localServiceEnv(settings) }, encoding: "utf8" });
        log(result.stderr ?? "");
        if (result.status !== 0) {
            throw new LocalRunError(`tools/services/python-env.sh failed (${result.status}): ${(result.stderr ?? "").trim()}`);
        }
    }
    return python;
}

function qualityResults(report: QualityReport, label: string): LocalQualityResult[] {
    return report.results.map((result) => ({ check: `${result.name} (${label})`, passed: result.passed, detail: `[${result.level}] ${result.message}` }));
}

const count = (value: number) => value.toLocaleString("en-US");

function invariant(name: string, holds: boolean, detail: string): LocalInvariant {
    return { name, holds, detail };
}

type Step = LocalSourceContext["step"];

/** What the lake-to-warehouse stages need to report their lineage. */
interface LocalLineageRun {
    readonly settings: LocalSettings;
    readonly store: ObjectStore;
    readonly emitter: LineageEmitter;
    readonly directory: string;
}

interface CuratedLoad {
    readonly transform: TransformOutcome;
    readonly loaded: number;
    readonly quality: readonly LocalQualityResult[];
    readonly qualityPassed: boolean;
}

/**
 * The lake-to-warehouse path every non-CDC dataset shares: the Spark transform of the window, the
 * loader, and quality on the Spark run and on the warehouse. Steps are named `transform`, `load`,
 * `quality` with the given prefix.
 */
async function curateAndLoad(options: {
    readonly step: Step;
    readonly prefix: string;
    readonly s3: ReturnType<typeof lakeS3Client>;
    readonly warehouse: LocalWarehouse;
    readonly window: LocalWindow;
    readonly buckets: LakeBuckets;
    readonly python: string;
    readonly log: (text: string) => void;
    readonly extraInputs?: readonly string[];
    readonly lineage: LocalLineageRun;
}): Promise<CuratedLoad> {
    const { step, prefix, warehouse, window, buckets, lineage } = options;
    const warehouseDataset = (table: string) => localWarehouseDataset(lineage.settings, lineage.settings.pgDatabase, warehouse.config.schema, table);
    const qualityLineage = { emitter: lineage.emitter, namespace: localLineageNamespace, warehouseDataset };
    const dataset = warehouse.config.dataset;
    const s3 = options.s3;
    const paths = localLakePaths(localRunDirectory(), dataset);
    const transform = await step(`${prefix}transform`, async () => {
        const outcome = await runTransformStage({
            s3,
            buckets,
            dataset,
            window,
            paths,
            python: options.python,
            log: options.log,
            lineage: { directory: lineage.directory, store: lineage.store, namespace: localLineageNamespace },
            ...(options.extraInputs ? { extraInputs: options.extraInputs } : {}),
        });
        const rows = outcome.summary.rows;
        return {
            value: outcome,
            detail: `${outcome.reused ? "inputs unchanged since the recorded run, Spark not rerun; " : ""}Spark read ${plural(rows.read, "row")} from ${plural(outcome.rawObjects, "raw object")}, dropped ${rows.dropped}, removed ${rows.duplicates} duplicates, ${plural(outcome.curatedRows, "curated row")} read back; ${plural(outcome.objectsWritten, "curated object")} written`,
        };
    });
    const loaded = await step(`${prefix}load`, async () => {
        const partitionPrefix = `s3://${buckets.curated}/${dataset.name}/dt=${window.date}/`;
        const standIn = await syncCuratedFiles(warehouse, paths.export, partitionPrefix, transform.files);
        const startedAt = new Date();
        const result = await loadWindow(warehouse);
        // The loader's own lineage, as the deployed load function emits it (runtime/warehouse/handler.ts).
        await emitLoadLineage({ emitter: lineage.emitter, namespace: localLineageNamespace, table: warehouseDataset }, { dataset, curatedUri: `s3://${buckets.curated}`, startedAt, result });
        const rows = await countWindowRows(warehouse, window);
        return {
            value: rows,
            detail: `loader: ${plural(result.filesListed, "file")} listed, ${result.filesAlreadyLoaded} already in the ledger, ${result.filesLoaded} loaded in ${plural(result.batches.length, "batch")}; ${plural(rows, "row")} in ${warehouse.config.schema}.${dataset.name} for ${window.date}${standIn > 0 ? ` (${standIn} stand-in rows refreshed)` : ""}`,
        };
    });
    const quality = await step(`${prefix}quality`, async () => {
        const spark = await runQuality({ s3, ...quietQualityDeps(), lineage: qualityLineage }, { dataset: dataset.name, source: "sparkRun", summaryUri: transform.summaryUri, failOnError: false });
        const table = await warehouseQuality(warehouse, window, qualityLineage);
        const results = [...qualityResults(spark, "spark run"), ...qualityResults(table, "warehouse")];
        const failed = results.filter((result) => !result.passed).length;
        return { value: { results, passed: spark.passed && table.passed }, detail: `${results.length - failed} of ${results.length} checks passed (spark run ${spark.passed ? "passed" : "FAILED"}, warehouse ${table.passed ? "passed" : "FAILED"})` };
    });
    // The stream's window runs end once their records have all been consumed: the local ingest stage drained every
    // source before the transform read the raw zone, and rejects are consumed by nothing (some sit under their
    // ingest time, outside the window), so every window in either zone is finished: one COMPLETE per source and hour.
    const read = [...(await listObjects(s3, buckets.raw, `${dataset.name}/`)), ...(await listObjects(s3, buckets.rejects, `${dataset.name}/`))].map((object) => object.key);
    const completion = ingestWindowCompletions({ namespace: localLineageNamespace, dataset, rawBucket: buckets.raw, keys: read, completedAt: new Date() });
    if (completion) {
        await lineage.emitter.emit(completion.emissionId, completion.events);
    }
    return { transform, loaded, quality: quality.results, qualityPassed: quality.passed };
}

/** The record-count equations of a dataset that goes through the Spark transform and the loader. */
function transformedRun(dataset: DatasetDefinition, landing: LocalLanding, load: CuratedLoad, extra: readonly LocalInvariant[] = []): LocalDatasetRun {
    const sum = (pick: (source: LocalLanding["sources"][number]) => number) => landing.sources.reduce((total, source) => total + pick(source), 0);
    const counts = {
        produced: sum((source) => source.produced),
        landed: sum((source) => source.landed),
        rejected: sum((source) => source.rejected),
        rejectedByErrorType: landing.rejectedByErrorType,
        curated: load.transform.curatedRows,
        dropped: load.transform.summary.rows.dropped,
        duplicates: load.transform.summary.rows.duplicates,
        loaded: load.loaded,
    };
    return {
        dataset: dataset.name,
        source: dataset.source ?? "stream",
        sources: landing.sources,
        counts,
        invariants: [
            invariant("produced = landed + rejected", counts.produced === counts.landed + counts.rejected, `${count(counts.produced)} = ${count(counts.landed)} + ${count(counts.rejected)}`),
            ...landing.sources.map((source) => invariant(`${source.name}: produced = landed + rejected`, source.produced === source.landed + source.rejected, `${count(source.produced)} = ${count(source.landed)} + ${count(source.rejected)}`)),
            invariant(
                "curated = landed - dropped - de-duplicated",
                counts.curated === counts.landed - counts.dropped - counts.duplicates,
                `${count(counts.curated)} = ${count(counts.landed)} - ${count(counts.dropped)} - ${count(counts.duplicates)}`,
            ),
            invariant("loaded = curated", counts.loaded === counts.curated, `${count(counts.loaded)} = ${count(counts.curated)}`),
            invariant("quality passed (spark run and warehouse)", load.qualityPassed, `${load.quality.filter((result) => result.passed).length} of ${load.quality.length} checks passed`),
            ...extra,
        ],
        quality: load.quality,
    };
}

/** What the transform of orders read from the datasets it joins and converts with: a change reruns it. */
function joinedInputs(runDirectory: string, fxExport: string): string[] {
    const reference = path.join(runDirectory, "lake", "reference", customers.publishes?.name ?? customers.name);
    const csv = localFiles(reference)
        .filter((file) => file.endsWith(".csv"))
        .map((file) => fs.readFileSync(path.join(reference, file), "utf8"));
    return [...csv, fs.existsSync(fxExport) ? fs.readFileSync(fxExport, "utf8") : ""];
}

/**
 * Orders carry what they joined: amount_usd for every order whose currency has a rate for its day
 * (or is USD), and the customer's segment and country as the customers table in the warehouse has them.
 */
async function ordersJoinChecks(warehouse: LocalWarehouse, window: LocalWindow): Promise<LocalInvariant[]> {
    const schema = warehouse.config.schema;
    const orders = qualifiedName(schema, warehouse.config.dataset.name);
    const inWindow = `o."event_time" >= ${timestamptzLiteral(new Date(window.startMs))} AND o."event_time" < ${timestamptzLiteral(new Date(window.endMs))}`;
    const rates = (
        await warehouse.pool.query(
            `SELECT COUNT(*) FILTER (WHERE o."amount_usd" IS NOT NULL)::int AS converted, ` +
                `COUNT(*) FILTER (WHERE o."amount_usd" IS NULL AND (o."currency" = 'USD' OR EXISTS (SELECT 1 FROM ${qualifiedName(schema, fxRates.name)} r ` +
                `WHERE r."base_currency" = 'USD' AND r."quote_currency" = o."currency" AND r."rate_date" = (o."event_time" AT TIME ZONE 'UTC')::date)))::int AS missing, COUNT(*)::int AS total ` +
                `FROM ${orders} o WHERE ${inWindow}`,
        )
    ).rows[0] as { converted: number; missing: number; total: number };
    const people = (
        await warehouse.pool.query(
            `SELECT COUNT(*) FILTER (WHERE o."customer_segment" IS NOT NULL)::int AS joined, ` +
                `COUNT(*) FILTER (WHERE c."id" IS NULL OR o."customer_segment" IS DISTINCT FROM c."segment" OR o."customer_country" IS DISTINCT FROM c."country")::int AS different, COUNT(*)::int AS total ` +
                `FROM ${orders} o LEFT JOIN ${qualifiedName(schema, customers.name)} c ON c."id" = o."customer_id" WHERE ${inWindow}`,
        )
    ).rows[0] as { joined: number; different: number; total: number };
    return [
        invariant(
            "amount_usd filled for every order with a rate (or in USD)",
            rates.missing === 0 && rates.converted > 0,
            `${count(rates.converted)} of ${count(rates.total)} orders converted; ${count(rates.missing)} with a rate but no amount_usd`,
        ),
        invariant(
            "customer_segment and customer_country = the warehouse customers row",
            people.different === 0 && people.joined > 0,
            `${count(people.joined)} of ${count(people.total)} orders carry their customer's segment; ${count(people.different)} differ from ${schema}.${customers.name}`,
        ),
    ];
}

export async function runLocal(options: LocalRunOptions): Promise<LocalRunSummary> {
    const { settings, dataset, log } = options;
    const window = windowOf(options.date);
    const stages: LocalStage[] = [];
    const step: Step = async <T>(name: string, work: () => Promise<{ readonly value: T; readonly detail: string }>): Promise<T> => {
        const started = Date.now();
        log(`== ${name}\n`);
        const { value, detail } = await work();
        stages.push({ name, seconds: Math.round((Date.now() - started) / 100) / 10, detail });
        log(`   ${detail}\n`);
        return value;
    };

    const services = await step("services", async () => {
        const uses = await ensureServices(settings, log);
        writeServiceState(recordStarted(readServiceState(), uses, localServiceEnv(settings)));
        const started = uses.filter((use) => use.startedByThisRun).map((use) => use.name);
        return { value: uses, detail: `${uses.map((use) => use.name).join(", ")} up${started.length > 0 ? ` (started ${started.join(", ")})` : " (all reused)"}` };
    });

    const s3 = lakeS3Client(settings);
    const buckets = localBuckets;
    const lakeStore = localLakeStore(settings);
    const lineageEmitter = localLineageEmitter(lakeStore, buckets, log);
    const runDirectory = localRunDirectory();
    const warehouses = new Map([fxRates, storeInventory, dataset].map((definition) => [definition.name, openLocalWarehouse(settings, s3, definition, buckets)]));
    const ordersWarehouse = warehouses.get(dataset.name) as LocalWarehouse;
    try {
        const setup = await step("setup", async () => {
            const created = await ensureBuckets(s3, buckets);
            for (const warehouse of warehouses.values()) {
                await ensureLocalWarehouse(warehouse);
            }
            const python = await venvPython(settings, log);
            return {
                value: { python },
                detail: `buckets ${Object.values(buckets).join(", ")}${created.length > 0 ? ` (created ${created.length})` : ""}; warehouse schema ${ordersWarehouse.config.schema}; local lake ${path.relative(projectRoot, path.join(runDirectory, "lake"))}`,
            };
        });

        const lakeBuckets = [buckets.raw, buckets.rejects, buckets.curated, localDmsBucket, localLandingBucket];
        const snapshotRows = async () => {
            const rows = new Map<string, string>();
            for (const warehouse of [...warehouses.values(), { ...ordersWarehouse, config: { ...ordersWarehouse.config, dataset: customers } }]) {
                for (const [key, value] of await warehouseRowSnapshot(warehouse)) {
                    rows.set(key, value);
                }
            }
            return rows;
        };
        // The data only: lineage events under lineage/ of the raw bucket are a record of each run, so a second run adds its own.
        const snapshotLake = async () =>
            withoutPrefix(
                await snapshotObjects(s3, (await Promise.all(lakeBuckets.map(async (bucket) => ((await bucketExists(s3, bucket)) ? bucket : undefined)))).filter((bucket): bucket is string => bucket !== undefined)),
                `${buckets.raw}/${localLineagePrefix}/`,
            );
        const objectsBefore = await snapshotLake();
        const rowsBefore = await snapshotRows();
        const previousRun = (await listObjects(s3, buckets.raw, `${dataset.name}/dt=${window.date}/`)).length > 0;
        const lineage: LocalLineageRun = { settings, store: lakeStore, emitter: lineageEmitter, directory: path.join(runDirectory, "lake", "lineage") };
        const context: LocalSourceContext = { settings, s3, buckets, window, seed: options.seed, log, step, lineage: lineageEmitter, lineageEnv: localLineageEnv(buckets), ...(options.onProgress ? { onProgress: options.onProgress } : {}) };
        const runs: LocalDatasetRun[] = [];

        // customers: the reference orders join, and a table the warehouse keeps equal to its source.
        const customersLanding = await databaseSourceStage({ dataset: customers, ...localSourceSizes.customers }).land(context);
        const applied = await step(`${customers.name}: apply`, async () => {
            const outcome = await applyChanges({ s3, buckets, dataset: customers, runDirectory, python: setup.python, lineage: { directory: lineage.directory, store: lineage.store, namespace: localLineageNamespace } });
            return {
                value: outcome,
                detail: `${outcome.reused ? "changes unchanged since the recorded apply, Spark not rerun; " : ""}cdc_apply.py: ${plural(outcome.curatedRows, "row")} in the current state and the ${customers.publishes?.name ?? customers.name} reference; ${plural(outcome.objectsWritten, "curated object")} written`,
            };
        });
        const synced = await step(`${customers.name}: load`, async () => {
            const syncStartedAt = new Date();
            const loaded = await syncWarehouse({ pool: ordersWarehouse.pool, executor: ordersWarehouse.executor, schema: ordersWarehouse.config.schema, dataset: customers, rows: applied.rows, curatedBucket: buckets.curated });
            // The sync's run, as the deployed load function reports it; named by the state it made the table equal to.
            const syncId = createHash("sha256").update(applied.rows.map((row) => JSON.stringify(row)).sort().join("\n")).digest("hex").slice(0, 16);
            await emitSyncLineage(
                { emitter: lineage.emitter, namespace: localLineageNamespace, table: (table) => localWarehouseDataset(settings, settings.pgDatabase, ordersWarehouse.config.schema, table) },
                { dataset: customers, curatedUri: `s3://${buckets.curated}`, startedAt: syncStartedAt, syncId },
            );
            const compared = await compareWithSource({ pool: ordersWarehouse.pool, postgresUrl: settings.postgresUrl, schema: ordersWarehouse.config.schema, dataset: customers });
            return {
                value: { loaded, compared },
                detail: `warehouse sync (delete + MERGE): ${plural(loaded, "row")} in ${ordersWarehouse.config.schema}.${customers.name}; compared with the source table row by row: ${plural(compared.mismatches, "difference")}`,
            };
        });
        {
            const source = customersLanding.sources[0] as LocalLanding["sources"][number];
            const counts = { produced: source.produced, landed: source.landed, rejected: source.rejected, rejectedByErrorType: customersLanding.rejectedByErrorType, curated: applied.curatedRows, dropped: 0, duplicates: 0, loaded: synced.loaded };
            runs.push({
                dataset: customers.name,
                source: "database",
                sources: customersLanding.sources,
                counts,
                invariants: [
                    invariant("captured change rows = landed + rejected", counts.produced === counts.landed + counts.rejected, `${count(counts.produced)} = ${count(counts.landed)} + ${count(counts.rejected)}`),
                    invariant("curated = source table rows", counts.curated === synced.compared.sourceRows, `${count(counts.curated)} = ${count(synced.compared.sourceRows)}`),
                    invariant("loaded = curated", counts.loaded === counts.curated, `${count(counts.loaded)} = ${count(counts.curated)}`),
                    invariant(
                        "warehouse = source table, row by row",
                        synced.compared.mismatches === 0,
                        `${count(synced.compared.warehouseRows)} warehouse rows, ${count(synced.compared.sourceRows)} source rows, ${count(synced.compared.mismatches)} differences${synced.compared.firstMismatch ? ` (first: ${synced.compared.firstMismatch})` : ""}`,
                    ),
                ],
                quality: [],
            });
        }

        // fx_rates: the rates orders are converted with.
        const fxWarehouse = warehouses.get(fxRates.name) as LocalWarehouse;
        const fxLanding = await apiSourceStage({ dataset: fxRates, ...localSourceSizes.fxRates }).land(context);
        runs.push(transformedRun(fxRates, fxLanding, await curateAndLoad({ step, s3, prefix: `${fxRates.name}: `, warehouse: fxWarehouse, window, buckets, python: setup.python, log, lineage })));

        // store_inventory: partner files.
        const inventoryLanding = await fileSourceStage({ dataset: storeInventory, ...localSourceSizes.storeInventory }).land(context);
        runs.push(
            transformedRun(storeInventory, inventoryLanding, await curateAndLoad({ step, s3, prefix: `${storeInventory.name}: `, warehouse: warehouses.get(storeInventory.name) as LocalWarehouse, window, buckets, python: setup.python, log, lineage })),
        );

        // orders: the stream, joined with customers and converted with fx_rates.
        const ordersLanding = await streamSourceStage({ dataset, kafkaCount: options.kafkaCount, kinesisCount: options.kinesisCount, badRatio: options.badRatio, resendEvery: options.resendEvery }).land(context);
        const ordersLoad = await curateAndLoad({
            step,
            s3,
            prefix: "",
            warehouse: ordersWarehouse,
            window,
            buckets,
            python: setup.python,
            log,
            lineage,
            extraInputs: joinedInputs(runDirectory, localLakePaths(runDirectory, fxRates).export),
        });
        const query = await step("query", async () => {
            const answer = await salesQuery(ordersWarehouse, window);
            return { value: answer, detail: `${plural(answer.rows.length, "row")}: sales per region and day` };
        });
        const ordersRun = transformedRun(dataset, ordersLanding, ordersLoad, await ordersJoinChecks(ordersWarehouse, window));
        runs.push(ordersRun);

        const lineageSummary = await step("lineage", async () => {
            const graph = lineageGraph(await readLocalLineage(lakeStore, buckets));
            const connectivity = lineageConnectivity(graph, localLandingBucket);
            const value = { events: graph.events, emitFailures: lineageEmitter.failures(), jobs: graph.jobs, datasets: graph.datasets, edges: graph.edges, ...connectivity };
            return {
                value,
                detail: `${plural(graph.events, "event")} under s3://${buckets.raw}/${localLineagePrefix}/: ${plural(graph.jobs.length, "job")}, ${plural(graph.datasets.length, "dataset")}, ${plural(graph.edges.length, "edge")}; ${connectivity.sources.length} sources reach ${connectivity.warehouseTables.length - connectivity.unreachedTables.length} of ${plural(connectivity.warehouseTables.length, "warehouse table")}${connectivity.strandedSources.length > 0 ? `; stranded: ${connectivity.strandedSources.join(", ")}` : ""}`,
            };
        });
        const objectsAfter = await snapshotLake();
        const rowsAfter = await snapshotRows();
        const changed = { objects: changedEntries(objectsBefore, objectsAfter), rows: changedEntries(rowsBefore, rowsAfter) };
        const ok = runs.every((run) => run.invariants.every((check) => check.holds)) && (!previousRun || (changed.objects === 0 && changed.rows === 0));
        const summary: LocalRunSummary = {
            ok,
            dataset: dataset.name,
            datasets: runs,
            window: { from: window.date, to: window.date },
            services,
            stages,
            sources: ordersRun.sources,
            counts: ordersRun.counts,
            quality: ordersRun.quality,
            query,
            lineage: lineageSummary,
            ...(previousRun ? { changedSincePreviousRun: changed } : {}),
        };
        const report = path.join(runDirectory, "report.html");
        fs.writeFileSync(report, renderLocalReport(summary));
        log(`   report written to ${path.relative(process.cwd(), report)}\n`);
        return { ...summary, report: path.relative(process.cwd(), report) };
    } finally {
        for (const warehouse of warehouses.values()) {
            await warehouse.close();
        }
        s3.destroy();
    }
}

/** A snapshot without the entries under one `bucket/prefix`. */
function withoutPrefix(snapshot: Map<string, string>, prefix: string): Map<string, string> {
    return new Map([...snapshot].filter(([key]) => !key.startsWith(prefix)));
}

async function bucketExists(s3: ReturnType<typeof lakeS3Client>, bucket: string): Promise<boolean> {
    const sdk = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    try {
        await s3.send(new sdk.HeadBucketCommand({ Bucket: bucket }));
        return true;
    } catch {
        return false;
    }
}

/** `npm run local -- --down`: stops the services npm run local started, nothing else. */
export async function stopLocal(log: (text: string) => void): Promise<string[]> {
    return stopStartedServices(log);
}
