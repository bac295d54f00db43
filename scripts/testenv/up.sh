#!/usr/bin/env bash
# up.sh - Conveyor's own copy of the shared testenv: a REAL, offline Docker test environment on a Debian 12 box.
#
#   * installs docker.io, docker-registry, busybox-static, apache2-utils (+curl,
#     openssl, python3 for the token issuer, chromium for the browser tests) with
#     apt if anything is missing
#   * starts dockerd if nothing answers on the socket (offline-guarded config)
#   * builds local test images with `docker import` / `docker commit` (no pull)
#   * starts registries on loopback: open :5000, basic auth :5001,
#     token auth :5002 (+ token issuer :5003), and pushes the images
#   * writes $TESTENV_STATE_DIR/env for tests to `source`
#
# Idempotent: a second run only checks things and exits (about 1-2 s).
# Everything it starts is recorded in $TESTENV_STATE_DIR/pids; down.sh stops
# exactly those processes.  See README.md beside this file.
#
# Never contacts anything but 127.0.0.1 (apt-get excepted, and only if a
# package is missing).  Never pulls from a public registry.
set -Eeuo pipefail

usage() {
    cat <<'EOF'
usage: up.sh [--no-install] [--no-token] [--no-smoke] [--print-env] [-h]

  --no-install  fail instead of running apt-get when something is missing
  --no-token    skip the token-auth registry and its issuer
  --no-smoke    skip the final smoke checks (docker run + registry probes)
  --print-env   print the env file to stdout at the end

Environment (defaults in brackets):
  TESTENV_STATE_DIR [/tmp/testenv]       state, logs, pids, registry storage
  DOCKER_HOST       [unix:///var/run/docker.sock]
  TESTENV_REGISTRY_PORT [5000]  TESTENV_AUTH_REGISTRY_PORT [5001]
  TESTENV_TOKEN_REGISTRY_PORT [5002]  TESTENV_TOKEN_SERVER_PORT [5003]
  TESTENV_REGISTRY_USER [testuser]  TESTENV_REGISTRY_PASSWORD [testpassword]
  TESTENV_BIND_ADDR [127.0.0.1]  address the registries listen on
  TESTENV_DOCKERD_WAIT [60]  seconds to wait for a dockerd we start
  TESTENV_DOCKERD_EXTRA_ARGS []  extra dockerd flags (e.g. --data-root/--exec-root/
                             --pidfile for a second, private daemon)
  TESTENV_CHROMIUM [1]       install Debian's chromium (browser tests) when
                             /usr/bin/chromium is missing
  TESTENV_POSTGRES [1]       start a throwaway PostgreSQL (pg-up.sh, port PGPORT [5433])
  TESTENV_OFFLINE_GUARD [1]  for a dockerd that up.sh starts: HTTP(S)_PROXY=
                             127.0.0.1:9 (a pull from any non-loopback registry
                             fails fast) and container DNS 127.0.0.1
EOF
}

NO_INSTALL=${TESTENV_NO_INSTALL:-0}
ENABLE_TOKEN=${TESTENV_TOKEN_AUTH:-1}
SMOKE=${TESTENV_SMOKE:-1}
PRINT_ENV=0
for a in "$@"; do
    case "$a" in
        --no-install) NO_INSTALL=1 ;;
        --no-token) ENABLE_TOKEN=0 ;;
        --no-smoke) SMOKE=0 ;;
        --print-env) PRINT_ENV=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "up.sh: unknown argument: $a" >&2; usage >&2; exit 2 ;;
    esac
done

STATE=${TESTENV_STATE_DIR:-/tmp/testenv}
BIND=${TESTENV_BIND_ADDR:-127.0.0.1}
REG_PORT=${TESTENV_REGISTRY_PORT:-5000}
AUTH_PORT=${TESTENV_AUTH_REGISTRY_PORT:-5001}
TOKREG_PORT=${TESTENV_TOKEN_REGISTRY_PORT:-5002}
TOKSRV_PORT=${TESTENV_TOKEN_SERVER_PORT:-5003}
REG_USER=${TESTENV_REGISTRY_USER:-testuser}
REG_PASS=${TESTENV_REGISTRY_PASSWORD:-testpassword}
# A second, valid user that may read only repositories under other/ (token registry and
# the ACL proxy): "valid credentials of a user without access to that repository".
OTHER_USER=${TESTENV_OTHER_USER:-otheruser}
OTHER_PASS=${TESTENV_OTHER_PASSWORD:-otherpassword}
ACL_PORT=${TESTENV_ACL_REGISTRY_PORT:-5004}
DOCKERD_WAIT=${TESTENV_DOCKERD_WAIT:-60}
OFFLINE_GUARD=${TESTENV_OFFLINE_GUARD:-1}
IMG_VERSION=1            # bump when the image recipe changes -> images rebuilt

