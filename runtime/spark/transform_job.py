"""Transform job: raw zone (gzip NDJSON) -> curated zone (Parquet) for one dataset and one time range.

Runs on EMR Serverless and EMR on EC2 7.x (Spark 3.5), as an AWS Glue 5 job (Spark 3.5; the
arguments Glue adds are set aside, see ``GLUE_ARGUMENTS``) and locally with PySpark. Everything
dataset-specific comes from the spec document rendered by ``runtime/spark/spec.ts``
(``renderSparkTransformSpec``); nothing here knows about a particular dataset.

What one run does, for the UTC hours [start, end):

1. Selects the affected curated partitions: every UTC date (``dt``) that has an hour in the range.
   The curated zone is partitioned by date and each run replaces whole date partitions, so each
   affected date is rebuilt from *all* of its raw hour partitions; reading only part of a day
   would drop the rest of it on overwrite. Dates without any raw input are left untouched.
2. Reads only those ``<raw>/<dataset>/dt=D/hour=HH/*.ndjson.gz`` folders, with the dataset's
   schema (DDL from the spec); of the raw ``_ingest`` metadata object, the source coordinates are
   carried over as the provenance columns the spec lists (``_source_*``), next to ``_raw_object``,
   the key of the raw object the row was read from (runtime/datasets/provenance.ts).
3. Drops malformed lines and rows missing a required field, counting both (per field too).
4. Deduplicates by the dataset key keeping the latest event time. Ties are broken by the raw
   file path, then by the record's JSON text, both descending, so a rerun picks the same row.
5. Left-joins the reference dimensions declared for the dataset (CSV with a header row under
   ``<reference>/<name>/``), failing on duplicate reference keys instead of multiplying rows.
6. Writes ``<curated>/<dataset>/dt=D/`` as Parquet with dynamic partition overwrite (only the
   rebuilt dates are replaced), then each declared daily aggregate under
   ``<curated>/<dataset>_<aggregate>/dt=D/`` the same way. A rebuilt date that ends up empty has
   its old partition removed, so a rerun gives the same output.
7. Writes a JSON run summary (counts overall and per partition, plus the metrics the quality
   checks need; see ``runtime/quality``) to ``--summary-uri`` or
   ``<curated>/_runs/<dataset>/<start>_<end>.json``.

The metric definitions here match ``runtime/quality/metrics.ts``, which documents them and owns the
pass/fail semantics of every check.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

SUMMARY_VERSION = 1

# The stream ingest's object keys (runtime/ingest/layout.ts): <dataset>/dt=<date>/hour=<hh>/<source>+<partition>+<first position>[+<hash>].ndjson.gz
INGEST_OBJECT_KEY = re.compile(r"(?:^|/)([a-z][a-z0-9_]*)/dt=([0-9]{4}-[0-9]{2}-[0-9]{2})/hour=([0-9]{2})/([^/+]+)\+[^/+]+\+[0-9]+(?:\+[0-9a-f]{16})?\.ndjson\.gz$")


def ingest_windows(dataset: str, files: Iterable[str]) -> List[Dict[str, str]]:
    """The stream ingest windows (source, dt, hour) the run read, from the raw objects' keys; other keys are ignored."""
    windows = set()
    for path in files:
        match = INGEST_OBJECT_KEY.search(path or "")
        if match and match.group(1) == dataset:
            windows.add((match.group(4), match.group(2), match.group(3)))
    return [{"source": source, "dt": dt, "hour": hour} for source, dt, hour in sorted(windows)]
SUPPORTED_SPEC_VERSION = 1
CORRUPT_COLUMN = "_corrupt_record"
FILE_COLUMN = "_source_file"
RAW_DT_COLUMN = "_raw_dt"
RANK_COLUMN = "_rank"
STATUS_COLUMN = "_status"
VALID, MALFORMED, MISSING_REQUIRED = "valid", "malformed", "missing_required"

_HOUR_PATTERN = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2})(?::00(?::00(?:\.0+)?)?)?(?:Z|\+00:00)$")
_HOUR_DIR_PATTERN = re.compile(r"^hour=(\d{2})$")
_DT_PATH_PATTERN = r"/dt=(\d{4}-\d{2}-\d{2})/hour=\d{2}/"


class TransformJobError(Exception):
    """A problem with the job's inputs, named with what was expected, what was found and the fix."""


# What AWS Glue passes a job script besides the run's own arguments: the run's identity and the
# job's special parameters (Glue's "Using job parameters in AWS Glue jobs"). The script reads none
# of them; cdc_apply.py sets aside the same names (tests/spark/test_glue_job.py holds them equal).
GLUE_ARGUMENTS = frozenset({
    "--JOB_ID", "--JOB_RUN_ID", "--JOB_NAME", "--TempDir", "--job-bookmark-option", "--job-language",
    "--enable-metrics", "--enable-observability-metrics", "--enable-continuous-cloudwatch-log",
    "--enable-continuous-log-filter", "--continuous-log-logGroup", "--continuous-log-logStreamPrefix",
    "--continuous-log-conversionPattern", "--enable-spark-ui", "--spark-event-logs-path",
    "--enable-job-insights", "--enable-glue-datacatalog", "--enable-auto-scaling", "--extra-py-files",
    "--extra-jars", "--extra-files", "--additional-python-modules", "--python-modules-installer-option",
    "--encryption-type", "--scriptLocation", "--conf", "--datalake-formats", "--user-jars-first",
})


