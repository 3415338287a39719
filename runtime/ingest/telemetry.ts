import { describeError } from "../common/errors";
import { addLambdaContext, createLogger, createMetrics, metricUnits } from "../common/telemetry";
import { BatchSummary } from "./accounting";
import { SourceEngine } from "./types";

/**
 * How the ingest function reports each batch: one structured log line and one set of EMF
 * metrics. The interface keeps the handler testable; `createPowertoolsTelemetry` is the
 * production implementation (Powertools Logger and Metrics from runtime/common/telemetry.ts,
 * loaded inside the function so the handler stays serializable). It runs once per batch, never
 * per record, so the hot path pays for one log line and two or three EMF documents per batch.
 */
export interface IngestTelemetry {
    /** Attaches the Lambda context (request id, function name) to subsequent log lines. */
    setContext(context: unknown): void;
    /** A batch was planned and written (possibly with failed objects). */
    batchProcessed(summary: BatchSummary, durationMs: number): void;
    /** The batch could not be processed at all (for example a malformed event); it will be retried. */
    batchErrored(error: unknown, durationMs: number): void;
    /** Lineage events could not be delivered by one transport; the batch itself is unaffected. Optional: without it failures go unreported. */
    lineageFailed?(transport: string, message: string): void;
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
    /** Lineage emissions a transport failed to deliver (the batch is unaffected). */
    lineageEmitFailures: "LineageEmitFailures",
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
    const logger = createLogger({ serviceName: options.serviceName, persistentKeys: { dataset: options.dataset, engine: options.engine } });
    const metrics = createMetrics({ namespace: options.namespace, serviceName: options.serviceName, dimensions: { dataset: options.dataset, engine: options.engine }, logger });
    const names = ingestMetricNames;

    const setContext = (context: unknown) => addLambdaContext(logger, context);

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
        metrics.addMetric(names.recordsIn, metricUnits.count, c.in);
        metrics.addMetric(names.recordsLanded, metricUnits.count, c.landed);
        metrics.addMetric(names.recordsRejected, metricUnits.count, c.rejected);
        metrics.addMetric(names.recordsFailed, metricUnits.count, c.failed);
        metrics.addMetric(names.recordsAlreadyStored, metricUnits.count, summary.alreadyStoredRecords);
        metrics.addMetric(names.objectsWritten, metricUnits.count, summary.objects.written);
        metrics.addMetric(names.objectsAlreadyPresent, metricUnits.count, summary.objects.alreadyPresent);
        metrics.addMetric(names.objectKeyConflicts, metricUnits.count, summary.objects.conflicts);
        metrics.addMetric(names.objectWriteFailures, metricUnits.count, summary.objects.failed);
        metrics.addMetric(names.bytesWritten, metricUnits.bytes, summary.objects.bytes);
        metrics.addMetric(names.batchFailures, metricUnits.count, summary.objects.failed > 0 ? 1 : 0);
        metrics.addMetric(names.batchDuration, metricUnits.milliseconds, durationMs);
        metrics.publishStoredMetrics();
        for (const [errorType, count] of Object.entries(summary.rejectedByType)) {
            const single = metrics.singleMetric();
            single.addDimension("errorType", errorType);
            single.addMetric(names.recordsRejectedByType, metricUnits.count, count ?? 0);
        }
    };

    const batchErrored = (error: unknown, durationMs: number) => {
        logger.error("ingest batch could not be processed; it will be redelivered", { error: describeError(error), durationMs });
        metrics.addMetric(names.batchFailures, metricUnits.count, 1);
        metrics.addMetric(names.batchDuration, metricUnits.milliseconds, durationMs);
        metrics.publishStoredMetrics();
    };

    const lineageFailed = (transport: string, message: string) => {
        logger.warn("lineage events could not be delivered; the batch is unaffected", { transport, error: message });
        metrics.addMetric(names.lineageEmitFailures, metricUnits.count, 1);
        metrics.publishStoredMetrics();
    };

    return { setContext, batchProcessed, batchErrored, lineageFailed };
}
