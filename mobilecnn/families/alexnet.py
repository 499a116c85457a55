"""AlexNet (Krizhevsky et al. 2012), its single-tower variant, and ZFNet (Zeiler & Fergus 2013).

Five convolutions with ReLU, local response normalization and overlapping
3x3/2 max pooling, then two 4096-wide fully connected layers with dropout
0.5. ``alexnet`` is the paper's net (sec. 3, Fig. 2): 227x227 input, widths
96-256-384-384-256, response normalization after conv1 and conv2 (k=2, n=5,
alpha=1e-4, beta=0.75, sec. 3.3), and conv2/4/5 split over the two GPUs
(``groups=2``; ``groups=1`` connects them densely). ``alexnet-torchvision``
is the single-tower net of Krizhevsky 2014 ("One weird trick", arXiv:1404.5997)
that torchvision ships: 64-192-384-256-256, no normalization. ``zfnet`` is
Zeiler & Fergus 2013, Fig. 3: a 7x7/2 first convolution, a 5x5/2 second, dense
layers 3-5, and normalization after pooling. The paper nets pool with Caffe's
ceil-mode output sizes, torchvision's with PyTorch's floor. Dropout follows
the ReLUs of fc6 and fc7 (the paper; torchvision puts it before fc6 and fc7).
"""

from __future__ import annotations

from dataclasses import dataclass

from mobilecnn.blocks.classic import LRN, local_response_norm, pool
from mobilecnn.blocks.core import conv_bn
from mobilecnn.builder import Network
from mobilecnn.families._conventions import CAFFE, TORCH
from mobilecnn.flavours import layers_for
from mobilecnn.registry import ModelEntry, Preprocessing, Reference, register


@dataclass(frozen=True)
class Conv:
    filters: int
    kernel: int
    stride: int = 1
    pad: int = 0            # symmetric zero padding, as Caffe's and PyTorch's ``pad``
    grouped: bool = False   # split over the two GPUs: ``groups`` groups
    norm: bool = False      # local response normalization
    pool: bool = False      # 3x3/2 max pooling


@dataclass(frozen=True)
class Variant:
    convs: tuple[Conv, ...]
    lrn: LRN | None = None
    pool_then_norm: bool = False   # ZFNet: pool, then normalize; AlexNet: normalize, then pool
    ceil_mode: bool = True         # Caffe's pooling output sizes (the papers); False: PyTorch's
    resolution: int = 227
    min_resolution: int = 55
    preprocessing: Preprocessing = CAFFE


FC = (4096, 4096)
VARIANTS = {
    "alexnet": Variant(  # Krizhevsky et al. 2012, Fig. 2 and sec. 3.5
        convs=(Conv(96, 11, 4, norm=True, pool=True), Conv(256, 5, pad=2, grouped=True, norm=True, pool=True),
               Conv(384, 3, pad=1), Conv(384, 3, pad=1, grouped=True), Conv(256, 3, pad=1, grouped=True, pool=True)),
        lrn=LRN(size=5, alpha=1e-4, beta=0.75, bias=2.0)),
    "alexnet-torchvision": Variant(  # Krizhevsky 2014, "One weird trick"; torchvision.models.alexnet
        convs=(Conv(64, 11, 4, pad=2, pool=True), Conv(192, 5, pad=2, pool=True), Conv(384, 3, pad=1),
               Conv(256, 3, pad=1), Conv(256, 3, pad=1, pool=True)),
        ceil_mode=False, resolution=224, min_resolution=63, preprocessing=TORCH),
    "zfnet": Variant(  # Zeiler & Fergus 2013, Fig. 3 (224 input; 110, 55, 26, 13, 13, 13, 6)
        convs=(Conv(96, 7, 2, pad=1, norm=True, pool=True), Conv(256, 5, 2, norm=True, pool=True),
               Conv(384, 3, pad=1), Conv(384, 3, pad=1), Conv(256, 3, pad=1, pool=True)),
        lrn=LRN(size=5, alpha=1e-4, beta=0.75, bias=2.0), pool_then_norm=True, resolution=224, min_resolution=63),
}


