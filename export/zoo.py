"""The zoo runner: export every matching registered model, time it on each target, append the records.

    from mobilecnn.export.zoo import run_zoo
    run_zoo("mobilenet-*", precisions=("float32", "int8"), threads=(1, 2), out="bench/")

Exports are cached under ``OUT/exports/`` by name, options, precision and package version. A model's precisions
are exported first and then timed together (the local target interleaves their rounds, so the int8/float32
ratio is measured under the same load). Records are
appended to ``OUT/results.jsonl``, one complete line each, keyed by model x precision x target x threads x
accelerator: a run stopped at any point (Ctrl-C, a crash, a lost phone) and started again with the same
arguments skips every key already there and drops a last line cut short, so each record is there once. A model
that fails to export or run is recorded as ``failed`` with the reason, and the run goes on (one that exports
but fails verification is timed, marked unverified: :func:`export_cached`). At the end (and
after an interruption) ``results.json``, ``results.csv`` and ``results.md`` are written from the lines.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from mobilecnn.export import results as res
from mobilecnn.export.targets import Target, TargetUsageError, parse_target

DEFAULT_PRECISIONS = ("float32", "float16", "int8")


def gemm_gflops(threads: int, n: int = 1024, seconds: float = 1.0) -> float:
    """float32 matrix-multiply throughput (numpy/BLAS) with ``threads`` threads, best of the runs (GFLOP/s)."""
    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    b = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)
    try:
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(limits=threads)
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        limits = None
    try:
        a @ b
        best, start = float("inf"), time.perf_counter()
        while time.perf_counter() - start < seconds:
            t0 = time.perf_counter()
            a @ b
            best = min(best, time.perf_counter() - t0)
    finally:
        if limits is not None:
            limits.unregister()
    return 2 * n**3 / best / 1e9


def infer_precision(path: str | os.PathLike) -> str:
    """float32, float16, dynamic or int8, from the tensor types in a .tflite."""
    from ai_edge_litert.interpreter import Interpreter

    it = Interpreter(model_path=str(path))
    types = {np.dtype(t["dtype"]).name for t in it.get_tensor_details()}
    if np.dtype(it.get_input_details()[0]["dtype"]).name in ("int8", "uint8"):
        return "int8"
    if "float16" in types:
        return "float16"
    return "dynamic" if "int8" in types else "float32"


def file_model(path: str | os.PathLike) -> dict[str, Any]:
    """What is known of a .tflite: its export sidecar (``FILE.json``) if there is one, else its name."""
    path = Path(path)
    sidecar = path.with_suffix(".json")
    meta: dict[str, Any] = {}
    if sidecar.is_file():
        try:
            meta = json.loads(sidecar.read_text())
        except (json.JSONDecodeError, OSError):
            meta = {}
    return {"name": meta.get("model") or path.stem, "options": meta.get("options") or {},
            "precision": meta.get("precision") or infer_precision(path), "params": meta.get("params"),
            "macs": meta.get("macs"), "unverified": meta.get("unverified")}


def time_file(target: Target, path: str | os.PathLike, threads: Sequence[int], accelerator: str = "cpu",
              runs: int = 50, warmup: int = 5, model: Mapping[str, Any] | None = None,
              roof: Mapping[int, float] | None = None) -> list[dict]:
    """Time one file on one target at each thread count: validated records."""
    return time_files(target, [(path, model)], threads, accelerator, runs, warmup, roof)[0]


def time_files(target: Target, files: Sequence[tuple[str | os.PathLike, Mapping[str, Any] | None]],
               threads: Sequence[int], accelerator: str = "cpu", runs: int = 50, warmup: int = 5,
               roof: Mapping[int, float] | None = None) -> list[list[dict]]:
    """Time ``(path, model)`` files together (the local target interleaves them): validated records per file.
    ``model`` (name, options, precision, params, macs) defaults to what the file's sidecar says."""
    partials = target.measure_files([path for path, _ in files], list(threads), accelerator, runs, warmup)
    out = []
    for (path, model), file_partials in zip(files, partials, strict=True):
        model = dict(model or file_model(path))
        file = res.file_figures(path)
        records = []
        for partial in file_partials:
            t = partial["threads"]
            record = res.new_record(model=model["name"], options=model.get("options"), precision=model["precision"],
                                    target=partial["target"], threads=t, accelerator=accelerator, runs=runs,
                                    warmup=warmup, taskset=getattr(target, "taskset", None), file=file)
            record["model"]["params"], record["model"]["macs"] = model.get("params"), model.get("macs")
            if model.get("unverified"):
                record["model"]["unverified"] = model["unverified"]
            record["latency_ms"].update(partial["latency_ms"])
            record["latency_ms"].update(partial.get("latency_extra", {}))
            for key in ("memory", "acceleration", "profile"):
                record[key] = partial[key]
            if roof and t in roof and target.name != "android":
                record["roof"] = {"gflops": roof[t], "threads": t}
            records.append(res.validate(record))
        out.append(records)
    return out


