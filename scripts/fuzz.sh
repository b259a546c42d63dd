#!/usr/bin/env bash
# Runs each libFuzzer target for a fixed time: scripts/fuzz.sh <build-dir> <seconds> <target...>.
# The in-tree seeds (tests/fuzz/corpus/<target>) are read-only inputs; the growing corpus lives
# in <build-dir>/fuzz-corpus/<target>. Prints executions per target and fails if any target
# found a crash, leak or timeout (the input is left in <build-dir>/crashes/).
set -uo pipefail
cd "$(dirname "$0")/.."
dir=$1 seconds=$2
shift 2
status=0
mkdir -p "$dir/crashes"
for t in "$@"; do
  mkdir -p "$dir/fuzz-corpus/$t"
  log="$dir/fuzz-$t.log"
  "$dir/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=4096 -print_final_stats=1 -artifact_prefix="$dir/crashes/$t-" \
    "$dir/fuzz-corpus/$t" "tests/fuzz/corpus/$t" > "$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  corpus=$(ls "$dir/fuzz-corpus/$t" | wc -l)
  echo "fuzz_$t: ${execs:-?} executions in ${seconds}s, ${cov:-cov: ?} edges, corpus $corpus, exit $rc"
  if [ $rc -ne 0 ]; then
    status=1
    grep -E 'ERROR|SUMMARY|artifact' "$log" | head -5
  fi
done
exit $status
