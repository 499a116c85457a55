"""EfficientNet-Lite0-4 (the TensorFlow TPU repository's ``efficientnet/lite``, after Tan & Le 2019).

EfficientNet made for mobile CPUs, GPUs and int8 accelerators: no squeeze-excite, ReLU6 instead of swish, and
the stem (32 channels), the head (1280 channels) and the first and last stages' repeats are not scaled
(``fix_head_stem``) while the rest scales by width and depth. We build the TensorFlow graph (TF "same"
padding, batch-norm epsilon 1e-3), whose parameter counts equal timm's ``tf_efficientnet_lite*`` (and
``efficientnet_lite*``, the symmetric-padding port: same weights, other padding), at the TF repository's
resolutions 224/240/260/280/300 (timm evaluates lite3 and lite4 at 300 and 380). Layer names follow our
EfficientNet (keras.applications').
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from mobilecnn.blocks import BatchNorm, conv_bn, inverted_residual
from mobilecnn.builder import Network
from mobilecnn.families.efficientnet import CONV_INIT, DENSE_INIT, NAMES
from mobilecnn.families.efficientnet import STAGES as B0_STAGES
from mobilecnn.registry import ModelEntry, Preprocessing, Reference, register
from mobilecnn.scaling import CompoundScale, check_drop_rate, make_divisible, round_repeats, scale_coefficients

STEM, TOP = 32, 1280                                  # fixed: not scaled
STAGES = tuple(replace(s, se=0.0) for s in B0_STAGES)  # Tan & Le 2019, Table 1, without squeeze-excite
# efficientnet_lite_builder.efficientnet_lite_params: (width, depth, resolution, dropout)
VARIANTS = {
    "lite0": CompoundScale(1.0, 1.0, 224, 0.2),
    "lite1": CompoundScale(1.0, 1.1, 240, 0.2),
    "lite2": CompoundScale(1.1, 1.2, 260, 0.3),
    "lite3": CompoundScale(1.2, 1.4, 280, 0.3),
    "lite4": CompoundScale(1.4, 1.8, 300, 0.3),
}
BN = BatchNorm(epsilon=1e-3, momentum=0.99)


def _coefficients(options: Mapping[str, Any]) -> tuple[float, float]:
    return scale_coefficients(VARIANTS[options["variant"]], options.get("width_coefficient"),
                              options.get("depth_coefficient"))


def build_efficientnet_lite(net: Network, *, variant: str, width_coefficient: float | None = None,
                            depth_coefficient: float | None = None, drop_connect_rate: float = 0.2):
    width, depth = _coefficients({"variant": variant, "width_coefficient": width_coefficient,
                                  "depth_coefficient": depth_coefficient})
    check_drop_rate("drop_connect_rate", drop_connect_rate)

    def repeats(i: int) -> int:  # fix_head_stem: the first and last stages keep their repeats
        fixed = i in (0, len(STAGES) - 1)
        return STAGES[i].repeats if fixed else round_repeats(STAGES[i].repeats, depth)

    inputs = net.input()
    x = net.preprocess(inputs)
    x = conv_bn(x, STEM, 3, 2, act="relu6", bn=BN, kernel_initializer=CONV_INIT,
                names=("stem_conv", "stem_bn", "stem_activation"))
    total = sum(repeats(i) for i in range(len(STAGES)))
    b = 0
    for i, stage in enumerate(STAGES):
        for j in range(repeats(i)):
            x = inverted_residual(
                x, expanded=x.shape[-1] * stage.expand, out=make_divisible(stage.out * width),
                kernel=stage.kernel, stride=stage.stride if j == 0 else 1, act="relu6",
                expand=stage.expand != 1, names=NAMES, prefix=f"block{i + 1}{chr(j + 97)}_", bn=BN,
                drop_rate=drop_connect_rate * b / total, kernel_initializer=CONV_INIT)
            b += 1
    x = conv_bn(x, TOP, 1, act="relu6", bn=BN, kernel_initializer=CONV_INIT,
                names=("top_conv", "top_bn", "top_activation"))
    x = net.head(x, kernel_initializer=DENSE_INIT)
    return net.model(inputs, x, f"efficientnet-{variant}")


PAPER = ("Tan & Le 2019, EfficientNet (arXiv:1905.11946); EfficientNet-Lite: tensorflow/tpu "
         "models/official/efficientnet/lite (2020)")
PREPROCESSING = Preprocessing(scale=1.0 / 128.0, offset=-127.0 / 128.0,
                              description="pixels in [0, 255] RGB, (x - 127) / 128 (efficientnet_lite_builder)")
# timm 1.0.31 tf_efficientnet_lite*: parameters (all trainable); Keras adds the batch-norm moving statistics.
TIMM_PARAMS = {"lite0": (4_652_008, 42_016), "lite1": (5_416_680, 53_664), "lite2": (6_092_072, 58_096),
               "lite3": (8_197_096, 76_672), "lite4": (13_006_568, 112_368)}
# tensorflow/tpu efficientnet/lite/README.md: FP32 top-1 (ImageNet, at the resolutions above).
TOP1 = {"lite0": 75.1, "lite1": 76.7, "lite2": 77.6, "lite3": 79.8, "lite4": 81.5}
# timm 1.0.31 tf_efficientnet_lite*: convolution and dense multiply-adds at timm's default size (resolution,
# MACs). For lite0-2 that is our size too and the registry cites it; timm counts lite3/lite4 at 300/380, not at
# the TF sizes 280/300, so their entries cite no MACs (tests/test_efficientnet_lite.py checks the graph at
# timm's sizes). The README's MAdds (407M, 631M, 899M, 1.44B, 2.64B) are 3-6% above the convolutions and dense
# layer of the network it defines (lite0: 385M): they count more than multiply-adds.
TIMM_MACS = {"lite0": (224, 385_187_552), "lite1": (240, 600_185_232), "lite2": (260, 859_736_272),
             "lite3": (300, 1_607_554_544), "lite4": (380, 3_943_564_112)}


def _macs(variant: str) -> tuple[float | None, str]:
    res, macs = TIMM_MACS[variant]
    if res == VARIANTS[variant].resolution:
        return float(macs), f"timm 1.0.31 tf_efficientnet_{variant} (Conv2d + Linear multiply-adds, {res}x{res})"
    return None, (f"none at {VARIANTS[variant].resolution}x{VARIANTS[variant].resolution}: timm 1.0.31 counts "
                  f"{macs:,} at its {res}x{res}")


for _variant, _scale in VARIANTS.items():
    _params, _stats = TIMM_PARAMS[_variant]
    register(ModelEntry(
        name=f"efficientnet-{_variant}", family="efficientnet-lite", builder=build_efficientnet_lite,
        resolution=_scale.resolution, paper=PAPER, fixed={"variant": _variant},
        options={"width_coefficient": None, "depth_coefficient": None, "drop_connect_rate": 0.2},
        allowed={"width_coefficient": "None (the variant's) or a positive number (stem and head stay fixed)",
                 "depth_coefficient": "None (the variant's) or a positive number (first and last stage fixed)",
                 "drop_connect_rate": "a number in [0, 1) (stochastic depth, training only)"},
        dropout_rate=_scale.dropout, preprocessing=PREPROCESSING,
        reference=Reference(
            params=_params + _stats, trainable=_params,
            params_source=f"timm 1.0.31 tf_efficientnet_{_variant} ({_params:,} parameters + {_stats:,} batch-norm "
                          "running statistics)",
            macs=_macs(_variant)[0], macs_source=_macs(_variant)[1],
            top1=TOP1[_variant],
            top1_source=f"tensorflow/tpu efficientnet/lite README (FP32, ImageNet, "
                        f"{_scale.resolution}x{_scale.resolution})",
        ),
    ))
