#!/usr/bin/env bash
# pg-down.sh - stop the PostgreSQL that pg-up.sh started under $PGROOT and remove its files.
set -Euo pipefail
PGROOT="${PGROOT:-/tmp/pg-conveyor}"
log() { printf '[pg-down] %s\n' "$*" >&2; }
[[ -d $PGROOT ]] || { log "nothing under $PGROOT"; exit 0; }
PGBIN="${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [[ -f $PGROOT/data/postmaster.pid && -x ${PGBIN:-/nonexistent}/pg_ctl ]]; then
    as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast -w -t 30 stop >/dev/null || true
fi
rm -rf "$PGROOT"
log "stopped and removed $PGROOT"
