import { DatasetDefinition } from "../datasets";
import { loadIdField } from "../datasets";
import { ledgerTable, stagedFields, tempTableDdl, warehouseFields } from "./ddl";
import { WarehouseConfigError } from "./errors";
import { qualifiedName, quoteIdentifier, quoteLiteral, SqlDialect, timestampLiteral } from "./sql";

/** A curated Parquet file as S3 lists it. */
export interface CuratedFile {
    /** `s3://bucket/key` */
    readonly uri: string;
    /** The object's ETag without quotes; with the URI it identifies the file's content in the ledger. */
    readonly etag: string;
    /** Bytes (the manifest's `meta.content_length`, required for Parquet). */
    readonly size: number;
}

/** One load transaction: these files, through this manifest, recorded under this batch id. */
export interface LoadBatch {
    readonly batchId: string;
    readonly manifestUri: string;
    readonly files: readonly CuratedFile[];
    readonly loadedAt: Date;
}

/** Temp table names of a batch (temp tables live in the batch's own session). */
export function stageTables(dataset: DatasetDefinition): { stage: string; latest: string; ledgerBatch: string } {
    return { stage: `stage_${dataset.name}`, latest: `stage_${dataset.name}_latest`, ledgerBatch: `stage_${dataset.name}_files` };
}

function splitTableName(name: string): string {
    const parts = name.split(".");
    if (parts.length === 1) {
        return quoteIdentifier(parts[0]);
    }
    if (parts.length === 2) {
        return qualifiedName(parts[0], parts[1]);
    }
    throw new WarehouseConfigError(`'${name}' is not a table name; use table or schema.table`);
}

