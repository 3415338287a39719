import { createMetrics, Logger, Metrics, metricUnits } from "../common/telemetry";
import { QualityReport } from "./evaluate";

/**
 * The quality step's CloudWatch metrics, published with Powertools Metrics as Embedded Metric
 * Format documents on stdout: one document per check (dimensions Dataset, Check), one per report
 * (dimension Dataset) and, for a Spark run, one with its row counts (dimension Dataset) and one per
 * reference (dimensions Dataset, Reference). The optional Environment dimension comes first.
 *
 * These metrics have no `service` dimension: the alarms on them (`ErrorFailures > 0`, in
 * infra/orchestration) match the dimension set {Environment, Dataset} exactly.
 */

/** Defaults to `DataPlatform/Quality` when QUALITY_METRICS_NAMESPACE is not set. */
export const defaultQualityNamespace = "DataPlatform/Quality";

/** Metric names, all unit Count except `observedValue` (None). */
export const qualityMetricNames = {
    /** Per check: 1 when it passed. */
    checkPassed: "CheckPassed",
    /** Per check: the measured value, when the check has one. */
    observedValue: "ObservedValue",
    /** Per report: 1 when every error-level check passed. */
    qualityPassed: "QualityPassed",
    /** Per report: error-level checks that failed. Alarmed on. */
    errorFailures: "ErrorFailures",
    warnFailures: "WarnFailures",
    rowsRead: "RowsRead",
    rowsDropped: "RowsDropped",
    rowsDuplicate: "RowsDuplicate",
    rowsWritten: "RowsWritten",
    rowsOutsidePartition: "RowsOutsidePartition",
    /** Per reference (extra dimension Reference). */
    rowsUnmatchedReference: "RowsUnmatchedReference",
} as const;

export interface QualityMetricsOptions {
    /** Defaults to `DataPlatform/Quality`. */
    readonly namespace?: string;
    /** Dimension values put before the others on every metric (e.g. `{ Environment: "prod" }`). Defaults to none. */
    readonly dimensions?: Readonly<Record<string, string>>;
    /** Receives Powertools' own warnings. Defaults to the console. */
    readonly logger?: Logger;
}

/** The Powertools Metrics instance the quality step publishes through. */
export function createQualityMetrics(options: QualityMetricsOptions = {}): Metrics {
    return createMetrics({
        namespace: options.namespace ?? defaultQualityNamespace,
        serviceName: "quality",
        serviceDimension: false,
        ...(options.dimensions ? { dimensions: options.dimensions } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
    });
}

/** What a run summary contributes to the metrics. */
export interface RunSummaryCounts {
    readonly dataset: string;
    readonly rows: { readonly read: number; readonly dropped: number; readonly duplicates: number; readonly written: number };
    readonly eventTimeOutsidePartition: number;
    readonly referenceUnmatched: Readonly<Record<string, number>>;
}

/** Milliseconds since the epoch for every document; defaults to the time of publishing. */
function stamp(metrics: Metrics, timestamp: number | undefined): void {
    if (timestamp !== undefined) {
        metrics.setTimestamp(timestamp);
    }
}

/** Publishes one EMF document per check and one for the whole report. */
export function publishQualityReport(metrics: Metrics, report: QualityReport, timestamp?: number): void {
    const names = qualityMetricNames;
    for (const result of report.results) {
        stamp(metrics, timestamp);
        metrics.addDimension("Dataset", report.dataset);
        metrics.addDimension("Check", result.name);
        metrics.addMetadata("Kind", result.kind);
        metrics.addMetadata("Level", result.level);
        metrics.addMetadata("Source", report.source);
        metrics.addMetadata("Message", result.message);
        metrics.addMetric(names.checkPassed, metricUnits.count, result.passed ? 1 : 0);
        if (result.observed !== null) {
            metrics.addMetric(names.observedValue, metricUnits.none, result.observed);
        }
        metrics.publishStoredMetrics();
    }
    stamp(metrics, timestamp);
    metrics.addDimension("Dataset", report.dataset);
    metrics.addMetadata("Source", report.source);
    metrics.addMetric(names.qualityPassed, metricUnits.count, report.passed ? 1 : 0);
    metrics.addMetric(names.errorFailures, metricUnits.count, report.errorFailures);
    metrics.addMetric(names.warnFailures, metricUnits.count, report.warnFailures);
    metrics.publishStoredMetrics();
}

/** Publishes a transform run's row counts, and each reference's unmatched rows. */
export function publishRunSummary(metrics: Metrics, summary: RunSummaryCounts, timestamp?: number): void {
    const names = qualityMetricNames;
    stamp(metrics, timestamp);
    metrics.addDimension("Dataset", summary.dataset);
    metrics.addMetric(names.rowsRead, metricUnits.count, summary.rows.read);
    metrics.addMetric(names.rowsDropped, metricUnits.count, summary.rows.dropped);
    metrics.addMetric(names.rowsDuplicate, metricUnits.count, summary.rows.duplicates);
    metrics.addMetric(names.rowsWritten, metricUnits.count, summary.rows.written);
    metrics.addMetric(names.rowsOutsidePartition, metricUnits.count, summary.eventTimeOutsidePartition);
    metrics.publishStoredMetrics();
    for (const [reference, unmatched] of Object.entries(summary.referenceUnmatched)) {
        stamp(metrics, timestamp);
        metrics.addDimension("Dataset", summary.dataset);
        metrics.addDimension("Reference", reference);
        metrics.addMetric(names.rowsUnmatchedReference, metricUnits.count, unmatched);
        metrics.publishStoredMetrics();
    }
}
