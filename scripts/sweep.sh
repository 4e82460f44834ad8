#!/usr/bin/env bash
# Drops test databases (named gongjue_test_<unix time>_… and
# gongjue_tmpl_<unix time>_… by postgres/pgtest) older than an hour, then
# the test roles (gongjue_serve_<unix time>_…, pgtest.ServeRole) as old:
# left behind by earlier runs, and too old to belong to a test still running.
set -euo pipefail
admin=$(echo "$1" | sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\1/postgres#")
cutoff=$(( $(date +%s) - 3600 ))

# drop_old LIST DROP SUFFIX: runs `DROP "name" SUFFIX` for each name LIST
# selects that was born before the cutoff.
drop_old() {
  psql "$admin" -Atqc "$1" |
  while read -r name; do
    born=$(echo "$name" | sed -E 's/^gongjue_[a-z]+_([0-9]+)_.*/\1/')
    if [ "$born" -lt "$cutoff" ]; then
      psql "$admin" -qc "$2 \"$name\" $3" >/dev/null 2>&1 || true
    fi
  done
}

drop_old "SELECT datname FROM pg_database WHERE datname ~ '^gongjue_(test|tmpl)_[0-9]+_'" "DROP DATABASE IF EXISTS" "WITH (FORCE)"
drop_old "SELECT rolname FROM pg_roles WHERE rolname ~ '^gongjue_serve_[0-9]+_'" "DROP ROLE IF EXISTS" ""
