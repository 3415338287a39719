"""The CDC apply (runtime/spark/cdc_apply.py) on small change sets: commit order, deletes, key
changes, history ranges, out-of-order and replayed changes, full load then changes."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

import cdc_apply

ROOT = Path(__file__).resolve().parents[2]


def render_spec(history: str) -> Dict[str, Any]:
    """The customers spec from the real dataset definition, with the history mode under test."""
    script = (
        "const { customers } = require('./runtime/datasets');"
        "const { cdcApplySpec } = require('./runtime/cdc/spec');"
        f"process.stdout.write(JSON.stringify(cdcApplySpec({{ ...customers, history: '{history}' }},"
        " { name: 'customers', columns: { id: 'customer_id', segment: 'customer_segment', country: 'customer_country' } })));"
    )
    result = subprocess.run(["node", "-r", "ts-node/register/transpile-only", "-e", script], cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"rendering the cdc spec failed (run npm ci): {result.stderr}")
    return cdc_apply.parse_spec(json.loads(result.stdout))


@pytest.fixture(scope="module")
def specs() -> Dict[str, Dict[str, Any]]:
    return {"current": render_spec("current"), "scd2": render_spec("scd2")}


def change(op: str, customer: str, commit: int, index: int, *, segment: str = "consumer", name: str = "Ann",
           ts: Optional[str] = None) -> Dict[str, Any]:
    commit_ts = ts or f"2026-12-06T01:{commit:02d}:00.000000Z"
    record: Dict[str, Any] = {"id": customer, "name": None, "email": None, "country": None, "segment": None, "created_at": None, "updated_at": None}
    if op != "D":
        record.update(name=name, email="a@example.com", country="IE", segment=segment,
                      created_at="2026-12-06T00:00:00.000Z", updated_at=commit_ts[:23] + "Z")
    record.update(cdc_op=op, cdc_commit_ts=commit_ts, cdc_change_seq=f"{commit:020d}{index:015d}", cdc_source=f"cdc/public/customers/20261206-01{commit:02d}.csv#{index + 2}")
    return record


def write_raw(root: Path, name: str, records: List[Dict[str, Any]]) -> None:
    folder = root / "customers" / "dt=2026-12-06" / "hour=01"
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(folder / f"{name}.ndjson.gz", "wt") as handle:
        handle.write("".join(json.dumps(r) + "\n" for r in records))


def apply(spark, spec, tmp_path: Path) -> List[Dict[str, Any]]:
    summary = cdc_apply.run(spark, spec, str(tmp_path / "raw"), str(tmp_path / "curated"), str(tmp_path / "reference"))
    assert summary["dataset"] == "customers"
    rows = spark.read.parquet(str(tmp_path / "curated" / "customers")).collect()
    return sorted((r.asDict() for r in rows), key=lambda r: (r["id"], str(r.get("valid_from"))))


def test_current_mode_keeps_latest_state_and_removes_deletes(spark, specs, tmp_path):
    write_raw(tmp_path / "raw", "load", [change("I", "CUST-00000001", 1, 0), change("I", "CUST-00000002", 1, 1), change("I", "CUST-00000003", 1, 2)])
    write_raw(tmp_path / "raw", "changes", [
        change("U", "CUST-00000001", 2, 1, segment="enterprise"),
        change("D", "CUST-00000002", 3, 1),
        # A key change: delete of the old key, insert of the new one, in one commit.
        change("D", "CUST-00000003", 4, 1), change("I", "CUST-00000009", 4, 2, name="Key changed"),
    ])
    rows = apply(spark, specs["current"], tmp_path)
    assert [(r["id"], r["segment"], r["name"]) for r in rows] == [("CUST-00000001", "enterprise", "Ann"), ("CUST-00000009", "consumer", "Key changed")]
    reference = spark.read.option("header", "true").csv(str(tmp_path / "reference" / "customers")).collect()
    assert sorted((r.customer_id, r.customer_segment) for r in reference) == [("CUST-00000001", "enterprise"), ("CUST-00000009", "consumer")]
    # Each row names the change it shows: the raw object, the source table, the commit position, the change sequence, file and line.
    assert [(r["_raw_object"], r["_source_engine"], r["_source_name"], r["_source_partition"], r["_source_position"], r["_source_object"], r["_source_line"]) for r in rows] == [
        ("customers/dt=2026-12-06/hour=01/changes.ndjson.gz", "dms", "public.customers", f"{2:020d}", f"{2:020d}{1:015d}", "cdc/public/customers/20261206-0102.csv", 3),
        ("customers/dt=2026-12-06/hour=01/changes.ndjson.gz", "dms", "public.customers", f"{4:020d}", f"{4:020d}{2:015d}", "cdc/public/customers/20261206-0104.csv", 4),
    ]


def test_out_of_order_files_and_replays_give_the_same_table(spark, specs, tmp_path):
    # The later change lands in a file that sorts first; the earlier file also lands twice (a replay).
    write_raw(tmp_path / "raw", "a-later", [change("U", "CUST-00000001", 5, 1, segment="small_business")])
    write_raw(tmp_path / "raw", "b-earlier", [change("I", "CUST-00000001", 1, 0), change("U", "CUST-00000001", 3, 1, segment="enterprise")])
    write_raw(tmp_path / "raw", "b-earlier+conflictcopy", [change("I", "CUST-00000001", 1, 0), change("U", "CUST-00000001", 3, 1, segment="enterprise")])
    first = apply(spark, specs["current"], tmp_path)
    assert [(r["id"], r["segment"]) for r in first] == [("CUST-00000001", "small_business")]
    assert apply(spark, specs["current"], tmp_path) == first


def test_scd2_keeps_every_committed_version_with_validity_ranges(spark, specs, tmp_path):
    write_raw(tmp_path / "raw", "changes", [
        change("I", "CUST-00000001", 1, 0),
        change("U", "CUST-00000001", 2, 1, segment="small_business"),
        # Two updates in one transaction: one committed version.
        change("U", "CUST-00000001", 3, 1, segment="consumer"), change("U", "CUST-00000001", 3, 2, segment="enterprise"),
        change("I", "CUST-00000002", 2, 2),
        change("D", "CUST-00000002", 4, 1),
    ])
    write_raw(tmp_path / "raw", "replayed", [change("U", "CUST-00000001", 2, 1, segment="small_business")])
    rows = apply(spark, specs["scd2"], tmp_path)
    got = [(r["id"], r["segment"], r["valid_from"].minute, r["valid_to"].minute if r["valid_to"] else None, r["is_current"]) for r in rows]
    assert got == [
        ("CUST-00000001", "consumer", 1, 2, False),
        ("CUST-00000001", "small_business", 2, 3, False),
        ("CUST-00000001", "enterprise", 3, None, True),
        ("CUST-00000002", "consumer", 2, 4, False),
    ]


def test_no_changes_yet_gives_an_empty_table(spark, specs, tmp_path):
    (tmp_path / "raw").mkdir()
    assert apply(spark, specs["current"], tmp_path) == []


def test_spec_errors_name_the_key_and_the_fix():
    with pytest.raises(cdc_apply.CdcSpecError, match="history is 'weekly'; expected 'current' or 'scd2'"):
        cdc_apply.parse_spec({"name": "x", "ddl": "", "fields": [], "key": ["id"], "history": "weekly", "sourceTable": "public.x", "provenance": []})
    with pytest.raises(cdc_apply.CdcSpecError, match="'provenance' is missing"):
        cdc_apply.parse_spec({"name": "x", "ddl": "", "fields": [], "key": ["id"], "history": "current", "sourceTable": "public.x"})
    with pytest.raises(cdc_apply.CdcSpecError, match="'key' is missing"):
        cdc_apply.parse_spec({"name": "x", "ddl": "", "fields": [], "history": "current"})


def test_main_reads_the_deployed_spec_document_and_writes_the_published_reference(spark, tmp_path, capsys):
    """The pipeline passes --spec <uri> of the document infra/orchestration uploads (renderCdcApplySpec)."""
    script = "const { customers } = require('./runtime/datasets'); process.stdout.write(require('./runtime/cdc/spec').renderCdcApplySpec(customers));"
    rendered = subprocess.run(["node", "-r", "ts-node/register/transpile-only", "-e", script], cwd=ROOT, capture_output=True, text=True, check=False)
    assert rendered.returncode == 0, rendered.stderr
    spec_path = tmp_path / "customers.json"
    spec_path.write_text(rendered.stdout)
    write_raw(tmp_path / "raw", "load", [change("I", "CUST-00000001", 1, 0), change("I", "CUST-00000002", 1, 1, segment="enterprise")])
    code = cdc_apply.main(["--spec", str(spec_path), "--raw-uri", str(tmp_path / "raw"), "--curated-uri", str(tmp_path / "curated"), "--reference-uri", str(tmp_path / "reference")])
    assert code == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (summary["dataset"], summary["rows"]) == ("customers", 2)
    reference = spark.read.option("header", "true").csv(str(tmp_path / "reference" / "customers"))
    assert reference.columns == ["customer_id", "customer_segment", "customer_country"]
    assert sorted((r.customer_id, r.customer_segment) for r in reference.collect()) == [("CUST-00000001", "consumer"), ("CUST-00000002", "enterprise")]


def test_main_takes_the_spec_from_one_source_only(tmp_path):
    with pytest.raises(SystemExit):
        cdc_apply.main(["--spec", "s3://a/spec.json", "--spec-json", "{}", "--raw-uri", "r", "--curated-uri", "c"])


def test_lineage_helpers_match_the_transform_job_and_runtime_lineage():
    import transform_job

    assert cdc_apply.OPENLINEAGE_SCHEMA_URL == transform_job.OPENLINEAGE_SCHEMA_URL
    assert cdc_apply.FACET_SCHEMAS == transform_job._FACET_SCHEMAS
    # The value runtime/lineage's deterministicRunId gives for the same parts (TypeScript).
    assert cdc_apply.deterministic_run_id("transform", "orders", "2024-05-01T10:00:00Z", "2024-05-02T02:00:00Z") == "cec44fd9-12b1-5872-9fd8-73adc85a7db4"


def test_an_apply_with_lineage_writes_start_and_complete_with_changes_read_and_rows_written(spark, specs, tmp_path):
    from test_lineage import assert_valid, events_under

    write_raw(tmp_path / "raw", "a", [change("I", "CUST-00000001", 1, 0), change("I", "CUST-00000002", 1, 1), change("D", "CUST-00000002", 2, 0)])
    lineage = tmp_path / "lineage"
    summary = cdc_apply.run_with_lineage(spark, specs["scd2"], str(tmp_path / "raw"), str(tmp_path / "curated"), str(tmp_path / "reference"),
                                         lineage_uri=str(lineage), lineage_namespace="etl-platform-test")
    events = events_under(lineage)
    assert_valid(events)
    assert [event["eventType"] for event in events] == ["START", "COMPLETE"]
    complete = events[1]
    assert complete["job"] == {"namespace": "etl-platform-test", "name": "cdc-apply.customers"}
    assert complete["run"]["runId"] == cdc_apply.cdc_run_id("customers", 3, summary["last_change_seq"]) == events[0]["run"]["runId"]
    assert complete["inputs"][0]["name"] == str(tmp_path / "raw" / "customers")
    assert complete["inputs"][0]["inputFacets"]["dataQualityMetrics"]["rowCount"] == summary["changes"] == 3
    curated = complete["outputs"][0]
    assert (curated["name"], curated["outputFacets"]["outputStatistics"]["rowCount"]) == (str(tmp_path / "curated" / "customers"), summary["rows"])
    assert [field["name"] for field in curated["facets"]["schema"]["fields"]][-3:] == ["valid_from", "valid_to", "is_current"]
    assert complete["outputs"][1]["name"] == str(tmp_path / "reference" / "customers")
    # The same changes applied again are the same run: one lineage object.
    cdc_apply.run_with_lineage(spark, specs["scd2"], str(tmp_path / "raw"), str(tmp_path / "curated"), str(tmp_path / "reference"), lineage_uri=str(lineage))
    assert len(list(lineage.rglob("*.json"))) == 1


def test_a_failed_apply_writes_start_and_fail_and_raises(spark, specs, tmp_path, monkeypatch):
    from test_lineage import assert_valid, events_under

    def broken(*_args, **_kwargs):
        raise RuntimeError("raw zone unreadable")

    monkeypatch.setattr(cdc_apply, "run", broken)
    lineage = tmp_path / "lineage"
    with pytest.raises(RuntimeError, match="raw zone unreadable"):
        cdc_apply.run_with_lineage(spark, specs["current"], str(tmp_path / "raw"), str(tmp_path / "curated"), None, lineage_uri=str(lineage))
    events = events_under(lineage)
    assert_valid(events)
    assert [event["eventType"] for event in events] == ["START", "FAIL"]
    assert events[1]["run"]["facets"]["errorMessage"]["message"] == "RuntimeError: raw zone unreadable"
    assert [output["name"] for output in events[1]["outputs"]] == [str(tmp_path / "curated" / "customers")]


def test_main_takes_the_lineage_prefix(spark, specs, tmp_path, capsys):
    write_raw(tmp_path / "raw", "a", [change("I", "CUST-00000001", 1, 0)])
    spec_json = json.dumps({key: value for key, value in specs["current"].items()})
    code = cdc_apply.main(["--spec-json", spec_json, "--raw-uri", str(tmp_path / "raw"), "--curated-uri", str(tmp_path / "curated"), "--lineage-uri", str(tmp_path / "lineage")])
    assert code == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["rows"] == 1
    assert [path.name.split(".")[0] for path in (tmp_path / "lineage").rglob("*.json")] == ["cdc-apply"]
