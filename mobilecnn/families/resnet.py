"""ResNet, Wide ResNet, ResNeXt and SE-ResNet: one residual block, one table of variants.

ResNet-18...152 (He et al. 2015, Table 1) with the stride on the 3x3 as
torchvision's "v1.5" (``stride_in_1x1=True``: the paper's and keras.applications'
original); Wide ResNet-50-2/101-2 (Zagoruyko & Komodakis 2016, the ImageNet
bottleneck nets torchvision ships: twice the inner width); ResNeXt (Xie et al.
2017, Table 1: cardinality x base width); SE-ResNet (Hu et al. 2017, reduction
16, stride on the 1x1 as its Caffe release); SE-ResNeXt-50 (32x4d) (Hu et al. 2017, Table 2, as timm's
``seresnext50_32x4d``: stride on the 3x3). No bias on convolutions that
batch norm follows (torchvision's parameter counts); layer names follow
keras.applications ``ResNet50`` so its weights load, their biases folded into
the batch norms. The CIFAR Wide ResNets (WRN-d-k, pre-activation) are built
from the same block at the end of the module.
"""

from __future__ import annotations

from dataclasses import dataclass

from mobilecnn.blocks.classic import pool
from mobilecnn.blocks.core import BatchNorm, activation, conv_bn
from mobilecnn.blocks.residual import residual_block
from mobilecnn.builder import Network
from mobilecnn.families._conventions import CAFFE, CIFAR, TORCH
from mobilecnn.flavours import layers_for
from mobilecnn.registry import ModelEntry, Reference, register


@dataclass(frozen=True)
class Stage:
    planes: int   # width of the inner 3x3 at base width 64; a bottleneck's output is 4x
    stride: int


STAGES = (Stage(64, 1), Stage(128, 2), Stage(256, 2), Stage(512, 2))  # conv2_x ... conv5_x
DEPTHS = {  # He et al. 2015, Table 1: (bottleneck, blocks per stage)
    18: (False, (2, 2, 2, 2)),
    34: (False, (3, 4, 6, 3)),
    50: (True, (3, 4, 6, 3)),
    101: (True, (3, 4, 23, 3)),
    152: (True, (3, 8, 36, 3)),
}
BN = BatchNorm(epsilon=1.001e-5)  # keras.applications' ResNet50 value
CONV_INIT = {"class_name": "VarianceScaling",  # torchvision: kaiming_normal_(mode="fan_out")
             "config": {"scale": 2.0, "mode": "fan_out", "distribution": "untruncated_normal"}}


def _check_bool(name: str, value) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return value


STEM_POOLS = ("padded", "ceil")


def build_resnet(net: Network, *, depth: int, groups: int = 1, base_width: int = 64, se_reduction: int | None = None,
                 stride_in_1x1: bool = False, stem_pool: str = "padded"):
    """``width = planes * base_width / 64 * groups`` in each bottleneck (torchvision's rule).

    ``stem_pool``: the 3x3/2 max pool after the stem pads 1 on every side ("padded": torchvision, timm,
    keras.applications) or has no padding and rounds its output size up ("ceil": the Caffe SENet release,
    timm's ``legacy_seresnet*``); the output size is the same, the windows sit one pixel apart.
    """
    _check_bool("stride_in_1x1", stride_in_1x1)
    if stem_pool not in STEM_POOLS:
        raise ValueError(f"stem_pool must be one of {', '.join(STEM_POOLS)}, got {stem_pool!r}")
    bottleneck, blocks = DEPTHS[depth]
    L = layers_for
    inputs = net.input()
    x = net.preprocess(inputs)
    x = L(x).ZeroPadding2D(3, name="conv1_pad")(x)
    x = conv_bn(x, 64, 7, 2, padding="valid", act="relu", bn=BN, use_bias=False, kernel_initializer=CONV_INIT,
                names=("conv1_conv", "conv1_bn", "conv1_relu"))
    if stem_pool == "ceil":
        x = pool(x, "max", 3, 2, ceil_mode=True, name="pool1_pool")
    else:
        x = L(x).ZeroPadding2D(1, name="pool1_pad")(x)  # zeros pool like -inf after a ReLU
        x = L(x).MaxPooling2D(3, 2, name="pool1_pool")(x)
    for s, (stage, repeats) in enumerate(zip(STAGES, blocks, strict=True), start=2):
        out = stage.planes * (4 if bottleneck else 1)
        width = int(stage.planes * base_width / 64) * groups
        for b in range(repeats):
            x = residual_block(x, out=out, width=width, stride=stage.stride if b == 0 else 1, groups=groups,
                               bottleneck=bottleneck, stride_in_1x1=stride_in_1x1, bn=BN,
                               se_squeeze=out // se_reduction if se_reduction else None,
                               prefix=f"conv{s}_block{b + 1}_", kernel_initializer=CONV_INIT)
    x = net.head(x)
    return net.model(inputs, x, net.entry.name.replace("-", "_"))


