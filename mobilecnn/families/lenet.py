"""LeNet-5 (LeCun et al. 1998, "Gradient-Based Learning Applied to Document Recognition", Fig. 2).

As usually reconstructed: 32x32x1 input, C1 6@5x5, S2 2x2 average pooling,
C3 16@5x5 (every input map), S4 2x2 average pooling, C5/F5 120 (a dense layer
on the 5x5x16 maps), F6 84, and the classifier; tanh throughout by default
(the paper's scaled tanh and trainable subsampling coefficients and RBF
output units are left out, as in every common reconstruction).
"""

from __future__ import annotations

from dataclasses import dataclass

from mobilecnn.blocks.classic import pool
from mobilecnn.blocks.core import ACTIVATIONS, conv_bn
from mobilecnn.builder import Network
from mobilecnn.families._conventions import SIGNED
from mobilecnn.registry import ModelEntry, Reference, register


@dataclass(frozen=True)
class Conv:
    name: str      # the paper's layer name; the pooling after it is the next S layer
    filters: int
    kernel: int


CONVS = (Conv("c1", 6, 5), Conv("c3", 16, 5))   # LeCun et al. 1998, Fig. 2; "valid" padding
POOLS = ("s2", "s4")                            # 2x2 stride-2 subsampling (average pooling)
DENSE = ((120, "f5"), (84, "f6"))


def build_lenet(net: Network, *, activation: str = "tanh"):
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    inputs = net.input()
    x = net.preprocess(inputs)
    for conv, pool_name in zip(CONVS, POOLS, strict=True):
        x = conv_bn(x, conv.filters, conv.kernel, padding="valid", act=activation, bn=None,
                    names=(conv.name, None, f"{conv.name}_{activation}"))
        x = pool(x, "avg", 2, 2, name=pool_name)
    x = net.flat_head(x, [u for u, _ in DENSE], [n for _, n in DENSE], act=activation)
    return net.model(inputs, x, "lenet5")


# 61,706 parameters with 10 outputs (156 + 2,416 + 48,120 + 10,164 + 850; e.g. d2l.ai's LeNet, Keras and
# PyTorch reconstructions).
LENET5_PARAMS = 61_706
register(ModelEntry(
    name="lenet-5", family="lenet", builder=build_lenet, resolution=32, channels=1, min_resolution=16,
    paper="LeCun et al. 1998, Gradient-Based Learning Applied to Document Recognition (Proc. IEEE 86(11))",
    options={"activation": "tanh"}, allowed={"activation": "one of " + ", ".join(ACTIVATIONS)},
    preprocessing=SIGNED, num_classes=10, labels="digits 0-9",
    reference=Reference(params=LENET5_PARAMS, trainable=LENET5_PARAMS,
                        params_source="LeNet-5 reconstruction: 61,706 parameters at 10 classes (LeCun et al. 1998, "
                                      "Fig. 2 layer sizes)",
                        top1=99.05, top1_source="LeCun et al. 1998, sec. III-C: LeNet-5 test error 0.95% on MNIST "
                                                "(no distortions; 10,000 test digits, 32x32)"),
))
