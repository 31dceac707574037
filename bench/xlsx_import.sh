#!/usr/bin/env bash
# Reading and importing an XLSX workbook of a province's households as a stream (issue #11,
# "Reading streams too"): linkage against python3's openpyxl in read-only mode (its streaming
# reader) on the same file, in the same run, with peak memory; and, with --before, an older linkage
# binary on the same files (before and after figures).
#
#   bench/xlsx_import.sh LINKAGE_BINARY (--db SOURCE | --scale province|N) [--rows "N …"] [--runs K] [--before BINARY]
#
#   --db FILE      the register whose households are exported (only read)
#   --scale S      make one instead (`linkage sample --scale S`, not timed)
#   --rows L       the household counts, space-separated (default "200000 1000000"; a count larger
#                  than the register's households is cut to them)
#   --runs K       timed runs of each (default 1); the median is reported
#   --before BIN   another linkage binary to time on the same files (one that reads sheets whole
#                  refuses a sheet over its limits: shown as "refused")
#
# For each count N the file is `linkage export households --show-pii` of a register holding the
# source's areas, villages and its first N households (copied across with sqlite3, not timed): the
# columns import reads, inline strings, one sheet. Contenders:
#
#   read      `linkage import areas FILE` into an empty register: the header names no column of
#             areas, so the import refuses it (exit 2) after one pass over the rows, which it reads
#             (unpacked, scanned, each row made cells and counted) and does nothing else with; its
#             first line gives the row count.
#   import    `linkage import households FILE --update` into a copy of that register: every row is
#             read, converted, checked, matched by id and found unchanged, nothing written.
#   openpyxl  python3: load_workbook(read_only=True), every row's values counted.
#
# Prints wall and CPU seconds (user + sys) and peak resident memory (/usr/bin/time %M).
set -euo pipefail

usage() { sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; }
bin="" scale="" src="" runs=1 before="" rows_list="200000 1000000"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --scale) scale="${2:?--scale needs a value}"; shift 2 ;;
    --db) src="${2:?--db needs a file}"; shift 2 ;;
    --rows) rows_list="${2:?--rows needs counts}"; shift 2 ;;
    --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
    --before) before="${2:?--before needs a binary}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "xlsx_import: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) [[ -z "$bin" ]] || { echo "xlsx_import: one binary only" >&2; exit 2; }; bin="$1"; shift ;;
  esac
done
[[ -n "$bin" && ( -n "$scale" || -n "$src" ) ]] || { usage >&2; exit 2; }
[[ -x "$bin" ]] || { echo "xlsx_import: $bin is not an executable (build with: swift build -c release)" >&2; exit 2; }
[[ -z "$before" || -x "$before" ]] || { echo "xlsx_import: --before $before is not an executable" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "xlsx_import: --runs must be a positive integer" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "xlsx_import: the sqlite3 CLI is needed (apt-get install sqlite3)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "xlsx_import: /usr/bin/time is needed (apt-get install time)" >&2; exit 2; }
# Debian's python3, which has python3-openpyxl (scripts/setup.sh installs it), unless PYTHON says otherwise.
python="${PYTHON:-/usr/bin/python3}"
"$python" -c 'import openpyxl' 2>/dev/null || { echo "xlsx_import: $python has no openpyxl (apt-get install python3-openpyxl)" >&2; exit 2; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/linkage-xlsx-import.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
bench=xlsx_import
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [[ -n "$scale" ]]; then
  src="$tmp/source.db"
  echo "xlsx_import: linkage sample --scale $scale …" >&2
  "$bin" sample --db "$src" --scale "$scale" >/dev/null
fi
[[ -f "$src" ]] || { echo "xlsx_import: no register at $src" >&2; exit 2; }
total=$(sqlite3 "$src" "SELECT count(*) FROM household")

"$bin" init --db "$tmp/empty.db" >/dev/null
"$bin" init --db "$tmp/villages.db" >/dev/null
sqlite3 -bail "$tmp/villages.db" "ATTACH '$src' AS src; BEGIN; INSERT INTO area SELECT * FROM src.area; INSERT INTO village SELECT * FROM src.village; COMMIT;"

# Whether the --before binary refused the file (its message, cut, in c_reason): a reader of whole
# sheets refuses one over its limits, and FoundationXML's parser gave up on large sheets.
refused() {
  [[ "$1" == "$before" ]] && grep -q '^linkage: ' "$tmp/err" || return 1
  c_rows=refused c_reason="$(sed -n 's/^linkage: [^:]*: //p' "$tmp/err" | head -n 1 | cut -c1-110)"
}

# One contender's runs: sets c_wall, c_cpu, c_rss and c_rows ("refused" when a --before binary refuses the file).
contender() { # $1 kind (read|import|openpyxl), $2 binary or "", $3 file, $4 register to copy for import
  local walls=() cpus=() rss=0 k
  c_rows=""
  for ((k = 0; k < runs; k++)); do
    case $1 in
      read)
        run_once "$(printf '%q --db %q import areas %q' "$2" "$tmp/empty.db" "$3")" 2
        c_rows=$(sed -n '1s/.*, \([0-9]*\) rows$/\1/p' "$tmp/out")
        if [[ -z "$c_rows" ]]; then
          refused "$2" || { echo "xlsx_import: $2 did not report a row count: $(head -c 600 "$tmp/out" "$tmp/err")" >&2; exit 1; }
        fi ;;
      import)
        cp "$4" "$tmp/i.db"
        if [[ "$2" == "$before" ]]; then run_once "$(printf '%q --db %q import households %q --update' "$2" "$tmp/i.db" "$3")" 2
        else run_once "$(printf '%q --db %q import households %q --update' "$2" "$tmp/i.db" "$3")"; fi
        c_rows=$(sed -n 's/^imported \([0-9]*\) households from .*: 0 added, 0 updated, \([0-9]*\) unchanged$/\2/p' "$tmp/out")
        if [[ -z "$c_rows" ]]; then
          refused "$2" || { echo "xlsx_import: $2 did not import: $(head -c 600 "$tmp/out" "$tmp/err")" >&2; exit 1; }
        fi ;;
      openpyxl)
        run_once "$(printf '%q -c %q %q' "$python" 'import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
