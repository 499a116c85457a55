"""MobileNet V2 (Sandler et al. 2018, "MobileNetV2: Inverted Residuals and Linear Bottlenecks", Table 2).

Inverted residual blocks with linear bottlenecks. Widths scale by alpha and
round to multiples of 8; the last 1x1 convolution keeps 1280 channels for
alpha <= 1 and grows with alpha above 1 (the paper's rule, sec. 6.1). Layer
names follow keras.applications ``MobileNetV2``.
"""

from __future__ import annotations

from dataclasses import dataclass

from mobilecnn.blocks import BatchNorm, BlockNames, conv_bn, inverted_residual
from mobilecnn.builder import Network
from mobilecnn.registry import ModelEntry, Reference, register
from mobilecnn.scaling import check_positive, make_divisible


@dataclass(frozen=True)
class Bottleneck:
    expand: int   # t: expansion factor
    out: int      # c: output channels at alpha = 1
    repeats: int  # n
    stride: int   # s: stride of the first block of the stage


STEM, LAST = 32, 1280
STAGES = (  # Sandler et al. 2018, Table 2
    Bottleneck(1, 16, 1, 1),
    Bottleneck(6, 24, 2, 2),
    Bottleneck(6, 32, 3, 2),
    Bottleneck(6, 64, 4, 2),
    Bottleneck(6, 96, 3, 1),
    Bottleneck(6, 160, 3, 2),
    Bottleneck(6, 320, 1, 1),
)
BN = BatchNorm(epsilon=1e-3, momentum=0.999)
NAMES = BlockNames(expand="{p}expand", expand_bn="{p}expand_BN", expand_act="{p}expand_relu",
                   depthwise="{p}depthwise", depthwise_bn="{p}depthwise_BN",
                   depthwise_act="{p}depthwise_relu", project="{p}project",
                   project_bn="{p}project_BN", add="{p}add")


def build_mobilenet_v2(net: Network, *, width_multiplier: float = 1.0):
    alpha = check_positive("width_multiplier", width_multiplier)
    inputs = net.input()
    x = net.preprocess(inputs)
    x = conv_bn(x, make_divisible(STEM * alpha), 3, 2, act="relu6", bn=BN,
                names=("Conv1", "bn_Conv1", "Conv1_relu"))
    block_id = 0
    for stage in STAGES:
        out = make_divisible(int(stage.out * alpha))
        for j in range(stage.repeats):
            prefix = f"block_{block_id}_" if block_id else "expanded_conv_"
            x = inverted_residual(x, expanded=stage.expand * x.shape[-1], out=out, kernel=3,
                                  stride=stage.stride if j == 0 else 1, act="relu6",
                                  expand=stage.expand != 1, names=NAMES, prefix=prefix, bn=BN)
            block_id += 1
    last = make_divisible(LAST * alpha) if alpha > 1.0 else LAST
    x = conv_bn(x, last, 1, act="relu6", bn=BN, names=("Conv_1", "Conv_1_bn", "out_relu"))
    x = net.head(x, pool_name="global_average_pooling2d")
    return net.model(inputs, x, f"mobilenetv2_{alpha:0.2f}_{net.input_shape[0]}")


register(ModelEntry(
    name="mobilenet-v2",
    family="mobilenet-v2",
    builder=build_mobilenet_v2,
    resolution=224,
    paper="Sandler et al. 2018, MobileNetV2: Inverted Residuals and Linear Bottlenecks (arXiv:1801.04381)",
    options={"width_multiplier": 1.0},
    reference=Reference(
        params=3_538_984, params_source="keras.applications.MobileNetV2(weights=None), alpha=1.0",
        macs=300e6, macs_source="Sandler et al. 2018, Table 3 (300M multiply-adds, 224x224)",
        top1=72.0, top1_source="Sandler et al. 2018, Table 4: MobileNetV2 (1.0, 224) top-1 72.0% (ImageNet validation)",
    ),
    keras_application="MobileNetV2",
    keras_application_args={"width_multiplier": "alpha"},
))
