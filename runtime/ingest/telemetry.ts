import { describeError } from "../common";
import { BatchSummary } from "./accounting";
import { SourceEngine } from "./types";

/**
 * How the ingest function reports each batch: one structured log line and one set of EMF
 * metrics. The interface keeps the handler testable; `createPowertoolsTelemetry` is the
 * production implementation (Powertools Logger and Metrics, loaded inside the function so the
 * handler stays serializable).
 */
export interface IngestTelemetry {
    /** Attaches the Lambda context (request id, function name) to subsequent log lines. */
    setContext(context: unknown): void;
    /** A batch was planned and written (possibly with failed objects). */
    batchProcessed(summary: BatchSummary, durationMs: number): void;
    /** The batch could not be processed at all (for example a malformed event); it will be retried. */
    batchErrored(error: unknown, durationMs: number): void;
}

/** Metric names published per batch (unit Count unless noted), with dimensions `service`, `dataset`, `engine`. */
export const ingestMetricNames = {
    recordsIn: "RecordsIn",
    recordsLanded: "RecordsLanded",
    recordsRejected: "RecordsRejected",
    recordsFailed: "RecordsFailed",
    recordsAlreadyStored: "RecordsAlreadyStored",
    objectsWritten: "ObjectsWritten",
    objectsAlreadyPresent: "ObjectsAlreadyPresent",
    objectKeyConflicts: "ObjectKeyConflicts",
    objectWriteFailures: "ObjectWriteFailures",
    bytesWritten: "BytesWritten",
    batchFailures: "BatchFailures",
    /** Milliseconds. */
    batchDuration: "BatchDuration",
    /** Extra dimension `errorType`. */
    recordsRejectedByType: "RecordsRejectedByType",
} as const;

/** Defaults to `DataPlatform/Ingest` when METRICS_NAMESPACE is not set. */
export const defaultMetricsNamespace = "DataPlatform/Ingest";

export interface PowertoolsTelemetryOptions {
    readonly namespace: string;
    readonly serviceName: string;
    readonly dataset: string;
    readonly engine: SourceEngine;
}

/** Telemetry through Powertools: JSON logs to stdout and CloudWatch EMF metrics. */
export function createPowertoolsTelemetry(options: PowertoolsTelemetryOptions): IngestTelemetry {
    const { Logger } = require("@aws-lambda-powertools/logger") as typeof import("@aws-lambda-powertools/logger");
    const { Metrics, MetricUnit } = require("@aws-lambda-powertools/metrics") as typeof import("@aws-lambda-powertools/metrics");
    const logger = new Logger({ serviceName: options.serviceName, persistentKeys: { dataset: options.dataset, engine: options.engine } });
    const metrics = new Metrics({ namespace: options.namespace, serviceName: options.serviceName, defaultDimensions: { dataset: options.dataset, engine: options.engine } });
    const names = ingestMetricNames;

    const setContext = (context: unknown) => {
        if (typeof context === "object" && context !== null && "awsRequestId" in context) {
            logger.addContext(context as Parameters<typeof logger.addContext>[0]);
        }
    };

    const batchProcessed = (summary: BatchSummary, durationMs: number) => {
        const details = {
            accounting: summary.counts,
            datasetVersion: summary.datasetVersion,
            rejectedByType: summary.rejectedByType,
            alreadyStoredRecords: summary.alreadyStoredRecords,
            objects: summary.objects,
            sources: summary.sources,
            durationMs,
        };
        for (const conflict of summary.conflicts) {
            logger.warn("object key already held different content; stored under a content-derived key", { conflict });
        }
        if (summary.failures.length > 0) {
            logger.error("ingest batch partly failed; failed records will be redelivered", { ...details, failures: summary.failures });
        } else {
            logger.info("ingest batch processed", details);
        }
        const c = summary.counts;
        metrics.addMetric(names.recordsIn, MetricUnit.Count, c.in);
        metrics.addMetric(names.recordsLanded, MetricUnit.Count, c.landed);
        metrics.addMetric(names.recordsRejected, MetricUnit.Count, c.rejected);
        metrics.addMetric(names.recordsFailed, MetricUnit.Count, c.failed);
        metrics.addMetric(names.recordsAlreadyStored, MetricUnit.Count, summary.alreadyStoredRecords);
        metrics.addMetric(names.objectsWritten, MetricUnit.Count, summary.objects.written);
        metrics.addMetric(names.objectsAlreadyPresent, MetricUnit.Count, summary.objects.alreadyPresent);
        metrics.addMetric(names.objectKeyConflicts, MetricUnit.Count, summary.objects.conflicts);
        metrics.addMetric(names.objectWriteFailures, MetricUnit.Count, summary.objects.failed);
        metrics.addMetric(names.bytesWritten, MetricUnit.Bytes, summary.objects.bytes);
        metrics.addMetric(names.batchFailures, MetricUnit.Count, summary.objects.failed > 0 ? 1 : 0);
        metrics.addMetric(names.batchDuration, MetricUnit.Milliseconds, durationMs);
        metrics.publishStoredMetrics();
        for (const [errorType, count] of Object.entries(summary.rejectedByType)) {
            const single = metrics.singleMetric();
            single.addDimension("errorType", errorType);
            single.addMetric(names.recordsRejectedByType, MetricUnit.Count, count ?? 0);
        }
    };

    const batchErrored = (error: unknown, durationMs: number) => {
        logger.error("ingest batch could not be processed; it will be redelivered", { error: describeError(error), durationMs });
        metrics.addMetric(names.batchFailures, MetricUnit.Count, 1);
        metrics.addMetric(names.batchDuration, MetricUnit.Milliseconds, durationMs);
        metrics.publishStoredMetrics();
    };

    return { setContext, batchProcessed, batchErrored };
}
