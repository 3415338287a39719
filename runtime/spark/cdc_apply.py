"""Applies change-data-capture records from the raw zone to a curated table.

Input: the raw-zone NDJSON.gz objects that runtime/cdc/land.ts writes for one dataset
(``<raw>/<dataset>/dt=*/hour=*/*.ndjson.gz``): the dataset's fields plus ``cdc_op`` (I/U/D),
``cdc_commit_ts`` and ``cdc_change_seq`` (35 digits: the source log position of the commit, then
the change's place in its transaction; DMS's AR_H_CHANGE_SEQ).

Output: ``<curated>/<dataset>/`` as Parquet, rewritten whole on every run from every change:

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
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict, Optional, Sequence

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

OP = "cdc_op"
COMMIT_TS = "cdc_commit_ts"
SEQ = "cdc_change_seq"
VALID_FROM = "valid_from"
VALID_TO = "valid_to"
IS_CURRENT = "is_current"
# The commit's log position: the first 20 digits of the sequence (the rest orders changes inside it).
COMMIT_DIGITS = 20


class CdcSpecError(ValueError):
    """The spec document is not what cdcApplySpec (runtime/cdc/spec.ts) writes."""


def parse_spec(document: Dict[str, Any]) -> Dict[str, Any]:
    for key in ("name", "ddl", "fields", "key", "history"):
        if key not in document:
            raise CdcSpecError(f"cdc spec: '{key}' is missing; render the spec with cdcApplySpec (runtime/cdc/spec.ts)")
    if document["history"] not in ("current", "scd2"):
        raise CdcSpecError(f"cdc spec: history is '{document['history']}'; expected 'current' or 'scd2'")
    if not document["key"]:
        raise CdcSpecError("cdc spec: key is empty; the dataset must declare its key")
    return document


def read_changes(spark: SparkSession, spec: Dict[str, Any], raw_uri: str) -> DataFrame:
    """Every landed change of the dataset (empty when nothing landed yet)."""
    schema = f"{spec['ddl']}, {OP} STRING, {COMMIT_TS} STRING, {SEQ} STRING"
    path = f"{raw_uri.rstrip('/')}/{spec['name']}/"
    try:
        frame = spark.read.schema(schema).option("recursiveFileLookup", "true").option("pathGlobFilter", "*.ndjson.gz").json(path)
        frame.limit(1).collect()
    except Exception as error:  # noqa: BLE001 - a missing folder is "no changes yet"; anything else is raised
        if "PATH_NOT_FOUND" in str(error) or "Path does not exist" in str(error):
            return spark.createDataFrame([], schema)
        raise
    return frame


def deduplicate(changes: DataFrame, spec: Dict[str, Any]) -> DataFrame:
    """One row per change: a replayed file (or a conflict copy) repeats (key, sequence, op)."""
    return changes.dropDuplicates([*spec["key"], SEQ, OP])


def current_state(changes: DataFrame, spec: Dict[str, Any]) -> DataFrame:
    """The latest change per key, unless it is a delete; the dataset's fields only."""
    latest = Window.partitionBy(*spec["key"]).orderBy(F.col(SEQ).desc())
    ranked = deduplicate(changes, spec).withColumn("_rank", F.row_number().over(latest))
    return ranked.where((F.col("_rank") == 1) & (F.col(OP) != "D")).select(*spec["fields"])


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
    return versions.select(*spec["fields"], VALID_FROM, VALID_TO, F.col(VALID_TO).isNull().alias(IS_CURRENT))


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
    summary: Dict[str, Any] = {"dataset": spec["name"], "history": spec["history"], "changes": changes.count(), "rows": state.count()}
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
    args = parser.parse_args(without_glue_arguments(sys.argv[1:] if argv is None else argv))
    builder = SparkSession.builder.appName("cdc-apply")
    if args.master:
        builder = builder.master(args.master).config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
    spark = builder.getOrCreate()
    spec = parse_spec(json.loads(args.spec_json if args.spec_json is not None else read_spec_text(spark, args.spec_uri)))
    print(json.dumps(run(spark, spec, args.raw_uri, args.curated_uri, args.reference_uri, args.export_path)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