def without_glue_arguments(argv: Sequence[str]) -> List[str]:
    """``argv`` without Glue's own arguments (``--name value`` or ``--name=value``); the rest untouched."""
    kept: List[str] = []
    i = 0
    while i < len(argv):
        name = argv[i].split("=", 1)[0]
        if name not in GLUE_ARGUMENTS:
            kept.append(argv[i])
            i += 1
        elif "=" in argv[i] or i + 1 >= len(argv) or argv[i + 1].startswith("--"):
            i += 1
        else:
            i += 2
    return kept


# --------------------------------------------------------------------------------------------
# Arguments and spec
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobArgs:
    spec_uri: str
    raw_uri: str
    curated_uri: str
    reference_uri: str
    start: datetime
    end: datetime
    summary_uri: Optional[str]
    max_records_per_file: int
    run_id: Optional[str]
    lineage_uri: Optional[str] = None
    lineage_namespace: str = "etl-platform"


def parse_hour(value: str, name: str) -> datetime:
    """Parses a UTC hour boundary such as ``2024-05-01T00:00:00Z`` (also ``...T00Z``, ``+00:00``)."""
    match = _HOUR_PATTERN.match(value)
    if not match:
        raise TransformJobError(f"{name}: '{value}' is not a UTC hour boundary; expected YYYY-MM-DDTHH:00:00Z")
    year, month, day, hour = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day, hour, tzinfo=timezone.utc)
    except ValueError as error:
        raise TransformJobError(f"{name}: '{value}' is not a valid date and hour ({error})") from error


def parse_args(argv: Sequence[str]) -> JobArgs:
    parser = argparse.ArgumentParser(prog="transform_job.py", description=__doc__.splitlines()[0])
    parser.add_argument("--spec", required=True, dest="spec_uri", help="URI of the dataset's transform spec (JSON)")
    parser.add_argument("--raw-uri", required=True, help="raw zone root; reads <raw-uri>/<dataset>/dt=/hour=")
    parser.add_argument("--curated-uri", required=True, help="curated zone root; writes <curated-uri>/<dataset>/")
    parser.add_argument("--reference-uri", required=True, help="reference data root; reads <reference-uri>/<name>/")
    parser.add_argument("--start", required=True, help="range start, inclusive, UTC hour (2024-05-01T00:00:00Z)")
    parser.add_argument("--end", required=True, help="range end, exclusive, UTC hour")
    parser.add_argument("--summary-uri", default=None, help="run summary location (default <curated-uri>/_runs/<dataset>/<start>_<end>.json)")
    parser.add_argument("--max-records-per-file", type=int, default=0,
                        help="split a date partition into Parquet files of at most this many rows (default 0: one file per date)")
    parser.add_argument("--run-id", default=None, help="identifier recorded in the run summary")
    parser.add_argument("--lineage-uri", default=None,
                        help="lineage prefix (s3://<bucket>/lineage) the job writes its OpenLineage run events to (default: none)")
    parser.add_argument("--lineage-namespace", default="etl-platform", help="OpenLineage job namespace (default etl-platform)")
    ns = parser.parse_args(without_glue_arguments(argv))
    start, end = parse_hour(ns.start, "--start"), parse_hour(ns.end, "--end")
    if end <= start:
        raise TransformJobError(f"--end ({ns.end}) must be after --start ({ns.start}); the range is [start, end)")
    if ns.max_records_per_file < 0:
        raise TransformJobError(f"--max-records-per-file must be 0 (no limit) or more; found {ns.max_records_per_file}")
    return JobArgs(
        spec_uri=ns.spec_uri,
        raw_uri=ns.raw_uri.rstrip("/"),
        curated_uri=ns.curated_uri.rstrip("/"),
        reference_uri=ns.reference_uri.rstrip("/"),
        start=start,
        end=end,
        summary_uri=ns.summary_uri,
        max_records_per_file=ns.max_records_per_file,
        run_id=ns.run_id,
        lineage_uri=ns.lineage_uri.rstrip("/") if ns.lineage_uri else None,
        lineage_namespace=ns.lineage_namespace,
    )


def hour_tag(instant: datetime) -> str:
    """``2024-05-01T00:00Z`` -> ``20240501T00`` (same as ``hourTag`` in spec.ts)."""
    return instant.strftime("%Y%m%dT%H")