case "${DOCKER_HOST:-}" in
    ""|unix://*) SOCK=${DOCKER_HOST:-}; SOCK=${SOCK#unix://}; SOCK=${SOCK:-/var/run/docker.sock}
                 export DOCKER_HOST="unix://$SOCK" ;;
    *) SOCK="" ;;   # tcp:// etc.: use it, never try to start a daemon for it
esac

T0=${EPOCHREALTIME/./}
log()  { local t=$(( (${EPOCHREALTIME/./} - T0) / 10000 )); printf '[testenv %3d.%02ds] %s\n' $((t / 100)) $((t % 100)) "$*" >&2; }
die()  { log "ERROR: $*"; exit 1; }
# shellcheck disable=SC2154  # rc is assigned inside the trap string
trap 'rc=$?; log "FAILED (exit $rc) at line $LINENO: $BASH_COMMAND"; exit $rc' ERR

mkdir -p "$STATE"/{pids,logs,build,registry,docker-config}
chmod 700 "$STATE"
# Private docker CLI config: keeps auth out of ~/.docker and ignores any
# credential helpers configured for the user.
export DOCKER_CONFIG="$STATE/docker-config"

exec 9>"$STATE/lock"
flock -w 600 9 || die "another up.sh/down.sh holds $STATE/lock"

# ---------------------------------------------------------------- helpers --
# start_bg NAME MATCH LOGFILE CMD...   start CMD detached (own session), record
# its pid in pids/NAME.pid and a substring of its cmdline in pids/NAME.match
# (down.sh refuses to kill a pid whose cmdline no longer matches).
start_bg() {
    local name=$1 match=$2 logf=$3; shift 3
    # 9>&- : the daemon must not inherit our flock fd (it would hold the lock)
    ( exec setsid "$@" </dev/null >>"$logf" 2>&1 9>&- ) &
    local pid=$!
    echo "$pid" >"$STATE/pids/$name.pid"
    echo "$match" >"$STATE/pids/$name.match"
    echo "$pid"
}
# ours_running NAME -> 0 if pids/NAME.pid is alive and still the same program
ours_running() {
    local f="$STATE/pids/$1.pid" pid
    [[ -s $f ]] || return 1
    pid=$(cat "$f")
    [[ -r /proc/$pid/cmdline ]] || return 1
    tr '\0' ' ' </proc/"$pid"/cmdline | grep -qF -- "$(cat "$STATE/pids/$1.match")"
}
http_code() { curl -s -o /dev/null -m 3 -w '%{http_code}' "$@" 2>/dev/null || true; }
wait_http() {   # wait_http URL EXPECTED_CODE SECONDS
    local i code
    for ((i = 0; i < $3 * 10; i++)); do
        code=$(http_code "$1")
        [[ $code == "$2" ]] && return 0
        sleep 0.1
    done
    return 1
}
port_in_use() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
docker_ok() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
find_static_busybox() {
    local b
    for b in /bin/busybox /usr/bin/busybox /usr/lib/initramfs-tools/bin/busybox; do
        # ldd exits non-zero for a static binary ("not a dynamic executable")
        if [[ -x $b ]] && ! ldd "$b" >/dev/null 2>&1; then echo "$b"; return 0; fi
    done
    return 1
}

# ------------------------------------------------------ 1. packages --------
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io cgroupfs-mount)
command -v docker >/dev/null 2>&1 || need+=(docker.io)
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
find_static_busybox >/dev/null || need+=(busybox-static)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
# Headless Chromium for the web pages' browser tests (tests/web, driven by Playwright).
[[ ${TESTENV_CHROMIUM:-1} == 1 && ! -x /usr/bin/chromium ]] && need+=(chromium)
if [[ $ENABLE_TOKEN == 1 ]]; then
    command -v openssl >/dev/null 2>&1 || need+=(openssl)
    command -v python3 >/dev/null 2>&1 || need+=(python3)
