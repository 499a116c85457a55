"""``mobilecnn benchmark``: time a .tflite, benchmark the zoo, or plot a results file.

    mobilecnn benchmark FILE.tflite [--threads 1 2] [--target local|litert-benchmark|android[:SERIAL]] [--out R.json]
    mobilecnn benchmark --zoo [PATTERN] --precision float32 int8 --threads 1 2 --target local --out DIR
    mobilecnn benchmark --zoo --target android --binary benchmark_model --threads 4 --taskset f0 --out phone/
    mobilecnn benchmark --plot DIR [--results FILE]

Exit codes: 0 done; 1 the file could not be loaded or run (or the phone failed); 2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mobilecnn.cli.common import UsageError


def add_benchmark_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("tflite", nargs="?", help="a .tflite file to time")
    p.add_argument("--zoo", nargs="?", const="*", metavar="PATTERN",
                   help="export and time every registered model matching PATTERN (default: all)")
    p.add_argument("--plot", metavar="DIR", help="draw the plots of --results (or DIR/results.json) into DIR")
    p.add_argument("--results", metavar="FILE", help="results file for --plot (results.json or results.jsonl)")
    p.add_argument("--precision", nargs="+", default=None, metavar="P",
                   help="--zoo precisions (default: float32 float16 int8)")
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--target", nargs="+", default=["local"], metavar="TARGET",
                   help="local (in-process LiteRT), litert-benchmark (the wheel's tool), android[:SERIAL] (adb)")
    p.add_argument("--accelerator", choices=("cpu", "gpu", "npu"), default="cpu")
    p.add_argument("--binary", metavar="PATH", help="android: the benchmark_model binary to push to the phone")
    p.add_argument("--taskset", metavar="MASK", help="android: pin the tool to these CPUs (hex mask, e.g. f0)")
    p.add_argument("--runs", type=int, default=50)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--max-seconds", type=float, default=None, metavar="S",
                   help="local: time each file for about S seconds at most (all --threads together): fewer "
                        "than --runs for a slow model, never under 10")
    p.add_argument("--out", metavar="PATH", help="--zoo: the results folder; FILE: write its records to this .json")
    p.add_argument("--no-verify", dest="verify", action="store_false", help="--zoo: skip export verification")
    p.add_argument("--no-progress", dest="progress", action="store_false")


def _check(args: argparse.Namespace) -> str:
    modes = [m for m, on in (("FILE", args.tflite), ("--zoo", args.zoo is not None), ("--plot", args.plot)) if on]
    if len(modes) != 1:
        raise UsageError("give one of FILE.tflite, --zoo [PATTERN] or --plot DIR" +
                         (f" (got {' and '.join(modes)})" if modes else ""))
    if args.runs < 1 or args.warmup < 0 or any(t < 1 for t in args.threads):
        raise UsageError("--runs and --threads must be positive, --warmup non-negative")
    if args.zoo is not None and not args.out:
        raise UsageError("--zoo needs --out DIR (results and exports go there; run again to resume)")
    if args.results and not args.plot:
        raise UsageError("--results is for --plot (mobilecnn pick takes its own --results)")
    if args.binary is not None:
        binary = Path(args.binary)
        if not binary.is_file():
            raise UsageError(f"--binary {args.binary!r}: no such file")
        if not os.access(binary, os.X_OK):
            raise UsageError(f"--binary {args.binary!r} is not executable: chmod +x {args.binary}")
    return modes[0]


def _targets(args: argparse.Namespace):
    from mobilecnn.export.targets import TargetUsageError, parse_target

    try:
        targets = [parse_target(spec, binary=args.binary if spec.startswith("android") else None,
                                taskset=args.taskset if spec.startswith("android") else None,
                                max_seconds=args.max_seconds if spec == "local" else None)
                   for spec in args.target]
        if args.binary is not None and not any(t.name == "android" for t in targets):
            raise TargetUsageError("--binary is for --target android[:SERIAL]")
        if args.taskset is not None and not any(t.name == "android" for t in targets):
            raise TargetUsageError("--taskset is for --target android[:SERIAL]")
        for t in targets:
            t.check_accelerator(args.accelerator)
    except TargetUsageError as err:
        raise UsageError(str(err)) from None
    return targets


def run_benchmark(args: argparse.Namespace) -> int:
    mode = _check(args)
    if mode == "--plot":
        return _plot(args)
    # Name a bad target before any work (an unknown name, or a missing binary, is a usage error).
    from mobilecnn.export.targets import TargetUsageError

    if mode == "--zoo":
        _targets(args)
        return _zoo(args)
    if not os.path.isfile(args.tflite):
        raise UsageError(f"no such file: {args.tflite!r}")
    targets = _targets(args)
    from mobilecnn.export import results as res
    from mobilecnn.export.targets import TargetError
    from mobilecnn.export.zoo import time_file

    records = []
    for target in targets:
        try:
            got = time_file(target, args.tflite, args.threads, args.accelerator, args.runs, args.warmup)
        except TargetUsageError as err:
            raise UsageError(str(err)) from None
        except (TargetError, ValueError) as err:
            print(f"mobilecnn benchmark: failed: {err}", file=sys.stderr)
            return 1
        for r in got:
            lat = r["latency_ms"]
            p90 = f"p90 {lat['p90']:.2f} ms" if lat["p90"] is not None else f"p95 {lat['p95']:.2f} ms"
            print(f"{args.tflite}: {r['run']['threads']} thread(s): median {lat['median']:.2f} ms, {p90} "
                  f"over {lat['count']} runs ({r['target']['name']}, {r['run']['accelerator']})")
        records += got
    if args.out:
        res.write_json(records, args.out)
        print(f"records written to {args.out}", file=sys.stderr)
    return 0


def _zoo(args: argparse.Namespace) -> int:
    from mobilecnn.export.targets import TargetUsageError
    from mobilecnn.export.zoo import DEFAULT_PRECISIONS, run_zoo

    try:
        records = run_zoo(args.zoo, out=args.out, precisions=args.precision or DEFAULT_PRECISIONS,
                          threads=args.threads, targets=args.target, accelerator=args.accelerator, runs=args.runs,
                          warmup=args.warmup, verify=args.verify, binary=args.binary, taskset=args.taskset,
                          max_seconds=args.max_seconds, progress=args.progress)
    except TargetUsageError as err:
        raise UsageError(str(err)) from None
    except ValueError as err:
        if "Did you mean" in str(err) or "unknown" in str(err).lower():
            raise UsageError(str(err)) from None
        raise
    except KeyboardInterrupt:
        print(f"interrupted: the records so far are in {args.out}; run the same command again to resume",
              file=sys.stderr)
        return 130
    failed = sum(r["status"] == "failed" for r in records)
    out = Path(args.out)
    print(f"{len(records)} record(s), {failed} failed: {out / 'results.json'}, results.csv, results.md")
    return 0


def _plot(args: argparse.Namespace) -> int:
    from mobilecnn.export import results as res

    source = Path(args.results) if args.results else Path(args.plot) / "results.json"
    try:
        records = res.read_results(source)
    except res.ResultsError as err:
        raise UsageError(f"{err}" + ("" if args.results else " (pass --results FILE)")) from None
    from mobilecnn.export.plots import plot_all

    drawn = plot_all(records, args.plot)
    for data in drawn.values():
        print(f"{data['path']}: {data['points']} point(s)")
    return 0
