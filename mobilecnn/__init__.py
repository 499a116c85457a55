"""mobilecnn: Keras builders for efficient CNNs, with QAT and LiteRT export.

>>> import mobilecnn
>>> model = mobilecnn.build("mobilenet-v2", width_multiplier=0.5, resolution=160, num_classes=10)
>>> mobilecnn.list_models("efficientnet-*")[:2]
['efficientnet-b0', 'efficientnet-b1']
"""

from __future__ import annotations

import os

# TensorFlow's C++ start-up chatter (CUDA probing on CPU machines) drowns our
# output; a value the user set wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from typing import Any  # noqa: E402

from mobilecnn import data, registry  # noqa: E402
from mobilecnn.batchnorm import recalibrate_batchnorm  # noqa: E402
from mobilecnn.builder import COMMON_DEFAULTS, BuildRecord, build, build_record  # noqa: E402
from mobilecnn.keras_applications import copy_weights, keras_application, load_keras_applications_weights  # noqa: E402
from mobilecnn.layers import custom_layers  # noqa: E402
from mobilecnn.profiling import Profile, profile  # noqa: E402
from mobilecnn.quantization import qat  # noqa: E402
from mobilecnn.registry import list_models  # noqa: E402
from mobilecnn.training import train  # noqa: E402

__version__ = "0.1.0"

custom_layers("keras")  # register the custom layers so .keras files load in safe mode


def model_info(name: str) -> dict[str, Any]:
    """What the registry knows of ``name``: family, default input, options, reference figures, paper."""
    entry = registry.get(name)
    ref = entry.reference
    return {
        "name": entry.name,
        "family": entry.family,
        "resolution": entry.resolution,
        "input_shape": (entry.resolution, entry.resolution, entry.channels),
        "min_resolution": entry.min_resolution,
        "preprocessing": entry.preprocessing.description,
        "options": {**COMMON_DEFAULTS, "num_classes": entry.num_classes, "dropout_rate": entry.dropout_rate,
                    **dict(entry.options)},
        "fixed": dict(entry.fixed),
        "params": ref.params,
        "params_source": ref.params_source,
        "macs": ref.macs,
        "macs_source": ref.macs_source,
        "paper": entry.paper,
        "keras_application": entry.keras_application,
    }


__all__ = ["build", "build_record", "BuildRecord", "qat", "train", "data",
           "recalibrate_batchnorm", "list_models", "model_info", "profile", "Profile", "copy_weights",
           "keras_application", "load_keras_applications_weights", "custom_layers", "__version__"]
