"""Prints infer.sh's results as one Markdown table: per network, row count
and thread count, simdnn's BenchmarkPredict (median of its runs) beside
torch's no_grad forward, and simdnn's speed-up."""

import json
import re
import statistics
import sys

LINE = re.compile(r"^BenchmarkPredict/(784-\d+-10)/rows=(\d+)/threads=(\d+)(?:-\d+)?\s.*?"
                  r"([\d.]+) µs/call\s.*?(\d+) allocs/op")


def main():
    runs = {}
    for line in open(sys.argv[1]):
        m = LINE.match(line)
        if m:
            key = (m[1], int(m[2]), int(m[3]))
            runs.setdefault(key, []).append((float(m[4]), int(m[5])))
    torch = {}
    for line in open(sys.argv[2]):
        if line.strip():
            r = json.loads(line)
            torch[(r["network"], r["rows"], r["threads"])] = r
    load = open(sys.argv[3]).read().strip().replace("\n", ", ")
    cpu, go = sys.argv[4], sys.argv[5]
    config = next(iter(torch.values()))["config"].rsplit(",", 2)[0] if torch else ""
    print(f"CPU: {cpu}; {go}; {config}; {load}\n")
    print("| network | rows | threads | simdnn µs/call | simdnn rows/s | allocs/call | torch µs/call | torch rows/s | simdnn × |")
    print("|---|---|---|---|---|---|---|---|---|")
    for key in sorted(runs, key=lambda k: (int(k[0].split("-")[1]), k[1], k[2])):
        us = statistics.median(u for u, _ in runs[key])
        allocs = max(a for _, a in runs[key])
        t = torch.get(key)
        tus = f"{t['us_per_call']:.1f}" if t else ""
        trows = f"{t['rows_per_second']:,.0f}" if t else ""
        ratio = f"{t['us_per_call'] / us:.1f}×" if t else ""
        print(f"| {key[0]} | {key[1]} | {key[2]} | {us:.1f} | {key[1] / us * 1e6:,.0f} | {allocs} | {tus} | {trows} | {ratio} |")


if __name__ == "__main__":
    main()
