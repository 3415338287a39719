"""Runs the transform job (runtime/spark/transform_job.py) on this machine for ``npm run local``, then
measures what it wrote.

The job itself runs unchanged, through its own ``parse_args`` and ``run``, on a local Spark session
sized for a laptop. Afterwards the curated partitions of the run's dates are read back: the rows are
counted (the summary's ``curated`` figure is this count, not the job's claim) and exported per
Parquet file as JSON lines, which the local warehouse (PostgreSQL) reads in place of Redshift COPY.

    python runtime/local/transform_local.py --export rows.ndjson -- <transform_job.py arguments>

Prints one JSON line: {"summaryUri", "curatedRows", "files": {<path relative to the table>: rows}}.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Dict, List, Sequence

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "runtime" / "spark"))

import transform_job  # noqa: E402  (the job lives beside the platform's other Spark code)
from local_session import local_spark_session  # noqa: E402


def local_session():
    return local_spark_session("npm-run-local-transform")


def split_argv(argv: Sequence[str]) -> tuple:
    if "--" not in argv:
        raise transform_job.TransformJobError("usage: transform_local.py --export <file> -- <transform_job.py arguments>")
    index = list(argv).index("--")
    own, job = list(argv[:index]), list(argv[index + 1:])
    if len(own) != 2 or own[0] != "--export":
        raise transform_job.TransformJobError(f"expected --export <file> before --; found {' '.join(own) or 'nothing'}")
    return own[1], job


def export_curated(spark, table_uri: str, partition_column: str, days: List[str], export_path: str) -> Dict[str, int]:
    """Writes every curated row of the given dates as {"file", "row"} JSON lines; returns rows per file."""
    from pyspark.sql import functions as F

    folders = [f"{table_uri}/{partition_column}={day}" for day in days if os.path.isdir(f"{table_uri}/{partition_column}={day}")]
    per_file: Dict[str, int] = {}
    with open(export_path, "w", encoding="utf-8") as out:
        if not folders:
            return per_file
        frame = spark.read.option("basePath", table_uri).parquet(*folders)
        columns = [c for c in frame.columns if c != partition_column]
        rows = frame.select(
            F.input_file_name().alias("file"),
            F.to_json(F.struct(*[F.col(c) for c in columns]), {"timestampFormat": "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"}).alias("row"),
        ).collect()
        prefix = Path(table_uri).resolve().as_uri() + "/"
        for row in sorted(rows, key=lambda r: (r["file"], r["row"])):
            relative = row["file"][len(prefix):] if row["file"].startswith(prefix) else row["file"]
            per_file[relative] = per_file.get(relative, 0) + 1
            out.write(json.dumps({"file": relative, "row": json.loads(row["row"])}, sort_keys=True) + "\n")
    return per_file


def main(argv: Sequence[str]) -> int:
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        export_path, job_argv = split_argv(argv)
        args = transform_job.parse_args(job_argv)
    except transform_job.TransformJobError as error:
        print(f"transform_local: {error}", file=sys.stderr)
        return 2
    spark = local_session()
    try:
        summary = transform_job.run_with_lineage(spark, args)
        spec = transform_job.parse_spec(json.loads(transform_job.read_text(spark, args.spec_uri)))
        table_uri = f"{args.curated_uri}/{spec.name}"
        files = export_curated(spark, table_uri, spec.partition_column, summary["days"], export_path)
    except transform_job.TransformJobError as error:
        print(f"transform_local: {error}", file=sys.stderr)
        return 1
    finally:
        spark.stop()
    summary_uri = args.summary_uri or transform_job.default_summary_uri(args.curated_uri, spec.name, args.start, args.end)
    print(json.dumps({"summaryUri": summary_uri, "curatedRows": sum(files.values()), "files": files}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
