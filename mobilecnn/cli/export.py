"""``mobilecnn export``: a registered name or a ``.keras`` file to a verified TFLite file.

Exit codes: 0 done; 1 conversion, verification or benchmark failed (the
reason is printed); 2 bad arguments (unknown model or precision, unusable
calibration data or output path, a .keras file that needs --unsafe, an export the Android demo cannot load
or labels that do not match its classes with ``--android-assets``).

``--android-assets DIR`` writes what ``android_demo/`` loads (``model.tflite``, ``labels.txt``,
``model_info.json``: see :mod:`mobilecnn.export.assets`); without ``--out`` no other .tflite is written.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from mobilecnn.cli.common import MODEL_OPTION_FLAGS, UsageError, add_model_options, model_options
from mobilecnn.export.convert import IO_TYPES, PRECISIONS


def add_export_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="a registered name (see `mobilecnn list`) or a .keras file")
    p.add_argument("--precision", choices=PRECISIONS, default="float32")
    p.add_argument("--io", dest="io_type", choices=IO_TYPES, default=None,
                   help="int8 input/output type (int8 only; default int8)")
    p.add_argument("--calibration", metavar="DIR", help="folder of images for int8 calibration")
    p.add_argument("--full-integer", action="store_true",
                   help="int8: every op in int8, for int8-only accelerators (NPU, Edge TPU); by default an op "
                        "XNNPACK has no int8 kernel for (attention, GELU, LRN) is computed in float inside XNNPACK")
    p.add_argument("--out", metavar="PATH", help="output .tflite (default: NAME_PRECISION.tflite)")
    p.add_argument("--force", action="store_true", help="overwrite an existing output")
    p.add_argument("--verify", action=argparse.BooleanOptionalAction, default=True,
                   help="compare the export with the Keras model (default on)")
    p.add_argument("--benchmark", action="store_true", help="time the file in LiteRT (threads 1 and 2)")
    p.add_argument("--no-gpu-check", dest="gpu", action="store_false", help="skip the GPU accelerator check")
    p.add_argument("--unsafe", action="store_true", help="allow .keras files that hold Python code")
    a = p.add_argument_group("Android demo assets")
    a.add_argument("--android-assets", metavar="DIR",
                   help="write model.tflite, labels.txt and model_info.json for android_demo/ into DIR "
                        "(e.g. android_demo/app/src/main/assets/NAME); no other .tflite unless --out is given")
    a.add_argument("--labels", metavar="FILE", help="class names, one a line (default: the export's, or class_0...)")
    a.add_argument("--pixel-scale", metavar="S[,S,S]",
                   help="x = pixel * scale + offset, for a .keras model with no preprocessing layer")
    a.add_argument("--pixel-offset", metavar="O[,O,O]", help="see --pixel-scale")
    g = add_model_options(p, "model options (registered names)")
    g.add_argument("--weights", help="'imagenet' or 'imagenet:SOURCE' (keras.applications, torchvision, timm; "
                                     "downloaded once into $MOBILECNN_CACHE), or a weights file: .weights.h5, a "
                                     "keras.applications .h5, a PyTorch .pth/.pt or a .safetensors")
    g.add_argument("--weights-source", dest="weights_source", choices=("keras.applications", "torchvision", "timm"),
                   help="where a .pth/.safetensors file comes from (default: recognised from its tensor names)")


def run_export(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from mobilecnn.export import assets
    from mobilecnn.export.calibration import CalibrationError
    from mobilecnn.export.convert import ConversionError
    from mobilecnn.export.files import OutputError
    from mobilecnn.export.pipeline import STEPS, UnsafeModelError, VerificationError, export_model

    console = Console(stderr=True)
    options = model_options(args, (*MODEL_OPTION_FLAGS, "weights", "weights_source"))
    is_file = args.model.endswith(".keras")
    stem = Path(args.model).stem if is_file else args.model
    out = args.out or (None if args.android_assets else f"{stem}_{args.precision}.tflite")
    if args.io_type and args.precision != "int8":
        raise UsageError(f"--io {args.io_type} needs --precision int8")
    if args.full_integer and args.precision != "int8":
        raise UsageError(f"--full-integer needs --precision int8 (got --precision {args.precision})")
    try:  # what can be checked before the work
        labels = assets.read_labels(args.labels) if args.labels else None
        scale = assets.parse_channels(args.pixel_scale, "--pixel-scale") if args.pixel_scale else None
        offset = assets.parse_channels(args.pixel_offset, "--pixel-offset") if args.pixel_offset else None
        if not args.android_assets and (args.pixel_scale or args.pixel_offset):
            raise UsageError("--pixel-scale and --pixel-offset describe the input for --android-assets; add it")
        if args.android_assets:
            assets.check_directory(args.android_assets, args.force)
    except (assets.AssetsError, OutputError) as err:
        raise UsageError(str(err)) from err
    steps = [s for s in STEPS if s != "benchmark" or args.benchmark]
    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            task = progress.add_task("starting", total=len(steps))

            def step(name: str) -> None:
                if name in steps:
                    progress.update(task, description=f"{name} ({steps.index(name) + 1}/{len(steps)})",
                                    completed=steps.index(name))

            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", UserWarning)
                result = export_model(
                    args.model, args.precision, out, options=options, calibration=args.calibration,
                    io_type=args.io_type, force=args.force, verify=args.verify, gpu=args.gpu,
                    benchmark=args.benchmark, unsafe=args.unsafe, labels=labels, full_integer=args.full_integer,
                    progress=step)
            if args.android_assets:
                written = assets.write_android_assets(args.android_assets, result.model_content, result.metadata,
                                                      labels=labels, scale=scale, offset=offset, force=args.force)
    except (OutputError, CalibrationError, UnsafeModelError, assets.AssetsError) as err:
        raise UsageError(str(err)) from err
    except (ConversionError, VerificationError) as err:
        print(f"mobilecnn export: failed: {err}", file=sys.stderr)
        return 1
    except ValueError as err:  # unknown model name, bad option values
        raise UsageError(str(err)) from err
    for w in caught:
        if "calibrat" in str(w.message):
            console.print(f"[yellow]warning:[/] {w.message}")
    print_summary(result)
    if args.android_assets:
        print(f"Android assets: {', '.join(str(p) for p in written.values())}")
    return 0


def print_summary(result) -> None:
    from rich.console import Console
    from rich.table import Table

    m = result.metadata
    table = Table(title=f"{m['model']} → {result.path or 'Android assets only (no --out)'}", show_header=False)
    table.add_column(style="bold")
    table.add_column()
    islands = (f"; float inside XNNPACK: {', '.join(m['float_ops'])}" if m.get("float_ops") else
               "; full integer" if m.get("full_integer") else "")
    table.add_row("precision", f"{m['precision']} (I/O {m['io_type']}){islands}")
    table.add_row("input", f"{m['input']['shape']} {m['input']['preprocessing']}")
    table.add_row("size", f"{m['file_size'] / 2**20:.2f} MiB  ({m['params']:,} params, {m['macs'] / 1e6:.0f}M MACs)")
    if "verification" in m:
        v = m["verification"]
        untrained = (" — untrained weights (batch norm recalibrated): quantization noise flips close calls"
                     if m.get("batchnorm_recalibrated") else "")
        table.add_row("verified", f"max |err| {v['max_abs_error']:.3g}, cosine {v['cosine_similarity']:.4f}, "
                                  f"top-1 agreement {v['top1_agreement']:.0%} on {v['images']} images{untrained}")
    if "xnnpack" in m:
        x = m["xnnpack"]
        outside = ", ".join(x["ops_outside"]) or "none"
        table.add_row("XNNPACK", f"{x['partitions']} partition(s); ops outside: {outside}")
    if "gpu" in m:
        g = m["gpu"]
        if g["available"]:
            fallback = "; ".join(g["cpu_ops"]) or g["error"]
            verdict = "fully accelerated" if g["fully_accelerated"] else f"falls back: {fallback}"
            table.add_row("GPU", f"{verdict} ({g['adapter'].split(',')[0]})")
        else:
            table.add_row("GPU", f"not checked: {g['error']}")
        table.add_row("GPU analyzer", "compatible" if m["gpu_analyzer"]["gpu_compatible"]
                      else "; ".join(m["gpu_analyzer"]["warnings"]))
    for t in m.get("benchmark", []):
        table.add_row(f"latency, {t['threads']} thread(s)", f"median {t['median_ms']:.2f} ms, p90 {t['p90_ms']:.2f} ms")
    if result.sidecar_path:
        table.add_row("sidecar", str(result.sidecar_path))
    Console().print(table)
