import { DatasetDefinition } from "../../runtime/datasets";
import { aggregateGlueColumns, aggregateTableName, curatedGlueColumns, curatedPartitionColumns, glueColumns, GlueColumn, glueType, rawPartitionColumns } from "../../runtime/datasets/schema";
import { historyOf } from "../../runtime/cdc/spec";
import { cdcCuratedFields } from "../../runtime/warehouse/cdc";
import type * as pulumi from "@pulumi/pulumi";
import { identifierPrefix } from "../shared/options";

/** Lake Formation permissions the platform ever grants. `ALL` is deliberately not among them. */
export type TablePermission = "SELECT" | "DESCRIBE" | "INSERT" | "DELETE" | "ALTER";
export type DatabasePermission = "DESCRIBE" | "CREATE_TABLE" | "ALTER";

/**
 * Access a consumer of the catalog needs, declared by the consumer where it creates the principal
 * and applied by the Catalog component: explicit permissions on every table of one zone and on
 * its database (never `ALL`: the permission types cannot ask for it), and optionally the right to
 * create data in the zone's registered location.
 */
export interface CatalogGrant {
    /** Logical name suffix for the grant resources, e.g. `warehouse` (`catalog-<zone>-<name>-tables`). */
    readonly name: string;
    /** The role or user granted. */
    readonly principalArn: pulumi.Input<string>;
    readonly zone: "raw" | "curated";
    readonly tablePermissions: readonly TablePermission[];
    /** Permissions on the zone's database. Defaults to none (no database grant). */
    readonly databasePermissions?: readonly DatabasePermission[];
    /** Grant `DATA_LOCATION_ACCESS` on the zone's bucket, for principals that write its tables. Defaults to false. */
    readonly dataLocation?: boolean;
}

/** The Glue databases of a stack: `<project>_<stack>_raw` and `<project>_<stack>_curated` (Glue names take no dashes). */
export function catalogDatabaseNames(project: string, stack: string): { readonly raw: string; readonly curated: string } {
    const prefix = identifierPrefix(project, stack);
    return { raw: `${prefix}_raw`, curated: `${prefix}_curated` };
}

export interface TableSpec {
    readonly name: string;
    readonly description: string;
    readonly location: string;
    readonly columns: readonly GlueColumn[];
    readonly partitionKeys: readonly GlueColumn[];
    readonly format: "json" | "parquet";
    readonly parameters: Readonly<Record<string, string>>;
}

/**
 * The raw-zone table of a dataset: gzip NDJSON under `<dataset>/dt=/hour=`, with partition
 * projection so Athena finds new hours without crawlers or MSCK REPAIR.
 */
export function rawTable(dataset: DatasetDefinition, bucket: string): TableSpec {
    const location = `s3://${bucket}/${dataset.name}/`;
    return {
        name: dataset.name,
        description: `${dataset.description} (raw zone, as landed by the ingest functions)`,
        location,
        columns: glueColumns(dataset),
        partitionKeys: rawPartitionColumns,
        format: "json",
        parameters: {
            classification: "json",
            compressionType: "gzip",
            "dataset.version": String(dataset.version),
            "projection.enabled": "true",
            "projection.dt.type": "date",
            "projection.dt.format": "yyyy-MM-dd",
            "projection.dt.range": "2024-01-01,NOW",
            "projection.dt.interval": "1",
            "projection.dt.interval.unit": "DAYS",
            "projection.hour.type": "integer",
            "projection.hour.range": "0,23",
            "projection.hour.digits": "2",
            "storage.location.template": `${location}dt=\${dt}/hour=\${hour}/`,
        },
    };
}

/** Partition projection over the curated `dt` partitions, so Athena sees new dates without registration. */
export function datePartitionProjection(location: string): Record<string, string> {
    return {
        "projection.enabled": "true",
        "projection.dt.type": "date",
        "projection.dt.format": "yyyy-MM-dd",
        "projection.dt.range": "2024-01-01,NOW",
        "projection.dt.interval": "1",
        "projection.dt.interval.unit": "DAYS",
        "storage.location.template": `${location}dt=\${dt}/`,
    };
}

