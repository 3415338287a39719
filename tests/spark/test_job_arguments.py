"""Argument, range and spec handling of the transform job, and the stores reference generator
(no Spark actions)."""

from __future__ import annotations

import io
import json
import re
import subprocess
from datetime import datetime, timezone

import pytest

import reference_stores
import transform_job as job
from conftest import ROOT

BASE = ["--spec", "s3://a/orders.spec.json", "--raw-uri", "s3://raw/", "--curated-uri", "s3://cur", "--reference-uri", "s3://ref"]


class TestParseArgs:
    def test_reads_every_argument_and_strips_trailing_slashes(self):
        args = job.parse_args([*BASE, "--start", "2024-05-01T10:00:00Z", "--end", "2024-05-02T02Z", "--max-records-per-file", "500", "--run-id", "r1"])
        assert args == job.JobArgs(
            spec_uri="s3://a/orders.spec.json", raw_uri="s3://raw", curated_uri="s3://cur", reference_uri="s3://ref",
            start=datetime(2024, 5, 1, 10, tzinfo=timezone.utc), end=datetime(2024, 5, 2, 2, tzinfo=timezone.utc),
            summary_uri=None, max_records_per_file=500, run_id="r1",
        )

    @pytest.mark.parametrize("value", ["2024-05-01T10:30:00Z", "2024-05-01", "2024-05-01T10:00:00", "2024-05-01T10:00:00+02:00"])
    def test_rejects_anything_but_a_utc_hour_boundary(self, value):
        with pytest.raises(job.TransformJobError, match=re.escape(f"--start: '{value}' is not a UTC hour boundary; expected YYYY-MM-DDTHH:00:00Z")):
            job.parse_args([*BASE, "--start", value, "--end", "2024-05-02T00:00:00Z"])

    def test_rejects_an_impossible_date(self):
        with pytest.raises(job.TransformJobError, match=r"--end: '2024-02-30T00:00:00Z' is not a valid date and hour"):
            job.parse_args([*BASE, "--start", "2024-02-01T00:00:00Z", "--end", "2024-02-30T00:00:00Z"])

    def test_rejects_an_empty_range(self):
        with pytest.raises(job.TransformJobError, match=r"--end \(2024-05-01T10:00:00Z\) must be after --start \(2024-05-01T10:00:00Z\)"):
            job.parse_args([*BASE, "--start", "2024-05-01T10:00:00Z", "--end", "2024-05-01T10:00:00Z"])

    def test_rejects_a_negative_row_limit(self):
        with pytest.raises(job.TransformJobError, match=r"--max-records-per-file must be 0 \(no limit\) or more; found -1"):
            job.parse_args([*BASE, "--start", "2024-05-01T10:00:00Z", "--end", "2024-05-01T11:00:00Z", "--max-records-per-file", "-1"])


class TestRange:
    @pytest.mark.parametrize("start,end,days", [
        ("2024-05-01T10:00:00Z", "2024-05-01T11:00:00Z", ["2024-05-01"]),
        ("2024-05-01T00:00:00Z", "2024-05-02T00:00:00Z", ["2024-05-01"]),
        ("2024-05-01T23:00:00Z", "2024-05-02T01:00:00Z", ["2024-05-01", "2024-05-02"]),
        ("2024-02-28T12:00:00Z", "2024-03-01T12:00:00Z", ["2024-02-28", "2024-02-29", "2024-03-01"]),
    ])
    def test_selects_every_date_with_an_hour_in_the_range(self, start, end, days):
        assert job.days_in_range(job.parse_hour(start, "s"), job.parse_hour(end, "e")) == days

    def test_default_summary_location_uses_compact_hour_tags(self):
        start, end = job.parse_hour("2024-05-01T10:00:00Z", "s"), job.parse_hour("2024-05-02T02:00:00Z", "e")
        assert job.default_summary_uri("s3://cur", "orders", start, end) == "s3://cur/_runs/orders/20240501T10_20240502T02.json"


