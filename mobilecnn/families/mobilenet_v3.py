"""MobileNet V3 Small and Large (Howard et al. 2019, "Searching for MobileNetV3", Tables 1 and 2).

Inverted residuals with optional squeeze-excite (hard-sigmoid gate) and
hard-swish in the later stages; the minimalistic variants use 3x3 kernels,
ReLU everywhere and no squeeze-excite. Expansion ratios and layer names follow
keras.applications ``MobileNetV3Small``/``MobileNetV3Large``.
"""

from __future__ import annotations

from dataclasses import dataclass

from mobilecnn.blocks import BatchNorm, BlockNames, activation, conv_bn, inverted_residual
from mobilecnn.builder import Network
from mobilecnn.flavours import layers_for
from mobilecnn.registry import ModelEntry, Reference, register
from mobilecnn.scaling import check_positive, make_divisible


@dataclass(frozen=True)
class Bneck:
    expand: float  # expansion ratio (paper's "exp size" / input channels)
    out: int
    kernel: int    # 5 becomes 3 in the minimalistic variant
    stride: int
    se: bool
    act: str       # "relu" or "hard_swish" ("hard_swish" becomes relu when minimalistic)


HS, RE = "hard_swish", "relu"
# Howard et al. 2019, Table 1 (exp sizes 16, 64, 72, 72, 120, 120, 240, 200, 184, 184, 480, 672, 672, 960, 960)
LARGE = (
    Bneck(1, 16, 3, 1, False, RE), Bneck(4, 24, 3, 2, False, RE), Bneck(3, 24, 3, 1, False, RE),
    Bneck(3, 40, 5, 2, True, RE), Bneck(3, 40, 5, 1, True, RE), Bneck(3, 40, 5, 1, True, RE),
    Bneck(6, 80, 3, 2, False, HS), Bneck(2.5, 80, 3, 1, False, HS), Bneck(2.3, 80, 3, 1, False, HS),
    Bneck(2.3, 80, 3, 1, False, HS), Bneck(6, 112, 3, 1, True, HS), Bneck(6, 112, 3, 1, True, HS),
    Bneck(6, 160, 5, 2, True, HS), Bneck(6, 160, 5, 1, True, HS), Bneck(6, 160, 5, 1, True, HS),
)
SMALL = (  # Howard et al. 2019, Table 2 (exp sizes 16, 72, 88, 96, 240, 240, 120, 144, 288, 576, 576)
    Bneck(1, 16, 3, 2, True, RE), Bneck(72 / 16, 24, 3, 2, False, RE), Bneck(88 / 24, 24, 3, 1, False, RE),
    Bneck(4, 40, 5, 2, True, HS), Bneck(6, 40, 5, 1, True, HS), Bneck(6, 40, 5, 1, True, HS),
    Bneck(3, 48, 5, 1, True, HS), Bneck(3, 48, 5, 1, True, HS), Bneck(6, 96, 5, 2, True, HS),
    Bneck(6, 96, 5, 1, True, HS), Bneck(6, 96, 5, 1, True, HS),
)
VARIANTS = {"small": (SMALL, 1024), "large": (LARGE, 1280)}  # block table, last point-wise channels
STEM, SE_RATIO = 16, 0.25
BN = BatchNorm(epsilon=1e-3, momentum=0.999)
NAMES = BlockNames(
    expand="{p}expand", expand_bn="{p}expand_bn", expand_act="{p}expand_activation",
    depthwise="{p}depthwise", depthwise_bn="{p}depthwise_bn", depthwise_act="{p}depthwise_activation",
    se={"pool": "{p}squeeze_excite_avg_pool", "reduce": "{p}squeeze_excite_conv",
        "reduce_act": "{p}squeeze_excite_relu", "expand": "{p}squeeze_excite_conv_1",
        "gate": "{p}squeeze_excite_hard_sigmoid", "excite": "{p}squeeze_excite_mul"},
    project="{p}project", project_bn="{p}project_bn", add="{p}add")