@dataclass(frozen=True)
class Variant:
    depth: int
    family: str = "resnet"
    groups: int = 1
    base_width: int = 64
    se_reduction: int | None = None
    stride_in_1x1: bool = False   # the default of the name's ``stride_in_1x1`` option
    stem_pool: str = "padded"     # the default of its ``stem_pool`` option


VARIANTS = {
    **{f"resnet-{d}": Variant(d) for d in DEPTHS},
    "wide-resnet-50-2": Variant(50, "wide-resnet", base_width=128),
    "wide-resnet-101-2": Variant(101, "wide-resnet", base_width=128),
    "resnext-50-32x4d": Variant(50, "resnext", groups=32, base_width=4),      # Xie et al. 2017, Table 1
    "resnext-101-32x8d": Variant(101, "resnext", groups=32, base_width=8),
    **{f"se-resnet-{d}": Variant(d, "se-resnet", se_reduction=16, stride_in_1x1=True, stem_pool="ceil")
       for d in (50, 101, 152)},
    # Hu et al. 2017, Table 2, as timm's seresnext50_32x4d: ResNeXt-50's blocks, squeeze-excite to out / 16
    # (timm's SEModule: rd_ratio 1/16 rounded to a multiple of 8, the same for 256-2048), stride on the 3x3
    "se-resnext-50-32x4d": Variant(50, "se-resnet", groups=32, base_width=4, se_reduction=16),
}
PAPERS = {
    "resnet": "He et al. 2015, Deep Residual Learning for Image Recognition (arXiv:1512.03385)",
    "wide-resnet": "Zagoruyko & Komodakis 2016, Wide Residual Networks (arXiv:1605.07146)",
    "resnext": "Xie et al. 2017, Aggregated Residual Transformations for Deep Neural Networks (arXiv:1611.05431)",
    "se-resnet": "Hu et al. 2017, Squeeze-and-Excitation Networks (arXiv:1709.01507)",
}
TV = "torchvision {}_Weights meta (num_params, _ops GFLOPS = multiply-adds at 224x224)"
SE = "osmr/imgclsmob keras_/kerascv/models/seresnet.py _test (trainable); Hu et al. 2017, Table 2 (GFLOPs)"
REFERENCES = {  # name: (trainable parameters, batch-norm moving statistics, GMACs, source)
    "resnet-18": (11_689_512, 9_600, 1.814, TV.format("ResNet18")),
    "resnet-34": (21_797_672, 17_024, 3.664, TV.format("ResNet34")),
    "resnet-50": (25_557_032, 53_120, 4.089, TV.format("ResNet50")),
    "resnet-101": (44_549_160, 105_344, 7.801, TV.format("ResNet101")),
    "resnet-152": (60_192_808, 151_424, 11.514, TV.format("ResNet152")),
    "wide-resnet-50-2": (68_883_240, 68_224, 11.398, TV.format("Wide_ResNet50_2")),
    "wide-resnet-101-2": (126_886_696, 137_856, 22.753, TV.format("Wide_ResNet101_2")),
    "resnext-50-32x4d": (25_028_904, 68_224, 4.23, TV.format("ResNeXt50_32X4D")),
    "resnext-101-32x8d": (88_791_336, 202_880, 16.414, TV.format("ResNeXt101_32X8D")),
    "se-resnet-50": (28_088_024, 53_120, 3.87, SE),    # Hu et al.: "~28.1M"
    "se-resnet-101": (49_326_872, 105_344, 7.60, SE),
    "se-resnet-152": (66_821_848, 151_424, 11.32, SE),
    "se-resnext-50-32x4d": (27_559_896, 68_224, 4.233, "timm 1.0.31 seresnext50_32x4d (default tag racm_in1k): "
                            "sum of parameters, Conv2d + Linear MACs at 224x224 (4,232,994,816)"),
}
TOP1 = {  # published top-1 (%) of the reference weights
    "resnet-18": (69.758, "torchvision ResNet18_Weights.IMAGENET1K_V1 meta: acc@1 69.758 (ImageNet-1k "
                          "validation, 224x224 crop of 256)"),
    "resnet-34": (73.314, "torchvision ResNet34_Weights.IMAGENET1K_V1 meta: acc@1 73.314 (ImageNet-1k "
                          "validation, 224x224 crop of 256)"),
    "resnet-50": (76.13, "torchvision ResNet50_Weights.IMAGENET1K_V1 meta: acc@1 76.13 (ImageNet-1k "
                         "validation, 224x224 crop of 256)"),
    "resnet-101": (77.374, "torchvision ResNet101_Weights.IMAGENET1K_V1 meta: acc@1 77.374 (ImageNet-1k "
                           "validation, 224x224 crop of 256)"),
    "resnet-152": (78.312, "torchvision ResNet152_Weights.IMAGENET1K_V1 meta: acc@1 78.312 (ImageNet-1k "
                           "validation, 224x224 crop of 256)"),
    "wide-resnet-50-2": (78.468, "torchvision Wide_ResNet50_2_Weights.IMAGENET1K_V1 meta: acc@1 78.468 "
                                 "(ImageNet-1k validation, 224x224 crop of 256)"),
    "wide-resnet-101-2": (78.848, "torchvision Wide_ResNet101_2_Weights.IMAGENET1K_V1 meta: acc@1 78.848 "
                                  "(ImageNet-1k validation, 224x224 crop of 256)"),
    "resnext-50-32x4d": (77.618, "torchvision ResNeXt50_32X4D_Weights.IMAGENET1K_V1 meta: acc@1 77.618 "
                                 "(ImageNet-1k validation, 224x224 crop of 256)"),
    "resnext-101-32x8d": (79.312, "torchvision ResNeXt101_32X8D_Weights.IMAGENET1K_V1 meta: acc@1 79.312 "
                                  "(ImageNet-1k validation, 224x224 crop of 256)"),
    "se-resnet-50": (76.71, "Hu et al. 2017, Table 2: SE-ResNet-50 single-crop top-1 error 23.29% (ImageNet "
                            "validation, 224x224)"),
    "se-resnet-101": (77.62, "Hu et al. 2017, Table 2: SE-ResNet-101 single-crop top-1 error 22.38% (ImageNet "
                             "validation, 224x224)"),
    "se-resnet-152": (78.43, "Hu et al. 2017, Table 2: SE-ResNet-152 single-crop top-1 error 21.57% (ImageNet "
                             "validation, 224x224)"),
    "se-resnext-50-32x4d": (82.196, "timm results/results-imagenet.csv: seresnext50_32x4d.racm_in1k top-1 82.196, "
                                    "ImageNet validation at 288x288 (crop 0.95), timm's test size for the tag"),
}
# The moving statistics are 2 per batch-norm channel; keras.applications ResNet50/101/152(weights=None) report
# the same 53,120 / 105,344 / 151,424 non-trainable weights.
KERAS = {"resnet-50": "ResNet50", "resnet-101": "ResNet101", "resnet-152": "ResNet152"}

