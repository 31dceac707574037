#!/usr/bin/env bash
# The relation methods of records (c:households(date), h:cadres(date), v:households() … every one
# the model declares), one call per record in a Lua loop, against the same question written by hand
# in the sqlite3 CLI. Called by scripts/bench; usable alone:
#   bench/relations.sh LINKAGE_BINARY [--scale N | --db REGISTER] [--records K] [--runs R]
#
#   --scale N      a new register from `linkage sample --scale N` (default 20000; province works)
#   --db FILE      an existing register instead, opened read-only by both (nothing is written)
#   --records K    records per case, spread over the collection's ids (default 1000)
#   --runs R       timed runs per case after a warm-up; the median is reported (default 3)
#
# Two peers per case, both the sqlite3 CLI on the same records:
#   per call   one statement per record, as an analyst types it (the CLI prepares each): the goal
#              is a relation call within 3× of it;
#   join       one statement for all the records (a correlated count, which SQLite runs as the
#              join): what a loop of calls is measured against.
# Linkage's time is wall time inside the process (linkage.now); the CLI's is its .timer's user + sys
# (its wall time is shown in milliseconds only; for cached pages CPU time is the wall time, so the
# ratios do not flatter Linkage). The totals must agree with the SQL, or it fails.
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
us() { awk -v t="$1" -v n="$2" 'BEGIN { printf "%.1f", (n > 0 ? t / n * 1e6 : 0) }'; }
# The .timer lines of a CLI session: user + sys of each statement, one a line.
cpu_lines() { grep '^Run Time' | awk '{ printf "%.6f\n", $6 + $8 }'; }

echo "relation methods, up to $k records per case (every how many ids: ${step[cadres]} cadres, ${step[households]} households),"
echo "as of $d, median of $runs after a warm-up; µs per record; ratio = Linkage / sqlite3 CLI (goal per call ≤ 3)"
printf '%-24s %7s %9s %10s %6s %9s %6s %9s\n' "method" "records" "Linkage" "per call" "ratio" "join" "ratio" "rows"
worst=0 worst_join=0
i=0
for case in "${cases[@]}"; do
  name="${case%%|*}"; question="${case#*|}"; coll="${name%%:*}"
  read -r spec n l_time l_total < <(sed -n "$((i + 1))p" "$tmp/linkage.out")
  [[ "$spec" == "${specs[$i]}" ]] || { echo "relations: output out of step at $spec" >&2; exit 1; }
  [[ $n -gt 0 ]] || { echo "relations: no records for $name" >&2; exit 1; }
  where="$([[ ${from[$coll]} == *WHERE* ]] && echo " AND" || echo " WHERE") id % ${step[$coll]} = 0"
  ids=$(sql "SELECT id FROM ${from[$coll]}$where ORDER BY id LIMIT $k")
  # per call: the question for each record on its own, every record, runs + 1 times
  out=$( (printf '.timer on\n'; for _ in $(seq 0 "$runs"); do for id in $ids; do printf '%s;\n' "${question//x.id/$id}"; done; done) | sql)
  # (awk, not head: head would stop reading and pipefail would end the script on the SIGPIPE)
  s_total=$(grep -v '^Run Time' <<< "$out" | awk -v n="$n" 'NR <= n { s += $1 } END { print s + 0 }')
  s_call=$(cpu_lines <<< "$out" | awk -v n="$n" '{ s += $1 } NR % n == 0 { if (NR > n) print s; s = 0 }' | median)
  # join: one statement for all the records
  statement="SELECT sum(($question)) FROM (SELECT id FROM ${from[$coll]}$where ORDER BY id LIMIT $k) AS x"
  out=$( (printf '.timer on\n'; for _ in $(seq 0 "$runs"); do printf '%s;\n' "$statement"; done) | sql)
  j_total=$(grep -v '^Run Time' <<< "$out" | awk 'NR == 1')
  s_join=$(cpu_lines <<< "$out" | tail -n +2 | median)
  [[ "$s_total" == "$l_total" && "${j_total:-0}" == "$l_total" ]] || {
    echo "relations: $name: Linkage counted $l_total, the statements $s_total, the join ${j_total:-nothing}" >&2; exit 1; }
  r=$(ratio "$l_time" "$s_call"); rj=$(ratio "$l_time" "$s_join")
  printf '%-24s %7d %9s %10s %6s %9s %6s %9d\n' "${name%:d}" "$n" "$(us "$l_time" "$n")" "$(us "$s_call" "$n")" "$r" \
    "$(us "$s_join" "$n")" "$rj" "$l_total"
  worst=$(awk -v a="$worst" -v b="$r" 'BEGIN { print (b > a ? b : a) }')
  worst_join=$(awk -v a="$worst_join" -v b="$rj" 'BEGIN { print (b > a ? b : a) }')
  i=$((i + 1))
done
echo "(totals agreed with the SQL for every case; highest ratio per call $worst, to the join $worst_join)"