def build_mobilenet_v3(net: Network, *, variant: str, width_multiplier: float = 1.0,
                       minimalistic: bool = False, decompose_hard_swish: bool = False):
    """``decompose_hard_swish`` writes hard-swish as ADD/RELU6/MUL layers (int8 and QAT form)."""
    alpha = check_positive("width_multiplier", width_multiplier)
    table, last_point = VARIANTS[variant]

    def act_of(kind: str) -> str:
        if minimalistic:
            return RE
        return "hard_swish_decomposed" if kind == HS and decompose_hard_swish else kind

    inputs = net.input()
    x = net.preprocess(inputs)
    x = conv_bn(x, STEM, 3, 2, act=act_of(HS), bn=BN, names=("conv", "conv_bn", "conv_activation"))
    for i, row in enumerate(table):
        prefix = f"expanded_conv_{i}_" if i else "expanded_conv_"
        expanded = make_divisible(x.shape[-1] * row.expand)
        x = inverted_residual(
            x, expanded=expanded, out=make_divisible(row.out * alpha),
            kernel=3 if minimalistic else row.kernel, stride=row.stride, act=act_of(row.act),
            expand=i > 0, names=NAMES, prefix=prefix, bn=BN,
            se_squeeze=make_divisible(expanded * SE_RATIO) if row.se and not minimalistic else None,
            se_act="relu", se_gate="hard_sigmoid",
        )
    x = conv_bn(x, make_divisible(x.shape[-1] * 6), 1, act=act_of(HS), bn=BN,
                names=("conv_1", "conv_1_bn", "conv_1_activation"))
    if net.include_top:
        L = layers_for(x)
        last_point = make_divisible(last_point * alpha) if alpha > 1.0 else last_point
        x = L.GlobalAveragePooling2D(keepdims=True, name="global_average_pooling2d")(x)
        x = L.Conv2D(last_point, 1, padding="same", use_bias=True, name="conv_2")(x)
        x = activation(x, act_of(HS), "conv_2_activation")
        x = net.dropout(x, name="dropout")
        x = L.Conv2D(net.num_classes, 1, padding="same", name="logits")(x)
        x = L.Flatten(name="flatten")(x)
        x = L.Activation(net.classifier_activation, name="predictions")(x)
    else:
        x = net.pool(x)
    return net.model(inputs, x, f"MobileNetV3{variant.capitalize()}")


PAPER = "Howard et al. 2019, Searching for MobileNetV3 (arXiv:1905.02244)"
OPTIONS = {"width_multiplier": 1.0, "minimalistic": False, "decompose_hard_swish": False}
register(ModelEntry(
    name="mobilenet-v3-small", family="mobilenet-v3", builder=build_mobilenet_v3, resolution=224,
    paper=PAPER, fixed={"variant": "small"}, options=OPTIONS, dropout_rate=0.2,
    reference=Reference(
        params=2_554_968, params_source="keras.applications.MobileNetV3Small(weights=None)",
        macs=56e6, macs_source="Howard et al. 2019, Table 4 (MobileNetV3-Small 1.0: 56M MAdds)",
        top1=67.4, top1_source="Howard et al. 2019, Table 3: MobileNetV3-Small 1.0 top-1 67.4% (ImageNet, 224x224)",
    ),
    keras_application="MobileNetV3Small",
    keras_application_args={"width_multiplier": "alpha", "minimalistic": "minimalistic"},
))
register(ModelEntry(
    name="mobilenet-v3-large", family="mobilenet-v3", builder=build_mobilenet_v3, resolution=224,
    paper=PAPER, fixed={"variant": "large"}, options=OPTIONS, dropout_rate=0.2,
    reference=Reference(
        params=5_507_432, params_source="keras.applications.MobileNetV3Large(weights=None)",
        macs=217e6, macs_source="Howard et al. 2019, Table 3 (MobileNetV3-Large 1.0: 217M MAdds)",
        top1=75.2, top1_source="Howard et al. 2019, Table 3: MobileNetV3-Large 1.0 top-1 75.2% (ImageNet, 224x224)",
    ),
    keras_application="MobileNetV3Large",
    keras_application_args={"width_multiplier": "alpha", "minimalistic": "minimalistic"},
))
