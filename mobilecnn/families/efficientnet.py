"""EfficientNet B0-B7 (Tan & Le 2019, "EfficientNet: Rethinking Model Scaling", Table 1).

MBConv blocks with squeeze-excite and swish, scaled by compound coefficients
(width, depth, resolution) from :mod:`mobilecnn.scaling`; stochastic depth
(drop-connect) grows linearly to ``drop_connect_rate`` over the blocks. Layer
names follow keras.applications ``EfficientNetB0``...``B7``; preprocessing is a
weightless per-channel ``Rescaling`` to ImageNet mean/std.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mobilecnn.blocks import BatchNorm, BlockNames, conv_bn, inverted_residual
from mobilecnn.builder import Network
from mobilecnn.registry import ModelEntry, Preprocessing, Reference, register
from mobilecnn.scaling import (
    EFFICIENTNET_SCALES,
    check_drop_rate,
    compound_scale,
    make_divisible,
    round_repeats,
    scale_coefficients,
)


@dataclass(frozen=True)
class MBConv:
    repeats: int
    kernel: int
    stride: int
    expand: int
    out: int
    se: float = 0.25


STEM, TOP = 32, 1280
STAGES = (  # EfficientNet-B0, Table 1 of Tan & Le 2019
    MBConv(repeats=1, kernel=3, stride=1, expand=1, out=16),
    MBConv(repeats=2, kernel=3, stride=2, expand=6, out=24),
    MBConv(repeats=2, kernel=5, stride=2, expand=6, out=40),
    MBConv(repeats=3, kernel=3, stride=2, expand=6, out=80),
    MBConv(repeats=3, kernel=5, stride=1, expand=6, out=112),
    MBConv(repeats=4, kernel=5, stride=2, expand=6, out=192),
    MBConv(repeats=1, kernel=3, stride=1, expand=6, out=320),
)
BN = BatchNorm()
CONV_INIT = {"class_name": "VarianceScaling",
             "config": {"scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"}}
DENSE_INIT = {"class_name": "VarianceScaling",
              "config": {"scale": 1.0 / 3.0, "mode": "fan_out", "distribution": "uniform"}}
NAMES = BlockNames(
    expand="{p}expand_conv", expand_bn="{p}expand_bn", expand_act="{p}expand_activation",
    depthwise="{p}dwconv", depthwise_bn="{p}bn", depthwise_act="{p}activation",
    se={"pool": "{p}se_squeeze", "reduce": "{p}se_reduce", "reduce_act": "{p}se_reduce_activation",
        "expand": "{p}se_expand", "gate": "{p}se_expand_activation", "excite": "{p}se_excite"},
    project="{p}project_conv", project_bn="{p}project_bn", drop="{p}drop", add="{p}add")
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)  # ImageNet, as keras.applications


def _coefficients(options: Mapping[str, Any]):
    """Width, depth and resolution from the variant, ``phi`` or explicit coefficients."""
    phi = options.get("phi")
    scale = compound_scale(phi) if phi is not None else EFFICIENTNET_SCALES[options["variant"]]
    width, depth = scale_coefficients(scale, options.get("width_coefficient"), options.get("depth_coefficient"))
    return width, depth, scale.resolution


def build_efficientnet(net: Network, *, variant: str, width_coefficient: float | None = None,
                       depth_coefficient: float | None = None, phi: float | None = None,
                       drop_connect_rate: float = 0.2):
    """``phi`` gives compound-scaled coefficients; explicit coefficients override either."""
    width, depth, _ = _coefficients({"variant": variant, "phi": phi, "width_coefficient": width_coefficient,
                                     "depth_coefficient": depth_coefficient})
    check_drop_rate("drop_connect_rate", drop_connect_rate)

    def filters(c: int) -> int:
        return make_divisible(c * width)

    inputs = net.input()
    x = net.preprocess(inputs)
    x = conv_bn(x, filters(STEM), 3, 2, act="swish", bn=BN, kernel_initializer=CONV_INIT,
                names=("stem_conv", "stem_bn", "stem_activation"))
    total = sum(round_repeats(s.repeats, depth) for s in STAGES)
    b = 0
    for i, stage in enumerate(STAGES):
        for j in range(round_repeats(stage.repeats, depth)):
            block_in = x.shape[-1]
            x = inverted_residual(
                x, expanded=block_in * stage.expand, out=filters(stage.out), kernel=stage.kernel,
                stride=stage.stride if j == 0 else 1, act="swish", expand=stage.expand != 1,
                se_squeeze=max(1, int(block_in * stage.se)), se_act="swish", se_gate="sigmoid",
                names=NAMES, prefix=f"block{i + 1}{chr(j + 97)}_", bn=BN,
                drop_rate=drop_connect_rate * b / total, kernel_initializer=CONV_INIT,
            )
            b += 1
    x = conv_bn(x, filters(TOP), 1, act="swish", bn=BN, kernel_initializer=CONV_INIT,
                names=("top_conv", "top_bn", "top_activation"))
    x = net.head(x, kernel_initializer=DENSE_INIT)
    return net.model(inputs, x, f"efficientnet{variant}")


PAPER = "Tan & Le 2019, EfficientNet: Rethinking Model Scaling for CNNs (arXiv:1905.11946)"
PREPROCESSING = Preprocessing(
    scale=tuple(1.0 / (255.0 * s) for s in STD),
    offset=tuple(-m / s for m, s in zip(MEAN, STD, strict=True)),
    description="pixels in [0, 255] RGB, normalized with ImageNet mean and std",
)
# keras.applications EfficientNetB0-B7(weights=None) total parameters, less the 7
# statistics (mean 3, variance 3, count 1) of its preprocessing Normalization layer.
KERAS_PARAMS = {"b0": 5_330_571, "b1": 7_856_239, "b2": 9_177_569, "b3": 12_320_535,
                "b4": 19_466_823, "b5": 30_562_527, "b6": 43_265_143, "b7": 66_658_687}
# Tan & Le 2019, Table 2 (its "FLOPS" are multiply-adds). For B4, B5 and B7 the
# table is 4.6%, 3.7% and 2.0% below the network it defines at its own resolution;
# there we cite torchvision's count of the same network (its weights docs,
# "GFLOPS" column, which counts multiply-adds with fvcore), which ours matches.
PAPER_MACS = {"b0": 0.39e9, "b1": 0.70e9, "b2": 1.0e9, "b3": 1.8e9, "b4": 4.2e9, "b5": 9.9e9,
              "b6": 19e9, "b7": 37e9}
TORCHVISION_MACS = {"b4": 4.39e9, "b5": 10.27e9, "b7": 37.75e9}
# Tan & Le 2019, Table 2 top-1 (%), the figures keras.io/api/applications lists for EfficientNetB0-B7.
TOP1 = {"b0": 77.1, "b1": 79.1, "b2": 80.1, "b3": 81.6, "b4": 82.9, "b5": 83.6, "b6": 84.0, "b7": 84.3}

for _variant, _scale in EFFICIENTNET_SCALES.items():
    register(ModelEntry(
        name=f"efficientnet-{_variant}", family="efficientnet", builder=build_efficientnet,
        resolution=_scale.resolution, paper=PAPER, fixed={"variant": _variant},
        options={"width_coefficient": None, "depth_coefficient": None, "phi": None, "drop_connect_rate": 0.2},
        allowed={"width_coefficient": "None (the variant's) or a positive number",
                 "depth_coefficient": "None (the variant's) or a positive number",
                 "phi": "None or a compound coefficient (alpha=1.2, beta=1.1, gamma=1.15); not with the two above",
                 "drop_connect_rate": "a number in [0, 1) (stochastic depth, training only)"},
        dropout_rate=_scale.dropout, preprocessing=PREPROCESSING,
        resolution_rule=lambda opts: _coefficients(opts)[2],
        reference=Reference(
            params=KERAS_PARAMS[_variant] - 7,
            params_source=f"keras.applications.EfficientNet{_variant.upper()}(weights=None), "
                          "less its 7 Normalization statistics",
            macs=TORCHVISION_MACS.get(_variant, PAPER_MACS[_variant]),
            macs_source=(f"torchvision EfficientNet_{_variant.upper()}_Weights GFLOPS (paper Table 2: "
                         f"{PAPER_MACS[_variant] / 1e9:g}B)" if _variant in TORCHVISION_MACS
                         else "Tan & Le 2019, Table 2"),
            top1=TOP1[_variant], top1_source=f"Tan & Le 2019, Table 2: EfficientNet-{_variant.upper()} top-1 "
                                             f"{TOP1[_variant]}% (ImageNet validation, at "
                                             f"{_scale.resolution}x{_scale.resolution}; as keras.io/api/applications)",
        ),
        keras_application=f"EfficientNet{_variant.upper()}",
    ))
