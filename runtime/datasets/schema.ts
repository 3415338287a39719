import { DatasetDefinitionError } from "./errors";
import { curatedProvenance, curatedProvenanceFields } from "./provenance";
import { DatasetDefinition, FieldDefinition, ScalarField, ReferenceEnrichment } from "./types";

/**
 * Projections of a dataset definition into the type systems that store it. Each function is pure
 * and total over the definition types, so the Glue table, the Redshift DDL and the Spark schema
 * can never drift from the validator.
 */

type TypeSystem = "glue" | "redshift" | "spark";

/**
 * Scalar type names per storage system. `decimal` is completed with its precision and scale;
 * Redshift strings take their length from the field's `maxLength` rule (256 when it has none).
 */
const scalarTypeNames: Readonly<Record<TypeSystem, Readonly<Record<Exclude<ScalarField["type"], "decimal" | "string">, string>> & { readonly string: string; readonly decimal: string }>> = {
    glue: { string: "string", int: "int", long: "bigint", double: "double", decimal: "decimal", boolean: "boolean", date: "date", timestamp: "timestamp" },
    redshift: { string: "VARCHAR", int: "INTEGER", long: "BIGINT", double: "DOUBLE PRECISION", decimal: "DECIMAL", boolean: "BOOLEAN", date: "DATE", timestamp: "TIMESTAMPTZ" },
    spark: { string: "STRING", int: "INT", long: "BIGINT", double: "DOUBLE", decimal: "DECIMAL", boolean: "BOOLEAN", date: "DATE", timestamp: "TIMESTAMP" },
};

function scalarType(system: TypeSystem, field: ScalarField): string {
    const names = scalarTypeNames[system];
    if (field.type === "decimal") {
        return `${names.decimal}(${field.precision ?? 18},${field.scale ?? 2})`;
    }
    if (field.type === "string" && system === "redshift") {
        return `${names.string}(${Math.max(field.rules?.maxLength ?? 256, 1)})`;
    }
    return names[field.type];
}

/** Glue/Hive column type of a scalar field. */
export function glueScalarType(field: ScalarField): string {
    return scalarType("glue", field);
}

/** Glue/Hive column type of any field (arrays of structs become `array<struct<...>>`). */
export function glueType(field: FieldDefinition): string {
    if (field.type === "array") {
        const members = field.items.map((item) => `${item.name}:${glueScalarType(item)}`).join(",");
        return `array<struct<${members}>>`;
    }
    return glueScalarType(field);
}

export interface GlueColumn {
    readonly name: string;
    readonly type: string;
    readonly comment: string;
}

/** The Glue columns of the dataset (partition columns excluded). */
export function glueColumns(dataset: DatasetDefinition): GlueColumn[] {
    return dataset.fields.map((field) => ({ name: field.name, type: glueType(field), comment: field.description }));
}

/** Raw-zone partition columns, derived from the event time. */
export const rawPartitionColumns: readonly GlueColumn[] = [
    { name: "dt", type: "string", comment: "Event date (UTC), YYYY-MM-DD" },
    { name: "hour", type: "string", comment: "Event hour (UTC), HH" },
];

/** Curated-zone partition columns: one partition per event date. */
export const curatedPartitionColumns: readonly GlueColumn[] = [{ name: "dt", type: "string", comment: "Event date (UTC), YYYY-MM-DD" }];

/** Redshift column type of any field. Arrays land as SUPER so line items stay queryable with PartiQL. */
export function redshiftType(field: FieldDefinition): string {
    return field.type === "array" ? "SUPER" : scalarType("redshift", field);
}

/** Spark SQL (DDL-string) type of any field, as `StructType.fromDDL` accepts it. */
export function sparkType(field: FieldDefinition): string {
    if (field.type === "array") {
        const members = field.items.map((item) => `${item.name}: ${sparkType(item)}`).join(", ");
        return `ARRAY<STRUCT<${members}>>`;
    }
    return scalarType("spark", field);
}

/** The document the Spark job reads: the dataset definition plus its Spark DDL schema. */
export function sparkJobSpec(dataset: DatasetDefinition): Record<string, unknown> {
    return {
        name: dataset.name,
        version: dataset.version,
        ddl: dataset.fields.map((field) => `${field.name} ${sparkType(field)}`).join(", "),
        key: dataset.key,
        eventTimeField: dataset.eventTimeField,
        requiredFields: dataset.fields.filter((field) => field.required).map((field) => field.name),
        aggregates: dataset.aggregates,
        quality: dataset.quality,
    };
}

