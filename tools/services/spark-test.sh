#!/usr/bin/env bash
# Runs the transform job's pytest suite (tests/spark) with the project's virtual environment and a
# local Spark. Usage: tools/services/spark-test.sh [extra pytest arguments]
#
# - Creates/updates .local/venv from tools/services/requirements.txt (PySpark 3.5, like EMR 7.x).
# - Needs Java 17 (or 11/8, which Spark 3.5 also supports): uses JAVA_HOME when it points at a JDK,
#   otherwise finds one from `java` on the PATH or under /usr/lib/jvm.
# - Needs node_modules (npm ci): the tests render the orders spec with tools/spark-spec.ts.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/java" ]; then
  java_bin=$(command -v java || true)
  if [ -n "$java_bin" ]; then
    JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$java_bin")")")
  else
    JAVA_HOME=$(ls -d /usr/lib/jvm/*17* /usr/lib/jvm/*11* 2>/dev/null | head -n 1 || true)
  fi
  if [ -z "$JAVA_HOME" ] || [ ! -x "$JAVA_HOME/bin/java" ]; then
    echo "no Java found: install a JDK (apt-get install -y openjdk-17-jre-headless) or set JAVA_HOME" >&2
    exit 1
  fi
  export JAVA_HOME
fi
if [ ! -d "$root/node_modules/ts-node" ]; then
  echo "node_modules is missing: run 'npm ci' first (the tests render the dataset spec with ts-node)" >&2
  exit 1
fi

venv=$("$root/tools/services/python-env.sh" | tail -n 1)
export PYSPARK_PYTHON="$venv/bin/python"
export PYSPARK_DRIVER_PYTHON="$venv/bin/python"
export SPARK_LOCAL_IP=127.0.0.1
export TZ=UTC
exec "$venv/bin/python" -m pytest tests/spark -q -p no:cacheprovider "$@"
