"""How each kind of layer is quantized: one rule per layer class, none per model.

A :class:`Rule` says two things about a layer class:

- ``rewrite(x, layer)``: an int8 form of the layer, built from layers that
  each become one TFLite op with an int8 kernel and carry their own quantizer,
  computing the same function (``None`` keeps the layer). A layer whose
  ``call`` computes several ops would otherwise get an output quantizer only,
  and the converter would leave float ops (DEQUANTIZE -> ADD/MUL -> QUANTIZE)
  inside the int8 graph.
- ``quantize``: what the kept layer gets: ``"default"`` (tfmot's 8-bit
  registry and its conv/batch-norm folding), ``"output"`` (a quantizer on its
  output), ``"passthrough"`` (none: it only moves values, keeping its input's
  scale), ``"unit"`` (a softmax: its output on the fixed 1/256 grid of
  TFLite's int8 kernel), or a function of the layer giving one of those.

Rules of the registered custom layers live beside them, in each module's
``QUANTIZATION`` table (``mobilecnn/layers/``); rules of standard Keras layers
that tfmot does not cover live here. Every function is written for either
Keras flavour, like the block library.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mobilecnn.flavours import layers_for

KINDS = ("default", "output", "passthrough", "unit")
# Activations tfmot's 8-bit registry knows (it raises on any other).
TFMOT_ACTIVATIONS = ("relu", "relu6", "swish", "gelu", "linear", "softmax", "sigmoid", "tanh")


@dataclass(frozen=True)
class Rule:
    quantize: str | Callable | None = "default"   # None: the layer must have been rewritten
    rewrite: Callable | None = None


def producer(x):
    """The layer that produced tensor ``x`` (either flavour), or None for a model input."""
    history = getattr(x, "_keras_history", None)
    if history is None:
        return None
    layer = getattr(history, "operation", None) or getattr(history, "layer", None)
    return None if type(layer).__name__ == "InputLayer" else layer


def _new_depthwise(x, kernel, weights: list[np.ndarray], name: str, strides=1):
    """A fixed (non-trainable) depthwise convolution of ``x`` with ``weights`` set."""
    conv = layers_for(x).DepthwiseConv2D(kernel, strides=strides, padding="valid", use_bias=len(weights) > 1,
                                         trainable=False, name=name)
    y = conv(x)
    conv.set_weights(weights)
    return y


def affine_as_depthwise(x, scale, offset, name: str):
    """``x * scale + offset`` (scalars or per channel) as one fixed 1x1 depthwise convolution with bias.

    TFLite writes ``Rescaling`` as MUL then ADD, two ops with one quantizer
    after both; a depthwise convolution is one int8 op, and per-channel weight
    quantization stores each scale exactly (it is its channel's largest weight).
    """
    channels = int(x.shape[-1])
    kernel = np.broadcast_to(np.asarray(scale, "float32"), (channels,)).reshape(1, 1, channels, 1)
    bias = np.broadcast_to(np.asarray(offset, "float32"), (channels,)).copy()
    return _new_depthwise(x, 1, [np.ascontiguousarray(kernel), bias], name)


def _rescaling(x, layer):
    scale, offset = np.asarray(layer.scale, "float32"), np.asarray(layer.offset, "float32")
    if len(x.shape) != 4:
        return None
    if scale.ndim == 0 and offset.ndim == 0 and (scale == 1.0 or offset == 0.0):
        return None  # one MUL or one ADD (the converter drops * 1 and + 0)
    return affine_as_depthwise(x, scale, offset, layer.name)


def batch_norm_after_identity(x, layer):
    """A batch norm that follows no convolution becomes one after a fixed identity depthwise convolution.

    tfmot folds batch norm into the convolution before it (and the converter
    makes them one op); alone, batch norm has no quantization rule and
    converts to MUL then ADD. With the identity convolution (weights 1,
    exactly representable) in front, training computes the same and the
    export is one DEPTHWISE_CONV_2D.
    """
    before = producer(layer.input)  # in the graph as built
    follows_conv = (type(before).__name__ in ("Conv2D", "DepthwiseConv2D")
                    and before.get_config().get("activation") == "linear"
                    and len(before._outbound_nodes) == 1)  # tfmot folds only a convolution nothing else reads
    if follows_conv or len(x.shape) != 4:
        return None
    channels = int(x.shape[-1])
    y = _new_depthwise(x, 1, [np.ones((1, 1, channels, 1), "float32")], f"{layer.name}_identity")
    return layer(y)


def average_pooling_as_depthwise(x, layer):
    """An average pooling as fixed depthwise convolutions: LiteRT's XNNPACK has no int8 ``AVERAGE_POOL_2D``.

    Padding-free: one depthwise convolution with weights ``1 / (k * k)``, the same sum. "same" 3x3 at
    stride 1 or 2 (Inception-v3's pool branches; NiN-CIFAR's ceil-mode pools), which leaves the padding out of
    the count: :func:`_same_average_pooling`. Other "same" poolings are kept.
    """
    if layer.data_format != "channels_last":
        return None
    if layer.padding == "same":
        if tuple(layer.pool_size) != (3, 3) or tuple(layer.strides) not in ((1, 1), (2, 2)):
            return None   # other "same" pools (none in the zoo) keep AVERAGE_POOL_2D
        return _same_average_pooling(x, layer.name, tuple(layer.strides))
    kernel = tuple(layer.pool_size)
    channels = int(x.shape[-1])
    weights = np.full((*kernel, channels, 1), 1.0 / (kernel[0] * kernel[1]), "float32")
    return _new_depthwise(x, kernel, [weights], layer.name, strides=layer.strides)


def _same_pads(size: int, stride: int) -> tuple[int, int]:
    """TensorFlow's "same" padding of a 3-wide window along one axis: (before, after), each 0 or 1 here."""
    total = max((-(-size // stride) - 1) * stride + 3 - size, 0)
    return total // 2, total - total // 2


def _same_average_pooling(x, name: str, strides: tuple[int, int] = (1, 1)):
    """3x3 "same" average pooling at stride 1 or 2 (border windows average only the pixels inside) as int8-ready
    ops; ``None`` (the pooling kept) for unequal strides.

    The border count is a product (rows inside x columns inside), so the pooling is a row average then a
    column average, each leaving the padding out. Along one axis, padding an edge with the mean of its two
    outermost lines makes a plain 3-tap average exclude the padding: at the first line,
    ``((x0 + x1) / 2 + x0 + x1) / 3 = (x0 + x1) / 2``. "same" pads each edge by at most one line (stride 1:
    both; stride 2: the end, and the start too for an odd length). Each padded edge is a 2-line crop and a
    fixed 2-tap depthwise convolution (weights 1/2), then a concatenation; the rows are padded first, then the
    columns of the row-padded map (a column pad commutes with the row average: both are linear and act on
    different axes), and one fixed 3x3 depthwise convolution (weights 1/9, exact in per-channel int8) at the
    stride averages both: standard layers XNNPACK runs in int8, with their own quantizers. An axis of length 1
    averages one pixel (identity): it is neither padded nor averaged (kernel 1 along it).

    One 3x3 convolution at (s, s) rather than a row pass at (s, 1) then a column pass at (1, s): TensorFlow's
    CPU depthwise kernel takes equal strides only (without oneDNN, as on AMD CPUs, unequal ones raise).
    """
    if strides[0] != strides[1]:
        return None
    L = layers_for(x)
    channels = int(x.shape[-1])
    kernel = tuple(3 if int(x.shape[axis]) > 1 else 1 for axis in (1, 2))
    for axis, tag in ((1, "rows"), (2, "cols")):
        size = int(x.shape[axis])
        if size == 1:
            continue
        tap2 = (2, 1) if axis == 1 else (1, 2)
        before, after = _same_pads(size, strides[0])
        crops = {"first": ((0, size - 2), before), "last": ((size - 2, 0), after)}
        parts = {}
        for end, ((top, bottom), wanted) in crops.items():
            if not wanted:
                continue
            cropping = ((top, bottom), (0, 0)) if axis == 1 else ((0, 0), (top, bottom))
            edge = L.Cropping2D(cropping, name=f"{name}_{tag}_{end}")(x)
            parts[end] = _new_depthwise(edge, tap2, [np.full((*tap2, channels, 1), 0.5, "float32")],
                                        f"{name}_{tag}_{end}_pad")
        sequence = [t for t in (parts.get("first"), x, parts.get("last")) if t is not None]
        x = L.Concatenate(axis=axis, name=f"{name}_{tag}_padded")(sequence) if len(sequence) > 1 else x
    weights = np.full((*kernel, channels, 1), 1.0 / (kernel[0] * kernel[1]), "float32")
    return _new_depthwise(x, kernel, [weights], name, strides=strides)


# A strided convolution over at most this many input channels, with a kernel at least 2 x stride + 1 wide (an
# image stem: SqueezeNet 1.0's 7x7/2, ResNet's 7x7/2, AlexNet's 11x11/4), is rewritten for int8 export.
SPACE_TO_DEPTH_MAX_CHANNELS = 4


def strided_conv_as_space_to_depth(x, layer):
    """A stride-``s`` convolution of a few-channel input as space to depth (block ``s``) and a stride-1
    convolution of ``ceil(k / s)`` taps over ``s * s`` times the channels: the same sums (each original weight
    moved, the taps past the kernel's edge zero), so per-channel int8 weights quantize the same.

    XNNPACK's int8 convolution reads input channels in groups of 8 per kernel tap, so a 3-channel image stem
    does 8/3 of its work on padding, where float reads them one by one: measured at 2 threads on an AMD Zen 3
    CPU, a 7x7/2 convolution of a 224x224x3 image into 96 channels (SqueezeNet 1.0's stem) takes 8.7 ms in int8
    against 2.8 ms in float; as space to depth and a 4x4 convolution over 12 channels, 4.4 ms (float 2.7). A
    3x3/2 stem gains little (16 channels out: 0.31 against 0.31 ms), hence the kernel bound. The explicit
    padding of a "same" convolution comes first (zero padding, extended to a multiple of ``s``; a last output
    row or column that only the extension would make is cropped). Float exports keep the convolution.
    """
    if type(layer).__name__ != "Conv2D" or len(x.shape) != 4 or layer.data_format != "channels_last":
        return None
    s, kernel_size = tuple(layer.strides), tuple(layer.kernel_size)
    if (s[0] != s[1] or s[0] < 2 or tuple(layer.dilation_rate) != (1, 1) or getattr(layer, "groups", 1) != 1
            or int(x.shape[-1]) > SPACE_TO_DEPTH_MAX_CHANNELS or min(kernel_size) < 2 * s[0] + 1):
        return None
    from mobilecnn.flavours import flavour_of
    from mobilecnn.layers import custom_layers

    s = s[0]
    L = layers_for(x)
    channels = int(x.shape[-1])

    def pads(size: int, k: int) -> tuple[int, int]:
        total = 0 if layer.padding == "valid" else max((-(-size // s) - 1) * s + k - size, 0)
        return total // 2, total - total // 2

    sizes = (int(x.shape[1]), int(x.shape[2]))
    (top, bottom), (left, right) = (pads(n, k) for n, k in zip(sizes, kernel_size, strict=True))
    wanted = [(n + a + b - k) // s + 1
              for n, a, b, k in zip(sizes, (top, left), (bottom, right), kernel_size, strict=True)]
    bottom += -(sizes[0] + top + bottom) % s
    right += -(sizes[1] + left + right) % s
    y = x
    if top or bottom or left or right:
        y = L.ZeroPadding2D(((top, bottom), (left, right)), name=f"{layer.name}_pad")(y)
    y = custom_layers(flavour_of(x)).SpaceToDepth(s, name=f"{layer.name}_s2d")(y)
    weights = layer.get_weights()
    kernel = weights[0]
    taps = (-(-kernel_size[0] // s), -(-kernel_size[1] // s))
    moved = np.zeros((*taps, s * s * channels, kernel.shape[-1]), kernel.dtype)
    for p in range(s):
        for q in range(s):
            part = kernel[p::s, q::s]
            moved[:part.shape[0], :part.shape[1], (p * s + q) * channels:(p * s + q + 1) * channels] = part
    conv = L.Conv2D(layer.filters, taps, padding="valid", use_bias=layer.use_bias, activation=layer.activation,
                    name=layer.name)
    y = conv(y)
    conv.set_weights([moved, *weights[1:]])
    extra = (int(y.shape[1]) - wanted[0], int(y.shape[2]) - wanted[1])
    if any(extra):
        y = L.Cropping2D(((0, extra[0]), (0, extra[1])), name=f"{layer.name}_crop")(y)
    return y


FUSES_ACTIVATION = ("Conv2D", "DepthwiseConv2D", "SeparableConv2D", "BatchNormalization", "Dense", "Add")


def relu_as_depthwise(x, layer):
    """A ReLU the converter cannot fuse into the op before it, as a fixed identity 1x1 depthwise convolution
    with the ReLU fused (weights 1, exactly representable).

    TFLite fuses a ReLU into a convolution (after batch-norm folding), dense or addition that only it reads;
    otherwise (Xception: the sum of a block is both the next block's shortcut and, through a ReLU, its input)
    the int8 graph keeps a standalone RELU, whose output scale differs from its input's, and LiteRT's XNNPACK
    leaves it out (measured: 11 RELUs, 12 partitions in Xception int8). The depthwise form is one int8 op
    XNNPACK takes, and computes the same.
    """
    if (layer.get_config().get("max_value") is not None or float(layer.negative_slope) != 0.0
            or float(layer.threshold) != 0.0 or len(x.shape) != 4):
        return None
    before = producer(layer.input)  # in the graph as built
    if type(before).__name__ in FUSES_ACTIVATION and len(before._outbound_nodes) == 1:
        return None
    channels = int(x.shape[-1])
    conv = layers_for(x).DepthwiseConv2D(1, padding="valid", use_bias=False, activation="relu", trainable=False,
                                         name=layer.name)
    y = conv(x)
    conv.set_weights([np.ones((1, 1, channels, 1), "float32")])
    return y


def _activation(layer) -> str:
    name = layer.get_config()["activation"]
    return "default" if name in TFMOT_ACTIVATIONS else "output"


STANDARD = {
    "Rescaling": Rule(quantize="output", rewrite=_rescaling),
    "BatchNormalization": Rule(rewrite=batch_norm_after_identity),
    "AveragePooling2D": Rule(rewrite=average_pooling_as_depthwise),
    "Multiply": Rule(quantize="output"),        # squeeze-excite, hard-swish: tfmot has no rule
    "Dot": Rule(quantize="output"),             # attention's batched matmuls (MobileNetV4 hybrids): tfmot has no rule
    "Softmax": Rule(quantize="unit"),           # attention weights: tfmot leaves them unquantized; int8 TFLite writes
                                                # them at scale 1/256
    "Activation": Rule(quantize=_activation),
    "ReLU": Rule(rewrite=relu_as_depthwise),
}


@functools.cache
def rules() -> dict[str, Rule]:
    """Every rule by layer class name: the standard layers' and each custom layer module's ``QUANTIZATION``."""
    import mobilecnn.layers as package

    table = dict(STANDARD)
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for name, spec in getattr(module, "QUANTIZATION", {}).items():
            if name in table:
                raise ValueError(f"quantization rule for {name} is defined twice")
            table[name] = Rule(**spec)
    return table


def rule_for(layer) -> Rule:
    return rules().get(type(layer).__name__, Rule())


def quantize_kind(layer) -> str:
    """One of :data:`KINDS` for a layer left after the rewrites."""
    kind = rule_for(layer).quantize
    if callable(kind):
        kind = kind(layer)
    if kind not in KINDS:
        raise ValueError(f"layer {layer.name} ({type(layer).__name__}) must be rewritten before quantization, "
                         "and was not")
    return kind
