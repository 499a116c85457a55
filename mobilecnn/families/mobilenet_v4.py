"""MobileNetV4 (Qin et al. 2024, "MobileNetV4 - Universal Models for the Mobile Ecosystem", appendix tables).

Conv-S/M/L and Hybrid-M/L: a stem convolution, then stages of fused inverted bottlenecks, Universal
Inverted Bottlenecks (:mod:`mobilecnn.blocks.uib`) and, in the hybrids, Mobile MQA attention
(:mod:`mobilecnn.blocks.attention`) with LayerScale (init 1e-5) on every UIB and attention block. The
head pools first, then a 1x1 convolution to 1280 with batch norm and activation, then the classifier.

The tables are timm 1.0.31's ``_gen_mobilenet_v4`` arch definitions row for row (``uir_r2_a3_k5_s1_e4_c256``
is ``UIB(256, 3, 5, 1, 4, repeats=2)``), one tuple per stage, and layer names are timm's module paths
(``blocks_<stage>_<index>_...``), so timm checkpoints map tensor by tensor. Conventions as timm's
checkpoints: batch-norm epsilon 1e-5, symmetric (PyTorch) padding written as explicit ``ZeroPadding2D``
before each strided convolution (``padding="same"`` builds TensorFlow's instead), ImageNet mean/std input.
The width multiplier rounds every block's channels to multiples of 8 (timm ``round_channels``); the stem
stays at its width below 1.0 and the 1280 head is never scaled, as timm's ``fix_stem`` and
``num_features``.
"""

from __future__ import annotations

from dataclasses import dataclass

from mobilecnn.blocks.attention import mobile_mqa
from mobilecnn.blocks.core import ACTIVATIONS, conv_bn
from mobilecnn.blocks.uib import (
    NAMES,
    PADDINGS,
    TIMM_BN,
    fused_inverted_bottleneck,
    padded,
    universal_inverted_bottleneck,
)
from mobilecnn.builder import Network
from mobilecnn.families._conventions import TORCH
from mobilecnn.flavours import layers_for
from mobilecnn.registry import ModelEntry, Reference, register
from mobilecnn.scaling import check_positive, make_divisible


@dataclass(frozen=True)
class Conv:      # timm "cn": convolution, batch norm, activation
    out: int
    kernel: int
    stride: int


@dataclass(frozen=True)
class FusedIB:   # timm "er": kernel x kernel expansion with stride, linear 1x1 projection
    out: int
    kernel: int
    stride: int
    expand: float


@dataclass(frozen=True)
class UIB:       # timm "uir": start depthwise (a), middle depthwise (k), 0 = none
    out: int
    start: int
    mid: int
    stride: int
    expand: float
    repeats: int = 1


@dataclass(frozen=True)
class MQA:       # timm "mqa": query heads, key/value dim, key/value stride (3x3 depthwise)
    out: int
    heads: int
    key_dim: int
    kv_stride: int


@dataclass(frozen=True)
class Variant:
    stem: int
    act: str
    stages: tuple[tuple[Conv | FusedIB | UIB | MQA, ...], ...]
    layer_scale: float | None = None   # the hybrids' LayerScale init