/** How the stage is filled: COPY from the manifest on Redshift; an INSERT from the stand-in table on PostgreSQL. */
export function stageLoadSql(dataset: DatasetDefinition, batch: LoadBatch, dialect: SqlDialect): string {
    const { stage } = stageTables(dataset);
    const fields = stagedFields(dataset);
    if (dialect.engine === "redshift") {
        if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(dialect.copyRoleArn)) {
            throw new WarehouseConfigError(`copy role '${dialect.copyRoleArn}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
        }
        const nested = fields.some((field) => field.type === "array") ? " SERIALIZETOJSON" : "";
        return `COPY ${quoteIdentifier(stage)} FROM ${quoteLiteral(batch.manifestUri)} IAM_ROLE ${quoteLiteral(dialect.copyRoleArn)} FORMAT AS PARQUET${nested} MANIFEST`;
    }
    const columns = fields.map((field) => quoteIdentifier(field.name)).join(", ");
    const files = batch.files.map((file) => quoteLiteral(file.uri)).join(", ");
    return `INSERT INTO ${quoteIdentifier(stage)} (${columns}) SELECT ${columns} FROM ${splitTableName(dialect.stageSourceTable)} WHERE "file_uri" IN (${files})`;
}

/**
 * The statements of one load batch, run by the Data API as one transaction (BatchExecuteStatement):
 *
 * 1. lock the ledger, so concurrent loads of the same files serialize;
 * 2. create the stage with the curated columns and fill it from exactly the manifest's files;
 * 3. keep one row per key: the latest event time, ties broken by the other scalar columns (descending),
 *    so the result does not depend on file order;
 * 4. drop stage rows older than the target's row for the same key (a late file never rolls a row back);
 * 5. MERGE the rest into the target (update matched keys, insert new ones), stamping each written
 *    row's `_load_id` with the batch id (so a row leads to its ledger entry and curated files);
 * 6. record the files in the ledger, skipping any a concurrent load recorded first;
 * 7. drop the temp tables.
 *
 * Re-running a batch leaves the target and the ledger as they were, so the ledger gives exactly-once
 * loading of each file even when a load is retried or raced.
 */
export function loadBatchStatements(dataset: DatasetDefinition, batch: LoadBatch, schema: string, dialect: SqlDialect): string[] {
    if (batch.files.length === 0) {
        throw new WarehouseConfigError(`batch ${batch.batchId} has no files; plan batches only for new files`);
    }
    const target = qualifiedName(schema, dataset.name);
    const targetRef = quoteIdentifier(dataset.name);
    const ledger = qualifiedName(schema, ledgerTable);
    const { stage, latest, ledgerBatch } = stageTables(dataset);
    const [stageQ, latestQ, filesQ] = [stage, latest, ledgerBatch].map(quoteIdentifier);
    const fields = warehouseFields(dataset);
    const columns = fields.map((field) => quoteIdentifier(field.name));
    const staged = stagedFields(dataset);
    const stagedColumns = staged.map((field) => quoteIdentifier(field.name));
    const loadId = quoteIdentifier(loadIdField.name);
    const keys = dataset.key.map(quoteIdentifier);
    const eventTime = quoteIdentifier(dataset.eventTimeField);
    const tieBreak = staged
        .filter((field) => field.type !== "array" && !dataset.key.includes(field.name) && field.name !== dataset.eventTimeField)
        .map((field) => `${quoteIdentifier(field.name)} DESC NULLS LAST`);
    const order = [`${eventTime} DESC`, ...tieBreak].join(", ");
    const keyMatch = (left: string, right: string) => keys.map((key) => `${left}.${key} = ${right}.${key}`).join(" AND ");
    const updates = columns.filter((_, index) => !dataset.key.includes(fields[index].name)).map((column) => `${column} = s.${column}`);
    const fileRows = batch.files.map((file) => `(${quoteLiteral(file.uri)}, ${quoteLiteral(file.etag)})`).join(", ");

    return [
        `LOCK TABLE ${ledger}`,
        tempTableDdl(stage, staged, dialect, new Set(dataset.fields.filter((field) => field.required).map((field) => field.name))),
        stageLoadSql(dataset, batch, dialect),
        `CREATE TEMP TABLE ${latestQ} (LIKE ${target})`,
        `INSERT INTO ${latestQ} (${columns.join(", ")}) ` +
            `SELECT ${stagedColumns.join(", ")}, ${quoteLiteral(batch.batchId)} AS ${loadId} FROM (SELECT ${stagedColumns.join(", ")}, ROW_NUMBER() OVER (PARTITION BY ${keys.join(", ")} ORDER BY ${order}) AS "row_rank" FROM ${stageQ}) AS ranked ` +
            `WHERE "row_rank" = 1`,
        `DELETE FROM ${latestQ} USING ${target} WHERE ${keyMatch(targetRef, latestQ)} AND ${targetRef}.${eventTime} > ${latestQ}.${eventTime}`,
        `MERGE INTO ${target} USING ${latestQ} AS s ON ${keyMatch(targetRef, "s")} ` +
            `WHEN MATCHED THEN UPDATE SET ${updates.join(", ")} ` +
            `WHEN NOT MATCHED THEN INSERT (${columns.join(", ")}) VALUES (${columns.map((column) => `s.${column}`).join(", ")})`,
        `CREATE TEMP TABLE ${filesQ} ("file_uri" VARCHAR(1024), "etag" VARCHAR(128))`,
        `INSERT INTO ${filesQ} ("file_uri", "etag") VALUES ${fileRows}`,
        `INSERT INTO ${ledger} ("file_uri", "etag", "loaded_at", "batch_id") ` +
            `SELECT f."file_uri", f."etag", ${timestampLiteral(batch.loadedAt)}, ${quoteLiteral(batch.batchId)} FROM ${filesQ} AS f ` +
            `WHERE NOT EXISTS (SELECT 1 FROM ${ledger} AS l WHERE l."file_uri" = f."file_uri" AND l."etag" = f."etag")`,
        `DROP TABLE ${filesQ}`,
        `DROP TABLE ${latestQ}`,
        `DROP TABLE ${stageQ}`,
    ];
}

/** The ledger rows of files under a prefix (`s3://bucket/prefix/dataset/`), ordered for stable paging. */
export function ledgerQuerySql(schema: string, uriPrefix: string): string {
    return (
        `SELECT "file_uri", "etag" FROM ${qualifiedName(schema, ledgerTable)} ` +
        `WHERE LEFT("file_uri", ${uriPrefix.length}) = ${quoteLiteral(uriPrefix)} ORDER BY "file_uri", "etag"`
    );
}
