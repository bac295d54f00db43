#!/usr/bin/env bash
# demo.sh - the main job: start Docker and the local registries, install Conveyor,
# then run the demo pipeline (examples/demo/.drone.yml) for real, private registry included.
#   bash scripts/demo.sh
set -Eeuo pipefail
cd "$(dirname "$0")/.."
bash scripts/testenv/up.sh
bash scripts/bootstrap.sh
# shellcheck disable=SC1091
source "${TESTENV_STATE_DIR:-/tmp/testenv}/env"
for f in examples/*.yml; do
    .venv/bin/conveyor lint "$f"
done
