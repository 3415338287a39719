import * as fs from "fs";
import * as path from "path";
import { DatasetDefinition } from "../datasets";
import { runQuality } from "../quality/handler";
import { QualityReport } from "../quality/evaluate";
import { ensureBuckets, lakeS3Client, listObjects, localBuckets, SourceLakeCounts, snapshotObjects, changedEntries, totalOf } from "./lake";
import { runIngestStage } from "./ingestStage";
import { ensureServices, localRunDirectory, projectRoot, readServiceState, recordStarted, stopStartedServices, writeServiceState } from "./services";
import { LocalSettings, localServiceEnv } from "./settings";
import { LocalSourcePlan, produceSource, sourceClients, windowOf } from "./sources";
import { LocalQualityResult, LocalRunSummary, LocalSourceCounts, LocalStage } from "./summary";
import { renderLocalReport } from "./report";
import { localLakePaths, runTransformStage } from "./transformStage";
import { countWindowRows, ensureLocalWarehouse, loadWindow, openLocalWarehouse, quietQualityDeps, salesQuery, syncCuratedFiles, warehouseQuality, warehouseRowSnapshot } from "./warehouseStage";
import { LocalRunError } from "./errors";

/**
 * `npm run local`: the whole platform on this machine, from nothing. Starts (or reuses) the local
 * services, produces one UTC day of orders into Kafka and Kinesis, ingests them with the real
 * handler, runs the Spark job over the day, loads the warehouse with the platform's loader, judges
 * quality on the Spark run and on the warehouse, and queries sales per region and day. Every figure
 * of the summary is measured (objects listed and read, rows counted); a second run of the same
 * window measures what it changed, which is nothing when exactly-once holds.
 */

