"""ShuffleNet units: V1 (Zhang et al. 2017, Fig. 2) and V2 (Ma et al. 2018, Fig. 3).

Plain functions over the functional API, like :mod:`mobilecnn.blocks.core`.
Channel shuffle and the V2 channel split are the registered weightless layers
of :mod:`mobilecnn.layers.channel_shuffle` (rank-4 tensors only, so the LiteRT
GPU delegate takes them). Strided 3x3 convolutions and pools are padded by one
pixel on every side, as the PyTorch references (torchvision, the authors' code)
pad them: TensorFlow's "same" would pad only bottom/right and shift the
sampling grid, so their weights would not carry over. Layer names are
``{prefix}`` plus a fixed suffix; the V2 names follow torchvision's
``branch1``/``branch2`` modules.
"""

from __future__ import annotations

from mobilecnn.blocks.core import BatchNorm, activation, conv_bn, depthwise_bn
from mobilecnn.flavours import flavour_of, layers_for
from mobilecnn.layers import custom_layers


def _torch_padding(x, stride: int, name: str):
    """``(x, padding)`` for a 3x3 window: PyTorch's ``padding=1`` made explicit at stride 2."""
    if stride == 1:
        return x, "same"
    return layers_for(x).ZeroPadding2D(1, name=name)(x), "valid"


def shufflenet_stem(x, filters: int, *, bn: BatchNorm):
    """3x3 stride-2 convolution with batch norm and ReLU, then 3x3 stride-2 max pooling (conv1, maxpool)."""
    x, padding = _torch_padding(x, 2, "conv1_pad")
    x = conv_bn(x, filters, 3, 2, padding=padding, act="relu", bn=bn, names=("conv1", "conv1_bn", "conv1_relu"))
    x, padding = _torch_padding(x, 2, "maxpool_pad")  # zeros: exact after the ReLU
    return layers_for(x).MaxPooling2D(3, 2, padding=padding, name="maxpool")(x)


def channel_shuffle(x, groups: int, name: str):
    """Channel shuffle of ``groups`` groups (Zhang et al. 2017, sec. 3.1); identity for one group."""
    if groups == 1:
        return x
    return custom_layers(flavour_of(x)).ChannelShuffle(groups, name=name)(x)


def channel_slice(x, start: int, stop: int, name: str):
    """Channels ``[start, stop)`` of ``x``."""
    return custom_layers(flavour_of(x)).ChannelSlice(start, stop, name=name)(x)


def shufflenet_v1_unit(x, *, out: int, groups: int, stride: int, prefix: str, bn: BatchNorm,
                       group_first: bool = True):
    """ShuffleNet unit (Zhang et al. 2017, Fig. 2b, 2c).

    1x1 group convolution to ``out / 4`` bottleneck channels, batch norm, ReLU,
    channel shuffle, 3x3 depthwise convolution (``stride``) with batch norm and
    no ReLU, 1x1 group convolution with batch norm. Stride 1 adds the input and
    applies ReLU; stride 2 concatenates a 3x3 average-pooled shortcut with the
    ReLU of the branch, which then has ``out`` less the input's channels.
    ``group_first=False`` leaves the first 1x1 ungrouped (the first unit of
    stage 2, whose input has too few channels, sec. 3.3).
    """
    L = layers_for(x)
    p = prefix
    in_channels = x.shape[-1]
    mid = out // 4
    branch_out = out - in_channels if stride == 2 else out
    first_groups = groups if group_first else 1
    for name, channels, g in (("bottleneck", mid, first_groups), ("expand", branch_out, groups)):
        if channels % g:
            raise ValueError(f"{p}{name}: {channels} channels do not split into {g} groups")
    if stride == 1 and in_channels != out:
        raise ValueError(f"{p}: a stride-1 unit keeps its width, got {in_channels} -> {out} channels")

    y = conv_bn(x, mid, 1, groups=first_groups, act="relu", bn=bn,
                names=(f"{p}gconv1", f"{p}gconv1_bn", f"{p}gconv1_relu"))
    y = channel_shuffle(y, groups, f"{p}shuffle")
    y, padding = _torch_padding(y, stride, f"{p}dwconv_pad")
    y = depthwise_bn(y, 3, stride, padding=padding, act=None, bn=bn, names=(f"{p}dwconv", f"{p}dwconv_bn", None))
    y = conv_bn(y, branch_out, 1, groups=groups, act=None, bn=bn, names=(f"{p}gconv2", f"{p}gconv2_bn", None))
    if stride == 1:
        y = L.Add(name=f"{p}add")([x, y])
        return activation(y, "relu", f"{p}relu")
    # Zero padding counted in the average, as PyTorch's AvgPool2d(3, 2, padding=1) counts it.
    shortcut, padding = _torch_padding(x, stride, f"{p}shortcut_pad")
    shortcut = L.AveragePooling2D(3, stride, padding=padding, name=f"{p}shortcut_pool")(shortcut)
    y = activation(y, "relu", f"{p}relu")
    return L.Concatenate(name=f"{p}concat")([shortcut, y])


def shufflenet_v2_unit(x, *, out: int, stride: int, prefix: str, bn: BatchNorm):
    """ShuffleNet V2 unit (Ma et al. 2018, Fig. 3c, 3d), as torchvision's ``InvertedResidual``.

    Stride 1: split the channels in half; the second half goes through 1x1
    conv-BN-ReLU, 3x3 depthwise conv-BN, 1x1 conv-BN-ReLU; concatenate with the
    first half. Stride 2: no split; branch 1 is 3x3 depthwise (stride 2)
    conv-BN then 1x1 conv-BN-ReLU, branch 2 as above with a strided depthwise.
    Either way a channel shuffle of two groups follows the concatenation.
    """
    L = layers_for(x)
    p = prefix
    in_channels = x.shape[-1]
    half = out // 2
    if out % 2 or (stride == 1 and in_channels != out):
        raise ValueError(f"{p}: a ShuffleNet V2 unit needs an even width, kept at stride 1; "
                         f"got {in_channels} -> {out} channels at stride {stride}")
    if stride == 1:
        left = channel_slice(x, 0, half, f"{p}split_left")
        right = channel_slice(x, half, in_channels, f"{p}split_right")
    else:
        left, padding = _torch_padding(x, stride, f"{p}branch1_dwconv_pad")
        left = depthwise_bn(left, 3, stride, padding=padding, act=None, bn=bn,
                            names=(f"{p}branch1_dwconv", f"{p}branch1_dwconv_bn", None))
        left = conv_bn(left, half, 1, act="relu", bn=bn,
                       names=(f"{p}branch1_conv", f"{p}branch1_conv_bn", f"{p}branch1_conv_relu"))
        right = x
    right = conv_bn(right, half, 1, act="relu", bn=bn,
                    names=(f"{p}branch2_conv1", f"{p}branch2_conv1_bn", f"{p}branch2_conv1_relu"))
    right, padding = _torch_padding(right, stride, f"{p}branch2_dwconv_pad")
    right = depthwise_bn(right, 3, stride, padding=padding, act=None, bn=bn,
                         names=(f"{p}branch2_dwconv", f"{p}branch2_dwconv_bn", None))
    right = conv_bn(right, half, 1, act="relu", bn=bn,
                    names=(f"{p}branch2_conv2", f"{p}branch2_conv2_bn", f"{p}branch2_conv2_relu"))
    y = L.Concatenate(name=f"{p}concat")([left, right])
    return channel_shuffle(y, 2, f"{p}shuffle")
