/**
 * The questions the platform answers with Athena, generated from the dataset definitions so a
 * renamed field or aggregate changes the SQL with it. `infra/query` deploys each as an
 * `aws.athena.NamedQuery` in its workgroup; the tests check every column a query reads against
 * the tables the definitions produce.
 *
 * The SQL is Athena (Trino) SQL. Every query filters on the `dt` partition first, so partition
 * projection prunes it to the days asked for and the workgroup's scan limit is never the only guard.
 */
import { aggregateFields, aggregateTableName, curatedFields, curatedPartitionColumn } from "../datasets/schema";
import { DatasetDefinitionError } from "../datasets/errors";
import { DatasetDefinition, FieldDefinition } from "../datasets/types";
import type { RejectErrorType } from "../ingest/types";

/** Which Athena workgroup a query belongs to: people exploring curated data, or the platform's own checks. */
export type QueryAudience = "analysts" | "pipeline";

/** One table a query reads and the columns it names, for the consistency checks. */
export interface TableRead {
    readonly database: string;
    readonly table: string;
    readonly columns: readonly string[];
}

export interface NamedQuerySpec {
    /** Kebab-case, unique across the platform; the Pulumi name and the Athena name. */
    readonly name: string;
    readonly description: string;
    readonly audience: QueryAudience;
    /** The database the query runs in (Athena's default schema for it). */
    readonly database: string;
    readonly sql: string;
    readonly reads: TableRead;
}

/** The databases the queries run against. */
export interface QueryDatabases {
    /** The curated zone (curated tables and daily aggregates). */
    readonly curated: string;
    /** The operations database: rejects and arrival tables over the rejects and raw zones. */
    readonly operations: string;
}

/** Every reject error type (the `error_type=` partition values); the record type keeps it exhaustive. */
const rejectErrorTypeSet: Record<RejectErrorType, true> = {
    undecodable: true,
    not_json: true,
    not_object: true,
    oversized: true,
    missing_required: true,
    type_mismatch: true,
    unknown_field: true,
    not_allowed: true,
    pattern_mismatch: true,
    out_of_range: true,
    length_out_of_range: true,
    decimal_precision: true,
    future_timestamp: true,
    item_count: true,
    cross_field: true,
    processing_error: true,
};
export const rejectErrorTypes: readonly RejectErrorType[] = Object.keys(rejectErrorTypeSet) as RejectErrorType[];

/** The operations table over a dataset's rejects zone. */
export function rejectsTableName(dataset: DatasetDefinition): string {
    return `${dataset.name}_rejects`;
}

/** The operations table over a dataset's raw zone that exposes when each record arrived. */
export function arrivalsTableName(dataset: DatasetDefinition): string {
    return `${dataset.name}_arrivals`;
}

/** The `_ingest` metadata object the ingest function appends to every raw record (see runtime/ingest/classify.ts). */
export const ingestMetadataColumn = "_ingest";

/** Columns of the rejects table (partition columns `error_type`, `dt`, `hour` excluded): what a reject line carries. */
export const rejectsColumns: readonly { readonly name: string; readonly type: string; readonly comment: string }[] = [
    { name: "dataset", type: "string", comment: "Dataset the record was meant for" },
    { name: "dataset_version", type: "int", comment: "Dataset definition version applied" },
    { name: "rule", type: "string", comment: "The first rule the record broke" },
    { name: "field", type: "string", comment: "Path of the field that broke it" },
    { name: "message", type: "string", comment: "Why the record was rejected" },
    { name: "engine", type: "string", comment: "kafka or kinesis" },
    { name: "source", type: "string", comment: "Kafka topic or Kinesis stream" },
    { name: "partition", type: "string", comment: "Kafka partition or Kinesis shard" },
    { name: "position", type: "string", comment: "Kafka offset or Kinesis sequence number" },
    { name: "ingest_time", type: "string", comment: "When the source received the record (ISO-8601)" },
    { name: "payload_text", type: "string", comment: "The payload as text, when it was valid UTF-8" },
];

/** The `_ingest` struct's type as Glue declares it: the source coordinates and the arrival time. */
export const ingestMetadataType = "struct<dataset_version:int,engine:string,source:string,partition:string,position:string,ingest_time:string,ingest_time_type:string>";

/** Columns of the arrivals table: the key, the event time (as text, parsed in SQL) and the `_ingest` metadata. */
export function arrivalsColumns(dataset: DatasetDefinition): { name: string; type: string; comment: string }[] {
    const field = (name: string): FieldDefinition => {
        const found = dataset.fields.find((f) => f.name === name);
        if (!found) {
            throw new DatasetDefinitionError(`dataset '${dataset.name}': field '${name}' is named as key or event time but not declared; declare it or fix the name`);
        }
        return found;
    };
    const names = [...new Set([...dataset.key, dataset.eventTimeField])];
    return [
        ...names.map((name) => ({ name, type: "string", comment: field(name).description })),
        { name: ingestMetadataColumn, type: ingestMetadataType, comment: "Where the record came from and when it arrived (added by the ingest function)" },
    ];
}