def iso_hour(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:00:00Z")


def default_summary_uri(curated_uri: str, dataset: str, start: datetime, end: datetime) -> str:
    return f"{curated_uri}/_runs/{dataset}/{hour_tag(start)}_{hour_tag(end)}.json"


def days_in_range(start: datetime, end: datetime) -> List[str]:
    """UTC dates that have at least one hour in [start, end)."""
    first: date = start.date()
    last: date = (end - timedelta(hours=1)).date()
    return [(first + timedelta(days=offset)).isoformat() for offset in range((last - first).days + 1)]


@dataclass(frozen=True)
class Reference:
    name: str
    key: str
    columns: Tuple[str, ...]
    ddl: str


@dataclass(frozen=True)
class Conversion:
    """A currency conversion (runtime/datasets/types.ts CurrencyConversion): ``amount`` in ``currency``
    to ``target`` with the rate of the UTC date of ``date_of`` from the curated ``rates`` dataset."""

    column: str
    amount: str
    currency: str
    date_of: str
    rates: str
    target: str
    type: str


@dataclass(frozen=True)
class Measure:
    name: str
    fn: str
    column: str
    type: str


@dataclass(frozen=True)
class AggregateTable:
    name: str
    table: str
    group_by: Tuple[str, ...]
    measures: Tuple[Measure, ...]


@dataclass(frozen=True)
class ProvenanceColumn:
    """A curated provenance column and where it comes from: an ``_ingest`` member, or ``object`` (the raw object's key)."""
    column: str
    source: str
    type: str


# The raw record's ``_ingest`` members the provenance columns may read (runtime/datasets/provenance.ts).
INGEST_COLUMN = "_ingest"
RAW_OBJECT_SOURCE = "object"
_INGEST_MEMBERS = ("engine", "source", "partition", "position", "file", "version_id", "line")
# The raw object's key in the raw zone: ``<dataset>/dt=D/hour=HH/<name>``, whatever the file system's URI scheme.
_RAW_OBJECT_PATTERN = r"([^/]+/dt=[^/]+/hour=[^/]+/[^/]+)$"


@dataclass(frozen=True)
class Spec:
    name: str
    version: int
    ddl: str
    key: Tuple[str, ...]
    event_time: str
    required: Tuple[str, ...]
    fields: Tuple[str, ...]
    curated_columns: Tuple[str, ...]
    partition_column: str
    references: Tuple[Reference, ...]
    conversions: Tuple[Conversion, ...]
    aggregates: Tuple[AggregateTable, ...]
    quality: Tuple[Dict[str, Any], ...]
    provenance: Tuple[ProvenanceColumn, ...] = ()


def _field_names(ddl: str) -> Tuple[str, ...]:
    """Top-level column names of a DDL string (nested STRUCT/ARRAY members are skipped)."""
    names, depth, current = [], 0, ""
    for char in ddl + ",":
        if char in "<(":
            depth += 1
        elif char in ">)":
            depth -= 1
        if char == "," and depth == 0:
            names.append(current.strip().split()[0].strip("`"))
            current = ""
        else:
            current += char
    return tuple(names)


def parse_spec(document: Dict[str, Any]) -> Spec:
    """Validates and reads the spec document; errors name the missing or wrong key."""

    def need(source: Dict[str, Any], key: str, where: str = "spec") -> Any:
        if key not in source:
            raise TransformJobError(f"{where}: missing '{key}'; regenerate it with tools/spark-spec.ts")
        return source[key]

    version = need(document, "specVersion")
    if version != SUPPORTED_SPEC_VERSION:
        raise TransformJobError(f"spec: specVersion {version} is not supported (this job reads {SUPPORTED_SPEC_VERSION}); deploy matching job and spec")
    ddl = need(document, "ddl")
    fields = _field_names(ddl)
    references = tuple(
        Reference(name=need(r, "name", "spec.references[]"), key=need(r, "key", "spec.references[]"),
                  columns=tuple(need(r, "columns", "spec.references[]")), ddl=need(r, "ddl", "spec.references[]"))
        for r in need(document, "references")
    )
    conversions = tuple(
        Conversion(column=need(c, "column", "spec.conversions[]"), amount=need(c, "amount", "spec.conversions[]"), currency=need(c, "currency", "spec.conversions[]"),
                   date_of=need(c, "dateOf", "spec.conversions[]"), rates=need(c, "rates", "spec.conversions[]"), target=need(c, "target", "spec.conversions[]"),
                   type=need(c, "type", "spec.conversions[]"))
        # Specs rendered before conversions existed have none.
        for c in document.get("conversions", [])
    )
    aggregates = tuple(
        AggregateTable(
            name=need(a, "name", "spec.aggregateTables[]"),
            table=need(a, "table", "spec.aggregateTables[]"),
            group_by=tuple(need(a, "groupBy", "spec.aggregateTables[]")),
            measures=tuple(Measure(name=m["name"], fn=m["fn"], column=m["column"], type=m["type"]) for m in need(a, "measures", "spec.aggregateTables[]")),
        )
        for a in need(document, "aggregateTables")
    )
    for aggregate in aggregates:
        for measure in aggregate.measures:
            if measure.fn not in ("count", "countDistinct", "sum", "avg"):
                raise TransformJobError(f"spec: aggregate '{aggregate.name}' measure '{measure.name}' has unknown fn '{measure.fn}'; use count, countDistinct, sum or avg")
    provenance = tuple(
        ProvenanceColumn(column=need(p, "column", "spec.provenance[]"), source=need(p, "from", "spec.provenance[]"), type=need(p, "type", "spec.provenance[]"))
        for p in need(document, "provenance")
    )
    for column in provenance:
        if column.source != RAW_OBJECT_SOURCE and column.source not in _INGEST_MEMBERS:
            raise TransformJobError(
                f"spec: provenance column '{column.column}' reads '{column.source}'; expected '{RAW_OBJECT_SOURCE}' or one of {', '.join(_INGEST_MEMBERS)}; regenerate it with tools/spark-spec.ts")
        if column.column not in need(document, "curatedColumns"):
            raise TransformJobError(f"spec: provenance column '{column.column}' is not among curatedColumns; regenerate it with tools/spark-spec.ts")
    spec = Spec(
        name=need(document, "name"),
        version=need(document, "version"),
        ddl=ddl,
        key=tuple(need(document, "key")),
        event_time=need(document, "eventTimeField"),
        required=tuple(need(document, "requiredFields")),
        fields=fields,
        curated_columns=tuple(need(document, "curatedColumns")),
        partition_column=need(document, "partitionColumn"),
        references=references,
        conversions=conversions,
        aggregates=aggregates,
        quality=tuple(need(document, "quality")),
        provenance=provenance,
    )
    for column in (*spec.key, spec.event_time, *spec.required):
        if column not in spec.fields:
            raise TransformJobError(f"spec: '{column}' is used as a key, event time or required field but is not in the DDL")
    return spec


# --------------------------------------------------------------------------------------------
# File system helpers (Hadoop FileSystem, so s3:// on EMR and local paths in tests alike)
# --------------------------------------------------------------------------------------------


def _path(spark: SparkSession, uri: str):
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), path


