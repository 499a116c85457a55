"""Where a .tflite is timed, behind one interface: ``target.measure(path, threads, ...)`` -> records.

- ``local``: this machine, in-process LiteRT interpreter (XNNPACK). Init (interpreter + tensor allocation) and
  first inference are timed once per thread count; then warm-up runs, then the thread counts are timed in
  alternating rounds (load drift on a shared machine hits them alike). Median, p90, min, max, std over all
  warm runs. Peak memory: the high-water RSS (``VmHWM``) of a subprocess that loads and runs the model, less
  its high-water mark before loading it. XNNPACK partitions from :func:`delegates.xnnpack_report`.
- ``litert-benchmark``: the benchmark tool inside the ``ai-edge-litert`` wheel (CompiledModel API), run as a
  subprocess on the same file; read from its ``--result_json`` and its printed lines. A second opinion on our
  timer, and the way to time LiteRT's GPU accelerator here. It gives p5/p95, not p90.
- ``android[:SERIAL]``: a phone over adb with the user's ``benchmark_model`` binary (``export/android.py``).

Bad requests (an unknown target, an accelerator a target cannot use) raise :class:`TargetUsageError`; a run
that fails raises :class:`TargetError`.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from mobilecnn.export.target_base import Target, TargetError, TargetUsageError

__all__ = ["Target", "TargetError", "TargetUsageError", "parse_target", "LocalTarget", "LitertBenchmarkTarget"]

TARGETS = ("local", "litert-benchmark", "android[:SERIAL]")


def parse_target(spec: str, binary: str | os.PathLike | None = None, taskset: str | None = None,
                 timeout: float | None = None, max_seconds: float | None = None) -> Target:
    """``local``, ``litert-benchmark`` or ``android[:SERIAL]`` (``binary``: the phone's benchmark tool;
    ``max_seconds``: the local timer's budget for one file's timed runs, see :class:`LocalTarget`)."""
    name, _, serial = spec.partition(":")
    if name != "android" and (binary is not None or taskset is not None):
        what = "--binary" if binary is not None else "--taskset"
        raise TargetUsageError(f"{what} is for --target android[:SERIAL], not {spec!r}")
    if name == "local" and not serial:
        return LocalTarget(max_seconds=max_seconds)
    if name == "litert-benchmark" and not serial:
        return LitertBenchmarkTarget(timeout=timeout or 600)
    if name == "android":
        from mobilecnn.export.android import AndroidTarget

        return AndroidTarget(binary=binary, serial=serial or None, taskset=taskset, timeout=timeout or 600)
    raise TargetUsageError(f"unknown target {spec!r}; choose one of: {', '.join(TARGETS)}")


# --- what this machine is ------------------------------------------------------------------------------------

ISA_FLAGS = ("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512_vnni", "avx_vnni", "amx_tile",
             "asimd", "asimdhp", "asimddp", "sve", "i8mm", "bf16")


def host_description() -> dict[str, Any]:
    """CPU model, logical cores, instruction-set features that matter to XNNPACK, OS: from /proc/cpuinfo."""
    cpu, flags = platform.processor() or "", set()
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        text = ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key in ("model name", "hardware", "cpu model") and not cpu:
            cpu = value.strip()
        elif key in ("flags", "features") and not flags:
            flags = set(value.split())
    return {"kind": "host", "cpu": cpu, "cores": os.cpu_count(), "machine": platform.machine(),
            "isa": [f for f in ISA_FLAGS if f in flags], "os": f"{platform.system()} {platform.release()}"}


def litert_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ai-edge-litert")
    except PackageNotFoundError:
        return "unknown"


def summary(samples_ms: list[float]) -> dict[str, Any]:
    a = np.asarray(samples_ms, dtype=float)
    return {"median": float(np.median(a)), "p90": float(np.percentile(a, 90)), "p95": float(np.percentile(a, 95)),
            "min": float(a.min()), "max": float(a.max()), "mean": float(a.mean()), "std": float(a.std()),
            "count": int(a.size)}


# --- local ----------------------------------------------------------------------------------------------------

# Runs in a fresh interpreter: the high-water RSS before and after loading and running the model.
_MEMORY_PROBE = r"""
import sys, numpy as np
from ai_edge_litert.interpreter import Interpreter
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
base = hwm()
it = Interpreter(model_path=sys.argv[1], num_threads=int(sys.argv[2]))
it.allocate_tensors()
inp = it.get_input_details()[0]
x = np.zeros(inp["shape"], inp["dtype"])
it.set_tensor(inp["index"], x)
for _ in range(int(sys.argv[3])):
    it.invoke()
