"""build -> convert -> calibrate -> verify -> check delegates -> write -> benchmark, as one call.

Nothing is written until the export has converted and (if asked) verified: a
failure leaves no file behind. The .tflite and its sidecar JSON are written
atomically.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mobilecnn.export import calibration as calib
from mobilecnn.export.convert import check_precision, to_tflite
from mobilecnn.export.files import check_output, write_atomic
from mobilecnn.export.graph import rewritten, with_fixed_batch

STEPS = ("build", "calibrate", "convert", "verify", "delegates", "write", "benchmark")


class UnsafeModelError(ValueError):
    """A .keras file needs unsafe deserialization (e.g. a Lambda layer)."""


class VerificationError(RuntimeError):
    """The exported file does not compute what the Keras model computes."""


@dataclass
class ExportResult:
    path: Path | None
    sidecar_path: Path | None
    model_content: bytes
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.model_content)


def load_model(source, options: dict[str, Any] | None = None, unsafe: bool = False):
    """A Keras model from a model, a registered name, or a ``.keras`` file; and what we know of it."""
    import keras

    import mobilecnn

    options = dict(options or {})
    if isinstance(source, keras.Model):
        return source, {"model": source.name, "options": options, "entry": None}
    source = os.fspath(source)
    if source.endswith(".keras") or os.path.isfile(source):
        if options:
            raise ValueError(f"model options ({', '.join(options)}) apply to registered names, not to {source!r}")
        if not os.path.isfile(source):
            raise ValueError(f"no such model file: {source!r}")
        try:
            model = keras.models.load_model(source, safe_mode=not unsafe, compile=False)
        except ValueError as err:
            if "unsafe" in str(err).lower() or "lambda" in str(err).lower():
                raise UnsafeModelError(
                    f"{source!r} needs unsafe deserialization (it holds Python code, e.g. a Lambda layer); "
                    "load it only if you trust it, with --unsafe (unsafe=True)") from err
            raise ValueError(f"could not load {source!r}: {err}") from err
        return model, {"model": model.name, "options": {}, "entry": None, "source": source}
    entry = mobilecnn.registry.get(source)
    model = mobilecnn.build(entry.name, **options)
    return model, {"model": entry.name, "options": options, "entry": entry}


def takes_pixels(model) -> bool:
    """Whether ``model`` starts with its own preprocessing (so takes [0, 255] pixels)."""
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    return bool(layers) and type(layers[0]).__name__ in ("Rescaling", "Normalization")


def export_model(source, precision: str = "float32", out: str | os.PathLike | None = None, *,
                 options: dict[str, Any] | None = None, calibration=None, io_type: str | None = None,
                 batch_size: int = 1, force: bool = False, verify: bool = True, check_delegates: bool = True,
                 gpu: bool = True, benchmark: bool = False, threads: tuple[int, ...] = (1, 2),
                 calibration_count: int = 64, verify_count: int = 16, unsafe: bool = False,
                 recalibrate: bool | None = None, labels: list[str] | None = None, full_integer: bool = False,
                 allow_unverified: bool = False,
                 progress: Callable[[str], None] | None = None) -> ExportResult:
    """Export ``source`` (a Keras model, a registered name or a ``.keras`` path) to TFLite.

    ``precision`` is float32, float16, dynamic or int8; ``io_type`` (int8 only)
    is int8, uint8 or float32. ``recalibrate`` sets batch-norm statistics from
    the calibration images first; by default it does so for models built from
    a name (untrained). An int8 export computes in float, inside XNNPACK, the
    ops XNNPACK has no int8 kernel for (:mod:`mobilecnn.export.convert`);
    ``full_integer`` keeps every op int8 (for int8-only accelerators). Raises
    ``ValueError`` for bad input, ``ConversionError`` or ``VerificationError``
    when the export fails; nothing is written then. With ``allow_unverified``
    (for timing: the zoo), a file that converts but does not compute what the
    model computes is kept, its metadata's ``"unverified"`` naming why; a
    rewritten graph that fails its float check still raises.
    """
    from mobilecnn.export import delegates
    from mobilecnn.export.benchmark import benchmark as run_benchmark
    from mobilecnn.export.verify import check_rewrite
    from mobilecnn.export.verify import verify as run_verify

    import mobilecnn

    step = progress or (lambda name: None)
    io_type = io_type or ("int8" if precision == "int8" else "float32")
    check_precision(precision, io_type)
    if full_integer and precision != "int8":
        raise ValueError(f"full_integer applies to int8 exports, not {precision}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    out_path = check_output(out, force) if out is not None else None

    step("build")
    model, meta = load_model(source, options, unsafe)
    entry = meta.pop("entry")
    shape = tuple(int(d) for d in model.inputs[0].shape[1:])
    pixels = takes_pixels(model)
    preprocessing = None if pixels else (entry.preprocessing if entry else None)
    if not pixels and entry is None:
        warnings.warn(f"{model.name} has no preprocessing layer at its input: calibration and verification "
                      "images are fed as [0, 255] pixels", UserWarning, stacklevel=2)

    step("calibrate")
    need_images = precision == "int8" or verify or recalibrate or (recalibrate is None and entry is not None)
    images = None
    if need_images:
        if calibration is None and precision != "int8":  # no warning: float exports need no calibration
            images = calib.builtin_images(shape, max(calibration_count, verify_count))
        else:
            images = calib.calibration_images(calibration, shape, calibration_count)
        images = calib.model_input(images, preprocessing)
    if recalibrate or (recalibrate is None and entry is not None and "weights" not in meta["options"]):
        mobilecnn.recalibrate_batchnorm(model, images[: max(2, min(len(images), 32))])
        meta["batchnorm_recalibrated"] = True

    step("convert")
    if verify and batch_size != 1:
        raise ValueError("verification runs at batch size 1; pass verify=False for other batch sizes")
    graph_model = rewritten(model, precision)
    rewrite_check = None
    if verify and graph_model is not model:
        # Before converting: a wrong rewrite fails here, in float, where it shows (see export/verify.py).
        rewrite_check = check_rewrite(model, graph_model, images[-verify_count:])
        if not rewrite_check.passed:
            raise VerificationError(f"verification failed: {rewrite_check.reason}")
    graph = with_fixed_batch(graph_model, batch_size)
    representative = (lambda: (images[i:i + batch_size] for i in range(0, len(images) - batch_size + 1,
                                                                       batch_size))) if precision == "int8" else None
    content = to_tflite(graph, precision, representative, io_type, full_integer=full_integer)

    report: dict[str, Any] = {}
    if precision == "int8":
        from mobilecnn.quantization import float_ops

        # Ops computed in float (XNNPACK's float islands), by kind, less the conversions around them; none in a
        # full-integer export.
        kinds = {op.split("#")[0] for op in float_ops(content)}
        report["float_ops"] = sorted(kinds - {"QUANTIZE", "DEQUANTIZE"})
        report["full_integer"] = not kinds
    step("verify")
    if verify:
        # Against the model as given, not the rewritten graph: the rewrite was checked above.
        result = run_verify(model, content, images[-verify_count:], precision)
        result.rewrite_relative_error = None if rewrite_check is None else rewrite_check.relative_max_error
        report["verification"] = result.as_dict()
        if not result.passed:
            if not allow_unverified:
                raise VerificationError(f"verification failed: {result.reason}")
            report["unverified"] = f"verification failed: {result.reason}"

    step("delegates")
    if check_delegates:
        xnn = delegates.xnnpack_report(content, threads=max(threads))
        report["xnnpack"] = {"partitions": xnn.partitions, "ops": xnn.ops, "ops_outside": xnn.ops_outside,
                             "one_partition": xnn.one_partition}
        if precision == "float16" and gpu:
            with tempfile.TemporaryDirectory() as tmp:
                probe_path = Path(tmp) / "model.tflite"
                probe_path.write_bytes(content)
                report["gpu"] = delegates.gpu_report(str(probe_path)).as_dict()
                analysis = delegates.analyzer_report(str(probe_path))
                report["gpu_analyzer"] = {"gpu_compatible": analysis.gpu_compatible, "warnings": analysis.warnings}

    prof = mobilecnn.profile(model)
    weights = getattr(model, "_mobilecnn_weights", None)   # what mobilecnn.build(weights=...) loaded
    if labels is None and weights is not None and weights.get("labels") == "imagenet":
        from mobilecnn.weights.labels import imagenet_classes

        labels = list(imagenet_classes())
    described = entry.preprocessing.description if entry else "inside the model" if pixels else "unknown"
    if (weights or {}).get("conventions"):
        from mobilecnn.weights.conventions import coerce

        own = coerce(weights["conventions"]).preprocessing   # the Rescaling the weights' conventions built
        described = own.description if own is not None else described
    metadata = {
        "model": meta["model"],
        "options": {k: v for k, v in meta["options"].items() if jsonable(v)},
        "precision": precision,
        "io_type": io_type,
        "input": {"shape": [batch_size, *shape], "dtype": io_type,
                  "range": "[0, 255] pixels" if pixels or preprocessing is not None else "model-specific",
                  "preprocessing": described,
                  "preprocessing_inside_model": pixels},
        "output": {"shape": [batch_size, *[int(d) for d in model.outputs[0].shape[1:]]]},
        "labels": labels if labels is not None else (entry.labels if entry else None),
        "weights": weights,
        "params": prof.params,
        "macs": prof.macs,
        "file_size": len(content),
        "batchnorm_recalibrated": bool(meta.get("batchnorm_recalibrated")),
        "mobilecnn_version": mobilecnn.__version__,
        **report,
    }
    for key in ("source",):
        if key in meta:
            metadata[key] = meta[key]

    step("write")
    sidecar = None
    if out_path is not None:
        write_atomic(out_path, content)
        sidecar = out_path.with_suffix(".json")
        write_atomic(sidecar, json.dumps(metadata, indent=2) + "\n")

    step("benchmark")
    if benchmark:
        metadata["benchmark"] = [t.as_dict() for t in run_benchmark(content, threads=threads)]
        if sidecar is not None:
            write_atomic(sidecar, json.dumps(metadata, indent=2) + "\n")
    return ExportResult(out_path, sidecar, content, metadata)


def jsonable(value) -> bool:
    try:
        json.dumps(value)
        return True
    except TypeError:
        return False
