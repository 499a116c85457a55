"""Inception blocks: v1 (Szegedy et al. 2014, "Going Deeper with Convolutions", Fig. 2b and sec. 5) and v3
(Szegedy et al. 2015, "Rethinking the Inception Architecture", Fig. 5-7).

The v1 module: 1x1, 1x1 -> 3x3, 1x1 -> 5x5 and 3x3 max pooling -> 1x1 branches,
concatenated; and the auxiliary classifier. Convolutions are conv + ReLU with
bias (the paper) or conv + batch norm + ReLU (``bn``), named Caffe-style:
``inception_3a_3x3_reduce``, ``..._bn``, ``..._relu``.

The v3 module is data: a row of branches, each an optional pooling, a chain
of (possibly asymmetric, 1x7 / 7x1) convolutions and an optional split pair
(1x3 beside 3x1) whose outputs are concatenated (:class:`InceptionV3Module`).
"""

from __future__ import annotations

from dataclasses import dataclass

from mobilecnn.blocks.core import BatchNorm, activation, conv_bn
from mobilecnn.flavours import layers_for


@dataclass(frozen=True)
class Inception:
    """Widths of one module, as the columns of the paper's Table 1."""

    name: str          # "3a", ...
    ch1x1: int
    ch3x3_reduce: int
    ch3x3: int
    ch5x5_reduce: int
    ch5x5: int
    pool_proj: int


def _conv(x, filters: int, kernel: int, name: str, bn: BatchNorm | None):
    return conv_bn(x, filters, kernel, act="relu", bn=bn, names=(name, f"{name}_bn", f"{name}_relu"))


def inception_module(x, spec: Inception, *, bn: BatchNorm | None, kernel_5x5: int = 5):
    """One module; ``kernel_5x5`` is the kernel of the "5x5" branch (torchvision's net has 3 there)."""
    p = f"inception_{spec.name}_"
    b1 = _conv(x, spec.ch1x1, 1, f"{p}1x1", bn)
    b2 = _conv(_conv(x, spec.ch3x3_reduce, 1, f"{p}3x3_reduce", bn), spec.ch3x3, 3, f"{p}3x3", bn)
    b3 = _conv(_conv(x, spec.ch5x5_reduce, 1, f"{p}5x5_reduce", bn), spec.ch5x5, kernel_5x5, f"{p}5x5", bn)
    b4 = layers_for(x).MaxPooling2D(3, 1, padding="same", name=f"{p}pool")(x)
    b4 = _conv(b4, spec.pool_proj, 1, f"{p}pool_proj", bn)
    return layers_for(x).Concatenate(name=f"{p}output")([b1, b2, b3, b4])


def auxiliary_classifier(x, num_classes: int, *, bn: BatchNorm | None, name: str, dropout: float = 0.7,
                         classifier_activation="softmax"):
    """5x5/3 average pooling, 1x1 convolution to 128, fully connected 1024, dropout 0.7, classifier (sec. 5)."""
    L = layers_for(x)
    if min(x.shape[1], x.shape[2]) < 5:
        raise ValueError(f"{name}: the auxiliary classifier pools 5x5 windows of a {x.shape[1]}x{x.shape[2]} map; "
                         "use an input of at least 80x80 with aux_logits=True")
    x = L.AveragePooling2D(5, 3, name=f"{name}_avg_pool")(x)
    x = _conv(x, 128, 1, f"{name}_conv", bn)
    x = L.Flatten(name=f"{name}_flatten")(x)
    x = L.Dense(1024, name=f"{name}_fc")(x)
    x = activation(x, "relu", f"{name}_fc_relu")
    if dropout > 0:
        x = L.Dropout(dropout, name=f"{name}_dropout")(x)
    return L.Dense(num_classes, activation=classifier_activation, name=f"{name}_predictions")(x)


# Inception v3 (Szegedy et al. 2015, "Rethinking the Inception Architecture for Computer Vision", Fig. 5-7 and
# Table 1), as keras.applications' InceptionV3: every convolution is conv (no bias) + batch norm + ReLU.


@dataclass(frozen=True)
class Conv:
    """One convolution of a branch: output channels, (height, width) kernel, stride, padding."""

    filters: int
    kernel: tuple[int, int]
    stride: int = 1
    padding: str = "same"


@dataclass(frozen=True)
class Branch:
    """One branch of an Inception v3 module: optional pooling, then convolutions, then optionally two parallel
    convolutions whose outputs are concatenated (Fig. 7's 1x3 / 3x1 pair)."""

    name: str                              # "1x1", "5x5", "3x3dbl", "pool", ...
    convs: tuple[Conv, ...] = ()
    pool: str | None = None                # "avg": 3x3/1 "same" average pooling first; "max": 3x3/2 max pooling
    split: tuple[Conv, Conv] | None = None
    split_name: str | None = None          # the pair's concatenation (keras.applications names some: mixed9_0)


@dataclass(frozen=True)
class InceptionV3Module:
    name: str                              # keras.applications' name of the output concatenation: "mixed0", ...
    branches: tuple[Branch, ...]


def _conv_v3(x, conv: Conv, name: str, bn: BatchNorm):
    return conv_bn(x, conv.filters, conv.kernel, conv.stride, padding=conv.padding, act="relu", bn=bn,
                   use_bias=False, names=(f"{name}_conv", f"{name}_bn", f"{name}_relu"))


def inception_v3_module(x, spec: InceptionV3Module, *, bn: BatchNorm):
    """One module; layers are named ``{module}_{branch}_{i}_conv/_bn/_relu`` (the split pair: ``_{i}a``,
    ``_{i}b``) and ``{module}_{branch}_pool``."""
    L = layers_for(x)
    outputs = []
    for branch in spec.branches:
        p = f"{spec.name}_{branch.name}"
        y = x
        if branch.pool == "avg":
            y = L.AveragePooling2D(3, 1, padding="same", name=f"{p}_pool")(y)
        elif branch.pool == "max":
            y = L.MaxPooling2D(3, 2, name=f"{p}_pool")(y)
        elif branch.pool is not None:
            raise ValueError(f"{p}: pool must be None, 'avg' or 'max', got {branch.pool!r}")
        for i, conv in enumerate(branch.convs, start=1):
            y = _conv_v3(y, conv, f"{p}_{i}", bn)
        if branch.split is not None:
            i = len(branch.convs) + 1
            pair = [_conv_v3(y, conv, f"{p}_{i}{part}", bn) for conv, part in zip(branch.split, "ab", strict=True)]
            y = L.Concatenate(name=branch.split_name or f"{p}_concat")(pair)
        outputs.append(y)
    return L.Concatenate(name=spec.name)(outputs)