/*
 * Curated zone. The Spark job writes each dataset as Parquet under `<curated>/<dataset>/dt=YYYY-MM-DD/`
 * with the dataset's fields followed by the columns its reference enrichments add, and each declared
 * daily aggregate under `<curated>/<dataset>_<aggregate>/dt=YYYY-MM-DD/`. The Glue tables, the Redshift
 * target table (whose column order must equal the Parquet column order for COPY) and the Spark job all
 * read these projections.
 */

/** A daily aggregate as the dataset definition declares it. */
type DailyAggregateDefinition = DatasetDefinition["aggregates"][number];

/** A dimension joined onto a dataset's records in the curated zone: a left join on one key column. */
/** The reference enrichments of a dataset (none when it declares none). */
export function enrichmentsOf(dataset: DatasetDefinition): readonly ReferenceEnrichment[] {
    return dataset.enrichments ?? [];
}

/** Name of the curated-zone partition column (the event date, UTC). */
export const curatedPartitionColumn = "dt";

/**
 * Columns of the curated table in Parquet column order: the dataset's fields, then each enrichment's
 * columns, then each conversion's column, then the row-level provenance columns. The partition column `dt` is not stored in the files. Throws when an enrichment is
 * inconsistent with the dataset (unknown or non-scalar key, a column name that is already taken).
 */
export function curatedFields(dataset: DatasetDefinition): FieldDefinition[] {
    const taken = new Map<string, string>(dataset.fields.map((field) => [field.name, "a dataset field"]));
    taken.set(curatedPartitionColumn, "the curated partition column");
    const fields: FieldDefinition[] = [...dataset.fields];
    for (const enrichment of enrichmentsOf(dataset)) {
        const where = `dataset '${dataset.name}', reference enrichment '${enrichment.name}'`;
        const key = dataset.fields.find((field) => field.name === enrichment.key);
        if (!key || key.type === "array") {
            throw new DatasetDefinitionError(`${where}: key '${enrichment.key}' must be a scalar field of the dataset; found ${key ? "an array field" : "no such field"}; point the enrichment's key at a scalar field`);
        }
        for (const column of enrichment.columns) {
            const owner = taken.get(column.name);
            if (owner) {
                throw new DatasetDefinitionError(`${where}: column '${column.name}' clashes with ${owner}: expected a column name not yet taken; rename the reference column`);
            }
            taken.set(column.name, `a column of reference '${enrichment.name}'`);
            fields.push(column);
        }
    }
    for (const conversion of dataset.conversions ?? []) {
        const owner = taken.get(conversion.column);
        if (owner) {
            throw new DatasetDefinitionError(`dataset '${dataset.name}', conversion '${conversion.column}': the column clashes with ${owner}; rename the conversion's column`);
        }
        taken.set(conversion.column, "a currency conversion");
        fields.push({ name: conversion.column, type: "decimal", precision: conversion.precision, scale: conversion.scale, description: conversion.description });
    }
    return [...fields, ...provenanceAfter(dataset, taken)];
}

/**
 * The provenance columns (runtime/datasets/provenance.ts) that close every curated table, after
 * checking that none of the table's other columns took one of their names.
 */
export function provenanceAfter(dataset: DatasetDefinition, taken: ReadonlyMap<string, string>): ScalarField[] {
    const fields = curatedProvenanceFields();
    for (const field of fields) {
        const owner = taken.get(field.name);
        if (owner) {
            throw new DatasetDefinitionError(`dataset '${dataset.name}': ${owner} is named '${field.name}', a provenance column name; rename it (names starting with '_source_', '_raw_' or '_load_' are reserved)`);
        }
    }
    return fields;
}

/** Glue columns of the curated table (partition column excluded; see `curatedPartitionColumns`). */
export function curatedGlueColumns(dataset: DatasetDefinition): GlueColumn[] {
    return curatedFields(dataset).map((field) => ({ name: field.name, type: glueType(field), comment: field.description }));
}

/** Table (and S3 folder) name of a daily aggregate: `<dataset>_<aggregate>`. */
export function aggregateTableName(dataset: DatasetDefinition, aggregate: DailyAggregateDefinition): string {
    return `${dataset.name}_${aggregate.name}`;
}

