#!/usr/bin/env bash
# Creates (or reuses) the project's Python virtual environment in .local/venv with the pinned
# packages from tools/services/requirements.txt. Idempotent: re-running only installs what changed.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv="$root/.local/venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/tools/services/requirements.txt"
echo "$venv"
