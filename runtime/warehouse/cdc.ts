import type { S3Client } from "@aws-sdk/client-s3";
import { curatedProvenanceFields, DatasetDefinition, FieldDefinition, loadIdField, ScalarField } from "../datasets";
import { historyColumns, historyOf } from "../cdc/spec";
import { schemaDdl, warehouseColumnType } from "./ddl";
import { WarehouseConfigError } from "./errors";
import { StatementRunner } from "./loader";
import { CuratedFile } from "./load";
import { batchId, childPrefix, listCuratedFiles, writeManifest } from "./manifest";
import { qualifiedName, quoteIdentifier, quoteLiteral, SqlDialect } from "./sql";

/**
 * The warehouse side of change data capture. The Spark apply (runtime/spark/cdc_apply.py)
 * rewrites the curated table whole from every change, so the curated files are the complete truth
 * for the dataset: the current rows (`current` history) or every version with its validity range
 * (`scd2`). The warehouse table is made equal to them in one transaction:
 *
 * 1. stage the curated rows (COPY of all the table's files on Redshift; the stand-in table locally);
 * 2. DELETE target rows whose key is no longer staged: deleted source rows (current), and in scd2
 *    nothing but versions a corrected history no longer has;
 * 3. MERGE the stage: update matched rows (a version closed by a later change gets its valid_to),
 *    insert new ones.
 *
 * The sync key is the dataset key, plus `valid_from` in scd2 (one row per version). Running the
 * sync again with the same curated files changes nothing, so a retried load never applies anything
 * twice.
 */

const timestampField = (name: string, description: string): ScalarField => ({ name, type: "timestamp", description });

/** Columns of the curated Parquet files, in order: the dataset's fields, the history columns (scd2), then the provenance columns. */
export function cdcCuratedFields(dataset: DatasetDefinition): FieldDefinition[] {
    const fields: FieldDefinition[] = [...dataset.fields];
    if (historyOf(dataset) === "scd2") {
        fields.push(
            timestampField(historyColumns.validFrom, "When this version was committed at the source"),
            timestampField(historyColumns.validTo, "When the next change of this key was committed; null while current"),
            { name: historyColumns.isCurrent, type: "boolean", description: "True for the key's live version" },
        );
    }
    return [...fields, ...curatedProvenanceFields()];
}

/** Columns of the warehouse table: the curated columns, then `_load_id` (the sync that last changed the row). */
export function cdcWarehouseFields(dataset: DatasetDefinition): FieldDefinition[] {
    return [...cdcCuratedFields(dataset), loadIdField];
}

/** The load id of one sync: dataset, time and a digest of the curated files it read (`batchId`'s shape). */
export function cdcSyncId(dataset: DatasetDefinition, loadedAt: Date, files: readonly CuratedFile[]): string {
    return batchId(`${dataset.name}-cdc`, loadedAt, files);
}

/** Null-safe equality of one column between two row aliases (an unchanged row is not rewritten). */
function sameValue(left: string, right: string, column: string): string {
    return `(${left}.${column} = ${right}.${column} OR (${left}.${column} IS NULL AND ${right}.${column} IS NULL))`;
}

/** The sync key: the dataset key, plus `valid_from` when every version is kept. */
export function cdcSyncKey(dataset: DatasetDefinition): string[] {
    return historyOf(dataset) === "scd2" ? [...dataset.key, historyColumns.validFrom] : [...dataset.key];
}

export function cdcTargetTableDdl(dataset: DatasetDefinition, schema: string, dialect: SqlDialect): string {
    const notNull = new Set([...dataset.fields.filter((field) => field.required).map((field) => field.name), ...cdcSyncKey(dataset)]);
    const columns = cdcWarehouseFields(dataset).map((field) => `    ${quoteIdentifier(field.name)} ${warehouseColumnType(field, dialect)}${notNull.has(field.name) ? " NOT NULL" : ""}`);
    columns.push(`    PRIMARY KEY (${cdcSyncKey(dataset).map(quoteIdentifier).join(", ")})`);
    let ddl = `CREATE TABLE IF NOT EXISTS ${qualifiedName(schema, dataset.name)} (\n${columns.join(",\n")}\n)`;
    if (dialect.engine === "redshift") {
        const design = dataset.warehouse;
        ddl += design.distStyle === "KEY" && design.distKey ? `\nDISTSTYLE KEY\nDISTKEY (${quoteIdentifier(design.distKey)})` : `\nDISTSTYLE ${design.distStyle}`;
        if (design.sortKeys.length > 0) {
            ddl += `\nCOMPOUND SORTKEY (${design.sortKeys.map(quoteIdentifier).join(", ")})`;
        }
    }
    return ddl;
}