/** `dt` of N days ago, as the partition's text; Athena evaluates it once per query. */
function daysAgo(days: number): string {
    return `date_format(current_date - interval '${days}' day, '%Y-%m-%d')`;
}

function quoted(identifier: string): string {
    return `"${identifier}"`;
}

/** The daily aggregates of a dataset, one query each (for orders: sales per region and day). */
function aggregateQueries(dataset: DatasetDefinition, databases: QueryDatabases): NamedQuerySpec[] {
    return dataset.aggregates.map((aggregate) => {
        const table = aggregateTableName(dataset, aggregate);
        const columns = aggregateFields(dataset, aggregate).map((f) => f.name);
        const ordering = [`${curatedPartitionColumn} DESC`, ...aggregate.groupBy.map(quoted)].join(", ");
        return {
            name: `${kebab(dataset.name)}-${kebab(aggregate.name)}`,
            description: `Daily ${aggregate.name.replace(/_/g, " ")} of ${dataset.name} (${aggregate.groupBy.join(", ")} per day), the last 30 days`,
            audience: "analysts" as const,
            database: databases.curated,
            sql: [
                `SELECT ${[curatedPartitionColumn, ...columns].map(quoted).join(", ")}`,
                `FROM ${quoted(databases.curated)}.${quoted(table)}`,
                `WHERE ${curatedPartitionColumn} >= ${daysAgo(30)}`,
                `ORDER BY ${ordering}`,
            ].join("\n"),
            reads: { database: databases.curated, table, columns: [curatedPartitionColumn, ...columns] },
        };
    });
}

/** Rejects of the last day by error type, source and rule: what broke, and where it came from. */
function rejectsQuery(dataset: DatasetDefinition, databases: QueryDatabases): NamedQuerySpec {
    const table = rejectsTableName(dataset);
    return {
        name: `${kebab(dataset.name)}-rejects-last-day`,
        description: `Rejected ${dataset.name} records of the last day by error type, source and rule`,
        audience: "pipeline",
        database: databases.operations,
        sql: [
            `SELECT "error_type", "source", "rule", count(*) AS "rejects", min("ingest_time") AS "first_seen", max("ingest_time") AS "last_seen"`,
            `FROM ${quoted(databases.operations)}.${quoted(table)}`,
            `WHERE "dt" >= ${daysAgo(1)}`,
            `GROUP BY "error_type", "source", "rule"`,
            `ORDER BY "rejects" DESC`,
        ].join("\n"),
        reads: { database: databases.operations, table, columns: ["error_type", "source", "rule", "ingest_time", "dt"] },
    };
}

/**
 * Late records of the last week: records that reached the raw zone after their event's UTC day
 * had ended, so only the late-data sweep brings them to curated and the warehouse.
 */
function lateRecordsQuery(dataset: DatasetDefinition, databases: QueryDatabases): NamedQuerySpec {
    const table = arrivalsTableName(dataset);
    const event = `from_iso8601_timestamp(${quoted(dataset.eventTimeField)})`;
    const arrival = `from_iso8601_timestamp(${quoted(ingestMetadataColumn)}.ingest_time)`;
    return {
        name: `${kebab(dataset.name)}-late-records`,
        description: `${dataset.name} records that arrived after their event day ended (picked up by the late-data sweep), per event day and source, the last 7 days`,
        audience: "pipeline",
        database: databases.operations,
        sql: [
            `SELECT "dt" AS "event_date", ${quoted(ingestMetadataColumn)}.source AS "source", count(*) AS "late_records",`,
            `       max(date_diff('minute', ${event}, ${arrival})) AS "max_delay_minutes"`,
            `FROM ${quoted(databases.operations)}.${quoted(table)}`,
            `WHERE "dt" >= ${daysAgo(7)}`,
            `  AND ${quoted(ingestMetadataColumn)}.ingest_time IS NOT NULL`,
            `  AND date(${arrival}) > date(${event})`,
            `GROUP BY 1, 2`,
            `ORDER BY 1 DESC, 2`,
        ].join("\n"),
        reads: { database: databases.operations, table, columns: ["dt", ingestMetadataColumn, dataset.eventTimeField] },
    };
}

/** The operations table over the lineage prefix: one row per OpenLineage run event. */
export const lineageTableName = "lineage_events";

const datasetRefType = "struct<namespace:string,name:string>";

/**
 * The columns of the lineage table, as the JSON SerDe reads an OpenLineage RunEvent (its field
 * names match case-insensitively). Facets beyond the parent run and the error message stay out:
 * they differ per stage and are read from the objects themselves when needed.
 */
