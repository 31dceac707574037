#!/usr/bin/env bash
# `linkage import links` at province scale against the same rows loaded by hand in the sqlite3 CLI,
# in the same run (issue #11: link imports had tests but no province benchmark).
#
#   bench/link_import.sh LINKAGE_BINARY (--db SOURCE | --scale province|N) [--runs K] [--warmup W]
#
#   --db FILE   the register whose links are exported (only read: `linkage export links`, and
#               sqlite3 ATTACH to copy its other rows)
#   --scale S   make one instead (`linkage sample --scale S`, not timed)
#   --runs K    timed runs of each (default 1: a province's million links take minutes); the
#               median is reported
#   --warmup W  untimed runs of each first (default 0)
#
# The file is the import's own: `linkage export links --show-pii` writes the columns import reads
# (who by resident ID and unit name, what by the household's resident ID or the village's code,
# the successor by resident ID), here without its id column (the links are new). The register it
# goes into is a copy of the source with its links removed (the copy's never-deleted trigger and
# link audit trigger are dropped for the deletion and made again, not timed), so every reference
# resolves and every link is added.
#
# The peer, in the sqlite3 CLI: `.import` of the same CSV into a TEMP staging table, then one
# INSERT … SELECT joined to unit, cadre, household and village (and cadre again for the
# successor), in one transaction with foreign keys on, so the register's CHECK constraints, its
# triggers (excluded cadres) and its audit trigger fire per row as they do for linkage. The peer
# does not check what linkage checks before writing (quotas and the households' most cadres in
# force on each start date, cadres who left or may not link, links already open between the same
# two, dates, a message per cell) and does not seal the audit log's hash chain; linkage does both.
#
# Prints median wall seconds, the ratio linkage / sqlite3, median CPU seconds and peak RSS
# (/usr/bin/time %M), and checks that both left the same links (a digest of the rows).
set -euo pipefail

usage() { sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; }
bin="" scale="" src="" runs=1 warmup=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --scale) scale="${2:?--scale needs a value}"; shift 2 ;;
    --db) src="${2:?--db needs a file}"; shift 2 ;;
    --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
    --warmup) warmup="${2:?--warmup needs a number}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "link_import: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) [[ -z "$bin" ]] || { echo "link_import: one binary only" >&2; exit 2; }; bin="$1"; shift ;;
  esac
