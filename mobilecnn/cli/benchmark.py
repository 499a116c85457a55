"""``mobilecnn benchmark``: time a .tflite in LiteRT at several thread counts.

Exit codes: 0 done; 1 the file could not be loaded or run; 2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys

from mobilecnn.cli.common import UsageError


def add_benchmark_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("tflite", help="a .tflite file")
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--runs", type=int, default=50)


def run_benchmark(args: argparse.Namespace) -> int:
    from mobilecnn.export.benchmark import benchmark

    if not os.path.isfile(args.tflite):
        raise UsageError(f"no such file: {args.tflite!r}")
    try:
        timings = benchmark(args.tflite, threads=tuple(args.threads), runs=args.runs)
    except ValueError as err:
        print(f"mobilecnn benchmark: failed: {err}", file=sys.stderr)
        return 1
    for t in timings:
        print(f"{args.tflite}: {t.threads} thread(s): median {t.median_ms:.2f} ms, p90 {t.p90_ms:.2f} ms "
              f"over {t.runs} runs")
    return 0
