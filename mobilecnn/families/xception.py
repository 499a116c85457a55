"""Xception (Chollet 2017, "Xception: Deep Learning with Depthwise Separable Convolutions", Fig. 5),
as keras.applications' ``Xception`` (Keras 3.15.1): its layer names, order and shapes, so its weights
transfer layer by layer.

The stem is two 3x3 convolutions without padding (32/2, 64); the entry flow
three downsampling blocks (128, 256, 728), the middle flow eight identity
blocks of three 728-wide separable convolutions, the exit flow one
downsampling block (728, 1024) and two separable convolutions (1536, 2048)
with ReLUs after them; then global average pooling and the classifier. Batch
norm epsilon 1e-3, momentum 0.99 (Keras defaults); inputs scaled to [-1, 1]
(keras.applications' "tf" preprocessing, done here by a weightless
``Rescaling``: the model takes [0, 255] RGB pixels).
"""

from __future__ import annotations

from mobilecnn.blocks.core import BatchNorm, conv_bn
from mobilecnn.blocks.xception import XceptionBlock, xception_block
from mobilecnn.builder import Network
from mobilecnn.registry import ModelEntry, Reference, register

BLOCKS = (  # Chollet 2017, Fig. 5: blocks 2-4 (entry flow), 5-12 (middle flow), 13-14 (exit flow)
    XceptionBlock((128, 128), "conv", first_relu=False),
    XceptionBlock((256, 256), "conv"),
    XceptionBlock((728, 728), "conv"),
    *(XceptionBlock((728, 728, 728), "identity") for _ in range(8)),
    XceptionBlock((728, 1024), "conv"),
    XceptionBlock((1536, 2048), "none", relu="post"),
)
BN = BatchNorm()  # keras.applications: BatchNormalization() defaults, epsilon 1e-3, momentum 0.99


def build_xception(net: Network):
    inputs = net.input()
    x = net.preprocess(inputs)
    x = conv_bn(x, 32, 3, 2, padding="valid", act="relu", bn=BN, use_bias=False,
                names=("block1_conv1", "block1_conv1_bn", "block1_conv1_act"))
    x = conv_bn(x, 64, 3, padding="valid", act="relu", bn=BN, use_bias=False,
                names=("block1_conv2", "block1_conv2_bn", "block1_conv2_act"))
    for n, block in enumerate(BLOCKS, start=2):
        x = xception_block(x, block, prefix=f"block{n}", bn=BN)
    x = net.head(x)
    return net.model(inputs, x, "xception")


KERAS = "keras.applications.Xception(weights=None), Keras 3.15.1"
register(ModelEntry(
    name="xception", family="xception", builder=build_xception, resolution=299, min_resolution=71,
    paper="Chollet 2017, Xception: Deep Learning with Depthwise Separable Convolutions (arXiv:1610.02357)",
    reference=Reference(
        params=22_910_480, trainable=22_855_952,
        params_source=f"{KERAS}: count_params() 22,910,480, 22,855,952 trainable (+ 54,528 batch-norm statistics)",
        macs=8_357_403_496,
        macs_source=f"{KERAS} at 299x299: Conv2D, SeparableConv2D (depthwise + pointwise) and Dense layers "
                    "from their static output shapes, 8,357,403,496",
        top1=79.0,
        top1_source="keras.io/api/applications table (Keras 3): Xception top-1 0.790, ImageNet validation, "
                    "299x299, keras.applications' ImageNet weights"),
    keras_application="Xception",
))