export const lineageColumns: readonly { readonly name: string; readonly type: string; readonly comment: string }[] = [
    { name: "eventtype", type: "string", comment: "START, RUNNING, COMPLETE, ABORT, FAIL or OTHER" },
    { name: "eventtime", type: "string", comment: "When the event happened (ISO 8601, UTC)" },
    { name: "producer", type: "string", comment: "The code that emitted the event" },
    { name: "schemaurl", type: "string", comment: "The OpenLineage spec version of the event" },
    {
        name: "run",
        type: "struct<runid:string,facets:struct<parent:struct<run:struct<runid:string>,job:struct<namespace:string,name:string>>,errormessage:struct<message:string>>>",
        comment: "The run (a deterministic UUID per stage run), its parent and, on FAIL, the error",
    },
    { name: "job", type: "struct<namespace:string,name:string>", comment: "The stage: ingest.<dataset>, transform.<dataset>, warehouse-load.<dataset>, ..." },
    { name: "inputs", type: `array<${datasetRefType}>`, comment: "Datasets the run read (topic, stream, API, file, raw or curated prefix, table)" },
    { name: "outputs", type: `array<${datasetRefType}>`, comment: "Datasets the run wrote" },
];

/** Every edge (input → job → output) that touched a dataset in the last 7 days, upstream and downstream. */
function datasetLineageQuery(dataset: DatasetDefinition, databases: QueryDatabases): NamedQuerySpec {
    // The dataset's own names: its S3 prefix, its Redshift table (<db>.<schema>.<table>), its topic or stream.
    const matches = (column: string) => `regexp_like(${column}, '(^|[./])${dataset.name}$')`;
    return {
        name: `${kebab(dataset.name)}-lineage`,
        description: `Where ${dataset.name} comes from and where it goes: every job that read or wrote it in the last 7 days, with its inputs and outputs`,
        audience: "pipeline",
        database: databases.operations,
        sql: [
            `SELECT "job"."name" AS "job", "input"."namespace" AS "input_namespace", "input"."name" AS "input_name",`,
            `       "output"."namespace" AS "output_namespace", "output"."name" AS "output_name", max("eventtime") AS "last_event"`,
            `FROM ${quoted(databases.operations)}.${quoted(lineageTableName)}`,
            `LEFT JOIN UNNEST("inputs") AS i ("input") ON true`,
            `LEFT JOIN UNNEST("outputs") AS o ("output") ON true`,
            `WHERE "dt" >= ${daysAgo(7)}`,
            `  AND (${matches(`"input"."name"`)} OR ${matches(`"output"."name"`)})`,
            `GROUP BY 1, 2, 3, 4, 5`,
            `ORDER BY 1, 3, 5`,
        ].join("\n"),
        reads: { database: databases.operations, table: lineageTableName, columns: ["job", "inputs", "outputs", "eventtime", "dt"] },
    };
}

/** Runs of the last day that failed: the stage, the run and the error it reported. */
export function failedRunsQuery(databases: QueryDatabases): NamedQuerySpec {
    return {
        name: "lineage-failed-runs-last-day",
        description: "Stage runs that reported FAIL in the last day (ingest windows, connector runs, file drops, transforms, quality checks, loads), newest first, with their error",
        audience: "pipeline",
        database: databases.operations,
        sql: [
            `SELECT "eventtime", "job"."name" AS "job", "run"."runid" AS "run_id", "run"."facets"."errormessage"."message" AS "error"`,
            `FROM ${quoted(databases.operations)}.${quoted(lineageTableName)}`,
            `WHERE "dt" >= ${daysAgo(1)}`,
            `  AND "eventtype" = 'FAIL'`,
            `ORDER BY "eventtime" DESC`,
        ].join("\n"),
        reads: { database: databases.operations, table: lineageTableName, columns: ["eventtime", "job", "run", "eventtype", "dt"] },
    };
}

/** The lineage questions: each dataset's upstream and downstream, and the failed runs of the last day. */
export function lineageQueries(datasets: readonly DatasetDefinition[], databases: QueryDatabases): NamedQuerySpec[] {
    return [...datasets.map((dataset) => datasetLineageQuery(dataset, databases)), failedRunsQuery(databases)];
}

/** Every named query of the given datasets, in a stable order. */
export function datasetQueries(datasets: readonly DatasetDefinition[], databases: QueryDatabases): NamedQuerySpec[] {
    return datasets.flatMap((dataset) => [...aggregateQueries(dataset, databases), rejectsQuery(dataset, databases), lateRecordsQuery(dataset, databases)]);
}

/** Columns of the curated table that hold personal data (the definition's `personalData` fields and reference columns). */
export function personalDataColumns(dataset: DatasetDefinition): string[] {
    return curatedFields(dataset)
        .filter((field) => field.type !== "array" && field.personalData === true)
        .map((field) => field.name);
}

function kebab(name: string): string {
    return name.replace(/_/g, "-");
}