n = cells = 0
for row in wb.worksheets[0].iter_rows(values_only=True):
    n += 1
    cells += sum(v is not None for v in row)
print(n - 1)' "$3")"
        c_rows=$(cat "$tmp/out") ;;
    esac
    walls+=("$run_s"); cpus+=("$run_cpu"); (( run_rss > rss )) && rss=$run_rss
  done
  c_wall=$(median "${walls[@]}") c_cpu=$(median "${cpus[@]}") c_rss=$rss
}

row() { # name rows
  if [[ "$2" == refused ]]; then
    awk -v name="$1" -v s="$c_wall" -v r="$c_rss" -v why="$c_reason" 'BEGIN { printf "  %-34s %9s %9.2f %9s %9.1f   refused: %s\n", name, "", s, "", r / 1024, why }'
  else
    awk -v name="$1" -v n="$2" -v s="$c_wall" -v c="$c_cpu" -v r="$c_rss" 'BEGIN { printf "  %-34s %9d %9.2f %9.2f %9.1f %10d\n", name, n, s, c, r / 1024, n / s }'
  fi
}

echo "xlsx_import: source $src: $total households; median of $runs run(s)" >&2
for n in $rows_list; do
  (( n > total )) && n=$total
  cp "$tmp/villages.db" "$tmp/with.db"
  sqlite3 -bail "$tmp/with.db" "ATTACH '$src' AS src; BEGIN;
    INSERT INTO household SELECT * FROM src.household WHERE id IN (SELECT id FROM src.household ORDER BY id LIMIT $n); COMMIT;"
  file="$tmp/households-$n.xlsx"
  echo "xlsx_import: linkage export households --show-pii ($n rows) …" >&2
  "$bin" --db "$tmp/with.db" export households --show-pii -o "$file" >/dev/null
  sheet=$(unzip -l "$file" 2>/dev/null | awk '/sheet1.xml/ { print $1 }')
  echo
  printf '%d households: %s packed, the sheet %s unpacked, no shared strings part: %s\n' "$n" \
    "$(du -h "$file" | cut -f1)" "$(awk -v b="${sheet:-0}" 'BEGIN { printf "%.0f MB", b / 1e6 }')" \
    "$(unzip -l "$file" | grep -q sharedStrings && echo "no (it has one)" || echo "yes (inline strings)")"
  printf '  %-34s %9s %9s %9s %9s %10s\n' "contender" "rows" "wall s" "CPU s" "peak MB" "rows/s"
  contender read "$bin" "$file"; l_rows=$c_rows; row "linkage read (import areas)" "$c_rows"; l_cpu=$c_cpu
  contender import "$bin" "$file" "$tmp/with.db"; row "linkage import households --update" "$c_rows"
  [[ "$c_rows" == "$n" ]] || { echo "xlsx_import: MISMATCH: linkage found $c_rows of $n households unchanged" >&2; exit 1; }
  if [[ -n "$before" ]]; then
    contender read "$before" "$file"; row "before: read" "$c_rows"
    contender import "$before" "$file" "$tmp/with.db"; row "before: import --update" "$c_rows"
  fi
  contender openpyxl "" "$file"; row "python3 openpyxl read_only" "$c_rows"
  [[ "$c_rows" == "$l_rows" ]] || { echo "xlsx_import: MISMATCH: linkage read $l_rows rows, openpyxl $c_rows" >&2; exit 1; }
  awk -v l="$l_cpu" -v p="$c_cpu" 'BEGIN { printf "  CPU ratio linkage read / openpyxl: %.2f\n", l / p }'
  rm -f "$file" "$tmp/with.db" "$tmp/i.db"
done
echo "($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
