"""What the Android demo loads: ``model.tflite``, ``labels.txt`` and ``model_info.json`` in one folder.

``model_info.json`` (``SCHEMA``) describes the file as the app needs it, read from the .tflite itself (so it
cannot disagree with it)::

    {"schema": "mobilecnn.model_info/1", "model", "options", "precision", "io_type",
     "files": {"model": "model.tflite", "labels": "labels.txt"}, "model_sha256", "model_size", "num_classes",
     "input":  {"shape": [1, h, w, 3], "dtype": "float32" | "int8" | "uint8", "layout": "NHWC",
                "channels": "RGB", "quantization": null | {"scale", "zero_point"}},
     "output": {"shape": [1, N], "dtype", "quantization", "softmax": true | false},
     "preprocessing": {"crop": "center", "resize": "bilinear", "scale": [3], "offset": [3], "note"},
     "labels_source", "reference": {"params", "macs", "top1", "top1_source"}, "params", "macs",
     "verification": null | {...}, "benchmark": null | [{"threads", "median_ms", "p90_ms", "runs"}],
     "mobilecnn_version"}

The pixel pipeline it stands for is :mod:`mobilecnn.export.pixels`. Labels: ``labels`` given (``--labels
FILE``), else the export's own (ImageNet-weighted exports carry the 1000 ImageNet names), else the ImageNet
names for a registered model's 1000 default classes, else ``class_0`` ... ``class_{N-1}``. Preprocessing:
``scale``/``offset`` given (``--pixel-scale``/``--pixel-offset``), else scale 1 and offset 0 for a model that
normalizes its [0, 255] pixels itself (ours), else a registered model's convention; a ``.keras`` model without
a preprocessing layer must be given them.

Everything is checked before anything is written; the files are written atomically, ``model_info.json``
last (it holds the model's SHA-256, so a reader can tell a set from two exports apart), and a failure removes
the files this call created.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mobilecnn.export.files import OutputError, write_atomic

SCHEMA = "mobilecnn.model_info/1"
MODEL, LABELS, INFO = "model.tflite", "labels.txt", "model_info.json"
FILES = (MODEL, LABELS, INFO)
DTYPES = ("float32", "int8", "uint8")
SELF_NORMALIZING = "the model normalizes itself: feed [0, 255] RGB pixels"


class AssetsError(ValueError):
    """The export cannot be used by the Android demo, or its labels or preprocessing do not fit it."""


def read_labels(path: str | os.PathLike) -> list[str]:
    """One label a line (blank lines at the end ignored)."""
    path = Path(path)
    if not path.is_file():
        raise AssetsError(f"--labels {str(path)!r}: no such file")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise AssetsError(f"--labels {str(path)!r} is not UTF-8 text: give one label a line") from None
    while lines and not lines[-1].strip():
        lines.pop()
    return [line.strip() for line in lines]


def parse_channels(text: str, flag: str) -> list[float]:
    """``--pixel-scale 0.0078125`` or ``--pixel-scale 0.017,0.0175,0.0174``: one value or one per channel."""
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise AssetsError(f"{flag} {text!r}: expected one number or three comma-separated numbers") from None
    if len(values) not in (1, 3) or not all(math.isfinite(v) for v in values):
        raise AssetsError(f"{flag} {text!r}: expected one finite number or three comma-separated ones")
    if flag == "--pixel-scale" and any(v == 0 for v in values):
        raise AssetsError(f"{flag} {text!r}: a scale of 0 erases the image")
    return values * 3 if len(values) == 1 else values


def _tensor(detail: dict, what: str) -> dict[str, Any]:
    import numpy as np

    dtype = np.dtype(detail["dtype"]).name
    if dtype not in DTYPES:
        raise AssetsError(f"the model's {what} is {dtype}; the Android demo takes {', '.join(DTYPES)}")
    scale, zero = detail["quantization"]
    quantization = None if dtype == "float32" else {"scale": float(scale), "zero_point": int(zero)}
    return {"shape": [int(d) for d in detail["shape"]], "dtype": dtype, "quantization": quantization}


def read_tensors(content: bytes) -> tuple[dict, dict]:
    """Input and output of a .tflite as model_info.json describes them; refuses what the app cannot feed."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    from mobilecnn.export.runtime import softmax_input

    # The built-in kernels (XNNPACK off): their op list shows a final SOFTMAX that a delegate would hide.
    try:
        interpreter = Interpreter(model_content=content,
                                  experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
        interpreter.allocate_tensors()
    except (ValueError, RuntimeError) as err:
        raise AssetsError(f"not a valid TFLite model: {str(err).strip()[:300]}") from err
    inputs, outputs = interpreter.get_input_details(), interpreter.get_output_details()
    if len(inputs) != 1 or len(outputs) != 1:
        raise AssetsError(f"the model has {len(inputs)} inputs and {len(outputs)} outputs; the Android demo "
                          "takes one image input and one class-vector output")
    source, result = _tensor(inputs[0], "input"), _tensor(outputs[0], "output")
    shape = source["shape"]
    if len(shape) != 4 or shape[0] != 1 or shape[3] != 3:
        raise AssetsError(f"the model's input has shape {shape}; the Android demo feeds one RGB image, "
                          "[1, height, width, 3]")
    if len(result["shape"]) != 2 or result["shape"][0] != 1 or result["shape"][1] < 2:
        raise AssetsError(f"the model's output has shape {result['shape']}, not a class vector [1, N] (N >= 2); "
                          "the Android demo classifies: export a model with its classifier (include_top=True)")
    source.update(layout="NHWC", channels="RGB")
    result["softmax"] = softmax_input(interpreter, int(outputs[0]["index"])) is not None
    return source, result


def choose_labels(metadata: dict, classes: int, labels: Sequence[str] | None) -> tuple[list[str], str]:
    """The labels and where they come from (see the module docstring); refuses a count that is not ``classes``."""
    if labels is not None:
        chosen, source = list(labels), "given (--labels)"
    elif isinstance(metadata.get("labels"), list):
        chosen, source = list(metadata["labels"]), "the export's"
    elif metadata.get("labels") == "imagenet" and classes == 1000:
        from mobilecnn.weights.labels import imagenet_classes

        chosen, source = list(imagenet_classes()), "ImageNet-1k (the model's default classes)"
    else:
        return [f"class_{i}" for i in range(classes)], "default (class_0 ... class_N-1)"
    if len(chosen) != classes:
        raise AssetsError(f"{len(chosen)} labels ({source}) for a model with {classes} classes: give exactly "
                          f"{classes}, one a line")
    bad = next((i for i, label in enumerate(chosen) if not label.strip() or "\n" in label or "\r" in label), None)
    if bad is not None:
        raise AssetsError(f"label {bad} ({chosen[bad]!r}) is empty or spans lines: give one non-empty label a line")
    return chosen, source


def choose_preprocessing(metadata: dict, scale: Sequence[float] | None,
                         offset: Sequence[float] | None) -> dict[str, Any]:
    """Per-channel scale and offset from [0, 255] RGB pixels to what the model takes (module docstring)."""
    base = {"crop": "center", "resize": "bilinear"}
    if scale is not None or offset is not None:
        return {**base, "scale": list(scale or [1.0] * 3), "offset": list(offset or [0.0] * 3),
                "note": "given (--pixel-scale/--pixel-offset)"}
    if metadata["input"].get("preprocessing_inside_model"):
        return {**base, "scale": [1.0] * 3, "offset": [0.0] * 3, "note": SELF_NORMALIZING}
    if "source" not in metadata:
        from mobilecnn import registry

        own = registry.get(metadata["model"]).preprocessing
        if (metadata.get("weights") or {}).get("conventions"):
            from mobilecnn.weights.conventions import coerce

            own = coerce(metadata["weights"]["conventions"]).preprocessing or own
        return {**base, "scale": _three(own.scale), "offset": _three(own.offset), "note": own.description}
    raise AssetsError(f"{metadata.get('source', metadata['model'])} has no preprocessing layer at its input, so "
                      "the app cannot know what it takes: give --pixel-scale and --pixel-offset (x = pixel * scale "
                      "+ offset, one value or three, e.g. --pixel-scale 0.0078431 --pixel-offset -1 for [-1, 1])")


def _three(value) -> list[float]:
    values = [float(v) for v in value] if isinstance(value, list | tuple) else [float(value)]
    return values * 3 if len(values) == 1 else values


def model_info(content: bytes, metadata: dict, labels: Sequence[str] | None = None,
               scale: Sequence[float] | None = None, offset: Sequence[float] | None = None
               ) -> tuple[dict[str, Any], list[str]]:
    """``model_info.json``'s content and the labels, for an export's bytes and metadata (its sidecar)."""
    from mobilecnn.export.results import content_figures, reference_figures

    source, result = read_tensors(content)
    classes = result["shape"][1]
    chosen, labels_source = choose_labels(metadata, classes, labels)
    figures = content_figures(content)
    info = {
        "schema": SCHEMA,
        "model": metadata["model"],
        "options": metadata.get("options", {}),
        "precision": metadata["precision"],
        "io_type": metadata["io_type"],
        "files": {"model": MODEL, "labels": LABELS},
        "model_sha256": figures["sha256"],
        "model_size": figures["size"],
        "num_classes": classes,
        "input": source,
        "output": result,
        "preprocessing": choose_preprocessing(metadata, scale, offset),
        "labels_source": labels_source,
        "reference": reference_figures(metadata["model"]),
        "params": metadata.get("params"),
        "macs": metadata.get("macs"),
        "verification": metadata.get("verification"),
        "benchmark": metadata.get("benchmark"),
        "mobilecnn_version": metadata.get("mobilecnn_version"),
    }
    return info, chosen


def check_directory(directory: str | os.PathLike, force: bool = False) -> Path:
    """Refuse a path that is a file, or a folder that holds assets already unless ``force``."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise OutputError(f"--android-assets {str(directory)!r} is a file, not a folder")
    present = [name for name in FILES if (directory / name).exists()]
    if present and not force:
        raise OutputError(f"--android-assets {str(directory)!r} holds {', '.join(present)} already; pass --force "
                          "to overwrite them")
    return directory


def write_android_assets(directory: str | os.PathLike, content: bytes, metadata: dict, *,
                         labels: Sequence[str] | None = None, scale: Sequence[float] | None = None,
                         offset: Sequence[float] | None = None, force: bool = False) -> dict[str, Path]:
    """Write the three files into ``directory`` (created if missing); returns their paths by name."""
    directory = check_directory(directory, force)
    info, chosen = model_info(content, metadata, labels, scale, offset)
    directory.mkdir(parents=True, exist_ok=True)
    payload = {MODEL: content, LABELS: "".join(label + "\n" for label in chosen),
               INFO: json.dumps(info, indent=2) + "\n"}
    created: list[Path] = []
    try:
        for name in FILES:
            path = directory / name
            existed = path.exists()
            write_atomic(path, payload[name])
            if not existed:
                created.append(path)
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        raise
    return {name: directory / name for name in FILES}
