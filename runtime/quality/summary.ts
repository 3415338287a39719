import { QualityInputError } from "./errors";

/**
 * The run summary the transform job writes (`runtime/spark/transform_job.py`, summaryVersion 1):
 * row counts overall and per curated partition, and the metric of each quality check.
 */
export interface PartitionCounts {
    readonly dt: string;
    readonly read: number;
    readonly malformed: number;
    readonly missingRequired: number;
    readonly duplicates: number;
    readonly written: number;
}

export interface SparkRunSummary {
    readonly summaryVersion: 1;
    readonly dataset: string;
    readonly datasetVersion: number;
    readonly runId: string | null;
    readonly range: { readonly start: string; readonly end: string };
    readonly days: readonly string[];
    readonly daysWithoutInput: readonly string[];
    readonly removedPartitions: readonly string[];
    readonly inputs: {
        readonly files: number;
        readonly hourPartitions: number;
        /** The raw zone the job read (`s3://<raw bucket>`); absent in summaries of older jobs. */
        readonly rawUri?: string;
        /** The stream ingest windows (source, date, hour) whose objects the job read; absent in summaries of older jobs. */
        readonly windows?: readonly { readonly source: string; readonly dt: string; readonly hour: string }[];
    };
    readonly rows: {
        readonly read: number;
        readonly dropped: number;
        readonly malformed: number;
        readonly missingRequired: number;
        readonly duplicates: number;
        readonly written: number;
    };
    readonly missingRequiredByField: Readonly<Record<string, number>>;
    readonly eventTimeOutsidePartition: number;
    readonly referenceUnmatched: Readonly<Record<string, number>>;
    readonly partitions: readonly PartitionCounts[];
    readonly outputs: { readonly curated: string; readonly aggregates: readonly { name: string; table: string; uri: string; rows: number }[] };
    readonly qualityMetrics: Readonly<Record<string, unknown>>;
}

/**
 * Parses and checks a run summary document: the version, the fields the quality step and the
 * operators read, and that the counts add up (read = dropped + duplicates + written, overall and
 * per partition). Throws a `QualityInputError` naming the first problem.
 */
export function parseRunSummary(text: string, source = "run summary"): SparkRunSummary {
    let document: unknown;
    try {
        document = JSON.parse(text);
    } catch (error) {
        throw new QualityInputError(`${source} is not JSON: ${(error as Error).message}`, { cause: error });
    }
    const fail = (message: string): never => {
        throw new QualityInputError(`${source}: ${message}`);
    };
    if (typeof document !== "object" || document === null) {
        return fail("must be a JSON object");
    }
    const summary = document as SparkRunSummary;
    if (summary.summaryVersion !== 1) {
        fail(`summaryVersion ${JSON.stringify(summary.summaryVersion)} is not supported (expected 1); deploy matching job and quality step`);
    }
    if (typeof summary.dataset !== "string" || summary.dataset.length === 0) {
        fail("dataset must be a non-empty string");
    }
    for (const key of ["start", "end"] as const) {
        if (typeof summary.range?.[key] !== "string" || Number.isNaN(Date.parse(summary.range[key]))) {
            fail(`range.${key} must be an ISO-8601 timestamp`);
        }
    }
    if (typeof summary.qualityMetrics !== "object" || summary.qualityMetrics === null) {
        fail("qualityMetrics must be an object");
    }
    if (!Array.isArray(summary.partitions)) {
        fail("partitions must be an array");
    }
    const adds = (counts: { read: number; dropped?: number; malformed: number; missingRequired: number; duplicates: number; written: number }, where: string) => {
        const values = [counts.read, counts.malformed, counts.missingRequired, counts.duplicates, counts.written];
        if (!values.every((value) => Number.isSafeInteger(value) && value >= 0)) {
            fail(`${where}: read, malformed, missingRequired, duplicates and written must be non-negative integers`);
        }
        if (counts.read !== counts.malformed + counts.missingRequired + counts.duplicates + counts.written) {
            fail(`${where}: read (${counts.read}) != malformed (${counts.malformed}) + missingRequired (${counts.missingRequired}) + duplicates (${counts.duplicates}) + written (${counts.written})`);
        }
    };
    if (typeof summary.rows !== "object" || summary.rows === null) {
        fail("rows must be an object");
    }
    adds(summary.rows, "rows");
    if (summary.rows.dropped !== summary.rows.malformed + summary.rows.missingRequired) {
        fail(`rows: dropped (${summary.rows.dropped}) != malformed (${summary.rows.malformed}) + missingRequired (${summary.rows.missingRequired})`);
    }
    summary.partitions.forEach((partition) => adds(partition, `partition ${partition.dt}`));
    for (const key of ["read", "malformed", "missingRequired", "duplicates", "written"] as const) {
        const sum = summary.partitions.reduce((total, partition) => total + partition[key], 0);
        if (sum !== summary.rows[key]) {
            fail(`rows.${key} (${summary.rows[key]}) != the sum over partitions (${sum})`);
        }
    }
    return summary;
}
