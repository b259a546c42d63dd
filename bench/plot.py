#!/usr/bin/python3
"""Recall–QPS plot (ann-benchmarks style) from ann_bench's (and ann_peers') JSON lines.

Usage: bench/plot.py build/bench-results/ann_bench.jsonl [more.jsonl ...] out.png
One line per engine, points in sweep order; QPS on a log axis, recall@10 across. Input files
that do not exist are skipped (ann_peers.jsonl is absent when its packages do not install).
Uses Debian's python3-matplotlib (installed by `make bench`).
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    srcs, dst = sys.argv[1:-1], sys.argv[-1]
    runs = {}
    meta = {}
    for src in srcs:
        if not os.path.exists(src):
            continue
        with open(src) as f:
            for line in f:
                p = json.loads(line)
                runs.setdefault(p["engine"], []).append(p)
                meta = meta or p
    fig, ax = plt.subplots(figsize=(10, 6))
    # Up to 20 distinct colours; Quiver's engines drawn solid, peers dashed.
    colours = plt.get_cmap("tab20").colors
    for i, (engine, points) in enumerate(runs.items()):
        points.sort(key=lambda p: p["value"])
        marker = "*" if len(points) == 1 else "o"
        style = "-" if engine.startswith("quiver") else "--"
        ax.plot([p["recall"] for p in points], [p["qps"] for p in points], marker=marker, label=engine,
                color=colours[i % len(colours)], linestyle=style)
        for p in points:
            if p["param"] != "-":
                ax.annotate(f'{p["param"]}={p["value"]}', (p["recall"], p["qps"]), fontsize=6,
                            textcoords="offset points", xytext=(3, 3))
    ax.set_yscale("log")
    ax.set_xlabel("recall@10")
    ax.set_ylabel("queries per second (1 thread, log scale)")
    ax.set_title(f'fashion-mnist, {meta.get("base", "?")} x 784, {meta.get("queries", "?")} queries')
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(dst, dpi=120)
    print(f"wrote {dst}")


if __name__ == "__main__":
    main()
