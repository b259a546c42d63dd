#!/usr/bin/env bash
# Runs every benchmark (`make bench`, after the build): each prints its table, which is kept in
# $OUT/<name>.txt, and writes JSON lines to $OUT/<name>.jsonl (OUT defaults to
# <build>/bench-results, outside the tree's sources). Benchmarks print figures; they are not tests,
# but a benchmark that fails stops the run. About 15 minutes on the 2-core development machine.
# Usage: bench/run_all.sh [build-dir [name ...]]   (names: run only those benchmarks)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
ONLY=" ${*:2} "
OUT=${BENCH_OUT:-$BUILD/bench-results}
QUIVER=./$BUILD/quiver
mkdir -p "$OUT"

run() {
  local name=$1 t0=$SECONDS
  shift
  if [ "$ONLY" != "  " ] && [[ "$ONLY" != *" $name "* ]]; then return 0; fi
  echo "== $name: $*"
  stdbuf -oL "$@" | tee "$OUT/$name.txt"
  echo "== $name: $((SECONDS - t0)) s"
}

run ann_bench ./"$BUILD"/bench/ann_bench --out "$OUT/ann_bench.jsonl"
run kernel_bench ./"$BUILD"/bench/kernel_bench --out "$OUT/kernel_bench.jsonl"
run load_bench ./"$BUILD"/bench/load_bench "$QUIVER" --out "$OUT/load_bench.jsonl"
# usearch and LanceDB, exactly as locked (their native parts ship inside the npm packages).
stamp=bench/peers/node_modules/.quiver-lock-stamp
if [[ "$ONLY" == "  " || "$ONLY" == *" ann_peers "* ]] && { [ ! -f "$stamp" ] || ! cmp -s bench/peers/package-lock.json "$stamp"; }; then
  (cd bench/peers && npm ci --no-audit --no-fund --loglevel=error) && cp bench/peers/package-lock.json "$stamp"
fi
# LanceDB logs deprecation warnings on stderr; they are not part of the table.
run ann_peers node bench/peers/ann_peers.mjs --out "$OUT/ann_peers.jsonl" 2> "$OUT/ann_peers.stderr"
if [ -f "$OUT/ann_bench.jsonl" ] && /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  /usr/bin/python3 bench/plot.py "$OUT/ann_bench.jsonl" "$OUT/ann_peers.jsonl" "$OUT/ann_bench.png"
else
  echo "no plot (needs ann_bench's results and python3-matplotlib, which make bench installs)"
fi
run insert_bench ./"$BUILD"/bench/insert_bench "$QUIVER" --out "$OUT/insert_bench.jsonl"
run search_bench_flat ./"$BUILD"/bench/search_bench "$QUIVER" 100000 FLAT --out "$OUT/search_bench_flat.jsonl"
run search_bench_filtered ./"$BUILD"/bench/search_bench "$QUIVER" 50000 AUTOINDEX filtered \
  --out "$OUT/search_bench_filtered.jsonl"
run search_bench_fmnist ./"$BUILD"/bench/search_bench "$QUIVER" fmnist AUTOINDEX filtered \
  --out "$OUT/search_bench_fmnist.jsonl"
run startup_bench ./"$BUILD"/bench/startup_bench "$QUIVER" 1000000 --out "$OUT/startup_bench.jsonl"
# The Node SDK benchmarks use the end-to-end tests' locked client (scripts/setup.sh installs it).
run filter_bench node bench/filter_bench.mjs "$QUIVER" 1000000 --out "$OUT/filter_bench.jsonl"
run rest_vs_grpc node bench/rest_vs_grpc.mjs "$QUIVER" --out "$OUT/rest_vs_grpc.jsonl"
echo "results: $OUT"
