#!/usr/bin/env bash
# Creates (or reuses) .local/airflow-venv with Apache Airflow and the Amazon provider pinned in
# tools/services/airflow-requirements.txt (MWAA's Airflow 2.10.3), apart from .local/venv so the
# two sets of pins never constrain each other. Idempotent: re-running only installs what changed.
# Prints the venv path.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv="$root/.local/airflow-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/tools/services/airflow-requirements.txt"
echo "$venv"
