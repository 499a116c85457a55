"""MobileNetV4's blocks (Qin et al. 2024, "MobileNetV4 - Universal Models for the Mobile Ecosystem", sec. 3.2
and Fig. 4): the Universal Inverted Bottleneck and the fused inverted bottleneck.

The UIB is one block with two optional depthwise convolutions, one before the 1x1 expansion (``start``) and
one between expansion and projection (``mid``); which are present gives the paper's four instances:

=================  =====  ===  ==============================================
instance           start  mid
=================  =====  ===  ==============================================
ExtraDW            k      k    both depthwise convolutions
IB (inverted bn.)  0      k    MobileNet V2's inverted bottleneck
ConvNext-like      k      0    depthwise before the expansion only
FFN                0      0    two 1x1 convolutions (a transformer's MLP)
=================  =====  ===  ==============================================

As the reference implementation (timm 1.0.31 ``UniversalInvertedResidual``; the TF Model Garden's
``UniversalInvertedBottleneckBlock``), the stride goes on the middle depthwise convolution when there is
one, the start depthwise has no activation, the projection is linear, and a LayerScale may scale the
branch before the residual add. An optional ``end`` depthwise (after the projection, no activation) is kept
for the Model Garden's full definition; no MobileNetV4 model uses it.

Padding: ``"symmetric"`` pads ``(kernel - 1) // 2`` on every side (PyTorch, timm's checkpoints) with an
explicit ``ZeroPadding2D`` before a strided convolution; ``"same"`` is TensorFlow's, which differs only
there (even sizes: 0 before, 1 after). At stride 1 both are "same".
"""

from __future__ import annotations

from dataclasses import dataclass

from mobilecnn.blocks.core import BatchNorm, conv_bn, depthwise_bn
from mobilecnn.flavours import flavour_of, layers_for
from mobilecnn.layers import custom_layers

PADDINGS = ("symmetric", "same")
TIMM_BN = BatchNorm(epsilon=1e-5, momentum=0.9)   # PyTorch BatchNorm2d: eps 1e-5, momentum 0.1 of the new batch


def padded(x, kernel: int, stride: int, padding: str, name: str):
    """``x`` and the padding mode for a ``kernel`` convolution with ``stride`` under ``padding``."""
    if padding not in PADDINGS:
        raise ValueError(f"padding must be one of {', '.join(map(repr, PADDINGS))}, got {padding!r}")
    if padding == "symmetric" and stride > 1 and kernel > 1:
        return layers_for(x).ZeroPadding2D((kernel - 1) // 2, name=name)(x), "valid"
    return x, "same"


def residual(x, shortcut, *, layer_scale: float | None, drop_rate: float, names: UIBNames, prefix: str):
    """The branch ``x``, LayerScaled if asked, added to ``shortcut`` when shapes allow (stochastic depth at
    ``drop_rate``). The LayerScale is there even where no residual add follows, as in the reference."""
    L = layers_for(x)
    if layer_scale is not None:
        x = custom_layers(flavour_of(x)).LayerScale(layer_scale, name=names("layer_scale", prefix))(x)
    if shortcut is None or tuple(shortcut.shape[1:]) != tuple(x.shape[1:]):
        return x
    if drop_rate > 0:
        x = L.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=names("drop", prefix))(x)
    return L.Add(name=names("add", prefix))([x, shortcut])


@dataclass(frozen=True)
class UIBNames:
    """Layer names of a MobileNetV4 block: timm's module path with ``_`` for ``.`` (``{p}`` is
    ``blocks_<stage>_<index>_``), so a checkpoint tensor ``blocks.2.0.pw_exp.conv.weight`` is the weight of
    layer ``blocks_2_0_pw_exp_conv``."""

    dw_start: str = "{p}dw_start_conv"
    dw_start_bn: str = "{p}dw_start_bn"
    pw_exp: str = "{p}pw_exp_conv"
    pw_exp_bn: str = "{p}pw_exp_bn"
    pw_exp_act: str = "{p}pw_exp_act"
    dw_mid: str = "{p}dw_mid_conv"
    dw_mid_bn: str = "{p}dw_mid_bn"
    dw_mid_act: str = "{p}dw_mid_act"
    pw_proj: str = "{p}pw_proj_conv"
    pw_proj_bn: str = "{p}pw_proj_bn"
    dw_end: str = "{p}dw_end_conv"
    dw_end_bn: str = "{p}dw_end_bn"
    conv_exp: str = "{p}conv_exp"          # fused inverted bottleneck (timm EdgeResidual)
    bn1: str = "{p}bn1"
    bn1_act: str = "{p}bn1_act"
    conv_pwl: str = "{p}conv_pwl"
    bn2: str = "{p}bn2"
    pad: str = "{p}pad"
    layer_scale: str = "{p}layer_scale"
    drop: str = "{p}drop_path"
    add: str = "{p}add"

    def __call__(self, key: str, prefix: str) -> str:
        return getattr(self, key).format(p=prefix)


