#!/usr/bin/env bash
# How fast assign.all links a whole province, against two peers in the same run.
#
#   bench/assign_speed.sh PATH/TO/RELEASE/linkage [--keep]
#
# 1. Makes `linkage sample --scale province --linked none` (≈ 1,000,000 households, ≈ 410,000
#    cadres, no links) in a temporary directory (timed, not compared).
# 2. Times the proposal alone: `linkage --read-only -e "assign.all{…}"` (nothing written).
# 3. Times samples/assign_all.lua: propose, apply (every check of a link, the inserts, the
#    audit log) and commit; then requires `linkage check --only coverage,quotas` to find nothing.
# 4. Times that check, a read of the same links and rules, as a yardstick.
# 5. Times a hand-written SQL assignment in the sqlite3 CLI on a copy of the register made before
#    step 3: every household linked to the next free place of a cadre's quota, in id order (no
#    township, no balance, no second cadres, no checks), through the same triggers (the audit
#    trigger writes its rows) but without linkage's seal of the audit log (the hash chain).
# 6. Prints the times and their ratios to assign_all.lua.
#
# --keep leaves the temporary directory in place and prints its path.
set -euo pipefail

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }
linkage="" keep=0
for arg in "$@"; do
  case "$arg" in
    --keep) keep=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "assign_speed: unknown option $arg (try --help)" >&2; exit 2 ;;
    *) [[ -z "$linkage" ]] || { echo "assign_speed: one binary only" >&2; exit 2; }; linkage="$arg" ;;
  esac
done
[[ -n "$linkage" ]] || { usage >&2; exit 2; }
[[ -x "$linkage" ]] || { echo "assign_speed: $linkage is not an executable (build with: swift build -c release)" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "assign_speed: the sqlite3 CLI is needed (apt-get install sqlite3)" >&2; exit 2; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

work="$(mktemp -d "${TMPDIR:-/tmp}/assign_speed.XXXXXX")"
if [[ $keep -eq 1 ]]; then echo "files in $work"; else trap 'rm -rf "$work"' EXIT; fi

day=2012-03-01
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
group() { echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }
# Runs a command, output to $work/$1.out; sets seconds (wall clock) and cpu (user + sys).
timed() {
  local name="$1"; shift
  local start end
  start=$(now)
  /usr/bin/time -f '%U %S' -o "$work/$name.time" "$@" > "$work/$name.out" 2> "$work/$name.err" || {
    echo "assign_speed: FAILED: $*" >&2; tail -n 20 "$work/$name.err" >&2; exit 1
  }
  end=$(now)
  seconds=$(calc "%.2f" "$end - $start")
  cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$work/$name.time")
}

echo "== linkage sample --scale province --linked none"
timed sample "$linkage" sample --db "$work/province.db" --scale province --linked none
households=$(sqlite3 "$work/province.db" "SELECT count(*) FROM household")
cadres=$(sqlite3 "$work/province.db" "SELECT count(*) FROM cadre")
echo "  $(group "$households") households, $(group "$cadres") cadres in $seconds s"
cp "$work/province.db" "$work/by-hand.db"

echo "== the proposal alone (read-only)"
timed propose "$linkage" --db "$work/province.db" --read-only -e "local p = assign.all{ as_of = '$day' } return #p, #p.uncovered"
propose_s=$seconds propose_cpu=$cpu
echo "  $(cut -f1 "$work/propose.out") links proposed, $(cut -f2 "$work/propose.out") kinds left uncovered, in $propose_s s"

echo "== samples/assign_all.lua (propose, apply, audit, commit)"
timed assign "$linkage" --db "$work/province.db" run "$root/samples/assign_all.lua" "$day"
assign_s=$seconds assign_cpu=$cpu
links=$(sqlite3 "$work/province.db" "SELECT count(*) FROM link")
sed -n '1,2p' "$work/assign.out" | sed 's/^/    /'
echo "  $(group "$links") links in $assign_s s"

echo "== linkage check --only coverage,quotas"
timed check "$linkage" --db "$work/province.db" check --only coverage,quotas --as-of "$day"
check_s=$seconds check_cpu=$cpu
findings=$(( $(wc -l < "$work/check.out") - 2 ))
[[ $findings -eq 0 ]] || { echo "assign_speed: the check found $findings findings after the assignment:" >&2; head "$work/check.out" >&2; exit 1; }
echo "  no findings, in $check_s s"

echo "== sqlite3 CLI: a hand-written SQL assignment"
cat > "$work/by-hand.sql" <<SQL
BEGIN;
CREATE TEMP TABLE place AS
  WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 100)
  SELECT c.id AS cadre_id, w.kind, row_number() OVER (PARTITION BY w.kind ORDER BY c.id, n.k) AS r
  FROM cadre AS c
  JOIN quota_rule AS q ON q.role = c.role AND q.valid_from <= '$day' AND (q.valid_until IS NULL OR q.valid_until > '$day')
  JOIN (SELECT 'rural' AS kind UNION ALL SELECT 'urban') AS w
  JOIN n ON n.k <= CASE w.kind WHEN 'rural' THEN q.rural_households ELSE q.urban_households END
  WHERE c.excluded IS NULL AND c.left_on IS NULL;
CREATE INDEX temp.place_kind_r ON place (kind, r);
INSERT INTO link (cadre_id, household_id, start_date, note)
  SELECT p.cadre_id, h.id, '$day', 'by hand'
  FROM (SELECT id, kind, row_number() OVER (PARTITION BY kind ORDER BY id) AS r FROM household) AS h
  JOIN place AS p ON p.kind = h.kind AND p.r = h.r;
COMMIT;
SQL
timed by-hand sqlite3 "$work/by-hand.db" ".read $work/by-hand.sql"
hand_s=$seconds hand_cpu=$cpu
hand_links=$(sqlite3 "$work/by-hand.db" "SELECT count(*) FROM link")
echo "  $(group "$hand_links") links in $hand_s s"

echo "== ratios ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
printf '  %-58s %8s %8s %10s\n' "" "wall s" "CPU s" "vs assign"
row() { printf '  %-58s %8s %8s %10s\n' "$1" "$2" "$3" "$(calc "%.2f" "$2 / $assign_s")"; }
row "assign_all.lua: $(group "$links") links, audited" "$assign_s" "$assign_cpu"
row "  of which the proposal alone (read-only run)" "$propose_s" "$propose_cpu"
row "linkage check --only coverage,quotas (no findings)" "$check_s" "$check_cpu"
row "sqlite3 hand-written SQL: $(group "$hand_links") links, no checks" "$hand_s" "$hand_cpu"
echo "  (vs assign = wall time / assign_all.lua's: below 1 is faster than the assignment)"
