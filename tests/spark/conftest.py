"""Shared fixtures for the transform job tests: one local SparkSession for the whole run, the orders
spec rendered from the real dataset definition, and helpers that write raw-zone files."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterable, List, Union

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "runtime" / "spark"))

# Python-side datetimes from collect() follow the process time zone; pin it so expectations are exact.
os.environ["TZ"] = "UTC"
time.tzset()


@pytest.fixture(scope="session")
def spark():
    from local_session import local_spark_session

    session = local_spark_session("transform-job-tests")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def spec_file(tmp_path_factory) -> Path:
    """The orders spec, rendered by tools/spark-spec.ts from runtime/datasets (never a copy)."""
    out = tmp_path_factory.mktemp("spec") / "orders.spec.json"
    result = subprocess.run(
        ["node", "-r", "ts-node/register/transpile-only", "tools/spark-spec.ts", "--dataset", "orders", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"rendering the spec failed (is node_modules installed? run npm ci): {result.stderr}")
    return out


@pytest.fixture(scope="session")
def spec_document(spec_file) -> Dict[str, Any]:
    return json.loads(spec_file.read_text())


def order(order_id: str, event_time: str, *, customer: str = "CUST-00000001", store: str = "S0001", region: str = "NA",
          currency: str = "USD", status: str = "placed", amount: str = "10.00", coupon: Union[str, None] = None,
          shipped_time: Union[str, None] = None, channel: str = "store", offset: int = 0) -> Dict[str, Any]:
    """A raw-zone orders record: the dataset's fields (normalised) plus the `_ingest` object ingest adds
    (runtime/ingest/classify.ts), here for Kafka partition 3 at ``offset``."""
    record: Dict[str, Any] = {
        "order_id": order_id,
        "customer_id": customer,
        "store_id": store,
        "region": region,
        "channel": channel,
        "status": status,
        "currency": currency,
        "amount": float(amount),
        "line_items": [{"sku": "SKU-0001", "quantity": 1, "unit_price": float(amount)}],
        "event_time": event_time,
        "_ingest": {"dataset_version": 1, "engine": "kafka", "source": "orders", "partition": "3", "position": str(offset),
                    "ingest_time": event_time, "ingest_time_type": "CREATE_TIME", "key": order_id, "dt": event_time[:10], "hour": event_time[11:13]},
    }
    if coupon is not None:
        record["coupon_code"] = coupon
    if shipped_time is not None:
        record["shipped_time"] = shipped_time
    return record


def write_raw(root: Path, dt: str, hour: str, name: str, lines: Iterable[Union[Dict[str, Any], str]]) -> Path:
    """Writes one raw-zone object: <root>/orders/dt=<dt>/hour=<hour>/<name>.ndjson.gz."""
    folder = root / "orders" / f"dt={dt}" / f"hour={hour}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ndjson.gz"
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(text)
    return path


def write_customers(root: Path, rows: List[str]) -> None:
    """The customers reference as the customers apply (cdc_apply.py) publishes it for orders."""
    folder = root / "customers"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "part-00000.csv").write_text("customer_id,customer_segment,customer_country\n" + "\n".join(rows) + "\n")


def write_stores(root: Path, rows: List[str]) -> None:
    folder = root / "stores"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "stores.csv").write_text("store_id,store_name,country,opened_date\n" + "\n".join(rows) + "\n")
