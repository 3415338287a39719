import { DatasetDefinition, FieldDefinition, ScalarField } from "./types";

/**
 * Projections of a dataset definition into the type systems that store it. Each function is pure
 * and total over the definition types, so the Glue table, the Redshift DDL and the Spark schema
 * can never drift from the validator.
 */

/** Glue/Hive column type of a scalar field. */
export function glueScalarType(field: ScalarField): string {
    switch (field.type) {
        case "string":
            return "string";
        case "int":
            return "int";
        case "long":
            return "bigint";
        case "double":
            return "double";
        case "decimal":
            return `decimal(${field.precision ?? 18},${field.scale ?? 2})`;
        case "boolean":
            return "boolean";
        case "date":
            return "date";
        case "timestamp":
            return "timestamp";
    }
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
    if (field.type === "array") {
        return "SUPER";
    }
    switch (field.type) {
        case "string":
            return `VARCHAR(${Math.max(field.rules?.maxLength ?? 256, 1)})`;
        case "int":
            return "INTEGER";
        case "long":
            return "BIGINT";
        case "double":
            return "DOUBLE PRECISION";
        case "decimal":
            return `DECIMAL(${field.precision ?? 18},${field.scale ?? 2})`;
        case "boolean":
            return "BOOLEAN";
        case "date":
            return "DATE";
        case "timestamp":
            return "TIMESTAMPTZ";
    }
}

/** Spark SQL (DDL-string) type of any field, as `StructType.fromDDL` accepts it. */
export function sparkType(field: FieldDefinition): string {
    if (field.type === "array") {
        const members = field.items.map((item) => `${item.name}: ${sparkType(item)}`).join(", ");
        return `ARRAY<STRUCT<${members}>>`;
    }
    switch (field.type) {
        case "string":
            return "STRING";
        case "int":
            return "INT";
        case "long":
            return "BIGINT";
        case "double":
            return "DOUBLE";
        case "decimal":
            return `DECIMAL(${field.precision ?? 18},${field.scale ?? 2})`;
        case "boolean":
            return "BOOLEAN";
        case "date":
            return "DATE";
        case "timestamp":
            return "TIMESTAMP";
    }
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
