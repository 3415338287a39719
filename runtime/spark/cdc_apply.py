"""Applies change-data-capture records from the raw zone to a curated table.

Input: the raw-zone NDJSON.gz objects that runtime/cdc/land.ts writes for one dataset
(``<raw>/<dataset>/dt=*/hour=*/*.ndjson.gz``): the dataset's fields plus ``cdc_op`` (I/U/D),
``cdc_commit_ts`` and ``cdc_change_seq`` (35 digits: the source log position of the commit, then
the change's place in its transaction; DMS's AR_H_CHANGE_SEQ).

Output: ``<curated>/<dataset>/`` as Parquet, rewritten whole on every run from every change, each
row closing with the provenance columns of the change it shows (raw object, source table, commit
log position, change sequence, change file and line):

- ``current``: the latest state per key in change order; a key whose last change is a delete is
  absent. A primary-key update arrives as a delete of the old key and an insert of the new one.
- ``scd2``: one row per committed version, with ``valid_from`` (its commit time), ``valid_to`` (the
  commit time of the key's next change, null while current) and ``is_current``. Several changes of
  one key in one transaction are one version (only the committed state was ever visible). A
  delete closes the last version.

Why a full recompute: change order is global, so a late file (out of order) or a replayed one
(landed twice, or under a conflict key) must not depend on which run saw it. Changes are
deduplicated on (key, sequence, op), ordered by sequence, and the table is rebuilt from all of
them, so the result is a pure function of the set of changes: idempotent and order-independent.
A full load followed by changes needs nothing special: full-load rows carry the slot's
consistent point as their sequence, which every later commit exceeds.

Optionally (``reference`` in the spec) the current state is also written as a header CSV for the
transform's reference enrichment (transform_job.py's ``enrich``), e.g. customers' segment and
country joined onto orders.

With ``--lineage-uri`` the run is reported as OpenLineage events (START and COMPLETE, or START
and FAIL), like transform_job.py's: input the dataset's raw change records, outputs the curated
table (and the reference). The script is deployed alone (no --py-files), so the few lineage
helpers it shares with transform_job.py are repeated here; tests/spark/test_cdc_apply.py holds
the two run-id schemes and facet URLs equal.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import uuid
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Sequence

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

OP = "cdc_op"
COMMIT_TS = "cdc_commit_ts"
SEQ = "cdc_change_seq"
VALID_FROM = "valid_from"
VALID_TO = "valid_to"
IS_CURRENT = "is_current"
SOURCE = "cdc_source"
FILE_PATH = "_raw_file_path"
# The raw object's key in the raw zone: ``<dataset>/dt=D/hour=HH/<name>``, whatever the file system's URI scheme.
RAW_OBJECT_PATTERN = r"([^/]+/dt=[^/]+/hour=[^/]+/[^/]+)$"
# The commit's log position: the first 20 digits of the sequence (the rest orders changes inside it).
COMMIT_DIGITS = 20


class CdcSpecError(ValueError):
    """The spec document is not what cdcApplySpec (runtime/cdc/spec.ts) writes."""


def parse_spec(document: Dict[str, Any]) -> Dict[str, Any]:
    for key in ("name", "ddl", "fields", "key", "history", "sourceTable", "provenance"):
        if key not in document:
            raise CdcSpecError(f"cdc spec: '{key}' is missing; render the spec with cdcApplySpec (runtime/cdc/spec.ts)")
    if document["history"] not in ("current", "scd2"):
        raise CdcSpecError(f"cdc spec: history is '{document['history']}'; expected 'current' or 'scd2'")
    if not document["key"]:
        raise CdcSpecError("cdc spec: key is empty; the dataset must declare its key")
    return document


def read_changes(spark: SparkSession, spec: Dict[str, Any], raw_uri: str) -> DataFrame:
    """Every landed change of the dataset (empty when nothing landed yet), with the raw object it is in."""
    schema = f"{spec['ddl']}, {OP} STRING, {COMMIT_TS} STRING, {SEQ} STRING, {SOURCE} STRING"
    path = f"{raw_uri.rstrip('/')}/{spec['name']}/"
    try:
        frame = spark.read.schema(schema).option("recursiveFileLookup", "true").option("pathGlobFilter", "*.ndjson.gz").json(path)
        frame.limit(1).collect()
    except Exception as error:  # noqa: BLE001 - a missing folder is "no changes yet"; anything else is raised
        if "PATH_NOT_FOUND" in str(error) or "Path does not exist" in str(error):
            return spark.createDataFrame([], f"{schema}, {FILE_PATH} STRING")
        raise
    return frame.withColumn(FILE_PATH, F.col("_metadata.file_path"))


def provenance_columns(spec: Dict[str, Any]) -> List[Column]:
    """The curated provenance columns (runtime/datasets/provenance.ts) of a change: the raw object it was
    read from, the source table, the commit's log position, the change sequence and the change file line."""
    source_file = F.split(F.col(SOURCE), "#")
    values = {
        "object": F.regexp_extract(F.col(FILE_PATH), RAW_OBJECT_PATTERN, 1),
        "engine": F.lit("dms"),
        "source": F.lit(spec["sourceTable"]),
        "partition": F.substring(F.col(SEQ), 1, COMMIT_DIGITS),
        "position": F.col(SEQ),
        "file": source_file.getItem(0),
        "version_id": F.lit(None),
        "line": source_file.getItem(1),
    }
    columns = []
    for column in spec["provenance"]:
        if column["from"] not in values:
            raise CdcSpecError(f"cdc spec: provenance column '{column['column']}' reads '{column['from']}'; expected one of {', '.join(values)}; render the spec with cdcApplySpec (runtime/cdc/spec.ts)")
        columns.append(values[column["from"]].cast(column["type"]).alias(column["column"]))
    return columns


