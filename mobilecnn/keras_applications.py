"""Weights from keras.applications: copy from a model, or read its ``.h5`` weights file.

Our models of the architectures keras.applications has (MobileNet,
MobileNetV2, MobileNetV3Small/Large, EfficientNetB0-B7, VGG16/19,
ResNet50/101/152, DenseNet121/169/201, Xception, InceptionV3) create their weight-holding layers in
the same order, with the same names and shapes, so
``ours.set_weights(ref.get_weights())`` works once preprocessing layers are
left out. Two conventions are adapted on the way: biases keras.applications'
ResNets put on convolutions before batch norm are folded into it, and
weights trained on BGR (Caffe) input are turned to take RGB. Users who hold
keras.applications ImageNet weights can use them.
"""

from __future__ import annotations

import os
import re
from typing import Any

import numpy as np

from mobilecnn import registry

# Layers of keras.applications models whose weights are preprocessing, not model.
PREPROCESSING_LAYERS = ("Normalization", "Rescaling")


def weighted_layers(model) -> list:
    """``model``'s weight-holding layers in order, preprocessing layers left out: what a weights file pairs
    with; the last is the classifier a fresh ``num_classes`` replaces."""
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
    for ours, needed in entry.keras_application_options.items():
        if ours in options and options.pop(ours) != needed:
            raise ValueError(f"keras.applications.{entry.keras_application} is {entry.name} with {ours}={needed!r}")
    res = options.pop("resolution", entry.resolution)
    kwargs["input_shape"] = (res, res, 3) if isinstance(res, int) else (*res, 3)
    kwargs["classes"] = options.pop("num_classes", 1000)
    for key in ("include_top", "pooling", "classifier_activation"):
        if key in options:
            kwargs[key] = options.pop(key)
    if options:
        raise ValueError(f"options {sorted(options)} have no keras.applications equivalent")
    return getattr(keras.applications, entry.keras_application)(**kwargs)


def copy_weights(source, target, name: str | None = None) -> None:
    """Copy the weights of a keras.applications ``source`` model into our ``target``.

    Layers are paired in order; names and shapes must agree, and a mismatch
    names the first layer that differs. ``name`` is our registry name of
    ``target`` (by default looked up from ``target.name``): it says whether
    the first convolution's input channels turn from BGR to RGB.
    """
    src, dst = weighted_layers(source), weighted_layers(target)
    if len(src) != len(dst):
        raise ValueError(
            f"{source.name} has {len(src)} weight-holding layers, {target.name} has {len(dst)}: "
            "the architectures (or their options) differ"
        )
    for a, b in zip(src, dst, strict=True):
        if a.name != b.name and not (_generated_name(a) and type(a).__name__ == type(b).__name__):
            raise ValueError(f"layer {a.name} {_shapes(a.get_weights())} does not match "
                             f"{b.name} {_shapes(b.get_weights())}")
    pairs = [(b, a.name, a.get_weights()) for a, b in zip(src, dst, strict=True)]
    _transfer(pairs, target, _entry(name or target.name))


def _generated_name(layer) -> bool:
    """Whether ``layer`` has the name Keras makes up for an unnamed layer (``conv2d_7``, ``batch_normalization``).

    keras.applications leaves some layers unnamed (Xception's residual projections, every convolution of
    InceptionV3); their names count what the session built before, so such layers are paired by order and class.
    """
    kind = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", type(layer).__name__)
    kind = re.sub("([a-z])([A-Z])", r"\1_\2", kind).lower()   # keras' to_snake_case: Conv2D -> conv2d
    return re.fullmatch(rf"{kind}(_\d+)?", layer.name) is not None


def _shapes(values) -> list[tuple[int, ...]]:
    return [tuple(v.shape) for v in values]


def _entry(name: str) -> registry.ModelEntry | None:
    try:
        return registry.get(name)
    except ValueError:
        return None


