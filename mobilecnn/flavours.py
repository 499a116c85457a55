"""The two Keras implementations a builder can target.

Models are Keras 3 by default. tensorflow-model-optimization only quantizes
tf_keras (Keras 2) models, so every builder can also emit the identical graph
in tf_keras. Builders never import either directly: blocks ask the tensor they
are given which flavour it belongs to (:func:`layers_for`), so one block
library serves both.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import Any

FLAVOURS = ("keras", "tf_keras")


def keras_module(flavour: str = "keras") -> ModuleType:
    """Return the ``keras`` (Keras 3) or ``tf_keras`` (Keras 2) module."""
    if flavour not in FLAVOURS:
        raise ValueError(f"flavour={flavour!r} is not one of {', '.join(FLAVOURS)}")
    if flavour == "tf_keras":
        # tf_keras must not flip plain `tf.keras` for the rest of the process.
        before = os.environ.get("TF_USE_LEGACY_KERAS")
        module = importlib.import_module("tf_keras")
        if before is None:
            os.environ.pop("TF_USE_LEGACY_KERAS", None)
        return module
    return importlib.import_module("keras")


def flavour_of(obj: Any) -> str:
    """Which flavour a tensor, layer or model comes from."""
    module = type(obj).__module__
    return "tf_keras" if module.startswith("tf_keras") else "keras"


def layers_for(x: Any) -> ModuleType:
    """The ``layers`` module matching tensor ``x``'s flavour."""
    return keras_module(flavour_of(x)).layers
