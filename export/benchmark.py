"""Latency of a .tflite in LiteRT's interpreter (XNNPACK on CPU): median and p90 over warm runs."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np


@dataclass
class Timing:
    threads: int
    median_ms: float
    p90_ms: float
    runs: int

    def as_dict(self) -> dict:
        return asdict(self)


class Timer:
    """One warm LiteRT interpreter of a model at a thread count, fed a random input of its type."""

    def __init__(self, model: str | Path | bytes, threads: int, warmup: int = 5):
        from mobilecnn.export.runtime import TFLiteRunner

        content = model if isinstance(model, bytes) else None
        path = None if content is not None else str(model)
        if path is not None and not Path(path).is_file():
            raise ValueError(f"no such file: {path!r}")
        runner = TFLiteRunner(model_content=content, model_path=path, threads=threads)
        self.threads, self.interpreter, inp = threads, runner.interpreter, runner.input
        rng = np.random.default_rng(0)
        if inp["dtype"] == np.float32:
            x = rng.uniform(0, 255, runner.input_shape).astype("float32")
        else:
            info = np.iinfo(inp["dtype"])
            x = rng.integers(info.min, info.max, runner.input_shape).astype(inp["dtype"])
        self.interpreter.set_tensor(inp["index"], x)
        for _ in range(warmup):
            self.interpreter.invoke()

    def sample(self, runs: int) -> list[float]:
        """``runs`` latencies in milliseconds."""
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter()
            self.interpreter.invoke()
            samples.append((time.perf_counter() - t0) * 1e3)
        return samples


def summarize(threads: int, samples: list[float]) -> Timing:
    return Timing(threads, float(np.median(samples)), float(np.percentile(samples, 90)), len(samples))


def benchmark(model: str | Path | bytes, threads: tuple[int, ...] = (1, 2), warmup: int = 5,
              runs: int = 30, min_seconds: float = 0.0) -> list[Timing]:
    """Time one inference at each thread count (random input of the model's type)."""
    timings = []
    for t in threads:
        timer = Timer(model, t, warmup)
        samples = []
        start = time.perf_counter()
        while len(samples) < runs or time.perf_counter() - start < min_seconds:
            samples += timer.sample(1)
        timings.append(summarize(t, samples))
    return timings


def interleaved(models: list[str | Path | bytes], threads: tuple[int, ...] = (1, 2), runs: int = 30,
                rounds: int = 5) -> list[list[Timing]]:
    """Time several models in alternating rounds, so drift in a shared machine's load hits all alike.

    Returns, for each model, its timings at each thread count: the median of
    its least-disturbed round (other processes only ever add time) and the
    p90 over all runs.
    """
    timers = [[Timer(m, t) for t in threads] for m in models]
    samples = [[[] for _ in threads] for _ in models]
    per_round = max(1, runs // rounds)
    for _ in range(rounds):
        for m, row in enumerate(timers):
            for i, timer in enumerate(row):
                samples[m][i].append(timer.sample(per_round))
    result = []
    for row in samples:
        timings = []
        for t, per_round_samples in zip(threads, row, strict=True):
            flat = [x for r in per_round_samples for x in r]
            best = min(float(np.median(r)) for r in per_round_samples)
            timings.append(Timing(t, best, float(np.percentile(flat, 90)), len(flat)))
        result.append(timings)
    return result
