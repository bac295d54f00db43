#!/usr/bin/env bash
# demo.sh - the main job: start Docker and the local registries, install Conveyor, then
#   1. lint every example pipeline,
#   2. run the demo pipeline (examples/demo/.drone.yml) for real: a service, parallel steps,
#      private images from the basic-auth and token-auth registries through image_pull_secrets,
#      a masked secret,
#   3. show that a second pipeline without credentials cannot borrow the cached private image.
#   bash scripts/demo.sh
set -Eeuo pipefail
cd "$(dirname "$0")/.."
bash scripts/testenv/up.sh
bash scripts/bootstrap.sh
# shellcheck disable=SC1091
source "${TESTENV_STATE_DIR:-/tmp/testenv}/env"
conveyor=.venv/bin/conveyor

echo "== 1. conveyor lint examples/*.yml"
for f in examples/*.yml examples/demo/*.yml examples/demo/.drone.yml; do
    printf '%-40s ' "$f"
    "$conveyor" lint "$f"
done

echo "== 2. conveyor exec examples/demo/.drone.yml"
secrets=$(mktemp)
trap 'rm -f "$secrets"' EXIT
# The secret `dockerconfig` holds a Docker config.json with logins for 127.0.0.1:5001 and :5002.
printf 'dockerconfig=%s\napi_token=%s\n' "$TEST_DOCKER_AUTH_CONFIG" "demo-token-$RANDOM$RANDOM" >"$secrets"
"$conveyor" exec examples/demo/.drone.yml --secret-file "$secrets"

echo "== 3. conveyor exec examples/demo/borrow.yml (no credentials: must be refused)"
set +e
"$conveyor" exec examples/demo/borrow.yml
rc=$?
set -e
if [[ $rc != 1 ]]; then
    echo "demo: expected the borrowing pipeline to fail with exit 1, got $rc" >&2
    exit 1
fi
echo "demo: the cached private image was refused to a pipeline without credentials, as it should be"
