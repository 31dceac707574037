# Shared by the benchmarks that time linkage against a peer (bench/checks.sh, bench/exports.sh);
# sourced, after they set `tmp` (a scratch directory) and `bench` (their name, for messages).

# One run of a command: sets run_s (wall seconds), run_cpu (user + sys seconds) and run_rss (peak
# KB). $2, when given, is an exit code that is a result rather than a failure (linkage check's 1).
run_once() {
  local start end rc=0
  start=$EPOCHREALTIME
  /usr/bin/time -f '%M %U %S' -o "$tmp/time" bash -c "exec $1" >"$tmp/out" 2>"$tmp/err" || rc=$?
  end=$EPOCHREALTIME
  if [[ $rc -ne 0 && $rc != "${2:-0}" ]]; then
    echo "$bench: FAILED ($rc): $1" >&2; cat "$tmp/err" >&2; exit 1
  fi
  run_s="$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')"
  read -r run_rss run_cpu < <(tail -n 1 "$tmp/time" | awk '{ printf "%d %.2f\n", $1, $2 + $3 }')
}

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
