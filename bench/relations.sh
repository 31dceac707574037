#!/usr/bin/env bash
# The relation methods of records (c:households(date), h:cadres(date), v:households() … every one
# the model declares) in a Lua loop, one call per record, against the same question written by hand
# in the sqlite3 CLI: one statement that asks it for the same records (a correlated count, which
# SQLite runs as the join). Called by scripts/bench; usable alone:
#   bench/relations.sh LINKAGE_BINARY [--scale N | --db REGISTER] [--records K] [--runs R]
#
#   --scale N      a new register from `linkage sample --scale N` (default 20000; province works)
#   --db FILE      an existing register instead, opened read-only by both (nothing is written)
#   --records K    records per case, spread over the collection's ids (default 1000)
#   --runs R       timed runs per case after a warm-up; the median is reported (default 3)
#
# Prints per case: the seconds for K calls in each, the ratio (Linkage / sqlite3; the goal is at
# most 3) and Linkage's microseconds per call. The totals must agree, or it fails.
set -euo pipefail
bin="${1:?usage: bench/relations.sh LINKAGE_BINARY [--scale N | --db REGISTER] [--records K] [--runs R]}"
shift
scale=20000 db="" k=1000 runs=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --scale) scale="${2:?--scale needs a value}"; shift 2 ;;
    --db) db="${2:?--db needs a file}"; shift 2 ;;
    --records) k="${2:?--records needs a number}"; shift 2 ;;
    --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
    *) echo "relations: unknown argument $1" >&2; exit 2 ;;
  esac
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/linkage-relbench.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
if [[ -z "$db" ]]; then
  db="$tmp/register.db"
  echo "relations: linkage sample --scale $scale …" >&2
  "$bin" sample --db "$db" --scale "$scale" >/dev/null
fi
[[ -f "$db" ]] || { echo "relations: no register at $db" >&2; exit 2; }
d=2012-07-15   # mid-year in the sample: some links have ended by then (handovers), some not begun
sql() { sqlite3 -readonly -cmd ".timeout 5000" "$db" "$@"; }

# The records of a collection, as SQL: its table and scope.
declare -A from=(
  [households]="household" [villages]="village WHERE kind = 'village'" [communities]="village WHERE kind = 'community'"
  [areas]="area" [units]="unit" [cadres]="cadre"
)
active="l.start_date <= '$d' AND (l.end_date IS NULL OR l.end_date > '$d')"
# COLLECTION:METHOD[:d] and the question written by hand for one record x.
cases=(
  "households:cadres:d|SELECT count(*) FROM link AS l JOIN cadre AS t ON t.id = l.cadre_id WHERE l.household_id = x.id AND $active"
  "villages:cadres:d|SELECT count(*) FROM link AS l JOIN cadre AS t ON t.id = l.cadre_id WHERE l.village_id = x.id AND $active"
  "communities:cadres:d|SELECT count(*) FROM link AS l JOIN cadre AS t ON t.id = l.cadre_id WHERE l.village_id = x.id AND $active"
  "villages:units:d|SELECT count(*) FROM link AS l JOIN unit AS t ON t.id = l.unit_id WHERE l.village_id = x.id AND $active"
  "communities:units:d|SELECT count(*) FROM link AS l JOIN unit AS t ON t.id = l.unit_id WHERE l.village_id = x.id AND $active"
  "units:villages:d|SELECT count(*) FROM link AS l JOIN village AS t ON t.id = l.village_id WHERE l.unit_id = x.id AND $active AND t.kind = 'village'"
  "units:communities:d|SELECT count(*) FROM link AS l JOIN village AS t ON t.id = l.village_id WHERE l.unit_id = x.id AND $active AND t.kind = 'community'"
  "cadres:households:d|SELECT count(*) FROM link AS l JOIN household AS t ON t.id = l.household_id WHERE l.cadre_id = x.id AND $active"
  "cadres:villages:d|SELECT count(*) FROM link AS l JOIN village AS t ON t.id = l.village_id WHERE l.cadre_id = x.id AND $active AND t.kind = 'village'"
  "cadres:communities:d|SELECT count(*) FROM link AS l JOIN village AS t ON t.id = l.village_id WHERE l.cadre_id = x.id AND $active AND t.kind = 'community'"
  "households:links|SELECT count(*) FROM link WHERE household_id = x.id"
  "households:visits|SELECT count(*) FROM visit WHERE household_id = x.id"
  "households:activities|SELECT count(*) FROM activity WHERE household_id = x.id"
  "households:problems|SELECT count(*) FROM problem WHERE household_id = x.id"
  "households:surveys|SELECT count(*) FROM survey WHERE household_id = x.id"
  "villages:households|SELECT count(*) FROM household WHERE village_id = x.id"
  "communities:households|SELECT count(*) FROM household WHERE village_id = x.id"
  "villages:links|SELECT count(*) FROM link WHERE village_id = x.id"
  "villages:visits|SELECT count(*) FROM visit WHERE village_id = x.id"
  "villages:activities|SELECT count(*) FROM activity WHERE village_id = x.id"
  "villages:problems|SELECT count(*) FROM problem WHERE village_id = x.id"
  "areas:villages|SELECT count(*) FROM village WHERE area_id = x.id AND kind = 'village'"
  "areas:communities|SELECT count(*) FROM village WHERE area_id = x.id AND kind = 'community'"
  "areas:units|SELECT count(*) FROM unit WHERE area_id = x.id"
  "areas:households|SELECT count(*) FROM household AS h JOIN village AS v ON v.id = h.village_id WHERE v.area_id = x.id"
  "units:cadres|SELECT count(*) FROM cadre WHERE unit_id = x.id"
  "units:links|SELECT count(*) FROM link WHERE unit_id = x.id"
  "units:visits|SELECT count(*) FROM visit WHERE unit_id = x.id"
  "units:activities|SELECT count(*) FROM activity WHERE unit_id = x.id"
  "cadres:links|SELECT count(*) FROM link WHERE cadre_id = x.id"
  "cadres:visits|SELECT count(*) FROM visit WHERE cadre_id = x.id"
  "cadres:activities|SELECT count(*) FROM activity WHERE cadre_id = x.id"
)