def deduplicate(changes: DataFrame, spec: Dict[str, Any]) -> DataFrame:
    """One row per change: a replayed file (or a conflict copy) repeats (key, sequence, op)."""
    return changes.dropDuplicates([*spec["key"], SEQ, OP])


def current_state(changes: DataFrame, spec: Dict[str, Any]) -> DataFrame:
    """The latest change per key, unless it is a delete; the dataset's fields only."""
    latest = Window.partitionBy(*spec["key"]).orderBy(F.col(SEQ).desc())
    ranked = deduplicate(changes, spec).withColumn("_rank", F.row_number().over(latest))
    return ranked.where((F.col("_rank") == 1) & (F.col(OP) != "D")).select(*spec["fields"], *provenance_columns(spec))


def history(changes: DataFrame, spec: Dict[str, Any]) -> DataFrame:
    """Every committed version per key with its validity range (see the module docstring)."""
    keys = spec["key"]
    deduped = deduplicate(changes, spec).withColumn("_commit", F.substring(F.col(SEQ), 1, COMMIT_DIGITS))
    # The committed state of each key per transaction: its last change in that transaction.
    per_commit = Window.partitionBy(*keys, "_commit").orderBy(F.col(SEQ).desc())
    committed = deduped.withColumn("_rank", F.row_number().over(per_commit)).where(F.col("_rank") == 1).drop("_rank")
    ordered = Window.partitionBy(*keys).orderBy(F.col(SEQ))
    stamped = committed.withColumn(VALID_FROM, F.to_timestamp(F.col(COMMIT_TS))).withColumn(
        VALID_TO, F.lead(F.to_timestamp(F.col(COMMIT_TS))).over(ordered)
    )
    versions = stamped.where(F.col(OP) != "D")
    return versions.select(*spec["fields"], VALID_FROM, VALID_TO, F.col(VALID_TO).isNull().alias(IS_CURRENT), *provenance_columns(spec))


def apply_changes(changes: DataFrame, spec: Dict[str, Any]) -> DataFrame:
    return history(changes, spec) if spec["history"] == "scd2" else current_state(changes, spec)


def reference_frame(state: DataFrame, spec: Dict[str, Any]) -> Optional[DataFrame]:
    """The reference CSV's columns (renamed as the spec says) from the current state, or None."""
    reference = spec.get("reference")
    if not reference:
        return None
    current = state.where(F.col(IS_CURRENT)) if spec["history"] == "scd2" else state
    return current.select(*[F.col(source).alias(target) for source, target in reference["columns"].items()])


