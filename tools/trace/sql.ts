import { curatedProvenanceFields, DatasetDefinition, provenanceColumns } from "../../runtime/datasets";
import { redshiftType } from "../../runtime/datasets/schema";
import { ledgerTable } from "../../runtime/warehouse/ddl";
import { qualifiedName, quoteIdentifier, quoteLiteral } from "../../runtime/warehouse/sql";
import { catalogDatabaseNames } from "../../infra/catalog/decisions";
import { KeyValue, TraceInputError } from "./keys";

/**
 * The SQL that does on a deployed stack what `npm run trace` does locally: Athena from the curated
 * table to the raw record it was read from (with the source coordinates), and Redshift from the
 * warehouse row to its load (the ledger's curated files) and its provenance. Names are the stack's
 * own: the Glue databases `<project>_<stack>_curated` / `_raw` (infra/catalog) and the warehouse
 * schema the loader writes (`analytics` unless WAREHOUSE_SCHEMA says otherwise).
 */

export interface DeployedNames {
    readonly project: string;
    readonly stack: string;
    /** The warehouse schema of the dataset tables and the load ledger. Defaults to `analytics`. */
    readonly warehouseSchema?: string;
}

const numeric = /^-?\d+(\.\d+)?$/;

/** A key value as a typed literal: `dialect` picks Athena (Trino) or Redshift spelling. */
export function keyLiteral(part: KeyValue, dialect: "athena" | "redshift"): string {
    const { field, value } = part;
    switch (field.type) {
        case "int":
        case "long":
        case "double":
        case "decimal":
            if (!numeric.test(value)) {
                throw new TraceInputError(`--key: ${part.column} is a ${field.type} column; expected a number, found '${value}'`);
            }
            return value;
        case "boolean":
            if (value !== "true" && value !== "false") {
                throw new TraceInputError(`--key: ${part.column} is a boolean column; expected true or false, found '${value}'`);
            }
            return value.toUpperCase();
        case "date":
            if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
                throw new TraceInputError(`--key: ${part.column} is a date column; expected YYYY-MM-DD, found '${value}'`);
            }
            return dialect === "athena" ? `DATE ${quoteLiteral(value)}` : `CAST(${quoteLiteral(value)} AS DATE)`;
        case "timestamp":
            if (Number.isNaN(Date.parse(value))) {
                throw new TraceInputError(`--key: ${part.column} is a timestamp column; expected an ISO-8601 time such as 2024-05-03T10:00:00Z, found '${value}'`);
            }
            return dialect === "athena" ? `CAST(from_iso8601_timestamp(${quoteLiteral(value)}) AS timestamp)` : `CAST(${quoteLiteral(value)} AS ${redshiftType(field)})`;
        default:
            return quoteLiteral(value);
    }
}

function keyCondition(alias: string, key: readonly KeyValue[], dialect: "athena" | "redshift"): string {
    return key.map((part) => `${alias}.${quoteIdentifier(part.column)} = ${keyLiteral(part, dialect)}`).join(" AND ");
}

/**
 * Athena: the curated row with its provenance, joined to the raw-zone record it was read from
 * (the object `_raw_object` names, in its `dt`/`hour` partition so partition projection prunes,
 * same key; for change data capture also the same change sequence).
 */
export function athenaTraceSql(dataset: DatasetDefinition, key: readonly KeyValue[], names: DeployedNames): string {
    const databases = catalogDatabaseNames(names.project, names.stack);
    const curated = `${quoteIdentifier(databases.curated)}.${quoteIdentifier(dataset.name)}`;
    const raw = `${quoteIdentifier(databases.raw)}.${quoteIdentifier(dataset.name)}`;
    const object = `c.${quoteIdentifier(provenanceColumns.rawObject)}`;
    const provenance = curatedProvenanceFields().map((field) => `c.${quoteIdentifier(field.name)}`);
    const join = [
        `r."$path" LIKE concat('%/', ${object})`,
        `r."dt" = regexp_extract(${object}, '/dt=([^/]+)/', 1)`,
        `r."hour" = regexp_extract(${object}, '/hour=([^/]+)/', 1)`,
        ...dataset.key.map((column) => `r.${quoteIdentifier(column)} = c.${quoteIdentifier(column)}`),
        ...(dataset.source === "database" ? [`r."cdc_change_seq" = c.${quoteIdentifier(provenanceColumns.position)}`] : []),
    ];
    return [
        `-- ${dataset.name}: the curated row, its source coordinates and the raw record it was read from`,
        `SELECT ${[...dataset.key.map((column) => `c.${quoteIdentifier(column)}`), ...provenance].join(", ")}, r."$path" AS "raw_path", r.*`,
        `FROM ${curated} AS c`,
        `LEFT JOIN ${raw} AS r`,
        `  ON ${join.join("\n AND ")}`,
        `WHERE ${keyCondition("c", key, "athena")}`,
    ].join("\n");
}

/** Redshift: the warehouse row (provenance and `_load_id`) with the curated files its load read from the ledger. */
export function redshiftTraceSql(dataset: DatasetDefinition, key: readonly KeyValue[], names: DeployedNames): string {
    const schema = names.warehouseSchema ?? "analytics";
    return [
        `-- ${dataset.name}: the warehouse row, the load that wrote it and the curated files of that load`,
        `SELECT t.*, l."file_uri" AS "curated_file", l."loaded_at"`,
        `FROM ${qualifiedName(schema, dataset.name)} AS t`,
        `LEFT JOIN ${qualifiedName(schema, ledgerTable)} AS l ON l."batch_id" = t.${quoteIdentifier(provenanceColumns.loadId)}`,
        `WHERE ${keyCondition("t", key, "redshift")}`,
    ].join("\n");
}
