import { DatasetDefinition, QualityCheck } from "../datasets";
import { qualifiedName, quoteIdentifier, timestamptzLiteral } from "../warehouse/sql";
import { QualityInputError } from "./errors";
import { CheckMetric, MetricSet, parseMetric } from "./metrics";

/**
 * SQL that computes the metrics of `./metrics.ts` on a warehouse table. Portable between Redshift
 * and PostgreSQL (tested on both dialects' common subset), so no dialect switch is needed here.
 */
export interface MetricQueryOptions {
    readonly schema: string;
    /** Defaults to the dataset's name (the loader's target table). */
    readonly table?: string;
    /** Only rows whose event time is in [start, end). Defaults to the whole table. */
    readonly window?: { readonly start: Date; readonly end: Date };
}

function whereClause(dataset: DatasetDefinition, options: MetricQueryOptions, extra: string[] = []): string {
    const conditions = [...extra];
    if (options.window) {
        if (!(options.window.end.getTime() > options.window.start.getTime())) {
            throw new QualityInputError(`window end (${options.window.end.toISOString()}) must be after its start (${options.window.start.toISOString()})`);
        }
        const column = quoteIdentifier(dataset.eventTimeField);
        conditions.push(`${column} >= ${timestamptzLiteral(options.window.start)}`, `${column} < ${timestamptzLiteral(options.window.end)}`);
    }
    return conditions.length === 0 ? "" : ` WHERE ${conditions.join(" AND ")}`;
}

function numberLiteral(value: number, where: string): string {
    if (!Number.isFinite(value)) {
        throw new QualityInputError(`${where} must be a finite number; found ${value}`);
    }
    return String(value);
}

/** The query of one check; its columns are prefixed `c<index>_` so several can share one row. */
export function checkMetricSql(dataset: DatasetDefinition, check: QualityCheck, index: number, options: MetricQueryOptions): string {
    const table = qualifiedName(options.schema, options.table ?? dataset.name);
    const p = `c${index}_`;
    switch (check.kind) {
        case "rowCount":
            return `SELECT COUNT(*) AS ${p}total FROM ${table}${whereClause(dataset, options)}`;
        case "completeness": {
            const column = quoteIdentifier(check.column);
            return `SELECT COUNT(*) AS ${p}total, COUNT(${column}) AS ${p}non_null FROM ${table}${whereClause(dataset, options)}`;
        }
        case "uniqueness": {
            const columns = check.columns.map(quoteIdentifier);
            const present = columns.map((column) => `${column} IS NOT NULL`);
            return (
                `SELECT COALESCE(SUM(n), 0) AS ${p}total, COALESCE(SUM(CASE WHEN n = 1 THEN 1 ELSE 0 END), 0) AS ${p}unique_rows ` +
                `FROM (SELECT COUNT(*) AS n FROM ${table}${whereClause(dataset, options, present)} GROUP BY ${columns.join(", ")}) AS groups_${index}`
            );
        }
        case "range": {
            const column = quoteIdentifier(check.column);
            const bounds = [`${column} IS NOT NULL`];
            if (check.min !== undefined) {
                bounds.push(`${column} >= ${numberLiteral(check.min, `check '${check.name}' min`)}`);
            }
            if (check.max !== undefined) {
                bounds.push(`${column} <= ${numberLiteral(check.max, `check '${check.name}' max`)}`);
            }
            return `SELECT COUNT(${column}) AS ${p}total, COUNT(CASE WHEN ${bounds.join(" AND ")} THEN 1 END) AS ${p}in_range FROM ${table}${whereClause(dataset, options)}`;
        }
        case "freshness": {
            const column = quoteIdentifier(check.column);
            return `SELECT CAST(FLOOR(EXTRACT(EPOCH FROM MAX(${column}))) AS BIGINT) AS ${p}latest_epoch FROM ${table}${whereClause(dataset, options)}`;
        }
    }
}

/** One query returning one row with the metrics of every quality check of the dataset. */
export function qualityMetricsSql(dataset: DatasetDefinition, options: MetricQueryOptions): string {
    if (dataset.quality.length === 0) {
        throw new QualityInputError(`dataset '${dataset.name}' declares no quality checks; there is nothing to query`);
    }
    const parts = dataset.quality.map((check, index) => `(${checkMetricSql(dataset, check, index, options)}) AS m${index}`);
    return `SELECT * FROM ${parts.join(" CROSS JOIN ")}`;
}

/** Turns the row of `qualityMetricsSql` (column name → value; numbers may arrive as strings) into metrics. */
export function metricsFromRow(checks: readonly QualityCheck[], row: Readonly<Record<string, unknown>>): MetricSet {
    const metrics: Record<string, CheckMetric> = {};
    checks.forEach((check, index) => {
        const get = (column: string) => {
            const key = `c${index}_${column}`;
            if (!(key in row)) {
                throw new QualityInputError(`metrics row lacks column '${key}' for check '${check.name}'; run the query qualityMetricsSql generated for this dataset`);
            }
            return row[key];
        };
        switch (check.kind) {
            case "rowCount":
                metrics[check.name] = parseMetric(check, { kind: check.kind, total: get("total") });
                break;
            case "completeness":
                metrics[check.name] = parseMetric(check, { kind: check.kind, total: get("total"), nonNull: get("non_null") });
                break;
            case "uniqueness":
                metrics[check.name] = parseMetric(check, { kind: check.kind, total: get("total"), uniqueRows: get("unique_rows") });
                break;
            case "range":
                metrics[check.name] = parseMetric(check, { kind: check.kind, total: get("total"), inRange: get("in_range") });
                break;
            case "freshness": {
                const epoch = get("latest_epoch");
                const seconds = epoch === null ? null : Number(epoch);
                if (seconds !== null && !Number.isFinite(seconds)) {
                    throw new QualityInputError(`check '${check.name}': latest_epoch must be a number of seconds or null; found ${JSON.stringify(epoch)}`);
                }
                metrics[check.name] = { kind: "freshness", latest: seconds === null ? null : new Date(seconds * 1000).toISOString() };
                break;
            }
        }
    });
    return metrics;
}
