#!/usr/bin/env bash
# bootstrap.sh - create .venv and install Conveyor with its dev tools (idempotent).
#   bash scripts/bootstrap.sh     then use .venv/bin/conveyor
set -Eeuo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
    "$PY" -m venv .venv
fi
# Reinstall only when pyproject.toml changed since the last install.
stamp=.venv/.conveyor-installed
if [[ ! -f $stamp || pyproject.toml -nt $stamp ]]; then
    .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
    touch "$stamp"
fi