export interface LocalRunOptions {
    readonly settings: LocalSettings;
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

/**
 * The generator seed of one source in one window: the run's --seed mixed with the date and the
 * engine (FNV-1a, 32 bits). Order IDs follow from the seed alone, so without the date two windows
 * would send the same orders, and the warehouse MERGE (keyed by order_id) would move rows from one
 * window to the other; without the engine the two sources would carry the same orders.
 */
export function sourceSeed(seed: number, date: string, engine: string): number {
    let hash = 0x811c9dc5;
    for (const byte of Buffer.from(`${seed}/${date}/${engine}`, "utf8")) {
        hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
    }
    return hash;
}

export function sourcePlans(options: Pick<LocalRunOptions, "dataset" | "date" | "kafkaCount" | "kinesisCount" | "seed" | "badRatio" | "resendEvery">): LocalSourcePlan[] {
    // One topic and one stream per window and engine: object keys name the source, so each is counted on its own.
    const stream = (engine: string) => `${options.dataset.name}-${engine}-${options.date}`;
    const plans: LocalSourcePlan[] = [];
    if (options.kafkaCount > 0) {
        plans.push({ engine: "msk", name: `${options.dataset.name} via msk`, stream: stream("msk"), seed: sourceSeed(options.seed, options.date, "msk"), count: options.kafkaCount, badRatio: options.badRatio, resendEvery: options.resendEvery });
    }
    if (options.kinesisCount > 0) {
        plans.push({ engine: "kinesis", name: `${options.dataset.name} via kinesis`, stream: stream("kinesis"), seed: sourceSeed(options.seed, options.date, "kinesis"), count: options.kinesisCount, badRatio: options.badRatio, resendEvery: options.resendEvery });
    }
    return plans;
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

function plural(count: number, word: string): string {
    return `${count.toLocaleString("en-US")} ${word}${count === 1 ? "" : /(s|sh|ch|x)$/.test(word) ? "es" : "s"}`;
}

export async function runLocal(options: LocalRunOptions): Promise<LocalRunSummary> {
    const { settings, dataset, log } = options;
    const window = windowOf(options.date);
    const stages: LocalStage[] = [];
    const timed = async <T>(name: string, work: () => Promise<{ value: T; detail: string }>): Promise<T> => {
        const started = Date.now();
        log(`== ${name}\n`);
        const { value, detail } = await work();
        stages.push({ name, seconds: Math.round((Date.now() - started) / 100) / 10, detail });
        log(`   ${detail}\n`);
        return value;
    };

    const services = await timed("services", async () => {
        const uses = await ensureServices(settings, log);
        writeServiceState(recordStarted(readServiceState(), uses, localServiceEnv(settings)));
        const started = uses.filter((use) => use.startedByThisRun).map((use) => use.name);
        return { value: uses, detail: `${uses.map((use) => use.name).join(", ")} up${started.length > 0 ? ` (started ${started.join(", ")})` : " (all reused)"}` };
    });

    const s3 = lakeS3Client(settings);
    const buckets = localBuckets;
    const paths = localLakePaths(localRunDirectory(), dataset);
    const warehouse = openLocalWarehouse(settings, s3, dataset, buckets);
    try {
        const setup = await timed("setup", async () => {
            const created = await ensureBuckets(s3, buckets);
            await ensureLocalWarehouse(warehouse);
            const python = await venvPython(settings, log);
            return { value: { python }, detail: `buckets ${Object.values(buckets).join(", ")}${created.length > 0 ? ` (created ${created.length})` : ""}; warehouse schema ${warehouse.config.schema}; local lake ${path.relative(projectRoot, path.dirname(paths.raw))}` };
        });

        const lakeBuckets = [buckets.raw, buckets.rejects, buckets.curated];
        const objectsBefore = await snapshotObjects(s3, lakeBuckets);
        const rowsBefore = await warehouseRowSnapshot(warehouse);
        const previousRun = (await listObjects(s3, buckets.raw, `${dataset.name}/dt=${window.date}/`)).length > 0;

        const plans = sourcePlans(options);
        const produced = await timed("produce", async () => {
            const outcomes = [];
            for (const plan of plans) {
                const outcome = await produceSource(plan, window, sourceClients(plan, settings), (sent, total) => options.onProgress?.(`produce ${plan.name}`, sent, total));
                outcomes.push({ plan, ...outcome });
            }
            const sent = outcomes.reduce((sum, outcome) => sum + outcome.sent, 0);
            return {
                value: outcomes,
                detail: `${outcomes.map((outcome) => `${plural(outcome.inSource, "record")} in ${outcome.plan.stream} (${outcome.plan.engine})`).join(" and ")}${sent === 0 ? "; already produced, nothing sent" : `; sent ${plural(sent, "record")}`}`,
            };
        });

        const lake = await timed("ingest", async () => {
            const counts = await runIngestStage({
                settings,
                s3,
                buckets,
                dataset: dataset.name,
                sources: produced.map((outcome) => ({ plan: outcome.plan, inSource: outcome.inSource })),
                log,
                onProgress: (done, total) => options.onProgress?.("ingest", done, total),
            });
            const landed = produced.reduce((sum, outcome) => sum + totalOf(counts.get(outcome.plan.stream)?.rawByDt ?? {}), 0);
            const rejected = produced.reduce((sum, outcome) => sum + totalOf(counts.get(outcome.plan.stream)?.rejectedByType ?? {}), 0);
            return { value: counts, detail: `${plural(landed, "record")} in the raw zone, ${plural(rejected, "record")} in the rejects zone (measured from the objects)` };
        });

        const transform = await timed("transform", async () => {
            const outcome = await runTransformStage({ s3, buckets, dataset, window, paths, python: setup.python, log });
            const rows = outcome.summary.rows;
            return {
                value: outcome,
                detail: `${outcome.reused ? "inputs unchanged since the recorded run, Spark not rerun; " : ""}Spark read ${plural(rows.read, "row")} from ${plural(outcome.rawObjects, "raw object")}, dropped ${rows.dropped}, removed ${rows.duplicates} duplicates, ${plural(outcome.curatedRows, "curated row")} read back; ${plural(outcome.objectsWritten, "curated object")} written`,
            };
        });

        const loaded = await timed("load", async () => {
            const partitionPrefix = `s3://${buckets.curated}/${dataset.name}/dt=${window.date}/`;
            const standIn = await syncCuratedFiles(warehouse, paths.export, partitionPrefix, transform.files);
            const result = await loadWindow(warehouse);
            const rows = await countWindowRows(warehouse, window);
            return {
                value: rows,
                detail: `loader: ${plural(result.filesListed, "file")} listed, ${result.filesAlreadyLoaded} already in the ledger, ${result.filesLoaded} loaded in ${plural(result.batches.length, "batch")}; ${plural(rows, "row")} in ${warehouse.config.schema}.${dataset.name} for ${window.date}${standIn > 0 ? ` (${standIn} stand-in rows refreshed)` : ""}`,
            };
        });

        const quality = await timed("quality", async () => {
            const spark = await runQuality({ s3, ...quietQualityDeps() }, { dataset: dataset.name, source: "sparkRun", summaryUri: transform.summaryUri, failOnError: false });
            const table = await warehouseQuality(warehouse, window);
            const results = [...qualityResults(spark, "spark run"), ...qualityResults(table, "warehouse")];
            const failed = results.filter((result) => !result.passed).length;
            return { value: { results, passed: spark.passed && table.passed }, detail: `${results.length - failed} of ${results.length} checks passed (spark run ${spark.passed ? "passed" : "FAILED"}, warehouse ${table.passed ? "passed" : "FAILED"})` };
        });

        const query = await timed("query", async () => {
            const answer = await salesQuery(warehouse, window);
            return { value: answer, detail: `${plural(answer.rows.length, "row")}: sales per region and day` };
        });

        const objectsAfter = await snapshotObjects(s3, lakeBuckets);
        const rowsAfter = await warehouseRowSnapshot(warehouse);
        const changed = { objects: changedEntries(objectsBefore, objectsAfter), rows: changedEntries(rowsBefore, rowsAfter) };

        const sources: LocalSourceCounts[] = produced.map((outcome) => {
            const counts: SourceLakeCounts | undefined = lake.get(outcome.plan.stream);
            return { name: outcome.plan.name, produced: outcome.inSource, landed: counts?.rawByDt[window.date] ?? 0, rejected: totalOf(counts?.rejectedByType ?? {}) };
        });
        const rejectedByErrorType: Record<string, number> = {};
        for (const outcome of produced) {
            for (const [type, count] of Object.entries(lake.get(outcome.plan.stream)?.rejectedByType ?? {})) {
                rejectedByErrorType[type] = (rejectedByErrorType[type] ?? 0) + count;
            }
        }
        const counts = {
            produced: sources.reduce((sum, source) => sum + source.produced, 0),
            landed: sources.reduce((sum, source) => sum + source.landed, 0),
            rejected: sources.reduce((sum, source) => sum + source.rejected, 0),
            rejectedByErrorType: Object.fromEntries(Object.entries(rejectedByErrorType).sort(([a], [b]) => a.localeCompare(b))),
            curated: transform.curatedRows,
            dropped: transform.summary.rows.dropped,
            duplicates: transform.summary.rows.duplicates,
            loaded,
        };
        const ok =
            counts.produced === counts.landed + counts.rejected &&
            counts.curated === counts.landed - counts.dropped - counts.duplicates &&
            counts.loaded === counts.curated &&
            quality.passed &&
            (!previousRun || (changed.objects === 0 && changed.rows === 0));
        const summary: LocalRunSummary = {
            ok,
            dataset: dataset.name,
            window: { from: window.date, to: window.date },
            services,
            stages,
            sources,
            counts,
            quality: quality.results,
            query,
            ...(previousRun ? { changedSincePreviousRun: changed } : {}),
        };
        const report = path.join(localRunDirectory(), "report.html");
        fs.writeFileSync(report, renderLocalReport(summary));
        log(`   report written to ${path.relative(process.cwd(), report)}\n`);
        return { ...summary, report: path.relative(process.cwd(), report) };
    } finally {
        await warehouse.close();
        s3.destroy();
    }
}

/** `npm run local -- --down`: stops the services npm run local started, nothing else. */
export async function stopLocal(log: (text: string) => void): Promise<string[]> {
    return stopStartedServices(log);
}
