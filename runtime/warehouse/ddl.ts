import { DatasetDefinition, FieldDefinition, loadIdField } from "../datasets";
import { curatedFields, redshiftType } from "../datasets/schema";
import { WarehouseConfigError } from "./errors";
import { qualifiedName, quoteIdentifier, SqlDialect } from "./sql";

/** Name of the load ledger table: one row per curated file loaded (file_uri, etag, loaded_at, batch_id). */
export const ledgerTable = "load_ledger";

/** Column type of a field in the dialect: Redshift's own types; JSONB stands in for SUPER on PostgreSQL. */
export function warehouseColumnType(field: FieldDefinition, dialect: SqlDialect): string {
    const type = redshiftType(field);
    return dialect.engine === "postgres" && type === "SUPER" ? "JSONB" : type;
}

/**
 * Columns the loader stages: exactly the curated Parquet columns (provenance included), in file order
 * (COPY maps by position).
 */
export function stagedFields(dataset: DatasetDefinition): FieldDefinition[] {
    return curatedFields(dataset);
}

/** Columns of the target table: the staged (curated) columns, then `_load_id`, which the load fills with its batch id. */
export function warehouseFields(dataset: DatasetDefinition): FieldDefinition[] {
    return [...stagedFields(dataset), loadIdField];
}

/**
 * `CREATE TEMP TABLE <name> (...)` with exactly the given columns (the stage a COPY fills by position),
 * NOT NULL on the `required` ones so a file missing a required value fails the fill itself.
 */
export function tempTableDdl(name: string, fields: readonly FieldDefinition[], dialect: SqlDialect, required: ReadonlySet<string> = new Set()): string {
    const columns = fields.map((field) => `${quoteIdentifier(field.name)} ${warehouseColumnType(field, dialect)}${required.has(field.name) ? " NOT NULL" : ""}`);
    return `CREATE TEMP TABLE ${quoteIdentifier(name)} (${columns.join(", ")})`;
}

/** `CREATE SCHEMA IF NOT EXISTS`. */
export function schemaDdl(schema: string): string {
    return `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`;
}

/**
 * The target table: the curated columns and the load id, NOT NULL on required fields, the key as an (informational
 * on Redshift) primary key, and on Redshift the distribution style/key and compound sort key from
 * `dataset.warehouse`.
 */
export function targetTableDdl(dataset: DatasetDefinition, schema: string, dialect: SqlDialect): string {
    const required = new Set(dataset.fields.filter((field) => field.required).map((field) => field.name));
    const columns = warehouseFields(dataset).map(
        (field) => `    ${quoteIdentifier(field.name)} ${warehouseColumnType(field, dialect)}${required.has(field.name) ? " NOT NULL" : ""}`,
    );
    columns.push(`    PRIMARY KEY (${dataset.key.map(quoteIdentifier).join(", ")})`);
    let ddl = `CREATE TABLE IF NOT EXISTS ${qualifiedName(schema, dataset.name)} (\n${columns.join(",\n")}\n)`;
    if (dialect.engine === "redshift") {
        const design = dataset.warehouse;
        if (design.distStyle === "KEY") {
            if (!design.distKey) {
                throw new WarehouseConfigError(`dataset '${dataset.name}': warehouse.distStyle KEY needs warehouse.distKey`);
            }
            ddl += `\nDISTSTYLE KEY\nDISTKEY (${quoteIdentifier(design.distKey)})`;
        } else {
            ddl += `\nDISTSTYLE ${design.distStyle}`;
        }
        if (design.sortKeys.length > 0) {
            ddl += `\nCOMPOUND SORTKEY (${design.sortKeys.map(quoteIdentifier).join(", ")})`;
        }
    }
    return ddl;
}

/** The load ledger: which curated file (by URI and ETag) was loaded when, by which batch. */
export function ledgerTableDdl(schema: string, dialect: SqlDialect): string {
    const ddl =
        `CREATE TABLE IF NOT EXISTS ${qualifiedName(schema, ledgerTable)} (\n` +
        `    "file_uri" VARCHAR(1024) NOT NULL,\n` +
        `    "etag" VARCHAR(128) NOT NULL,\n` +
        `    "loaded_at" TIMESTAMP NOT NULL,\n` +
        `    "batch_id" VARCHAR(128) NOT NULL,\n` +
        `    PRIMARY KEY ("file_uri", "etag")\n` +
        `)`;
    return dialect.engine === "redshift" ? `${ddl}\nDISTSTYLE AUTO\nSORTKEY ("file_uri")` : ddl;
}

/** Everything the loader needs to exist, in order; each statement is idempotent. */
export function warehouseSetupStatements(dataset: DatasetDefinition, schema: string, dialect: SqlDialect): string[] {
    return [schemaDdl(schema), targetTableDdl(dataset, schema, dialect), ledgerTableDdl(schema, dialect)];
}