/**
 * The curated-zone table of a dataset: Parquet partitioned by event date, written by the Spark job,
 * with the dataset's fields followed by the columns its reference enrichments add.
 */
export function curatedTable(dataset: DatasetDefinition, bucket: string): TableSpec {
    return {
        name: dataset.name,
        description: `${dataset.description} (curated zone: de-duplicated by key, enriched)`,
        location: `s3://${bucket}/${dataset.name}/`,
        columns: curatedGlueColumns(dataset),
        partitionKeys: curatedPartitionColumns,
        format: "parquet",
        parameters: { classification: "parquet", "dataset.version": String(dataset.version), "parquet.compression": "SNAPPY", ...datePartitionProjection(`s3://${bucket}/${dataset.name}/`) },
    };
}

/** The daily aggregate tables of a dataset, next to its curated table. */
export function aggregateTables(dataset: DatasetDefinition, bucket: string): TableSpec[] {
    return dataset.aggregates.map((aggregate) => {
        const name = aggregateTableName(dataset, aggregate);
        return {
            name,
            description: `Daily ${aggregate.name.replace(/_/g, " ")} of ${dataset.name} (curated zone)`,
            location: `s3://${bucket}/${name}/`,
            columns: aggregateGlueColumns(dataset, aggregate),
            partitionKeys: curatedPartitionColumns,
            format: "parquet" as const,
            parameters: { classification: "parquet", "dataset.version": String(dataset.version), "parquet.compression": "SNAPPY", ...datePartitionProjection(`s3://${bucket}/${name}/`) },
        };
    });
}

/** Hive storage descriptors of the two formats. */
export function storageFormat(format: "json" | "parquet"): { inputFormat: string; outputFormat: string; serializationLibrary: string } {
    return format === "json"
        ? {
              inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
              outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
              serializationLibrary: "org.openx.data.jsonserde.JsonSerDe",
          }
        : {
              inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
              outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
              serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
          };
}

/** LF-tags of the platform: where data sits, and how sensitive it is (from the dataset definition). */
export const lfTags: Readonly<Record<string, readonly string[]>> = {
    zone: ["raw", "curated"],
    classification: ["public", "internal", "confidential"],
};

/** Columns every landed change record carries after the dataset's fields (runtime/cdc/land.ts). */
const cdcRawColumns: readonly GlueColumn[] = [
    { name: "cdc_op", type: "string", comment: "Change operation: I (insert or full load), U (update) or D (delete)" },
    { name: "cdc_commit_ts", type: "string", comment: "Commit time at the source (ISO 8601, UTC, microseconds)" },
    { name: "cdc_change_seq", type: "string", comment: "Position of the change in the source's log (35 digits; orders the changes)" },
    { name: "cdc_source", type: "string", comment: "The DMS change file and line the record came from" },
];

/**
 * The raw-zone table of a database dataset (change data capture): the landed change records,
 * gzip NDJSON under `<dataset>/dt=/hour=` by commit hour, with the change columns after the
 * dataset's fields.
 */
export function cdcRawTable(dataset: DatasetDefinition, bucket: string): TableSpec {
    const table = rawTable(dataset, bucket);
    return { ...table, description: `${dataset.description} (raw zone: every captured change, as landed from the DMS change files)`, columns: [...table.columns, ...cdcRawColumns] };
}

/**
 * The curated-zone table of a database dataset: the state the CDC apply rebuilds whole
 * (runtime/spark/cdc_apply.py), one unpartitioned Parquet folder, with the history columns in
 * scd2 mode and the provenance columns; the warehouse table's columns but its `_load_id`.
 */
export function cdcCuratedTable(dataset: DatasetDefinition, bucket: string): TableSpec {
    return {
        name: dataset.name,
        description: `${dataset.description} (curated zone: ${historyOf(dataset) === "scd2" ? "every committed version" : "the latest state per key"}, rebuilt from the captured changes)`,
        location: `s3://${bucket}/${dataset.name}/`,
        columns: cdcCuratedFields(dataset).map((field) => ({ name: field.name, type: glueType(field), comment: field.description })),
        partitionKeys: [],
        format: "parquet",
        parameters: { classification: "parquet", "dataset.version": String(dataset.version), "parquet.compression": "SNAPPY" },
    };
}
