"""How long the command line takes to answer when it has nothing heavy to do (issue 11's target: < 1.5 s).

Runs ``mobilecnn --help``, ``mobilecnn list`` and ``mobilecnn info efficientnet-b1`` as fresh processes,
``--runs`` times each, interleaved so that load drift hits them alike, and prints the median and the range.
A benchmark, not a test: the machine is shared, so read the figures beside the load they were taken under.

    python -m benchmarks.cli_startup --runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = (("--help",), ("list",), ("info", "efficientnet-b1"))


def time_command(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "cli_startup.json")
    args = parser.parse_args(argv)
    exe = shutil.which("mobilecnn") or sys.exit("the mobilecnn command is not installed (pip install -e .)")
    times: dict[str, list[float]] = {" ".join(c): [] for c in COMMANDS}
    for _ in range(args.runs):
        for command in COMMANDS:
            times[" ".join(command)].append(time_command([exe, *command]))
    rows = {k: {"median_s": round(statistics.median(v), 3), "min_s": round(min(v), 3), "max_s": round(max(v), 3),
                "runs": len(v)} for k, v in times.items()}
    load = os.getloadavg()[0]
    for k, r in rows.items():
        print(f"mobilecnn {k:<22} median {r['median_s']:.2f} s  (min {r['min_s']:.2f}, max {r['max_s']:.2f}, "
              f"{r['runs']} runs)")
    print(f"load average during the run: {load:.2f} on {os.cpu_count()} cores")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"commands": rows, "load_average": load, "cpus": os.cpu_count()}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
