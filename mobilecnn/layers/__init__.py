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
import importlib.abc
import importlib.util
import pkgutil
import sys
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


class _RegisterAfterKerasImport(importlib.abc.MetaPathFinder):
    """Finds nothing itself: when ``keras`` is first imported, wraps its loader so that our custom
    layers are registered as soon as the module has executed, then steps out of ``sys.meta_path``."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "keras":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec("keras")
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        exec_module = spec.loader.exec_module

        def exec_then_register(module):
            exec_module(module)
            custom_layers("keras")

        spec.loader.exec_module = exec_then_register
        return spec


def register_when_keras_loads() -> None:
    """Register the Keras 3 custom layers now if Keras is loaded, else the moment it is imported.

    ``.keras`` files name our layers as ``mobilecnn>ChannelShuffle`` etc.; Keras finds them only if
    they are registered before ``keras.saving.load_model`` runs (safe mode never imports code).
    ``import mobilecnn`` calls this, so it costs no TensorFlow import of its own.
    """
    keras = sys.modules.get("keras")
    if keras is not None and hasattr(keras, "saving"):
        custom_layers("keras")
    elif not any(isinstance(f, _RegisterAfterKerasImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _RegisterAfterKerasImport())