for _name, _v in VARIANTS.items():
    _trainable, _stats, _gmacs, _source = REFERENCES[_name]
    register(ModelEntry(
        name=_name, family=_v.family, builder=build_resnet, resolution=224, paper=PAPERS[_v.family],
        fixed={"depth": _v.depth, "groups": _v.groups, "base_width": _v.base_width, "se_reduction": _v.se_reduction},
        options={"stride_in_1x1": _v.stride_in_1x1, "stem_pool": _v.stem_pool},
        allowed={"stem_pool": "'padded' or 'ceil'"},
        preprocessing=CAFFE if _v.family == "resnet" else TORCH,
        reference=Reference(params=_trainable + _stats, trainable=_trainable, macs=_gmacs * 1e9, macs_source=_source,
                            params_source=f"{_source}: {_trainable:,} trainable, + {_stats:,} batch-norm statistics",
                            top1=TOP1.get(_name, (None, ""))[0], top1_source=TOP1.get(_name, (None, ""))[1]),
        keras_application=KERAS.get(_name),
        keras_application_options={"stride_in_1x1": True} if _name in KERAS else {},
        keras_application_bgr=_name in KERAS,
    ))


# CIFAR Wide ResNets: WRN-d-k, Zagoruyko & Komodakis 2016, Table 1 (widths 16k, 32k, 64k; (d - 4) / 6 blocks a group).
CIFAR_STAGES = (Stage(16, 1), Stage(32, 2), Stage(64, 2))


