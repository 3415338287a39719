"""Shared setup of the DAG tests: a throwaway Airflow home with its metadata database, and the spec.

tools/services/airflow-test.sh sets AIRFLOW_HOME (a temporary directory), renders the spec and the
state machine of a stack with tools/airflow-spec.ts into AIRFLOW_TEST_BUILD, and runs pytest.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DAG_FILE = ROOT / "runtime" / "airflow" / "platform_pipeline.py"


def build_dir() -> Path:
    value = os.environ.get("AIRFLOW_TEST_BUILD")
    if not value:
        raise RuntimeError("AIRFLOW_TEST_BUILD is not set: run the DAG tests with tools/services/airflow-test.sh")
    return Path(value)


@pytest.fixture(scope="session", autouse=True)
def airflow_database() -> None:
    # The metadata database Airflow's DagBag and dag.test() use: SQLite in the throwaway AIRFLOW_HOME.
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True, capture_output=True)


@pytest.fixture(scope="session")
def spec_path() -> Path:
    return build_dir() / "platform_pipeline.json"


@pytest.fixture(scope="session")
def spec(spec_path: Path) -> dict:
    return json.loads(spec_path.read_text())


@pytest.fixture(scope="session")
def state_machine() -> dict:
    return json.loads((build_dir() / "state-machine.json").read_text())