def failed_record(model: str, options: dict, precision: str, target: Target, threads: int, accelerator: str,
                  runs: int, warmup: int, error: BaseException | str) -> dict:
    desc = {"name": target.name, "serial": getattr(target, "serial", None), "tool": "", "tool_version": "",
            "device": {}}
    record = res.new_record(model=model, options=options, precision=precision, target=desc, threads=threads,
                            accelerator=accelerator, runs=runs, warmup=warmup,
                            taskset=getattr(target, "taskset", None))
    record["status"] = "failed"
    text = error if isinstance(error, str) else f"{type(error).__name__}: {' '.join(str(error).split())}"
    record["error"] = text[:500] or "failed"
    return res.validate(record)


def options_key(options: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(dict(options), sort_keys=True, default=str).encode()).hexdigest()[:10]


def export_cached(name: str, precision: str, options: Mapping[str, Any], cache: Path,
                  verify: bool, time_unverified: bool = True) -> tuple[Path, dict]:
    """The export of ``name`` at ``options`` and ``precision``, from the cache or made now (atomically).

    An export that fails verification is kept, converted once, when ``time_unverified``: its latency is the
    model's all the same (the ops and shapes do not depend on the weights' values). Its sidecar says
    ``"unverified"`` with the reason, and so do its records; the tables mark it. The zoo times untrained
    models, whose logits can be chaotic enough that int8 or float16 rounding moves them past the bar (see the
    README's known limits); a user's ``mobilecnn export`` refuses such a file."""
    from mobilecnn.export import export_model

    import mobilecnn

    path = cache / f"{name}-{options_key(options)}-{precision}-v{mobilecnn.__version__}.tflite"
    sidecar = path.with_suffix(".json")
    if path.is_file() and sidecar.is_file():
        return path, json.loads(sidecar.read_text())
    cache.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # The file, then its sidecar (with the mark, if any, from its first byte): the cache needs both.
        result = export_model(name, precision, path, options=dict(options) or None, verify=verify, gpu=False,
                              force=True, allow_unverified=time_unverified)
    try:
        import keras
        keras.backend.clear_session()
    except ImportError:  # pragma: no cover
        pass
    return path, result.metadata


def _options_for(name: str, options: Mapping[str, Any] | None) -> dict:
    """``options`` is either build options for every model, or ``{name or "*": options}``."""
    if not options:
        return {}
    if all(isinstance(v, Mapping) for v in options.values()):
        return dict(options.get(name, options.get("*", {})))
    return dict(options)


