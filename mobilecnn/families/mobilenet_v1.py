"""MobileNet V1 (Howard et al. 2017, "MobileNets", Table 1).

A 3x3 stride-2 convolution, then 13 depthwise-separable blocks. The width
multiplier alpha thins every layer (``int(c * alpha)``, as keras.applications),
the resolution multiplier rho scales the input. Layer names follow
keras.applications ``MobileNet`` so its weights load layer by layer.
"""

from __future__ import annotations

from dataclasses import dataclass

from mobilecnn.blocks import BatchNorm, conv_bn, depthwise_bn
from mobilecnn.builder import Network
from mobilecnn.flavours import layers_for
from mobilecnn.registry import ModelEntry, Reference, register
from mobilecnn.scaling import check_positive, scale_width


@dataclass(frozen=True)
class Separable:
    out: int      # pointwise output channels at alpha = 1
    stride: int


STEM = 32
BLOCKS = (  # Howard et al. 2017, Table 1
    Separable(64, 1),
    Separable(128, 2), Separable(128, 1),
    Separable(256, 2), Separable(256, 1),
    Separable(512, 2), *[Separable(512, 1)] * 5,
    Separable(1024, 2), Separable(1024, 1),
)
BN = BatchNorm()


def build_mobilenet_v1(net: Network, *, width_multiplier: float = 1.0, depth_multiplier: int = 1):
    alpha = check_positive("width_multiplier", width_multiplier)
    if isinstance(depth_multiplier, bool) or not isinstance(depth_multiplier, int) or depth_multiplier < 1:
        raise ValueError(f"depth_multiplier must be a positive integer, got {depth_multiplier!r}")
    inputs = net.input()
    x = net.preprocess(inputs)
    x = conv_bn(x, scale_width(STEM, alpha, None), 3, 2, act="relu6", bn=BN,
                names=("conv1", "conv1_bn", "conv1_relu"))
    for i, block in enumerate(BLOCKS, start=1):
        x = depthwise_bn(x, 3, block.stride, act="relu6", bn=BN, depth_multiplier=depth_multiplier,
                         names=(f"conv_dw_{i}", f"conv_dw_{i}_bn", f"conv_dw_{i}_relu"))
        x = conv_bn(x, scale_width(block.out, alpha, None), 1, act="relu6", bn=BN,
                    names=(f"conv_pw_{i}", f"conv_pw_{i}_bn", f"conv_pw_{i}_relu"))
    if net.include_top:
        L = layers_for(x)
        x = L.GlobalAveragePooling2D(keepdims=True, name="global_average_pooling2d")(x)
        x = net.dropout(x, name="dropout")
        x = L.Conv2D(net.num_classes, 1, padding="same", name="conv_preds")(x)
        x = L.Reshape((net.num_classes,), name="reshape_2")(x)
        x = L.Activation(net.classifier_activation, name="predictions")(x)
    else:
        x = net.pool(x)
    res = net.input_shape[0]
    return net.model(inputs, x, f"mobilenet_{alpha:0.2f}_{res}")


register(ModelEntry(
    name="mobilenet-v1",
    family="mobilenet-v1",
    builder=build_mobilenet_v1,
    resolution=224,
    paper="Howard et al. 2017, MobileNets: Efficient CNNs for Mobile Vision Applications (arXiv:1704.04861)",
    options={"width_multiplier": 1.0, "depth_multiplier": 1},
    dropout_rate=1e-3,
    reference=Reference(
        params=4_253_864, params_source="keras.applications.MobileNet(weights=None), alpha=1.0",
        macs=569e6, macs_source="Howard et al. 2017, Table 8 (569M mult-adds, 1.0 MobileNet-224)",
        top1=70.6, top1_source="Howard et al. 2017, Table 8: 1.0 MobileNet-224 top-1 70.6% (ImageNet validation)",
    ),
    keras_application="MobileNet",
    keras_application_args={"width_multiplier": "alpha", "depth_multiplier": "depth_multiplier"},
))