fi
if ((${#need[@]})); then
    mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
    [[ $NO_INSTALL == 1 ]] && die "missing packages: ${need[*]} (and --no-install given)"
    log "installing: ${need[*]}"
    # Keep maintainer scripts from starting docker / docker-registry services
    # (Debian's docker-registry would grab :5000).  Only if no policy exists.
    POLICY_CREATED=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        POLICY_CREATED=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >"$STATE/logs/apt.log" 2>&1 || { tail -20 "$STATE/logs/apt.log" >&2; die "apt-get update failed"; }
    apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold "${need[@]}" \
        >>"$STATE/logs/apt.log" 2>&1 || { tail -30 "$STATE/logs/apt.log" >&2; die "apt-get install failed"; }
    [[ $POLICY_CREATED == 1 ]] && rm -f /usr/sbin/policy-rc.d
    log "packages installed"
else
    log "packages: all present"
fi
BUSYBOX=$(find_static_busybox) || die "no static busybox found"

# ------------------------------------------------------ 2. dockerd ---------
if docker_ok; then
    if ours_running dockerd; then
        log "dockerd: running (started earlier by testenv, pid $(cat "$STATE/pids/dockerd.pid"))"
    else
        log "dockerd: already running, not managed by testenv ($(docker version --format 'server {{.Server.Version}}' 2>/dev/null))"
    fi
else
    [[ -n $SOCK ]] || die "DOCKER_HOST=$DOCKER_HOST does not answer and is not a unix socket; cannot start a daemon for it"
    rm -f "$STATE/pids/dockerd.pid"
    # cgroup v1/v2 hierarchy must be mounted (it is on this VM kind)
    if ! grep -q '^cgroup' /proc/mounts && command -v cgroupfs-mount >/dev/null 2>&1; then
        log "mounting cgroups (cgroupfs-mount)"
        cgroupfs-mount || true
    fi
    # dns 127.0.0.1: containers' own loopback, so lookups of outside names
    # fail at once instead of leaving the machine; container/service names on
    # user-defined networks still resolve through docker's embedded DNS.
    DNS_JSON=""
    [[ $OFFLINE_GUARD == 1 ]] && DNS_JSON='"dns": ["127.0.0.1"],'
    cat >"$STATE/daemon.json" <<EOF
{
  $DNS_JSON
  "registry-mirrors": [],
  "bip": "172.17.0.1/16",
  "insecure-registries": ["127.0.0.0/8"],
  "default-address-pools": [
    {"base": "172.18.0.0/16", "size": 24},
    {"base": "172.19.0.0/16", "size": 24}
  ],
  "log-driver": "json-file",
  "log-opts": {"max-size": "10m", "max-file": "2"},
  "max-concurrent-downloads": 3,
  "shutdown-timeout": 5
}
EOF
    start_dockerd() {
        local extra=("$@") envs=()
        if [[ $OFFLINE_GUARD == 1 ]]; then
            # Registry traffic honours these; Go never proxies loopback, so
            # 127.0.0.1/localhost registries still work, anything else fails
            # fast with "proxyconnect tcp: dial tcp 127.0.0.1:9: connection refused".
            # shellcheck disable=SC2054  # the commas belong to NO_PROXY
            envs=(HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
                  http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9
                  NO_PROXY=localhost,127.0.0.0/8,::1 no_proxy=localhost,127.0.0.0/8,::1)
        fi
        # shellcheck disable=SC2206  # word splitting of the extra args is intended
        local user_args=(${TESTENV_DOCKERD_EXTRA_ARGS:-})
        start_bg dockerd "$STATE/daemon.json" "$STATE/logs/dockerd.log" \
            env "${envs[@]}" dockerd --config-file "$STATE/daemon.json" -H "unix://$SOCK" \
            "${user_args[@]}" "${extra[@]}" >/dev/null
        local i pid; pid=$(cat "$STATE/pids/dockerd.pid")
        for ((i = 0; i < DOCKERD_WAIT * 4; i++)); do
            docker_ok && return 0
            kill -0 "$pid" 2>/dev/null || return 1
            sleep 0.25
        done
        return 1
    }
    log "dockerd: not answering on $SOCK, starting it (log: $STATE/logs/dockerd.log)"
    if ! start_dockerd; then
        tail -5 "$STATE/logs/dockerd.log" >&2 || true
        if grep -qiE 'iptables|nf_tables|NAT chain' "$STATE/logs/dockerd.log"; then
            log "dockerd: iptables problem, retrying with --iptables=false (no NAT / port publishing via iptables)"
            pid=$(cat "$STATE/pids/dockerd.pid"); kill "$pid" 2>/dev/null || true; sleep 1
            start_dockerd --iptables=false || die "dockerd did not come up, see $STATE/logs/dockerd.log"
        else
            die "dockerd did not come up, see $STATE/logs/dockerd.log"
        fi
    fi
    log "dockerd: up (pid $(cat "$STATE/pids/dockerd.pid"), server $(docker version --format '{{.Server.Version}}'))"
fi

# ------------------------------------------------------ 3. images ----------
# Rootfs = static busybox + applet symlinks + minimal /etc.  Deterministic tar
# (fixed mtime/owner/order) so the layer digest is the same on every machine.
make_rootfs_tar() {   # make_rootfs_tar NAME -> prints tar path
    local name=$1 root="$STATE/build/rootfs-$1" tarf="$STATE/build/$1.tar" p
    rm -rf "$root"; mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,home,var/tmp,workspace,proc,sys,dev}
    cp "$BUSYBOX" "$root/bin/busybox"
    while read -r p; do
        [[ $p == bin/busybox ]] && continue
        mkdir -p "$root/$(dirname "$p")"; ln -sf /bin/busybox "$root/$p"
    done < <("$BUSYBOX" --list-full)
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
    printf '%s\n' "$name" >"$root/etc/ci-test-image"
    printf 'ID=ci-test\nNAME="ci-test %s"\nVERSION_ID=%s\n' "$name" "$IMG_VERSION" >"$root/etc/os-release"
    chmod 1777 "$root/tmp" "$root/var/tmp"
    tar --sort=name --mtime=@946684800 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$tarf" .
    rm -rf "$root"
    echo "$tarf"
}
img_version() { docker image inspect --format '{{index .Config.Labels "ci-test.version"}}' "$1" 2>/dev/null || true; }
IMPORT_CHANGES=(--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
                --change 'CMD ["/bin/sh"]' --change "LABEL ci-test.version=$IMG_VERSION")

FRESH_BUSYBOX=0 FRESH_MARKER=0   # rebuilt now -> re-push even if the registry has the tag
if [[ $(img_version ci-test/busybox:1) == "$IMG_VERSION" ]]; then
    log "image ci-test/busybox:1 present"
else
    FRESH_BUSYBOX=1
    tarf=$(make_rootfs_tar busybox)
    docker import "${IMPORT_CHANGES[@]}" --change 'LABEL ci-test.image=busybox' \
        -m "ci-test busybox rootfs" "$tarf" ci-test/busybox:1 >/dev/null
    printf '%s\n' ci-test/busybox:1 ci-test/busybox:latest >>"$STATE/created-images"   # for down.sh --purge
    log "image ci-test/busybox:1 imported ($(du -h "$tarf" | cut -f1) tar)"
fi
docker tag ci-test/busybox:1 ci-test/busybox:latest

if [[ $(img_version ci-test/marker:1) == "$IMG_VERSION" ]]; then
    log "image ci-test/marker:1 present"
else
    FRESH_MARKER=1
    # second layer on top of busybox via run+commit (no build, no pull)
    cid=$(docker create --network none ci-test/busybox:1 /bin/sh -c \
        'echo marker >/etc/ci-test-image && mkdir -p /ci-test && echo "hello from ci-test/marker" >/ci-test/marker.txt')
    docker start -a "$cid" >/dev/null
    docker commit -m "ci-test marker layer" \
        --change 'CMD ["/bin/sh"]' --change 'WORKDIR /ci-test' --change 'ENV CI_TEST_MARKER=1' \
        --change 'LABEL ci-test.image=marker' --change "LABEL ci-test.version=$IMG_VERSION" \
        "$cid" ci-test/marker:1 >/dev/null
    docker rm "$cid" >/dev/null
    echo ci-test/marker:1 >>"$STATE/created-images"
    log "image ci-test/marker:1 committed (2 layers)"
fi

# ------------------------------------------------------ 4. registries ------
HTPASSWD="$STATE/htpasswd"
if [[ ! -s $HTPASSWD ]] || ! htpasswd -vb "$HTPASSWD" "$REG_USER" "$REG_PASS" >/dev/null 2>&1; then
    htpasswd -cbB "$HTPASSWD" "$REG_USER" "$REG_PASS" 2>/dev/null
fi

write_registry_config() {   # NAME PORT AUTH_YAML
    mkdir -p "$STATE/registry/$1"
    cat >"$STATE/registry/$1.yml" <<EOF
version: 0.1
log:
  level: info
  fields:
    service: testenv-$1
storage:
  filesystem:
    rootdirectory: $STATE/registry/$1
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: $BIND:$2
  secret: testenv-$1-not-secret
  headers:
    X-Content-Type-Options: [nosniff]
$3
EOF
}
start_registry() {   # NAME PORT EXPECTED_V2_CODE
    local name=$1 port=$2 code=$3
    if ours_running "registry-$name"; then
        wait_http "http://$BIND:$port/v2/" "$code" 10 || die "registry-$name running but /v2/ != $code"
        log "registry $name: running on $BIND:$port"
        return 0
    fi
    port_in_use "$BIND" "$port" && die "port $BIND:$port is taken by something testenv did not start (ss -ltnp | grep :$port)"
    start_bg "registry-$name" "$STATE/registry/$name.yml" "$STATE/logs/registry-$name.log" \
        docker-registry serve "$STATE/registry/$name.yml" >/dev/null
    wait_http "http://$BIND:$port/v2/" "$code" 15 || { tail -5 "$STATE/logs/registry-$name.log" >&2; die "registry $name did not come up"; }
    log "registry $name: started on $BIND:$port (pid $(cat "$STATE/pids/registry-$name.pid"))"
}

write_registry_config open "$REG_PORT" ""
write_registry_config auth "$AUTH_PORT" "auth:
  htpasswd:
    realm: testenv-basic-realm
    path: $HTPASSWD"
start_registry open "$REG_PORT" 200
start_registry auth "$AUTH_PORT" 401

if [[ $ENABLE_TOKEN == 1 ]]; then
    TOK="$STATE/token"; mkdir -p "$TOK"
    if [[ ! -s $TOK/key.pem || ! -s $TOK/cert.pem ]]; then
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=testenv-token-issuer" \
            -keyout "$TOK/key.pem" -out "$TOK/cert.pem" >/dev/null 2>&1
    fi
    # Minimal Docker token issuer (stdlib + openssl CLI): RS256 JWT whose
    # "kid" is the libtrust key id of cert.pem, which is what distribution
    # 2.8 matches against its rootcertbundle.
    cat >"$TOK/token_server.py" <<'PYEOF'
import base64, datetime, hashlib, http.server, json, os, subprocess, sys, time, urllib.parse, uuid

BIND, PORT, KEY, CERT = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ISSUER = "testenv-token-issuer"
USERS = {os.environ["TESTENV_USER"]: os.environ["TESTENV_PASSWORD"],
         os.environ["TESTENV_OTHER_USER"]: os.environ["TESTENV_OTHER_PASSWORD"]}
FULL_ACCESS_USER = os.environ["TESTENV_USER"]   # the other user may read only other/*

def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def libtrust_kid(cert):
    pem = subprocess.run(["openssl", "x509", "-in", cert, "-pubkey", "-noout"], capture_output=True, check=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pem, capture_output=True, check=True).stdout
    s = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(s[i:i + 4] for i in range(0, len(s), 4))

KID = libtrust_kid(CERT)

class H(http.server.BaseHTTPRequestHandler):
    def _send(self, code, obj, extra=None):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        if u.path == "/healthz":
            return self._send(200, {"ok": True, "acl": 1})
        if u.path != "/token":
            return self._send(404, {"error": "not found"})
        q = urllib.parse.parse_qs(u.query)
        user = ""
        authz = self.headers.get("Authorization", "")
        if authz.startswith("Basic "):
            name, _, pw = base64.b64decode(authz[6:]).decode("utf-8", "replace").partition(":")
            if USERS.get(name) != pw:
                return self._send(401, {"errors": [{"code": "UNAUTHORIZED", "message": "invalid username or password"}]},
                                  {"WWW-Authenticate": 'Basic realm="testenv-token"'})
            user = name
        access = []
        if user:  # authenticated: grant what was asked; anonymous gets nothing
            for sc in q.get("scope", []):
                for one in sc.split(" "):
                    parts = one.split(":")
                    if len(parts) < 3:
                        continue
                    if user != FULL_ACCESS_USER and not ":".join(parts[1:-1]).startswith("other/"):
                        continue
                    access.append({"type": parts[0], "name": ":".join(parts[1:-1]),
                                   "actions": [a for a in parts[-1].split(",") if a]})
        now = int(time.time())
        claims = {"iss": ISSUER, "sub": user, "aud": q.get("service", [""])[0], "exp": now + 300,
                  "nbf": now - 10, "iat": now, "jti": uuid.uuid4().hex, "access": access}
        head = {"typ": "JWT", "alg": "RS256", "kid": KID}
        signing_input = b64url(json.dumps(head).encode()) + "." + b64url(json.dumps(claims).encode())
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", KEY], input=signing_input.encode(),
                             capture_output=True, check=True).stdout
        tok = signing_input + "." + b64url(sig)
        issued = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._send(200, {"token": tok, "access_token": tok, "expires_in": 300, "issued_at": issued})

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.log_date_time_string(), fmt % args))

