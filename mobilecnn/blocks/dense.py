"""DenseNet blocks (Huang et al. 2017): bottleneck layers concatenated onto their input, and transitions.

Pre-activation ordering (BN, ReLU, convolution) as the paper's "BN-ReLU-Conv"
composite function (sec. 3). Names follow keras.applications ``DenseNet121``:
``{prefix}_block{i}_0_bn`` ... ``{prefix}_block{i}_concat`` and
``{pool}_bn/_relu/_conv/_pool``.
"""

from __future__ import annotations

from typing import Any

from mobilecnn.blocks.core import BatchNorm, activation, conv_bn
from mobilecnn.flavours import layers_for


def _bn_relu(x, bn: BatchNorm, name: str):
    x = layers_for(x).BatchNormalization(epsilon=bn.epsilon, momentum=bn.momentum, name=f"{name}_bn")(x)
    return activation(x, "relu", f"{name}_relu")


def dense_layer(x, growth_rate: int, *, bottleneck: int, bn: BatchNorm, name: str,
                kernel_initializer: Any = "he_normal"):
    """DenseNet-B layer: BN-ReLU-1x1 to ``bottleneck * growth_rate``, BN-ReLU-3x3 to ``growth_rate``, concat."""
    y = _bn_relu(x, bn, f"{name}_0")
    y = conv_bn(y, bottleneck * growth_rate, 1, act="relu", bn=bn, use_bias=False,
                kernel_initializer=kernel_initializer, names=(f"{name}_1_conv", f"{name}_1_bn", f"{name}_1_relu"))
    y = conv_bn(y, growth_rate, 3, act=None, bn=None, use_bias=False, kernel_initializer=kernel_initializer,
                names=(f"{name}_2_conv", None, None))
    return layers_for(x).Concatenate(name=f"{name}_concat")([x, y])


def dense_block(x, layers: int, growth_rate: int, *, bottleneck: int, bn: BatchNorm, name: str,
                kernel_initializer: Any = "he_normal"):
    for i in range(1, layers + 1):
        x = dense_layer(x, growth_rate, bottleneck=bottleneck, bn=bn, name=f"{name}_block{i}",
                        kernel_initializer=kernel_initializer)
    return x


def transition(x, compression: float, *, bn: BatchNorm, name: str, kernel_initializer: Any = "he_normal"):
    """BN-ReLU-1x1 to ``int(channels * compression)`` channels, 2x2 average pooling (DenseNet-C)."""
    y = _bn_relu(x, bn, name)
    y = conv_bn(y, int(x.shape[-1] * compression), 1, act=None, bn=None, use_bias=False,
                kernel_initializer=kernel_initializer, names=(f"{name}_conv", None, None))
    return layers_for(y).AveragePooling2D(2, 2, name=f"{name}_pool")(y)
