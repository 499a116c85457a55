"""SqueezeNet's Fire module (Iandola et al. 2016, sec. 3.2, Fig. 1), with the optional simple bypass.

A 1x1 "squeeze" convolution, then 1x1 and 3x3 "expand" convolutions side by
side whose outputs are concatenated; every convolution has a bias and a ReLU
(SqueezeNet has no batch norm). Layer names follow the Caffe model's
``fire2/squeeze1x1`` scheme with ``_`` for ``/`` (Keras names take no ``/``).
"""

from __future__ import annotations

from mobilecnn.blocks.core import conv_bn
from mobilecnn.flavours import layers_for


def fire(x, *, squeeze: int, expand1x1: int, expand3x3: int, prefix: str, bypass: bool = False):
    """Fire module from ``x`` to ``expand1x1 + expand3x3`` channels.

    ``bypass`` adds the module's input to its output (the paper's "simple
    bypass", sec. 6, Fig. 2 middle), which needs equal input and output widths.
    """
    L = layers_for(x)
    p = prefix
    out = expand1x1 + expand3x3
    if bypass and x.shape[-1] != out:
        raise ValueError(f"{p}: a simple bypass needs equal widths, got {x.shape[-1]} -> {out} channels")
    s = conv_bn(x, squeeze, 1, act="relu", bn=None, names=(f"{p}squeeze1x1", None, f"{p}squeeze1x1_relu"))
    e1 = conv_bn(s, expand1x1, 1, act="relu", bn=None, names=(f"{p}expand1x1", None, f"{p}expand1x1_relu"))
    e3 = conv_bn(s, expand3x3, 3, act="relu", bn=None, names=(f"{p}expand3x3", None, f"{p}expand3x3_relu"))
    y = L.Concatenate(name=f"{p}concat")([e1, e3])
    if bypass:
        y = L.Add(name=f"{p}bypass")([x, y])
    return y
