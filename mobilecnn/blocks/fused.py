"""Fused-MBConv (Tan & Le 2021, "EfficientNetV2", Fig. 2): the MBConv block with its 1x1 expansion and
depthwise convolution fused into one regular ``kernel`` x ``kernel`` convolution.

Early, high-resolution stages run regular convolutions faster than depthwise ones on accelerators (and
XNNPACK), which is why EfficientNetV2 uses this block there. Names come from :class:`BlockNames`.
"""

from __future__ import annotations

from typing import Any

from mobilecnn.blocks.core import BatchNorm, BlockNames, conv_bn, squeeze_excite
from mobilecnn.flavours import layers_for

DEFAULT_BN = BatchNorm()


def fused_mbconv(x, *, expanded: int, out: int, kernel: int, stride: int, act: str, names: BlockNames,
                 prefix: str, se_squeeze: int | None = None, se_act: str = "swish", se_gate: str = "sigmoid",
                 bn: BatchNorm = DEFAULT_BN, drop_rate: float = 0.0, kernel_initializer: Any = "glorot_uniform"):
    """Fused-MBConv: ``kernel`` x ``kernel`` convolution with ``stride`` to ``expanded`` channels, optional
    squeeze-excite, linear 1x1 projection to ``out``; a residual add (with stochastic depth at ``drop_rate``)
    when shapes allow.

    With no expansion (``expanded`` equal to the input width) the block is one ``kernel`` x ``kernel``
    convolution with ``stride`` to ``out`` channels, followed by batch norm and ``act`` (as
    keras.applications' ``FusedMBConvBlock`` with ``expand_ratio=1``).
    """
    L = layers_for(x)
    inputs = x
    in_channels = x.shape[-1]
    n = lambda key: names(key, prefix)  # noqa: E731
    expand = expanded != in_channels
    if expand:
        x = conv_bn(x, expanded, kernel, stride, act=act, bn=bn, kernel_initializer=kernel_initializer,
                    names=(n("expand"), n("expand_bn"), n("expand_act")))
    if se_squeeze:
        x = squeeze_excite(x, se_squeeze, act=se_act, gate=se_gate, names=names.se_names(prefix),
                           kernel_initializer=kernel_initializer)
    x = conv_bn(x, out, 1 if expand else kernel, 1 if expand else stride, act=None if expand else act, bn=bn,
                kernel_initializer=kernel_initializer, names=(n("project"), n("project_bn"), n("project_act")))
    if stride == 1 and in_channels == out:
        if drop_rate > 0:
            x = L.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=n("drop"))(x)
        x = L.Add(name=n("add"))([x, inputs])
    return x