def read_text(spark: SparkSession, uri: str) -> str:
    fs, path = _path(spark, uri)
    if not fs.exists(path):
        raise TransformJobError(f"'{uri}' does not exist; upload it or fix the URI")
    rows = spark.read.text(uri, wholetext=True).collect()
    return rows[0][0] if rows else ""


def write_text(spark: SparkSession, uri: str, text: str) -> None:
    fs, path = _path(spark, uri)
    stream = fs.create(path, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


def remove_tree(spark: SparkSession, uri: str) -> bool:
    fs, path = _path(spark, uri)
    if fs.exists(path):
        return bool(fs.delete(path, True))
    return False


def raw_hour_folders(spark: SparkSession, raw_uri: str, dataset: str, days: Iterable[str]) -> List[Tuple[str, str, str]]:
    """(dt, hour, folder URI) of every existing raw hour folder of the given dates, sorted."""
    found = []
    for day in days:
        fs, pattern = _path(spark, f"{raw_uri}/{dataset}/dt={day}/hour=*")
        statuses = fs.globStatus(pattern) or []
        for status in statuses:
            match = _HOUR_DIR_PATTERN.match(status.getPath().getName())
            if status.isDirectory() and match and 0 <= int(match.group(1)) <= 23:
                found.append((day, match.group(1), f"{raw_uri}/{dataset}/dt={day}/hour={match.group(1)}"))
    return sorted(found)


# --------------------------------------------------------------------------------------------
# Transformations (pure DataFrame functions, unit-tested on their own)
# --------------------------------------------------------------------------------------------


def configure(spark: SparkSession) -> None:
    """Session settings the job's semantics depend on, set explicitly rather than trusted to defaults."""
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")
    # INT96 timestamps are what Redshift COPY/Spectrum, Athena and Glue have read longest; pin it.
    spark.conf.set("spark.sql.parquet.outputTimestampType", "INT96")
    spark.conf.set("spark.sql.parquet.compression.codec", "snappy")


def _ingest_ddl(spec: Spec) -> str:
    """The ``_ingest`` struct as far as the provenance columns read it (empty when they read none of it)."""
    members = [f"{column.source}: {column.type}" for column in spec.provenance if column.source != RAW_OBJECT_SOURCE]
    return f"{INGEST_COLUMN} STRUCT<{', '.join(members)}>" if members else ""


def provenance_columns(spec: Spec, file_path: Column) -> List[Column]:
    """The curated provenance columns of a raw row: the raw object's key and its ``_ingest`` source coordinates."""
    columns = []
    for column in spec.provenance:
        if column.source == RAW_OBJECT_SOURCE:
            value = F.regexp_extract(file_path, _RAW_OBJECT_PATTERN, 1)
        else:
            value = F.col(f"{INGEST_COLUMN}.{column.source}")
        columns.append(value.cast(column.type).alias(column.column))
    return columns


def read_raw(spark: SparkSession, spec: Spec, folders: Sequence[str]) -> DataFrame:
    """The raw rows of the given hour folders with the dataset's columns, their provenance, source file and raw dt."""
    ingest = _ingest_ddl(spec)
    schema = f"{spec.ddl}, {CORRUPT_COLUMN} STRING" + (f", {ingest}" if ingest else "")
    if not folders:
        empty = spark.createDataFrame([], schema)
        empty = empty.select(*[F.col(name) for name in (*spec.fields, CORRUPT_COLUMN)], *provenance_columns(spec, F.lit(None).cast("string")))
        return empty.withColumn(FILE_COLUMN, F.lit(None).cast("string")).withColumn(RAW_DT_COLUMN, F.lit(None).cast("string"))
    frame = (
        spark.read.schema(schema)
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT_COLUMN)
        .option("pathGlobFilter", "*.ndjson.gz")
        .json(list(folders))
    )
    return frame.select(
        *[F.col(name) for name in (*spec.fields, CORRUPT_COLUMN)],
        *provenance_columns(spec, F.col("_metadata.file_path")),
        F.col("_metadata.file_path").alias(FILE_COLUMN),
        F.regexp_extract(F.col("_metadata.file_path"), _DT_PATH_PATTERN, 1).alias(RAW_DT_COLUMN),
    )


def label_rows(raw: DataFrame, spec: Spec) -> DataFrame:
    """Adds the row status: malformed (unparseable or a value of the wrong type), missing_required, valid."""
    missing_any = F.lit(False)
    for name in spec.required:
        missing_any = missing_any | F.col(name).isNull()
    status = (
        F.when(F.col(CORRUPT_COLUMN).isNotNull(), F.lit(MALFORMED))
        .when(missing_any, F.lit(MISSING_REQUIRED))
        .otherwise(F.lit(VALID))
    )
    return raw.withColumn(STATUS_COLUMN, status)


def rank_latest(valid: DataFrame, spec: Spec) -> DataFrame:
    """Ranks rows per key: 1 = latest event time; ties broken by source file, then JSON text, descending."""
    content = F.to_json(F.struct(*[F.col(name) for name in spec.fields]))
    window = Window.partitionBy(*[F.col(name) for name in spec.key]).orderBy(
        F.col(spec.event_time).desc(), F.col(FILE_COLUMN).desc(), content.desc()
    )
    return valid.withColumn(RANK_COLUMN, F.row_number().over(window))