NAMES = UIBNames()


def universal_inverted_bottleneck(x, *, out: int, expanded: int, start: int, mid: int, stride: int, act: str,
                                  prefix: str, end: int = 0, bn: BatchNorm = TIMM_BN,
                                  padding: str = "symmetric", layer_scale: float | None = None,
                                  drop_rate: float = 0.0, names: UIBNames = NAMES):
    """UIB: [depthwise ``start``] -> 1x1 to ``expanded`` -> [depthwise ``mid``] -> 1x1 to ``out`` ->
    [depthwise ``end``] -> [LayerScale] -> residual add when shapes allow. A kernel of 0 leaves that
    depthwise convolution out; ``stride`` goes on ``mid``, else ``start``, else ``end``."""
    if stride > 1 and not (start or mid or end):
        raise ValueError(f"{prefix}: a strided UIB needs a depthwise convolution (start, mid or end)")
    shortcut = x
    n = lambda key: names(key, prefix)  # noqa: E731
    if start:
        s = 1 if mid else stride
        x, pad = padded(x, start, s, padding, n("pad") + "_start")
        x = depthwise_bn(x, start, s, act=None, bn=bn, padding=pad, names=(n("dw_start"), n("dw_start_bn"), None))
    x = conv_bn(x, expanded, 1, act=act, bn=bn, names=(n("pw_exp"), n("pw_exp_bn"), n("pw_exp_act")))
    if mid:
        x, pad = padded(x, mid, stride, padding, n("pad") + "_mid")
        x = depthwise_bn(x, mid, stride, act=act, bn=bn, padding=pad,
                         names=(n("dw_mid"), n("dw_mid_bn"), n("dw_mid_act")))
    x = conv_bn(x, out, 1, act=None, bn=bn, names=(n("pw_proj"), n("pw_proj_bn"), None))
    if end:
        s = 1 if start or mid else stride
        x, pad = padded(x, end, s, padding, n("pad") + "_end")
        x = depthwise_bn(x, end, s, act=None, bn=bn, padding=pad, names=(n("dw_end"), n("dw_end_bn"), None))
    return residual(x, shortcut, layer_scale=layer_scale, drop_rate=drop_rate, names=names, prefix=prefix)


def fused_inverted_bottleneck(x, *, out: int, expanded: int, kernel: int, stride: int, act: str, prefix: str,
                              bn: BatchNorm = TIMM_BN, padding: str = "symmetric", drop_rate: float = 0.0,
                              names: UIBNames = NAMES):
    """Fused IB (the paper's Fig. 4; timm ``EdgeResidual``): ``kernel`` x ``kernel`` convolution with
    ``stride`` to ``expanded`` channels, batch norm and ``act``, linear 1x1 projection to ``out``, residual
    add when shapes allow. No LayerScale, as in the reference."""
    shortcut = x
    n = lambda key: names(key, prefix)  # noqa: E731
    x, pad = padded(x, kernel, stride, padding, n("pad"))
    x = conv_bn(x, expanded, kernel, stride, act=act, bn=bn, padding=pad, names=(n("conv_exp"), n("bn1"), n("bn1_act")))
    x = conv_bn(x, out, 1, act=None, bn=bn, names=(n("conv_pwl"), n("bn2"), None))
    return residual(x, shortcut, layer_scale=None, drop_rate=drop_rate, names=names, prefix=prefix)