def _transfer(pairs: list, model, entry: registry.ModelEntry | None) -> None:
    """Set ``(layer, source name, values)`` pairs, adapting keras.applications' conventions to ours.

    - A convolution that keras.applications gives a bias and we do not (a batch
      norm follows it, as in torchvision's counts) has the bias folded into that
      batch norm: BN(conv(x) + b) is BN'(conv(x)) with moving mean' = mean - b.
    - Weights trained on BGR input (``entry.keras_application_bgr``) get the
      first convolution's input channels reversed, so our model takes RGB.
    Shapes are checked before any layer is set.
    """
    values = {id(layer): [np.asarray(v) for v in vals] for layer, _, vals in pairs}
    for layer, key, vals in pairs:
        wanted = layer.get_weights()
        if (type(layer).__name__ == "Conv2D" and not layer.use_bias and len(vals) == len(wanted) + 1
                and vals[-1].ndim == 1):
            bn = _following_batch_norm(model, layer)
            if bn is None or id(bn) not in values:
                raise ValueError(f"layer {key} has a bias but {layer.name} has none and no batch norm follows it")
            stats = values[id(bn)]
            stats[-2] = stats[-2] - vals[-1]       # [gamma, beta, moving_mean, moving_variance]
            values[id(layer)] = values[id(layer)][:-1]
    if entry is not None and entry.keras_application_bgr:
        first = next(layer for layer, _, _ in pairs if type(layer).__name__ == "Conv2D")
        values[id(first)][0] = values[id(first)][0][:, :, ::-1, :].copy()
    for layer, key, _ in pairs:
        if _shapes(values[id(layer)]) != _shapes(layer.get_weights()):
            raise ValueError(f"layer {key} {_shapes(values[id(layer)])} does not match "
                             f"{layer.name} {_shapes(layer.get_weights())}")
    for layer, _, _ in pairs:
        layer.set_weights(values[id(layer)])


def _following_batch_norm(model, conv):
    """The batch-norm layer that takes ``conv``'s output, if one does."""
    for layer in model.layers:
        if type(layer).__name__ == "BatchNormalization":
            inputs = layer.input if isinstance(layer.input, (list, tuple)) else [layer.input]
            if any(t is conv.output for t in inputs):
                return layer
    return None


def load_keras_applications_weights(model, source, name: str | None = None, *, classifier: str = "copy",
                                    **options: Any) -> None:
    """Load keras.applications weights into ``model``.

    ``source`` is a keras.applications model (either Keras flavour) or the path
    of a keras.applications ``.h5`` weights file (the Keras 2 format its
    ImageNet files use), which is read layer by layer by name. ``options``
    are the family options ``model`` was built with (checked against those the
    keras.applications graph needs, e.g. ResNet50's ``stride_in_1x1=True``). ``classifier`` is "copy",
    "headless" (``model`` has no classifier) or "fresh" (another number of classes: ``model``'s classifier,
    its last weight layer, keeps its initial weights).
    """
    entry = _entry(name or model.name)
    if entry is not None:
        for key, needed in entry.keras_application_options.items():
            if key in options and options[key] != needed:
                raise ValueError(f"keras.applications.{entry.keras_application} weights are for {entry.name} "
                                 f"with {key}={needed!r}; build it with that option")
    if not isinstance(source, (str, os.PathLike)):
        copy_weights(source, model, name)
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
            # Preprocessing layers (normalization, rescaling_1, ...), not batch norms (batch_normalization_3)
            if names and not re.fullmatch(r"(normalization|rescaling)(_\d+)?", layer_name):
                stored[layer_name] = [np.asarray(g[w]) for w in names]
    ours = weighted_layers(model)
    if classifier == "fresh":
        ours = ours[:-1]
    if classifier != "copy" and not all(layer.name in stored for layer in ours) and len(stored) > len(ours):
        # By order, a file with a top (or a bigger one) has its classifier layers last: keep the leading ones.
        # A headless file (keras.applications' *_notop.h5) has nothing to drop.
        stored = dict(list(stored.items())[:len(ours)])
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
        pairs = [(layer, key, values) for layer, (key, values) in zip(ours, stored.items(), strict=True)]
    try:
        _transfer(pairs, model, entry)
    except ValueError as err:
        raise ValueError(f"{path!r} does not fit {name or model.name}: {err}") from err


def _decode(value) -> str:
    return value.decode("utf8") if isinstance(value, bytes) else str(value)
