#!/usr/bin/env bash
# `linkage import households` against the same rows loaded by hand in the sqlite3 CLI, in the same
# run (issue #11, "Set-based imports": the goal is within 2x of the hand load).
#
#   bench/import.sh LINKAGE_BINARY (--db SOURCE | --scale province|N) [--rows "N …"] [--runs K] [--warmup W]
#
#   --db FILE   the register whose households are exported (opened read-only: `linkage export`)
#   --scale S   make one instead (`linkage sample --scale S`, not timed)
#   --rows L    the row counts to time, space-separated (default "200000 1000000"; a count larger
#               than the register's households is cut to them)
#   --runs K    timed runs of each (default 1: a run at 1,000,000 rows takes minutes); the median
#               is reported
#   --warmup W  untimed runs of each first (default 1; 0 on a machine where a million rows are too
#               slow to load twice)
#
# The file is the import's own: `linkage export households --show-pii` writes the columns import
# reads (id first, the village by its 12-digit code). Three imports of N households:
#
#   new      the file without its id column into a register that holds the source's areas and
#            villages but no households (copied across with sqlite3, not timed): every row is
#            added. A register of villages alone, not a province with households deleted: deleting
#            them would mean deleting their links, visits and activities, and the audit log would
#            carry a million deletions into every run.
#   same     the exported file with --update into a register that holds those N households (the
#            same ids, copied across): every row is read, checked, matched by id and found unchanged.
#   changed  the same with every row's income changed by 1 yuan: every row is updated (and audited).
#
# The peer for each, in the sqlite3 CLI: `.import` of the same CSV into a TEMP staging table, then
# one INSERT … SELECT (new) or UPDATE … FROM (same, changed; only rows that differ) joined to
# `village` by code, in one transaction with foreign keys on, so the register's CHECK constraints,
# its household-village trigger and its audit triggers fire per row as they do for linkage. The peer
# does not check what linkage checks before writing (resident ID checksums, dates, duplicates in the
# file, references that miss, with a message per cell) and does not seal the audit log's hash chain
# (SHA-256 per change) at the end; linkage does both.
#
# Prints median wall seconds, the ratio linkage / sqlite3, median CPU seconds and peak RSS
# (/usr/bin/time %M), and checks that both left the same households (a digest of the rows).
set -euo pipefail

usage() { sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; }
bin="" scale="" src="" runs=1 warmup=1 rows_list="200000 1000000"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --scale) scale="${2:?--scale needs a value}"; shift 2 ;;
    --db) src="${2:?--db needs a file}"; shift 2 ;;
    --rows) rows_list="${2:?--rows needs counts}"; shift 2 ;;
    --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
    --warmup) warmup="${2:?--warmup needs a number}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "import: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) [[ -z "$bin" ]] || { echo "import: one binary only" >&2; exit 2; }; bin="$1"; shift ;;
  esac
