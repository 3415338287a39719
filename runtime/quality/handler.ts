import type { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import type { S3Client } from "@aws-sdk/client-s3";
import { createLogger, Logger, Metrics } from "../common/telemetry";
import { databaseDatasets, DatasetDefinition, datasets as streamDatasets, getDataset } from "../datasets";
import { warehouseSettingsFromEnv } from "../warehouse/config";
import { DataApiExecutor } from "../warehouse/dataApi";
import { StatementRunner } from "../warehouse/loader";
import { parseS3Uri } from "../warehouse/manifest";
import { warehouseTableDataset } from "../warehouse/lineage";
import { datasetNames, DatasetRef, functionLineage } from "../lineage";
import { QualityGateFailedError, QualityInputError } from "./errors";
import { emitQualityEnd, emitQualityStart, QualityLineageOptions, QualityRun } from "./lineage";
import { evaluateQuality, QualityReport } from "./evaluate";
import { metricsFromRow, qualityMetricsSql } from "./sql";
import { parseRunSummary, SparkRunSummary } from "./summary";
import { ingestWindowCompletionsOf } from "../ingest/lineage";
import { createQualityMetrics, publishQualityReport, publishRunSummary } from "./telemetry";

/**
 * What the orchestrator sends after the Spark job (`sparkRun`: judge the run summary's metrics) or
 * after the warehouse load (`warehouse`: query the target table for the event-time window).
 * `failOnError` (default true) makes an error-level failure throw `QualityGateFailedError`, so a
 * Step Functions Catch can route it; with false the report is returned either way.
 */
export type QualityEvent =
    | { readonly dataset: string; readonly source: "sparkRun"; readonly summaryUri: string; readonly failOnError?: boolean }
    | { readonly dataset: string; readonly source: "warehouse"; readonly start: string; readonly end: string; readonly failOnError?: boolean };

export interface QualityDeps {
    readonly s3?: Pick<S3Client, "send">;
    readonly warehouse?: StatementRunner;
    /** Schema of the warehouse tables. Defaults to `analytics`. */
    readonly schema?: string;
    /** Where the metrics go (EMF on stdout → CloudWatch Logs → metrics). Defaults to `createQualityMetrics()`. */
    readonly metrics?: Metrics;
    /** Where the report is logged. Defaults to a Powertools Logger with service `quality`. */
    readonly logger?: Logger;
    readonly datasets?: readonly DatasetDefinition[];
    /** Where lineage events go. Defaults to none. */
    readonly lineage?: QualityLineageOptions & {
        /** The warehouse table as an OpenLineage dataset (source `warehouse`). Defaults to none. */
        readonly warehouseDataset?: (table: string) => DatasetRef;
    };
}

function instant(value: string, name: string): Date {
    const parsed = new Date(value);
    if (typeof value !== "string" || Number.isNaN(parsed.getTime())) {
        throw new QualityInputError(`${name} must be an ISO-8601 timestamp; found ${JSON.stringify(value)}`);
    }
    return parsed;
}

/** Computes or reads the metrics, evaluates the dataset's checks, publishes the metrics, logs the report and applies the gate. */
export async function runQuality(deps: QualityDeps, event: QualityEvent): Promise<QualityReport> {
    const lineage = deps.lineage;
    if (!lineage) {
        return judge(deps, event);
    }
    const dataset = getDataset(event.dataset, deps.datasets ?? [...streamDatasets, ...databaseDatasets]);
    const run: QualityRun = { dataset: dataset.name, source: event.source, subject: event.source === "sparkRun" ? event.summaryUri : `${event.start}/${event.end}` };
    const judged = judgedDataset(event, dataset.name, lineage.warehouseDataset);
    await emitQualityStart(lineage, run);
    try {
        const report = await judge(deps, event);
        await emitQualityEnd(lineage, run, { ...(judged ? { judged } : {}), checks: dataset.quality, report });
        return report;
    } catch (error) {
        const report = error instanceof QualityGateFailedError ? error.report : undefined;
        await emitQualityEnd(lineage, run, { ...(judged ? { judged } : {}), checks: dataset.quality, ...(report ? { report } : {}), error });
        throw error;
    }
}

/**
 * The stream windows the transform consumed are finished: no ingest invocation sees a window's
 * last record, so the step after the transform reports them COMPLETE (the same run ids as the
 * ingest's START and OTHER events), from the windows its run summary lists.
 */
async function completeIngestWindows(lineage: NonNullable<QualityDeps["lineage"]>, dataset: DatasetDefinition, summary: SparkRunSummary): Promise<void> {
    // A local run's job reads a directory (its run reports the windows itself, runtime/local/run.ts).
    if (!summary.inputs.rawUri?.startsWith("s3://") || !summary.inputs.windows) {
        return;
    }
    const completion = ingestWindowCompletionsOf({ namespace: lineage.namespace, dataset, rawBucket: parseS3Uri(summary.inputs.rawUri).bucket, windows: summary.inputs.windows, completedAt: new Date() });
    if (completion) {
        await lineage.emitter.emit(completion.emissionId, completion.events);
    }
}

/** The dataset a quality step judges: the Spark run's curated prefix, or the warehouse table. */
function judgedDataset(event: QualityEvent, dataset: string, warehouseDataset: ((table: string) => DatasetRef) | undefined): DatasetRef | undefined {
    if (event.source === "sparkRun") {
        try {
            // The curated table the summary describes: `<dataset>/` of the bucket the summary sits in, as the transform names its output.
            const { bucket } = parseS3Uri(event.summaryUri);
            return datasetNames.s3(bucket, dataset);
        } catch {
            return undefined;
        }
    }
    return warehouseDataset?.(dataset);
}

async function judge(deps: QualityDeps, event: QualityEvent): Promise<QualityReport> {
    const dataset = getDataset(event.dataset, deps.datasets ?? [...streamDatasets, ...databaseDatasets]);
    const logger = deps.logger ?? createLogger({ serviceName: "quality" });
    const metrics = deps.metrics ?? createQualityMetrics({ logger });
    let report: QualityReport;
    if (event.source === "sparkRun") {
        if (!deps.s3) {
            throw new QualityInputError("source 'sparkRun' needs an S3 client");
        }
        const { bucket, key } = parseS3Uri(event.summaryUri);
        // Loaded here, not at module scope: see runtime/common/telemetry.ts for why deployed code loads the SDK lazily.
        const sdk = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
        const object = await deps.s3.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
        const summary = parseRunSummary(await (object.Body as { transformToString(): Promise<string> }).transformToString(), event.summaryUri);
        if (summary.dataset !== dataset.name) {
            throw new QualityInputError(`${event.summaryUri} is a summary of dataset '${summary.dataset}', not '${dataset.name}'; pass the matching summaryUri`);
        }
        publishRunSummary(metrics, summary);
        if (deps.lineage) {
            await completeIngestWindows(deps.lineage, dataset, summary);
        }
        report = evaluateQuality(dataset.quality, summary.qualityMetrics, { dataset: dataset.name, source: "sparkRun", referenceTime: new Date(summary.range.end) });
    } else if (event.source === "warehouse") {
        if (!deps.warehouse) {
            throw new QualityInputError("source 'warehouse' needs a warehouse statement runner");
        }
        const window = { start: instant(event.start, "start"), end: instant(event.end, "end") };
        const sql = qualityMetricsSql(dataset, { schema: deps.schema ?? "analytics", window });
        const rows = await deps.warehouse.query(sql, `${dataset.name}: quality metrics`);
        if (rows.length !== 1) {
            throw new QualityInputError(`the quality metrics query returned ${rows.length} rows; expected exactly 1`);
        }
        report = evaluateQuality(dataset.quality, metricsFromRow(dataset.quality, rows[0]), { dataset: dataset.name, source: "warehouse", referenceTime: window.end });
    } else {
        throw new QualityInputError(`event.source must be 'sparkRun' or 'warehouse'; found ${JSON.stringify((event as { source?: unknown }).source)}`);
    }
    publishQualityReport(metrics, report);
    const failed = report.results.filter((result) => !result.passed).map((result) => ({ check: result.name, level: result.level, message: result.message }));
    if (report.passed) {
        logger.info("quality checks passed", { dataset: report.dataset, source: report.source, warnFailures: report.warnFailures, failed });
    } else {
        logger.error("an error-level quality check failed", { dataset: report.dataset, source: report.source, errorFailures: report.errorFailures, warnFailures: report.warnFailures, failed });
    }
    if (!report.passed && (event.failOnError ?? true)) {
        throw new QualityGateFailedError(report);
    }
    return report;
}

export interface QualityHandlerOptions {
    /** Defaults to process.env: QUALITY_METRICS_NAMESPACE, PLATFORM_ENVIRONMENT and the WAREHOUSE_* variables. */
    readonly env?: Readonly<Record<string, string | undefined>>;
    readonly s3?: S3Client;
    readonly redshiftData?: RedshiftDataClient;
}

/**
 * A Lambda handler for the quality step. The warehouse source is available when WAREHOUSE_DATABASE
 * is set (see runtime/warehouse/config.ts); metrics go to QUALITY_METRICS_NAMESPACE (defaults to
 * DataPlatform/Quality) with an Environment dimension when PLATFORM_ENVIRONMENT is set.
 */
export function createQualityHandler(options: QualityHandlerOptions = {}): (event: QualityEvent) => Promise<QualityReport> {
    const env = options.env ?? process.env;
    const settings = env.WAREHOUSE_DATABASE ? warehouseSettingsFromEnv(env) : undefined;
    // The SDK is required here, once per cold start, for the reason in runtime/common/telemetry.ts.
    const s3 = options.s3 ?? new (require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3")).S3Client({});
    const redshiftData = (): RedshiftDataClient =>
        options.redshiftData ?? new (require("@aws-sdk/client-redshift-data") as typeof import("@aws-sdk/client-redshift-data")).RedshiftDataClient({});
    const logger = createLogger({ serviceName: "quality", ...(env.PLATFORM_ENVIRONMENT ? { persistentKeys: { environment: env.PLATFORM_ENVIRONMENT } } : {}) });
    const lineageMetrics = createQualityMetrics({ logger, ...(env.QUALITY_METRICS_NAMESPACE ? { namespace: env.QUALITY_METRICS_NAMESPACE } : {}) });
    const emitting = functionLineage({
        env,
        onFailure: (failure) => {
            logger.warn("lineage events could not be delivered; the quality step is unaffected", { transport: failure.transport, error: failure.message });
            lineageMetrics.addMetric("LineageEmitFailures", "Count", 1);
            lineageMetrics.publishStoredMetrics();
        },
    });
    const lineage: QualityDeps["lineage"] = emitting
        ? {
              ...emitting,
              ...(settings ? { warehouseDataset: warehouseTableDataset(settings.target, settings.schema, env.AWS_REGION ?? "us-east-1") } : {}),
          }
        : undefined;
    const deps: QualityDeps = {
        ...(lineage ? { lineage } : {}),
        s3,
        warehouse: settings ? new DataApiExecutor(redshiftData(), settings.target, { timeoutMs: settings.timeoutMs }) : undefined,
        schema: settings?.schema,
        logger,
        metrics: createQualityMetrics({
            logger,
            ...(env.QUALITY_METRICS_NAMESPACE ? { namespace: env.QUALITY_METRICS_NAMESPACE } : {}),
            ...(env.PLATFORM_ENVIRONMENT ? { dimensions: { Environment: env.PLATFORM_ENVIRONMENT } } : {}),
        }),
    };
    return (event) => runQuality(deps, event);
}
