#!/usr/bin/env bash
# `linkage export` against the sqlite3 CLI writing the same SQL as CSV (`sqlite3 -csv -header`),
# on the same register in the same run: a check's findings (`export --check NAME`, its statement
# from `linkage check --sql`), a whole table (`export household`, masked as linkage writes it by
# default, and with --show-pii), the same table through `export --sql`, and the table as Markdown
# (streamed; its peer is still sqlite3's CSV). Prints median wall seconds, the ratio (linkage /
# sqlite3), median CPU seconds (user + sys) and peak RSS (/usr/bin/time %M), and the rows written.
#
#   bench/exports.sh LINKAGE_BINARY (--scale district|province|nation|N | --db FILE) [--runs K] [--year Y] [--checks a,b]
#
#   --scale S   make a sample register (`linkage sample --scale S --linked partial`) in a
#               temporary directory; the time to make it is not counted
#   --db FILE   use this register instead (read only; a register of an older schema is refused:
#               migrate a copy first)
#   --runs K    timed runs of each, after one warm-up (default 3); the median is reported
#   --year Y    the year the checks look at (default 2012, the year the samples fill)
#   --checks L  the checks exported (default visits,coverage)
set -euo pipefail

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }
bin="" scale="" db="" runs=3 year=2012 checks="visits,coverage"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --scale) scale="${2:?--scale needs a value}"; shift 2 ;;
    --db) db="${2:?--db needs a file}"; shift 2 ;;
    --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
    --year) year="${2:?--year needs a year}"; shift 2 ;;
    --checks) checks="${2:?--checks needs names}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "exports: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) [[ -z "$bin" ]] || { echo "exports: one binary only" >&2; exit 2; }; bin="$1"; shift ;;
  esac
done
[[ -n "$bin" && ( -n "$scale" || -n "$db" ) ]] || { usage >&2; exit 2; }
[[ -x "$bin" ]] || { echo "exports: $bin is not an executable (build with: swift build -c release)" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "exports: --runs must be a positive integer" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "exports: the sqlite3 CLI is needed (apt-get install sqlite3)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "exports: /usr/bin/time is needed (apt-get install time)" >&2; exit 2; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/linkage-exports.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
if [[ -n "$scale" ]]; then
  db="$tmp/register.db"
  echo "exports: linkage sample --scale $scale --linked partial …" >&2
  "$bin" sample --db "$db" --scale "$scale" --linked partial >/dev/null
else
  [[ -f "$db" ]] || { echo "exports: no register at $db" >&2; exit 2; }
fi

bench=exports
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh" # run_once, median

# Data rows of a file (lines after the header; Markdown: after the header and its rule).
# sqlite3 writes no header for a statement without rows.
rows_of() { awk -v skip="$2" 'END { print (NR > skip ? NR - skip : 0) }' "$1"; }

# A contender: $1 label, $2 the linkage command (writes $tmp/linkage.$3), $3 the extension,
# $4 the SQL file sqlite3 runs (writes $tmp/sqlite3.csv).
compare() {
  local label="$1" engine_cmd="$2" ext="$3" sql="$4"
  local hand_cmd e_times=() h_times=() e_cpus=() h_cpus=() e_rss=0 h_rss=0 k
  hand_cmd="$(printf 'sqlite3 -readonly -batch -bail -csv -header %q < %q' "$db" "$sql")"
  for ((k = 0; k <= runs; k++)); do # run 0 is the warm-up
    run_once "$engine_cmd"; e_s=$run_s e_c=$run_cpu; (( run_rss > e_rss )) && e_rss=$run_rss
    run_once "$hand_cmd > $tmp/sqlite3.csv"; h_s=$run_s h_c=$run_cpu; (( run_rss > h_rss )) && h_rss=$run_rss
    [[ $k -eq 0 ]] || { e_times+=("$e_s"); h_times+=("$h_s"); e_cpus+=("$e_c"); h_cpus+=("$h_c"); }
  done
  local e_med h_med e_cpu h_cpu e_rows h_rows
  e_med=$(median "${e_times[@]}") h_med=$(median "${h_times[@]}") e_cpu=$(median "${e_cpus[@]}") h_cpu=$(median "${h_cpus[@]}")
  # Rows as lines: the same unless a cell holds a line break (sqlite3 and linkage both quote it).
  e_rows=$(rows_of "$tmp/linkage.$ext" "$([[ $ext == md ]] && echo 2 || echo 1)") h_rows=$(rows_of "$tmp/sqlite3.csv" 1)
  awk -v w="$label" -v e="$e_med" -v h="$h_med" -v ec="$e_cpu" -v hc="$h_cpu" -v er="$e_rss" -v hr="$h_rss" -v r="$e_rows" -v hrows="$h_rows" \
    'BEGIN { printf "%-26s %9.3f %9.3f %6.2f %9.2f %9.2f %6.2f %10.1f %10.1f  %s%s\n", w, e, h, e / h, ec, hc, (hc > 0 ? ec / hc : 0), er / 1024, hr / 1024, r, (r == hrows ? "" : "; sqlite3: " hrows) }'
}

households=$(sqlite3 -readonly "$db" "SELECT count(*) FROM household")
echo "exports: $households households, $(du -h "$db" | cut -f1); median of $runs runs after a warm-up" >&2
printf '\n%-26s %9s %9s %6s %9s %9s %6s %10s %10s  %s\n' "export" "linkage s" "sqlite3 s" "ratio" "linkage" "sqlite3" "ratio" "linkage" "sqlite3" "rows"
printf '%-26s %9s %9s %6s %9s %9s %6s %10s %10s\n' "" "wall" "wall" "" "CPU s" "CPU s" "CPU" "peak MB" "peak MB"

IFS=, read -r -a check_names <<<"$checks"
for name in "${check_names[@]}"; do
  "$bin" --db "$db" check --only "$name" --year "$year" --sql > "$tmp/check-$name.sql"
  compare "--check $name" "$(printf '%q --db %q export --check %s --year %s -o %q' "$bin" "$db" "$name" "$year" "$tmp/linkage.csv")" csv "$tmp/check-$name.sql"
done

echo 'SELECT * FROM "household" ORDER BY rowid;' > "$tmp/household.sql"
compare "household" "$(printf '%q --db %q export household -o %q' "$bin" "$db" "$tmp/linkage.csv")" csv "$tmp/household.sql"
compare "household --show-pii" "$(printf '%q --db %q export household --show-pii -o %q' "$bin" "$db" "$tmp/linkage.csv")" csv "$tmp/household.sql"
compare "--sql (household)" "$(printf '%q --db %q export --sql %q -o %q' "$bin" "$db" 'SELECT * FROM "household" ORDER BY rowid' "$tmp/linkage.csv")" csv "$tmp/household.sql"
compare "household, markdown" "$(printf '%q --db %q export household -o %q' "$bin" "$db" "$tmp/linkage.md")" md "$tmp/household.sql"
echo "(ratios = linkage / sqlite3 -csv on the same SQL; medians; peak MB = the most resident memory of any run; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