def read_reference(spark: SparkSession, reference_uri: str, reference: Reference) -> DataFrame:
    location = f"{reference_uri}/{reference.name}"
    fs, path = _path(spark, location)
    if not fs.exists(path):
        raise TransformJobError(
            f"reference '{reference.name}' not found at {location}; upload its CSV (header: {reference.key},{','.join(reference.columns)})"
        )
    frame = (
        spark.read.schema(reference.ddl)
        .option("header", True)
        .option("enforceSchema", False)
        .option("mode", "FAILFAST")
        .option("dateFormat", "yyyy-MM-dd")
        .csv(location)
    )
    duplicates = frame.groupBy(reference.key).count().filter(F.col("count") > 1).orderBy(reference.key).limit(5).collect()
    if duplicates:
        keys = ", ".join(str(row[reference.key]) for row in duplicates)
        raise TransformJobError(
            f"reference '{reference.name}' at {location} has duplicate {reference.key} values (first: {keys}); keep one row per {reference.key}"
        )
    return frame


def enrich(records: DataFrame, references: Sequence[Tuple[Reference, DataFrame]]) -> Tuple[DataFrame, Dict[str, str]]:
    """Left-joins every reference; returns the joined frame and, per reference name, the column that is
    null exactly when the record found no reference row."""
    markers = {}
    for reference, frame in references:
        marker = f"_matched_{reference.name}"
        right = frame.select(F.col(reference.key), *[F.col(c) for c in reference.columns], F.lit(True).alias(marker))
        records = records.join(F.broadcast(right), on=reference.key, how="left")
        markers[reference.name] = marker
    return records, markers


RATE_COLUMNS = ("base_currency", "quote_currency", "rate_date", "rate", "updated_at")


def read_rates(spark: SparkSession, curated_uri: str, conversion: Conversion) -> DataFrame:
    """The rates of ``conversion.target`` per (quote currency, date) from the curated rates table,
    latest revision (``updated_at``) per pair and date. The table is partitioned by the revision's
    date, so a corrected rate can sit in another partition than the rate it replaces. No table yet
    (the rates connector has not run) gives no rates: every non-target amount converts to null."""
    location = f"{curated_uri}/{conversion.rates}"
    fs, path = _path(spark, location)
    schema = "base_currency STRING, quote_currency STRING, rate_date DATE, rate DECIMAL(15,8), updated_at TIMESTAMP"
    if not fs.exists(path):
        return spark.createDataFrame([], schema)
    frame = spark.read.parquet(location).select(*RATE_COLUMNS).filter(F.col("base_currency") == F.lit(conversion.target))
    latest = Window.partitionBy("quote_currency", "rate_date").orderBy(F.col("updated_at").desc(), F.col("rate").desc())
    return frame.withColumn("_revision", F.row_number().over(latest)).filter(F.col("_revision") == 1).drop("_revision")


def convert(records: DataFrame, conversion: Conversion, rates: DataFrame) -> DataFrame:
    """Adds ``conversion.column``: the amount itself in the target currency, amount / rate otherwise
    (rate = units of the record's currency per one target unit, of the record's UTC date), rounded
    half-up to the column's scale; null when no rate exists for that currency and date."""
    right = rates.select(
        F.col("quote_currency").alias("_fx_currency"), F.col("rate_date").alias("_fx_date"), F.col("rate").alias("_fx_rate")
    )
    joined = records.join(
        F.broadcast(right),
        on=(F.col(conversion.currency) == F.col("_fx_currency")) & (F.to_date(F.col(conversion.date_of)) == F.col("_fx_date")),
        how="left",
    )
    amount = F.col(conversion.amount).cast("decimal(38,10)")
    converted = (
        F.when(F.col(conversion.currency) == F.lit(conversion.target), amount)
        .when(F.col("_fx_rate").isNotNull() & (F.col("_fx_rate") > 0), amount / F.col("_fx_rate").cast("decimal(38,10)"))
        .otherwise(F.lit(None))
    )
    return joined.withColumn(conversion.column, F.round(converted, int(conversion.type.split(",")[1].rstrip(")"))).cast(conversion.type)).drop(
        "_fx_currency", "_fx_date", "_fx_rate"
    )


def aggregate_frame(curated: DataFrame, spec: Spec, aggregate: AggregateTable) -> DataFrame:
    functions = {
        "count": lambda c: F.count(F.col(c)),
        "countDistinct": lambda c: F.countDistinct(F.col(c)),
        "sum": lambda c: F.sum(F.col(c)),
        "avg": lambda c: F.avg(F.col(c)),
    }
    measures = [functions[m.fn](m.column).cast(m.type).alias(m.name) for m in aggregate.measures]
    return curated.groupBy(spec.partition_column, *aggregate.group_by).agg(*measures)


