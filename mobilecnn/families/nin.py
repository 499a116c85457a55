"""Network in Network (Lin et al. 2013, arXiv:1312.4400): mlpconv blocks and global average pooling.

Each mlpconv block is a k x k convolution and two 1x1 convolutions (the
"micro network", sec. 3.1), all with ReLU; the last block's last 1x1 has one
channel per class, and global average pooling of it is the classifier (sec.
3.2). The paper gives no widths; they come from the authors' Caffe models:
``nin`` is the ImageNet model of the Caffe Model Zoo (mavenlin, "NIN
ImageNet": 96-256-384-1024 with 11x11/4, 5x5, 3x3, 3x3 kernels), ``nin-cifar``
the CIFAR-10 model (mavenlin's cifar10 gist: 192-160-96, 192-192-192,
192-192-classes with 5x5, 5x5, 3x3 kernels; max then average pooling, dropout
0.5 after each). Pooling is 3x3/2 with Caffe's ceil-mode sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

from mobilecnn.blocks.classic import pool
from mobilecnn.blocks.core import conv_bn
from mobilecnn.builder import Network
from mobilecnn.families._conventions import CAFFE, CIFAR
from mobilecnn.flavours import layers_for
from mobilecnn.registry import ModelEntry, Preprocessing, Reference, register

CLASSES = 0  # a width of 0 is the number of classes


@dataclass(frozen=True)
class MlpConv:
    widths: tuple[int, int, int]   # the k x k convolution, then the two 1x1 ("cccp") layers
    kernel: int
    stride: int = 1
    pool: str | None = "max"       # 3x3/2 pooling after the block
    dropout: bool = False          # dropout after the pooling


@dataclass(frozen=True)
class Variant:
    blocks: tuple[MlpConv, ...]
    resolution: int
    min_resolution: int
    preprocessing: Preprocessing


VARIANTS = {
    "nin": Variant(blocks=(  # Caffe Model Zoo "NIN ImageNet" (train_val.prototxt)
        MlpConv((96, 96, 96), 11, 4), MlpConv((256, 256, 256), 5), MlpConv((384, 384, 384), 3, dropout=True),
        MlpConv((1024, 1024, CLASSES), 3, pool=None)), resolution=224, min_resolution=55, preprocessing=CAFFE),
    "nin-cifar": Variant(blocks=(  # mavenlin's CIFAR-10 NIN (Caffe prototxt), as osmr/imgclsmob nin_cifar10
        MlpConv((192, 160, 96), 5, dropout=True), MlpConv((192, 192, 192), 5, pool="avg", dropout=True),
        MlpConv((192, 192, CLASSES), 3, pool=None)), resolution=32, min_resolution=8, preprocessing=CIFAR),
}


def build_nin(net: Network, *, variant: str):
    spec = VARIANTS[variant]
    inputs = net.input()
    x = net.preprocess(inputs)
    cccp = 0
    for b, block in enumerate(spec.blocks, start=1):
        for j, width in enumerate(block.widths):
            classifier = width == CLASSES
            if classifier and not net.include_top:
                break
            if j == 0:
                name, kernel, stride = f"conv{b}", block.kernel, block.stride
            else:
                cccp += 1
                name, kernel, stride = f"cccp{cccp}", 1, 1
            # Caffe pads k // 2 except on the strided first layer ("valid").
            x = conv_bn(x, net.num_classes if classifier else width, kernel, stride,
                        padding="valid" if stride > 1 else "same", act="relu", bn=None,
                        names=(name, None, f"{name}_relu"))
        if block.pool:
            x = pool(x, block.pool, 3, 2, ceil_mode=True, name=f"pool{b}")
        if block.dropout:
            x = net.dropout(x, name=f"drop{b}")
    L = layers_for(x)
    if net.include_top:
        x = L.GlobalAveragePooling2D(name="avg_pool")(x)
        x = L.Activation(net.classifier_activation, name="predictions")(x)
    else:
        x = net.pool(x)
    return net.model(inputs, x, variant.replace("-", "_"))


PAPER = "Lin et al. 2013, Network In Network (arXiv:1312.4400)"
# nin: counted from the Caffe prototxt's layer shapes, 34,944 + 2 x 9,312 | 614,656 + 2 x 65,792 |
# 885,120 + 2 x 147,840 | 3,539,968 + 1,049,600 + 1,025,000 = 7,595,176.
# nin-cifar: osmr/imgclsmob nin_cifar10 966,986 at 10 classes (its default).
REFERENCES = {
    "nin": (7_595_176, "Caffe Model Zoo NIN ImageNet prototxt layer shapes, counted: 7,595,176"),
    "nin-cifar": (966_986, "osmr/imgclsmob nin_cifar10: 966,986 at 10 classes"),
}

TOP1 = {  # published top-1 (%)
    "nin": (59.36, "Caffe Model Zoo NIN-Imagenet (mavenlin gist): top-1 59.36%, ImageNet validation, center "
                   "crop 224x224"),
    "nin-cifar": (89.59, "Lin et al. 2013, Table 2: NIN + Dropout test error 10.41% on CIFAR-10 (no data "
                         "augmentation)"),
}

for _name, _spec in VARIANTS.items():
    _params, _source = REFERENCES[_name]
    register(ModelEntry(
        name=_name, family="nin", builder=build_nin, resolution=_spec.resolution, paper=PAPER,
        fixed={"variant": _name}, min_resolution=_spec.min_resolution, dropout_rate=0.5,
        preprocessing=_spec.preprocessing, num_classes=1000 if _name == "nin" else 10,
        labels="imagenet" if _name == "nin" else "cifar-10",
        reference=Reference(params=_params, trainable=_params, params_source=_source, top1=TOP1[_name][0],
                            top1_source=TOP1[_name][1]),
    ))