HEAD, LAYER_SCALE = 1280, 1e-5
FUSED_STEM = (FusedIB(48, 3, 2, 4),)
VARIANTS = {
    "conv-small": Variant(32, "relu", (
        (Conv(32, 3, 2), Conv(32, 1, 1)),
        (Conv(96, 3, 2), Conv(64, 1, 1)),
        (UIB(96, 5, 5, 2, 3), UIB(96, 0, 3, 1, 2, 4), UIB(96, 3, 0, 1, 4)),
        (UIB(128, 3, 3, 2, 6), UIB(128, 5, 5, 1, 4), UIB(128, 0, 5, 1, 4), UIB(128, 0, 5, 1, 3),
         UIB(128, 0, 3, 1, 4, 2)),
        (Conv(960, 1, 1),))),
    "conv-medium": Variant(32, "relu", (
        FUSED_STEM,
        (UIB(80, 3, 5, 2, 4), UIB(80, 3, 3, 1, 2)),
        (UIB(160, 3, 5, 2, 6), UIB(160, 3, 3, 1, 4, 2), UIB(160, 3, 5, 1, 4), UIB(160, 3, 3, 1, 4),
         UIB(160, 3, 0, 1, 4), UIB(160, 0, 0, 1, 2), UIB(160, 3, 0, 1, 4)),
        (UIB(256, 5, 5, 2, 6), UIB(256, 5, 5, 1, 4), UIB(256, 3, 5, 1, 4, 2), UIB(256, 0, 0, 1, 4),
         UIB(256, 3, 0, 1, 4), UIB(256, 3, 5, 1, 2), UIB(256, 5, 5, 1, 4), UIB(256, 0, 0, 1, 4, 2),
         UIB(256, 5, 0, 1, 2)),
        (Conv(960, 1, 1),))),
    "conv-large": Variant(24, "relu", (
        FUSED_STEM,
        (UIB(96, 3, 5, 2, 4), UIB(96, 3, 3, 1, 4)),
        (UIB(192, 3, 5, 2, 4), UIB(192, 3, 3, 1, 4, 3), UIB(192, 3, 5, 1, 4), UIB(192, 5, 3, 1, 4, 5),
         UIB(192, 3, 0, 1, 4)),
        (UIB(512, 5, 5, 2, 4, 4), UIB(512, 5, 0, 1, 4), UIB(512, 5, 3, 1, 4), UIB(512, 5, 0, 1, 4, 2),
         UIB(512, 5, 3, 1, 4), UIB(512, 5, 5, 1, 4), UIB(512, 5, 0, 1, 4, 3)),
        (Conv(960, 1, 1),))),
    "hybrid-medium": Variant(32, "relu", (
        FUSED_STEM,
        (UIB(80, 3, 5, 2, 4), UIB(80, 3, 3, 1, 2)),
        (UIB(160, 3, 5, 2, 6), UIB(160, 0, 0, 1, 2), UIB(160, 3, 3, 1, 4), UIB(160, 3, 5, 1, 4),
         MQA(160, 4, 64, 2), UIB(160, 3, 3, 1, 4), MQA(160, 4, 64, 2), UIB(160, 3, 0, 1, 4),
         MQA(160, 4, 64, 2), UIB(160, 3, 3, 1, 4), MQA(160, 4, 64, 2), UIB(160, 3, 0, 1, 4)),
        (UIB(256, 5, 5, 2, 6), UIB(256, 5, 5, 1, 4), UIB(256, 3, 5, 1, 4, 2), UIB(256, 0, 0, 1, 2),
         UIB(256, 3, 5, 1, 2), UIB(256, 0, 0, 1, 2), UIB(256, 0, 0, 1, 4), MQA(256, 4, 64, 1),
         UIB(256, 3, 0, 1, 4), MQA(256, 4, 64, 1), UIB(256, 5, 5, 1, 4), MQA(256, 4, 64, 1),
         UIB(256, 5, 0, 1, 4), MQA(256, 4, 64, 1), UIB(256, 5, 0, 1, 4)),
        (Conv(960, 1, 1),)), layer_scale=LAYER_SCALE),
    "hybrid-large": Variant(24, "gelu", (
        FUSED_STEM,
        (UIB(96, 3, 5, 2, 4), UIB(96, 3, 3, 1, 4)),
        (UIB(192, 3, 5, 2, 4), UIB(192, 3, 3, 1, 4, 3), UIB(192, 3, 5, 1, 4), UIB(192, 5, 3, 1, 4, 2),
         MQA(192, 8, 48, 2), UIB(192, 5, 3, 1, 4), MQA(192, 8, 48, 2), UIB(192, 5, 3, 1, 4),
         MQA(192, 8, 48, 2), UIB(192, 5, 3, 1, 4), MQA(192, 8, 48, 2), UIB(192, 3, 0, 1, 4)),
        (UIB(512, 5, 5, 2, 4, 4), UIB(512, 5, 0, 1, 4), UIB(512, 5, 3, 1, 4), UIB(512, 5, 0, 1, 4, 2),
         UIB(512, 5, 3, 1, 4), UIB(512, 5, 5, 1, 4), MQA(512, 8, 64, 1), UIB(512, 5, 0, 1, 4),
         MQA(512, 8, 64, 1), UIB(512, 5, 0, 1, 4), MQA(512, 8, 64, 1), UIB(512, 5, 0, 1, 4),
         MQA(512, 8, 64, 1), UIB(512, 5, 0, 1, 4)),
        (Conv(960, 1, 1),)), layer_scale=LAYER_SCALE),
}
BN = TIMM_BN


