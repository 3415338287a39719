import { QualityCheck, QualityLevel } from "../datasets";
import { CheckMetric, MetricSet, parseMetric } from "./metrics";

/** Where the metrics came from: the Spark job's run summary or queries on the warehouse table. */
export type MetricSource = "sparkRun" | "warehouse";

export interface CheckResult {
    readonly name: string;
    readonly kind: QualityCheck["kind"];
    readonly level: QualityLevel;
    readonly passed: boolean;
    /**
     * The value compared with the threshold: the row count, a ratio in [0, 1] (completeness,
     * uniqueness, range) or the age of the newest value in hours (freshness). Null when there is
     * nothing to measure (no metric, or no value for freshness).
     */
    readonly observed: number | null;
    /** Rows that did not meet the check (null values, duplicates, out-of-range values), when countable. */
    readonly unexpected: number | null;
    /** The threshold in words, e.g. `>= 0.999` or `between 1 and 100`. */
    readonly expected: string;
    /** One sentence: what was measured and why it passed or failed. */
    readonly message: string;
}

export interface QualityReport {
    readonly dataset: string;
    readonly source: MetricSource;
    /** Freshness is measured against this instant (the end of the processed range). ISO-8601. */
    readonly referenceTime: string;
    /** False only when an error-level check failed. */
    readonly passed: boolean;
    readonly errorFailures: number;
    readonly warnFailures: number;
    readonly results: readonly CheckResult[];
}

export interface EvaluateOptions {
    readonly dataset: string;
    readonly source: MetricSource;
    readonly referenceTime: Date;
}

/** Tolerance for comparing ratios with `mostly`, so 999/1000 meets 0.999 despite binary floating point. */
const ratioTolerance = 1e-12;

function ratio(part: number, total: number): number {
    // An empty set satisfies a ratio check vacuously; emptiness is the rowCount check's business.
    return total === 0 ? 1 : part / total;
}

function formatRatio(value: number): string {
    return Number.isInteger(value) ? String(value) : value.toFixed(6).replace(/0+$/, "");
}

function judgeRatio(
    check: { name: string; kind: QualityCheck["kind"]; level: QualityLevel; mostly: number },
    part: number,
    total: number,
    what: string,
): CheckResult {
    const observed = ratio(part, total);
    const passed = observed + ratioTolerance >= check.mostly;
    return {
        name: check.name,
        kind: check.kind,
        level: check.level,
        passed,
        observed,
        unexpected: total - part,
        expected: `>= ${formatRatio(check.mostly)}`,
        message: `${what} is ${formatRatio(observed)} (${part} of ${total} rows); expected at least ${formatRatio(check.mostly)}`,
    };
}

/** Judges one check on its metric. This function is the single definition of every check's semantics. */
export function evaluateCheck(check: QualityCheck, metric: CheckMetric, referenceTime: Date): CheckResult {
    const base = { name: check.name, kind: check.kind, level: check.level };
    switch (check.kind) {
        case "rowCount": {
            const { total } = metric as Extract<CheckMetric, { kind: "rowCount" }>;
            const passed = total >= check.min && (check.max === undefined || total <= check.max);
            const expected = check.max === undefined ? `>= ${check.min}` : `between ${check.min} and ${check.max}`;
            return { ...base, passed, observed: total, unexpected: null, expected, message: `row count is ${total}; expected ${expected}` };
        }
        case "completeness": {
            const { total, nonNull } = metric as Extract<CheckMetric, { kind: "completeness" }>;
            return judgeRatio(check, nonNull, total, `completeness of ${check.column}`);
        }
        case "uniqueness": {
            const { total, uniqueRows } = metric as Extract<CheckMetric, { kind: "uniqueness" }>;
            return judgeRatio(check, uniqueRows, total, `uniqueness of (${check.columns.join(", ")})`);
        }
        case "range": {
            const { total, inRange } = metric as Extract<CheckMetric, { kind: "range" }>;
            const bounds = `[${check.min ?? "-∞"}, ${check.max ?? "+∞"}]`;
            return judgeRatio(check, inRange, total, `share of ${check.column} within ${bounds}`);
        }
        case "freshness": {
            const { latest } = metric as Extract<CheckMetric, { kind: "freshness" }>;
            const expected = `<= ${check.maxAgeHours} h`;
            if (latest === null) {
                return { ...base, passed: false, observed: null, unexpected: null, expected, message: `${check.column} has no values, so nothing is fresh; expected the newest within ${check.maxAgeHours} h of ${referenceTime.toISOString()}` };
            }
            const ageHours = (referenceTime.getTime() - Date.parse(latest)) / 3_600_000;
            const passed = ageHours <= check.maxAgeHours;
            return {
                ...base,
                passed,
                observed: ageHours,
                unexpected: null,
                expected,
                message: `newest ${check.column} is ${latest}, ${formatRatio(Math.round(ageHours * 100) / 100)} h before ${referenceTime.toISOString()}; expected at most ${check.maxAgeHours} h`,
            };
        }
    }
}

/**
 * Evaluates every check of a dataset on a metric set. A check without a metric fails (at its own
 * level) with a message saying so. The report passes unless an error-level check failed.
 */
export function evaluateQuality(checks: readonly QualityCheck[], metrics: MetricSet | Readonly<Record<string, unknown>>, options: EvaluateOptions): QualityReport {
    const results = checks.map((check): CheckResult => {
        const raw = (metrics as Record<string, unknown>)[check.name];
        if (raw === undefined) {
            return {
                name: check.name,
                kind: check.kind,
                level: check.level,
                passed: false,
                observed: null,
                unexpected: null,
                expected: "a metric",
                message: `no metric was produced for this check; rerun the producer with the current dataset definition`,
            };
        }
        return evaluateCheck(check, parseMetric(check, raw), options.referenceTime);
    });
    const errorFailures = results.filter((result) => !result.passed && result.level === "error").length;
    const warnFailures = results.filter((result) => !result.passed && result.level === "warn").length;
    return {
        dataset: options.dataset,
        source: options.source,
        referenceTime: options.referenceTime.toISOString(),
        passed: errorFailures === 0,
        errorFailures,
        warnFailures,
        results,
    };
}
