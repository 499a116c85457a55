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


def benchmark(model: str | Path | bytes, threads: tuple[int, ...] = (1, 2), warmup: int = 5,
              runs: int = 30, min_seconds: float = 0.0) -> list[Timing]:
    """Time one inference at each thread count (random input of the model's type)."""
    from export.runtime import TFLiteRunner

    content = model if isinstance(model, bytes) else None
    path = None if content is not None else str(model)
    if path is not None and not Path(path).is_file():
        raise ValueError(f"no such file: {path!r}")
    timings = []
    for t in threads:
        runner = TFLiteRunner(model_content=content, model_path=path, threads=t)
        it, inp = runner.interpreter, runner.input
        rng = np.random.default_rng(0)
        if inp["dtype"] == np.float32:
            x = rng.uniform(0, 255, runner.input_shape).astype("float32")
        else:
            info = np.iinfo(inp["dtype"])
            x = rng.integers(info.min, info.max, runner.input_shape).astype(inp["dtype"])
        it.set_tensor(inp["index"], x)
        for _ in range(warmup):
            it.invoke()
        samples = []
        start = time.perf_counter()
        while len(samples) < runs or time.perf_counter() - start < min_seconds:
            t0 = time.perf_counter()
            it.invoke()
            samples.append((time.perf_counter() - t0) * 1e3)
        timings.append(Timing(t, float(np.median(samples)), float(np.percentile(samples, 90)), len(samples)))
    return timings
