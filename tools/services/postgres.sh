#!/usr/bin/env bash
# Starts, stops or reports a throw-away PostgreSQL (>= 15, for MERGE) used to test the SQL semantics of
# the warehouse loader. Usage: tools/services/postgres.sh start|stop|status|url
#
# - Installs Debian's `postgresql` package when no server binaries are found (needs root and apt).
# - Keeps the cluster in .local/postgres/data, its socket and log in .local/postgres/.
# - Listens on 127.0.0.1:${PGPORT:-55432} only, trust authentication for the `postgres` role, and creates
#   the database ${PGDATABASE:-etl_test}.
# - Idempotent: `start` on a running cluster only makes sure the database exists.
# - Runs with wal_level=logical (and room for replication slots) so change data capture can decode
#   the log, and track_commit_timestamp=on so tests can check history ranges against commit times
#   (tests/integration/cdc); a cluster already running without it is restarted by `start`.
# - PostgreSQL refuses to run as root, so when run as root (CI containers) the server runs as the
#   `postgres` system user (created by the package; created here if missing) via runuser.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
port=${PGPORT:-55432}
database=${PGDATABASE:-etl_test}
superuser=postgres
min_major=15
dir="$root/.local/postgres"
# As root the server runs as the postgres user, which must reach the cluster directory. When the
# checkout sits below a directory it cannot search (e.g. /root), use a fixed per-checkout directory
# under /var/tmp instead, so start, stop and status always agree on where the cluster is.
if [ "$(id -u)" -eq 0 ] && id "$superuser" >/dev/null 2>&1; then
  mkdir -p "$dir"
  if ! (cd / && runuser -u "$superuser" -- test -x "$dir"); then
    dir="/var/tmp/etl-platform-postgres-$(printf '%s' "$root" | md5sum | cut -c1-12)"
  fi
fi
data="$dir/data"
log="$dir/postgres.log"

find_bin() {
  local candidate
  if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/pg_ctl" ]; then echo "$PG_BIN"; return 0; fi
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
    if [ -x "$candidate/pg_ctl" ] && [ -x "$candidate/initdb" ]; then echo "$candidate"; return 0; fi
  done
  return 1
}

install_server() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL server binaries not found and not running as root: install them with 'sudo apt-get install -y postgresql' (>= $min_major) or set PG_BIN to a bin directory" >&2
    exit 1
  fi
  echo "installing PostgreSQL from the distribution's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
}

bin=$(find_bin || true)
if [ -z "$bin" ] && [ "${1:-}" = "start" ]; then
  install_server
  bin=$(find_bin || true)
fi
if [ -z "$bin" ]; then
  echo "PostgreSQL server binaries not found; run '$0 start' as root to install them" >&2
  exit 1
fi
major=$("$bin/pg_ctl" --version | awk '{ split($3, v, "."); print v[1] }')
if [ "$major" -lt "$min_major" ]; then
  echo "PostgreSQL $major found in $bin, but MERGE needs >= $min_major; install postgresql-$min_major or newer and set PG_BIN" >&2
  exit 1
fi

# Runs a server-side command as the cluster owner: ourselves, or the postgres system user when root.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    # From / so the postgres user never needs to enter the caller's working directory.
    (cd / && runuser -u "$superuser" -- "$@")
  else
    "$@"
  fi
}

prepare_owner() {
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    if ! id "$superuser" >/dev/null 2>&1; then
      useradd --system --home-dir "$dir" --shell /usr/sbin/nologin "$superuser"
    fi
    chown "$superuser" "$dir"
    if [ -d "$data" ]; then chown -R "$superuser" "$data"; fi
    if ! (cd / && runuser -u "$superuser" -- test -w "$dir"); then
      echo "the '$superuser' user cannot write $dir: every parent directory must be searchable (chmod o+x) by it" >&2
      exit 1
    fi
  fi
}

is_ready() {
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$superuser" >/dev/null 2>&1
}

psql_run() {
  "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$superuser" -d postgres "$@"
}

ensure_database() {
  if [ "$(psql_run -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'")" != "1" ]; then
    psql_run -c "CREATE DATABASE \"$database\""
  fi
}

case "${1:-}" in
  start)
    if is_ready && [ "$(psql_run -tAc "SHOW wal_level")$(psql_run -tAc "SHOW track_commit_timestamp")" != "logicalon" ] && [ -f "$data/postmaster.pid" ]; then
      # Ours, but started before logical decoding was needed: restart it with the options below.
      as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    fi
    if is_ready; then
      ensure_database
      echo "postgres already listening on 127.0.0.1:$port (database $database)"
      exit 0
    fi
    prepare_owner
    if [ ! -f "$data/PG_VERSION" ]; then
      rm -rf "$data"
      as_owner "$bin/initdb" -D "$data" -U "$superuser" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        { echo "initdb failed; see $dir/initdb.log" >&2; tail -n 20 "$dir/initdb.log" >&2; exit 1; }
    fi
    as_owner touch "$log"
    as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c wal_level=logical -c max_replication_slots=20 -c max_wal_senders=20 -c track_commit_timestamp=on" start >/dev/null ||
      { echo "postgres did not start; see $log" >&2; tail -n 20 "$log" >&2; exit 1; }
    for _ in $(seq 1 60); do
      if is_ready; then
        ensure_database
        echo "postgres listening on 127.0.0.1:$port (database $database)"
        exit 0
      fi
      sleep 0.5
    done
    echo "postgres did not accept connections within 30 s; see $log" >&2; tail -n 20 "$log" >&2; exit 1
    ;;
  stop)
    if [ -f "$data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
    fi
    echo "postgres stopped"
    ;;
  status)
    if is_ready; then echo "up on $port"; else echo "down"; exit 1; fi
    ;;
  url)
    echo "postgres://$superuser@127.0.0.1:$port/$database"
    ;;
  *)
    echo "usage: $0 start|stop|status|url" >&2; exit 2
    ;;
esac