http.server.ThreadingHTTPServer((BIND, PORT), H).serve_forever()
PYEOF
    TOKEN_REALM="http://$BIND:$TOKSRV_PORT/token"
    if ours_running token-server && curl -s -m 3 "http://$BIND:$TOKSRV_PORT/healthz" | grep -q '"acl": 1'; then
        log "token issuer: running on $BIND:$TOKSRV_PORT"
    else
        # an older issuer (without the per-user rule) is replaced
        if ours_running token-server; then kill "$(cat "$STATE/pids/token-server.pid")"; sleep 0.5; fi
        port_in_use "$BIND" "$TOKSRV_PORT" && die "port $BIND:$TOKSRV_PORT is taken by something testenv did not start"
        TESTENV_USER=$REG_USER TESTENV_PASSWORD=$REG_PASS TESTENV_OTHER_USER=$OTHER_USER TESTENV_OTHER_PASSWORD=$OTHER_PASS \
            start_bg token-server "$TOK/token_server.py" "$STATE/logs/token-server.log" \
            python3 "$TOK/token_server.py" "$BIND" "$TOKSRV_PORT" "$TOK/key.pem" "$TOK/cert.pem" >/dev/null
        wait_http "http://$BIND:$TOKSRV_PORT/healthz" 200 15 || { tail -5 "$STATE/logs/token-server.log" >&2; die "token issuer did not come up"; }
        log "token issuer: started on $BIND:$TOKSRV_PORT (pid $(cat "$STATE/pids/token-server.pid"))"
    fi
    write_registry_config token "$TOKREG_PORT" "auth:
  token:
    realm: $TOKEN_REALM
    service: testenv-registry
    issuer: testenv-token-issuer
    rootcertbundle: $TOK/cert.pem"
    start_registry token "$TOKREG_PORT" 401
