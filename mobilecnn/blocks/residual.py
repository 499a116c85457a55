"""The one residual block of ResNet, Wide ResNet, ResNeXt and SE-ResNet.

Options, not copies: basic (3x3, 3x3) or bottleneck (1x1, 3x3, 1x1) convolutions
(He et al. 2015, Fig. 5); a grouped 3x3 of ``width`` channels (ResNeXt, Xie et
al. 2017: ``width = groups * base width``; Wide ResNet widens it); squeeze-excite
on the residual branch before the addition (Hu et al. 2017, Fig. 3); the
downsampling stride on the 3x3 (torchvision's "v1.5") or on the first 1x1
(the paper and keras.applications); and pre-activation (He et al. 2016,
"Identity Mappings"), which the CIFAR Wide ResNets use with dropout between
their convolutions (Zagoruyko & Komodakis 2016, Fig. 1d).

Layer names follow keras.applications ``ResNet50``: ``{prefix}0_conv`` is the
projection shortcut, ``{prefix}{i}_conv/_bn/_relu`` the i-th convolution,
``{prefix}add`` and ``{prefix}out`` the join (pre-activation blocks:
``{prefix}preact_bn/_relu`` and ``{prefix}out``, as its ``ResNet50V2``).
"""

from __future__ import annotations

from typing import Any

from mobilecnn.blocks.core import BatchNorm, activation, conv_bn, squeeze_excite
from mobilecnn.flavours import layers_for

SE_NAMES = ("se_squeeze", "se_reduce", "se_relu", "se_expand", "se_sigmoid", "se_excite")


def _conv(x, filters: int, kernel: int, stride: int, groups: int, *, name: str, bn: BatchNorm | None,
          act: str | None, kernel_initializer: Any):
    """A bias-free convolution (batch norm follows it somewhere) padded as PyTorch/Caffe pad it.

    A strided 3x3 gets explicit symmetric padding: TensorFlow's "same" would pad
    only bottom/right and shift the sampling grid by a pixel.
    """
    padding = "same"
    if kernel > 1 and stride > 1:
        x = layers_for(x).ZeroPadding2D(kernel // 2, name=f"{name}_pad")(x)
        padding = "valid"
    return conv_bn(x, filters, kernel, stride, groups=groups, padding=padding, use_bias=False, act=act, bn=bn,
                   kernel_initializer=kernel_initializer, names=(f"{name}_conv", f"{name}_bn", f"{name}_relu"))


def residual_block(x, *, out: int, width: int, stride: int, prefix: str, bottleneck: bool, bn: BatchNorm,
                   groups: int = 1, se_squeeze: int | None = None, stride_in_1x1: bool = False,
                   preact: bool = False, dropout: float = 0.0, kernel_initializer: Any = "he_normal"):
    """One residual block from ``x`` to ``out`` channels; ``width`` is the channels of its inner 3x3.

    The shortcut is the identity unless the stride or the channel count
    changes, then a strided 1x1 projection with batch norm (option B of He et
    al. 2015). ``dropout`` applies before the last convolution (WRN).
    """
    L = layers_for(x)
    p = prefix
    project = stride != 1 or x.shape[-1] != out
    if bottleneck:
        first, middle = (stride, 1) if stride_in_1x1 else (1, stride)
        convs = ((width, 1, first, 1), (width, 3, middle, groups), (out, 1, 1, 1))
    else:
        convs = ((width, 3, stride, groups), (out, 3, 1, 1))
    conv = dict(kernel_initializer=kernel_initializer)

    if preact:
        y = L.BatchNormalization(epsilon=bn.epsilon, momentum=bn.momentum, name=f"{p}preact_bn")(x)
        y = activation(y, "relu", f"{p}preact_relu")
        shortcut = _conv(y, out, 1, stride, 1, name=f"{p}0", bn=None, act=None, **conv) if project else x
        for i, (filters, kernel, s, g) in enumerate(convs, 1):
            if i > 1:
                y = L.BatchNormalization(epsilon=bn.epsilon, momentum=bn.momentum, name=f"{p}{i - 1}_bn")(y)
                y = activation(y, "relu", f"{p}{i - 1}_relu")
                if i == len(convs) and dropout > 0:
                    y = L.Dropout(dropout, name=f"{p}dropout")(y)
            y = _conv(y, filters, kernel, s, g, name=f"{p}{i}", bn=None, act=None, **conv)
    else:
        shortcut = _conv(x, out, 1, stride, 1, name=f"{p}0", bn=bn, act=None, **conv) if project else x
        y = x
        for i, (filters, kernel, s, g) in enumerate(convs, 1):
            last = i == len(convs)
            if last and dropout > 0:
                y = L.Dropout(dropout, name=f"{p}dropout")(y)
            y = _conv(y, filters, kernel, s, g, name=f"{p}{i}", bn=bn, act=None if last else "relu", **conv)

    if se_squeeze:
        y = squeeze_excite(y, se_squeeze, act="relu", gate="sigmoid",
                           names=dict(zip(("pool", "reduce", "reduce_act", "expand", "gate", "excite"),
                                          (f"{p}{n}" for n in SE_NAMES), strict=True)),
                           kernel_initializer=kernel_initializer)
    if preact:
        return L.Add(name=f"{p}out")([shortcut, y])
    y = L.Add(name=f"{p}add")([shortcut, y])
    return activation(y, "relu", f"{p}out")
