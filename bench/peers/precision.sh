#!/usr/bin/env bash
# bench/peers/precision.sh: simdnn's two precisions (-precision fp32 and
# bf16) side by side, seed after seed, on the same threads: the Keras
# tutorial's 50 epochs (784-15-10, SGD 0.2, batch 1024) and the README's
# 98 % recipe. Per run: the test accuracy, the training seconds simdnn
# reports, and the wall time of the whole command (loading, training,
# the test); per job and seed, bf16's accuracy minus fp32's and fp32's
# time over bf16's. Not part of CI.
#
# Environment: SEEDS (default "1 2 3 4 5"), THREADS (default: all
# cores), SIMDNN_MNIST (default: fetched through the Go module proxy).
set -euo pipefail
source "$(dirname "$0")/common.sh"
SEEDS="${SEEDS:-1 2 3 4 5}"
THREADS="${THREADS:-$(nproc)}"
data=$(mnist_data)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && go build -o "$tmp/simdnn" ./cmd/simdnn)

# run JOB PRECISION SEED FLAGS...: one whole command; prints a JSON line.
run() {
	local job=$1 prec=$2 seed=$3 s e
	shift 3
	s=$(date +%s.%N)
	"$tmp/simdnn" train -data "$data" -threads "$THREADS" -seed "$seed" -precision "$prec" -json "$@" | tail -n 1 >"$tmp/out"
	e=$(date +%s.%N)
	"$py" -c 'import json, sys
r = json.load(open(sys.argv[1]))
print(json.dumps({"job": sys.argv[2], "seed": int(sys.argv[3]), "precision": r["precision"], "accuracy": r["test_accuracy"],
    "train": r["train_seconds"], "wall": float(sys.argv[5]) - float(sys.argv[4])}))' "$tmp/out" "$job" "$seed" "$s" "$e"
}

for seed in $SEEDS; do
	for prec in fp32 bf16; do
		run "tutorial" "$prec" "$seed"
		run "98 %" "$prec" "$seed" -hidden 128 -batch 128 -momentum 0.9 -schedule onecycle -lr 0.15 -epochs 8
	done
done >"$tmp/results.jsonl"

"$py" - "$tmp/results.jsonl" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $THREADS threads" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(f"CPU: {sys.argv[2]}\n")
print("| job | seed | fp32 accuracy | bf16 accuracy | bf16 − fp32 | fp32 train s | bf16 train s | train × | fp32 wall s | bf16 wall s | wall × |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
by = {(r["job"], r["seed"], r["precision"]): r for r in rows}
for job in ("tutorial", "98 %"):
    for seed in sorted({r["seed"] for r in rows}):
        f, b = by[(job, seed, "fp32")], by[(job, seed, "bf16")]
        print(f"| {job} | {seed} | {f['accuracy']:.4f} | {b['accuracy']:.4f} | {100 * (b['accuracy'] - f['accuracy']):+.2f} pp | "
              f"{f['train']:.2f} | {b['train']:.2f} | {f['train'] / b['train']:.2f} | {f['wall']:.2f} | {b['wall']:.2f} | {f['wall'] / b['wall']:.2f} |")
PY
