"""Float, post-training-quantized and quantization-aware int8 accuracy on scikit-learn's digits.

For each model: train it in float on the digits (fixed stratified split,
1,347 training and 450 test images, seed 0), quantize it after training
(int8 TFLite calibrated on 256 training images), and fine-tune its QAT twin
(ranges calibrated on the same images) and export that to full-integer int8.
Accuracies are on the 450 test images; the int8 ones are measured in LiteRT.
Prints a Markdown table (the README's) and writes the figures to
``benchmarks/results/qat_digits.json``.

    python -m benchmarks.qat_digits                       # the README table, about 10 minutes on 2 cores
    python -m benchmarks.qat_digits --models lenet-5 mobilenet-v3-small   # updates those rows of the results file
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# name -> (row label, build options, float epochs, QAT epochs)
MODELS = {
    "lenet-5": ("LeNet-5", {}, 20, 5),
    "mobilenet-v2": ("MobileNet V2 (width 0.35)", {"width_multiplier": 0.35, "resolution": 32}, 20, 5),
    "mobilenet-v3-small": ("MobileNet V3-Small", {"resolution": 32}, 20, 5),
    "efficientnet-b0": ("EfficientNet-B0", {"resolution": 32}, 20, 5),
    "shufflenet-v2": ("ShuffleNet V2 0.5x", {"width_multiplier": 0.5, "resolution": 32}, 20, 5),
    "mobilenet-v4-conv-small": ("MobileNetV4-Conv-S", {"resolution": 32}, 20, 5),
    "efficientnet-lite0": ("EfficientNet-Lite0", {"resolution": 32}, 20, 5),
}
RESULTS = Path(__file__).parent / "results" / "qat_digits.json"


def measure(name: str, seed: int = 0) -> dict:
    from mobilecnn.job import run_job

    label, options, epochs, qat_epochs = MODELS[name]
    start = time.perf_counter()
    result = run_job(name, epochs=epochs, qat=True, qat_epochs=qat_epochs, ptq=True, options=dict(options),
                     seed=seed, validate=False)
    return {"model": name, "label": label, "options": options, "epochs": epochs, "qat_epochs": qat_epochs,
            "input": "x".join(map(str, result.input_shape)), "float": result.float_accuracy,
            "ptq_int8": result.ptq_accuracy, "qat_keras": result.qat_keras_accuracy, "qat_int8": result.int8_accuracy,
            "agreement": result.agreement, "full_integer": result.full_integer,
            "xnnpack_partitions": result.xnnpack_partitions, "size": result.size,
            "seconds": round(time.perf_counter() - start, 1)}


def table(rows: list[dict]) -> str:
    lines = ["| model | input | epochs (float + QAT) | float Keras | PTQ int8 TFLite | QAT int8 TFLite | "
             "QAT Keras / TFLite top-1 agreement | int8 size |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        lines.append(f"| {r['label']} | {r['input']} | {r['epochs']} + {r['qat_epochs']} | {r['float']:.2%} | "
                     f"{r['ptq_int8']:.2%} | {r['qat_int8']:.2%} | {r['agreement']:.2%} | "
                     f"{r['size'] / 1024:.0f} KiB |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    # Rows of models not run now are kept from the results file (a run of some models updates theirs).
    kept = {r["model"]: r for r in json.loads(args.out.read_text())} if args.out.is_file() else {}
    for name in args.models:
        kept[name] = measure(name, args.seed)
        print(f"{name}: {json.dumps(kept[name])}", flush=True)
    rows = [kept[name] for name in MODELS if name in kept]
    print(table(rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(rows, indent=2) + "\n")
    tmp.replace(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