class TestSpec:
    def test_reads_the_rendered_orders_spec(self, spec_document):
        spec = job.parse_spec(spec_document)
        assert spec.key == ("order_id",)
        assert spec.event_time == "event_time"
        assert spec.fields == ("order_id", "customer_id", "store_id", "region", "channel", "status", "currency", "amount",
                               "line_items", "coupon_code", "event_time", "shipped_time")
        assert spec.references == (job.Reference(name="stores", key="store_id", columns=("store_name", "country", "opened_date"),
                                                  ddl="store_id STRING, store_name STRING, country STRING, opened_date DATE"),
                                   job.Reference(name="customers", key="customer_id", columns=("customer_segment", "customer_country"),
                                                  ddl="customer_id STRING, customer_segment STRING, customer_country STRING"))
        assert [(a.table, [(m.name, m.type) for m in a.measures]) for a in spec.aggregates] == [
            ("orders_daily_sales_by_region", [("orders", "BIGINT"), ("customers", "BIGINT"), ("revenue", "DECIMAL(22,2)"), ("average_order_value", "DECIMAL(16,6)"), ("revenue_usd", "DECIMAL(24,2)")]),
        ]
        assert spec.conversions == (job.Conversion(column="amount_usd", amount="amount", currency="currency", date_of="event_time", rates="fx_rates", target="USD", type="DECIMAL(14,2)"),)

    def test_names_a_missing_key_and_how_to_fix_it(self, spec_document):
        broken = {k: v for k, v in spec_document.items() if k != "curatedColumns"}
        with pytest.raises(job.TransformJobError, match=r"spec: missing 'curatedColumns'; regenerate it with tools/spark-spec.ts"):
            job.parse_spec(broken)

    def test_reads_where_each_provenance_column_comes_from(self, spec_document):
        spec = job.parse_spec(spec_document)
        assert [(p.column, p.source, p.type) for p in spec.provenance][:2] == [("_raw_object", "object", "STRING"), ("_source_engine", "engine", "STRING")]
        assert spec.curated_columns[-len(spec.provenance):] == tuple(p.column for p in spec.provenance)

    def test_refuses_provenance_it_cannot_fill(self, spec_document):
        with pytest.raises(job.TransformJobError, match=r"spec: missing 'provenance'; regenerate it with tools/spark-spec.ts"):
            job.parse_spec({k: v for k, v in spec_document.items() if k != "provenance"})
        unknown = [*spec_document["provenance"][:-1], {"column": "_source_line", "from": "row_number", "type": "BIGINT"}]
        with pytest.raises(job.TransformJobError, match=r"provenance column '_source_line' reads 'row_number'; expected 'object' or one of engine, source"):
            job.parse_spec({**spec_document, "provenance": unknown})
        outside = [*spec_document["provenance"], {"column": "_source_extra", "from": "engine", "type": "STRING"}]
        with pytest.raises(job.TransformJobError, match=r"provenance column '_source_extra' is not among curatedColumns"):
            job.parse_spec({**spec_document, "provenance": outside})

    def test_refuses_another_spec_version(self, spec_document):
        with pytest.raises(job.TransformJobError, match=r"specVersion 2 is not supported \(this job reads 1\)"):
            job.parse_spec({**spec_document, "specVersion": 2})

    def test_refuses_a_key_missing_from_the_schema(self, spec_document):
        with pytest.raises(job.TransformJobError, match=r"spec: 'order_ref' is used as a key, event time or required field but is not in the DDL"):
            job.parse_spec({**spec_document, "key": ["order_ref"]})


class TestReferenceStores:
    def test_writes_web_then_numbered_stores_with_a_header(self):
        out = io.StringIO()
        reference_stores.write_csv(3, out)
        assert out.getvalue() == (
            "store_id,store_name,country,opened_date\n"
            "WEB,Online Store,US,2015-01-01\n"
            "S0001,Seattle #0001,US,2010-01-04\n"
            "S0002,Toronto #0002,CA,2010-04-11\n"
            "S0003,Berlin #0003,DE,2010-07-17\n"
        )

    def test_refuses_more_stores_than_four_digit_ids_allow(self):
        with pytest.raises(ValueError, match="count must be between 0 and 9999"):
            reference_stores.store_rows(10000)


class TestTypeScriptContract:
    def test_arguments_built_by_spec_ts_parse_here_and_both_sides_agree_on_the_summary_location(self):
        """runtime/spark/spec.ts builds the job's arguments for infra; this job must parse them, and
        both must name the same default run summary location (the quality step reads it)."""
        script = (
            'const s = require("./runtime/spark/spec");'
            'const run = { specUri: "s3://art/spark/orders.spec.json", rawUri: "s3://raw", curatedUri: "s3://cur/curated",'
            ' referenceUri: "s3://ref/reference", start: "2024-05-01T10:00:00Z", end: "2024-05-02T02:00:00Z", maxRecordsPerFile: 1000000, runId: "00fabc" };'
            'console.log(JSON.stringify({ args: s.transformJobArguments(run), summary: s.runSummaryUri(run.curatedUri, "orders", run.start, run.end) }));'
        )
        result = subprocess.run(["node", "-r", "ts-node/register/transpile-only", "-e", script], cwd=ROOT, capture_output=True, text=True, check=True)
        contract = json.loads(result.stdout.strip().splitlines()[-1])

        args = job.parse_args(contract["args"])

        assert args == job.JobArgs(
            spec_uri="s3://art/spark/orders.spec.json", raw_uri="s3://raw", curated_uri="s3://cur/curated", reference_uri="s3://ref/reference",
            start=datetime(2024, 5, 1, 10, tzinfo=timezone.utc), end=datetime(2024, 5, 2, 2, tzinfo=timezone.utc),
            summary_uri=None, max_records_per_file=1000000, run_id="00fabc",
        )
        assert contract["summary"] == job.default_summary_uri(args.curated_uri, "orders", args.start, args.end) == "s3://cur/curated/_runs/orders/20240501T10_20240502T02.json"