def _expanded(rows):
    """Each stage's rows with repeats unrolled (repeats after the first at stride 1, as timm's builder)."""
    for row in rows:
        for r in range(getattr(row, "repeats", 1)):
            yield row if r == 0 else type(row)(**{**row.__dict__, "stride": 1, "repeats": 1})


def head(net: Network, x, *, act: str):
    """MobileNetV4's head: global pooling first, 1x1 convolution to 1280 (no bias), batch norm and
    activation, then dropout and the classifier (timm ``head_norm=True``). Headless: ``net.pool``."""
    if not net.include_top:
        return net.pool(x)
    L = layers_for(x)
    x = L.GlobalAveragePooling2D(keepdims=True, name="global_pool")(x)
    x = conv_bn(x, HEAD, 1, act=act, bn=BN, names=("conv_head", "norm_head", "norm_head_act"))
    x = L.Flatten(name="flatten")(x)
    x = net.dropout(x, name="head_dropout")
    return L.Dense(net.num_classes, activation=net.classifier_activation, name="classifier")(x)


def build_mobilenet_v4(net: Network, *, variant: str, width_multiplier: float = 1.0, activation: str | None = None,
                       padding: str = "symmetric", drop_path_rate: float = 0.0):
    alpha = check_positive("width_multiplier", width_multiplier)
    if not 0 <= drop_path_rate < 1:
        raise ValueError(f"drop_path_rate must be a number in [0, 1), got {drop_path_rate!r}")
    spec = VARIANTS[variant]
    act = spec.act if activation is None else activation
    if act not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {act!r}")
    width = lambda c: make_divisible(c * alpha)  # noqa: E731
    stages = [list(_expanded(rows)) for rows in spec.stages]
    total, index = sum(len(s) for s in stages), 0

    inputs = net.input()
    x = net.preprocess(inputs)
    x, pad = padded(x, 3, 2, padding, "conv_stem_pad")
    x = conv_bn(x, spec.stem if alpha < 1 else width(spec.stem), 3, 2, act=act, bn=BN, padding=pad,
                names=("conv_stem", "bn1", "bn1_act"))
    for s, rows in enumerate(stages):
        for i, row in enumerate(rows):
            p, rate = f"blocks_{s}_{i}_", drop_path_rate * index / total
            index += 1
            if isinstance(row, Conv):
                x, pad = padded(x, row.kernel, row.stride, padding, f"{p}pad")
                x = conv_bn(x, width(row.out), row.kernel, row.stride, act=act, bn=BN, padding=pad,
                            names=(f"{p}conv", f"{p}bn1", f"{p}bn1_act"))
            elif isinstance(row, FusedIB):
                x = fused_inverted_bottleneck(
                    x, out=width(row.out), expanded=make_divisible(x.shape[-1] * row.expand), kernel=row.kernel,
                    stride=row.stride, act=act, prefix=p, bn=BN, padding=padding, drop_rate=rate, names=NAMES)
            elif isinstance(row, UIB):
                x = universal_inverted_bottleneck(
                    x, out=width(row.out), expanded=make_divisible(x.shape[-1] * row.expand), start=row.start,
                    mid=row.mid, stride=row.stride, act=act, prefix=p, bn=BN, padding=padding,
                    layer_scale=spec.layer_scale, drop_rate=rate, names=NAMES)
            else:
                x = mobile_mqa(x, heads=row.heads, key_dim=row.key_dim, value_dim=row.key_dim, prefix=p,
                               kv_stride=row.kv_stride, out=width(row.out), bn=BN, padding=padding,
                               layer_scale=spec.layer_scale, drop_rate=rate, names=NAMES)
    return net.model(inputs, head(net, x, act=act), f"MobileNetV4{variant.title().replace('-', '')}")


