#!/usr/bin/env bash
# `linkage report NAME -o FILE.html` for every built-in report, each timed on the same register,
# with two peers in the same run: the coverage report against a hand-written count of covered
# households and linked villages by township (bench/reports_hand.sql) in the sqlite3 CLI, and the
# visits and assessment reports against the visits check's per-link measure (what both are built
# on; taken from `linkage check --only visits --sql`) summed in the sqlite3 CLI. Prints median
# wall seconds, median CPU seconds (user + sys) and peak RSS (/usr/bin/time %M). Reports read
# their independent parts on one connection per core (ParallelReads), so CPU can exceed wall;
# the cores and the load when the run began are printed, since other work on the machine slows
# a report as much as its own cost does.
#
#   bench/reports.sh LINKAGE_BINARY (--scale district|province|N | --db FILE) [--runs K] [--as-of D]
#
#   --scale S   make a sample register (`linkage sample --scale S --linked partial`) in a temporary
#               directory; the time to make it is not counted
#   --db FILE   use this register (opened read-only; it must be at the binary's schema version)
#   --runs K    timed runs of each, after one warm-up (default 3); the median is reported
#   --as-of D   the day reported on (default 2012-06-30)
set -euo pipefail

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }
bin="" scale="" db="" runs=3 as_of=2012-06-30
while [[ $# -gt 0 ]]; do
  case "$1" in
    --scale) scale="${2:?--scale needs a value}"; shift 2 ;;
    --db) db="${2:?--db needs a file}"; shift 2 ;;
    --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
    --as-of) as_of="${2:?--as-of needs a day}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "reports: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) [[ -z "$bin" ]] || { echo "reports: one binary only" >&2; exit 2; }; bin="$1"; shift ;;
  esac
done
[[ -n "$bin" && ( -n "$scale" || -n "$db" ) ]] || { usage >&2; exit 2; }
[[ -x "$bin" ]] || { echo "reports: $bin is not an executable (build with: swift build -c release)" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "reports: --runs must be a positive integer" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "reports: the sqlite3 CLI is needed (apt-get install sqlite3)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "reports: /usr/bin/time is needed (apt-get install time)" >&2; exit 2; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/linkage-reports.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
if [[ -n "$scale" ]]; then
  db="$tmp/sample.db"
  "$bin" sample --db "$db" --scale "$scale" --linked partial >/dev/null
fi

# median of a list of numbers
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# time_it NAME CMD...: K runs after a warm-up; sets wall, cpu and rss (medians) for NAME
time_it() {
  local name="$1"; shift
  "$@" >/dev/null 2>&1 || { echo "reports: $name failed: $*" >&2; "$@" >&2 || true; exit 1; }
  : > "$tmp/$name.times"
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %S %M" -o "$tmp/one" "$@" >/dev/null 2>&1
    cat "$tmp/one" >> "$tmp/$name.times"
  done
  wall=$(awk '{ print $1 }' "$tmp/$name.times" | median)
  cpu=$(awk '{ print $2 + $3 }' "$tmp/$name.times" | median)
  rss=$(awk '{ print $4 }' "$tmp/$name.times" | median)
}

# the peers' SQL, with the day in place
sed "s/:as_of/'$as_of'/g" "$here/reports_hand.sql" > "$tmp/coverage.sql"
"$bin" --db "$db" check --only visits --as-of "$as_of" --sql | sed '1d' > "$tmp/visits.sql"
python3 - "$tmp/visits.sql" "$tmp/measure.sql" <<'PY'
import sys
s = open(sys.argv[1]).read()
i = s.index("WITH due AS (") + len("WITH due AS (")
j = s.index("SELECT 'visits' AS")
body = s[i:j].rstrip()
assert body.endswith(")")
open(sys.argv[2], "w").write("SELECT count(*), sum(met), sum(visits), sum(days) FROM (" + body[:-1] + ");\n")
PY

echo "cores: $(nproc); load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-12s %9s %9s %10s   %s\n" "report" "wall s" "cpu s" "peak MB" "peer (sqlite3 CLI)"
time_it peer_coverage sqlite3 -readonly "$db" ".read $tmp/coverage.sql"
pc_wall=$wall
time_it peer_measure sqlite3 -readonly "$db" ".read $tmp/measure.sql"
pm_wall=$wall
for name in overview coverage visits quotas outcomes problems assessment; do
  time_it "$name" "$bin" --db "$db" report "$name" --as-of "$as_of" -o "$tmp/$name.html"
  peer=""
  case "$name" in
    coverage) peer=$(awk -v a="$wall" -v b="$pc_wall" 'BEGIN { printf "coverage by township %.2f s, ratio %.2f", b, a / b }') ;;
    visits|assessment) peer=$(awk -v a="$wall" -v b="$pm_wall" 'BEGIN { printf "the visits measure %.2f s, ratio %.2f", b, a / b }') ;;
  esac
  printf "%-12s %9.2f %9.2f %10.1f   %s\n" "$name" "$wall" "$cpu" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$peer"
done