fi

# ACL front of the basic-auth registry (scripts/testenv/acl_proxy.py): per-user rules.
ACL_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/acl_proxy.py"
cp "$ACL_SRC" "$STATE/acl_proxy.py"
if ours_running registry-acl && cmp -s "$ACL_SRC" "$STATE/acl_proxy.running.py"; then
    log "registry acl: running on $BIND:$ACL_PORT"
else
    if ours_running registry-acl; then kill "$(cat "$STATE/pids/registry-acl.pid")"; sleep 0.5; fi
    port_in_use "$BIND" "$ACL_PORT" && die "port $BIND:$ACL_PORT is taken by something testenv did not start"
    cp "$ACL_SRC" "$STATE/acl_proxy.running.py"
    TESTENV_USER=$REG_USER TESTENV_PASSWORD=$REG_PASS TESTENV_OTHER_USER=$OTHER_USER TESTENV_OTHER_PASSWORD=$OTHER_PASS \
        start_bg registry-acl "$STATE/acl_proxy.running.py" "$STATE/logs/registry-acl.log" \
        python3 "$STATE/acl_proxy.running.py" "$BIND" "$ACL_PORT" "$BIND:$AUTH_PORT" >/dev/null
    wait_http "http://$BIND:$ACL_PORT/v2/" 401 15 || { tail -5 "$STATE/logs/registry-acl.log" >&2; die "registry acl did not come up"; }
    log "registry acl: started on $BIND:$ACL_PORT -> $BIND:$AUTH_PORT (pid $(cat "$STATE/pids/registry-acl.pid"))"