/** The statements of one sync transaction (see the module comment). `manifestUri` is used on Redshift only. */
export function cdcSyncStatements(dataset: DatasetDefinition, schema: string, dialect: SqlDialect, manifestUri: string, loadId: string): string[] {
    if (dataset.source !== "database") {
        throw new WarehouseConfigError(`dataset '${dataset.name}' is not captured from a database (source is '${dataset.source ?? "stream"}'); load it with loadCurated instead`);
    }
    const target = qualifiedName(schema, dataset.name);
    const targetRef = quoteIdentifier(dataset.name);
    const stage = quoteIdentifier(`stage_${dataset.name}_cdc`);
    const fields = cdcWarehouseFields(dataset);
    const columns = fields.map((field) => quoteIdentifier(field.name));
    const staged = cdcCuratedFields(dataset);
    const stagedColumns = staged.map((field) => quoteIdentifier(field.name));
    const loadIdColumn = quoteIdentifier(loadIdField.name);
    const syncKey = cdcSyncKey(dataset);
    const match = (left: string, right: string) => syncKey.map((key) => `${left}.${quoteIdentifier(key)} = ${right}.${quoteIdentifier(key)}`).join(" AND ");
    const updates = fields.filter((field) => !syncKey.includes(field.name)).map((field) => `${quoteIdentifier(field.name)} = s.${quoteIdentifier(field.name)}`);
    let fill: string;
    if (dialect.engine === "redshift") {
        fill = `COPY ${stage} FROM ${quoteLiteral(manifestUri)} IAM_ROLE ${quoteLiteral(dialect.copyRoleArn)} FORMAT AS PARQUET MANIFEST`;
    } else {
        const [sourceSchema, sourceTable] = dialect.stageSourceTable.split(".");
        const source = sourceTable ? qualifiedName(sourceSchema as string, sourceTable) : quoteIdentifier(sourceSchema as string);
        fill = `INSERT INTO ${stage} (${stagedColumns.join(", ")}) SELECT ${stagedColumns.join(", ")} FROM ${source}`;
    }
    const unchanged = staged
        .filter((field) => field.type !== "array" && !syncKey.includes(field.name))
        .map((field) => sameValue(stage, targetRef, quoteIdentifier(field.name)));
    return [
        `LOCK TABLE ${target}`,
        `CREATE TEMP TABLE ${stage} (${staged.map((field) => `${quoteIdentifier(field.name)} ${warehouseColumnType(field, dialect)}`).join(", ")}, ${loadIdColumn} ${warehouseColumnType(loadIdField, dialect)})`,
        fill,
        `UPDATE ${stage} SET ${loadIdColumn} = ${quoteLiteral(loadId)}`,
        `DELETE FROM ${target} WHERE NOT EXISTS (SELECT 1 FROM ${stage} AS s WHERE ${match("s", targetRef)})`,
        // Rows the sync would not change keep the load id of the sync that last changed them.
        `DELETE FROM ${stage} USING ${target} WHERE ${[match(targetRef, stage), ...unchanged].join(" AND ")}`,
        `MERGE INTO ${target} USING ${stage} AS s ON ${match(targetRef, "s")} ` +
            (updates.length > 0 ? `WHEN MATCHED THEN UPDATE SET ${updates.join(", ")} ` : "") +
            `WHEN NOT MATCHED THEN INSERT (${columns.join(", ")}) VALUES (${columns.map((column) => `s.${column}`).join(", ")})`,
        `DROP TABLE ${stage}`,
    ];
}

export interface CdcSyncConfig {
    readonly dataset: DatasetDefinition;
    readonly schema: string;
    /** Curated zone root (`s3://bucket/curated`); the table is `<root>/<dataset>/`. */
    readonly curatedUri: string;
    /** Where the COPY manifest goes (Redshift): `<manifestUri>/<dataset>/cdc-sync.manifest.json`. */
    readonly manifestUri: string;
    readonly dialect: SqlDialect;
    /** When the sync runs; part of its load id. Defaults to now. */
    readonly loadedAt?: Date;
}

export interface CdcSyncResult {
    readonly dataset: string;
    readonly files: number;
    readonly statementId: string;
    /** The `_load_id` the rows this sync changed carry. */
    readonly loadId: string;
}

/** Creates the schema and the table if missing (idempotent). */
export async function ensureCdcTable(warehouse: StatementRunner, config: Pick<CdcSyncConfig, "dataset" | "schema" | "dialect">): Promise<void> {
    await warehouse.executeBatch([schemaDdl(config.schema), cdcTargetTableDdl(config.dataset, config.schema, config.dialect)], `${config.dataset.name}: create table`);
}

/** Creates the table if missing, then makes it equal to the curated files in one transaction. */
export async function syncCdcTable(deps: { readonly warehouse: StatementRunner; readonly s3?: Pick<S3Client, "send"> }, config: CdcSyncConfig): Promise<CdcSyncResult> {
    const name = config.dataset.name;
    await ensureCdcTable(deps.warehouse, config);
    const manifestUri = `${childPrefix(config.manifestUri, name)}cdc-sync.manifest.json`;
    let files = 0;
    let listedFiles: readonly CuratedFile[] = [];
    if (config.dialect.engine === "redshift") {
        if (!deps.s3) {
            throw new WarehouseConfigError(`${name}: the Redshift sync needs an S3 client to list the curated files and write the manifest`);
        }
        const listed = await listCuratedFiles(deps.s3, childPrefix(config.curatedUri, name));
        if (listed.length === 0) {
            throw new WarehouseConfigError(`${name}: no curated files under ${childPrefix(config.curatedUri, name)}; run the CDC apply first (an empty sync would delete every row)`);
        }
        await writeManifest(deps.s3, manifestUri, listed);
        files = listed.length;
        listedFiles = listed;
    }
    const loadId = cdcSyncId(config.dataset, config.loadedAt ?? new Date(), listedFiles);
    const outcome = await deps.warehouse.executeBatch(cdcSyncStatements(config.dataset, config.schema, config.dialect, manifestUri, loadId), `${name}: sync from curated`);
    return { dataset: name, files, statementId: outcome.statementId, loadId };
}
