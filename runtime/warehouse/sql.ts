import { WarehouseConfigError } from "./errors";

/**
 * The SQL dialects the loader generates. `redshift` is what runs in production. `postgres` runs the
 * same statements on PostgreSQL 15 in tests and differs only where the engines do: column types
 * (SUPER vs JSONB), physical design (DISTKEY/SORTKEY), and how the stage is filled (COPY from S3
 * vs an INSERT from a table holding the test files' rows).
 */
export type SqlDialect =
    | { readonly engine: "redshift"; /** Role Redshift assumes for COPY (attached to the namespace/cluster). */ readonly copyRoleArn: string }
    | {
          readonly engine: "postgres";
          /** Table with the curated columns plus `file_uri`, standing in for the Parquet files. */
          readonly stageSourceTable: string;
      };

const identifierPattern = /^[a-z_][a-z0-9_$]{0,126}$/;

/** A double-quoted identifier; only lower-case names are accepted, so quoting never changes case rules. */
export function quoteIdentifier(name: string): string {
    if (!identifierPattern.test(name)) {
        throw new WarehouseConfigError(`'${name}' is not a valid identifier; use lower case letters, digits and underscores, starting with a letter or underscore`);
    }
    return `"${name}"`;
}

/** `"schema"."table"` */
export function qualifiedName(schema: string, table: string): string {
    return `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
}

/**
 * A single-quoted string literal (quotes doubled). Backslashes and NUL are refused: engines disagree
 * on backslash escapes in literals, and no S3 key, ETag or ARN the loader handles needs one.
 */
export function quoteLiteral(value: string): string {
    if (/[\\\u0000]/.test(value)) {
        throw new WarehouseConfigError(`string literal ${JSON.stringify(value)} contains a backslash or NUL; rename the object or value without them`);
    }
    return `'${value.replace(/'/g, "''")}'`;
}

/** A TIMESTAMPTZ literal from an instant (UTC). */
export function timestamptzLiteral(instant: Date): string {
    if (Number.isNaN(instant.getTime())) {
        throw new WarehouseConfigError("timestamp literal needs a valid date");
    }
    return `CAST(${quoteLiteral(instant.toISOString().replace("T", " ").replace("Z", "+00"))} AS TIMESTAMPTZ)`;
}

/** A TIMESTAMP (without time zone, UTC wall clock) literal from an instant. */
export function timestampLiteral(instant: Date): string {
    if (Number.isNaN(instant.getTime())) {
        throw new WarehouseConfigError("timestamp literal needs a valid date");
    }
    return `CAST(${quoteLiteral(instant.toISOString().replace("T", " ").replace("Z", ""))} AS TIMESTAMP)`;
}
