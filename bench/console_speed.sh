#!/usr/bin/env bash
# The console on a province register (about 1,000,000 households): launch to first prompt against
# the sqlite3 shell and lua5.4 on the same machine in the same run, a completion of a township
# name, and rendering a 1,000-row page.   bench/console_speed.sh LINKAGE [RUNS]
set -euo pipefail
linkage="${1:?usage: console_speed.sh LINKAGE [RUNS]}"
runs="${2:-5}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
db="${PROVINCE_DB:-${TMPDIR:-/tmp}/linkage-bench-province.db}"
if [[ ! -s "$db" ]]; then
  echo "bench: making a province register at $db (once; PROVINCE_DB to reuse another)" >&2
  "$linkage" sample --db "$db" --scale province >&2
fi
echo "console on $(du -h "$db" | cut -f1) ($("$linkage" --db "$db" -e 'return households:count()') households), median of $runs runs"
echo
python3 "$root/bench/console_speed.py" "$linkage" "$db" "$runs"