def quality_metrics(curated: DataFrame, spec: Spec, markers: Optional[Dict[str, str]] = None) -> Tuple[Dict[str, Dict[str, Any]], Dict[str, int]]:
    """Metrics of each quality check over the curated rows (definitions: runtime/quality/metrics.ts),
    and, in the same pass, how many rows found no row in each reference (``markers`` from ``enrich``)."""
    markers = markers or {}
    plain: List[Column] = [F.count(F.lit(1)).alias("total")]
    plain += [F.sum(F.when(F.col(marker).isNull(), 1).otherwise(0)).alias(f"unmatched_{name}") for name, marker in markers.items()]
    for index, check in enumerate(spec.quality):
        kind = check["kind"]
        if kind == "completeness":
            plain.append(F.count(F.col(check["column"])).alias(f"c{index}_non_null"))
        elif kind == "range":
            column = F.col(check["column"])
            condition = column.isNotNull()
            if check.get("min") is not None:
                condition = condition & (column >= F.lit(check["min"]))
            if check.get("max") is not None:
                condition = condition & (column <= F.lit(check["max"]))
            plain.append(F.count(column).alias(f"c{index}_total"))
            plain.append(F.count(F.when(condition, True)).alias(f"c{index}_in_range"))
        elif kind == "freshness":
            plain.append(F.date_format(F.max(F.col(check["column"])), "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").alias(f"c{index}_latest"))
        elif kind not in ("rowCount", "uniqueness"):
            raise TransformJobError(f"spec: quality check '{check['name']}' has unknown kind '{kind}'")
    row = curated.agg(*plain).collect()[0].asDict()
    metrics: Dict[str, Dict[str, Any]] = {}
    for index, check in enumerate(spec.quality):
        kind, name = check["kind"], check["name"]
        if kind == "rowCount":
            metrics[name] = {"kind": kind, "total": row["total"]}
        elif kind == "completeness":
            metrics[name] = {"kind": kind, "total": row["total"], "nonNull": row[f"c{index}_non_null"]}
        elif kind == "range":
            metrics[name] = {"kind": kind, "total": row[f"c{index}_total"], "inRange": row[f"c{index}_in_range"]}
        elif kind == "freshness":
            metrics[name] = {"kind": kind, "latest": row[f"c{index}_latest"]}
        else:
            columns = list(check["columns"])
            present = F.lit(True)
            for column in columns:
                present = present & F.col(column).isNotNull()
            groups = curated.filter(present).groupBy(*columns).count()
            counts = groups.agg(F.sum("count").alias("total"), F.sum(F.when(F.col("count") == 1, 1).otherwise(0)).alias("unique")).collect()[0]
            metrics[name] = {"kind": kind, "total": int(counts["total"] or 0), "uniqueRows": int(counts["unique"] or 0)}
    unmatched = {name: int(row[f"unmatched_{name}"] or 0) for name in markers}
    return metrics, unmatched


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------


def _write_partitioned(frame: DataFrame, uri: str, partition_column: str, sort_columns: Sequence[str], max_records_per_file: int) -> None:
    """Dynamic-overwrite write: each date goes to one task (so one file, or ceil(rows / max) files),
    sorted by the given columns, which makes the files of a rerun identical in content."""
    (
        frame.repartition(F.col(partition_column))
        .sortWithinPartitions(partition_column, *sort_columns)
        .write.mode("overwrite")
        .option("partitionOverwriteMode", "dynamic")
        .option("maxRecordsPerFile", max_records_per_file)
        .partitionBy(partition_column)
        .parquet(uri)
    )


# --------------------------------------------------------------------------------------------
# Lineage: OpenLineage run events built as dicts (the same spec version and run-id scheme as
# runtime/lineage; tests/spark validates them against the vendored official schema)
# --------------------------------------------------------------------------------------------

OPENLINEAGE_SCHEMA_URL = "https://openlineage.io/spec/1-0-1/OpenLineage.json#/$defs/RunEvent"
OPENLINEAGE_PRODUCER = "urn:etl-platform:runtime:spark:transform_job"
_FACET_SCHEMAS = {
    "schema": "https://openlineage.io/spec/facets/1-0-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet",
    "outputStatistics": "https://openlineage.io/spec/facets/1-0-0/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet",
    "dataQualityMetrics": "https://openlineage.io/spec/facets/1-0-0/DataQualityMetricsInputDatasetFacet.json#/$defs/DataQualityMetricsInputDatasetFacet",
    "errorMessage": "https://openlineage.io/spec/facets/1-0-0/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet",
}
# The namespace UUID of runtime/lineage's deterministicRunId: uuid5 over the parts joined with U+001F.
_RUN_ID_NAMESPACE = uuid.UUID("5f0c2a4e-9b7d-4c1e-8a3f-6d2b7e9c1a04")


def deterministic_run_id(*parts: str) -> str:
    """The run id runtime/lineage derives for the same parts, so a rerun of a range is the same run."""
    if not parts or any(not part or "\x1f" in part for part in parts):
        raise TransformJobError(f"lineage run id: expected non-empty parts without U+001F; found {parts!r}")
    return str(uuid.uuid5(_RUN_ID_NAMESPACE, "\x1f".join(parts)))


def _facet(kind: str, **fields: Any) -> Dict[str, Any]:
    return {"_producer": OPENLINEAGE_PRODUCER, "_schemaURL": _FACET_SCHEMAS[kind], **fields}


def lineage_dataset(uri: str) -> Dict[str, str]:
    """OpenLineage naming: ``s3://<bucket>`` and the key for S3, ``file`` and the path for local paths."""
    match = re.match(r"^(s3a?|s3n)://([^/]+)/?(.*)$", uri)
    if match:
        return {"namespace": f"s3://{match.group(2)}", "name": match.group(3).strip("/") or "/"}
    return {"namespace": "file", "name": uri}