# Every how many ids a record is taken, so that K records spread over the whole collection.
declare -A step
for c in "${!from[@]}"; do
  n=$(sql "SELECT count(*) FROM ${from[$c]}")
  step[$c]=$(( n / k > 1 ? n / k : 1 ))
done
specs=()
for case in "${cases[@]}"; do
  name="${case%%|*}"; coll="${name%%:*}"; rest="${name#*:}"; method="${rest%%:*}"
  specs+=("$coll:$method:${step[$coll]}${name#"$coll:$method"}")
done
echo "relations: $k records per case, $runs runs, in $db" >&2
"$bin" run --db "$db" --read-only "$here/relations.lua" "$d" "$k" "$runs" "${specs[@]}" > "$tmp/linkage.out"

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

echo "relation methods, $k records per case (every how many ids: ${step[cadres]} cadres, ${step[households]} households), as of $d,"
echo "median of $runs after a warm-up; seconds for the $k calls (Linkage: wall time in the process; sqlite3 CLI: its"
echo ".timer's user + sys); ratio = Linkage / sqlite3 CLI (goal ≤ 3)"
printf '%-26s %10s %10s %7s %9s %9s\n' "method" "Linkage" "sqlite3" "ratio" "µs/call" "rows"
worst=0
i=0
for case in "${cases[@]}"; do
  name="${case%%|*}"; question="${case#*|}"; coll="${name%%:*}"
  read -r spec l_time l_total < <(sed -n "$((i + 1))p" "$tmp/linkage.out")
  [[ "$spec" == "${specs[$i]}" ]] || { echo "relations: output out of step at $spec" >&2; exit 1; }
  statement="SELECT sum(($question)) FROM (SELECT id FROM ${from[$coll]}$([[ ${from[$coll]} == *WHERE* ]] && echo " AND" || echo " WHERE") id % ${step[$coll]} = 0 ORDER BY id LIMIT $k) AS x"
  out=$( (printf '.timer on\n'; for _ in $(seq 0 "$runs"); do printf '%s;\n' "$statement"; done) | sql)
  s_total=$(grep -v '^Run Time' <<< "$out" | head -n 1)
  # user + sys: the CLI prints real time in milliseconds only; for a read of cached pages the
  # CPU time is the wall time (and Linkage's side is wall time, so the ratio does not flatter it).
  s_time=$(grep '^Run Time' <<< "$out" | tail -n +2 | awk '{ printf "%.6f\n", $6 + $8 }' | median)
  [[ "${s_total:-0}" == "$l_total" || ( -z "$s_total" && "$l_total" == 0 ) ]] || {
    echo "relations: $name: Linkage counted $l_total, the SQL ${s_total:-nothing}" >&2; exit 1; }
  r=$(ratio "$l_time" "$s_time")
  printf '%-26s %10.4f %10.4f %7s %9.1f %9s\n' "${name%:d}" "$l_time" "$s_time" "$r" \
    "$(awk -v t="$l_time" -v n="$k" 'BEGIN { print t / n * 1e6 }')" "$l_total"
  worst=$(awk -v a="$worst" -v b="$r" 'BEGIN { print (b > a ? b : a) }')
  i=$((i + 1))
done
echo "(totals agreed with the SQL for every case; the highest ratio: $worst)"