def export_rows(state: DataFrame, path: str) -> None:
    """The curated rows as JSON lines (timestamps to the microsecond), for the local warehouse stand-in."""
    options = {"timestampFormat": "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX"}
    lines = state.select(F.to_json(F.struct(*state.columns), options).alias("line")).collect()
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("".join(row.line + "\n" for row in lines))


def run(spark: SparkSession, spec: Dict[str, Any], raw_uri: str, curated_uri: str, reference_uri: Optional[str], export_path: Optional[str] = None) -> Dict[str, Any]:
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.conf.set("spark.sql.parquet.outputTimestampType", "INT96")
    changes = read_changes(spark, spec, raw_uri).cache()
    state = apply_changes(changes, spec).cache()
    target = f"{curated_uri.rstrip('/')}/{spec['name']}/"
    sort = [*spec["key"], VALID_FROM] if spec["history"] == "scd2" else list(spec["key"])
    state.coalesce(1).sortWithinPartitions(*sort).write.mode("overwrite").parquet(target)
    summary: Dict[str, Any] = {"dataset": spec["name"], "history": spec["history"], "changes": changes.count(), "rows": state.count(),
                               "last_change_seq": changes.agg(F.max(F.col(SEQ))).first()[0]}
    reference = reference_frame(state, spec)
    if reference is not None and reference_uri:
        reference_target = f"{reference_uri.rstrip('/')}/{spec['reference']['name']}/"
        reference.coalesce(1).write.mode("overwrite").option("header", "true").csv(reference_target)
        summary["reference"] = reference_target
    if export_path:
        export_rows(state, export_path)
    changes.unpersist()
    state.unpersist()
    return summary


# --------------------------------------------------------------------------------------------
# Lineage: OpenLineage run events as dicts (spec 1-0-1, the run-id scheme of runtime/lineage)
# --------------------------------------------------------------------------------------------

OPENLINEAGE_SCHEMA_URL = "https://openlineage.io/spec/1-0-1/OpenLineage.json#/$defs/RunEvent"
OPENLINEAGE_PRODUCER = "urn:etl-platform:runtime:spark:cdc_apply"
FACET_SCHEMAS = {
    "schema": "https://openlineage.io/spec/facets/1-0-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet",
    "outputStatistics": "https://openlineage.io/spec/facets/1-0-0/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet",
    "dataQualityMetrics": "https://openlineage.io/spec/facets/1-0-0/DataQualityMetricsInputDatasetFacet.json#/$defs/DataQualityMetricsInputDatasetFacet",
    "errorMessage": "https://openlineage.io/spec/facets/1-0-0/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet",
}
# The namespace UUID of runtime/lineage's deterministicRunId: uuid5 over the parts joined with U+001F.
RUN_ID_NAMESPACE = uuid.UUID("5f0c2a4e-9b7d-4c1e-8a3f-6d2b7e9c1a04")
HISTORY_TYPES = {VALID_FROM: "timestamp", VALID_TO: "timestamp", IS_CURRENT: "boolean"}


def deterministic_run_id(*parts: str) -> str:
    """The run id runtime/lineage derives for the same parts."""
    if not parts or any(not part or "\x1f" in part for part in parts):
        raise ValueError(f"lineage run id: expected non-empty parts without U+001F; found {parts!r}")
    return str(uuid.uuid5(RUN_ID_NAMESPACE, "\x1f".join(parts)))


def cdc_run_id(dataset: str, changes: int, last_change_seq: Optional[str]) -> str:
    """One run per applied change set: the same changes applied again (a retry) are the same run."""
    return deterministic_run_id("cdc-apply", dataset, str(changes), last_change_seq or "none")


def _facet(kind: str, **fields: Any) -> Dict[str, Any]:
    return {"_producer": OPENLINEAGE_PRODUCER, "_schemaURL": FACET_SCHEMAS[kind], **fields}


def lineage_dataset(uri: str) -> Dict[str, str]:
    """OpenLineage naming: ``s3://<bucket>`` and the key for S3, ``file`` and the path for local paths."""
    match = re.match(r"^(s3a?|s3n)://([^/]+)/?(.*)$", uri)
    if match:
        return {"namespace": f"s3://{match.group(2)}", "name": match.group(3).strip("/") or "/"}
    return {"namespace": "file", "name": uri.rstrip("/")}