print(base, hwm())
"""


def peak_memory_mb(path: str | os.PathLike, threads: int, runs: int = 3, timeout: float = 300) -> float | None:
    """High-water RSS of a process that loads and runs the model, less its mark before loading (MiB)."""
    if not Path("/proc/self/status").exists():
        return None
    try:
        out = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, str(path), str(threads), str(runs)],
                             capture_output=True, text=True, timeout=timeout, check=True,
                             env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
        base, peak = (int(v) for v in out.stdout.split()[-2:])
    except (subprocess.SubprocessError, ValueError, OSError):
        return None
    return max(0, peak - base) / 1024


class LocalTarget(Target):
    name = "local"
    accelerator_hint = " (the in-process timer runs XNNPACK on the CPU; --target litert-benchmark runs the GPU)"

    MIN_RUNS = 10

    def __init__(self, rounds: int = 5, memory: bool = True, max_seconds: float | None = None):
        """``max_seconds``: time one file's runs (all thread counts together) for about this long at most: the
        run count drops from ``runs`` to what the warm-up latency says fits, never below ``MIN_RUNS``. The
        count measured is in each record (``latency_ms.count``). None: exactly ``runs``."""
        if max_seconds is not None and max_seconds <= 0:
            raise TargetUsageError(f"the time budget must be positive, got {max_seconds!r} s")
        self.rounds, self.memory, self.max_seconds = rounds, memory, max_seconds

    def describe(self) -> dict[str, Any]:
        return {"name": "local", "serial": None, "tool": "mobilecnn LiteRT interpreter timer",
                "tool_version": f"ai-edge-litert {litert_version()}", "device": host_description()}

    def measure(self, path, threads, accelerator="cpu", runs=50, warmup=5):
        return self.measure_files([path], threads, accelerator, runs, warmup)[0]

    def measure_files(self, paths, threads, accelerator="cpu", runs=50, warmup=5):
        """Every file at every thread count, timed in the same interleaved rounds (each round runs each
        interpreter in turn), so load on this shared machine falls on all of them alike: the figures of one
        model's precisions compare as well as its thread counts do. One list of partials per file."""
        from ai_edge_litert.interpreter import Interpreter
        from mobilecnn.export.delegates import xnnpack_report

        self.check_accelerator(accelerator)
        paths = [Path(p) for p in paths]
        for path in paths:
            if not path.is_file():
                raise TargetUsageError(f"no such file: {str(path)!r}")
        contents = [path.read_bytes() for path in paths]
        timers, results = [], []
        for path, content in zip(paths, contents, strict=True):
            for t in threads:
                start = time.perf_counter()
                try:
                    interpreter = Interpreter(model_content=content, num_threads=t)
                    interpreter.allocate_tensors()
                except (ValueError, RuntimeError) as err:
                    raise TargetError(f"{path} is not a valid TFLite model: {str(err).strip()[:300]}") from err
                init = (time.perf_counter() - start) * 1e3
                inp = interpreter.get_input_details()[0]
                rng = np.random.default_rng(0)
                if inp["dtype"] == np.float32:
                    x = rng.uniform(0, 255, inp["shape"]).astype("float32")
                else:
                    info = np.iinfo(inp["dtype"])
                    x = rng.integers(info.min, info.max, inp["shape"]).astype(inp["dtype"])
                interpreter.set_tensor(inp["index"], x)
                start = time.perf_counter()
                interpreter.invoke()
                first = (time.perf_counter() - start) * 1e3
                start = time.perf_counter()
                for _ in range(warmup):
                    interpreter.invoke()
                warm = (time.perf_counter() - start) * 1e3 / warmup if warmup else first
                timers.append(interpreter)
                results.append({"init": init, "first": first, "warm": warm, "samples": [], "rounds": []})
        if self.max_seconds is not None:
            budget = self.max_seconds * 1e3 * len(paths)
            runs = min(runs, max(self.MIN_RUNS, int(budget / max(1e-3, sum(r["warm"] for r in results)))))
        per_round = max(1, -(-runs // self.rounds))
        done = 0
        while done < runs:
            n = min(per_round, runs - done)
            for interpreter, result in zip(timers, results, strict=True):
                samples = []
                for _ in range(n):
                    start = time.perf_counter()
                    interpreter.invoke()
                    samples.append((time.perf_counter() - start) * 1e3)
                result["samples"] += samples
                result["rounds"].append(float(np.median(samples)))
            done += n
        del timers
        out, results = [], iter(results)
        for path, content in zip(paths, contents, strict=True):
            partials = []
            for t in threads:
                result = next(results)
                xnn = xnnpack_report(content, threads=t)
                latency = {"init": result["init"], "first": result["first"], **summary(result["samples"])}
                peak = peak_memory_mb(path, t) if self.memory else None
                partials.append({
                    "threads": t, "target": self.describe(), "latency_ms": latency,
                    "latency_extra": {"median_best_round": min(result["rounds"])},
                    "memory": {"peak_mb": peak, "method": "VmHWM of a subprocess that loads and runs the model, "
                                                          "less its mark before loading" if peak is not None else ""},
                    "acceleration": {"fully_accelerated": xnn.one_partition, "xnnpack_partitions": xnn.partitions,
                                     "ops_outside": xnn.ops_outside},
                    "profile": None})
            out.append(partials)
        return out


# --- litert-benchmark -------------------------------------------------------------------------------------------

_LITERT_LINES = {
    "Model initialization": "init", "Warmup (first)": "first", "Inference (avg)": "mean",
    "Inference (min)": "min", "Inference (max)": "max", "Inference (median)": "median",
    "Inference (std)": "std", "Inference (p5)": "p5", "Inference (p95)": "p95",
}
_LITERT_LINE = re.compile(r"^\s*(?P<label>[A-Za-z][A-Za-z ()0-9]*?):\s+(?P<value>[-+0-9.eE]+)\s*(?:ms)?"
                          r"(?:\s*\((?P<runs>\d+) runs\))?\s*$")


def parse_litert_benchmark_output(text: str) -> dict[str, Any]:
    """The ``BENCHMARK RESULTS`` block ``litert-benchmark`` prints: figures in ms, run count, full acceleration."""
    out: dict[str, Any] = {}
    for line in text.splitlines():
        if line.strip().startswith("Fully accelerated:"):
            out["fully_accelerated"] = line.split(":", 1)[1].strip() == "True"
            continue
        m = _LITERT_LINE.match(line)
        if not m or m["label"] not in _LITERT_LINES:
            continue
        out[_LITERT_LINES[m["label"]]] = float(m["value"])
        if m["label"] == "Inference (avg)" and m["runs"]:
            out["count"] = int(m["runs"])
    if "median" not in out:
        raise TargetError("litert-benchmark printed no 'Inference (median)' line")
    return out


def parse_litert_benchmark_json(data: dict) -> dict[str, Any]:
    lat = data.get("latency") or {}
    names = {"init_ms": "init", "warmup_first_ms": "first", "avg_ms": "mean", "min_ms": "min", "max_ms": "max",
             "median_ms": "median", "std_ms": "std", "p5_ms": "p5", "p95_ms": "p95", "num_runs": "count"}
    out = {ours: lat[theirs] for theirs, ours in names.items() if lat.get(theirs) is not None}
    if "fully_accelerated" in data:
        out["fully_accelerated"] = bool(data["fully_accelerated"])
    return out


def litert_benchmark_command() -> list[str]:
    exe = shutil.which("litert-benchmark")
    return [exe] if exe else [sys.executable, "-m", "ai_edge_litert.tools.benchmark_litert_model"]


class LitertBenchmarkTarget(Target):
    name = "litert-benchmark"
    accelerators = ("cpu", "gpu", "npu")

    def __init__(self, timeout: float = 600, command: list[str] | None = None):
        self.timeout, self.command = timeout, command or litert_benchmark_command()

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "serial": None, "tool": "litert-benchmark (ai_edge_litert.tools."
                "benchmark_litert_model)", "tool_version": f"ai-edge-litert {litert_version()}",
                "device": host_description()}

    def run_once(self, path, threads: int, accelerator: str, runs: int, warmup: int) -> tuple[dict, str]:
        with tempfile.TemporaryDirectory() as tmp:
            result = Path(tmp) / "result.json"
            argv = [*self.command, "--model", str(path), "--num_threads", str(threads), "--num_runs", str(runs),
                    "--warmup_runs", str(warmup), "--result_json", str(result)]
            argv += {"cpu": [], "gpu": ["--use_gpu"], "npu": ["--use_npu"]}[accelerator]
            try:
                proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                stdout, stderr = proc.communicate(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                raise TargetError(f"litert-benchmark ran past {self.timeout:.0f} s on {path}") from None
            except OSError as err:
                raise TargetError(f"cannot run litert-benchmark ({' '.join(self.command)}): {err}") from err
            if proc.returncode != 0:
                last = [line for line in (stderr + stdout).splitlines() if line.strip()][-3:]
                raise TargetError(f"litert-benchmark exited {proc.returncode}: {' / '.join(last)[:400]}")
            figures = parse_litert_benchmark_output(stdout)
            if result.is_file():
                figures.update(parse_litert_benchmark_json(json.loads(result.read_text())))
            return figures, stdout

    def measure(self, path, threads, accelerator="cpu", runs=50, warmup=5):
        self.check_accelerator(accelerator)
        if not Path(path).is_file():
            raise TargetUsageError(f"no such file: {str(path)!r}")
        out = []
        for t in threads:
            figures, _ = self.run_once(path, t, accelerator, runs, warmup)
            latency = {k: figures.get(k) for k in ("init", "first", "median", "p95", "min", "max", "mean", "std")}
            latency.update({"p90": None, "count": int(figures.get("count", runs))})
            out.append({"threads": t, "target": self.describe(), "latency_ms": latency,
                        "latency_extra": {"p5": figures.get("p5")},
                        "memory": {"peak_mb": None, "method": ""},
                        "acceleration": {"fully_accelerated": figures.get("fully_accelerated"),
                                         "xnnpack_partitions": None, "ops_outside": None},
                        "profile": None})
        return out
