"""Inception-v3 (Szegedy et al. 2015, "Rethinking the Inception Architecture for Computer Vision", Table 1,
Fig. 5-7), as keras.applications' ``InceptionV3`` (Keras 3.15.1): its layer order and shapes, so its weights
transfer layer by layer.

Every convolution is conv (no bias) + batch norm without a learned scale
(``scale=False``: a ReLU follows) + ReLU. The stem has five convolutions and
two 3x3/2 max poolings (no padding); then three 35x35 modules (mixed0-2,
Fig. 5 with the 5x5 kept), a grid reduction (mixed3), four 17x17 modules
with factorized 7x7s (mixed4-7, Fig. 6), a second reduction (mixed8) and two
8x8 modules with split 1x3 / 3x1 outputs (mixed9-10, Fig. 7). The auxiliary
classifier of the paper is not in keras.applications' model and not here.
Inputs scaled to [-1, 1] (keras.applications' "tf" preprocessing, done here
by a weightless ``Rescaling``: the model takes [0, 255] RGB pixels).

keras.applications leaves the convolutions unnamed (their Keras-generated
names depend on what the session built before); here they are
``{module}_{branch}_{i}_conv`` / ``_bn`` / ``_relu`` and the stem's
``conv{i}``, and :mod:`mobilecnn.keras_applications` pairs such layers by
order and class. The concatenations keep keras.applications' names.
"""

from __future__ import annotations

from mobilecnn.blocks.core import BatchNorm, conv_bn
from mobilecnn.blocks.inception import Branch, Conv, InceptionV3Module, inception_v3_module
from mobilecnn.builder import Network
from mobilecnn.flavours import layers_for
from mobilecnn.registry import ModelEntry, Reference, register

BN = BatchNorm(scale=False)   # keras.applications: BatchNormalization(scale=False), epsilon 1e-3, momentum 0.99
STEM = (  # Table 1: conv 3x3/2, conv 3x3, conv padded 3x3, pool 3x3/2, then (keras.applications) 1x1 80, 3x3 192
    Conv(32, (3, 3), 2, "valid"), Conv(32, (3, 3), 1, "valid"), Conv(64, (3, 3)), "pool",
    Conv(80, (1, 1), 1, "valid"), Conv(192, (3, 3), 1, "valid"), "pool",
)


def _a(name: str, pool_proj: int) -> InceptionV3Module:  # 35x35 (Fig. 5, the 5x5 branch as keras.applications)
    return InceptionV3Module(name, (
        Branch("1x1", (Conv(64, (1, 1)),)),
        Branch("5x5", (Conv(48, (1, 1)), Conv(64, (5, 5)))),
        Branch("3x3dbl", (Conv(64, (1, 1)), Conv(96, (3, 3)), Conv(96, (3, 3)))),
        Branch("pool", (Conv(pool_proj, (1, 1)),), pool="avg"),
    ))


def _c(name: str, c7: int) -> InceptionV3Module:  # 17x17 with factorized 7x7 (Fig. 6, n = 7)
    return InceptionV3Module(name, (
        Branch("1x1", (Conv(192, (1, 1)),)),
        Branch("7x7", (Conv(c7, (1, 1)), Conv(c7, (1, 7)), Conv(192, (7, 1)))),
        Branch("7x7dbl", (Conv(c7, (1, 1)), Conv(c7, (7, 1)), Conv(c7, (1, 7)), Conv(c7, (7, 1)),
                          Conv(192, (1, 7)))),
        Branch("pool", (Conv(192, (1, 1)),), pool="avg"),
    ))


def _e(name: str, i: int) -> InceptionV3Module:  # 8x8 with expanded outputs (Fig. 7)
    pair = (Conv(384, (1, 3)), Conv(384, (3, 1)))
    return InceptionV3Module(name, (
        Branch("1x1", (Conv(320, (1, 1)),)),
        Branch("3x3", (Conv(384, (1, 1)),), split=pair, split_name=f"mixed9_{i}"),  # keras.applications' names
        Branch("3x3dbl", (Conv(448, (1, 1)), Conv(384, (3, 3))), split=pair),
        Branch("pool", (Conv(192, (1, 1)),), pool="avg"),
    ))


MODULES = (
    _a("mixed0", 32), _a("mixed1", 64), _a("mixed2", 64),
    InceptionV3Module("mixed3", (  # 35x35 -> 17x17 reduction
        Branch("3x3", (Conv(384, (3, 3), 2, "valid"),)),
        Branch("3x3dbl", (Conv(64, (1, 1)), Conv(96, (3, 3)), Conv(96, (3, 3), 2, "valid"))),
        Branch("pool", pool="max"),
    )),
    _c("mixed4", 128), _c("mixed5", 160), _c("mixed6", 160), _c("mixed7", 192),
    InceptionV3Module("mixed8", (  # 17x17 -> 8x8 reduction
        Branch("3x3", (Conv(192, (1, 1)), Conv(320, (3, 3), 2, "valid"))),
        Branch("7x7x3", (Conv(192, (1, 1)), Conv(192, (1, 7)), Conv(192, (7, 1)), Conv(192, (3, 3), 2, "valid"))),
        Branch("pool", pool="max"),
    )),
    _e("mixed9", 0), _e("mixed10", 1),
)


def build_inception_v3(net: Network):
    inputs = net.input()
    x = net.preprocess(inputs)
    convs = pools = 0
    for layer in STEM:
        if layer == "pool":
            pools += 1
            x = layers_for(x).MaxPooling2D(3, 2, name=f"pool{pools}")(x)
        else:
            convs += 1
            x = conv_bn(x, layer.filters, layer.kernel, layer.stride, padding=layer.padding, act="relu", bn=BN,
                        use_bias=False, names=(f"conv{convs}", f"conv{convs}_bn", f"conv{convs}_relu"))
    for module in MODULES:
        x = inception_v3_module(x, module, bn=BN)
    x = net.head(x)
    return net.model(inputs, x, "inception_v3")


KERAS = "keras.applications.InceptionV3(weights=None), Keras 3.15.1"
register(ModelEntry(
    name="inception-v3", family="inception-v3", builder=build_inception_v3, resolution=299, min_resolution=75,
    paper="Szegedy et al. 2015, Rethinking the Inception Architecture for Computer Vision (arXiv:1512.00567)",
    reference=Reference(
        params=23_851_784, trainable=23_817_352,
        params_source=f"{KERAS}: count_params() 23,851,784, 23,817,352 trainable (+ 34,432 batch-norm statistics)",
        macs=5_713_216_096,
        macs_source=f"{KERAS} at 299x299: Conv2D and Dense layers from their static output shapes, 5,713,216,096",
        top1=77.9,
        top1_source="keras.io/api/applications table (Keras 3): InceptionV3 top-1 0.779, ImageNet validation, "
                    "299x299, keras.applications' ImageNet weights"),
    keras_application="InceptionV3",
))