def _ddl_type(ddl: str, column: str) -> str:
    match = re.search(rf"(?:^|,)\s*`?{re.escape(column)}`?\s+([A-Za-z]+(?:\([0-9, ]+\))?)", ddl)
    return match.group(1).lower() if match else "string"


def _iso(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"


def lineage_events(spec: Dict[str, Any], uris: Dict[str, Optional[str]], namespace: str, started: datetime,
                   summary: Optional[Dict[str, Any]] = None, error: Optional[BaseException] = None) -> List[Dict[str, Any]]:
    """START and COMPLETE (changes read, rows written), or START and FAIL with the error."""
    name = spec["name"]
    job_ref = {"namespace": namespace, "name": f"cdc-apply.{name}"}
    raw = lineage_dataset(f"{str(uris['raw']).rstrip('/')}/{name}")
    columns = [{"name": field, "type": _ddl_type(spec["ddl"], field)} for field in spec["fields"]]
    if spec["history"] == "scd2":
        columns += [{"name": column, "type": kind} for column, kind in HISTORY_TYPES.items()]
    curated = {**lineage_dataset(f"{str(uris['curated']).rstrip('/')}/{name}"), "facets": {"schema": _facet("schema", fields=columns)}}
    reference = spec.get("reference")
    references = [lineage_dataset(f"{str(uris['reference']).rstrip('/')}/{reference['name']}")] if reference and uris.get("reference") else []
    if summary is not None and error is None:
        run_id = cdc_run_id(name, int(summary["changes"]), summary.get("last_change_seq"))
    else:
        run_id = deterministic_run_id("cdc-apply", name, "failed", _iso(started))
    common = {"job": job_ref, "producer": OPENLINEAGE_PRODUCER, "schemaURL": OPENLINEAGE_SCHEMA_URL}
    start = {"eventType": "START", "eventTime": _iso(started), "run": {"runId": run_id}, "inputs": [raw], "outputs": [curated, *references], **common}
    if summary is None or error is not None:
        message = f"{type(error).__name__}: {error}" if error is not None else "the apply ended without a summary"
        fail = {"eventType": "FAIL", "eventTime": _iso(datetime.now(timezone.utc)),
                "run": {"runId": run_id, "facets": {"errorMessage": _facet("errorMessage", message=message, programmingLanguage="Python")}},
                "inputs": [raw], "outputs": [curated, *references], **common}
        return [start, fail]
    measured = {**raw, "inputFacets": {"dataQualityMetrics": _facet("dataQualityMetrics", rowCount=int(summary["changes"]), columnMetrics={})}}
    written = {**curated, "outputFacets": {"outputStatistics": _facet("outputStatistics", rowCount=int(summary["rows"]))}}
    complete = {"eventType": "COMPLETE", "eventTime": _iso(datetime.now(timezone.utc)), "run": {"runId": run_id},
                "inputs": [measured], "outputs": [written, *references], **common}
    return [start, complete]


def write_lineage(spark: SparkSession, lineage_uri: str, events: List[Dict[str, Any]]) -> Optional[str]:
    """Writes the events as NDJSON under ``<lineage-uri>/dt=<date>/`` (the lake layout of runtime/lineage); never raises."""
    first = events[0]
    uri = f"{lineage_uri.rstrip('/')}/dt={first['eventTime'][:10]}/{first['job']['name']}.{first['run']['runId']}.{events[-1]['eventType'].lower()}.json"
    try:
        jvm = spark.sparkContext._jvm
        path = jvm.org.apache.hadoop.fs.Path(uri)
        fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
        stream = fs.create(path, True)
        try:
            stream.write(bytearray("".join(json.dumps(event, sort_keys=True) + "\n" for event in events).encode("utf-8")))
        finally:
            stream.close()
    except Exception as error:  # noqa: BLE001 - lineage must never fail the apply
        print(json.dumps({"message": "lineage events could not be written; the apply is unaffected", "metric": "LineageEmitFailures", "uri": uri, "error": str(error)}), file=sys.stderr)
        return None
    return uri


def run_with_lineage(spark: SparkSession, spec: Dict[str, Any], raw_uri: str, curated_uri: str, reference_uri: Optional[str],
                     export_path: Optional[str] = None, lineage_uri: Optional[str] = None, lineage_namespace: str = "etl-platform") -> Dict[str, Any]:
    """``run`` with its START and COMPLETE (or FAIL, then the error is raised) written under ``lineage_uri`` when given."""
    if not lineage_uri:
        return run(spark, spec, raw_uri, curated_uri, reference_uri, export_path)
    uris = {"raw": raw_uri, "curated": curated_uri, "reference": reference_uri}
    started = datetime.now(timezone.utc)
    try:
        summary = run(spark, spec, raw_uri, curated_uri, reference_uri, export_path)
    except Exception as error:
        write_lineage(spark, lineage_uri, lineage_events(spec, uris, lineage_namespace, started, error=error))
        raise
    write_lineage(spark, lineage_uri, lineage_events(spec, uris, lineage_namespace, started, summary=summary))
    return summary


def read_spec_text(spark: SparkSession, uri: str) -> str:
    """The spec document at ``uri`` (s3:// on EMR, a local path in tests), read whole through Spark's file systems."""
    rows = spark.read.text(uri, wholetext=True).collect()
    if len(rows) != 1:
        raise ValueError(f"--spec {uri}: expected one spec document, found {len(rows)} files; point --spec at the dataset's JSON spec")
    return rows[0].value


# The arguments AWS Glue adds to a job run's own: the same names as transform_job.GLUE_ARGUMENTS
# (this script is uploaded and run alone, so it cannot import that module; tests/spark/test_glue_job.py
# holds the two sets equal).
GLUE_ARGUMENTS = frozenset({
    "--JOB_ID", "--JOB_RUN_ID", "--JOB_NAME", "--TempDir", "--job-bookmark-option", "--job-language",
    "--enable-metrics", "--enable-observability-metrics", "--enable-continuous-cloudwatch-log",
    "--enable-continuous-log-filter", "--continuous-log-logGroup", "--continuous-log-logStreamPrefix",
    "--continuous-log-conversionPattern", "--enable-spark-ui", "--spark-event-logs-path",
    "--enable-job-insights", "--enable-glue-datacatalog", "--enable-auto-scaling", "--extra-py-files",
    "--extra-jars", "--extra-files", "--additional-python-modules", "--python-modules-installer-option",
    "--encryption-type", "--scriptLocation", "--conf", "--datalake-formats", "--user-jars-first",
})


def without_glue_arguments(argv: Sequence[str]) -> list:
    """``argv`` without Glue's own arguments (``--name value`` or ``--name=value``); the rest untouched."""
    kept = []
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


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Apply CDC changes from the raw zone to the curated zone")
    spec_source = parser.add_mutually_exclusive_group(required=True)
    spec_source.add_argument("--spec", dest="spec_uri", help="URI of the spec document (cdcApplySpec as JSON), as the pipeline uploads it to the artifacts bucket")
    spec_source.add_argument("--spec-json", help="the spec document (cdcApplySpec) as JSON text (local runs)")
    parser.add_argument("--raw-uri", required=True)
    parser.add_argument("--curated-uri", required=True)
    parser.add_argument("--reference-uri")
    parser.add_argument("--export-path", help="also write the curated rows as JSON lines here (local runs)")
    parser.add_argument("--master", help="Spark master for local runs, e.g. local[2]; EMR and Glue set their own")
    parser.add_argument("--lineage-uri", help="lineage prefix (s3://<bucket>/lineage) the apply writes its OpenLineage run events to (default: none)")
    parser.add_argument("--lineage-namespace", default="etl-platform", help="OpenLineage job namespace (default etl-platform)")
    args = parser.parse_args(without_glue_arguments(sys.argv[1:] if argv is None else argv))
    builder = SparkSession.builder.appName("cdc-apply")
    if args.master:
        builder = builder.master(args.master).config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
    spark = builder.getOrCreate()
    spec = parse_spec(json.loads(args.spec_json if args.spec_json is not None else read_spec_text(spark, args.spec_uri)))
    print(json.dumps(run_with_lineage(spark, spec, args.raw_uri, args.curated_uri, args.reference_uri, args.export_path, args.lineage_uri, args.lineage_namespace)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
