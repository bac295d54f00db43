#!/usr/bin/env bash
# demo.sh - the main job: start Docker and the local registries, install Conveyor, then
#   1. lint every example pipeline,
#   2. run the demo pipeline (examples/demo/.drone.yml) for real: a service, parallel steps,
#      private images from the basic-auth and token-auth registries through image_pull_secrets,
#      a masked secret,
#   3. show that a second pipeline without credentials cannot borrow the cached private image,
#   4. start a server (SQLite, temporary data directory) and an agent, add a local git repository,
#      store the registry login as a secret through the API, build it on the agent and print the
#      build's logs from the server.
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

echo "== 4. conveyor server + conveyor agent: a build of a local git repository"
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work" "$secrets"
}
trap cleanup EXIT
port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export CONVEYOR_SERVER="http://127.0.0.1:$port"
export CONVEYOR_TOKEN="demo-admin-token-$RANDOM$RANDOM"
export CONVEYOR_RPC_SECRET="demo-rpc-secret-$RANDOM$RANDOM"
password="demo-password-$RANDOM$RANDOM"
CONVEYOR_USER_CREATE="username:demo,admin:true,token:$CONVEYOR_TOKEN,password:$password" \
    "$conveyor" server --addr "127.0.0.1:$port" --data-dir "$work/data" >"$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    curl -fs "$CONVEYOR_SERVER/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fs "$CONVEYOR_SERVER/healthz" >/dev/null || { cat "$work/server.log" >&2; exit 1; }
echo "demo: server at $CONVEYOR_SERVER (SQLite in $work/data)"
"$conveyor" agent --name demo-agent --capacity 2 >"$work/agent.log" 2>&1 &
pids+=($!)
echo "demo: agent demo-agent started"

repo="$work/app"
git init -q -b main "$repo"
cp examples/demo/agent.yml "$repo/.drone.yml"
echo "hello from the demo repository" >"$repo/hello.txt"
git -C "$repo" add .drone.yml hello.txt
git -C "$repo" -c user.name=demo -c user.email=demo@example.com commit -q -m "first commit"
"$conveyor" repo add demo/app --git-url "$repo" >/dev/null
printf '%s' "$TEST_DOCKER_AUTH_CONFIG" >"$work/dockerconfig.json"
"$conveyor" secret add demo/app --name dockerconfig --data "@$work/dockerconfig.json" >/dev/null
echo "demo: repository demo/app added, secret dockerconfig stored (never shown again)"
number=$("$conveyor" build create demo/app)
echo "demo: build demo/app#$number created; waiting for the agent"
status=pending
for _ in $(seq 600); do
    status=$("$conveyor" build info demo/app "$number" --format json |
        .venv/bin/python -c 'import json, sys; print(json.load(sys.stdin)["status"])')
    case $status in success | failure | killed | error) break ;; esac
    sleep 0.5
done
"$conveyor" build info demo/app "$number"
echo "demo: the build's logs, from the server:"
"$conveyor" build logs demo/app "$number"
if [[ $status != success ]]; then
    echo "demo: the build ended $status; agent log:" >&2
    cat "$work/agent.log" >&2
    exit 1
fi
echo "demo: build demo/app#$number succeeded on demo-agent"
page=$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: text/html' "$CONVEYOR_SERVER/login")
echo "demo: the build's web page: $CONVEYOR_SERVER/demo/app/$number (sign-in page answered $page;"
echo "      user demo, password $password; the server stops when the demo ends)"
