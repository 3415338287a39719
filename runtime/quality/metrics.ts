import { QualityCheck } from "../datasets";
import { QualityInputError } from "./errors";

/**
 * The metric each kind of quality check is judged on. They are plain counts (and one timestamp) so
 * that two producers can compute them without sharing code: the Spark job over its output
 * (`quality_metrics` in runtime/spark/transform_job.py, written to the run summary) and SQL on the
 * warehouse (`./sql.ts`). Thresholds, `mostly` and levels are applied only by `./evaluate.ts`.
 *
 * - rowCount: `total` = rows.
 * - completeness(column): `total` = rows, `nonNull` = rows where the column is not null.
 * - uniqueness(columns): over rows where none of the columns is null, `total` = those rows and
 *   `uniqueRows` = those whose combination of values occurs exactly once.
 * - range(column, min, max): over rows where the column is not null, `total` = those rows and
 *   `inRange` = those with min <= value <= max (a missing bound is unbounded).
 * - freshness(column): `latest` = the greatest value as ISO-8601 UTC, or null when there are no values.
 */
export type CheckMetric =
    | { readonly kind: "rowCount"; readonly total: number }
    | { readonly kind: "completeness"; readonly total: number; readonly nonNull: number }
    | { readonly kind: "uniqueness"; readonly total: number; readonly uniqueRows: number }
    | { readonly kind: "range"; readonly total: number; readonly inRange: number }
    | { readonly kind: "freshness"; readonly latest: string | null };

/** Metrics by check name. */
export type MetricSet = Readonly<Record<string, CheckMetric>>;

function count(value: unknown, where: string): number {
    const number = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof number !== "number" || !Number.isSafeInteger(number) || number < 0) {
        throw new QualityInputError(`${where} must be a non-negative integer; found ${JSON.stringify(value)}`);
    }
    return number;
}

/**
 * Checks that an untyped metric (from JSON or a query) fits the check it belongs to and returns it
 * typed. Throws a `QualityInputError` naming the check and the offending field.
 */
export function parseMetric(check: QualityCheck, raw: unknown): CheckMetric {
    const where = `metric of check '${check.name}'`;
    if (typeof raw !== "object" || raw === null) {
        throw new QualityInputError(`${where} must be an object; found ${JSON.stringify(raw)}`);
    }
    const value = raw as Record<string, unknown>;
    if (value.kind !== check.kind) {
        throw new QualityInputError(`${where} has kind '${String(value.kind)}' but the check is '${check.kind}'; produce metrics from the same dataset definition`);
    }
    switch (check.kind) {
        case "rowCount":
            return { kind: "rowCount", total: count(value.total, `${where}: total`) };
        case "completeness": {
            const metric = { kind: "completeness" as const, total: count(value.total, `${where}: total`), nonNull: count(value.nonNull, `${where}: nonNull`) };
            if (metric.nonNull > metric.total) {
                throw new QualityInputError(`${where}: nonNull (${metric.nonNull}) exceeds total (${metric.total})`);
            }
            return metric;
        }
        case "uniqueness": {
            const metric = { kind: "uniqueness" as const, total: count(value.total, `${where}: total`), uniqueRows: count(value.uniqueRows, `${where}: uniqueRows`) };
            if (metric.uniqueRows > metric.total) {
                throw new QualityInputError(`${where}: uniqueRows (${metric.uniqueRows}) exceeds total (${metric.total})`);
            }
            return metric;
        }
        case "range": {
            const metric = { kind: "range" as const, total: count(value.total, `${where}: total`), inRange: count(value.inRange, `${where}: inRange`) };
            if (metric.inRange > metric.total) {
                throw new QualityInputError(`${where}: inRange (${metric.inRange}) exceeds total (${metric.total})`);
            }
            return metric;
        }
        case "freshness": {
            if (value.latest === null) {
                return { kind: "freshness", latest: null };
            }
            if (typeof value.latest !== "string" || Number.isNaN(Date.parse(value.latest))) {
                throw new QualityInputError(`${where}: latest must be an ISO-8601 timestamp or null; found ${JSON.stringify(value.latest)}`);
            }
            return { kind: "freshness", latest: new Date(value.latest).toISOString() };
        }
    }
}
