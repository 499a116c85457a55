"""Xception blocks (Chollet 2017, "Xception: Deep Learning with Depthwise Separable Convolutions", Fig. 5).

A block is a stack of separable convolutions (depthwise 3x3 then pointwise
1x1, no activation between the two, batch norm after each pair) with ReLUs
before them ("pre") or after them ("post", the exit flow's last block), and a
residual connection: a strided 1x1 projection with batch norm beside a 3x3/2
max pooling, the identity, or none.

The separable convolutions stay ``SeparableConv2D`` layers: keras.applications'
``Xception`` has them, so its weights transfer layer by layer; the TFLite
converter writes each as DEPTHWISE_CONV_2D + CONV_2D, both XNNPACK and GPU
kernels; and tfmot's 8-bit scheme splits each into a DepthwiseConv2D and a
Conv2D with a fake-quant between them (``SeparableConvQuantize``), so QAT
quantizes both halves and the batch norm after the pointwise half folds into it.

Layer names are keras.applications': ``block{n}_sepconv{k}``, ``..._bn``,
``..._act`` and ``block{n}_pool``. Its residual projections and additions are
unnamed there (their Keras-generated names depend on what the session built
before); here they are ``block{n}_residual``, ``block{n}_residual_bn`` and
``block{n}_add``, and :mod:`mobilecnn.keras_applications` pairs such layers by
order and class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mobilecnn.blocks.core import BatchNorm, activation, conv_bn
from mobilecnn.flavours import layers_for

RESIDUALS = ("conv", "identity", "none")


@dataclass(frozen=True)
class XceptionBlock:
    """One block of the entry, middle or exit flow (Chollet 2017, Fig. 5)."""

    widths: tuple[int, ...]    # output channels of each separable convolution
    residual: str              # "conv": 1x1/2 projection and 3x3/2 max pooling; "identity"; "none"
    relu: str = "pre"          # "pre": a ReLU before each separable convolution; "post": after each batch norm
    first_relu: bool = True    # block 2 follows the stem's ReLU and has none before its first convolution

    def __post_init__(self) -> None:
        if self.residual not in RESIDUALS or self.relu not in ("pre", "post"):
            raise ValueError(f"bad Xception block {self}")


def separable_bn(x, filters: int, kernel: int, *, names: tuple[str, str], bn: BatchNorm,
                 kernel_initializer: Any = "glorot_uniform"):
    """A bias-free separable convolution ("same" padding, depth multiplier 1) and batch norm."""
    L = layers_for(x)
    conv_name, bn_name = names
    x = L.SeparableConv2D(filters, kernel, padding="same", use_bias=False, depthwise_initializer=kernel_initializer,
                          pointwise_initializer=kernel_initializer, name=conv_name)(x)
    return L.BatchNormalization(epsilon=bn.epsilon, momentum=bn.momentum, scale=bn.scale, name=bn_name)(x)


def xception_block(x, spec: XceptionBlock, *, prefix: str, bn: BatchNorm):
    """One block, keras.applications' layer order: projection first, then the separable stack, pooling, the add."""
    L = layers_for(x)
    residual = x
    if spec.residual == "conv":
        residual = conv_bn(x, spec.widths[-1], 1, 2, act=None, bn=bn, use_bias=False,
                           names=(f"{prefix}_residual", f"{prefix}_residual_bn", None))
    for k, width in enumerate(spec.widths, start=1):
        name = f"{prefix}_sepconv{k}"
        if spec.relu == "pre" and (k > 1 or spec.first_relu):
            x = activation(x, "relu", f"{name}_act")
        x = separable_bn(x, width, 3, names=(name, f"{name}_bn"), bn=bn)
        if spec.relu == "post":
            x = activation(x, "relu", f"{name}_act")
    if spec.residual == "none":
        return x
    if spec.residual == "conv":
        x = L.MaxPooling2D(3, 2, padding="same", name=f"{prefix}_pool")(x)
    return L.Add(name=f"{prefix}_add")([x, residual])
