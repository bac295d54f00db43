#!/usr/bin/env bash
# pg-up.sh - a throwaway PostgreSQL for the server tests, on 127.0.0.1:$PGPORT under $PGROOT.
#
# Installs Debian's `postgresql` package with apt if missing, runs initdb + pg_ctl (as the
# `postgres` user when run as root: initdb refuses root) and prints the SQLAlchemy URL.
# Idempotent: a PostgreSQL that this script started and that still answers is reused.
#   PGPORT [5433]  PGROOT [/tmp/pg-conveyor]   pg-down.sh (same PGROOT) stops it.
set -Eeuo pipefail
PGPORT="${PGPORT:-5433}"
PGROOT="${PGROOT:-/tmp/pg-conveyor}"
log() { printf '[pg-up] %s\n' "$*" >&2; }

pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
PGBIN="${PGBIN:-$(pgbin)}"
if [[ ! -x "${PGBIN:-/nonexistent}/initdb" ]]; then
    log "installing postgresql with apt"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql >/dev/null \
        || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive \
             apt-get install -y -q --no-install-recommends postgresql >/dev/null; }
    PGBIN="$(pgbin)"
fi
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres"

if [[ -s $PGROOT/pid ]] && as_pg "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT" -t 2; then
    log "running on 127.0.0.1:$PGPORT (pid $(cat "$PGROOT/pid"))"
    echo "$URL"
    exit 0
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$PGPORT") 2>/dev/null; then
    log "port 127.0.0.1:$PGPORT is taken by something pg-up.sh did not start"
    exit 1
fi
rm -rf "$PGROOT"
mkdir -p "$PGROOT"
if [[ $(id -u) == 0 ]]; then chown postgres: "$PGROOT"; fi
as_pg "$PGBIN/initdb" -D "$PGROOT/data" -U postgres -A trust -E UTF8 --no-sync >"$PGROOT/initdb.log"
as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w -t 30 \
    -o "-h 127.0.0.1 -p $PGPORT -k $PGROOT -c fsync=off -c max_connections=200" start >/dev/null
head -1 "$PGROOT/data/postmaster.pid" >"$PGROOT/pid"
log "started on 127.0.0.1:$PGPORT (pid $(cat "$PGROOT/pid"), data $PGROOT/data)"
echo "$URL"
