"""Inception v1 blocks (Szegedy et al. 2014, "Going Deeper with Convolutions", Fig. 2b and sec. 5).

The module: 1x1, 1x1 -> 3x3, 1x1 -> 5x5 and 3x3 max pooling -> 1x1 branches,
concatenated; and the auxiliary classifier. Convolutions are conv + ReLU with
bias (the paper) or conv + batch norm + ReLU (``bn``), named Caffe-style:
``inception_3a_3x3_reduce``, ``..._bn``, ``..._relu``.
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
