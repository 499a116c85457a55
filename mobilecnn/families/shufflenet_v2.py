"""ShuffleNet V2 (Ma et al. 2018, "ShuffleNet V2: Practical Guidelines for Efficient CNN Architecture Design", Table 5).

Stages of V2 units (channel split, one branch of 1x1 / depthwise 3x3 / 1x1,
concatenation, channel shuffle; the stride-2 unit has two branches and no
split), then a 1x1 ``conv5``, global pooling and the classifier. Widths are
the paper's per-multiplier table, not a formula. Structure, padding and
batch norm (epsilon 1e-5) follow torchvision's ``shufflenet_v2_x*``, whose
parameter counts ours equal.
"""

from __future__ import annotations

from dataclasses import dataclass

from mobilecnn.blocks.core import BatchNorm, conv_bn
from mobilecnn.blocks.shuffle import shufflenet_stem, shufflenet_v2_unit
from mobilecnn.builder import Network
from mobilecnn.families._conventions import TORCH
from mobilecnn.registry import ModelEntry, Reference, register


@dataclass(frozen=True)
class Stage:
    name: str
    repeats: int   # units; the first has stride 2


@dataclass(frozen=True)
class Widths:
    conv1: int
    stages: tuple[int, int, int]
    conv5: int


STAGES = (Stage("stage2", 4), Stage("stage3", 8), Stage("stage4", 4))  # Table 5: 1 + 3, 1 + 7, 1 + 3 units
WIDTHS = {  # Table 5: output channels per width multiplier
    0.5: Widths(24, (48, 96, 192), 1024),
    1.0: Widths(24, (116, 232, 464), 1024),
    1.5: Widths(24, (176, 352, 704), 1024),
    2.0: Widths(24, (244, 488, 976), 2048),
}
BN = BatchNorm(epsilon=1e-5, momentum=0.9)  # torchvision's BatchNorm2d (its momentum 0.1 is Keras' 0.9)


def widths(width_multiplier: float) -> Widths:
    if isinstance(width_multiplier, bool) or width_multiplier not in WIDTHS:
        raise ValueError(f"shufflenet-v2 width_multiplier must be one of {', '.join(map(str, WIDTHS))} "
                         f"(Table 5 of the paper), got {width_multiplier!r}")
    return WIDTHS[width_multiplier]


def build_shufflenet_v2(net: Network, *, width_multiplier: float = 1.0):
    w = widths(width_multiplier)
    inputs = net.input()
    x = net.preprocess(inputs)
    x = shufflenet_stem(x, w.conv1, bn=BN)
    for stage, out in zip(STAGES, w.stages, strict=True):
        for u in range(stage.repeats):
            x = shufflenet_v2_unit(x, out=out, stride=2 if u == 0 else 1, bn=BN, prefix=f"{stage.name}_unit{u + 1}_")
    x = conv_bn(x, w.conv5, 1, act="relu", bn=BN, names=("conv5", "conv5_bn", "conv5_relu"))
    x = net.head(x, pool_name="global_pool", dropout_name="dropout")
    return net.model(inputs, x, f"shufflenet_v2_{width_multiplier:g}x")


def bn_statistics(width_multiplier: float) -> int:
    """Batch-norm moving means and variances (2 per channel): weights in Keras, buffers in PyTorch."""
    w = widths(width_multiplier)
    channels, previous = w.conv1 + w.conv5, w.conv1
    for stage, out in zip(STAGES, w.stages, strict=True):
        half = out // 2
        channels += (previous + 4 * half) + (stage.repeats - 1) * 3 * half  # stride 2: both branches
        previous = out
    return 2 * channels


# torchvision ShuffleNet_V2_X*_Weights meta: num_params; Ma et al. 2018, Table 5: FLOPs (multiply-adds).
TORCHVISION_PARAMS = {0.5: 1_366_792, 1.0: 2_278_604, 1.5: 3_503_624, 2.0: 7_393_996}
PAPER_MACS = {0.5: 41e6, 1.0: 146e6, 1.5: 299e6, 2.0: 591e6}
TORCHVISION_TOP1 = {0.5: 60.552, 1.0: 69.362, 1.5: 72.996, 2.0: 76.23}  # ShuffleNet_V2_X*_Weights acc@1


def reference(width_multiplier: float) -> Reference:
    params, stats = TORCHVISION_PARAMS[width_multiplier], bn_statistics(width_multiplier)
    tv = "ShuffleNet_V2_X{}_Weights".format(f"{width_multiplier:.1f}".replace(".", "_"))
    return Reference(
        params=params + stats, trainable=params,
        params_source=f"torchvision {tv} meta: num_params {params:,} (+ {stats:,} batch-norm statistics)",
        macs=PAPER_MACS[width_multiplier],
        macs_source=f"Ma et al. 2018, Table 5: {PAPER_MACS[width_multiplier] / 1e6:g}M FLOPs at "
                    f"{width_multiplier:g}x (224x224)",
        top1=TORCHVISION_TOP1[width_multiplier],
        top1_source=f"torchvision {tv}.IMAGENET1K_V1 meta: acc@1 {TORCHVISION_TOP1[width_multiplier]} "
                    "(ImageNet-1k validation, 224x224 crop of 256)",
    )


register(ModelEntry(
    name="shufflenet-v2",
    family="shufflenet-v2",
    builder=build_shufflenet_v2,
    resolution=224,
    paper="Ma et al. 2018, ShuffleNet V2: Practical Guidelines for Efficient CNN Architecture Design "
          "(arXiv:1807.11164)",
    options={"width_multiplier": 1.0},
    allowed={"width_multiplier": ", ".join(map(str, WIDTHS)) + " (Table 5 widths)"},
    preprocessing=TORCH,
    reference=reference(1.0),
))
