"""The transform job as a Glue job run would start it (sparkMode: glue).

The argument list is not written here: tests/spark/glue_run.ts reads it from the offline plan of
the dev stack's glue variant (the Glue job's default arguments and the state machine's run
arguments, their JSONata evaluated as Step Functions would), and this test adds what Glue itself
passes every script (--JOB_ID, --JOB_RUN_ID, --JOB_NAME). The lake's buckets become local folders.
What this cannot prove is the Glue runtime itself (its Spark build, S3 access, IAM, the security
configuration); see the README's Glue mode section."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

import cdc_apply
import transform_job as job
from conftest import ROOT, order, write_customers, write_raw, write_stores

START, END, EXECUTION = "2024-05-01T00:00:00Z", "2024-05-03T00:00:00Z", "glue-exec-1"


@pytest.fixture(scope="module")
def plan() -> Dict[str, Any]:
    result = subprocess.run(
        ["node", "-r", "ts-node/register/transpile-only", "tests/spark/glue_run.ts", "dev", "orders", START, END, EXECUTION],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"reading the glue variant's plan failed: {result.stderr[-3000:]}")
    return json.loads(result.stdout)


def local(value: str, buckets: Dict[str, str], root: Path) -> str:
    """An s3:// URI of one of the lake's buckets as the local folder standing in for it."""
    for name in buckets.values():
        if value == f"s3://{name}" or value.startswith(f"s3://{name}/"):
            return str(root / name) + value[len(f"s3://{name}"):]
    return value


def glue_argv(plan: Dict[str, Any], root: Path) -> List[str]:
    """sys.argv[1:] of the run: Glue's own arguments, then the job's defaults overridden by the run's."""
    merged = {**plan["defaultArguments"], **plan["runArguments"]}
    argv = ["--JOB_ID", "j_0f1e2d3c4b5a", "--JOB_RUN_ID", "jr_9a8b7c6d5e4f", "--JOB_NAME", plan["declaredJobName"]]
    for name, value in merged.items():
        argv += [name, local(value, plan["buckets"], root)]
    return argv


@pytest.fixture(scope="module")
def glue_run(plan, tmp_path_factory) -> Dict[str, Any]:
    root = tmp_path_factory.mktemp("glue-lake")
    buckets = plan["buckets"]
    raw, artifacts = root / buckets["raw"], root / buckets["artifacts"]
    spec_path = artifacts / plan["spec"]["key"]
    spec_path.parent.mkdir(parents=True)
    spec_path.write_text(plan["spec"]["content"])
    write_stores(artifacts / "reference", ["S0001,Downtown Seattle,US,2019-03-01", "S0002,Berlin Mitte,DE,2020-07-15"])
    write_customers(artifacts / "reference", ["CUST-00000001,consumer,IE", "CUST-00000002,enterprise,DE"])
    write_raw(raw, "2024-05-01", "03", "kinesis+shardId-000+1", [
        order("ORD-000000000001", "2024-05-01T03:10:00Z", amount="100.00"),
        order("ORD-000000000002", "2024-05-01T03:20:00Z", customer="CUST-00000002", store="S0002", region="EMEA", amount="50.00"),
    ])
    write_raw(raw, "2024-05-02", "11", "kinesis+shardId-000+2", [
        order("ORD-000000000001", "2024-05-02T11:00:00Z", status="shipped", amount="100.00"),
        order("ORD-000000000003", "2024-05-02T11:30:00Z", amount="20.00"),
        "{not json",
    ])
    argv = glue_argv(plan, root)
    script = ROOT / "runtime" / plan["scriptKey"]
    env = {**os.environ, "TZ": "UTC", "PYSPARK_PYTHON": sys.executable,
           "PYSPARK_SUBMIT_ARGS": "--master local[2] --conf spark.sql.shuffle.partitions=2 --conf spark.ui.enabled=false pyspark-shell"}
    result = subprocess.run([sys.executable, str(script), *argv], cwd=root, env=env, capture_output=True, text=True, check=False)
    return {"root": root, "argv": argv, "result": result, "summary_path": Path(local(plan["runArguments"]["--summary-uri"], buckets, root))}


def test_the_plan_starts_the_transform_glue_job_with_the_scripts_arguments(plan):
    assert plan["resource"] == "arn:aws:states:::glue:startJobRun.sync"
    assert plan["jobName"] == plan["declaredJobName"] == "platform-dev-transform"
    assert plan["command"]["scriptLocation"] == f"s3://{plan['buckets']['artifacts']}/{plan['scriptKey']}"
    assert plan["scriptKey"] == "spark/transform_job.py"
    assert {"--spec", "--raw-uri", "--curated-uri", "--reference-uri", "--start", "--end", "--run-id", "--summary-uri"} <= set(plan["runArguments"])
    assert plan["runArguments"]["--start"] == START and plan["runArguments"]["--end"] == END


def test_every_default_argument_of_the_job_is_one_glue_reads_and_the_script_sets_aside(plan):
    assert set(plan["defaultArguments"]) <= job.GLUE_ARGUMENTS


def test_the_script_runs_with_the_glue_argument_list_and_succeeds(glue_run):
    result = glue_run["result"]
    assert result.returncode == 0, result.stderr[-4000:]
    printed = json.loads(result.stdout.strip().splitlines()[-1])
    assert printed["dataset"] == "orders"


def test_the_run_writes_the_curated_dates_and_the_summary_where_the_pipeline_reads_it(glue_run, plan, spark):
    curated = glue_run["root"] / plan["buckets"]["curated"] / "orders"
    assert sorted(p.name for p in curated.iterdir() if p.name.startswith("dt=")) == ["dt=2024-05-01", "dt=2024-05-02"]
    rows = spark.read.parquet(str(curated)).select("dt", "order_id", "status", "store_name").orderBy("dt", "order_id").collect()
    # ORD-000000000001 keeps only its latest version (shipped, 2024-05-02); the malformed line is dropped.
    assert [tuple(r) for r in rows] == [
        ("2024-05-01", "ORD-000000000002", "placed", "Berlin Mitte"),
        ("2024-05-02", "ORD-000000000001", "shipped", "Downtown Seattle"),
        ("2024-05-02", "ORD-000000000003", "placed", "Downtown Seattle"),
    ]
    summary = json.loads(glue_run["summary_path"].read_text())
    assert summary["runId"] == EXECUTION
    assert summary["rows"]["written"] == 3


def test_glues_own_arguments_are_set_aside_in_both_forms_and_nothing_else_is():
    argv = ["--JOB_ID", "j_1", "--spec", "s", "--enable-metrics", "--raw-uri", "r", "--job-bookmark-option=job-bookmark-disable", "--TempDir", "s3://t/"]
    assert job.without_glue_arguments(argv) == ["--spec", "s", "--raw-uri", "r"]
    assert cdc_apply.without_glue_arguments(argv) == ["--spec", "s", "--raw-uri", "r"]


def test_an_unknown_argument_is_still_refused():
    with pytest.raises(SystemExit):
        job.parse_args(["--JOB_NAME", "x", "--spec", "s", "--raw-uri", "r", "--curated-uri", "c", "--reference-uri", "f",
                        "--start", START, "--end", END, "--sumary-uri", "typo"])


def test_both_scripts_set_aside_the_same_glue_arguments():
    assert cdc_apply.GLUE_ARGUMENTS == job.GLUE_ARGUMENTS
