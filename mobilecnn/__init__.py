"""mobilecnn: Keras builders for efficient CNNs, with QAT and LiteRT export.

>>> import mobilecnn
>>> model = mobilecnn.build("mobilenet-v2", width_multiplier=0.5, resolution=160, num_classes=10)
>>> mobilecnn.list_models("efficientnet-*")[:2]
['efficientnet-b0', 'efficientnet-b1']

``import mobilecnn`` is cheap: the registry (names, options, reference figures,
papers) loads without TensorFlow, Keras, tf_keras or tfmot. Those load on the
first call that needs them (``build``, ``qat``, ``train``, ``mobilecnn.export``),
the names below being resolved on first access (Scientific Python's SPEC 1).
The custom layers register with Keras 3 as soon as Keras is imported, so a
``.keras`` file of ours loads in safe mode after ``import mobilecnn``.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

# TensorFlow's C++ start-up chatter (CUDA probing on CPU machines) drowns our
# output; a value the user set wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from mobilecnn import registry  # noqa: E402
from mobilecnn.layers import register_when_keras_loads  # noqa: E402
from mobilecnn.registry import list_models  # noqa: E402

__version__ = "0.1.0"

# name -> module that defines it; loaded on first access.
_LAZY = {
    "build": "mobilecnn.builder", "build_record": "mobilecnn.builder", "BuildRecord": "mobilecnn.builder",
    "COMMON_DEFAULTS": "mobilecnn.builder",
    "qat": "mobilecnn.quantization",
    "train": "mobilecnn.training",
    "recalibrate_batchnorm": "mobilecnn.batchnorm",
    "copy_weights": "mobilecnn.keras_applications", "keras_application": "mobilecnn.keras_applications",
    "load_keras_applications_weights": "mobilecnn.keras_applications",
    "custom_layers": "mobilecnn.layers",
    "profile": "mobilecnn.profiling", "Profile": "mobilecnn.profiling",
    "decode_predictions": "mobilecnn.weights.labels", "imagenet_classes": "mobilecnn.weights.labels",
    "Conventions": "mobilecnn.weights.conventions",
}
_SUBMODULES = ("data", "export", "quantization", "training", "builder", "profiling", "batchnorm", "layers",
               "blocks", "families", "scaling", "keras_applications", "rewrite", "flavours", "job", "weights")


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, *_SUBMODULES})


def model_info(name: str) -> dict[str, Any]:
    """What the registry knows of ``name``: family, default input, options, reference figures, paper."""
    from mobilecnn.builder import COMMON_DEFAULTS, allowed_values

    entry = registry.get(name)
    ref = entry.reference
    options = {**COMMON_DEFAULTS, "num_classes": entry.num_classes, "dropout_rate": entry.dropout_rate,
               **dict(entry.options)}
    return {
        "name": entry.name,
        "family": entry.family,
        "resolution": entry.resolution,
        "input_shape": (entry.resolution, entry.resolution, entry.channels),
        "min_resolution": entry.min_resolution,
        "preprocessing": entry.preprocessing.description,
        "options": options,
        "allowed": {key: allowed_values(entry, key, default) for key, default in options.items()},
        "fixed": dict(entry.fixed),
        "params": ref.params,
        "params_source": ref.params_source,
        "trainable_params": ref.trainable,
        "macs": ref.macs,
        "macs_source": ref.macs_source,
        "top1": ref.top1,
        "top1_source": ref.top1_source,
        "paper": entry.paper,
        "keras_application": entry.keras_application,
        "weights": _published_weights(entry.name),
    }


def _published_weights(name: str) -> list[dict[str, Any]]:
    """The published ImageNet weights for ``name``, per source (the first of each is what it loads)."""
    from mobilecnn.weights.sources import PUBLISHED

    return [row.as_dict() for row in PUBLISHED if row.model == name]


register_when_keras_loads()  # .keras files of ours load in safe mode after `import mobilecnn`

__all__ = ["build", "build_record", "BuildRecord", "qat", "train", "data", "export",
           "recalibrate_batchnorm", "list_models", "model_info", "profile", "Profile", "copy_weights",
           "keras_application", "load_keras_applications_weights", "custom_layers", "decode_predictions",
           "imagenet_classes", "Conventions", "__version__"]
