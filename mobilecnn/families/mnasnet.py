"""MnasNet (Tan et al. 2018, "MnasNet: Platform-Aware Neural Architecture Search for Mobile"), as torchvision.

torchvision's ``mnasnet0_5``/``0_75``/``1_0``/``1_3`` build MnasNet-B1 (no squeeze-excite, ReLU): a 3x3
stem, a depthwise-separable layer without skip, six stacks of inverted residuals, a 1x1 convolution to 1280.
Its "version 2" scales the stem and the separable layer with the rest (``_get_depths``: every width times
alpha, rounded to a multiple of 8 with round-up bias 0.9, i.e. never 10% below); the expansions are input
widths times the stage's factor, unrounded, and the 1280-channel head is fixed. Batch norm as torchvision's
(epsilon 1e-5, PyTorch momentum 0.0003, i.e. Keras 0.9997). Padding is TensorFlow "same", as the zoo's:
torchvision pads stride-2 layers symmetrically, so its checkpoints need that convention to compute the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from mobilecnn.blocks import BatchNorm, BlockNames, conv_bn, depthwise_bn, inverted_residual
from mobilecnn.builder import Network
from mobilecnn.families._conventions import TORCH
from mobilecnn.registry import ModelEntry, Reference, register
from mobilecnn.scaling import check_positive, make_divisible


@dataclass(frozen=True)
class Stack:
    expand: int
    out: int       # at alpha = 1
    repeats: int
    stride: int    # of the first block
    kernel: int


STEM, SEPARABLE, HEAD = 32, 16, 1280  # the stem and separable layer scale with alpha, the head does not
STACKS = (  # Tan et al. 2018, Fig. 7(b) (MnasNet-B1 without SE), as torchvision's MNASNet.layers
    Stack(3, 24, 3, 2, 3),
    Stack(3, 40, 3, 2, 5),
    Stack(6, 80, 3, 2, 5),
    Stack(6, 96, 2, 1, 3),
    Stack(6, 192, 4, 2, 5),
    Stack(6, 320, 1, 1, 3),
)
BN = BatchNorm(epsilon=1e-5, momentum=0.9997)
NAMES = BlockNames(depthwise_act="{p}depthwise_relu", expand_act="{p}expand_relu")
ALPHAS = {"0.5": 0.5, "0.75": 0.75, "1.0": 1.0, "1.3": 1.3}


def build_mnasnet(net: Network, *, width_multiplier: float = 1.0):
    alpha = check_positive("width_multiplier", width_multiplier)

    def depth(c: int) -> int:  # torchvision's _round_to_multiple_of(c * alpha, 8, round_up_bias=0.9)
        return make_divisible(c * alpha, 8, round_limit=0.9)

    inputs = net.input()
    x = net.preprocess(inputs)
    x = conv_bn(x, depth(STEM), 3, 2, act="relu", bn=BN, names=("stem_conv", "stem_bn", "stem_relu"))
    x = depthwise_bn(x, 3, 1, act="relu", bn=BN, names=("sep_depthwise", "sep_depthwise_bn", "sep_depthwise_relu"))
    x = conv_bn(x, depth(SEPARABLE), 1, act=None, bn=BN, names=("sep_project", "sep_project_bn", None))
    for i, stack in enumerate(STACKS):
        for j in range(stack.repeats):
            x = inverted_residual(x, expanded=x.shape[-1] * stack.expand, out=depth(stack.out), kernel=stack.kernel,
                                  stride=stack.stride if j == 0 else 1, act="relu", expand=True, names=NAMES,
                                  prefix=f"stack{i + 1}_block{j + 1}_", bn=BN)
    x = conv_bn(x, HEAD, 1, act="relu", bn=BN, names=("head_conv", "head_bn", "head_relu"))
    x = net.head(x, dropout_name="dropout", dense_name="classifier")
    return net.model(inputs, x, f"mnasnet{alpha:g}")


PAPER = ("Tan et al. 2018, MnasNet: Platform-Aware Neural Architecture Search for Mobile (arXiv:1807.11626); "
         "torchvision's MNASNet (B1, version 2)")
# torchvision 0.28 MNASNet*_Weights meta: num_params (all trainable; Keras adds the batch-norm running
# statistics, counted from torchvision's buffers), _ops (GFLOPS: multiply-adds at 224x224) and ImageNet acc@1.
TORCHVISION = {"0.5": (2_218_512, 20_624, 0.104e9, 67.734), "0.75": (3_170_208, 29_808, 0.215e9, 71.180),
               "1.0": (4_383_312, 37_920, 0.314e9, 73.456), "1.3": (6_282_256, 48_816, 0.526e9, 76.506)}

for _label, _alpha in ALPHAS.items():
    _params, _stats, _macs, _top1 = TORCHVISION[_label]
    _tv = f"mnasnet{_label.replace('.', '_')}"
    register(ModelEntry(
        name=f"mnasnet-{_label}", family="mnasnet", builder=build_mnasnet, resolution=224, paper=PAPER,
        options={"width_multiplier": _alpha},
        allowed={"width_multiplier": "a positive number (torchvision's alpha; the name's by default)"},
        dropout_rate=0.2, preprocessing=TORCH,
        reference=Reference(
            params=_params + _stats, trainable=_params,
            params_source=f"torchvision 0.28 {_tv} ({_params:,} parameters, meta num_params, + {_stats:,} "
                          "batch-norm running statistics)",
            macs=_macs, macs_source=f"torchvision 0.28 MNASNet{_label.replace('.', '_')}_Weights _ops "
                                    f"({_macs / 1e9:g} GFLOPS, 224x224)",
            top1=_top1, top1_source=f"torchvision 0.28 MNASNet{_label.replace('.', '_')}_Weights.IMAGENET1K_V1 "
                                    "acc@1 (ImageNet, 224x224)",
        ),
    ))
