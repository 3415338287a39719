import { QualityReport } from "./evaluate";

/**
 * CloudWatch Embedded Metric Format lines for a quality report: one line per check (dimensions
 * Dataset, Check) and one per report (dimension Dataset). Printed to stdout by a Lambda or a
 * container with the awslogs driver, CloudWatch turns them into metrics that alarms can watch
 * (`ErrorFailures > 0`).
 */
export interface EmfOptions {
    /** Defaults to `DataPlatform/Quality`. */
    readonly namespace?: string;
    /** Milliseconds since the epoch. Defaults to now. */
    readonly timestamp?: number;
    /** Extra dimension values added to every line (e.g. `{ Environment: "prod" }`). Defaults to none. */
    readonly dimensions?: Readonly<Record<string, string>>;
}

export const defaultQualityNamespace = "DataPlatform/Quality";

export function qualityEmfLines(report: QualityReport, options: EmfOptions = {}): string[] {
    const namespace = options.namespace ?? defaultQualityNamespace;
    const timestamp = options.timestamp ?? Date.now();
    const extra = options.dimensions ?? {};
    const extraNames = Object.keys(extra);
    const line = (dimensions: string[], metrics: { Name: string; Unit: string }[], values: Record<string, unknown>) =>
        JSON.stringify({
            _aws: { Timestamp: timestamp, CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [[...extraNames, ...dimensions]], Metrics: metrics }] },
            ...extra,
            ...values,
        });
    const lines = report.results.map((result) => {
        const metrics = [{ Name: "CheckPassed", Unit: "Count" }];
        const values: Record<string, unknown> = {
            Dataset: report.dataset,
            Check: result.name,
            Kind: result.kind,
            Level: result.level,
            Source: report.source,
            CheckPassed: result.passed ? 1 : 0,
            Message: result.message,
        };
        if (result.observed !== null) {
            metrics.push({ Name: "ObservedValue", Unit: "None" });
            values.ObservedValue = result.observed;
        }
        return line(["Dataset", "Check"], metrics, values);
    });
    lines.push(
        line(
            ["Dataset"],
            [
                { Name: "QualityPassed", Unit: "Count" },
                { Name: "ErrorFailures", Unit: "Count" },
                { Name: "WarnFailures", Unit: "Count" },
            ],
            {
                Dataset: report.dataset,
                Source: report.source,
                QualityPassed: report.passed ? 1 : 0,
                ErrorFailures: report.errorFailures,
                WarnFailures: report.warnFailures,
            },
        ),
    );
    return lines;
}

/**
 * EMF lines for a transform run summary's counts: one line for the run (dimension Dataset) with
 * RowsRead, RowsDropped, RowsDuplicate, RowsWritten, RowsOutsidePartition, and one per reference with
 * its unmatched rows (dimensions Dataset, Reference).
 */
export function runSummaryEmfLines(
    summary: {
        readonly dataset: string;
        readonly rows: { readonly read: number; readonly dropped: number; readonly duplicates: number; readonly written: number };
        readonly eventTimeOutsidePartition: number;
        readonly referenceUnmatched: Readonly<Record<string, number>>;
    },
    options: EmfOptions = {},
): string[] {
    const namespace = options.namespace ?? defaultQualityNamespace;
    const timestamp = options.timestamp ?? Date.now();
    const extra = options.dimensions ?? {};
    const extraNames = Object.keys(extra);
    const counts = [
        ["RowsRead", summary.rows.read],
        ["RowsDropped", summary.rows.dropped],
        ["RowsDuplicate", summary.rows.duplicates],
        ["RowsWritten", summary.rows.written],
        ["RowsOutsidePartition", summary.eventTimeOutsidePartition],
    ] as const;
    const lines = [
        JSON.stringify({
            _aws: {
                Timestamp: timestamp,
                CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [[...extraNames, "Dataset"]], Metrics: counts.map(([name]) => ({ Name: name, Unit: "Count" })) }],
            },
            ...extra,
            Dataset: summary.dataset,
            ...Object.fromEntries(counts),
        }),
    ];
    for (const [reference, unmatched] of Object.entries(summary.referenceUnmatched)) {
        lines.push(
            JSON.stringify({
                _aws: {
                    Timestamp: timestamp,
                    CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [[...extraNames, "Dataset", "Reference"]], Metrics: [{ Name: "RowsUnmatchedReference", Unit: "Count" }] }],
                },
                ...extra,
                Dataset: summary.dataset,
                Reference: reference,
                RowsUnmatchedReference: unmatched,
            }),
        );
    }
    return lines;
}
