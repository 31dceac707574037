#!/usr/bin/env bash
# Schema steps 7 and 8 (excluded categories as rules: cadre rebuilt without its CHECK; the household
# index of activity rebuilt with action and title) on a register of version 6, as linkage runs them
# when it opens the register (`linkage init --db COPY`), against the same work written by hand in
# the sqlite3 CLI (bench/migrate_hand.sql) on another copy, in the same run. Each run works on a
# fresh copy (not timed). Prints median wall seconds, the ratio (linkage / sqlite3), median CPU
# seconds, peak RSS, and checks the copies agree afterwards (cadre rows, their checksum) and that
# `linkage audit --verify` passes on linkage's.
#
#   bench/migrate.sh LINKAGE_BINARY --db V6_REGISTER [--runs K]
#
#   --db FILE   a register of schema version 6 (made by a linkage before step 7, such as a
#               province sample of 1,000,000 households); it is only read
#   --runs K    timed runs of each, after no warm-up (default 1: each run copies the register)
set -euo pipefail

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }
bin="" db="" runs=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --db) db="${2:?--db needs a file}"; shift 2 ;;
    --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "migrate: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) [[ -z "$bin" ]] || { echo "migrate: one binary only" >&2; exit 2; }; bin="$1"; shift ;;
  esac
done
[[ -n "$bin" && -n "$db" ]] || { usage >&2; exit 2; }
[[ -x "$bin" ]] || { echo "migrate: $bin is not an executable (build with: swift build -c release)" >&2; exit 2; }
[[ -f "$db" ]] || { echo "migrate: no register at $db" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "migrate: --runs must be a positive integer" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "migrate: the sqlite3 CLI is needed (apt-get install sqlite3)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "migrate: /usr/bin/time is needed (apt-get install time)" >&2; exit 2; }
version=$(sqlite3 "$db" "PRAGMA user_version")
[[ "$version" == 6 ]] || { echo "migrate: $db is at schema version $version; step 7 needs a register of version 6" >&2; exit 2; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/linkage-migrate.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

run_once() {
  local start end
  start=$EPOCHREALTIME
  /usr/bin/time -f '%M %U %S' -o "$tmp/time" bash -c "exec $1" >"$tmp/out" 2>"$tmp/err" || {
    echo "migrate: FAILED: $1" >&2; cat "$tmp/err" >&2; exit 1
  }
  end=$EPOCHREALTIME
  run_s="$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')"
  read -r run_rss run_cpu < <(tail -n 1 "$tmp/time" | awk '{ printf "%d %.2f\n", $1, $2 + $3 }')
}
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
cadres() { sqlite3 "$1" "SELECT count(*), count(excluded), sum(id * length(name) + length(coalesce(excluded, role))) FROM cadre"; }

echo "migrate: $(sqlite3 "$db" "SELECT count(*) FROM household") households, $(sqlite3 "$db" "SELECT count(*) FROM cadre") cadres, $(du -h "$db" | cut -f1); $runs run(s) of each" >&2
e_times=() h_times=() e_cpus=() h_cpus=() e_rss=0 h_rss=0
for ((k = 1; k <= runs; k++)); do
  cp "$db" "$tmp/linkage.db"
  run_once "$(printf '%q init --db %q' "$bin" "$tmp/linkage.db")"
  e_times+=("$run_s"); e_cpus+=("$run_cpu"); (( run_rss > e_rss )) && e_rss=$run_rss
  cp "$db" "$tmp/hand.db"
  run_once "$(printf 'sqlite3 -batch -bail %q < %q' "$tmp/hand.db" "$here/migrate_hand.sql")"
  [[ "$(cat "$tmp/out")" == 0 ]] || { echo "migrate: the hand rebuild found foreign key problems: $(cat "$tmp/out")" >&2; exit 1; }
  h_times+=("$run_s"); h_cpus+=("$run_cpu"); (( run_rss > h_rss )) && h_rss=$run_rss
  [[ "$(cadres "$tmp/linkage.db")" == "$(cadres "$db")" && "$(cadres "$tmp/hand.db")" == "$(cadres "$db")" ]] || {
    echo "migrate: MISMATCH: the cadre rows differ after the migration" >&2; exit 1; }
done
[[ "$(sqlite3 "$tmp/linkage.db" "PRAGMA user_version")" == 8 ]] || { echo "migrate: linkage did not reach version 8" >&2; exit 1; }
verify="$("$bin" --db "$tmp/linkage.db" audit --verify 2>&1)" || { echo "migrate: audit --verify failed: $verify" >&2; exit 1; }
e_med=$(median "${e_times[@]}") h_med=$(median "${h_times[@]}") e_cpu=$(median "${e_cpus[@]}") h_cpu=$(median "${h_cpus[@]}")
printf '\n%-26s %9s %9s %10s\n' "" "wall s" "CPU s" "peak MB"
awk -v t="$e_med" -v c="$e_cpu" -v r="$e_rss" 'BEGIN { printf "%-26s %9.2f %9.2f %10.1f\n", "linkage (steps 7-8 on open)", t, c, r / 1024 }'
awk -v t="$h_med" -v c="$h_cpu" -v r="$h_rss" 'BEGIN { printf "%-26s %9.2f %9.2f %10.1f\n", "sqlite3 CLI, by hand", t, c, r / 1024 }'
awk -v e="$e_med" -v h="$h_med" 'BEGIN { printf "ratio linkage / sqlite3: %.2f\n", e / h }'
echo "cadre rows agree ($(cadres "$db")); linkage audit --verify: $(echo "$verify" | head -n 1)"
echo "(medians of $runs run(s); $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
