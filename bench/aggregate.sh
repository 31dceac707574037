#!/usr/bin/env bash
# aggregate{} and pivot{} on a register (read-only: the province register is not copied) against
# the same SQL in the sqlite3 CLI; for pivot the CLI also runs the statement that finds the
# column values, as linkage does.
#   bench/aggregate.sh LINKAGE_BINARY REGISTER [RUNS]
set -euo pipefail
bin="${1:?usage: bench/aggregate.sh LINKAGE_BINARY REGISTER [RUNS]}"
db="${2:?usage: bench/aggregate.sh LINKAGE_BINARY REGISTER [RUNS]}"
runs="${3:-3}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# The sqlite3 CLI's own timer, the statements of one run summed, median of runs.
sqlite_time() {
  local per_run="$1"; shift
  (printf '.timer on\n.output /dev/null\n'; for _ in $(seq "$runs"); do for sql in "$@"; do printf '%s;\n' "$sql"; done; done) |
    sqlite3 -readonly "$db" | grep 'Run Time' | awk -v k="$per_run" '{ s += $4 } NR % k == 0 { print s; s = 0 }' | median
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "aggregate and pivot on $db, median of $runs (seconds; ratio = linkage / sqlite3 CLI)"
printf '%-58s %9s %9s %7s %6s\n' "work" "linkage" "sqlite3" "ratio" "rows"
distinct="SELECT DISTINCT household.main_cause FROM household ORDER BY 1 LIMIT 201"
for job in aggregate pivot pivot_avg; do
  out=$("$bin" --db "$db" --read-only run "$here/aggregate.lua" "$job" "$runs")
  read -r seconds count <<< "$(head -1 <<< "$out")"
  sql=$(tail -n +2 <<< "$out")
  case "$job" in
    aggregate) label="group_by(township, main_cause):aggregate{count, avg, sum}"; cli=$(sqlite_time 1 "$sql") ;;
    pivot) label="pivot{ township × main_cause, count } (2 statements)"; cli=$(sqlite_time 2 "$distinct" "$sql") ;;
    pivot_avg) label="pivot{ township × main_cause, avg income }"; cli=$(sqlite_time 2 "$distinct" "$sql") ;;
  esac
  printf '%-58s %9s %9s %7s %6s\n' "$label" "$seconds" "$cli" "$(ratio "$seconds" "$cli")" "$count"
done
