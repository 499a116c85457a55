"""GoogLeNet / Inception v1 (Szegedy et al. 2014, "Going Deeper with Convolutions", Table 1).

``googlenet`` is the paper's net as its Caffe release (bvlc_googlenet): convolutions
with biases and ReLU, local response normalization after the first pooling and
after conv2 (n=5, alpha=1e-4 per element, beta=0.75), 5x5 branches, 3x3/2
ceil-mode max pooling, 7x7 average pooling (global here), dropout 0.4.
``googlenet-bn`` is the batch-norm net torchvision ships: no normalization
layers, batch norm (epsilon 1e-3) after every convolution, 2x2/2 pooling
before inception 5a, dropout 0.2, and 3x3 kernels in the "5x5" branch (a known
slip torchvision keeps for its weights, pytorch/vision#906). ``aux_logits=True``
adds the two auxiliary classifiers (after 4a and 4d) as extra outputs
``[main, aux1, aux2]``, for training (the paper weighs their losses by 0.3).
"""

from __future__ import annotations

from dataclasses import dataclass

from mobilecnn.blocks.classic import LRN, local_response_norm, pool
from mobilecnn.blocks.core import BatchNorm, conv_bn
from mobilecnn.blocks.inception import Inception, auxiliary_classifier, inception_module
from mobilecnn.builder import Network
from mobilecnn.families._conventions import CAFFE, TORCH
from mobilecnn.flavours import layers_for
from mobilecnn.registry import ModelEntry, Preprocessing, Reference, register

MODULES = (  # Szegedy et al. 2014, Table 1: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj
    Inception("3a", 64, 96, 128, 16, 32, 32),
    Inception("3b", 128, 128, 192, 32, 96, 64),
    Inception("4a", 192, 96, 208, 16, 48, 64),
    Inception("4b", 160, 112, 224, 24, 64, 64),
    Inception("4c", 128, 128, 256, 24, 64, 64),
    Inception("4d", 112, 144, 288, 32, 64, 64),
    Inception("4e", 256, 160, 320, 32, 128, 128),
    Inception("5a", 256, 160, 320, 32, 128, 128),
    Inception("5b", 384, 192, 384, 48, 128, 128),
)
POOL_BEFORE = {"4a": "pool3", "5a": "pool4"}   # 3x3/2 max pooling (Table 1)
AUX_AFTER = {"4a": "aux1", "4d": "aux2"}       # sec. 5


@dataclass(frozen=True)
class Variant:
    bn: BatchNorm | None
    lrn: LRN | None
    kernel_5x5: int
    pool4_size: int
    dropout: float
    preprocessing: Preprocessing


VARIANTS = {
    "googlenet": Variant(bn=None, lrn=LRN(size=5, alpha=1e-4, beta=0.75, bias=1.0, alpha_over_size=True),
                         kernel_5x5=5, pool4_size=3, dropout=0.4, preprocessing=CAFFE),
    "googlenet-bn": Variant(bn=BatchNorm(epsilon=1e-3), lrn=None, kernel_5x5=3, pool4_size=2, dropout=0.2,
                            preprocessing=TORCH),
}


def build_googlenet(net: Network, *, variant: str, aux_logits: bool = False):
    if not isinstance(aux_logits, bool):
        raise ValueError(f"aux_logits must be True or False, got {aux_logits!r}")
    if aux_logits and not net.include_top:
        raise ValueError("aux_logits=True adds classifiers: it needs include_top=True")
    spec = VARIANTS[variant]
    inputs = net.input()
    x = net.preprocess(inputs)
    x = layers_for(x).ZeroPadding2D(3, name="conv1_pad")(x)
    x = conv_bn(x, 64, 7, 2, padding="valid", act="relu", bn=spec.bn, names=("conv1", "conv1_bn", "conv1_relu"))
    x = pool(x, "max", 3, 2, ceil_mode=True, name="pool1")
    if spec.lrn:
        x = local_response_norm(x, spec.lrn, name="norm1")
    x = conv_bn(x, 64, 1, act="relu", bn=spec.bn, names=("conv2_reduce", "conv2_reduce_bn", "conv2_reduce_relu"))
    x = conv_bn(x, 192, 3, act="relu", bn=spec.bn, names=("conv2", "conv2_bn", "conv2_relu"))
    if spec.lrn:
        x = local_response_norm(x, spec.lrn, name="norm2")
    x = pool(x, "max", 3, 2, ceil_mode=True, name="pool2")
    aux = []
    for module in MODULES:
        if module.name in POOL_BEFORE:
            size = spec.pool4_size if module.name == "5a" else 3
            x = pool(x, "max", size, 2, ceil_mode=True, name=POOL_BEFORE[module.name])
        x = inception_module(x, module, bn=spec.bn, kernel_5x5=spec.kernel_5x5)
        if aux_logits and module.name in AUX_AFTER:
            aux.append(auxiliary_classifier(x, net.num_classes, bn=spec.bn, name=AUX_AFTER[module.name],
                                            classifier_activation=net.classifier_activation))
    x = net.head(x)
    return net.model(inputs, [x, *aux] if aux else x, variant.replace("-", "_"))


# The batch-norm variant: torchvision GoogLeNet_Weights meta num_params 6,624,904 (no auxiliary heads) and
# _ops 1.498 GFLOPS; its 7,280 batch-norm channels (320 in the stem, 6,960 in the modules: the sum of each
# module's six widths) add 14,560 moving statistics.
# The paper's net, counted from Table 1's widths with biases (bvlc_googlenet without its loss branches):
# conv1 9,472 + conv2 4,160 + 110,784 + the nine modules + the 1,025,000 classifier = 6,998,552. Table 1's
# "ops" column sums to 1,586M multiply-adds (the text rounds the budget to "1.5 billion").
REFERENCES = {
    "googlenet": Reference(
        params=6_998_552, trainable=6_998_552,
        params_source="Szegedy et al. 2014, Table 1 widths with biases, as bvlc_googlenet without its auxiliary "
                      "branches: 6,998,552 (counted by hand from the layer shapes)",
        macs=1.586e9, macs_source="Szegedy et al. 2014, Table 1 'ops' column, summed: 1,586M multiply-adds",
        top1=68.7, top1_source="Caffe Model Zoo bvlc_googlenet README: top-1 68.7%, ImageNet validation, single "
                               "center crop 224x224"),
    "googlenet-bn": Reference(
        params=6_624_904 + 14_560, trainable=6_624_904,
        params_source="torchvision GoogLeNet_Weights meta: num_params 6,624,904 (+ 14,560 batch-norm statistics)",
        macs=1.498e9, macs_source="torchvision GoogLeNet_Weights meta: _ops 1.498 GFLOPS (224x224)",
        top1=69.778, top1_source="torchvision GoogLeNet_Weights.IMAGENET1K_V1 meta: acc@1 69.778 (ImageNet-1k "
                                 "validation, 224x224 center crop of 256)"),
}

for _name, _spec in VARIANTS.items():
    register(ModelEntry(
        name=_name, family="googlenet", builder=build_googlenet, resolution=224,
        paper="Szegedy et al. 2014, Going Deeper with Convolutions (arXiv:1409.4842)",
        fixed={"variant": _name}, options={"aux_logits": False}, min_resolution=32, dropout_rate=_spec.dropout,
        preprocessing=_spec.preprocessing, reference=REFERENCES[_name],
    ))
