"""Pick a model: the Pareto-optimal measured options that fit a latency budget, most accurate first.

    from mobilecnn.export.pick import pick
    choice = pick(max_latency_ms=5, precision="int8", results="phone/results.json")
    choice.fits        # records: no other fitting option is both faster and more accurate
    choice.fastest     # the fastest measured option (what to say when nothing fits)

By default it reads the results published with the package (``mobilecnn/export/published/zoo_results.json``,
this project's zoo run, written by ``benchmarks/zoo.py``), or ``$MOBILECNN_RESULTS``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from mobilecnn.export import results as res

PUBLISHED = Path(__file__).resolve().parent / "published" / "zoo_results.json"


def default_results() -> Path:
    return Path(os.environ.get("MOBILECNN_RESULTS") or PUBLISHED)


@dataclass
class Choice:
    fits: list[dict] = field(default_factory=list)
    fastest: dict | None = None
    considered: int = 0
    source: str = ""


def pick(max_latency_ms: float, precision: str | None = None, min_top1: float | None = None,
         results: str | os.PathLike | list[dict] | None = None, threads: int | None = None,
         target: str | None = None, accelerator: str = "cpu") -> Choice:
    """Measured options under ``max_latency_ms`` (and at least ``min_top1``), Pareto-optimal on (median latency,
    reference ImageNet top-1; models rated on another dataset are left out), most accurate first. ``threads``
    defaults to 2 where measured, else the most measured."""
    if isinstance(results, list):
        records, source = results, "records"
    else:
        path = Path(results) if results is not None else default_results()
        if results is None and not path.is_file():
            raise res.ResultsError(f"no published results at {path}: run `mobilecnn benchmark --zoo --out DIR` "
                                   "and pass --results DIR/results.json (or set MOBILECNN_RESULTS)")
        records, source = res.read_results(path), str(path)
    from mobilecnn.export.plots import choose

    chosen, threads, target = choose(records, threads, target, accelerator)
    if precision is not None:
        chosen = [r for r in chosen if r["model"]["precision"] == precision]
    top = {id(r): res.imagenet_top1(r) for r in chosen}   # models rated on another dataset do not compare
    rated = [r for r in chosen if top[id(r)] is not None]
    fastest = min(chosen, key=lambda r: r["latency_ms"]["median"], default=None)
    fitting = [r for r in rated if r["latency_ms"]["median"] <= max_latency_ms
               and (min_top1 is None or top[id(r)] >= min_top1)]

    def beaten(r: dict) -> bool:
        lat, acc = r["latency_ms"]["median"], top[id(r)]
        return any(o is not r and o["latency_ms"]["median"] <= lat and top[id(o)] >= acc
                   and (o["latency_ms"]["median"] < lat or top[id(o)] > acc) for o in fitting)

    front = sorted((r for r in fitting if not beaten(r)), key=lambda r: (-top[id(r)], r["latency_ms"]["median"]))
    return Choice(front, fastest, len(chosen), source)


def describe(record: dict) -> str:
    lat, ref = record["latency_ms"], record["model"]["reference"]
    p90 = f", p90 {lat['p90']:.2f}" if lat.get("p90") is not None else ""
    mem = f", peak {record['memory']['peak_mb']:.1f} MiB" if record["memory"].get("peak_mb") is not None else ""
    top1 = f"top-1 {ref['top1']:.1f}%" if ref.get("top1") is not None else "top-1 unknown"
    size = (record["model"].get("file") or {}).get("size")
    size_text = f", {size / 2**20:.2f} MiB" if size else ""
    return (f"{record['model']['name']} {record['model']['precision']}: {top1}, median {lat['median']:.2f} ms"
            f"{p90}{mem}{size_text} ({record['target']['name']}, {record['run']['threads']} thread(s))")
