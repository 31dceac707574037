#!/usr/bin/env bash
# `linkage check` against the same seven checks written by hand (bench/checks_hand.sql) in the
# sqlite3 CLI, on the same register in the same run: all seven, then each alone (--only NAME).
# Both write CSV to a file. Prints median wall seconds, the ratio (linkage / sqlite3), median CPU
# seconds (user + sys: less disturbed than wall time by other work on a shared machine), peak RSS
# (/usr/bin/time %M), and the findings each found per check.
#
#   bench/checks.sh LINKAGE_BINARY (--scale district|province|nation|N | --db FILE) [--runs K] [--year Y] [--as-of D]
#
#   --scale S   make a sample register (`linkage sample --scale S --linked partial`) in a
#               temporary directory; the time to make it is not counted
#   --db FILE   use this register instead; it is opened read-write (a register of an older schema
#               is migrated), so give a copy of anything that matters
#   --runs K    timed runs of each, after one warm-up (default 3); the median is reported
#   --year Y    the year checked (default 2012, the year the samples fill); --as-of D the day
#               (default: the year's last day)
#
# Findings counts can differ where the engine and the hand SQL disagree; docs/performance.md
# ("The checks") lists the known differences. A difference is printed, not fatal.
set -euo pipefail

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; }
bin="" scale="" db="" runs=3 year=2012 as_of=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --scale) scale="${2:?--scale needs a value}"; shift 2 ;;
    --db) db="${2:?--db needs a file}"; shift 2 ;;
    --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
    --year) year="${2:?--year needs a year}"; shift 2 ;;
    --as-of) as_of="${2:?--as-of needs a day}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "checks: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) [[ -z "$bin" ]] || { echo "checks: one binary only" >&2; exit 2; }; bin="$1"; shift ;;
  esac
done
[[ -n "$bin" && ( -n "$scale" || -n "$db" ) ]] || { usage >&2; exit 2; }
[[ -x "$bin" ]] || { echo "checks: $bin is not an executable (build with: swift build -c release)" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "checks: --runs must be a positive integer" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "checks: the sqlite3 CLI is needed (apt-get install sqlite3)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "checks: /usr/bin/time is needed (apt-get install time)" >&2; exit 2; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-$(command -v python3)}"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/linkage-checks.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
if [[ -n "$scale" ]]; then
  db="$tmp/register.db"
  echo "checks: linkage sample --scale $scale --linked partial …" >&2
  "$bin" sample --db "$db" --scale "$scale" --linked partial >/dev/null
else
  [[ -f "$db" ]] || { echo "checks: no register at $db" >&2; exit 2; }
  "$bin" --db "$db" -e 'return 1' >/dev/null # migrate now, not inside a timed run
fi

# The period, as `linkage check` takes it (Check.swift, CheckPeriod).
year_end="$year-12-31"
as_of="${as_of:-$year_end}"
period_end=$([[ "$as_of" < "$year_end" ]] && echo "$as_of" || echo "$year_end")
year_days=$(( (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 366 : 365 ))
checks=(coverage quotas visits actions outcomes problems staff)

# sqlite3 input for the checks named: the parameters, CSV with one header line (printed, as
# sqlite3 prints none for a statement without rows), each check's statement from checks_hand.sql
# (the text after its `-- check: NAME` line).
hand_script() {
  printf '.parameter set :as_of "'"'%s'"'"\n.parameter set :year_start "'"'%s'"'"\n' "$as_of" "$year-01-01"
  printf '.parameter set :period_end "'"'%s'"'"\n.parameter set :year_days %s\n' "$period_end" "$year_days"
  printf '.mode csv\n.headers off\n.output %s\n.print check,severity,subject,area,expected,actual,message,subject_table,subject_id\n' "$tmp/hand.csv"
  local name
  for name in "$@"; do
    awk -v want="$name" '/^-- check: / { on = ($3 == want); next } on' "$here/checks_hand.sql"
  done
}

bench=checks
source "$here/lib.sh" # run_once, median

# Findings per check in CSV file $1, for the checks named after it: "name=count …".
count_findings() {
  "$python" - "$@" <<'PY'
import csv, sys
counts = {}
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        counts[row["check"]] = counts.get(row["check"], 0) + 1
print(" ".join(f"{c}={counts.get(c, 0)}" for c in sys.argv[2:]))
PY
}

households=$(sqlite3 "$db" "SELECT count(*) FROM household")
links=$(sqlite3 "$db" "SELECT count(*) FROM link")
echo "checks: $households households, $links links, $(du -h "$db" | cut -f1); checking $year as of $as_of, median of $runs runs after a warm-up" >&2

printf '\n%-9s %9s %9s %6s %9s %9s %6s %10s %10s  %s\n' "check" "linkage s" "sqlite3 s" "ratio" "linkage" "sqlite3" "ratio" "linkage" "sqlite3" "findings (linkage; sqlite3 when different)"
printf '%-9s %9s %9s %6s %9s %9s %6s %10s %10s\n' "" "wall" "wall" "" "CPU s" "CPU s" "CPU" "peak MB" "peak MB"
mismatch=0
for what in all "${checks[@]}"; do
  if [[ $what == all ]]; then names=("${checks[@]}"); only=""; else names=("$what"); only="--only $what"; fi
  hand_script "${names[@]}" > "$tmp/hand.sql"
  engine_cmd="$(printf '%q --db %q check --year %s --as-of %s %s --format csv -o %q' "$bin" "$db" "$year" "$as_of" "$only" "$tmp/engine.csv")"
  hand_cmd="$(printf 'sqlite3 -batch -bail %q < %q' "$db" "$tmp/hand.sql")"
  e_times=() h_times=() e_cpus=() h_cpus=() e_rss=0 h_rss=0
  for ((k = 0; k <= runs; k++)); do # run 0 is the warm-up; linkage check's exit 1 (an error found) is a result
    run_once "$engine_cmd" 1; e_s=$run_s e_c=$run_cpu; (( run_rss > e_rss )) && e_rss=$run_rss
    run_once "$hand_cmd"; h_s=$run_s h_c=$run_cpu; (( run_rss > h_rss )) && h_rss=$run_rss
    [[ $k -eq 0 ]] || { e_times+=("$e_s"); h_times+=("$h_s"); e_cpus+=("$e_c"); h_cpus+=("$h_c"); }
  done
  e_med=$(median "${e_times[@]}") h_med=$(median "${h_times[@]}") e_cpu=$(median "${e_cpus[@]}") h_cpu=$(median "${h_cpus[@]}")
  e_counts=$(count_findings "$tmp/engine.csv" "${names[@]}") h_counts=$(count_findings "$tmp/hand.csv" "${names[@]}")
  shown="$e_counts"
  if [[ "$e_counts" != "$h_counts" ]]; then shown="$e_counts; sqlite3: $h_counts"; mismatch=1; fi
  awk -v w="$what" -v e="$e_med" -v h="$h_med" -v ec="$e_cpu" -v hc="$h_cpu" -v er="$e_rss" -v hr="$h_rss" -v c="$shown" \
    'BEGIN { printf "%-9s %9.3f %9.3f %6.2f %9.2f %9.2f %6.2f %10.1f %10.1f  %s\n", w, e, h, e / h, ec, hc, (hc > 0 ? ec / hc : 0), er / 1024, hr / 1024, c }'
done
echo "(ratios = linkage / sqlite3; medians; peak MB = the most resident memory of any run; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
if [[ $mismatch -eq 1 ]]; then
  echo "checks: the engine and the hand SQL found different numbers of findings (see docs/performance.md, \"The checks\")"
fi