/**
 * Typed columns of a daily aggregate (partition column `dt` excluded): the group-by columns with their
 * curated types, then one column per measure. `count`/`countDistinct` are longs; `sum` of decimal(p,s)
 * is decimal(min(38,p+10),s) and of int/long a long; `avg` of decimal(p,s) is
 * decimal(min(38,p+4),min(38,s+4)) and of other numbers a double (Spark's own result types, made
 * explicit so the Glue table and the files can never disagree).
 */
export function aggregateFields(dataset: DatasetDefinition, aggregate: DailyAggregateDefinition): ScalarField[] {
    const byName = new Map(curatedFields(dataset).map((field) => [field.name, field]));
    const where = `dataset '${dataset.name}', aggregate '${aggregate.name}'`;
    const scalar = (name: string, role: string): ScalarField => {
        const field = byName.get(name);
        if (!field || field.type === "array") {
            throw new DatasetDefinitionError(`${where}: ${role} '${name}' must be a scalar curated column; found ${field ? "an array" : "no such column"}; name a scalar column of the dataset or of an enrichment`);
        }
        return field;
    };
    const groupBy = aggregate.groupBy.map((name) => scalar(name, "group-by column"));
    const measures = aggregate.measures.map((measure): ScalarField => {
        const source = scalar(measure.column, `measure '${measure.name}' column`);
        const description = `${measure.fn}(${measure.column}) per day`;
        if (measure.fn === "count" || measure.fn === "countDistinct") {
            return { name: measure.name, type: "long", description };
        }
        const numeric = source.type === "decimal" || source.type === "int" || source.type === "long" || source.type === "double";
        if (!numeric) {
            throw new DatasetDefinitionError(`${where}: measure '${measure.name}' applies ${measure.fn} to '${source.name}' of type ${source.type}: expected a numeric column (int, long, double, decimal); use a numeric column or the count function`);
        }
        if (source.type === "decimal") {
            const precision = source.precision ?? 18;
            const scale = source.scale ?? 2;
            return measure.fn === "sum"
                ? { name: measure.name, type: "decimal", precision: Math.min(38, precision + 10), scale, description }
                : { name: measure.name, type: "decimal", precision: Math.min(38, precision + 4), scale: Math.min(38, scale + 4), description };
        }
        if (measure.fn === "sum") {
            return { name: measure.name, type: source.type === "double" ? "double" : "long", description };
        }
        return { name: measure.name, type: "double", description };
    });
    return [...groupBy, ...measures];
}

/** Glue columns of a daily aggregate table (partition column excluded). */
export function aggregateGlueColumns(dataset: DatasetDefinition, aggregate: DailyAggregateDefinition): GlueColumn[] {
    return aggregateFields(dataset, aggregate).map((field) => ({ name: field.name, type: glueType(field), comment: field.description }));
}

/**
 * The document the transform job (`runtime/spark/transform_job.py`) reads: `sparkJobSpec` plus the
 * curated layout (column order, reference enrichments with their CSV schemas, typed aggregates).
 */
export function sparkTransformSpec(dataset: DatasetDefinition): Record<string, unknown> {
    const ddl = (fields: readonly FieldDefinition[]) => fields.map((field) => `${field.name} ${sparkType(field)}`).join(", ");
    return {
        ...sparkJobSpec(dataset),
        specVersion: 1,
        partitionColumn: curatedPartitionColumn,
        curatedColumns: curatedFields(dataset).map((field) => field.name),
        provenance: curatedProvenance.map((column) => ({ column: column.field.name, from: column.from, type: sparkType(column.field) })),
        references: enrichmentsOf(dataset).map((enrichment) => {
            const key = dataset.fields.find((field) => field.name === enrichment.key) as FieldDefinition;
            return {
                name: enrichment.name,
                key: enrichment.key,
                columns: enrichment.columns.map((column) => column.name),
                ddl: ddl([key, ...enrichment.columns]),
            };
        }),
        conversions: (dataset.conversions ?? []).map((c) => ({
            column: c.column,
            amount: c.amount,
            currency: c.currency,
            dateOf: c.dateOf,
            rates: c.rates,
            target: c.target,
            type: `DECIMAL(${c.precision},${c.scale})`,
        })),
        aggregateTables: dataset.aggregates.map((aggregate) => {
            const typed = new Map(aggregateFields(dataset, aggregate).map((field) => [field.name, sparkType(field)]));
            return {
                name: aggregate.name,
                table: aggregateTableName(dataset, aggregate),
                groupBy: aggregate.groupBy,
                measures: aggregate.measures.map((measure) => ({ ...measure, type: typed.get(measure.name) })),
            };
        }),
    };
}
