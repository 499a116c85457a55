"""Weights from keras.applications: copy from a model, or read its ``.h5`` weights file.

Our models of the architectures keras.applications has (MobileNet,
MobileNetV2, MobileNetV3Small/Large, EfficientNetB0-B7) create their
weight-holding layers in the same order, with the same names and shapes, so
``ours.set_weights(ref.get_weights())`` works once preprocessing layers are
left out. Users who hold keras.applications ImageNet weights can use them.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from mobilecnn import registry

# Layers of keras.applications models whose weights are preprocessing, not model.
PREPROCESSING_LAYERS = ("Normalization", "Rescaling")


def _weighted_layers(model) -> list:
    return [layer for layer in model.layers
            if layer.weights and type(layer).__name__ not in PREPROCESSING_LAYERS]


def keras_application(name: str, **options: Any):
    """Build the keras.applications counterpart of ``name`` (``weights=None``).

    ``options`` are mobilecnn options (``width_multiplier``, ``num_classes``,
    ``include_top``, ``resolution``...); they are mapped to keras.applications
    arguments.
    """
    import keras

    entry = registry.get(name)
    if not entry.keras_application:
        raise ValueError(f"{entry.name} has no keras.applications counterpart")
    kwargs: dict[str, Any] = {"weights": None}
    for ours, theirs in entry.keras_application_args.items():
        if ours in options:
            kwargs[theirs] = options.pop(ours)
    res = options.pop("resolution", entry.resolution)
    kwargs["input_shape"] = (res, res, 3) if isinstance(res, int) else (*res, 3)
    kwargs["classes"] = options.pop("num_classes", 1000)
    for key in ("include_top", "pooling", "classifier_activation"):
        if key in options:
            kwargs[key] = options.pop(key)
    if options:
        raise ValueError(f"options {sorted(options)} have no keras.applications equivalent")
    return getattr(keras.applications, entry.keras_application)(**kwargs)


def copy_weights(source, target) -> None:
    """Copy the weights of a keras.applications ``source`` model into our ``target``.

    Layers are paired in order; names and shapes must agree, and a mismatch
    names the first layer that differs.
    """
    src, dst = _weighted_layers(source), _weighted_layers(target)
    if len(src) != len(dst):
        raise ValueError(
            f"{source.name} has {len(src)} weight-holding layers, {target.name} has {len(dst)}: "
            "the architectures (or their options) differ"
        )
    for a, b in zip(src, dst):
        shapes_a = [tuple(w.shape) for w in a.get_weights()]
        shapes_b = [tuple(w.shape) for w in b.get_weights()]
        if a.name != b.name or shapes_a != shapes_b:
            raise ValueError(f"layer {a.name} {shapes_a} does not match {b.name} {shapes_b}")
        b.set_weights(a.get_weights())


def load_keras_applications_weights(model, source, name: str | None = None, **_: Any) -> None:
    """Load keras.applications weights into ``model``.

    ``source`` is a keras.applications model (either Keras flavour) or the path
    of a keras.applications ``.h5`` weights file (the Keras 2 format its
    ImageNet files use), which is read layer by layer by name.
    """
    if not isinstance(source, (str, os.PathLike)):
        copy_weights(source, model)
        return
    import h5py

    path = os.fspath(source)
    if not os.path.isfile(path):
        raise ValueError(f"no weights file at {path!r}")
    with h5py.File(path, "r") as f:
        group = f["model_weights"] if "model_weights" in f else f
        if "layer_names" not in group.attrs:
            raise ValueError(f"{path!r} is not a Keras 2 / keras.applications .h5 weights file")
        stored = {}
        for layer_name in map(_decode, group.attrs["layer_names"]):
            g = group[layer_name]
            names = [_decode(w) for w in g.attrs["weight_names"]]
            if names and not any(p in layer_name for p in ("normalization", "rescaling")):
                stored[layer_name] = [np.asarray(g[w]) for w in names]
    ours = _weighted_layers(model)
    if all(layer.name in stored for layer in ours):
        pairs = [(layer, layer.name, stored[layer.name]) for layer in ours]
    else:
        # Files saved by Keras 2 name layers differently (e.g. MobileNetV3's
        # "Conv/BatchNorm"); keras.applications itself loads them by order.
        if len(stored) != len(ours):
            raise ValueError(
                f"{path!r} has weights for {len(stored)} layers, {name or model.name} has {len(ours)} "
                "weight-holding layers: is it the file of another architecture or width?"
            )
        pairs = [(layer, key, values) for layer, (key, values) in zip(ours, stored.items())]
    for layer, key, values in pairs:
        expected = [tuple(w.shape) for w in layer.get_weights()]
        if [v.shape for v in values] != expected:
            raise ValueError(f"{path!r}: layer {key} has shapes {[v.shape for v in values]}, "
                             f"but {layer.name} of {name or model.name} expects {expected}")
    for layer, _, values in pairs:
        layer.set_weights(values)


def _decode(value) -> str:
    return value.decode("utf8") if isinstance(value, bytes) else str(value)
