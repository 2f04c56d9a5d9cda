#!/usr/bin/env bash
# bench/peers/run.sh: the tutorial's training job in simdnn and in its peers
# (PyTorch, numpy, Go with gonum's blas32), back to back on this machine,
# and one table: epochs/s, test accuracy after the same epochs, and
# simdnn's speed-up over each peer. Not part of CI.
#
# The job: 784-15-10 and 784-128-10, ReLU, softmax cross-entropy, plain
# SGD lr 0.2, batch 1024, Glorot-uniform weights, zero biases, shuffled
# every epoch, the 60000 real MNIST training rows; accuracy on the 10000
# test rows. Each tool runs on 1 thread and on all cores.
#
# Each peer gets its best configuration, printed with its row:
# - OpenBLAS 0.3.21 (Debian's, used by numpy and torch) does not know
#   this CPU and falls back to slow SSE3 kernels: OPENBLAS_CORETYPE names
#   the best kernel set the CPU runs (SkylakeX with AVX-512, else Haswell
#   with AVX2), and OPENBLAS_L2_SIZE is unset with it.
# - torch on several threads fights its own OpenMP pool and OpenBLAS's
#   unless OMP_WAIT_POLICY=PASSIVE; both pools get the thread count.
# - gonum: GOMAXPROCS is the thread count (its Sgemm splits large
#   products over that many goroutines).
#
# Environment: EPOCHS (default 50, the tutorial's), NETS (hidden widths,
# default "15 128"; "128:10" gives that network its own epoch count), THREADS (default "1 <all cores>"), PEERS (default
# "torch numpy gonum"; "bf16" is simdnn with -precision bf16, its row
# giving its speed-up over simdnn's float32), SIMDNN_MNIST (directory with the four MNIST
# files; default: fetched as `simdnn train` does, through the Go module
# proxy). Installs python3-torch, python3-numpy and libopenblas0-pthread
# with apt-get when missing.
set -euo pipefail
source "$(dirname "$0")/common.sh"
EPOCHS="${EPOCHS:-50}"
NETS="${NETS:-15 128}"
all=$(nproc)
THREADS="${THREADS:-$([ "$all" = 1 ] && echo 1 || echo "1 $all")}"
PEERS="${PEERS:-torch numpy gonum}"

install_peers

data=$(mnist_data)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && go build -o "$tmp/simdnn" ./cmd/simdnn)
# The gonum peer's module requires simdnn through a replace of ../../..;
# tidy a copy of its go.mod, so that a change to simdnn's own requirements
# neither breaks the build nor dirties the tree.
cp "$peers/gonum/go.mod" "$tmp/gonum.mod"
cp "$peers/gonum/go.sum" "$tmp/gonum.sum"
(cd "$peers/gonum" && go mod tidy -modfile="$tmp/gonum.mod" && go build -modfile="$tmp/gonum.mod" -o "$tmp/gonum" .)


# The FMA peak of one core (GFLOP/s, the best implementation's, as
# BenchmarkPeak measures it) before and after the runs: the table gives
# simdnn's share of it.
peak() {
	(cd "$root" && go test -run '^$' -bench '^BenchmarkPeak$' -benchtime 5x ./bench) |
		awk '/GFLOP\/s/ { if ($(NF-1) > best) best = $(NF-1) } END { print best }'
}

# simdnn NAME PRECISION: one simdnn run of the loop's network and
# threads, as the row NAME.
simdnn() {
	echo "784-$h-10, $t thread(s): $1" >&2
	"$tmp/simdnn" train -data "$data" -hidden "$h" -epochs "$epochs" -threads "$t" -precision "$2" -json | tail -n 1 |
		"$py" -c 'import json, sys
r = json.load(sys.stdin)
print(json.dumps({"peer": "'"$1"'", "network": "784-'"$h"'-10", "threads": r["threads"], "epochs": r["epochs"],
    "train_seconds": r["train_seconds"], "epochs_per_second": r["epochs_per_second"],
    "test_accuracy": r["test_accuracy"], "config": "simdnn " + r["impl"] + " " + r["precision"] + ", GOMAXPROCS default"}))' >>"$results"
}

results="$tmp/results.jsonl"
peak_before=$(peak)
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >"$tmp/load"
for spec in $NETS; do
	h=${spec%%:*}
	epochs=$EPOCHS
	[ "$spec" = "$h" ] || epochs=${spec#*:}
	for t in $THREADS; do
		simdnn simdnn fp32
		for p in $PEERS; do
			echo "784-$h-10, $t thread(s): $p" >&2
			case "$p" in
			bf16) simdnn "simdnn bf16" bf16 ;;
			torch)
				(cd "$peers" && env "${coretype[@]}" OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS="$t" OPENBLAS_NUM_THREADS="$t" \
					"$py" torch_peer.py "$data" "$h" "$epochs" "$t") >>"$results" ;;
			numpy)
				(cd "$peers" && env "${coretype[@]}" OPENBLAS_NUM_THREADS="$t" OMP_NUM_THREADS="$t" \
					"$py" numpy_peer.py "$data" "$h" "$epochs" "$t") >>"$results" ;;
			gonum)
				"$tmp/gonum" "$data" "$h" "$epochs" "$t" >>"$results" ;;
			*) echo "unknown peer $p" >&2; exit 2 ;;
			esac
		done
	done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$tmp/load"
peak_after=$(peak)

"$py" "$peers/table.py" "$results" "$tmp/load" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores, $(grep -qw avx512f /proc/cpuinfo && echo AVX-512 || echo no AVX-512)" \
	"$(go version | cut -d' ' -f3)" "$peak_before" "$peak_after"