fi

# ------------------------------------------------------ 5. push ------------
AUTH_B64=$(printf '%s:%s' "$REG_USER" "$REG_PASS" | base64 -w0)
REGISTRIES=("$BIND:$REG_PORT" "$BIND:$AUTH_PORT")
[[ $ENABLE_TOKEN == 1 ]] && REGISTRIES+=("$BIND:$TOKREG_PORT")
# CLI auth for pushing lives only in $DOCKER_CONFIG (not ~/.docker)
{
    printf '{"auths": {'
    printf '"%s": {"auth": "%s"}' "$BIND:$AUTH_PORT" "$AUTH_B64"
    [[ $ENABLE_TOKEN == 1 ]] && printf ', "%s": {"auth": "%s"}' "$BIND:$TOKREG_PORT" "$AUTH_B64"
    printf '}}\n'
} >"$DOCKER_CONFIG/config.json"
chmod 600 "$DOCKER_CONFIG/config.json"

MANIFEST_ACCEPT='application/vnd.docker.distribution.manifest.v2+json'
registry_has() {   # registry_has HOST:PORT REPO TAG
    local reg=$1 repo=$2 url="http://$1/v2/$2/manifests/$3" hdr=()
    if [[ $reg == "$BIND:$AUTH_PORT" ]]; then
        hdr=(-u "$REG_USER:$REG_PASS")
    elif [[ $ENABLE_TOKEN == 1 && $reg == "$BIND:$TOKREG_PORT" ]]; then
        local t
        t=$(curl -s -m 5 -u "$REG_USER:$REG_PASS" \
            "$TOKEN_REALM?service=testenv-registry&scope=repository:$repo:pull" | sed -n 's/.*"token": *"\([^"]*\)".*/\1/p')
        hdr=(-H "Authorization: Bearer $t")
    fi
    [[ $(http_code -I -H "Accept: $MANIFEST_ACCEPT" "${hdr[@]}" "$url") == 200 ]]
}
push_to_all() {   # push_to_all LOCAL_REPO TAG [FORCE]
    local reg
    for reg in "${REGISTRIES[@]}"; do
        if [[ ${3:-0} != 1 ]] && registry_has "$reg" "$1" "$2"; then continue; fi
        docker tag "$1:$2" "$reg/$1:$2"
        docker push -q "$reg/$1:$2" >/dev/null || die "push of $reg/$1:$2 failed"
        docker rmi "$reg/$1:$2" >/dev/null   # untag only; keeps the local image
        log "pushed $1:$2 -> $reg"
    done
}
push_to_all ci-test/busybox 1 "$FRESH_BUSYBOX"
push_to_all ci-test/busybox latest "$FRESH_BUSYBOX"
push_to_all ci-test/marker 1 "$FRESH_MARKER"
# other/busybox:1: the one repository the other user may read.
docker tag ci-test/busybox:1 other/busybox:1
push_to_all other/busybox 1 "$FRESH_BUSYBOX"
docker rmi other/busybox:1 >/dev/null

