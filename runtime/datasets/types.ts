/**
 * The one definition of a dataset. Everything that needs a dataset's shape reads it from here:
 * the ingest validator, the Glue table columns, the Redshift DDL, the Spark job's schema and the
 * batch-level quality checks. Adding a dataset means writing one `DatasetDefinition`; no code
 * elsewhere changes.
 *
 * Definitions are plain data (no functions) so they serialize into Lambda closures, into the
 * JSON schema file the Spark job reads, and into test fixtures unchanged.
 */

/** Scalar types a field can have. `timestamp` values travel as ISO-8601 strings with a zone. */
export type ScalarType = "string" | "int" | "long" | "double" | "decimal" | "boolean" | "date" | "timestamp";

/** Row-level rules on one scalar value. Every rule is optional; all given rules must hold. */
export interface ScalarRules {
    /** Allowed values (after normalisation). */
    readonly allowed?: readonly string[];
    /** A regular expression (JavaScript and Java/Python compatible) the whole value must match. */
    readonly pattern?: string;
    /** Inclusive numeric bounds. */
    readonly min?: number;
    readonly max?: number;
    /** Inclusive string length bounds. */
    readonly minLength?: number;
    readonly maxLength?: number;
    /**
     * For timestamps: how far in the future (seconds, relative to processing time) a value may be.
     * Catches producer clock skew. Defaults to no limit.
     */
    readonly maxFutureSkewSeconds?: number;
}

/** Normalisations applied before validation, in this order: trim, then case. */
export interface Normalisation {
    readonly trim?: boolean;
    readonly case?: "upper" | "lower";
}

export interface ScalarField {
    readonly name: string;
    readonly type: ScalarType;
    readonly description: string;
    /** A missing or null value is a `required` violation. Defaults to false. */
    readonly required?: boolean;
    /** Only for `decimal`: total digits and digits after the point. */
    readonly precision?: number;
    readonly scale?: number;
    readonly rules?: ScalarRules;
    readonly normalise?: Normalisation;
    /**
     * The value identifies a person (personal data): the catalog's analysts get every column but
     * these (Lake Formation column exclusion, and the `personal_data` LF-tag on the column).
     * Defaults to false.
     */
    readonly personalData?: boolean;
}

/** An array of structs (for example an order's line items). */
export interface ArrayOfStructField {
    readonly name: string;
    readonly type: "array";
    readonly description: string;
    readonly required?: boolean;
    /** Bounds on the number of elements. */
    readonly minItems?: number;
    readonly maxItems?: number;
    readonly items: readonly ScalarField[];
}

export type FieldDefinition = ScalarField | ArrayOfStructField;

/**
 * Rules that relate several fields of one record. Declarative so the same rule can be explained
 * in a reject reason and documented without reading code.
 */
export type CrossFieldRule =
    | {
          /** `field` must equal the sum over `array` of `quantity × price`, within `tolerance`. */
          readonly kind: "sumOfProducts";
          readonly name: string;
          readonly field: string;
          readonly array: string;
          readonly factors: readonly [string, string];
          readonly tolerance: number;
      }
    | {
          /** Timestamp `earlier` must not be after timestamp `later` (when both are present). */
          readonly kind: "notAfter";
          readonly name: string;
          readonly earlier: string;
          readonly later: string;
      }
    | {
          /** When `field` has one of `values`, `then` is required. */
          readonly kind: "requiredWhen";
          readonly name: string;
          readonly field: string;
          readonly values: readonly string[];
          readonly then: string;
      };

/** Batch-level data quality checks (evaluated after the Spark job and after the warehouse load). */
export type QualityCheck =
    | { readonly kind: "rowCount"; readonly name: string; readonly min: number; readonly max?: number; readonly level: QualityLevel }
    | { readonly kind: "completeness"; readonly name: string; readonly column: string; readonly mostly: number; readonly level: QualityLevel }
    | { readonly kind: "uniqueness"; readonly name: string; readonly columns: readonly string[]; readonly mostly: number; readonly level: QualityLevel }
    | {
          readonly kind: "range";
          readonly name: string;
          readonly column: string;
          readonly min?: number;
          readonly max?: number;
          readonly mostly: number;
          readonly level: QualityLevel;
      }
    | {
          readonly kind: "freshness";
          readonly name: string;
          readonly column: string;
          /** The newest value must be at most this old relative to the end of the processed range. */
          readonly maxAgeHours: number;
          readonly level: QualityLevel;
      };

export type QualityLevel = "error" | "warn";

/** Redshift physical design for the dataset's target table. */
export interface WarehouseDesign {
    /** Distribution: `KEY` on `distKey` co-locates joins on that column; `EVEN`/`AUTO` otherwise. */
    readonly distStyle: "KEY" | "EVEN" | "AUTO";
    readonly distKey?: string;
    /** Compound sort key, most selective range filter first. */
    readonly sortKeys: readonly string[];
}

/** A daily aggregate the Spark job writes next to the curated table. */
export interface DailyAggregate {
    readonly name: string;
    /** Columns to group by, besides the event date. */
    readonly groupBy: readonly string[];
    readonly measures: readonly { readonly name: string; readonly fn: "sum" | "count" | "countDistinct" | "avg"; readonly column: string }[];
}