done
[[ -n "$bin" && ( -n "$scale" || -n "$src" ) ]] || { usage >&2; exit 2; }
[[ -x "$bin" ]] || { echo "link_import: $bin is not an executable (build with: swift build -c release)" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "link_import: --runs must be a positive integer" >&2; exit 2; }
[[ "$warmup" =~ ^[0-9]+$ ]] || { echo "link_import: --warmup must be a whole number" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "link_import: the sqlite3 CLI is needed (apt-get install sqlite3)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "link_import: /usr/bin/time is needed (apt-get install time)" >&2; exit 2; }
python="${PYTHON:-$(command -v python3)}"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/linkage-link-import.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
bench=link_import
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [[ -n "$scale" ]]; then
  src="$tmp/source.db"
  echo "link_import: linkage sample --scale $scale …" >&2
  "$bin" sample --db "$src" --scale "$scale" >/dev/null
fi
[[ -f "$src" ]] || { echo "link_import: no register at $src" >&2; exit 2; }

# --- the file: the export without its id column -------------------------------------------------
echo "link_import: linkage export links --show-pii …" >&2
"$bin" --db "$src" export links --show-pii -o "$tmp/all.csv" >/dev/null
"$python" - "$tmp/all.csv" "$tmp/links.csv" <<'PY'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f, open(sys.argv[2], "w", newline="", encoding="utf-8") as out:
    w = csv.writer(out, lineterminator="\r\n")
    for row in csv.reader(f): w.writerow(row[1:])
PY
rm "$tmp/all.csv"
total=$(( $(wc -l < "$tmp/links.csv") - 1 ))

# --- the register: the source less its links (a copy; links are never deleted in a register) ----
echo "link_import: a copy of the register without its links …" >&2
cp "$src" "$tmp/base.db"
for f in "$src"-wal "$src"-shm; do [[ -f "$f" ]] && cp "$f" "$tmp/base.db${f#"$src"}"; done
keep="$(sqlite3 "$tmp/base.db" "SELECT group_concat(sql || ';', char(10)) FROM sqlite_master WHERE type = 'trigger' AND name IN ('link_never_deleted', 'audit_link_delete')")"
sqlite3 -bail "$tmp/base.db" <<SQL
BEGIN;
DROP TRIGGER link_never_deleted;
DROP TRIGGER audit_link_delete;
DELETE FROM link;
$keep
COMMIT;
VACUUM;
SQL

# --- the peer: .import into a staging table, one INSERT … SELECT ---------------------------------
header="$(head -n 1 "$tmp/links.csv" | tr -d '\r')"
cat > "$tmp/peer.sql" <<SQL
PRAGMA foreign_keys = ON;
.bail on
BEGIN;
CREATE TEMP TABLE stage($(sed 's/,/ TEXT, /g; s/$/ TEXT/' <<<"$header"));
.import --csv --skip 1 --schema temp $tmp/links.csv stage
INSERT INTO link (unit_id, cadre_id, village_id, household_id, start_date, end_date, end_reason, successor_cadre_id, note)
SELECT u.id, c.id, v.id, h.id, s.start_date, nullif(s.end_date, ''), nullif(s.end_reason, ''), sc.id, nullif(s.note, '')
FROM temp.stage AS s
LEFT JOIN unit AS u ON s.cadre_resident_id = '' AND u.name = s.unit
LEFT JOIN cadre AS c ON c.resident_id = nullif(s.cadre_resident_id, '')
LEFT JOIN household AS h ON h.resident_id = nullif(s.household, '')
LEFT JOIN village AS v ON v.code = nullif(s.village, '')
LEFT JOIN cadre AS sc ON sc.resident_id = nullif(s.successor, '')
ORDER BY s.rowid;
COMMIT;
SQL

# The links a register holds, as one digest (ids aside: a new row's id is the register's).
digest() {
  sqlite3 "$1" "SELECT u.name, c.resident_id, h.resident_id, v.code, l.start_date, l.end_date, l.end_reason, sc.resident_id, l.note
    FROM link l LEFT JOIN unit u ON u.id = l.unit_id LEFT JOIN cadre c ON c.id = l.cadre_id LEFT JOIN household h ON h.id = l.household_id
    LEFT JOIN village v ON v.id = l.village_id LEFT JOIN cadre sc ON sc.id = l.successor_cadre_id
    ORDER BY 2, 1, 3, 4, 5, 6" | sha256sum | cut -c1-16
}

echo "link_import: $total links; median of $runs run(s) after $warmup warm-up(s)" >&2
e_times=() h_times=() e_cpus=() h_cpus=() e_rss=0 h_rss=0
for ((k = 1 - warmup; k <= runs; k++)); do # runs up to 0 are the warm-up
  cp "$tmp/base.db" "$tmp/e.db"; cp "$tmp/base.db" "$tmp/h.db"
  run_once "$(printf '%q --db %q import links %q' "$bin" "$tmp/e.db" "$tmp/links.csv")"
  e_s=$run_s e_c=$run_cpu; (( run_rss > e_rss )) && e_rss=$run_rss
  run_once "$(printf 'sqlite3 -batch -bail %q < %q' "$tmp/h.db" "$tmp/peer.sql")"
  h_s=$run_s h_c=$run_cpu; (( run_rss > h_rss )) && h_rss=$run_rss
  (( k < 1 )) || { e_times+=("$e_s"); h_times+=("$h_s"); e_cpus+=("$e_c"); h_cpus+=("$h_c"); }
done
[[ "$(sqlite3 "$tmp/e.db" "SELECT count(*) FROM link")" == "$total" ]] || { echo "link_import: linkage did not add $total links" >&2; exit 1; }
e_digest=$(digest "$tmp/e.db") h_digest=$(digest "$tmp/h.db")
[[ "$e_digest" == "$h_digest" ]] || { echo "link_import: MISMATCH: linkage and sqlite3 left different links" >&2; exit 1; }
printf '\n%-8s %9s %9s %6s %9s %9s %10s %10s  %s\n' "links" "linkage s" "sqlite3 s" "ratio" "linkage" "sqlite3" "linkage" "sqlite3" "rows/s (linkage)"
printf '%-8s %9s %9s %6s %9s %9s %10s %10s\n' "" "wall" "wall" "" "CPU s" "CPU s" "peak MB" "peak MB"
awk -v n="$total" -v e="$(median "${e_times[@]}")" -v h="$(median "${h_times[@]}")" -v ec="$(median "${e_cpus[@]}")" -v hc="$(median "${h_cpus[@]}")" \
    -v er="$e_rss" -v hr="$h_rss" \
  'BEGIN { printf "%-8d %9.2f %9.2f %6.2f %9.2f %9.2f %10.1f %10.1f  %d\n", n, e, h, e / h, ec, hc, er / 1024, hr / 1024, n / e }'
echo "(ratio = linkage / sqlite3; medians; both leave the same links (digest $e_digest);"
echo " peak MB = the most resident memory of any run; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
