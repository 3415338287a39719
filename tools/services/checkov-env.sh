#!/usr/bin/env bash
# Creates (or reuses) .local/checkov-venv with the pinned Checkov from
# tools/services/checkov-requirements.txt, apart from .local/venv so the two sets of pins never
# constrain each other. Idempotent: re-running only installs what changed. Prints the venv path.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv="$root/.local/checkov-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/tools/services/checkov-requirements.txt"
echo "$venv"
