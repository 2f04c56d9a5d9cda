#!/usr/bin/env bash
# bench/peers/infer.sh: inference in simdnn and in PyTorch, back to back on
# this machine, and one table: µs per call and rows/s for 1 row and for
# 10000 rows of 784-15-10 and 784-256-10, on 1 and 2 threads, and
# simdnn's speed-up over torch. Not part of CI.
#
# simdnn: `go test -bench '^BenchmarkPredict$' ./bench`, a net.Predictor
# kept between calls giving the class of every row (logits and arg-max),
# the median of COUNT runs. torch: infer_torch.py, the forward pass under
# torch.no_grad() (logits only), the median of ROUNDS rounds. Both on
# float32 rows of MNIST-shaped pixels and freshly initialised weights:
# speed does not depend on the values.
#
# torch gets run.sh's configuration: OPENBLAS_CORETYPE names the best
# OpenBLAS kernel set of the CPU (Debian's OpenBLAS 0.3.21 does not know
# Zen 5), OMP_WAIT_POLICY=PASSIVE, and the thread count in
# torch.set_num_threads, OMP_NUM_THREADS and OPENBLAS_NUM_THREADS.
#
# Environment: COUNT (default 5), ROUNDS (default 5). Installs
# python3-torch and libopenblas0-pthread with apt-get when missing.
set -euo pipefail
source "$(dirname "$0")/common.sh"
COUNT="${COUNT:-5}"
export ROUNDS="${ROUNDS:-5}"

install_peers


tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >"$tmp/load"
echo "simdnn: BenchmarkPredict, count $COUNT" >&2
(cd "$root" && go test -run '^$' -bench '^BenchmarkPredict$' -count "$COUNT" ./bench) >"$tmp/go.txt"
for t in 1 2; do
	echo "torch, $t thread(s)" >&2
	(cd "$peers" && env "${coretype[@]}" OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS="$t" OPENBLAS_NUM_THREADS="$t" \
		"$py" infer_torch.py "$t") >>"$tmp/torch.jsonl"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$tmp/load"

"$py" "$peers/infer_table.py" "$tmp/go.txt" "$tmp/torch.jsonl" "$tmp/load" \
	"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores, $(grep -qw avx512f /proc/cpuinfo && echo AVX-512 || echo no AVX-512)" \
	"$(go version | cut -d' ' -f3)"