# ci-test/remote-only:1 exists ONLY in the registries (removed locally), so a
# pull of it really downloads its layer (~1 MB) - for pull/progress tests.
need_remote=0
for reg in "${REGISTRIES[@]}"; do registry_has "$reg" ci-test/remote-only 1 || need_remote=1; done
if [[ $need_remote == 1 ]]; then
    tarf=$(make_rootfs_tar remote-only)
    docker import "${IMPORT_CHANGES[@]}" --change 'LABEL ci-test.image=remote-only' \
        -m "ci-test remote-only rootfs" "$tarf" ci-test/remote-only:1 >/dev/null
    push_to_all ci-test/remote-only 1
    docker rmi ci-test/remote-only:1 >/dev/null
fi
for reg in "${REGISTRIES[@]}"; do
    docker rmi "$reg/ci-test/remote-only:1" >/dev/null 2>&1 || true
done
log "registries hold ci-test/{busybox:1,busybox:latest,marker:1,remote-only:1} and other/busybox:1"

# ------------------------------------------------------ 5b. postgresql ----
# A throwaway PostgreSQL for the server tests (pg-up.sh: reused when already running).
PG_URL=""
if [[ ${TESTENV_POSTGRES:-1} == 1 ]]; then
    # 9>&- : the postmaster must not inherit our flock fd (it would hold the lock forever)
    PG_URL=$(PGROOT="$STATE-postgres" bash "$(dirname "${BASH_SOURCE[0]}")/pg-up.sh" 9>&-) \
        || die "PostgreSQL did not start, see $STATE-postgres/server.log"
