#!/usr/bin/env bash
# Prints a DATABASE_URL for a PostgreSQL server that answers, starting one if
# need be:
#   1. $DATABASE_URL when set;
#   2. a server answering on 127.0.0.1:5432 (trust auth, user postgres);
#   3. a private cluster under ./.data/pg on 127.0.0.1:54329, installing
#      Debian's postgresql package first when it is missing.
# The named database (first argument, default "gongjue") is created if absent;
# with GONGJUE_RESET_DB=1 it is dropped first (make reset-demo).
# Messages go to stderr; stdout carries only the URL.
set -euo pipefail
cd "$(dirname "$0")/.."
dbname=${1:-gongjue}

say() { echo "db: $*" >&2; }

with_db() { # URL $1 with its database replaced by $2
  echo "$1" | sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\1/$2#"
}

ensure_db() { # create database $2 on the server of URL $1
  local admin=$1 name=$2
  if [ "${GONGJUE_RESET_DB:-}" = 1 ]; then
    psql "$admin" -qc "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >&2
    say "dropped database $name"
  fi
  if ! psql "$admin" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
    psql "$admin" -qc "CREATE DATABASE \"$name\"" >&2
    say "created database $name"
  fi
}

need_client() {
  command -v psql >/dev/null 2>&1 && return
  say "installing postgresql-client"
  as_root apt-get install -y -qq postgresql-client >&2
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

if [ -n "${DATABASE_URL:-}" ]; then
  need_client
  if [ "${GONGJUE_RESET_DB:-}" = 1 ]; then # the URL's own database, dropped from the server's postgres one
    name=$(echo "$DATABASE_URL" | sed -E 's#^postgres(ql)?://[^/?]*/?([^?]*).*#\2#')
    ensure_db "$(with_db "$DATABASE_URL" postgres)" "${name:-$dbname}"
  fi
  echo "$DATABASE_URL"
  exit 0
fi

local_url="postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432 \
   && psql "$local_url" -Atqc 'SELECT 1' >/dev/null 2>&1; then
  ensure_db "$local_url" "$dbname"
  with_db "$local_url" "$dbname"
  exit 0
fi

# A private cluster of our own.
port=54329
data=$PWD/.data/pg
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  say "installing Debian's postgresql package"
  as_root apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >&2
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
run_pg() { # PostgreSQL refuses to run as root: use the postgres user then.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ ! -f "$data/PG_VERSION" ]; then
  mkdir -p "$data"
  [ "$(id -u)" = 0 ] && chown postgres: "$data"
  say "initialising a private cluster in $data"
  run_pg "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >&2
fi
if ! run_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  say "starting the private cluster on 127.0.0.1:$port"
  run_pg "$bin/pg_ctl" -D "$data" -w -l "$data/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c max_connections=200" start >&2
fi
admin="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
ensure_db "$admin" "$dbname"
with_db "$admin" "$dbname"