/**
 * Reference data joined onto the curated table (a dimension such as stores). The data lives under
 * `<reference-uri>/<name>/` as CSV files with a header row: the key column, then `columns`.
 */
export interface ReferenceEnrichment {
    /** Lower snake case. */
    readonly name: string;
    readonly description: string;
    /** Dataset field matched against the reference column of the same name (the reference's unique key). */
    readonly key: string;
    /** Columns the reference adds to each record, in CSV order after the key column. */
    readonly columns: readonly ScalarField[];
}

/**
 * Where a dataset's records come from: a stream (a topic or Kinesis stream and the ingest
 * function), an HTTP API (a scheduled connector function), partner file drops, or an operational
 * database table captured by change data capture.
 */
export type DatasetSource = "stream" | "api" | "file" | "database";

/**
 * A currency conversion the transform adds to the curated table: `amount` (in the currency named
 * by `currency`) converted to `target` with the rate of the UTC date of `dateOf`, taken from the
 * curated table of the `rates` dataset, which must have `base_currency`, `quote_currency`,
 * `rate_date` and `rate` (units of quote per one base; the latest revision per key counts).
 * Amounts already in `target` are copied; an amount without a rate for its currency and date is
 * null (the dataset's quality checks can watch the column's completeness).
 */
export interface CurrencyConversion {
    /** The curated column it adds (lower snake case), a decimal(precision, scale). */
    readonly column: string;
    readonly description: string;
    /** A decimal field of the dataset. */
    readonly amount: string;
    /** A string field holding the ISO 4217 code of `amount`. */
    readonly currency: string;
    /** A timestamp field; its UTC date selects the rate. */
    readonly dateOf: string;
    /** The dataset whose curated table holds the rates. */
    readonly rates: string;
    /** ISO 4217 code converted to (the rates' base currency). */
    readonly target: string;
    readonly precision: number;
    readonly scale: number;
}

export interface DatasetDefinition {
    /** Lower snake case; used in S3 prefixes, Glue table names, Redshift table names and topics. */
    readonly name: string;
    /** Increases on every incompatible change; lands in every record's metadata. */
    readonly version: number;
    /** Where the records come from. Only `stream` datasets get a topic or stream and an ingest function. Defaults to `stream`. */
    readonly source?: DatasetSource;
    readonly description: string;
    readonly fields: readonly FieldDefinition[];
    /** Columns that identify a record; duplicates by key are resolved keeping the latest event time. */
    readonly key: readonly string[];
    /** The field the partition date and hour are derived from. Must be a required timestamp. */
    readonly eventTimeField: string;
    /** Raw-zone partitioning granularity: `hour` gives `dt=YYYY-MM-DD/hour=HH`. */
    readonly partitioning: "hour";
    readonly crossFieldRules: readonly CrossFieldRule[];
    readonly quality: readonly QualityCheck[];
    readonly warehouse: WarehouseDesign;
    /** Data classification, applied as a Lake Formation tag on the dataset's tables. */
    readonly classification: "public" | "internal" | "confidential";
    readonly aggregates: readonly DailyAggregate[];
    /** Reference data joined onto the curated table by the transform. Defaults to none. */
    readonly enrichments?: readonly ReferenceEnrichment[];
    /** Currency conversions the transform adds to the curated table. Defaults to none. */
    readonly conversions?: readonly CurrencyConversion[];
    /**
     * What the curated table keeps per key for a dataset fed by change data capture: `current`
     * (the latest state; deletes remove the row) or `scd2` (every version, with `valid_from`,
     * `valid_to` and `is_current`; deletes close the last version). Defaults to `current`.
     */
    readonly history?: HistoryMode;
    /** For a `database` source: the captured table. Required there, absent elsewhere. */
    readonly sourceTable?: SourceTable;
    /** Fields holding personal data (tagged in Lake Formation beside `classification`). Defaults to none. */
    readonly personalData?: readonly string[];
    /**
     * A reference this dataset publishes from its current state for other datasets' enrichments
     * (customers → the `customers` reference orders join). Defaults to none.
     */
    readonly publishes?: PublishedReference;
}

/**
 * The reference CSV a dataset writes under `<reference-uri>/<name>/` after its curated state is
 * applied: `columns` maps each of its fields to the reference column, the first entry being the
 * key the consuming enrichment joins on (so it is named like the consumer's field).
 */
export interface PublishedReference {
    /** The enrichment name consumers declare (lower snake case). */
    readonly name: string;
    /** Source field → reference column, key first. */
    readonly columns: Readonly<Record<string, string>>;
}

/** History kept by the curated table of a change-data-capture dataset (see `DatasetDefinition.history`). */
export type HistoryMode = "current" | "scd2";

/** The table of an operational database a `database` dataset is captured from (runtime/cdc). */
export interface SourceTable {
    /** The source table's schema (PostgreSQL) or database (MySQL), e.g. `public`. */
    readonly schema: string;
    /** The source table's name. */
    readonly table: string;
}
