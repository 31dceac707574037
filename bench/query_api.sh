#!/usr/bin/env bash
# The query API at 1,000,000 households against hand-written SQL in the sqlite3 CLI, python3's
# sqlite3 and lua5.4 + LuaSQL, in the same run. Called by scripts/bench; usable alone:
#   bench/query_api.sh LINKAGE_BINARY [HOUSEHOLDS] [RUNS]
set -euo pipefail
bin="${1:?usage: bench/query_api.sh LINKAGE_BINARY [HOUSEHOLDS] [RUNS]}"
n="${2:-1000000}"
runs="${3:-3}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-$(command -v python3)}"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/linkage-qbench.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
db="$tmp/register.db"

"$bin" init --db "$db" >/dev/null
echo "building a register of $n households …" >&2
# A register of n rural households in 1,000 villages of two towns, made with plain SQL.
sqlite3 "$db" <<SQL
PRAGMA foreign_keys = ON;
INSERT INTO area (id, code, name, kind) VALUES (1, '620502100', '玉泉镇', 'township'), (2, '620502101', '太京镇', 'township');
WITH RECURSIVE v(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM v WHERE i < 999)
INSERT INTO village (id, area_id, code, name, kind)
  SELECT i + 1, 1 + i % 2, (CASE i % 2 WHEN 0 THEN '620502100' ELSE '620502101' END) || printf('%03d', i / 2), '村' || i, 'village' FROM v;
WITH RECURSIVE h(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM h WHERE i < $n)
INSERT INTO household (id, village_id, kind, head_name, resident_id, main_cause, members, income)
  SELECT i, 1 + i % 1000, 'rural', '户主' || i, '620502' || printf('%012d', i),
         CASE i % 4 WHEN 0 THEN '因病' WHEN 1 THEN '缺技术' WHEN 2 THEN '缺资金' ELSE '因学' END,
         1 + i % 6, 1000 + (i * 37) % 4000 FROM h;
.output /dev/null
PRAGMA wal_checkpoint(TRUNCATE);
SQL

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# The sqlite3 CLI's own timer around one statement, median of runs.
sqlite_time() {
  local sql="$1" out
  out=$( (printf '.timeout 5000\n.timer on\n'; for _ in $(seq "$runs"); do printf '%s;\n' "$sql"; done) | sqlite3 "$db" | grep 'Run Time' | awk '{ print $4 }' | median)
  echo "$out"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "query API, $n households, median of $runs (seconds; ratio = Linkage / peer)"
printf '%-44s %10s %10s %8s\n' "work" "Linkage" "peer" "ratio"

out=$("$bin" run --db "$db" "$here/query_api.lua" count "$runs"); read -r l_count r_count <<< "$out"
s_count=$(sqlite_time "SELECT count(*) FROM household WHERE kind = 'rural' AND income < 2300")
printf '%-44s %10s %10s %8s\n' "count, 2 filters (vs sqlite3 CLI)" "$l_count" "$s_count" "$(ratio "$l_count" "$s_count")"

out=$("$bin" run --db "$db" "$here/query_api.lua" count_join "$runs"); read -r l_join r_join <<< "$out"
s_join=$(sqlite_time "SELECT count(*) FROM household JOIN village ON village.id = household.village_id JOIN area ON area.id = village.area_id WHERE area.name = '太京镇' AND household.income < 2300")
printf '%-44s %10s %10s %8s\n' "count through village.area (vs sqlite3 CLI)" "$l_join" "$s_join" "$(ratio "$l_join" "$s_join")"

out=$("$bin" run --db "$db" "$here/query_api.lua" loop "$runs"); read -r l_loop r_loop <<< "$out"
out=$("$bin" run --db "$db" "$here/query_api.lua" loop_full "$runs"); read -r l_full r_full <<< "$out"
out=$("$python" "$here/query_api_loop.py" "$db" "$runs"); read -r p_loop r_ploop <<< "$out"
out=$(lua5.4 "$here/query_api_loop_luasql.lua" "$db" "$runs"); read -r q_loop r_qloop <<< "$out"
for r in "$r_full" "$r_ploop" "$r_qloop"; do
  [[ "$r" == "$r_loop" ]] || { echo "bench: loop results differ: '$r_loop' vs '$r'" >&2; exit 1; }
done
printf '%-44s %10s %10s %8s\n' "loop, 2 fields, select() (vs python3)" "$l_loop" "$p_loop" "$(ratio "$l_loop" "$p_loop")"
printf '%-44s %10s %10s %8s\n' "loop, 2 fields, select() (vs LuaSQL)" "$l_loop" "$q_loop" "$(ratio "$l_loop" "$q_loop")"
printf '%-44s %10s %10s %8s\n' "loop, 2 fields, whole records (vs python3)" "$l_full" "$p_loop" "$(ratio "$l_full" "$p_loop")"

# Bulk update of every row, committed, audit triggers firing in both: whole processes, timed.
wall() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'; }
lu=(); su=()
# Linkage sets every row to 1 and the sqlite3 CLI back to 0, so each run changes every row.
for _ in $(seq "$runs"); do
  lu+=("$(wall "$bin" --db "$db" -e "households:update{ housing_secured = true }")")
  su+=("$(wall sqlite3 -cmd ".timeout 5000" "$db" "UPDATE household SET housing_secured = 0")")
done
l_upd=$(printf '%s\n' "${lu[@]}" | median)
s_upd=$(printf '%s\n' "${su[@]}" | median)
[[ "$("$bin" --db "$db" -e 'return households:where{ housing_secured = true }:count()')" == 0 ]] || { echo "bench: update did not run" >&2; exit 1; }
printf '%-44s %10s %10s %8s\n' "update{} of every row (vs sqlite3 CLI)" "$l_upd" "$s_upd" "$(ratio "$l_upd" "$s_upd")"
echo "(results agreed: count $r_count, join count $r_join, loop '$r_loop')"
[[ "$r_count" == "$(sqlite3 "$db" "SELECT count(*) FROM household WHERE kind = 'rural' AND income < 2300")" ]] || { echo "bench: count differs" >&2; exit 1; }
