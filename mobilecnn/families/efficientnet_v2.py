"""EfficientNetV2 B0-B3, S, M, L (Tan & Le 2021, "EfficientNetV2: Smaller Models and Faster Training").

Fused-MBConv stages (:mod:`mobilecnn.blocks.fused`) at high resolution, then MBConv stages with
squeeze-excite; swish throughout, 3x3 kernels. Block tables, scaling and layer names follow
keras.applications ``EfficientNetV2B0``...``EfficientNetV2L`` (Keras 3.15), so its weights transfer layer by
layer: widths round to multiples of 8 without MobileNet's 10% round-up (keras' ``round_filters``), batch norm
has Keras' epsilon 1e-3 and keras.applications' momentum 0.9. Preprocessing is one weightless ``Rescaling``:
ImageNet mean/std for B0-B3 (keras.applications' Rescaling + Normalization), [-1, 1] for S, M, L.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mobilecnn.blocks import BatchNorm, BlockNames, conv_bn, inverted_residual
from mobilecnn.blocks.fused import fused_mbconv
from mobilecnn.builder import Network
from mobilecnn.families._conventions import TORCH
from mobilecnn.families.efficientnet import CONV_INIT, DENSE_INIT
from mobilecnn.registry import ModelEntry, Preprocessing, Reference, register
from mobilecnn.scaling import CompoundScale, check_drop_rate, make_divisible, round_repeats, scale_coefficients


@dataclass(frozen=True)
class Stage:
    fused: bool    # Fused-MBConv (regular k x k convolution) or MBConv (1x1 + depthwise)
    repeats: int
    stride: int    # of the stage's first block
    expand: int
    out: int
    se: float = 0.0
    kernel: int = 3


F, M = True, False
# Tan & Le 2021, Table 4 (V2-S); M and L from the authors' effnetv2_configs.py (as keras.applications'
# DEFAULT_BLOCKS_ARGS); B0 is the "EfficientNetV2-base" those configs scale into B0-B3.
BASE = (
    Stage(F, 1, 1, 1, 16), Stage(F, 2, 2, 4, 32), Stage(F, 2, 2, 4, 48),
    Stage(M, 3, 2, 4, 96, 0.25), Stage(M, 5, 1, 6, 112, 0.25), Stage(M, 8, 2, 6, 192, 0.25),
)
SMALL = (
    Stage(F, 2, 1, 1, 24), Stage(F, 4, 2, 4, 48), Stage(F, 4, 2, 4, 64),
    Stage(M, 6, 2, 4, 128, 0.25), Stage(M, 9, 1, 6, 160, 0.25), Stage(M, 15, 2, 6, 256, 0.25),
)
MEDIUM = (
    Stage(F, 3, 1, 1, 24), Stage(F, 5, 2, 4, 48), Stage(F, 5, 2, 4, 80),
    Stage(M, 7, 2, 4, 160, 0.25), Stage(M, 14, 1, 6, 176, 0.25), Stage(M, 18, 2, 6, 304, 0.25),
    Stage(M, 5, 1, 6, 512, 0.25),
)
LARGE = (
    Stage(F, 4, 1, 1, 32), Stage(F, 7, 2, 4, 64), Stage(F, 7, 2, 4, 96),
    Stage(M, 10, 2, 4, 192, 0.25), Stage(M, 19, 1, 6, 224, 0.25), Stage(M, 25, 2, 6, 384, 0.25),
    Stage(M, 7, 1, 6, 640, 0.25),
)
# variant: (block table, stem channels, scale); keras.applications' default sizes, dropout 0.2 for all.
VARIANTS: dict[str, tuple[tuple[Stage, ...], int, CompoundScale]] = {
    "b0": (BASE, 32, CompoundScale(1.0, 1.0, 224, 0.2)),
    "b1": (BASE, 32, CompoundScale(1.0, 1.1, 240, 0.2)),
    "b2": (BASE, 32, CompoundScale(1.1, 1.2, 260, 0.2)),
    "b3": (BASE, 32, CompoundScale(1.2, 1.4, 300, 0.2)),
    "s": (SMALL, 24, CompoundScale(1.0, 1.0, 384, 0.2)),
    "m": (MEDIUM, 24, CompoundScale(1.0, 1.0, 480, 0.2)),
    "l": (LARGE, 32, CompoundScale(1.0, 1.0, 480, 0.2)),
}
TOP = 1280
BN = BatchNorm(epsilon=1e-3, momentum=0.9)
NAMES = BlockNames(
    expand="{p}expand_conv", expand_bn="{p}expand_bn", expand_act="{p}expand_activation",
    depthwise="{p}dwconv2", depthwise_bn="{p}bn", depthwise_act="{p}activation",
    se={"pool": "{p}se_squeeze", "reduce": "{p}se_reduce", "reduce_act": "{p}se_reduce_activation",
        "expand": "{p}se_expand", "gate": "{p}se_expand_activation", "excite": "{p}se_excite"},
    project="{p}project_conv", project_bn="{p}project_bn", project_act="{p}project_activation",
    drop="{p}drop", add="{p}add")


def _coefficients(options: Mapping[str, Any]) -> tuple[float, float]:
    return scale_coefficients(VARIANTS[options["variant"]][2], options.get("width_coefficient"),
                              options.get("depth_coefficient"))


def build_efficientnet_v2(net: Network, *, variant: str, width_coefficient: float | None = None,
                          depth_coefficient: float | None = None, drop_connect_rate: float = 0.2):
    width, depth = _coefficients({"variant": variant, "width_coefficient": width_coefficient,
                                  "depth_coefficient": depth_coefficient})
    check_drop_rate("drop_connect_rate", drop_connect_rate)
    table, stem, _ = VARIANTS[variant]

    def filters(c: int) -> int:  # keras.applications' round_filters: nearest multiple of 8, no 10% rule
        return make_divisible(c * width, 8, round_limit=0.0)

    inputs = net.input()
    x = net.preprocess(inputs)
    x = conv_bn(x, filters(stem), 3, 2, act="swish", bn=BN, kernel_initializer=CONV_INIT,
                names=("stem_conv", "stem_bn", "stem_activation"))
    # Stochastic depth grows linearly to drop_connect_rate over the blocks built (keras.applications divides
    # by the unscaled block count instead; dropout holds no weights, so the layouts agree either way).
    total = sum(round_repeats(s.repeats, depth) for s in table)
    b = 0
    for i, stage in enumerate(table):
        block = fused_mbconv if stage.fused else inverted_residual
        for j in range(round_repeats(stage.repeats, depth)):
            block_in = x.shape[-1]
            extra = {} if stage.fused else {"expand": stage.expand != 1, "se_act": "swish", "se_gate": "sigmoid"}
            x = block(x, expanded=block_in * stage.expand, out=filters(stage.out), kernel=stage.kernel,
                      stride=stage.stride if j == 0 else 1, act="swish",
                      se_squeeze=max(1, int(block_in * stage.se)) if stage.se else None,
                      names=NAMES, prefix=f"block{i + 1}{chr(j + 97)}_", bn=BN,
                      drop_rate=drop_connect_rate * b / total, kernel_initializer=CONV_INIT, **extra)
            b += 1
    x = conv_bn(x, filters(TOP), 1, act="swish", bn=BN, kernel_initializer=CONV_INIT,
                names=("top_conv", "top_bn", "top_activation"))
    x = net.head(x, kernel_initializer=DENSE_INIT)
    return net.model(inputs, x, f"efficientnetv2-{variant}")


PAPER = "Tan & Le 2021, EfficientNetV2: Smaller Models and Faster Training (arXiv:2104.00298)"
SIGNED_128 = Preprocessing(scale=1.0 / 128.0, offset=-1.0,
                           description="pixels in [0, 255] RGB, scaled by 1/128 less 1 (keras.applications)")
# keras.applications EfficientNetV2*(weights=None) in Keras 3.15.1: (total, trainable) parameters; its
# preprocessing layers hold no weights (Normalization takes mean and variance as arguments).
KERAS_PARAMS = {"b0": (7_200_312, 7_139_704), "b1": (8_212_124, 8_141_052), "b2": (10_178_374, 10_096_086),
                "b3": (14_467_622, 14_358_406), "s": (21_612_360, 21_458_488), "m": (54_431_388, 54_139_356),
                "l": (119_027_848, 118_515_272)}
# Multiply-adds at the default size: B0-B3 from the authors' README (google/automl, efficientnetv2/README.md,
# "FLOPs"); S, M, L from torchvision 0.28's EfficientNet_V2_*_Weights "_ops" (GFLOPS, counted as multiply-adds
# at 384/480/480; the paper's Table 7 gives 8.8B, 24B, 53B).
MACS = {"b0": (0.72e9, "google/automl efficientnetv2 README (0.72B FLOPs, 224x224)"),
        "b1": (1.2e9, "google/automl efficientnetv2 README (1.2B FLOPs, 240x240)"),
        "b2": (1.7e9, "google/automl efficientnetv2 README (1.7B FLOPs, 260x260)"),
        "b3": (3.0e9, "google/automl efficientnetv2 README (3.0B FLOPs, 300x300)"),
        "s": (8.366e9, "torchvision 0.28 EfficientNet_V2_S_Weights _ops (8.366 GFLOPS, 384x384)"),
        "m": (24.582e9, "torchvision 0.28 EfficientNet_V2_M_Weights _ops (24.582 GFLOPS, 480x480)"),
        "l": (56.08e9, "torchvision 0.28 EfficientNet_V2_L_Weights _ops (56.08 GFLOPS, 480x480)")}
# keras.io/api/applications table (top-1 of keras.applications' ImageNet weights, at the default size).
TOP1 = {"b0": 78.7, "b1": 79.8, "b2": 80.5, "b3": 82.0, "s": 83.9, "m": 85.3, "l": 85.7}

for _variant, (_table, _stem, _scale) in VARIANTS.items():
    _keras = f"EfficientNetV2{_variant.upper()}"
    register(ModelEntry(
        name=f"efficientnet-v2-{_variant}", family="efficientnet-v2", builder=build_efficientnet_v2,
        resolution=_scale.resolution, paper=PAPER, fixed={"variant": _variant},
        options={"width_coefficient": None, "depth_coefficient": None, "drop_connect_rate": 0.2},
        allowed={"width_coefficient": "None (the variant's) or a positive number",
                 "depth_coefficient": "None (the variant's) or a positive number",
                 "drop_connect_rate": "a number in [0, 1) (stochastic depth, training only)"},
        dropout_rate=_scale.dropout,
        preprocessing=TORCH if _variant.startswith("b") else SIGNED_128,
        reference=Reference(
            params=KERAS_PARAMS[_variant][0], trainable=KERAS_PARAMS[_variant][1],
            params_source=f"keras.applications.{_keras}(weights=None), Keras 3.15.1",
            macs=MACS[_variant][0], macs_source=MACS[_variant][1],
            top1=TOP1[_variant], top1_source=f"keras.io/api/applications ({_keras}, ImageNet, "
                                             f"{_scale.resolution}x{_scale.resolution})",
        ),
        keras_application=_keras,
        keras_application_options={"width_coefficient": None, "depth_coefficient": None},
    ))