def lineage_events(args: JobArgs, spec: Spec, summary: Optional[Dict[str, Any]], started: datetime, error: Optional[BaseException] = None) -> List[Dict[str, Any]]:
    """START and COMPLETE (inputs with row metrics, outputs with row counts), or START and FAIL with the error."""
    run_id = deterministic_run_id("transform", spec.name, iso_hour(args.start), iso_hour(args.end))
    job_ref = {"namespace": args.lineage_namespace, "name": f"transform.{spec.name}"}
    raw = lineage_dataset(f"{args.raw_uri}/{spec.name}")
    curated = {**lineage_dataset(f"{args.curated_uri}/{spec.name}"),
               "facets": {"schema": _facet("schema", fields=[{"name": name, "type": _ddl_type(spec.ddl, name)} for name in spec.curated_columns if _ddl_type(spec.ddl, name)])}}
    references = [lineage_dataset(f"{args.reference_uri}/{reference.name}") for reference in spec.references]
    start_event = {
        "eventType": "START", "eventTime": _iso_now(started), "run": {"runId": run_id}, "job": job_ref,
        "inputs": [raw, *references], "outputs": [curated], "producer": OPENLINEAGE_PRODUCER, "schemaURL": OPENLINEAGE_SCHEMA_URL,
    }
    if error is not None or summary is None:
        message = f"{type(error).__name__}: {error}" if error is not None else "the job ended without a summary"
        end_event = {
            "eventType": "FAIL", "eventTime": _iso_now(datetime.now(timezone.utc)),
            "run": {"runId": run_id, "facets": {"errorMessage": _facet("errorMessage", message=message, programmingLanguage="Python")}},
            "job": job_ref, "inputs": [raw, *references], "outputs": [curated], "producer": OPENLINEAGE_PRODUCER, "schemaURL": OPENLINEAGE_SCHEMA_URL,
        }
        return [start_event, end_event]
    rows = summary["rows"]
    raw_in = {**raw, "inputFacets": {"dataQualityMetrics": _facet("dataQualityMetrics", rowCount=int(rows["read"]), columnMetrics={
        name: {"nullCount": int(count)} for name, count in summary["missingRequiredByField"].items()})}}
    outputs = [{**curated, "outputFacets": {"outputStatistics": _facet("outputStatistics", rowCount=int(rows["written"]))}}]
    outputs += [{**lineage_dataset(aggregate["uri"]), "outputFacets": {"outputStatistics": _facet("outputStatistics", rowCount=int(aggregate["rows"]))}}
                for aggregate in summary["outputs"]["aggregates"]]
    end_event = {
        "eventType": "COMPLETE", "eventTime": _iso_now(datetime.now(timezone.utc)), "run": {"runId": run_id}, "job": job_ref,
        "inputs": [raw_in, *references], "outputs": outputs, "producer": OPENLINEAGE_PRODUCER, "schemaURL": OPENLINEAGE_SCHEMA_URL,
    }
    return [start_event, end_event]


def _ddl_type(ddl: str, column: str) -> str:
    match = re.search(rf"(?:^|,)\s*`?{re.escape(column)}`?\s+([A-Za-z]+(?:\([0-9, ]+\))?)", ddl)
    return match.group(1).lower() if match else ""


