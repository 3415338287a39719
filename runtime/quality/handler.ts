import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DatasetDefinition, datasets as allDatasets, getDataset } from "../datasets";
import { warehouseSettingsFromEnv } from "../warehouse/config";
import { DataApiExecutor } from "../warehouse/dataApi";
import { StatementRunner } from "../warehouse/loader";
import { parseS3Uri } from "../warehouse/manifest";
import { qualityEmfLines, runSummaryEmfLines } from "./emf";
import { QualityGateFailedError, QualityInputError } from "./errors";
import { evaluateQuality, QualityReport } from "./evaluate";
import { metricsFromRow, qualityMetricsSql } from "./sql";
import { parseRunSummary } from "./summary";

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
    /** Receives each EMF line. Defaults to console.log (stdout → CloudWatch Logs → metrics). */
    readonly emit?: (line: string) => void;
    readonly namespace?: string;
    readonly dimensions?: Readonly<Record<string, string>>;
    readonly datasets?: readonly DatasetDefinition[];
}

function instant(value: string, name: string): Date {
    const parsed = new Date(value);
    if (typeof value !== "string" || Number.isNaN(parsed.getTime())) {
        throw new QualityInputError(`${name} must be an ISO-8601 timestamp; found ${JSON.stringify(value)}`);
    }
    return parsed;
}

/** Computes or reads the metrics, evaluates the dataset's checks, emits EMF and applies the gate. */
export async function runQuality(deps: QualityDeps, event: QualityEvent): Promise<QualityReport> {
    const dataset = getDataset(event.dataset, deps.datasets ?? allDatasets);
    const emit = deps.emit ?? ((line: string) => console.log(line));
    const emfOptions = { namespace: deps.namespace, dimensions: deps.dimensions };
    let report: QualityReport;
    if (event.source === "sparkRun") {
        if (!deps.s3) {
            throw new QualityInputError("source 'sparkRun' needs an S3 client");
        }
        const { bucket, key } = parseS3Uri(event.summaryUri);
        const object = await deps.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const summary = parseRunSummary(await (object.Body as { transformToString(): Promise<string> }).transformToString(), event.summaryUri);
        if (summary.dataset !== dataset.name) {
            throw new QualityInputError(`${event.summaryUri} is a summary of dataset '${summary.dataset}', not '${dataset.name}'; pass the matching summaryUri`);
        }
        runSummaryEmfLines(summary, emfOptions).forEach(emit);
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
    qualityEmfLines(report, emfOptions).forEach(emit);
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
    const deps: QualityDeps = {
        s3: options.s3 ?? new S3Client({}),
        warehouse: settings ? new DataApiExecutor(options.redshiftData ?? new RedshiftDataClient({}), settings.target, { timeoutMs: settings.timeoutMs }) : undefined,
        schema: settings?.schema,
        namespace: env.QUALITY_METRICS_NAMESPACE || undefined,
        dimensions: env.PLATFORM_ENVIRONMENT ? { Environment: env.PLATFORM_ENVIRONMENT } : undefined,
    };
    return (event) => runQuality(deps, event);
}
