#!/usr/bin/env bash
# How fast `linkage sample` writes a register, against the sqlite3 CLI loading the same number of
# household rows from a CSV.
#
#   bench/sample_speed.sh PATH/TO/RELEASE/linkage [--nation] [--keep]
#
# 1. Times `linkage sample --scale province` into a new file in a temporary directory and reports
#    rows per second: every row written, across all tables, over the wall-clock seconds.
# 2. Exports that register's households to a CSV (not timed), then times the sqlite3 CLI loading
#    them into an equivalent `household` table: the register's own CREATE TABLE (its foreign key
#    dropped, there being no village table) with the same settings the sample's bulk load uses
#    (synchronous OFF, 256 MiB cache, CHECK constraints not evaluated, indexes built after the
#    rows). `.import` reads every field as text and empty fields as '' rather than NULL, so the
#    rows go through a staging table and `INSERT … SELECT nullif(…)`, as one does by hand.
# 3. Prints both rates and their ratio.
#
# --nation also times `linkage sample --scale nation` (tens of GB, many minutes; no comparison).
# --keep leaves the temporary directory in place and prints its path.
set -euo pipefail

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; }
linkage="" nation=0 keep=0
for arg in "$@"; do
  case "$arg" in
    --nation) nation=1 ;;
    --keep) keep=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "sample_speed: unknown option $arg (try --help)" >&2; exit 2 ;;
    *) [[ -z "$linkage" ]] || { echo "sample_speed: one binary only" >&2; exit 2; }; linkage="$arg" ;;
  esac
done
[[ -n "$linkage" ]] || { usage >&2; exit 2; }
[[ -x "$linkage" ]] || { echo "sample_speed: $linkage is not an executable (build with: swift build -c release)" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "sample_speed: the sqlite3 CLI is needed (apt-get install sqlite3)" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/sample_speed.XXXXXX")"
if [[ $keep -eq 1 ]]; then echo "files in $work"; else trap 'rm -rf "$work"' EXIT; fi

now() { date +%s.%N; }
# awk does the arithmetic: no bc on a minimal machine.
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
# 1234567 -> 1,234,567
group() { echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }

# Runs `linkage sample` with the given scale; sets rows and seconds.
sample() {
  local scale="$1" db="$work/$1.db"
  local start end
  start=$(now)
  "$linkage" sample --db "$db" --scale "$scale" > "$work/$scale.out"
  end=$(now)
  seconds=$(calc "%.3f" "$end - $start")
  rows=$(awk '$1 == "total" { gsub(",", "", $2); print $2 }' "$work/$scale.out")
  sed 's/^/    /' "$work/$scale.out"
  echo "  linkage sample --scale $scale: $(group "$rows") rows in $seconds s (wall clock) = $(group "$(calc "%.0f" "$rows / $seconds")") rows/s, file $(du -h "$db" | cut -f1)"
}

echo "== linkage sample --scale province"
sample province
sample_rows=$rows sample_seconds=$seconds
sample_rate=$(calc "%.0f" "$sample_rows / $sample_seconds")

echo "== sqlite3 CLI: .import of the same households"
households=$(sqlite3 "$work/province.db" "SELECT count(*) FROM household")
sqlite3 -csv "$work/province.db" "SELECT * FROM household ORDER BY id" > "$work/household.csv"
table_sql=$(sqlite3 "$work/province.db" "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'household'" \
  | sed 's/ REFERENCES village (id)//')
index_sql=$(sqlite3 "$work/province.db" "SELECT sql || ';' FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'household' AND sql IS NOT NULL")
columns=$(sqlite3 "$work/province.db" "SELECT group_concat(name, ', ') FROM pragma_table_info('household')")
nullable=$(sqlite3 "$work/province.db" "SELECT group_concat(CASE WHEN \"notnull\" THEN name ELSE 'nullif(' || name || ', '''')' END, ', ') FROM pragma_table_info('household')")
staging=$(sqlite3 "$work/province.db" "SELECT group_concat(name || ' TEXT', ', ') FROM pragma_table_info('household')")
cat > "$work/load.sql" <<SQL
PRAGMA journal_mode = DELETE;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -262144;
PRAGMA ignore_check_constraints = ON;
$table_sql;
CREATE TEMP TABLE staging ($staging);
.import --csv $work/household.csv staging
INSERT INTO household ($columns) SELECT $nullable FROM staging;
$index_sql
SQL
rm -f "$work/import.db"
start=$(now)
sqlite3 "$work/import.db" < "$work/load.sql" > /dev/null
end=$(now)
import_seconds=$(calc "%.3f" "$end - $start")
loaded=$(sqlite3 "$work/import.db" "SELECT count(*) FROM household")
[[ "$loaded" == "$households" ]] || { echo "sample_speed: sqlite3 loaded $loaded of $households households" >&2; exit 1; }
import_rate=$(calc "%.0f" "$households / $import_seconds")
echo "  sqlite3 .import: $(group "$households") household rows in $import_seconds s = $(group "$import_rate") rows/s"

echo "== ratio"
echo "  linkage sample writes $(calc "%.2f" "$sample_rate / $import_rate") times as many rows per second as sqlite3 .import"
echo "  ($(group "$sample_rate") rows/s across all tables against $(group "$import_rate") rows/s of households)"

if [[ $nation -eq 1 ]]; then
  echo "== linkage sample --scale nation"
  rm -f "$work/province.db" "$work/import.db" "$work/household.csv"
  sample nation
fi
