"""Plots of a results file (matplotlib, Agg, PNG). Each function returns the data it drew.

- ``latency_vs_top1.png``: latency against the reference ImageNet top-1, one series per precision, each with its
  Pareto front (no other model of that precision is both faster and more accurate).
- ``latency_vs_macs.png``: latency against MACs, log-log, and the line a model running at this machine's float32
  GEMM roof would sit on (2 x MACs / roof; drawn when the records carry a roof, i.e. were timed here).
- ``int8_vs_float32.png``: int8 latency over float32 latency per model (below 1: int8 is faster).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from mobilecnn.export import results as res

MARKERS = {"float32": "o", "float16": "s", "dynamic": "^", "int8": "D"}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def choose(records: list[dict], threads: int | None = None, target: str | None = None,
           accelerator: str = "cpu") -> tuple[list[dict], int, str]:
    """The ok records of one target at one thread count (default: 2 threads if measured, else the most)."""
    good = [r for r in res.ok(records) if r["run"]["accelerator"] == accelerator]
    if target is None:
        target = next((r["target"]["name"] for r in good), "local")
    good = [r for r in good if r["target"]["name"] == target]
    present = {r["run"]["threads"] for r in good}
    if threads is None:
        threads = 2 if 2 in present or not present else max(present)
    return [r for r in good if r["run"]["threads"] == threads], threads, target


def pareto(points: list[tuple[float, float, Any]]) -> list[tuple[float, float, Any]]:
    """(latency, accuracy, label) points no other point beats on both; by latency."""
    front, best = [], float("-inf")
    for p in sorted(points, key=lambda p: (p[0], -p[1])):
        if p[1] > best:
            front.append(p)
            best = p[1]
    return front


def _macs(r: dict) -> float | None:
    return r["model"].get("macs") or r["model"]["reference"].get("macs")


def latency_vs_top1(records: list[dict], path: str | os.PathLike, threads: int | None = None,
                    target: str | None = None) -> dict[str, Any]:
    plt = _pyplot()
    chosen, threads, target = choose(records, threads, target)
    series: dict[str, list] = {}
    for r in chosen:
        top1 = res.imagenet_top1(r)   # LeNet-5's digits or NiN-CIFAR's CIFAR figure is not on this scale
        if top1 is not None:
            series.setdefault(r["model"]["precision"], []).append(
                (r["latency_ms"]["median"], top1, r["model"]["name"]))
    fig, ax = plt.subplots(figsize=(8, 6))
    fronts, labels = {}, {}
    for precision, points in series.items():
        ax.scatter([p[0] for p in points], [p[1] for p in points], marker=MARKERS.get(precision, "o"),
                   label=precision, alpha=0.7)
        front = fronts[precision] = pareto(points)
        ax.step([p[0] for p in front], [p[1] for p in front], where="post", alpha=0.6)
        for x, y, name in front:   # a model on several fronts is named once, at its fastest point
            if name not in labels or x < labels[name][0]:
                labels[name] = (x, y)
    # Neighbours on a front share a height: alternate the names above and below their points.
    for i, (name, (x, y)) in enumerate(sorted(labels.items(), key=lambda item: item[1][0])):
        ax.annotate(name, (x, y), fontsize=7, xytext=(3, 3 if i % 2 == 0 else -10), textcoords="offset points")
    ax.set_xscale("log")
    ax.set(xlabel=f"median latency, ms ({target}, {threads} thread(s))", ylabel="reference top-1, %",
           title="Latency against published accuracy (line: Pareto front)")
    ax.grid(True, which="both", alpha=0.3)
    if series:
        ax.legend()
    data = {"path": str(path), "series": series, "pareto": fronts,
            "points": sum(len(c.get_offsets()) for c in ax.collections)}
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return data


def latency_vs_macs(records: list[dict], path: str | os.PathLike, threads: int | None = None,
                    target: str | None = None) -> dict[str, Any]:
    plt = _pyplot()
    chosen, threads, target = choose(records, threads, target)
    series: dict[str, list] = {}
    for r in chosen:
        macs = _macs(r)
        if macs:
            series.setdefault(r["model"]["precision"], []).append((macs, r["latency_ms"]["median"], r["model"]["name"]))
    fig, ax = plt.subplots(figsize=(8, 6))
    for precision, points in series.items():
        ax.scatter([p[0] for p in points], [p[1] for p in points], marker=MARKERS.get(precision, "o"),
                   label=precision, alpha=0.7)
    roofs = [r["roof"]["gflops"] for r in chosen if r.get("roof")]
    roof_line = None
    all_macs = [p[0] for points in series.values() for p in points]
    if roofs and all_macs:
        gflops = max(roofs)
        lo, hi = min(all_macs) / 2, max(all_macs) * 2
        roof_line = [(m, 2 * m / (gflops * 1e9) * 1e3) for m in (lo, hi)]
        ax.plot([p[0] for p in roof_line], [p[1] for p in roof_line], "k--",
                label=f"at the float32 GEMM roof ({gflops:.0f} GFLOP/s)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set(xlabel="multiply-accumulates per inference", ylabel=f"median latency, ms ({target}, {threads} thread(s))",
           title="Latency against MACs")
    ax.grid(True, which="both", alpha=0.3)
    if series:
        ax.legend()
    data = {"path": str(path), "series": series, "roof_line": roof_line,
            "points": sum(len(c.get_offsets()) for c in ax.collections)}
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return data


def int8_ratio(records: list[dict], path: str | os.PathLike, threads: int | None = None,
               target: str | None = None) -> dict[str, Any]:
    plt = _pyplot()
    chosen, threads, target = choose(records, threads, target)
    by: dict[str, dict[str, dict]] = {}
    for r in chosen:
        by.setdefault(r["model"]["name"], {})[r["model"]["precision"]] = r
    ratios = [(name, res.int8_ratio(p["float32"], p["int8"])) for name, p in by.items()
              if "int8" in p and "float32" in p]
    fig, ax = plt.subplots(figsize=(max(6, 0.35 * len(ratios) + 2), 5))
    bars = ax.bar(range(len(ratios)), [r for _, r in ratios], color="tab:blue")
    ax.axhline(1.0, color="k", lw=0.8)
    ax.set_xticks(range(len(ratios)), [n for n, _ in ratios], rotation=70, ha="right", fontsize=8)
    ax.set(ylabel="int8 latency / float32 latency", title=f"int8 against float32 ({target}, {threads} thread(s))")
    data = {"path": str(path), "ratios": ratios, "points": len(bars)}
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return data


def plot_all(records: list[dict], out_dir: str | os.PathLike, threads: int | None = None,
             target: str | None = None) -> dict[str, dict]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return {"latency_vs_top1": latency_vs_top1(records, out / "latency_vs_top1.png", threads, target),
            "latency_vs_macs": latency_vs_macs(records, out / "latency_vs_macs.png", threads, target),
            "int8_vs_float32": int8_ratio(records, out / "int8_vs_float32.png", threads, target)}
