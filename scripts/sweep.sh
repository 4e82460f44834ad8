#!/usr/bin/env bash
# Drops test databases (named gongjue_test_<unix time>_… and
# gongjue_tmpl_<unix time>_… by postgres/pgtest) older than an hour: left
# behind by earlier runs, and too old to belong to a test still running.
set -euo pipefail
admin=$(echo "$1" | sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\1/postgres#")
cutoff=$(( $(date +%s) - 3600 ))
psql "$admin" -Atqc "SELECT datname FROM pg_database WHERE datname ~ '^gongjue_(test|tmpl)_[0-9]+_'" |
while read -r db; do
  born=$(echo "$db" | sed -E 's/^gongjue_(test|tmpl)_([0-9]+)_.*/\2/')
  if [ "$born" -lt "$cutoff" ]; then
    psql "$admin" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
done