def build_wide_resnet_cifar(net: Network, *, depth: int, widen_factor: int, block_dropout: float = 0.0):
    """Pre-activation basic blocks; ``block_dropout`` between the two 3x3s (the paper tries 0.3)."""
    if (depth - 4) % 6 or depth < 10:
        raise ValueError(f"a CIFAR Wide ResNet has depth 6n + 4 (10, 16, 22, 28, 40, ...), got {depth}")
    if isinstance(block_dropout, bool) or not 0 <= block_dropout < 1:
        raise ValueError(f"block_dropout must be a number in [0, 1), got {block_dropout!r}")
    L = layers_for
    inputs = net.input()
    x = net.preprocess(inputs)
    x = conv_bn(x, 16, 3, act=None, bn=None, use_bias=False, kernel_initializer=CONV_INIT,
                names=("conv1_conv", None, None))
    for s, stage in enumerate(CIFAR_STAGES, start=2):
        for b in range((depth - 4) // 6):
            x = residual_block(x, out=stage.planes * widen_factor, width=stage.planes * widen_factor,
                               stride=stage.stride if b == 0 else 1, bottleneck=False, preact=True, bn=BN,
                               dropout=block_dropout, prefix=f"conv{s}_block{b + 1}_", kernel_initializer=CONV_INIT)
    x = L(x).BatchNormalization(epsilon=BN.epsilon, momentum=BN.momentum, name="post_bn")(x)
    x = activation(x, "relu", "post_relu")
    x = net.head(x)
    return net.model(inputs, x, net.entry.name.replace("-", "_"))


# osmr/imgclsmob wrn_cifar.py _test: wrn28_10_cifar10 has 36,479,194 trainable parameters at 10 classes (the
# paper's "36.5M", Table 1), our default. Its 8,976 batch-norm channels
# (16 + 160 + 3 * 320 | 160 + 320 + 3 * 640 | 320 + 640 + 3 * 1280 | 640) hold 17,952 moving statistics.
WRN_28_10 = {"trainable": 36_479_194, "non_trainable": 17_952}
register(ModelEntry(
    name="wide-resnet-28-10", family="wide-resnet-cifar", builder=build_wide_resnet_cifar, resolution=32,
    paper=PAPERS["wide-resnet"], fixed={"depth": 28, "widen_factor": 10}, options={"block_dropout": 0.0},
    min_resolution=4, preprocessing=CIFAR, num_classes=10, labels="cifar-10",
    reference=Reference(params=WRN_28_10["trainable"] + WRN_28_10["non_trainable"], trainable=WRN_28_10["trainable"],
                        params_source="osmr/imgclsmob wrn28_10_cifar10: 36,479,194 trainable at 10 classes "
                                      "(Zagoruyko & Komodakis 2016, Table 1: 36.5M), "
                                      "+ 17,952 batch-norm statistics",
                        top1=96.0, top1_source="Zagoruyko & Komodakis 2016, Table 4: WRN-28-10 test error 4.00% on "
                                               "CIFAR-10 (standard augmentation, no dropout)"),
))
