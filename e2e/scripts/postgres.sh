#!/usr/bin/env bash
# Starts, stops or restarts a local PostgreSQL cluster for Gatehouse tests (control-plane ITs,
# e2e). The cluster lives outside the repository, listens on loopback only, has logical
# replication enabled, and has a role and database "gatehouse" with the REPLICATION privilege.
#
# Usage: e2e/scripts/postgres.sh start|stop|restart|status|url
#
# Environment (all optional):
#   GATEHOUSE_PG_DIR       cluster directory            (default /var/tmp/gatehouse-pg)
#   GATEHOUSE_PG_PORT      TCP port on 127.0.0.1        (default 55432)
#   GATEHOUSE_PG_USER      role name                    (default gatehouse)
#   GATEHOUSE_PG_PASSWORD  role password                (default gatehouse)
#   GATEHOUSE_PG_DB        database name                (default gatehouse)
#
# Idempotent: "start" on a running cluster only makes sure the role and database exist.
# PostgreSQL refuses to run as root, so the server runs as the "postgres" OS user
# (created by the Debian package) or as the invoking user when that is not root.
set -euo pipefail

PG_DIR="${GATEHOUSE_PG_DIR:-/var/tmp/gatehouse-pg}"
PG_PORT="${GATEHOUSE_PG_PORT:-55432}"
PG_USER="${GATEHOUSE_PG_USER:-gatehouse}"
PG_PASSWORD="${GATEHOUSE_PG_PASSWORD:-gatehouse}"
PG_DB="${GATEHOUSE_PG_DB:-gatehouse}"
DATA="$PG_DIR/data"
LOG="$PG_DIR/postgres.log"
SOCKET_DIR="$PG_DIR/socket"

log() { echo "postgres.sh: $*" >&2; }

find_bindir() {
  local candidate
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$candidate/initdb" && -x "$candidate/pg_ctl" ]]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

ensure_installed() {
  if BINDIR="$(find_bindir)"; then
    return 0
  fi
  if [[ "$(id -u)" != 0 ]]; then
    log "PostgreSQL server binaries not found and not root: install the 'postgresql' package"
    exit 1
  fi
  log "installing PostgreSQL server (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q postgresql >&2
  BINDIR="$(find_bindir)" || { log "no PostgreSQL server after apt-get install"; exit 1; }
}

# Runs a command as the OS user that owns the cluster.
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u "$OWNER" -- "$@"
  else
    "$@"
  fi
}

pick_owner() {
  if [[ "$(id -u)" != 0 ]]; then
    OWNER="$(id -un)"
  elif id postgres >/dev/null 2>&1; then
    OWNER=postgres
  else
    useradd --system --home-dir "$PG_DIR" --shell /usr/sbin/nologin gatehouse-pg
    OWNER=gatehouse-pg
  fi
}

is_running() {
  [[ -f "$DATA/PG_VERSION" ]] && as_owner "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

init_cluster() {
  mkdir -p "$PG_DIR" "$SOCKET_DIR"
  chown "$OWNER" "$PG_DIR" "$SOCKET_DIR"
  if [[ -f "$DATA/PG_VERSION" ]]; then
    return 0
  fi
  log "initdb $DATA"
  local pwfile
  pwfile="$(mktemp)"
  echo "$PG_PASSWORD" >"$pwfile"
  chmod 644 "$pwfile"
  as_owner "$BINDIR/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 >&2 || as_owner "$BINDIR/initdb" -D "$DATA" \
    -U postgres --auth-local=trust --auth-host=scram-sha-256 --pwfile="$pwfile" -E UTF8 --locale=C >&2
  rm -f "$pwfile"
  cat >>"$DATA/postgresql.conf" <<EOF

# --- Gatehouse test cluster (e2e/scripts/postgres.sh) ---
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$SOCKET_DIR'
wal_level = logical
max_replication_slots = 16
max_wal_senders = 16
max_connections = 100
shared_buffers = 128MB
fsync = on
synchronous_commit = on
log_min_messages = warning
EOF
  cat >"$DATA/pg_hba.conf" <<EOF
local   all          all                      trust
local   replication  all                      trust
host    all          all        127.0.0.1/32  scram-sha-256
host    replication  all        127.0.0.1/32  scram-sha-256
EOF
}

start_server() {
  if is_running; then
    return 0
  fi
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT ($DATA)"
  as_owner "$BINDIR/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >&2
}

psql_admin() {
  as_owner "$BINDIR/psql" -h "$SOCKET_DIR" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"
}

ensure_role_and_db() {
  psql_admin <<EOF >/dev/null
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
    CREATE ROLE "$PG_USER" LOGIN REPLICATION PASSWORD '$PG_PASSWORD';
  ELSE
    ALTER ROLE "$PG_USER" LOGIN REPLICATION PASSWORD '$PG_PASSWORD';
  END IF;
END
\$\$;
EOF
  if [[ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != 1 ]]; then
    psql_admin -c "CREATE DATABASE \"$PG_DB\" OWNER \"$PG_USER\""
  fi
}

print_url() {
  echo "jdbc:postgresql://127.0.0.1:$PG_PORT/$PG_DB?user=$PG_USER&password=$PG_PASSWORD"
}

cmd="${1:-start}"
ensure_installed
pick_owner
case "$cmd" in
  start)
    init_cluster
    start_server
    ensure_role_and_db
    print_url
    ;;
  stop)
    if is_running; then
      log "stopping PostgreSQL ($DATA)"
      as_owner "$BINDIR/pg_ctl" -D "$DATA" -m fast -w stop >&2
    fi
    ;;
  restart)
    init_cluster
    if is_running; then
      log "restarting PostgreSQL ($DATA)"
      as_owner "$BINDIR/pg_ctl" -D "$DATA" -l "$LOG" -m fast -w -t 60 restart >&2
    else
      start_server
    fi
    ensure_role_and_db
    print_url
    ;;
  status)
    if is_running; then
      echo "running: $(print_url)"
    else
      echo "stopped"
      exit 3
    fi
    ;;
  url)
    print_url
    ;;
  *)
    echo "usage: $0 start|stop|restart|status|url" >&2
    exit 2
    ;;
esac
