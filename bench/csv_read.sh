#!/usr/bin/env bash
# Reading a CSV file of a GB and more as a stream (issue #11, "Reading streams too"): linkage's
# reader against python3's csv module (C) on the same file, UTF-8 and GB18030, in the same run.
#
#   bench/csv_read.sh LINKAGE_BINARY (--db SOURCE | --scale province|N) [--copies K] [--runs R]
#
#   --db FILE   the register whose households are exported (`linkage export households --show-pii`)
#   --scale S   make one instead (`linkage sample --scale S`, not timed)
#   --copies K  the file is the export's header and K copies of its rows (default 8: about 1.1 GB
#               from a province's 1,000,000 households)
#   --runs R    timed runs of each (default 1); the median is reported
#
# linkage reads the file as `linkage import areas FILE` into an empty register: the header names
# no column of areas, so the import refuses it after one pass over the rows, which it reads (a
# MiB at a time, decoded, parsed, each record made a row of cells and counted) and does nothing
# else with; exit code 2 is the expected result, and its first line must give the row count. The
# peer counts the records of csv.reader over the same file. Prints wall and CPU seconds (user +
# sys) and peak resident memory (/usr/bin/time %M) of each, and the ratio of CPU seconds.
set -euo pipefail

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; }
bin="" scale="" src="" copies=8 runs=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --scale) scale="${2:?--scale needs a value}"; shift 2 ;;
    --db) src="${2:?--db needs a file}"; shift 2 ;;
    --copies) copies="${2:?--copies needs a number}"; shift 2 ;;
    --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "csv_read: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) [[ -z "$bin" ]] || { echo "csv_read: one binary only" >&2; exit 2; }; bin="$1"; shift ;;
  esac
done
[[ -n "$bin" && ( -n "$scale" || -n "$src" ) ]] || { usage >&2; exit 2; }
[[ -x "$bin" ]] || { echo "csv_read: $bin is not an executable (build with: swift build -c release)" >&2; exit 2; }
[[ "$copies" =~ ^[1-9][0-9]*$ ]] || { echo "csv_read: --copies must be a positive integer" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "csv_read: --runs must be a positive integer" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "csv_read: /usr/bin/time is needed (apt-get install time)" >&2; exit 2; }
python="${PYTHON:-$(command -v python3)}"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/linkage-csv-read.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
bench=csv_read
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [[ -n "$scale" ]]; then
  src="$tmp/source.db"
  echo "csv_read: linkage sample --scale $scale …" >&2
  "$bin" sample --db "$src" --scale "$scale" >/dev/null
fi
[[ -f "$src" ]] || { echo "csv_read: no register at $src" >&2; exit 2; }

echo "csv_read: linkage export households --show-pii, $copies copies of its rows …" >&2
"$bin" --db "$src" export households --show-pii -o "$tmp/one.csv" >/dev/null
{ head -n 1 "$tmp/one.csv"; for ((i = 0; i < copies; i++)); do tail -n +2 "$tmp/one.csv"; done; } > "$tmp/utf8.csv"
rm "$tmp/one.csv"
iconv -f UTF-8 -t GB18030 "$tmp/utf8.csv" > "$tmp/gb18030.csv"
"$bin" init --db "$tmp/empty.db" >/dev/null

printf '\n%-9s %10s %8s %9s %9s %6s %9s %9s %9s %9s\n' "encoding" "rows" "MB" "linkage" "python3" "" "linkage" "python3" "linkage" "python3"
printf '%-9s %10s %8s %9s %9s %6s %9s %9s %9s %9s\n' "" "" "" "wall s" "wall s" "" "CPU s" "CPU s" "peak MB" "peak MB"
for enc in utf8 gb18030; do
  file="$tmp/$enc.csv"
  pyenc=$([[ $enc == utf8 ]] && echo utf-8 || echo gb18030)
  l_s=() p_s=() l_c=() p_c=() l_rss=0 p_rss=0 rows=""
  for ((k = 0; k < runs; k++)); do
    run_once "$(printf '%q --db %q import areas %q' "$bin" "$tmp/empty.db" "$file")" 2
    l_s+=("$run_s"); l_c+=("$run_cpu"); (( run_rss > l_rss )) && l_rss=$run_rss
    rows=$(sed -n 's/.*, \([0-9]*\) rows$/\1/p' "$tmp/out")
    [[ -n "$rows" ]] || { echo "csv_read: linkage did not report a row count: $(head -c 500 "$tmp/out")" >&2; exit 1; }
    run_once "$(printf '%q -c %q %q %q' "$python" 'import csv, sys
n = 0
with open(sys.argv[1], newline="", encoding=sys.argv[2]) as f:
    for _ in csv.reader(f): n += 1
print(n - 1)' "$file" "$pyenc")"
    p_s+=("$run_s"); p_c+=("$run_cpu"); (( run_rss > p_rss )) && p_rss=$run_rss
    [[ "$(cat "$tmp/out")" == "$rows" ]] || { echo "csv_read: MISMATCH: linkage read $rows rows, python3 $(cat "$tmp/out")" >&2; exit 1; }
  done
  awk -v e="$enc" -v n="$rows" -v mb="$(stat -c %s "$file")" -v ls="$(median "${l_s[@]}")" -v ps="$(median "${p_s[@]}")" \
      -v lc="$(median "${l_c[@]}")" -v pc="$(median "${p_c[@]}")" -v lr="$l_rss" -v pr="$p_rss" \
    'BEGIN { printf "%-9s %10d %8.0f %9.2f %9.2f %6s %9.2f %9.2f %9.1f %9.1f\n", e, n, mb / 1048576, ls, ps, "", lc, pc, lr / 1024, pr / 1024;
             printf "%-9s CPU ratio linkage / python3: %.2f\n", "", lc / pc }'
done
echo "(linkage: import areas into an empty register, refused at the header after reading every row; python3: csv.reader;"
echo " $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