PAPER = "Qin et al. 2024, MobileNetV4 - Universal Models for the Mobile Ecosystem (arXiv:2404.10518)"
TIMM = "timm 1.0.31 mobilenetv4_{}"
TIMM_RESULTS = ("timm results/results-imagenet.csv, {tag} at {res}x{res} (the default tag's input_size; "
                "ImageNet-1k val)")
# name -> (timm default pretrained tag, its input size, timm params, BN running stats, MACs (conv + linear) at
# that size, top-1 of that tag at that size). Params, stats and MACs: REFERENCE_FIGURES.md, counted from timm 1.0.31
# (sum of parameters; BatchNorm2d running mean + var; Conv2d + Linear forward hooks). The hybrids' attention
# matmuls (QK^T + AV: 41,943,040 and 339,738,624 at 256 and 384) are not in the MACs, as our profiler counts
# convolutions and dense layers only.
REFERENCES = {
    "conv-small": ("e2400_r224_in1k", 224, 3_774_024, 25_088, 186_005_568, 73.756),
    "conv-medium": ("e500_r256_in1k", 256, 9_715_512, 67_904, 1_080_244_224, 79.916),
    "conv-large": ("e600_r384_in1k", 384, 32_590_864, 149_552, 6_376_220_672, 82.974),
    "hybrid-medium": ("e200_r256_in12k_ft_in1k", 256, 11_074_648, 75_840, 1_229_240_320, 82.360),
    "hybrid-large": ("ix_e600_r384_in1k", 384, 37_764_624, 164_400, 7_372_138_496, 83.996),
}
OPTIONS = {"width_multiplier": 1.0, "activation": None, "padding": "symmetric", "drop_path_rate": 0.0}
ALLOWED = {
    "width_multiplier": "a positive number (block widths rounded to multiples of 8; stem fixed below 1.0, head "
                        "1280 always)",
    "activation": f"None (the model's: ReLU; Hybrid-L exact GELU) or one of {', '.join(ACTIVATIONS)}",
    "padding": f"{' or '.join(map(repr, PADDINGS))}: symmetric (PyTorch, timm's weights; explicit ZeroPadding2D "
               "before strided convolutions) or TensorFlow 'same'",
    "drop_path_rate": "a number in [0, 1) (stochastic depth, growing linearly over the blocks; training only)",
}

for _variant, (_tag, _res, _params, _stats, _macs, _top1) in REFERENCES.items():
    _timm = TIMM.format(_variant.replace("-", "_"))
    register(ModelEntry(
        name=f"mobilenet-v4-{_variant}", family="mobilenet-v4", builder=build_mobilenet_v4, resolution=_res,
        paper=PAPER, fixed={"variant": _variant}, options=OPTIONS, allowed=ALLOWED, preprocessing=TORCH,
        reference=Reference(
            params=_params + _stats, trainable=_params,
            params_source=f"{_timm}: {_params:,} parameters + {_stats:,} batch-norm running statistics "
                          "(Keras counts them as non-trainable weights)",
            macs=_macs, macs_source=f"{_timm} at {_res}x{_res}, Conv2d + Linear multiply-accumulates (attention "
                                    "matmuls apart)",
            top1=_top1, top1_source=TIMM_RESULTS.format(tag=f"mobilenetv4_{_variant.replace('-', '_')}.{_tag}",
                                                        res=_res),
        ),
    ))
