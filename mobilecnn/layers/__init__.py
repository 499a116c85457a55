"""The few custom layers the zoo needs, registered for both Keras flavours.

Everything else is a standard Keras layer. Each module in this package defines
``define(k) -> dict[str, type]``, which builds its layer classes on the Keras
module ``k`` (``keras`` or ``tf_keras``) and registers them under the package
name ``mobilecnn``, so ``.keras`` files load with ``safe_mode=True`` after
``import mobilecnn``. :func:`custom_layers` collects every module's classes.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from types import SimpleNamespace

from mobilecnn.flavours import keras_module

PACKAGE = "mobilecnn"


@functools.cache
def custom_layers(flavour: str = "keras") -> SimpleNamespace:
    """Every custom layer class for ``flavour`` ("keras" or "tf_keras"), by class name."""
    k = keras_module(flavour)
    classes: dict[str, type] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, cls in module.define(k).items():
            if name in classes:
                raise ValueError(f"custom layer {name} is defined twice")
            classes[name] = cls
    return SimpleNamespace(**classes)
