"""``mobilecnn pick``: the most accurate measured models that fit a latency budget.

    mobilecnn pick --max-latency 5 [--precision int8] [--min-top1 70] [--results phone/results.json]

Exit codes: 0 an answer (including "nothing fits"); 2 bad arguments or a missing/corrupt results file.
"""

from __future__ import annotations

import argparse

from mobilecnn.cli.common import UsageError


def add_pick_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--max-latency", type=float, required=True, metavar="MS", help="median latency budget, ms")
    p.add_argument("--precision", help="only this precision (float32, float16, dynamic, int8)")
    p.add_argument("--min-top1", type=float, metavar="X", help="at least this reference top-1, %%")
    p.add_argument("--results", metavar="FILE", help="a results file (default: the published results)")
    p.add_argument("--threads", type=int, help="the thread count to read (default: 2 where measured)")
    p.add_argument("--target", help="the target to read (default: the file's first)")


def run_pick(args: argparse.Namespace) -> int:
    if args.max_latency <= 0:
        raise UsageError(f"--max-latency must be positive, got {args.max_latency}")
    from mobilecnn.export import results as res
    from mobilecnn.export.pick import describe, pick

    try:
        choice = pick(args.max_latency, args.precision, args.min_top1, args.results, args.threads, args.target)
    except res.ResultsError as err:
        raise UsageError(str(err)) from None
    what = f"median <= {args.max_latency:g} ms" + (f", {args.precision}" if args.precision else "") + \
        (f", top-1 >= {args.min_top1:g}%" if args.min_top1 is not None else "")
    if choice.fits:
        print(f"{len(choice.fits)} Pareto-optimal option(s) with {what}, most accurate first:")
        for r in choice.fits:
            print("  " + describe(r))
        return 0
    if choice.fastest is None:
        print(f"nothing fits {what}: the results hold no measured option for this selection")
    else:
        print(f"nothing fits {what}; the fastest measured option is {describe(choice.fastest)}")
    return 0
