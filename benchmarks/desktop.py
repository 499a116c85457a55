"""Desktop latency of our exports against keras.applications', in one run on this machine.

For each architecture and precision: export ours and keras.applications' same
architecture through the same pipeline (batch 1, batch-norm statistics
recalibrated on the same calibration images, same int8 calibration), then time
both in LiteRT's interpreter (XNNPACK) at 1 and 2 threads. Reports median
latency, XNNPACK partitions, size, the int8/float32 latency ratio, ours vs
keras.applications, and each latency as a fraction of this machine's float32
matrix-multiply roof (2 x MACs / latency over GEMM GFLOP/s measured in the same
run). All files are timed in alternating rounds so load drift hits them alike;
each latency is the median of its least-disturbed round.

    python -m benchmarks.desktop                      # MobileNet V2, V3-Small, V3-Large, EfficientNet-B0 at 224
    python -m benchmarks.desktop --models mobilenet-v2 --resolution 160 --runs 20
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

DEFAULT_MODELS = ("mobilenet-v2", "mobilenet-v3-small", "mobilenet-v3-large", "efficientnet-b0")
PRECISIONS = ("float32", "float16", "int8")


def gemm_gflops(threads: int, n: int = 2048, seconds: float = 2.0) -> float:
    """float32 matrix-multiply throughput with ``threads`` BLAS threads (GFLOP/s)."""
    from threadpoolctl import threadpool_limits

    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    b = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)
    with threadpool_limits(limits=threads):
        a @ b
        best = float("inf")
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            t0 = time.perf_counter()
            a @ b
            best = min(best, time.perf_counter() - t0)
    return 2 * n**3 / best / 1e9


def with_imagenet_normalization(model):
    """keras.applications' EfficientNet with the ImageNet statistics its weights file puts in its Normalization.

    Built with ``weights=None``, that layer holds mean 0 and variance 1, which the converter erases; with the
    ImageNet weights users export, it normalizes per channel, as ours does.
    """
    import numpy as np

    for layer in model.layers:
        if type(layer).__name__ == "Normalization":
            mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
            values = layer.get_weights()   # adapt_mean, adapt_variance, count
            layer.set_weights([mean.reshape(values[0].shape).astype("float32"),
                               (std**2).reshape(values[1].shape).astype("float32"), values[2]])
            layer.finalize_state()
    return model


def run(models=DEFAULT_MODELS, precisions=PRECISIONS, resolution: int = 224, runs: int = 50,
        threads=(1, 2), calibration_count: int = 64, keras_reference: bool = True, rounds: int = 5,
        progress=print) -> dict:
    import keras
    from mobilecnn.export import export_model
    from mobilecnn.export.benchmark import interleaved
    from mobilecnn.export.calibration import builtin_images

    import mobilecnn

    roof = {t: gemm_gflops(t) for t in threads}
    progress("float32 GEMM roof: " + ", ".join(f"{t} thread(s) {g:.0f} GFLOP/s" for t, g in roof.items()))
    images = builtin_images((resolution, resolution, 3), calibration_count)
    rows, contents = [], []
    for name in models:
        # Like for like: keras.applications' MobileNet V1/V2 take preprocessed input (normalization outside the
        # graph), so ours are timed without their in-graph preprocessing too.
        inside = name not in ("mobilenet-v1", "mobilenet-v2")
        variants = {"mobilecnn": lambda name=name, inside=inside: mobilecnn.build(
            name, resolution=resolution, include_preprocessing=inside)}
        if keras_reference and mobilecnn.registry.get(name).keras_application:
            variants["keras.applications"] = lambda name=name: with_imagenet_normalization(
                mobilecnn.keras_application(name, resolution=resolution))
        for source, make in variants.items():
            model = make()
            calib = images if inside else images / 127.5 - 1.0  # V1/V2 without preprocessing take [-1, 1]
            mobilecnn.recalibrate_batchnorm(model, calib[:32])
            macs = mobilecnn.profile(model).macs
            for precision in precisions:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = export_model(model, precision, calibration=calib, recalibrate=False, verify=False,
                                          gpu=False, calibration_count=calibration_count)
                rows.append({"model": name, "source": source, "precision": precision,
                             "size_mb": result.size / 2**20, "macs": macs,
                             "partitions": result.metadata["xnnpack"]["partitions"],
                             "ops_outside": len(result.metadata["xnnpack"]["ops_outside"])})
                contents.append(result.model_content)
                progress(f"exported {name} ({source}) {precision}: {rows[-1]['partitions']} partition(s), "
                         f"{rows[-1]['size_mb']:.2f} MiB")
            keras.backend.clear_session()
    # All files are timed in alternating rounds, so the shared machine's load drifts over all of them alike.
    progress(f"timing {len(contents)} files in {rounds} alternating rounds")
    for row, timings in zip(rows, interleaved(contents, threads, runs, rounds), strict=True):
        for t in timings:
            row[f"ms_{t.threads}t"] = t.median_ms
            row[f"p90_{t.threads}t"] = t.p90_ms
            row[f"roof_{t.threads}t"] = 2 * row["macs"] / (t.median_ms / 1e3) / (roof[t.threads] * 1e9)
        progress(f"{row['model']:20s} {row['source']:18s} {row['precision']:8s} " + "  ".join(
            f"{t.threads}t {t.median_ms:6.2f} ms" for t in timings))
    return {"roof_gflops": roof, "resolution": resolution, "rows": rows}


def markdown(report: dict, threads: int = 2) -> str:
    """The table for the README / issue note."""
    rows = report["rows"]
    by = {(r["model"], r["source"], r["precision"]): r for r in rows}
    lines = [f"| model | precision | ours ms ({threads}t) | keras.applications ms | ours / keras | "
             f"int8 / float32 (ours) | partitions ours / keras | size MiB | roof fraction |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    key = f"ms_{threads}t"
    for r in rows:
        if r["source"] != "mobilecnn":
            continue
        ref = by.get((r["model"], "keras.applications", r["precision"]))
        f32 = by.get((r["model"], "mobilecnn", "float32"))
        lines.append(
            f"| {r['model']} | {r['precision']} | {r[key]:.2f} | {ref[key] if ref else float('nan'):.2f} | "
            f"{r[key] / ref[key] if ref else float('nan'):.2f} | "
            f"{r[key] / f32[key] if r['precision'] == 'int8' and f32 else float('nan'):.2f} | "
            f"{r['partitions']} / {ref['partitions'] if ref else '-'} | {r['size_mb']:.2f} | "
            f"{r[f'roof_{threads}t']:.0%} |")
    return "\n".join(lines).replace("| nan |", "| - |")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", nargs="+", default=list(DEFAULT_MODELS))
    p.add_argument("--precisions", nargs="+", default=list(PRECISIONS))
    p.add_argument("--resolution", type=int, default=224)
    p.add_argument("--runs", type=int, default=50)
    p.add_argument("--rounds", type=int, default=5, help="alternating timing rounds (runs are split over them)")
    p.add_argument("--no-keras", dest="keras_reference", action="store_false")
    p.add_argument("--out", default="benchmarks/results/desktop.json")
    args = p.parse_args(argv)
    report = run(args.models, args.precisions, args.resolution, args.runs, keras_reference=args.keras_reference,
                 rounds=args.rounds)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(markdown(report))
    print(f"\nwritten to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
