#!/usr/bin/env bash
# Runs the Airflow DAG tests (tests/airflow) with Apache Airflow as MWAA runs it, in its own venv
# (.local/airflow-venv, tools/services/airflow-env.sh), against moto in server mode on MOTO_PORT
# (start it first: tools/services/moto.sh start). Usage: tools/services/airflow-test.sh [pytest args]
#
# Renders the dev stack's DAG spec and state machine with tools/airflow-spec.ts (needs npm ci),
# and gives Airflow a throwaway home (SQLite metadata database) that is removed afterwards.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [ ! -d "$root/node_modules/ts-node" ]; then
  echo "node_modules is missing: run 'npm ci' first (the tests render the DAG spec with ts-node)" >&2
  exit 1
fi
venv=$("$root/tools/services/airflow-env.sh" | tail -n 1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AIRFLOW_TEST_BUILD="$work/build"
npx ts-node --transpile-only tools/airflow-spec.ts --stack dev --out "$AIRFLOW_TEST_BUILD" >/dev/null
export AIRFLOW_HOME="$work/home"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__DAGS_FOLDER="$work/dags"
export AIRFLOW__CORE__UNIT_TEST_MODE=False
export TZ=UTC
mkdir -p "$AIRFLOW__CORE__DAGS_FOLDER"
exec "$venv/bin/python" -m pytest tests/airflow -q -p no:cacheprovider "$@"
