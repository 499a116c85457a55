"""SqueezeNet 1.0 and 1.1 (Iandola et al. 2016, "SqueezeNet: AlexNet-level accuracy with 50x fewer parameters").

A strided convolution, then Fire modules with max pooling between them,
dropout 0.5, a 1x1 convolution to the classes with ReLU, and global average
pooling (sec. 3.3). 1.0 is the paper's Table 1; 1.1 is the authors'
repository's (DeepScale/SqueezeNet, SqueezeNet_v1.1): a 3x3 conv1 of 64
channels and the pooling moved earlier, 2.4x less computation for the same
accuracy. Pooling rounds output sizes up, as Caffe and torchvision do; with
convolutions unpadded, as theirs. ``simple_bypass=True`` adds the paper's
identity shortcuts around Fire modules 3, 5, 7 and 9 (sec. 6, Table 4).
"""

from __future__ import annotations

from dataclasses import dataclass

from mobilecnn.blocks.classic import pool
from mobilecnn.blocks.core import conv_bn
from mobilecnn.blocks.fire import fire
from mobilecnn.builder import Network
from mobilecnn.families._conventions import TORCH
from mobilecnn.flavours import layers_for
from mobilecnn.registry import ModelEntry, Reference, register


@dataclass(frozen=True)
class Fire:
    index: int           # the paper's module number (fire2 ... fire9)
    squeeze: int         # s1x1
    expand1x1: int       # e1x1
    expand3x3: int       # e3x3
    pool_after: bool = False


@dataclass(frozen=True)
class Layout:
    conv1: int           # filters
    conv1_kernel: int    # stride 2, no padding
    fires: tuple[Fire, ...]


LAYOUTS = {
    "1.0": Layout(96, 7, (  # Iandola et al. 2016, Table 1
        Fire(2, 16, 64, 64), Fire(3, 16, 64, 64), Fire(4, 32, 128, 128, pool_after=True),
        Fire(5, 32, 128, 128), Fire(6, 48, 192, 192), Fire(7, 48, 192, 192), Fire(8, 64, 256, 256, pool_after=True),
        Fire(9, 64, 256, 256),
    )),
    "1.1": Layout(64, 3, (  # DeepScale/SqueezeNet SqueezeNet_v1.1/train_val.prototxt
        Fire(2, 16, 64, 64), Fire(3, 16, 64, 64, pool_after=True),
        Fire(4, 32, 128, 128), Fire(5, 32, 128, 128, pool_after=True),
        Fire(6, 48, 192, 192), Fire(7, 48, 192, 192), Fire(8, 64, 256, 256), Fire(9, 64, 256, 256),
    )),
}
SIMPLE_BYPASS = (3, 5, 7, 9)  # sec. 6: bypass around the Fire modules whose input and output widths agree


def build_squeezenet(net: Network, *, version: str, simple_bypass: bool = False):
    if not isinstance(simple_bypass, bool):
        raise ValueError(f"simple_bypass must be True or False, got {simple_bypass!r}")
    layout = LAYOUTS[version]
    inputs = net.input()
    x = net.preprocess(inputs)
    x = conv_bn(x, layout.conv1, layout.conv1_kernel, 2, padding="valid", act="relu", bn=None,
                names=("conv1", None, "conv1_relu"))
    x = pool(x, "max", 3, 2, name="pool1", ceil_mode=True)
    for f in layout.fires:
        x = fire(x, squeeze=f.squeeze, expand1x1=f.expand1x1, expand3x3=f.expand3x3, prefix=f"fire{f.index}_",
                 bypass=simple_bypass and f.index in SIMPLE_BYPASS)
        if f.pool_after:
            x = pool(x, "max", 3, 2, name=f"pool{f.index}", ceil_mode=True)
    if net.include_top:
        L = layers_for(x)
        x = net.dropout(x, name="drop9")
        x = conv_bn(x, net.num_classes, 1, act="relu", bn=None, names=("conv10", None, "conv10_relu"))
        x = L.GlobalAveragePooling2D(name="pool10")(x)
        x = L.Activation(net.classifier_activation, name="predictions")(x)
    else:
        x = net.pool(x)
    suffix = "_bypass" if simple_bypass else ""
    return net.model(inputs, x, f"squeezenet_{version.replace('.', '_')}{suffix}")


PAPER = ("Iandola et al. 2016, SqueezeNet: AlexNet-level accuracy with 50x fewer parameters and <0.5MB model "
         "size (arXiv:1602.07360)")
# torchvision SqueezeNet1_*_Weights meta: (num_params, _ops GFLOPS = multiply-adds at 224x224).
TORCHVISION = {"1.0": (1_248_424, 0.819), "1.1": (1_235_496, 0.349)}
TOP1 = {"1.0": 58.092, "1.1": 58.178}  # torchvision SqueezeNet1_*_Weights.IMAGENET1K_V1 acc@1
# The least input each pools down to 1x1 (the last pooling window overhangs a 2x2 map):
# torchvision's min_size for SqueezeNet1_0 and SqueezeNet1_1.
MIN_RESOLUTION = {"1.0": 21, "1.1": 17}

for _version, (_params, _gflops) in TORCHVISION.items():
    _tv = f"SqueezeNet{_version.replace('.', '_')}_Weights"
    register(ModelEntry(
        name=f"squeezenet-{_version}", family="squeezenet", builder=build_squeezenet, resolution=224,
        paper=PAPER, fixed={"version": _version}, options={"simple_bypass": False}, dropout_rate=0.5,
        min_resolution=MIN_RESOLUTION[_version], preprocessing=TORCH,
        reference=Reference(
            params=_params, params_source=f"torchvision {_tv} meta: num_params {_params:,}",
            macs=_gflops * 1e9, macs_source=f"torchvision {_tv} meta: _ops {_gflops} GFLOPS (224x224)",
            top1=TOP1[_version], top1_source=f"torchvision {_tv}.IMAGENET1K_V1 meta: acc@1 {TOP1[_version]} "
                                             "(ImageNet-1k validation, 224x224 crop of 256)",
        ),
    ))
