"""The transform job end to end on tiny orders data: schema, drops, dedup, late records, enrichment,
dynamic partition overwrite, aggregates, the run summary and idempotent reruns."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from pyspark.sql import functions as F

import transform_job as job
from conftest import order, write_customers, write_raw, write_stores

START, END = "2024-05-01T10:00:00Z", "2024-05-02T02:00:00Z"


def oid(number: int) -> str:
    return f"ORD-{number:012d}"


def cust(number: int) -> str:
    return f"CUST-{number:08d}"


STORES = [
    "WEB,Online Store,US,2015-01-01",
    "S0001,Downtown Seattle,US,2019-03-01",
    "S0002,Berlin Mitte,DE,2020-07-15",
]

# Every customer of the orders below but CUST-00000009 (deleted at the source), one without a country.
CUSTOMERS = [f"{cust(n)},{['consumer', 'small_business', 'enterprise'][n % 3]},{'' if n == 6 else ['IE', 'DE', 'US', 'JP'][n % 4]}" for n in range(1, 21) if n != 9]


def raw_file_a(raw: Path) -> None:
    write_raw(raw, "2024-05-01", "03", "kinesis+shardId-000+100", [
        order(oid(1), "2024-05-01T03:10:00Z", customer=cust(1), amount="100.00", offset=100),
        order(oid(2), "2024-05-01T03:20:00Z", customer=cust(2), store="S0002", region="EMEA", currency="EUR", amount="50.00"),
    ])


def raw_file_b(raw: Path) -> None:
    missing_customer = order(oid(4), "2024-05-01T10:40:00Z", customer=cust(4))
    del missing_customer["customer_id"]
    wrong_type = order(oid(10), "2024-05-01T10:50:00Z", customer=cust(10))
    wrong_type["amount"] = "abc"
    write_raw(raw, "2024-05-01", "10", "kinesis+shardId-000+200", [
        order(oid(1), "2024-05-01T10:05:00Z", customer=cust(1), status="paid", amount="100.00", offset=201),
        order(oid(3), "2024-05-01T10:30:00Z", customer=cust(3), store="WEB", channel="web", amount="20.00", coupon="SPRING"),
        order(oid(3), "2024-05-01T10:30:00Z", customer=cust(3), store="WEB", channel="web", amount="20.00", coupon="SPRING"),
        "{not json",
        missing_customer,
        wrong_type,
    ])


def raw_file_c_late(raw: Path) -> None:
    """A file that arrives after hour 03 was first processed: records for an earlier partition."""
    write_raw(raw, "2024-05-01", "03", "kinesis+shardId-001+500", [
        order(oid(5), "2024-05-01T03:45:00Z", customer=cust(5), store="S9999", region="APAC", currency="JPY", amount="3000.00", offset=501),
        order(oid(2), "2024-05-01T03:50:00Z", customer=cust(2), store="S0002", region="EMEA", currency="EUR", status="cancelled", amount="50.00"),
    ])


def raw_day_two(raw: Path) -> None:
    write_raw(raw, "2024-05-02", "00", "kinesis+shardId-000+300", [
        order(oid(8), "2024-05-01T23:59:59Z", customer=cust(1), amount="10.00"),
    ])
    write_raw(raw, "2024-05-02", "01", "kinesis+shardId-000+400", [
        order(oid(1), "2024-05-02T01:00:00Z", customer=cust(1), status="shipped", amount="100.00", shipped_time="2024-05-02T01:00:00Z"),
        order(oid(6), "2024-05-02T01:15:00Z", customer=cust(6), amount="75.50"),
        order(oid(7), "2024-05-02T01:30:00Z", customer=cust(7), store="S0002", region="LATAM", currency="BRL", amount="40.00"),
    ])
    write_raw(raw, "2024-05-02", "01", "kinesis+shardId-001+900", [
        order(oid(7), "2024-05-02T01:30:00Z", customer=cust(7), store="S0002", region="LATAM", currency="BRL", status="paid", amount="40.00"),
    ])
    write_raw(raw, "2024-05-02", "05", "kinesis+shardId-000+600", [
        order(oid(9), "2024-05-02T05:00:00Z", customer=cust(9), store="S0002", region="EMEA", currency="EUR", amount="2000000.00"),
    ])


def run_job(spec_file: Path, raw: Path, curated: Path, reference: Path, start: str, end: str, *extra: str) -> Dict[str, Any]:
    args = job.parse_args([
        "--spec", str(spec_file), "--raw-uri", str(raw), "--curated-uri", str(curated),
        "--reference-uri", str(reference), "--start", start, "--end", end, *extra,
    ])
    from pyspark.sql import SparkSession

    return job.run(SparkSession.getActiveSession(), args)


def curated_rows(spark, path: Path) -> List[Tuple[Any, ...]]:
    frame = spark.read.parquet(str(path))
    return [
        tuple(row)
        for row in frame.select(
            "dt", "order_id", "customer_id", "store_id", "region", "channel", "status", "currency", "amount",
            F.date_format("event_time", "yyyy-MM-dd'T'HH:mm:ss").alias("event_time"),
            F.date_format("shipped_time", "yyyy-MM-dd'T'HH:mm:ss").alias("shipped_time"),
            "coupon_code", "store_name", "country", F.col("opened_date").cast("string").alias("opened_date"),
        ).orderBy("dt", "order_id").collect()
    ]


def files_of(path: Path) -> Dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def data_files(path: Path) -> List[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*.parquet"))


@pytest.fixture(scope="module")
def lake(tmp_path_factory, spark, spec_file):
    """Raw data for 2024-04-30 .. 2024-05-03; a first run curates 2024-04-30, the main run the range."""
    base = tmp_path_factory.mktemp("lake")
    raw, curated, reference = base / "raw", base / "curated", base / "reference"
    write_stores(reference, STORES)
    write_customers(reference, CUSTOMERS)
    write_raw(raw, "2024-04-30", "23", "kinesis+shardId-000+1", [order(oid(20), "2024-04-30T23:30:00Z", customer=cust(20), amount="5.00")])
    raw_file_a(raw)
    raw_file_b(raw)
    raw_file_c_late(raw)
    raw_day_two(raw)
    write_raw(raw, "2024-05-03", "00", "kinesis+shardId-000+700", [order(oid(11), "2024-05-03T00:10:00Z", customer=cust(11))])
    write_fx_rates(spark, curated)

    run_job(spec_file, raw, curated, reference, "2024-04-30T23:00:00Z", "2024-05-01T00:00:00Z")
    earlier_partition = files_of(curated / "orders" / "dt=2024-04-30")
    summary = run_job(spec_file, raw, curated, reference, START, END, "--run-id", "run-1")
    return {"base": base, "raw": raw, "curated": curated, "reference": reference, "summary": summary,
            "earlier_partition": earlier_partition}


def write_fx_rates(spark, curated: Path) -> None:
    """Curated fx_rates as the transform writes them (partitioned by the revision's date): EUR on
    2024-05-01 revised from 0.9 to 0.8 the next day, JPY on 2024-05-01, EUR on 2024-05-02, a GBP rate
    of another base that must be ignored, and no BRL rate at all."""
    rows = [
        ("USD", "EUR", "2024-05-01", "0.90000000", "2024-05-01 16:00:00", "2024-05-01"),
        ("USD", "EUR", "2024-05-01", "0.80000000", "2024-05-02 09:00:00", "2024-05-02"),
        ("USD", "JPY", "2024-05-01", "150.00000000", "2024-05-01 16:00:00", "2024-05-01"),
        ("USD", "EUR", "2024-05-02", "0.50000000", "2024-05-02 16:00:00", "2024-05-02"),
        ("EUR", "BRL", "2024-05-02", "5.00000000", "2024-05-02 16:00:00", "2024-05-02"),
    ]
    frame = spark.createDataFrame(rows, "base_currency STRING, quote_currency STRING, rate_date STRING, rate STRING, updated_at STRING, dt STRING").select(
        "base_currency", "quote_currency", F.to_date("rate_date").alias("rate_date"), F.col("rate").cast("decimal(15,8)").alias("rate"),
        F.lit("ECB").alias("provider"), F.to_timestamp("updated_at").alias("updated_at"), "dt",
    )
    frame.write.partitionBy("dt").mode("overwrite").parquet(str(curated / "fx_rates"))


EXPECTED_CURATED = [
    ("2024-05-01", oid(2), cust(2), "S0002", "EMEA", "store", "cancelled", "EUR", Decimal("50.00"), "2024-05-01T03:50:00", None, None, "Berlin Mitte", "DE", "2020-07-15"),
    ("2024-05-01", oid(3), cust(3), "WEB", "NA", "web", "placed", "USD", Decimal("20.00"), "2024-05-01T10:30:00", None, "SPRING", "Online Store", "US", "2015-01-01"),
    ("2024-05-01", oid(5), cust(5), "S9999", "APAC", "store", "placed", "JPY", Decimal("3000.00"), "2024-05-01T03:45:00", None, None, None, None, None),
    ("2024-05-02", oid(1), cust(1), "S0001", "NA", "store", "shipped", "USD", Decimal("100.00"), "2024-05-02T01:00:00", "2024-05-02T01:00:00", None, "Downtown Seattle", "US", "2019-03-01"),
    ("2024-05-02", oid(6), cust(6), "S0001", "NA", "store", "placed", "USD", Decimal("75.50"), "2024-05-02T01:15:00", None, None, "Downtown Seattle", "US", "2019-03-01"),
    ("2024-05-02", oid(7), cust(7), "S0002", "LATAM", "store", "paid", "BRL", Decimal("40.00"), "2024-05-02T01:30:00", None, None, "Berlin Mitte", "DE", "2020-07-15"),
    ("2024-05-02", oid(8), cust(1), "S0001", "NA", "store", "placed", "USD", Decimal("10.00"), "2024-05-01T23:59:59", None, None, "Downtown Seattle", "US", "2019-03-01"),
    ("2024-05-02", oid(9), cust(9), "S0002", "EMEA", "store", "placed", "EUR", Decimal("2000000.00"), "2024-05-02T05:00:00", None, None, "Berlin Mitte", "DE", "2020-07-15"),
]

EXPECTED_AGGREGATE = [
    ("2024-05-01", "APAC", "JPY", 1, 1, Decimal("3000.00"), Decimal("3000.000000")),
    ("2024-05-01", "EMEA", "EUR", 1, 1, Decimal("50.00"), Decimal("50.000000")),
    ("2024-05-01", "NA", "USD", 1, 1, Decimal("20.00"), Decimal("20.000000")),
    ("2024-05-02", "EMEA", "EUR", 1, 1, Decimal("2000000.00"), Decimal("2000000.000000")),
    ("2024-05-02", "LATAM", "BRL", 1, 1, Decimal("40.00"), Decimal("40.000000")),
    ("2024-05-02", "NA", "USD", 3, 2, Decimal("185.50"), Decimal("61.833333")),
]


class TestCuratedTable:
    def test_keeps_the_latest_version_of_each_key_enriched_with_the_stores_dimension(self, spark, lake):
        assert curated_rows(spark, lake["curated"] / "orders") == [
            ("2024-04-30", oid(20), cust(20), "S0001", "NA", "store", "placed", "USD", Decimal("5.00"), "2024-04-30T23:30:00", None, None, "Downtown Seattle", "US", "2019-03-01"),
            *EXPECTED_CURATED,
        ]

    def test_writes_parquet_columns_in_the_spec_order_with_the_dataset_types(self, spark, lake, spec_document):
        frame = spark.read.parquet(str(lake["curated"] / "orders" / "dt=2024-05-01"))
        assert frame.columns == spec_document["curatedColumns"]
        assert frame.schema.simpleString() == (
            "struct<order_id:string,customer_id:string,store_id:string,region:string,channel:string,status:string,"
            "currency:string,amount:decimal(12,2),line_items:array<struct<sku:string,quantity:int,unit_price:decimal(10,2)>>,"
            "coupon_code:string,event_time:timestamp,shipped_time:timestamp,store_name:string,country:string,opened_date:date,"
            "customer_segment:string,customer_country:string,amount_usd:decimal(14,2),"
            "_raw_object:string,_source_engine:string,_source_name:string,_source_partition:string,_source_position:string,"
            "_source_object:string,_source_object_version:string,_source_line:bigint>"
        )

    def test_carries_the_raw_object_and_source_coordinates_of_the_version_it_kept(self, spark, lake):
        frame = spark.read.parquet(str(lake["curated"] / "orders"))
        provenance = [c for c in frame.columns if c.startswith("_source_") or c == "_raw_object"]
        row = frame.where(F.col("order_id") == oid(5)).select(*provenance).collect()
        assert [tuple(r) for r in row] == [
            ("orders/dt=2024-05-01/hour=03/kinesis+shardId-001+500.ndjson.gz", "kafka", "orders", "3", "501", None, None, None),
        ]
        assert frame.where(F.col("_raw_object").isNull() | (F.col("_raw_object") == "") | F.col("_source_position").isNull()).count() == 0

    def test_joins_the_customers_reference_published_by_the_customers_apply(self, spark, lake):
        frame = spark.read.parquet(str(lake["curated"] / "orders"))
        got = sorted(tuple(row) for row in frame.select("order_id", "customer_id", "customer_segment", "customer_country").collect())
        assert got == [
            (oid(1), cust(1), "small_business", "DE"),
            (oid(2), cust(2), "enterprise", "US"),
            (oid(3), cust(3), "consumer", "JP"),
            (oid(5), cust(5), "enterprise", "DE"),
            (oid(6), cust(6), "consumer", None),
            (oid(7), cust(7), "small_business", "JP"),
            (oid(8), cust(1), "small_business", "DE"),
            (oid(9), cust(9), None, None),
            (oid(20), cust(20), "enterprise", "IE"),
        ]

    def test_keeps_line_items_as_an_array_of_structs(self, spark, lake):
        row = spark.read.parquet(str(lake["curated"] / "orders")).filter(F.col("order_id") == oid(6)).collect()[0]
        assert [item.asDict() for item in row["line_items"]] == [{"sku": "SKU-0001", "quantity": 1, "unit_price": Decimal("75.50")}]

    def test_writes_one_file_per_rebuilt_partition_and_leaves_other_dates_alone(self, lake):
        curated = lake["curated"] / "orders"
        assert sorted(p.name for p in curated.iterdir() if p.is_dir()) == ["dt=2024-04-30", "dt=2024-05-01", "dt=2024-05-02"]
        assert [len(data_files(curated / d)) for d in ("dt=2024-04-30", "dt=2024-05-01", "dt=2024-05-02")] == [1, 1, 1]
        assert files_of(curated / "dt=2024-04-30") == lake["earlier_partition"]


class TestAmountUsd:
    def test_converts_with_the_latest_rate_of_the_order_date_copies_usd_and_leaves_a_missing_rate_null(self, spark, lake):
        frame = spark.read.parquet(str(lake["curated"] / "orders")).filter(F.col("dt") != "2024-04-30")
        rows = [tuple(r) for r in frame.select("order_id", "currency", "amount", "amount_usd").orderBy("order_id").collect()]
        assert rows == [
            (oid(1), "USD", Decimal("100.00"), Decimal("100.00")),
            (oid(2), "EUR", Decimal("50.00"), Decimal("62.50")),
            (oid(3), "USD", Decimal("20.00"), Decimal("20.00")),
            (oid(5), "JPY", Decimal("3000.00"), Decimal("20.00")),
            (oid(6), "USD", Decimal("75.50"), Decimal("75.50")),
            (oid(7), "BRL", Decimal("40.00"), None),
            (oid(8), "USD", Decimal("10.00"), Decimal("10.00")),
            (oid(9), "EUR", Decimal("2000000.00"), Decimal("4000000.00")),
        ]

    def test_sums_revenue_usd_in_the_daily_aggregate(self, spark, lake):
        frame = spark.read.parquet(str(lake["curated"] / "orders_daily_sales_by_region")).filter(F.col("dt") != "2024-04-30")
        rows = [tuple(r) for r in frame.select("dt", "region", "currency", "revenue_usd").orderBy("dt", "region", "currency").collect()]
        assert rows == [
            ("2024-05-01", "APAC", "JPY", Decimal("20.00")),
            ("2024-05-01", "EMEA", "EUR", Decimal("62.50")),
            ("2024-05-01", "NA", "USD", Decimal("20.00")),
            ("2024-05-02", "EMEA", "EUR", Decimal("4000000.00")),
            ("2024-05-02", "LATAM", "BRL", None),
            ("2024-05-02", "NA", "USD", Decimal("185.50")),
        ]

    def test_without_a_rates_table_converts_only_usd(self, spark):
        records = spark.createDataFrame([("USD", "12.34", "2024-05-01 10:00:00"), ("EUR", "10.00", "2024-05-01 10:00:00")], "currency STRING, amount STRING, event_time STRING").select(
            "currency", F.col("amount").cast("decimal(12,2)").alias("amount"), F.to_timestamp("event_time").alias("event_time"))
        conversion = job.Conversion(column="amount_usd", amount="amount", currency="currency", date_of="event_time", rates="fx_rates", target="USD", type="DECIMAL(14,2)")
        empty = spark.createDataFrame([], "base_currency STRING, quote_currency STRING, rate_date DATE, rate DECIMAL(15,8), updated_at TIMESTAMP")
        rows = [tuple(r) for r in job.convert(records, conversion, empty).select("currency", "amount_usd").orderBy("currency").collect()]
        assert rows == [("EUR", None), ("USD", Decimal("12.34"))]


class TestAggregates:
    def test_writes_daily_sales_by_region_per_rebuilt_date(self, spark, lake):
        frame = spark.read.parquet(str(lake["curated"] / "orders_daily_sales_by_region"))
        rows = [tuple(r) for r in frame.select("dt", "region", "currency", "orders", "customers", "revenue", "average_order_value")
                .filter(F.col("dt") != "2024-04-30").orderBy("dt", "region", "currency").collect()]
        assert rows == EXPECTED_AGGREGATE

    def test_types_the_measures_as_the_spec_declares(self, spark, lake):
        frame = spark.read.parquet(str(lake["curated"] / "orders_daily_sales_by_region"))
        assert frame.schema.simpleString() == (
            "struct<region:string,currency:string,orders:bigint,customers:bigint,revenue:decimal(22,2),"
            "average_order_value:decimal(16,6),revenue_usd:decimal(24,2),dt:string>"
        )


class TestIngestWindows:
    def test_reads_source_date_and_hour_from_the_ingest_keys_of_the_dataset_only(self):
        assert job.ingest_windows("orders", [
            "s3://raw/orders/dt=2024-05-03/hour=07/orders-topic+1+000000000104.ndjson.gz",
            "file:/tmp/lake/raw/orders/dt=2024-05-03/hour=07/orders-topic+0+12.ndjson.gz",
            "s3://raw/orders/dt=2024-05-03/hour=08/stream+shardId-000+4955+0123456789abcdef.ndjson.gz",
            "s3://raw/fx_rates/dt=2024-05-03/hour=07/fx-rates+w+1.ndjson.gz",
            "s3://raw/orders/dt=unknown/hour=unknown/orders-topic+0+1.ndjson.gz",
            None,
        ]) == [{"source": "orders-topic", "dt": "2024-05-03", "hour": "07"}, {"source": "stream", "dt": "2024-05-03", "hour": "08"}]


class TestRunSummary:
    def test_counts_rows_read_dropped_deduplicated_and_written_per_partition(self, lake):
        summary = lake["summary"]
        assert summary["partitions"] == [
            {"dt": "2024-05-01", "read": 10, "malformed": 2, "missingRequired": 1, "duplicates": 4, "written": 3},
            {"dt": "2024-05-02", "read": 6, "malformed": 0, "missingRequired": 0, "duplicates": 1, "written": 5},
        ]
        assert summary["rows"] == {"read": 16, "dropped": 3, "malformed": 2, "missingRequired": 1, "duplicates": 5, "written": 8}

    def test_describes_the_range_inputs_and_outputs(self, lake):
        summary = lake["summary"]
        assert {k: summary[k] for k in ("summaryVersion", "dataset", "datasetVersion", "runId", "range", "days", "daysWithoutInput", "removedPartitions", "inputs")} == {
            "summaryVersion": 1,
            "dataset": "orders",
            "datasetVersion": 1,
            "runId": "run-1",
            "range": {"start": START, "end": END},
            "days": ["2024-05-01", "2024-05-02"],
            "daysWithoutInput": [],
            "removedPartitions": [],
            "inputs": {
                "files": 7,
                "hourPartitions": 5,
                "rawUri": str(lake["raw"]),
                # the stream windows (source, date, hour) read, which the quality step then reports finished
                "windows": [
                    {"source": "kinesis", "dt": "2024-05-01", "hour": "03"},
                    {"source": "kinesis", "dt": "2024-05-01", "hour": "10"},
                    {"source": "kinesis", "dt": "2024-05-02", "hour": "00"},
                    {"source": "kinesis", "dt": "2024-05-02", "hour": "01"},
                    {"source": "kinesis", "dt": "2024-05-02", "hour": "05"},
                ],
            },
        }
        assert summary["outputs"] == {
            "curated": f"{lake['curated']}/orders",
            "aggregates": [{"name": "daily_sales_by_region", "table": "orders_daily_sales_by_region",
                            "uri": f"{lake['curated']}/orders_daily_sales_by_region", "rows": 6}],
        }

    def test_reports_missing_fields_unmatched_references_and_misplaced_event_times(self, lake):
        summary = lake["summary"]
        assert summary["missingRequiredByField"] == {
            "order_id": 0, "customer_id": 1, "store_id": 0, "region": 0, "channel": 0, "status": 0,
            "currency": 0, "amount": 0, "line_items": 0, "event_time": 0,
        }
        assert summary["referenceUnmatched"] == {"customers": 1, "stores": 1}
        assert summary["eventTimeOutsidePartition"] == 1

    def test_carries_the_metric_of_every_quality_check(self, lake):
        assert lake["summary"]["qualityMetrics"] == {
            "orders_present": {"kind": "rowCount", "total": 8},
            "customer_present": {"kind": "completeness", "total": 8, "nonNull": 8},
            "order_id_unique": {"kind": "uniqueness", "total": 8, "uniqueRows": 8},
            "amount_in_range": {"kind": "range", "total": 8, "inRange": 7},
            "coupon_usage": {"kind": "completeness", "total": 8, "nonNull": 1},
            "orders_fresh": {"kind": "freshness", "latest": "2024-05-02T05:00:00.000Z"},
        }

    def test_matches_the_contract_fixture_the_quality_step_parses(self, lake):
        """tests/unit/quality/fixtures/orders-run-summary.json is what the TypeScript quality step is
        tested on; this keeps the job's output and that fixture identical (paths aside)."""
        fixture = Path(__file__).resolve().parents[1] / "unit" / "quality" / "fixtures" / "orders-run-summary.json"
        expected = json.loads(fixture.read_text().replace("s3://etl-dev-curated/curated", str(lake["curated"])).replace("s3://etl-dev-raw", str(lake["raw"])))
        assert lake["summary"] == expected

    def test_is_written_as_json_next_to_the_curated_zone(self, lake):
        written = lake["curated"] / "_runs" / "orders" / "20240501T10_20240502T02.json"
        assert json.loads(written.read_text()) == lake["summary"]


class TestRerun:
    def test_rerunning_the_same_range_gives_identical_output(self, spark, spec_file, lake):
        curated = lake["curated"]
        summary_path = curated / "_runs" / "orders" / "20240501T10_20240502T02.json"
        before_summary = summary_path.read_text()
        before_aggregate = sorted(tuple(r) for r in spark.read.parquet(str(curated / "orders_daily_sales_by_region")).collect())

        run_job(spec_file, lake["raw"], curated, lake["reference"], START, END, "--run-id", "run-1")

        assert curated_rows(spark, curated / "orders")[1:] == EXPECTED_CURATED
        assert [len(data_files(curated / "orders" / d)) for d in ("dt=2024-05-01", "dt=2024-05-02")] == [1, 1]
        assert sorted(tuple(r) for r in spark.read.parquet(str(curated / "orders_daily_sales_by_region")).collect()) == before_aggregate
        assert summary_path.read_text() == before_summary
        assert files_of(curated / "orders" / "dt=2024-04-30") == lake["earlier_partition"]

    def test_a_row_limit_per_file_splits_partitions_without_changing_rows(self, spark, spec_file, lake):
        curated = lake["base"] / "curated-split"
        run_job(spec_file, lake["raw"], curated, lake["reference"], START, END, "--max-records-per-file", "2")
        assert curated_rows(spark, curated / "orders") == EXPECTED_CURATED
        assert [len(data_files(curated / "orders" / d)) for d in ("dt=2024-05-01", "dt=2024-05-02")] == [2, 3]


class TestLateRecords:
    def test_a_late_file_for_an_earlier_hour_is_picked_up_when_its_date_is_rebuilt(self, spark, spec_file, tmp_path):
        raw, curated, reference = tmp_path / "raw", tmp_path / "curated", tmp_path / "reference"
        write_stores(reference, STORES)
        write_customers(reference, CUSTOMERS)
        raw_file_a(raw)
        raw_file_b(raw)
        run_job(spec_file, raw, curated, reference, "2024-05-01T10:00:00Z", "2024-05-01T11:00:00Z")
        assert [(r[1], r[6]) for r in curated_rows(spark, curated / "orders")] == [(oid(1), "paid"), (oid(2), "placed"), (oid(3), "placed")]

        raw_file_c_late(raw)
        summary = run_job(spec_file, raw, curated, reference, "2024-05-01T10:00:00Z", "2024-05-01T11:00:00Z")

        assert [(r[1], r[6]) for r in curated_rows(spark, curated / "orders")] == [
            (oid(1), "paid"), (oid(2), "cancelled"), (oid(3), "placed"), (oid(5), "placed"),
        ]
        assert summary["partitions"] == [{"dt": "2024-05-01", "read": 10, "malformed": 2, "missingRequired": 1, "duplicates": 3, "written": 4}]


class TestEmptiedAndMissingDates:
    def test_a_rebuilt_date_without_valid_rows_loses_its_old_partition(self, spark, spec_file, tmp_path):
        raw, curated, reference = tmp_path / "raw", tmp_path / "curated", tmp_path / "reference"
        write_stores(reference, STORES)
        write_customers(reference, CUSTOMERS)
        path = write_raw(raw, "2024-05-03", "00", "kinesis+shardId-000+700", [order(oid(11), "2024-05-03T00:10:00Z")])
        run_job(spec_file, raw, curated, reference, "2024-05-03T00:00:00Z", "2024-05-03T01:00:00Z")
        assert (curated / "orders" / "dt=2024-05-03").is_dir()
        assert (curated / "orders_daily_sales_by_region" / "dt=2024-05-03").is_dir()

        path.unlink()
        write_raw(raw, "2024-05-03", "00", "kinesis+shardId-000+700", ["{broken", "{}"])
        summary = run_job(spec_file, raw, curated, reference, "2024-05-03T00:00:00Z", "2024-05-03T01:00:00Z")

        assert summary["removedPartitions"] == ["2024-05-03"]
        assert summary["rows"] == {"read": 2, "dropped": 2, "malformed": 1, "missingRequired": 1, "duplicates": 0, "written": 0}
        assert not (curated / "orders" / "dt=2024-05-03").exists()
        assert not (curated / "orders_daily_sales_by_region" / "dt=2024-05-03").exists()

    def test_dates_without_raw_input_are_reported_and_left_untouched(self, spark, spec_file, tmp_path):
        raw, curated, reference = tmp_path / "raw", tmp_path / "curated", tmp_path / "reference"
        write_stores(reference, STORES)
        write_customers(reference, CUSTOMERS)
        (raw / "orders").mkdir(parents=True)
        kept = curated / "orders" / "dt=2024-06-01" / "part-00000-kept.snappy.parquet"
        kept.parent.mkdir(parents=True)
        kept.write_bytes(b"existing")

        summary = run_job(spec_file, raw, curated, reference, "2024-06-01T00:00:00Z", "2024-06-02T00:00:00Z")

        assert summary["daysWithoutInput"] == ["2024-06-01"]
        assert summary["removedPartitions"] == []
        assert summary["rows"] == {"read": 0, "dropped": 0, "malformed": 0, "missingRequired": 0, "duplicates": 0, "written": 0}
        assert summary["qualityMetrics"]["orders_present"] == {"kind": "rowCount", "total": 0}
        assert summary["qualityMetrics"]["orders_fresh"] == {"kind": "freshness", "latest": None}
        assert kept.read_bytes() == b"existing"


class TestReferenceData:
    def test_duplicate_reference_keys_fail_the_run_naming_them(self, spec_file, tmp_path):
        raw, curated, reference = tmp_path / "raw", tmp_path / "curated", tmp_path / "reference"
        write_stores(reference, STORES + ["S0001,Second Seattle,US,2021-01-01"])
        write_customers(reference, CUSTOMERS)
        raw_file_a(raw)
        with pytest.raises(job.TransformJobError, match=r"reference 'stores' at .* has duplicate store_id values \(first: S0001\); keep one row per store_id"):
            run_job(spec_file, raw, curated, reference, "2024-05-01T03:00:00Z", "2024-05-01T04:00:00Z")
        assert not (curated / "orders").exists()

    def test_missing_reference_data_fails_with_the_expected_header(self, spec_file, tmp_path):
        raw_file_a(tmp_path / "raw")
        with pytest.raises(job.TransformJobError, match=r"reference 'stores' not found at .*; upload its CSV \(header: store_id,store_name,country,opened_date\)"):
            run_job(spec_file, tmp_path / "raw", tmp_path / "curated", tmp_path / "reference", "2024-05-01T03:00:00Z", "2024-05-01T04:00:00Z")


class TestDeduplicationTieBreak:
    def test_equal_event_times_prefer_the_later_file_then_the_greater_record_text(self, spark, spec_document):
        spec = job.parse_spec(spec_document)
        rows = [
            (oid(1), "placed", "s3://raw/orders/dt=2024-05-01/hour=01/kinesis+shardId-000+1.ndjson.gz"),
            (oid(1), "paid", "s3://raw/orders/dt=2024-05-01/hour=01/kinesis+shardId-001+1.ndjson.gz"),
            (oid(2), "paid", "s3://raw/orders/dt=2024-05-01/hour=01/same.ndjson.gz"),
            (oid(2), "shipped", "s3://raw/orders/dt=2024-05-01/hour=01/same.ndjson.gz"),
        ]
        at = datetime(2024, 5, 1, 1, 0, tzinfo=timezone.utc)
        frame = spark.createDataFrame(rows, "order_id STRING, status STRING, _source_file STRING").withColumn("event_time", F.lit(at))
        for name in spec.fields:
            if name not in frame.columns:
                frame = frame.withColumn(name, F.lit(None))
        winners = job.rank_latest(frame, spec).filter(F.col("_rank") == 1).orderBy("order_id").select("order_id", "status").collect()
        assert [tuple(r) for r in winners] == [(oid(1), "paid"), (oid(2), "shipped")]