def build_alexnet(net: Network, *, variant: str, groups: int = 1):
    if isinstance(groups, bool) or groups not in (1, 2):
        raise ValueError(f"groups must be 1 or 2 (the paper's two GPUs), got {groups!r}")
    spec = VARIANTS[variant]
    inputs = net.input()
    x = net.preprocess(inputs)
    for i, conv in enumerate(spec.convs, start=1):
        padding = "same" if conv.stride == 1 and conv.pad == conv.kernel // 2 else "valid"
        if conv.pad and padding == "valid":
            x = layers_for(x).ZeroPadding2D(conv.pad, name=f"conv{i}_pad")(x)
        x = conv_bn(x, conv.filters, conv.kernel, conv.stride, padding=padding, act="relu", bn=None,
                    groups=groups if conv.grouped else 1, names=(f"conv{i}", None, f"conv{i}_relu"))
        steps = [("norm", conv.norm), ("pool", conv.pool)]
        for step, wanted in (reversed(steps) if spec.pool_then_norm else steps):
            if wanted and step == "norm":
                x = local_response_norm(x, spec.lrn, name=f"norm{i}")
            elif wanted:
                x = pool(x, "max", 3, 2, ceil_mode=spec.ceil_mode, name=f"pool{i}")
    x = net.flat_head(x, FC, ("fc6", "fc7"))
    return net.model(inputs, x, variant.replace("-", "_"))


KRIZHEVSKY = "Krizhevsky et al. 2012, ImageNet Classification with Deep Convolutional Neural Networks (NIPS)"
REFERENCES = {
    "alexnet": (60_965_224, "Caffe bvlc_alexnet (group: 2 on conv2/4/5, the paper's two towers): 60,965,224 "
                            "weights and biases (e.g. doonny/PipeCNN's AlexNet WEIGHTS_FILE_SIZE); groups=1: "
                            "62,378,344 (osmr/imgclsmob alexnet)", None, ""),
    "alexnet-torchvision": (61_100_840, "torchvision AlexNet_Weights meta: num_params 61,100,840",
                            0.714e9, "torchvision AlexNet_Weights meta: _ops 0.714 GFLOPS (224x224)"),
    "zfnet": (62_357_608, "osmr/imgclsmob zfnet: 62,357,608 (Zeiler & Fergus 2013, Fig. 3)", None, ""),
}
PAPERS = {
    "alexnet": KRIZHEVSKY,
    "alexnet-torchvision": "Krizhevsky 2014, One weird trick for parallelizing convolutional neural networks "
                           "(arXiv:1404.5997)",
    "zfnet": "Zeiler & Fergus 2013, Visualizing and Understanding Convolutional Networks (arXiv:1311.2901)",
}

TOP1 = {  # published top-1 (%) of the reference weights
    "alexnet": (57.1, "Caffe Model Zoo bvlc_alexnet README: top-1 57.1%, ImageNet validation, single center "
                      "crop 227x227"),
    "alexnet-torchvision": (56.522, "torchvision AlexNet_Weights.IMAGENET1K_V1 meta: acc@1 56.522 "
                                    "(ImageNet-1k validation, 224x224 center crop of 256)"),
    "zfnet": (61.6, "Zeiler & Fergus 2013, Table 2: 1 convnet as per Fig. 3, top-1 validation error 38.4% "
                    "(ImageNet 2012)"),
}

for _name, _spec in VARIANTS.items():
    _params, _source, _macs, _macs_source = REFERENCES[_name]
    register(ModelEntry(
        name=_name, family="alexnet", builder=build_alexnet, resolution=_spec.resolution, paper=PAPERS[_name],
        fixed={"variant": _name}, options={"groups": 2} if _name == "alexnet" else {},
        allowed={"groups": "1 (one tower) or 2 (the paper's two-GPU split)"},
        min_resolution=_spec.min_resolution, dropout_rate=0.5, preprocessing=_spec.preprocessing,
        reference=Reference(params=_params, trainable=_params, params_source=_source, macs=_macs,
                            macs_source=_macs_source, top1=TOP1[_name][0], top1_source=TOP1[_name][1]),
    ))
