import { ScalarField } from "./types";

/**
 * Row-level provenance: the columns every curated row carries (after its business columns) to say
 * which raw object it was read from and where its source put it, and the column every warehouse row
 * adds to say which load wrote it. They are the one definition the Glue tables, the Spark specs and
 * the Redshift DDL read, so a query in Athena, Spectrum or Redshift can follow any row back to a
 * Kafka offset, a Kinesis sequence number, a database change, an API window or a file line.
 *
 * They stay out of the dataset definitions' `fields`: the validator, the quality checks, the
 * aggregates and the keys never see them. They identify data, not people (never personal data).
 *
 * What each source fills in (the raw record's `_ingest` object, or the CDC change columns):
 *
 * | column                    | kafka      | kinesis          | api                      | file                 | database (CDC)                    |
 * |---------------------------|------------|------------------|--------------------------|----------------------|-----------------------------------|
 * | `_source_engine`          | kafka      | kinesis          | api                      | file                 | dms                               |
 * | `_source_name`            | topic      | stream           | API source               | file drop            | `schema.table`                    |
 * | `_source_partition`       | partition  | shard id         | window `start-end` (UTC) | file id              | commit log position (20 digits)   |
 * | `_source_position`        | offset     | sequence number  | record index in window   | row number           | change sequence (AR_H_CHANGE_SEQ) |
 * | `_source_object`          | -          | -                | -                        | `s3://bucket/key`    | change file key                   |
 * | `_source_object_version`  | -          | -                | -                        | S3 version id        | -                                 |
 * | `_source_line`            | -          | -                | -                        | line in the file     | line in the change file           |
 */

/** Names of the provenance columns. */
export const provenanceColumns = {
    rawObject: "_raw_object",
    engine: "_source_engine",
    name: "_source_name",
    partition: "_source_partition",
    position: "_source_position",
    object: "_source_object",
    objectVersion: "_source_object_version",
    line: "_source_line",
    loadId: "_load_id",
} as const;

/**
 * Where a curated provenance column comes from in a raw-zone record of a non-CDC source: a member of
 * the record's `_ingest` object, or (`object`) the raw object the record was read from.
 */
export interface CuratedProvenanceColumn {
    readonly field: ScalarField;
    /** The `_ingest` member the value is read from, or `"object"` for the raw object's key. */
    readonly from: "object" | "engine" | "source" | "partition" | "position" | "file" | "version_id" | "line";
}

const text = (name: string, description: string, maxLength = 256): ScalarField => ({ name, type: "string", description, rules: { maxLength } });

/** The curated provenance columns, in column order (they follow the dataset's curated columns). */
export const curatedProvenance: readonly CuratedProvenanceColumn[] = [
    { from: "object", field: text(provenanceColumns.rawObject, "Provenance: key of the raw-zone object (in the stack's raw bucket) the row was read from", 1024) },
    { from: "engine", field: text(provenanceColumns.engine, "Provenance: the source kind (kafka, kinesis, api, file, dms)", 16) },
    { from: "source", field: text(provenanceColumns.name, "Provenance: Kafka topic, Kinesis stream, API source, file drop or source table (schema.table)") },
    { from: "partition", field: text(provenanceColumns.partition, "Provenance: Kafka partition, Kinesis shard, API window (start-end, UTC), file id or CDC commit log position") },
    { from: "position", field: text(provenanceColumns.position, "Provenance: Kafka offset, Kinesis sequence number, index in the API window, file row or CDC change sequence (AR_H_CHANGE_SEQ)", 128) },
    { from: "file", field: text(provenanceColumns.object, "Provenance: the source file (s3://bucket/key of a file drop, or the CDC change file); null for streams and APIs", 1024) },
    { from: "version_id", field: text(provenanceColumns.objectVersion, "Provenance: the S3 version id of the dropped file; null when unversioned or not a file") },
    { from: "line", field: { name: provenanceColumns.line, type: "long", description: "Provenance: line of the record in its source file (file drops, CDC change files); null otherwise" } },
];

/** The curated provenance columns as fields (Glue, Spark and Redshift types derive from these). */
export function curatedProvenanceFields(): ScalarField[] {
    return curatedProvenance.map((column) => column.field);
}

/** The column only warehouse rows carry: the load batch that wrote the row (the ledger's `batch_id`). */
export const loadIdField: ScalarField = text(provenanceColumns.loadId, "Provenance: id of the warehouse load batch that last wrote the row (load_ledger.batch_id)", 128);

/** Every provenance column name, for checks that dataset columns never take one. */
export const provenanceColumnNames: readonly string[] = Object.values(provenanceColumns);