done
[[ -n "$bin" && ( -n "$scale" || -n "$src" ) ]] || { usage >&2; exit 2; }
[[ -x "$bin" ]] || { echo "import: $bin is not an executable (build with: swift build -c release)" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "import: --runs must be a positive integer" >&2; exit 2; }
[[ "$warmup" =~ ^[0-9]+$ ]] || { echo "import: --warmup must be a whole number" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "import: the sqlite3 CLI is needed (apt-get install sqlite3)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "import: /usr/bin/time is needed (apt-get install time)" >&2; exit 2; }
python="${PYTHON:-$(command -v python3)}"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/linkage-import.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
if [[ -n "$scale" ]]; then
  src="$tmp/source.db"
  echo "import: linkage sample --scale $scale …" >&2
  "$bin" sample --db "$src" --scale "$scale" >/dev/null
fi
[[ -f "$src" ]] || { echo "import: no register at $src" >&2; exit 2; }

# --- the files: the export, cut to N rows, without id (new) and with every income changed --------
echo "import: linkage export households --show-pii …" >&2
"$bin" --db "$src" export households --show-pii -o "$tmp/all.csv" >/dev/null
total=$(sqlite3 "$src" "SELECT count(*) FROM household")

# Writes $tmp/new-N.csv, same-N.csv, changed-N.csv and ids-N.txt from all.csv.
cut_files() {
  "$python" - "$tmp" "$1" <<'PY'
import csv, sys
tmp, n = sys.argv[1], int(sys.argv[2])
with open(f"{tmp}/all.csv", newline="", encoding="utf-8") as f, \
     open(f"{tmp}/new-{n}.csv", "w", newline="", encoding="utf-8") as new, \
     open(f"{tmp}/same-{n}.csv", "w", newline="", encoding="utf-8") as same, \
     open(f"{tmp}/changed-{n}.csv", "w", newline="", encoding="utf-8") as changed, \
     open(f"{tmp}/ids-{n}.txt", "w") as ids:
    r = csv.reader(f)
    header = next(r)
    i_id, i_income = header.index("id"), header.index("income")
    w_new, w_same, w_changed = (csv.writer(x, lineterminator="\r\n") for x in (new, same, changed))
    w_new.writerow(header[1:]); w_same.writerow(header); w_changed.writerow(header)
    for k, row in enumerate(r):
        if k == n: break
        w_same.writerow(row); w_new.writerow(row[1:])
        ids.write(row[i_id] + "\n")
        row[i_income] = str(round(float(row[i_income] or 0) + 1, 2))
        w_changed.writerow(row)
PY
}

# --- the registers: villages only (new), and villages with the N households (same, changed) -------
"$bin" init --db "$tmp/villages.db" >/dev/null
sqlite3 -bail "$tmp/villages.db" <<SQL
ATTACH '$src' AS src;
BEGIN;
INSERT INTO area SELECT * FROM src.area;
INSERT INTO village SELECT * FROM src.village;
COMMIT;
SQL

cols="village_id, kind, head_name, resident_id, phone, address, attribute, main_cause, other_cause_1, other_cause_2, members, income, food_secure, clothing_secure, education_secured, medical_secured, housing_secured, exit_year"
# The staged text as the register's values: empty cells are NULL, as linkage reads them.
vals="v.id, s.kind, s.head_name, s.resident_id, nullif(s.phone, ''), nullif(s.address, ''), s.attribute, s.main_cause,
  nullif(s.other_cause_1, ''), nullif(s.other_cause_2, ''), CAST(s.members AS INTEGER), CAST(nullif(s.income, '') AS REAL),
  CAST(s.food_secure AS INTEGER), CAST(s.clothing_secure AS INTEGER), CAST(s.education_secured AS INTEGER),
  CAST(s.medical_secured AS INTEGER), CAST(s.housing_secured AS INTEGER), CAST(nullif(s.exit_year, '') AS INTEGER)"

# sqlite3 input: the CSV into a TEMP staging table (its columns from the header), then one statement.
peer_script() { # $1 file, $2 new|update
  local header; header="$(head -n 1 "$1" | tr -d '\r')"
  printf 'PRAGMA foreign_keys = ON;\n.bail on\nBEGIN;\nCREATE TEMP TABLE stage(%s);\n' "$(sed 's/,/ TEXT, /g; s/$/ TEXT/' <<<"$header")"
  printf '.import --csv --skip 1 --schema temp %s stage\n' "$1"
  if [[ $2 == new ]]; then
    printf 'INSERT INTO household (%s)\nSELECT %s\nFROM temp.stage AS s JOIN village AS v ON v.code = s.village;\n' "$cols" "$vals"
  else
    printf 'UPDATE household SET (%s) = (SELECT %s)\nFROM temp.stage AS s JOIN village AS v ON v.code = s.village\n' "$cols" "$vals"
    printf 'WHERE household.id = CAST(s.id AS INTEGER) AND (%s) IS NOT (%s);\n' "$(sed 's/\([a-z_0-9][a-z_0-9]*\)/household.\1/g' <<<"$cols")" "$vals"
  fi
  printf 'COMMIT;\n'
}

# One run of a command: sets run_s (wall seconds), run_cpu (user + sys seconds) and run_rss (peak KB).
run_once() {
  local start end rc=0
  start=$EPOCHREALTIME
  /usr/bin/time -f '%M %U %S' -o "$tmp/time" bash -c "exec $1" >"$tmp/out" 2>"$tmp/err" || rc=$?
  end=$EPOCHREALTIME
  [[ $rc -eq 0 ]] || { echo "import: FAILED ($rc): $1" >&2; head -c 3000 "$tmp/err" >&2; head -c 2000 "$tmp/out" >&2; exit 1; }
  run_s="$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')"
  read -r run_rss run_cpu < <(tail -n 1 "$tmp/time" | awk '{ printf "%d %.2f\n", $1, $2 + $3 }')
}

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# The households a register holds, as one digest (ids aside: a new row's id is the register's).
digest() {
  sqlite3 "$1" "SELECT v.code, h.kind, h.head_name, h.resident_id, h.phone, h.address, h.attribute, h.main_cause, h.other_cause_1,
    h.other_cause_2, h.members, h.income, h.food_secure, h.clothing_secure, h.education_secured, h.medical_secured,
    h.housing_secured, h.exit_year FROM household h JOIN village v ON v.id = h.village_id ORDER BY h.resident_id" | sha256sum | cut -c1-16
}

echo "import: source $src: $total households, $(du -h "$src" | cut -f1); median of $runs run(s) after $warmup warm-up(s)" >&2
printf '\n%-8s %9s %9s %9s %6s %9s %9s %10s %10s  %s\n' "rows" "import" "linkage s" "sqlite3 s" "ratio" "linkage" "sqlite3" "linkage" "sqlite3" "rows/s (linkage)"
printf '%-8s %9s %9s %9s %6s %9s %9s %10s %10s\n' "" "" "wall" "wall" "" "CPU s" "CPU s" "peak MB" "peak MB"
for n in $rows_list; do
  (( n > total )) && n=$total
  cut_files "$n"
  cp "$tmp/villages.db" "$tmp/with.db"
  sqlite3 -bail "$tmp/with.db" "ATTACH '$src' AS src; BEGIN;
    INSERT INTO household SELECT * FROM src.household WHERE id IN (SELECT id FROM src.household ORDER BY id LIMIT $n); COMMIT;"
  for what in new same changed; do
    if [[ $what == new ]]; then base="$tmp/villages.db" file="$tmp/new-$n.csv" flag="" mode=new
    else base="$tmp/with.db" file="$tmp/$what-$n.csv" flag="--update" mode=update; fi
    peer_script "$file" "$mode" > "$tmp/peer.sql"
    e_times=() h_times=() e_cpus=() h_cpus=() e_rss=0 h_rss=0
    for ((k = 1 - warmup; k <= runs; k++)); do # runs up to 0 are the warm-up
      cp "$base" "$tmp/e.db"; cp "$base" "$tmp/h.db"
      run_once "$(printf '%q --db %q import households %q %s' "$bin" "$tmp/e.db" "$file" "$flag")"
      e_s=$run_s e_c=$run_cpu; (( run_rss > e_rss )) && e_rss=$run_rss
      run_once "$(printf 'sqlite3 -batch -bail %q < %q' "$tmp/h.db" "$tmp/peer.sql")"
      h_s=$run_s h_c=$run_cpu; (( run_rss > h_rss )) && h_rss=$run_rss
      (( k < 1 )) || { e_times+=("$e_s"); h_times+=("$h_s"); e_cpus+=("$e_c"); h_cpus+=("$h_c"); }
    done
    e_digest=$(digest "$tmp/e.db") h_digest=$(digest "$tmp/h.db")
    [[ "$e_digest" == "$h_digest" ]] || { echo "import: MISMATCH: linkage and sqlite3 left different households ($what, $n rows)" >&2; exit 1; }
    e_med=$(median "${e_times[@]}") h_med=$(median "${h_times[@]}") e_cpu=$(median "${e_cpus[@]}") h_cpu=$(median "${h_cpus[@]}")
    awk -v n="$n" -v w="$what" -v e="$e_med" -v h="$h_med" -v ec="$e_cpu" -v hc="$h_cpu" -v er="$e_rss" -v hr="$h_rss" \
      'BEGIN { printf "%-8d %9s %9.2f %9.2f %6.2f %9.2f %9.2f %10.1f %10.1f  %d\n", n, w, e, h, e / h, ec, hc, er / 1024, hr / 1024, n / e }'
  done
  rm -f "$tmp/with.db" "$tmp"/*-"$n".csv "$tmp/e.db" "$tmp/h.db"
done
echo "(ratio = linkage / sqlite3; medians; new = rows added, same = --update with nothing changed, changed = --update of every row's income;"
echo " peak MB = the most resident memory of any run; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
