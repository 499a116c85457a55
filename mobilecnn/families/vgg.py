"""VGG-11/13/16/19 (Simonyan & Zisserman 2014, Table 1, configurations A, B, D, E), with and without batch norm.

Stacks of 3x3 convolutions ("same" padding), 2x2 max pooling after each
block, then two 4096-wide fully connected layers with dropout 0.5 (sec. 2.1,
3.1). ``-bn`` names add batch norm after every convolution, as torchvision's
``vgg*_bn`` (the convolutions keep their biases). The flattened features feed
``fc1`` directly, as in keras.applications, so its size follows the input
resolution (torchvision pools to 7x7 first; the two agree at 224). Layer
names and weights layout follow keras.applications ``VGG16``/``VGG19``,
whose Caffe weights take BGR input: copying them turns the first
convolution to RGB, and our preprocessing subtracts the ImageNet mean in RGB
order (the paper's only preprocessing, sec. 2.1).
"""

from __future__ import annotations

from mobilecnn.blocks.core import BatchNorm, conv_bn
from mobilecnn.builder import Network
from mobilecnn.families._conventions import CAFFE
from mobilecnn.flavours import layers_for
from mobilecnn.registry import ModelEntry, Reference, register

CONFIGS = {  # Simonyan & Zisserman 2014, Table 1: 3x3 convolutions per block (widths 64, 128, 256, 512, 512)
    11: (1, 1, 2, 2, 2),   # A
    13: (2, 2, 2, 2, 2),   # B
    16: (2, 2, 3, 3, 3),   # D
    19: (2, 2, 4, 4, 4),   # E
}
WIDTHS = (64, 128, 256, 512, 512)
FC = (4096, 4096)
BN = BatchNorm(epsilon=1e-5)  # torchvision's BatchNorm2d default


def build_vgg(net: Network, *, depth: int, batch_norm: bool):
    inputs = net.input()
    x = net.preprocess(inputs)
    for b, (convs, width) in enumerate(zip(CONFIGS[depth], WIDTHS, strict=True), start=1):
        for c in range(1, convs + 1):
            name = f"block{b}_conv{c}"
            x = conv_bn(x, width, 3, act="relu", bn=BN if batch_norm else None, use_bias=True,
                        names=(name, f"{name}_bn", f"{name}_relu"))
        x = layers_for(x).MaxPooling2D(2, 2, name=f"block{b}_pool")(x)
    x = net.flat_head(x, FC, ("fc1", "fc2"))
    return net.model(inputs, x, f"vgg{depth}{'_bn' if batch_norm else ''}")


PAPER = ("Simonyan & Zisserman 2014, Very Deep Convolutional Networks for Large-Scale Image Recognition "
         "(arXiv:1409.1556)")
# torchvision VGG*_Weights meta: (num_params, _ops GFLOPS = multiply-adds at 224x224), plain and batch-norm.
TORCHVISION = {
    11: ((132_863_336, 7.609), (132_868_840, 7.609)),
    13: ((133_047_848, 11.308), (133_053_736, 11.308)),
    16: ((138_357_544, 15.47), (138_365_992, 15.47)),
    19: ((143_667_240, 19.632), (143_678_248, 19.632)),
}

# torchvision VGG*_Weights.IMAGENET1K_V1 acc@1 (%): (plain, with batch norm)
TOP1 = {11: (69.02, 70.37), 13: (69.928, 71.586), 16: (71.592, 73.36), 19: (72.376, 74.218)}

for _depth, _convs in CONFIGS.items():
    # Batch-norm channels: each conv's width; Keras keeps their moving mean and variance as non-trainable weights.
    _bn_stats = 2 * sum(n * w for n, w in zip(_convs, WIDTHS, strict=True))
    for _bn in (False, True):
        _params, _gflops = TORCHVISION[_depth][_bn]
        _tv = f"VGG{_depth}{'_BN' if _bn else ''}_Weights"
        _keras = None if _bn or _depth not in (16, 19) else f"VGG{_depth}"
        _also = (f" (+ {_bn_stats:,} batch-norm statistics)" if _bn
                 else f" = keras.applications.{_keras}(weights=None)" if _keras else "")
        register(ModelEntry(
            name=f"vgg-{_depth}{'-bn' if _bn else ''}", family="vgg", builder=build_vgg, resolution=224,
            paper=PAPER, fixed={"depth": _depth, "batch_norm": _bn}, dropout_rate=0.5, preprocessing=CAFFE,
            reference=Reference(
                params=_params + (_bn_stats if _bn else 0), trainable=_params,
                params_source=f"torchvision {_tv} meta: num_params {_params:,}{_also}",
                macs=_gflops * 1e9, macs_source=f"torchvision {_tv} meta: _ops {_gflops} GFLOPS (224x224)",
                top1=TOP1[_depth][_bn], top1_source=f"torchvision {_tv}.IMAGENET1K_V1 meta: acc@1 "
                                                    f"{TOP1[_depth][_bn]} (ImageNet-1k validation, 224x224 "
                                                    "crop of 256)",
            ),
            keras_application=_keras, keras_application_bgr=_keras is not None,
        ))