def _iso_now(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"


def write_lineage(spark: SparkSession, args: JobArgs, events: List[Dict[str, Any]]) -> Optional[str]:
    """Writes the events as NDJSON under ``<lineage-uri>/dt=<date>/``; a failure is reported, never raised."""
    if not args.lineage_uri or not events:
        return None
    first = events[0]
    uri = f"{args.lineage_uri}/dt={first['eventTime'][:10]}/{first['job']['name']}.{first['run']['runId']}.{events[-1]['eventType'].lower()}.json"
    try:
        write_text(spark, uri, "".join(json.dumps(event, sort_keys=True) + "\n" for event in events))
    except Exception as error:  # noqa: BLE001 - lineage must never fail the data job
        print(json.dumps({"message": "lineage events could not be written; the job is unaffected", "metric": "LineageEmitFailures", "uri": uri, "error": str(error)}), file=sys.stderr)
        return None
    return uri


def run(spark: SparkSession, args: JobArgs) -> Dict[str, Any]:
    configure(spark)
    spec = parse_spec(json.loads(read_text(spark, args.spec_uri)))
    days = days_in_range(args.start, args.end)
    folders = raw_hour_folders(spark, args.raw_uri, spec.name, days)
    days_with_input = sorted({day for day, _, _ in folders})
    pc = spec.partition_column

    labelled = label_rows(read_raw(spark, spec, [uri for _, _, uri in folders]), spec).persist()
    ranked = rank_latest(labelled.filter(F.col(STATUS_COLUMN) == VALID), spec)
    references = [(reference, read_reference(spark, args.reference_uri, reference)) for reference in spec.references]
    enriched, markers = enrich(ranked.filter(F.col(RANK_COLUMN) == 1), references)
    for conversion in spec.conversions:
        enriched = convert(enriched, conversion, read_rates(spark, args.curated_uri, conversion))
    enriched = enriched.persist()
    curated = enriched.select(*[F.col(c) for c in spec.curated_columns], F.col(RAW_DT_COLUMN).alias(pc))

    # Counts: one pass over the labelled rows, one over the ranked valid rows, one over the output.
    outside = (F.col(STATUS_COLUMN) == VALID) & (F.to_date(F.col(spec.event_time)).cast("string") != F.col(RAW_DT_COLUMN))
    by_partition = labelled.groupBy(F.col(RAW_DT_COLUMN).alias(pc)).agg(
        F.count(F.lit(1)).alias("read"),
        F.sum(F.when(F.col(STATUS_COLUMN) == MALFORMED, 1).otherwise(0)).alias("malformed"),
        F.sum(F.when(F.col(STATUS_COLUMN) == MISSING_REQUIRED, 1).otherwise(0)).alias("missingRequired"),
        F.countDistinct(F.col(FILE_COLUMN)).alias("files"),
        F.sum(F.when(outside, 1).otherwise(0)).alias("outside"),
        *[
            F.sum(F.when((F.col(STATUS_COLUMN) == MISSING_REQUIRED) & F.col(name).isNull(), 1).otherwise(0)).alias(f"missing_{name}")
            for name in spec.required
        ],
    ).collect()
    ranks = {
        row[pc]: row
        for row in ranked.groupBy(F.col(RAW_DT_COLUMN).alias(pc)).agg(
            F.sum(F.when(F.col(RANK_COLUMN) > 1, 1).otherwise(0)).alias("duplicates"),
            F.sum(F.when(F.col(RANK_COLUMN) == 1, 1).otherwise(0)).alias("written"),
        ).collect()
    }
    written = {day: row["written"] for day, row in ranks.items() if row["written"] > 0}
    metrics, unmatched = quality_metrics(enriched, spec, markers)

    # Writes: the curated table, then each aggregate; empty rebuilt dates lose their old partition.
    table_uri = f"{args.curated_uri}/{spec.name}"
    _write_partitioned(curated, table_uri, pc, spec.key, args.max_records_per_file)
    emptied = [day for day in days_with_input if day not in written]
    aggregates_summary = []
    for aggregate in spec.aggregates:
        aggregate_uri = f"{args.curated_uri}/{aggregate.table}"
        frame = aggregate_frame(curated, spec, aggregate).persist()
        _write_partitioned(frame, aggregate_uri, pc, list(aggregate.group_by), 0)
        aggregates_summary.append({"name": aggregate.name, "table": aggregate.table, "uri": aggregate_uri, "rows": frame.count()})
        frame.unpersist()
        for day in emptied:
            remove_tree(spark, f"{aggregate_uri}/{pc}={day}")
    for day in emptied:
        remove_tree(spark, f"{table_uri}/{pc}={day}")

    partitions = []
    for row in sorted(by_partition, key=lambda r: r[pc]):
        day = row[pc]
        partitions.append({
            "dt": day,
            "read": row["read"],
            "malformed": row["malformed"],
            "missingRequired": row["missingRequired"],
            "duplicates": int(ranks[day]["duplicates"]) if day in ranks else 0,
            "written": written.get(day, 0),
        })
    totals = {key: sum(p[key] for p in partitions) for key in ("read", "malformed", "missingRequired", "duplicates", "written")}
    summary: Dict[str, Any] = {
        "summaryVersion": SUMMARY_VERSION,
        "dataset": spec.name,
        "datasetVersion": spec.version,
        "runId": args.run_id,
        "range": {"start": iso_hour(args.start), "end": iso_hour(args.end)},
        "days": days,
        "daysWithoutInput": [day for day in days if day not in days_with_input],
        "removedPartitions": emptied,
        "inputs": {
            "files": sum(row["files"] for row in by_partition),
            "hourPartitions": len(folders),
            # What the quality step reports as finished ingest windows (runtime/ingest/lineage.ts).
            "rawUri": args.raw_uri,
            "windows": ingest_windows(spec.name, [row[0] for row in labelled.select(FILE_COLUMN).distinct().collect()]),
        },
        "rows": {
            "read": totals["read"],
            "dropped": totals["malformed"] + totals["missingRequired"],
            "malformed": totals["malformed"],
            "missingRequired": totals["missingRequired"],
            "duplicates": totals["duplicates"],
            "written": totals["written"],
        },
        "missingRequiredByField": {name: sum(int(row[f"missing_{name}"]) for row in by_partition) for name in spec.required},
        "eventTimeOutsidePartition": sum(int(row["outside"]) for row in by_partition),
        "referenceUnmatched": unmatched,
        "partitions": partitions,
        "outputs": {"curated": table_uri, "aggregates": aggregates_summary},
        "qualityMetrics": metrics,
    }
    labelled.unpersist()
    enriched.unpersist()
    write_text(spark, args.summary_uri or default_summary_uri(args.curated_uri, spec.name, args.start, args.end), json.dumps(summary, indent=2, sort_keys=True) + "\n")
    return summary


def run_with_lineage(spark: SparkSession, args: JobArgs) -> Dict[str, Any]:
    """``run`` with its OpenLineage START and COMPLETE (or FAIL) written to ``--lineage-uri`` when given."""
    if not args.lineage_uri:
        return run(spark, args)
    started = datetime.now(timezone.utc)
    try:
        summary = run(spark, args)
    except Exception as error:
        try:
            spec = parse_spec(json.loads(read_text(spark, args.spec_uri)))
        except Exception:  # noqa: BLE001 - without a spec there is no dataset to name the run after
            raise error
        write_lineage(spark, args, lineage_events(args, spec, None, started, error))
        raise
    write_lineage(spark, args, lineage_events(args, parse_spec(json.loads(read_text(spark, args.spec_uri))), summary, started))
    return summary


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
    except TransformJobError as error:
        print(f"transform_job: {error}", file=sys.stderr)
        return 2
    spark = SparkSession.builder.appName("transform-job").getOrCreate()
    try:
        summary = run_with_lineage(spark, args)
    except TransformJobError as error:
        print(f"transform_job: {error}", file=sys.stderr)
        return 1
    finally:
        spark.stop()
    print(json.dumps({"dataset": summary["dataset"], "range": summary["range"], "rows": summary["rows"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
