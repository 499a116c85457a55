"""Blocks of the pre-residual nets (LeNet, AlexNet, ZFNet, VGG, NiN, GoogLeNet).

Pooling with Caffe's output sizes, local response normalization and the
fully connected classifier stacks. Plain functions over the functional API,
like :mod:`mobilecnn.blocks.core`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mobilecnn.blocks.core import activation
from mobilecnn.flavours import flavour_of, layers_for
from mobilecnn.layers import custom_layers


@dataclass(frozen=True)
class LRN:
    """Local response normalization in the paper's terms (Krizhevsky et al. 2012, sec. 3.3)."""

    size: int = 5               # n: channels in the window
    alpha: float = 1e-4
    beta: float = 0.75
    bias: float = 2.0           # k
    alpha_over_size: bool = False  # Caffe/PyTorch convention: alpha is divided by n


def local_response_norm(x, spec: LRN, name: str):
    """Across-channel LRN as one weightless custom layer (TFLite ``LOCAL_RESPONSE_NORMALIZATION``)."""
    layer = custom_layers(flavour_of(x)).LocalResponseNormalization
    return layer(size=spec.size, alpha=spec.alpha, beta=spec.beta, bias=spec.bias,
                 alpha_over_size=spec.alpha_over_size, name=name)(x)


def local_response_norm_decomposed(x, spec: LRN, name: str):
    """LRN as layers int8 kernels run, each with its own quantizer: the int8 form of :func:`local_response_norm`.

    ``x * exp(-beta * log(k + alpha * window_sum(x * x)))``: the square is a
    ``Multiply``, the window sum (times ``alpha``, plus ``k``) a fixed 1x1
    convolution with a banded kernel, the power ``exp(-beta * log(.))`` a
    ``Log``, a ``Rescaling`` and an exponential ``Activation``. TFLite's
    ``LOCAL_RESPONSE_NORMALIZATION`` and ``POW`` have float kernels only;
    ``MUL``, ``CONV_2D``, ``LOG`` and ``EXP`` have int8 ones. The output is the
    layer's to within float rounding; ``name`` names the final ``Multiply``.
    """
    L = layers_for(x)
    channels = int(x.shape[-1])
    alpha = spec.alpha / spec.size if spec.alpha_over_size else spec.alpha
    radius = spec.size // 2
    index = np.arange(channels)
    band = (np.abs(index[:, None] - index[None, :]) <= radius).astype("float32") * alpha
    squares = L.Multiply(name=f"{name}_square")([x, x])
    window = L.Conv2D(channels, 1, use_bias=True, trainable=False, name=f"{name}_window_sum")
    denominator = window(squares)
    window.set_weights([band[None, None], np.full((channels,), spec.bias, "float32")])
    y = custom_layers(flavour_of(x)).Log(name=f"{name}_log")(denominator)
    y = L.Rescaling(-spec.beta, name=f"{name}_power")(y)
    y = L.Activation("exponential", name=f"{name}_exp")(y)
    return L.Multiply(name=name)([x, y])


def _ceil_padding(n: int, size: int, stride: int) -> int:
    """Bottom/right padding that gives Caffe's ``ceil((n - size) / stride) + 1`` outputs."""
    out = math.ceil((n - size) / stride) + 1
    return max(0, (out - 1) * stride + size - n)


def pool(x, kind: str, size: int, stride: int, *, name: str, ceil_mode: bool = False):
    """Max or average pooling without padding; ``ceil_mode`` rounds the output size up, as Caffe does.

    Caffe (and PyTorch's ``ceil_mode=True``) lets the last window overhang the
    bottom and right edges. Where that overhang is what TensorFlow's "same"
    padding adds, one "same" pooling layer computes it exactly (TensorFlow
    leaves padding out of maxima and averages). Otherwise (an odd height with
    an even width, say) max pooling is written as zero padding and a "valid"
    pooling, exact for the non-negative activations these nets pool.
    """
    L = layers_for(x)
    if kind not in ("max", "avg"):
        raise ValueError(f"pooling kind must be 'max' or 'avg', got {kind!r}")
    layer = L.MaxPooling2D if kind == "max" else L.AveragePooling2D
    height, width = x.shape[1], x.shape[2]
    rounding = math.ceil if ceil_mode else math.floor
    if min(rounding((n - size) / stride) + 1 for n in (height, width)) < 1:
        raise ValueError(f"{name}: a {height}x{width} map is too small for {size}x{size} pooling; "
                         "use a larger input resolution")
    if not ceil_mode:
        return layer(size, stride, padding="valid", name=name)(x)
    pads = (_ceil_padding(height, size, stride), _ceil_padding(width, size, stride))
    if pads == (0, 0):
        return layer(size, stride, padding="valid", name=name)(x)
    same = [max(0, (math.ceil(n / stride) - 1) * stride + size - n) for n in (height, width)]
    if list(pads) == same and max(pads) < 2:  # "same" pads bottom/right only: Caffe's overhang
        return layer(size, stride, padding="same", name=name)(x)
    if kind == "avg":
        raise ValueError(f"{name}: ceil-mode average pooling of a {height}x{width} map is not supported; "
                         "use a square input")
    x = L.ZeroPadding2D(((0, pads[0]), (0, pads[1])), name=f"{name}_pad")(x)
    return layer(size, stride, padding="valid", name=name)(x)


def dense_stack(x, units: Sequence[int], names: Sequence[str], *, act: str, dropout: float = 0.0):
    """Fully connected layers, each followed by its activation and dropout (``{name}_dropout``)."""
    L = layers_for(x)
    for width, name in zip(units, names, strict=True):
        x = L.Dense(width, name=name)(x)
        x = activation(x, act, f"{name}_{act}" if act not in (None, "linear") else name)
        if dropout > 0:
            x = L.Dropout(dropout, name=f"{name}_dropout")(x)
    return x
