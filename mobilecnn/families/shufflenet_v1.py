"""ShuffleNet V1 (Zhang et al. 2017, "ShuffleNet: An Extremely Efficient CNN for Mobile Devices", Table 1).

Stages of ShuffleNet units (pointwise group convolutions, channel shuffle,
depthwise 3x3; a stride-2 unit concatenates an average-pooled shortcut), for
g = 1, 2, 3, 4, 8 groups with the widths Table 1 gives for each, scaled by
``width_multiplier`` ("ShuffleNet s x", sec. 4.1.1). The first 1x1 of stage 2
is not grouped (sec. 3.3). Scaled widths round to a multiple of 4g, so the
bottleneck (a quarter of the width) splits into g groups; at the scales the
authors published (0.5x-2.0x, g = 3 and 8) this gives their widths exactly.
Batch norm (epsilon 1e-5) and padding as in the authors' PyTorch code; the
classifier has a bias (the authors' has none: 1,000 weights).

Export note: the graph is rank-4 throughout and XNNPACK takes all of it, but
LiteRT 2.3's WebGPU accelerator (seen on Mesa's software Vulkan) crashes
compiling grouped convolutions with more than 4 inputs per group and
per-group outputs not a multiple of 4, which most of Table 1's widths have
(g = 8: 360 = 8 x 45 channels in stage 2); g = 1, and g = 3 at 1x and 2x, compile.
"""

from __future__ import annotations

from dataclasses import dataclass

from mobilecnn.blocks.core import BatchNorm
from mobilecnn.blocks.shuffle import shufflenet_stem, shufflenet_v1_unit
from mobilecnn.builder import Network
from mobilecnn.families._conventions import TORCH
from mobilecnn.registry import ModelEntry, Reference, register
from mobilecnn.scaling import make_divisible


@dataclass(frozen=True)
class Stage:
    name: str
    repeats: int   # units; the first has stride 2


STAGES = (Stage("stage2", 4), Stage("stage3", 8), Stage("stage4", 4))  # Table 1: 1 + 3, 1 + 7, 1 + 3 units
WIDTHS = {  # Table 1: output channels of stages 2, 3, 4 at 1x, per number of groups g
    1: (144, 288, 576),
    2: (200, 400, 800),
    3: (240, 480, 960),
    4: (272, 544, 1088),
    8: (384, 768, 1536),
}
# Conv1 width per scale: 24 at 1x (Table 1). The authors' code (megvii-model/ShuffleNet-Series,
# ShuffleNetV1/network.py) uses 12 at 0.5x, keeps 24 at 1.5x and 48 at 2x: conv1 is not simply scaled.
# 0.25x is not in their code; 12 gives Table 2's 13M multiply-adds within 4% at g = 1-4 (24 x 0.25 = 6
# gives 11M). Rounded up to a multiple of g for the first unit's grouped 1x1 (the authors' g = 8, 0.5x: 16).
STEM = {0.25: 12, 0.5: 12, 1.0: 24, 1.5: 24, 2.0: 48}
# Table 1, last row: complexity (multiply-adds, 224x224) of ShuffleNet 1x per g.
COMPLEXITY = {1: 143e6, 2: 140e6, 3: 137e6, 4: 133e6, 8: 137e6}
BN = BatchNorm(epsilon=1e-5, momentum=0.9)


def widths(groups: int, width_multiplier: float) -> tuple[int, tuple[int, ...]]:
    """Conv1 width and the three stage widths for ``groups`` at scale ``width_multiplier``."""
    if isinstance(groups, bool) or groups not in WIDTHS:
        raise ValueError(f"shufflenet-v1 groups must be one of {', '.join(map(str, WIDTHS))} "
                         f"(Table 1 of the paper), got {groups!r}")
    if isinstance(width_multiplier, bool) or width_multiplier not in STEM:
        raise ValueError(f"shufflenet-v1 width_multiplier must be one of {', '.join(map(str, STEM))}, "
                         f"got {width_multiplier!r}")
    stem = make_divisible(STEM[width_multiplier], groups, min_value=groups)
    return stem, tuple(make_divisible(c * width_multiplier, 4 * groups) for c in WIDTHS[groups])


def build_shufflenet_v1(net: Network, *, groups: int = 3, width_multiplier: float = 1.0):
    stem, stage_widths = widths(groups, width_multiplier)
    inputs = net.input()
    x = net.preprocess(inputs)
    x = shufflenet_stem(x, stem, bn=BN)
    for s, (stage, out) in enumerate(zip(STAGES, stage_widths, strict=True)):
        for u in range(stage.repeats):
            x = shufflenet_v1_unit(x, out=out, groups=groups, stride=2 if u == 0 else 1, bn=BN,
                                   group_first=not (s == 0 and u == 0), prefix=f"{stage.name}_unit{u + 1}_")
    x = net.head(x, pool_name="global_pool", dropout_name="dropout")
    return net.model(inputs, x, f"shufflenet_v1_{width_multiplier:g}x_g{groups}")


def bn_statistics(groups: int, width_multiplier: float) -> int:
    """Batch-norm moving means and variances (2 per channel): weights in Keras, buffers in PyTorch."""
    stem, stage_widths = widths(groups, width_multiplier)
    channels, previous = stem, stem
    for stage, out in zip(STAGES, stage_widths, strict=True):
        mid = out // 4
        channels += (2 * mid + out - previous) + (stage.repeats - 1) * (2 * mid + out)
        previous = out
    return 2 * channels


# The authors' README (megvii-model/ShuffleNet-Series, ShuffleNetV1/README.md): 1.0x (group=3)
# 138M FLOPs, 1.9M params. Their classifier has no bias; ours has 1,000 more weights.
REFERENCE_PARAMS = 1_900_000
register(ModelEntry(
    name="shufflenet-v1",
    family="shufflenet-v1",
    builder=build_shufflenet_v1,
    resolution=224,
    paper="Zhang et al. 2017, ShuffleNet: An Extremely Efficient Convolutional Neural Network for Mobile "
          "Devices (arXiv:1707.01083)",
    options={"groups": 3, "width_multiplier": 1.0},
    allowed={"groups": ", ".join(map(str, WIDTHS)) + " (Table 1)",
             "width_multiplier": "a positive number (0.25, 0.5, 1.0, 1.5, 2.0 in the paper)"},
    preprocessing=TORCH,
    reference=Reference(
        params=REFERENCE_PARAMS + bn_statistics(3, 1.0), trainable=REFERENCE_PARAMS, params_tolerance=0.02,
        params_source="megvii-model/ShuffleNet-Series ShuffleNetV1/README.md: 1.0x (group=3) 1.9M params "
                      f"(+ {bn_statistics(3, 1.0):,} batch-norm statistics); within 2%",
        macs=COMPLEXITY[3], macs_source="Zhang et al. 2017, Table 1: complexity 137M at g = 3 (224x224)",
        top1=67.4, top1_source="Zhang et al. 2017, Table 2: ShuffleNet 1x (g = 3) classification error 32.6% "
                               "(ImageNet validation, 224x224)",
    ),
))
