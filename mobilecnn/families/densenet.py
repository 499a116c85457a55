"""DenseNet-121/169/201 (Huang et al. 2017, "Densely Connected Convolutional Networks", Table 1).

DenseNet-BC: growth rate 32, bottleneck layers of 4 x 32 channels,
compression 0.5 at the transitions, a 7x7/2 convolution and 3x3/2 max pooling
in front. Layer names follow keras.applications ``DenseNet121/169/201``, which
shares torchvision's layout (no biases; batch-norm epsilon 1.001e-5), so its
weights copy as they are; preprocessing is ImageNet mean/std as both use.
"""

from __future__ import annotations

from mobilecnn.blocks.core import BatchNorm, conv_bn
from mobilecnn.blocks.dense import dense_block, transition
from mobilecnn.builder import Network
from mobilecnn.families._conventions import TORCH
from mobilecnn.flavours import layers_for
from mobilecnn.registry import ModelEntry, Reference, register

BLOCKS = {121: (6, 12, 24, 16), 169: (6, 12, 32, 32), 201: (6, 12, 48, 32)}  # Huang et al. 2017, Table 1
GROWTH, BOTTLENECK, COMPRESSION, STEM = 32, 4, 0.5, 64
BN = BatchNorm(epsilon=1.001e-5)
CONV_INIT = "he_normal"  # torchvision: kaiming_normal_


def build_densenet(net: Network, *, depth: int):
    inputs = net.input()
    x = net.preprocess(inputs)
    L = layers_for(x)
    x = L.ZeroPadding2D(3, name="conv1_pad")(x)
    x = conv_bn(x, STEM, 7, 2, padding="valid", act="relu", bn=BN, use_bias=False, kernel_initializer=CONV_INIT,
                names=("conv1_conv", "conv1_bn", "conv1_relu"))
    x = L.ZeroPadding2D(1, name="pool1_pad")(x)  # zeros pool like -inf after a ReLU
    x = L.MaxPooling2D(3, 2, name="pool1")(x)
    blocks = BLOCKS[depth]
    for i, layers in enumerate(blocks, start=2):
        x = dense_block(x, layers, GROWTH, bottleneck=BOTTLENECK, bn=BN, name=f"conv{i}", kernel_initializer=CONV_INIT)
        if i < len(blocks) + 1:
            x = transition(x, COMPRESSION, bn=BN, name=f"pool{i}", kernel_initializer=CONV_INIT)
    x = L.BatchNormalization(epsilon=BN.epsilon, momentum=BN.momentum, name="bn")(x)
    x = L.Activation("relu", name="relu")(x)
    x = net.head(x)
    return net.model(inputs, x, f"densenet{depth}")


# torchvision DenseNet*_Weights meta: trainable num_params and _ops (GFLOPS = multiply-adds at 224x224);
# keras.applications DenseNet*(weights=None) totals add the moving statistics (83,648 / 158,400 / 229,056).
TORCHVISION = {121: (7_978_856, 2.834), 169: (14_149_480, 3.36), 201: (20_013_928, 4.291)}
KERAS_TOTAL = {121: 8_062_504, 169: 14_307_880, 201: 20_242_984}
TOP1 = {121: 74.434, 169: 75.6, 201: 76.896}  # torchvision DenseNet*_Weights.IMAGENET1K_V1 acc@1

for _depth, (_trainable, _gflops) in TORCHVISION.items():
    register(ModelEntry(
        name=f"densenet-{_depth}", family="densenet", builder=build_densenet, resolution=224,
        paper="Huang et al. 2017, Densely Connected Convolutional Networks (arXiv:1608.06993)",
        fixed={"depth": _depth}, min_resolution=32, preprocessing=TORCH,
        reference=Reference(
            params=KERAS_TOTAL[_depth], trainable=_trainable,
            params_source=f"keras.applications.DenseNet{_depth}(weights=None) total {KERAS_TOTAL[_depth]:,}; "
                          f"torchvision DenseNet{_depth}_Weights num_params {_trainable:,} (trainable)",
            macs=_gflops * 1e9, macs_source=f"torchvision DenseNet{_depth}_Weights meta: _ops {_gflops} GFLOPS",
            top1=TOP1[_depth], top1_source=f"torchvision DenseNet{_depth}_Weights.IMAGENET1K_V1 meta: acc@1 "
                                           f"{TOP1[_depth]} (ImageNet-1k validation, 224x224 crop of 256)",
        ),
        keras_application=f"DenseNet{_depth}",
    ))
