#!/usr/bin/env bash
# test.sh - everything the tests need, then the checks: ruff, mypy --strict, pytest.
#   bash scripts/test.sh [PYTEST ARGS...]
# Starts the Docker engine and the 127.0.0.1 registries (scripts/testenv/up.sh),
# creates .venv, then runs the linters and the whole test suite.
set -Eeuo pipefail
cd "$(dirname "$0")/.."
bash scripts/testenv/up.sh
bash scripts/bootstrap.sh
# shellcheck disable=SC1091
source "${TESTENV_STATE_DIR:-/tmp/testenv}/env"
echo "== ruff"
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
echo "== mypy --strict"
.venv/bin/mypy
echo "== pytest"
set +e
.venv/bin/pytest "$@"
rc=$?
set -e
# pytest exits 5 when it collected no test: that is a failure here too.
exit $rc
