"""Prints run.sh's results as one Markdown table: per network and thread
count, simdnn first, then each peer with simdnn's speed-up over it, and
each row's share of the FMA peak of the cores it used (the peak measured
before and after the runs, their mean)."""

import json
import sys


def epoch_flop(network, rows=60000):
    """bench.EpochFLOP: per layer 2·rows·in·out for the forward product,
    as much for the weight gradient, and as much for the input gradient of
    every layer but the first."""
    sizes = [int(s) for s in network.split("-")]
    f = 0.0
    for l in range(len(sizes) - 1):
        mac = 2.0 * rows * sizes[l] * sizes[l + 1]
        f += 2 * mac + (mac if l > 0 else 0)
    return f


def main():
    rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
    load = open(sys.argv[2]).read().strip().replace("\n", ", ")
    cpu, go = sys.argv[3], sys.argv[4]
    peaks = [float(p) for p in sys.argv[5:7] if p]
    peak = sum(peaks) / len(peaks) if peaks else 0
    print(f"CPU: {cpu}; {go}; {load}; FMA peak of one core {' and '.join(f'{p:.0f}' for p in peaks)} GFLOP/s (before, after)\n")
    print("| network | threads | tool | epochs/s | share of peak | test accuracy (after epochs) | simdnn × | configuration |")
    print("|---|---|---|---|---|---|---|---|")
    ours = {(r["network"], r["threads"]): r for r in rows if r["peer"] == "simdnn"}
    for r in rows:
        mine = ours.get((r["network"], r["threads"]))
        ratio = "" if r["peer"] == "simdnn" or mine is None else f"{mine['epochs_per_second'] / r['epochs_per_second']:.1f}×"
        if r["peer"] == "simdnn bf16" and mine is not None:
            ratio = f"bf16 {r['epochs_per_second'] / mine['epochs_per_second']:.2f}× fp32"
        share = f"{epoch_flop(r['network']) * r['epochs_per_second'] / (peak * 1e9 * r['threads']):.0%}" if peak else ""
        print(f"| {r['network']} | {r['threads']} | {r['peer']} | {r['epochs_per_second']:.2f} | {share} | "
              f"{r['test_accuracy']:.4f} ({r['epochs']}) | {ratio} | {r['config']} |")


if __name__ == "__main__":
    main()