fi

# ------------------------------------------------------ 6. env file --------
ENVF="$STATE/env"
ev() { printf 'export %s=%q\n' "$1" "$2"; }
{
    echo "# generated by up.sh $(date -u +%FT%TZ); source me"
    ev DOCKER_HOST "$DOCKER_HOST"
    ev TESTENV_STATE_DIR "$STATE"
    ev TEST_REGISTRY "$BIND:$REG_PORT"
    ev TEST_AUTH_REGISTRY "$BIND:$AUTH_PORT"
    ev TEST_REGISTRY_USER "$REG_USER"
    ev TEST_REGISTRY_PASSWORD "$REG_PASS"
    ev TEST_OTHER_USER "$OTHER_USER"
    ev TEST_OTHER_PASSWORD "$OTHER_PASS"
    ev TEST_ACL_REGISTRY "$BIND:$ACL_PORT"
    if [[ $ENABLE_TOKEN == 1 ]]; then
        ev TEST_TOKEN_REGISTRY "$BIND:$TOKREG_PORT"
        ev TEST_TOKEN_REALM "$TOKEN_REALM"
    fi
    ev TEST_IMAGE ci-test/busybox:1
    ev TEST_IMAGE_LATEST ci-test/busybox:latest
    ev TEST_IMAGE_MARKER ci-test/marker:1
    ev TEST_IMAGE_REMOTE ci-test/remote-only:1
    # Drone-style DOCKER_AUTH_CONFIG / .dockerconfigjson content for the auth registries
    ev TEST_DOCKER_AUTH_CONFIG "$(tr -d '\n' <"$DOCKER_CONFIG/config.json")"
    ev TEST_DOCKER_CONFIG_DIR "$DOCKER_CONFIG"
    [[ -n $PG_URL ]] && ev TEST_POSTGRES_URL "$PG_URL"
} >"$ENVF.tmp"
mv "$ENVF.tmp" "$ENVF"

# ------------------------------------------------------ 7. smoke -----------
if [[ $SMOKE == 1 ]]; then
    out=$(docker run --rm --network none ci-test/marker:1 cat /etc/ci-test-image /ci-test/marker.txt | tr '\n' ' ')
    [[ $out == "marker hello from ci-test/marker " ]] || die "smoke: unexpected container output: $out"
    c1=$(http_code "http://$BIND:$REG_PORT/v2/"); c2=$(http_code "http://$BIND:$AUTH_PORT/v2/")
    c3=$(http_code -u "$REG_USER:$REG_PASS" "http://$BIND:$AUTH_PORT/v2/")
    [[ $c1/$c2/$c3 == 200/401/200 ]] || die "smoke: registry probes gave $c1/$c2/$c3"
    log "smoke: docker run ok; /v2/ open=$c1 auth(no creds)=$c2 auth(creds)=$c3"
fi

log "ready. source $ENVF"
[[ $PRINT_ENV == 1 ]] && cat "$ENVF"
exit 0
