"""The transform job's OpenLineage events: START and COMPLETE (or FAIL) per range, valid under the
official schema vendored in runtime/lineage/spec, with the run id runtime/lineage derives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import jsonschema
import pytest

import transform_job as job
from conftest import write_customers, write_stores
from test_transform_job import CUSTOMERS, END, START, STORES, raw_file_a, run_job, write_fx_rates

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "runtime" / "lineage" / "spec" / "OpenLineage.json").read_text())


def events_under(path: Path) -> List[Dict[str, Any]]:
    return [json.loads(line) for file in sorted(path.rglob("*.json")) for line in file.read_text().splitlines() if line]


def assert_valid(events: List[Dict[str, Any]]) -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert events, "expected lineage events"
    for event in events:
        errors = [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(event)]
        assert errors == [], f"{event['eventType']} is not a valid OpenLineage RunEvent: {errors}"


def test_run_ids_match_runtime_lineage():
    # The value runtime/lineage's deterministicRunId gives for the same parts (TypeScript).
    assert job.deterministic_run_id("transform", "orders", "2024-05-01T10:00:00Z", "2024-05-02T02:00:00Z") == "cec44fd9-12b1-5872-9fd8-73adc85a7db4"


def test_the_validator_rejects_an_event_without_a_run():
    validator = jsonschema.Draft202012Validator(SCHEMA)
    assert list(validator.iter_errors({"eventTime": "2024-05-01T00:00:00Z", "job": {"namespace": "n", "name": "j"}, "producer": "urn:x", "schemaURL": "urn:y"}))


def test_a_run_writes_start_and_complete_with_row_counts(tmp_path, spark, spec_file):
    raw, curated, reference, lineage = tmp_path / "raw", tmp_path / "curated", tmp_path / "reference", tmp_path / "lineage"
    write_stores(reference, STORES)
    write_customers(reference, CUSTOMERS)
    raw_file_a(raw)
    write_fx_rates(spark, curated)
    args = job.parse_args(["--spec", str(spec_file), "--raw-uri", str(raw), "--curated-uri", str(curated), "--reference-uri", str(reference),
                           "--start", START, "--end", END, "--lineage-uri", str(lineage), "--lineage-namespace", "etl-platform-test"])
    summary = job.run_with_lineage(spark, args)
    events = events_under(lineage)
    assert_valid(events)
    assert [event["eventType"] for event in events] == ["START", "COMPLETE"]
    complete = events[1]
    assert complete["run"]["runId"] == job.deterministic_run_id("transform", "orders", START.replace("+00:00", "Z"), END.replace("+00:00", "Z"))
    assert complete["job"] == {"namespace": "etl-platform-test", "name": "transform.orders"}
    assert complete["outputs"][0]["name"] == str(curated / "orders")
    assert complete["outputs"][0]["outputFacets"]["outputStatistics"]["rowCount"] == summary["rows"]["written"]
    assert complete["inputs"][0]["inputFacets"]["dataQualityMetrics"]["rowCount"] == summary["rows"]["read"]
    assert {field["name"] for field in complete["outputs"][0]["facets"]["schema"]["fields"]} >= {"order_id", "amount"}


def test_a_failed_run_writes_fail_with_the_error(tmp_path, spark, spec_file, monkeypatch):
    lineage = tmp_path / "lineage"

    def broken(_spark, _args):
        raise job.TransformJobError("raw zone unreadable")

    monkeypatch.setattr(job, "run", broken)
    args = job.parse_args(["--spec", str(spec_file), "--raw-uri", str(tmp_path / "raw"), "--curated-uri", str(tmp_path / "curated"),
                           "--reference-uri", str(tmp_path / "reference"), "--start", START, "--end", END, "--lineage-uri", str(lineage)])
    with pytest.raises(job.TransformJobError):
        job.run_with_lineage(spark, args)
    events = events_under(lineage)
    assert_valid(events)
    assert [event["eventType"] for event in events] == ["START", "FAIL"]
    assert "raw zone unreadable" in events[1]["run"]["facets"]["errorMessage"]["message"]