def run_zoo(pattern: str | Sequence[str] = "*", *, out: str | os.PathLike,
            precisions: Sequence[str] = DEFAULT_PRECISIONS, threads: Sequence[int] = (1, 2),
            targets: Sequence[str | Target] = ("local",), accelerator: str = "cpu",
            runs: int = 50, warmup: int = 5, options: Mapping[str, Any] | None = None, verify: bool = True,
            time_unverified: bool = True, binary: str | None = None, taskset: str | None = None,
            max_seconds: float | None = None,
            progress: bool = True,
            on_record: Callable[[dict], None] | None = None, roof_seconds: float = 1.0) -> list[dict]:
    """Benchmark every registered model matching ``pattern`` (a shell pattern or a list of names); returns all
    records in ``OUT/results.jsonl`` (this run's and earlier ones')."""
    from mobilecnn.export.convert import PRECISIONS

    import mobilecnn

    bad = [p for p in precisions if p not in PRECISIONS]
    if bad:
        raise TargetUsageError(f"unknown precision {bad[0]!r}; choose from {', '.join(PRECISIONS)}")
    names = list(pattern) if not isinstance(pattern, str) else mobilecnn.list_models(pattern)
    if not names:
        raise TargetUsageError(f"no registered model matches {pattern!r} (`mobilecnn list` shows the zoo)")
    for name in names:
        mobilecnn.registry.get(name)  # an unknown name raises with the closest names
    target_objs = [t if isinstance(t, Target) else parse_target(t, binary=binary, taskset=taskset,
                                                                 max_seconds=max_seconds) for t in targets]
    for t in target_objs:
        t.check_accelerator(accelerator)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    lines = out / "results.jsonl"
    done = {r["key"] for r in res.read_lines(lines, repair=True)} if lines.exists() else set()
    roof = {t: gemm_gflops(t, seconds=roof_seconds) for t in threads} if any(
        t.name != "android" for t in target_objs) else {}
    roof = _merge_roof_file(out / "roof.json", roof)

    jobs = [(n, p) for n in names for p in precisions]
    keys = {(n, p): [res.record_key(n, p, tg.name, t, accelerator) for tg in target_objs for t in threads]
            for n, p in jobs}
    todo = [j for j in jobs if not set(keys[j]) <= done]
    bar = _Progress(len(jobs), len(jobs) - len(todo), enabled=progress)
    try:
        for name in dict.fromkeys(n for n, _ in todo):
            opts = _options_for(name, options)
            files = []   # this model's precisions, exported, timed together below
            for precision in [p for n, p in todo if n == name]:
                bar.step(f"{name} {precision}", "export")
                try:
                    path, meta = export_cached(name, precision, opts, out / "exports", verify, time_unverified)
                except Exception as err:  # recorded, and the run goes on
                    for tg in target_objs:
                        for t in threads:
                            _append(lines, failed_record(name, opts, precision, tg, t, accelerator, runs, warmup,
                                                         f"export failed: {type(err).__name__}: {err}"), done,
                                    on_record)
                    bar.advance()
                    continue
                files.append((path, {"name": name, "options": opts, "precision": precision,
                                     "params": meta.get("params"), "macs": meta.get("macs"),
                                     "unverified": meta.get("unverified")}))
            for tg in target_objs:
                wanted = [t for t in threads
                          if any(res.record_key(name, m["precision"], tg.name, t, accelerator) not in done
                                 for _, m in files)]
                if not wanted or not files:
                    continue
                bar.step(f"{name} {', '.join(m['precision'] for _, m in files)}", f"time on {tg.name}")
                try:
                    per_file = time_files(tg, files, wanted, accelerator, runs, warmup, roof)
                except TargetUsageError:
                    raise
                except Exception as err:
                    per_file = [[failed_record(name, opts, m["precision"], tg, t, accelerator, runs, warmup, err)
                                 for t in wanted] for _, m in files]
                for records in per_file:
                    for record in records:
                        _append(lines, record, done, on_record)
            for _ in files:
                bar.advance()
    finally:
        bar.close()
        records = res.read_lines(lines, repair=True) if lines.exists() else []
        write_outputs(records, out)
    return records


def _merge_roof_file(path: Path, measured: dict[int, float]) -> dict[int, float]:
    """The GEMM roof is a ceiling: a resumed run keeps the best figure of its starts (a start on a busy machine
    measures low), per thread count, in ``roof.json``."""
    try:
        earlier = {int(k): float(v) for k, v in json.loads(path.read_text()).items()}
    except (OSError, ValueError, AttributeError):
        earlier = {}
    best = {t: max(g, earlier.get(t, 0.0)) for t, g in measured.items()}
    merged = {**earlier, **best}
    if merged:
        path.write_text(json.dumps({str(k): v for k, v in sorted(merged.items())}) + "\n")
    return best


def _append(lines: Path, record: dict, done: set[str], on_record) -> None:
    if record["key"] in done:
        return
    res.append_record(lines, record)
    done.add(record["key"])
    if on_record is not None:
        on_record(record)


def write_outputs(records: Iterable[dict], out: str | os.PathLike, threads: int = 2) -> None:
    records = list(records)
    res.best_roof(records)   # one roof for every fraction: the best any start of the run measured
    out = Path(out)
    res.write_json(records, out / "results.json")
    res.write_csv(records, out / "results.csv")
    present = {r["run"]["threads"] for r in records}
    shown = threads if threads in present or not present else max(present)
    from mobilecnn.export.files import write_atomic

    write_atomic(out / "results.md", res.markdown_table(res.ok(records) + [r for r in records if r["status"] != "ok"],
                                                        threads=shown))


class _Progress:
    """A rich progress bar: model and precision, the step, done/total, ETA. Silent when disabled."""

    def __init__(self, total: int, done: int, enabled: bool = True):
        self.progress = None
        if not enabled:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(TextColumn("[bold]{task.description}"), TextColumn("{task.fields[step]}"),
                                 BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=False)
        self.progress.start()
        self.task = self.progress.add_task("zoo", total=total, completed=done, step="")

    def step(self, description: str, step: str) -> None:
        if self.progress is not None:
            self.progress.update(self.task, description=description, step=step)

    def advance(self) -> None:
        if self.progress is not None:
            self.progress.advance(self.task)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
