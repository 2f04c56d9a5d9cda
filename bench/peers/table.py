"""Prints run.sh's results as one Markdown table: per network and thread
count, simdnn first, then each peer with simdnn's speed-up over it."""

import json
import sys


def main():
    rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
    load = open(sys.argv[2]).read().strip().replace("\n", ", ")
    cpu, go = sys.argv[3], sys.argv[4]
    print(f"CPU: {cpu}; {go}; {load}\n")
    print("| network | threads | tool | epochs/s | test accuracy (after epochs) | simdnn × | configuration |")
    print("|---|---|---|---|---|---|---|")
    ours = {(r["network"], r["threads"]): r for r in rows if r["peer"] == "simdnn"}
    for r in rows:
        mine = ours.get((r["network"], r["threads"]))
        ratio = "" if r["peer"] == "simdnn" or mine is None else f"{mine['epochs_per_second'] / r['epochs_per_second']:.1f}×"
        print(f"| {r['network']} | {r['threads']} | {r['peer']} | {r['epochs_per_second']:.2f} | "
              f"{r['test_accuracy']:.4f} ({r['epochs']}) | {ratio} | {r['config']} |")


if __name__ == "__main__":
    main()
