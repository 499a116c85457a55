"""Precision-specific graph rewrites, done on the built graph (never a second copy of a block).

Each rewrite computes exactly what the layer it replaces computes, in ops the
target runtime accelerates:

- A fixed batch size (1 by default): the GPU delegate and most accelerators
  need static shapes, and a known batch keeps shape-computing ops out of the
  converted graph.
- int8: hard-swish is written as ``relu6(x + 3) * (x / 6)`` in separate
  layers: TFLite would otherwise fuse it into ``HARD_SWISH``, which LiteRT's
  XNNPACK does not run in int8. Float keeps the fused op (10-15% faster).
- int8: a padding-free ``AveragePooling2D`` (ShuffleNet V1's shortcut, after
  its explicit zero padding) becomes a depthwise convolution with constant
  ``1 / (k * k)`` weights: LiteRT's XNNPACK has no int8 ``AVERAGE_POOL_2D``,
  and the depthwise form is the same sum. A "same" 3x3 stride-1 pool
  (Inception-v3's, whose border windows leave the padding out of the count)
  becomes a row then a column average over the map padded with its edge's
  mean (``mobilecnn.quantization.rules``).
- int8: a ReLU the converter cannot fuse into the op before it (Xception's, after an addition that the
  next block also reads) becomes a fixed identity 1x1 depthwise convolution with the ReLU fused: LiteRT's
  XNNPACK does not take a standalone int8 ``RELU``.
- every precision: local response normalization (AlexNet, ZFNet, GoogLeNet) becomes a square, a banded 1x1
  convolution (the window sum, times alpha, plus k), ``exp(-beta * log(.))`` and a product
  (``mobilecnn.blocks.classic.local_response_norm_decomposed``): LiteRT's XNNPACK has no
  ``LOCAL_RESPONSE_NORMALIZATION`` kernel, and runs every one of those ops in float (one partition). In int8
  its ``LOG`` and ``EXP`` have no int8 XNNPACK kernel (for no form of the power ``d ** -beta``: ``LOG``,
  ``EXP``, ``POW``, ``RSQRT``, ``SQRT``, measured, LiteRT 2.3): the int8 export computes them in float inside
  XNNPACK (export/convert.py's float islands); a full-integer export runs them in TFLite's int8 lookup-table
  kernels, which is 2.1x faster than the fused op's float island (GoogLeNet int8 at 224, 2 threads: 14.2
  against 30.5 ms, float32 48.1 ms, timed together; cosine 0.9991 with the Keras logits).
- int8: a strided convolution of a few-channel input with a large kernel (an image stem: SqueezeNet 1.0's and
  ResNet's 7x7/2, AlexNet's 11x11/4) becomes space to depth and a stride-1 convolution over more channels
  (``mobilecnn.quantization.rules.strided_conv_as_space_to_depth``): XNNPACK's int8 convolution pads each kernel
  tap's input channels to 8, so a 3-channel stem does 8/3 of its work on padding (SqueezeNet 1.0's stem: 8.7 ms
  int8 against 2.8 ms float; rewritten, 4.4 ms).
- float16 (the GPU delegate's precision): a grouped convolution whose groups
  do not hold a multiple of 4 channels (ShuffleNet V1 at most widths) is split
  into one convolution per group and a concatenation. The LiteRT GPU
  accelerator computes grouped convolutions in slices of 4 channels and
  aborts on other group sizes (measured: 60 -> 30 channels in 3 groups).
"""

from __future__ import annotations

from collections.abc import Callable

import keras

from mobilecnn.blocks import hard_swish_decomposed
from mobilecnn.layers import custom_layers
from mobilecnn.layers.local_response_norm import decomposed_form
from mobilecnn.quantization.rules import average_pooling_as_depthwise, relu_as_depthwise, strided_conv_as_space_to_depth
from mobilecnn.rewrite import rewrite

GPU_CHANNEL_SLICE = 4   # the LiteRT GPU accelerator's channel vector width


def _hard_swish(x, layer):
    return hard_swish_decomposed(x, layer.name)


def _split_groups(x, layer):
    groups = getattr(layer, "groups", 1)
    cin, cout = int(x.shape[-1]), layer.filters
    if groups == 1 or (cin // groups) % GPU_CHANNEL_SLICE == 0 and (cout // groups) % GPU_CHANNEL_SLICE == 0:
        return None
    per_in, per_out = cin // groups, cout // groups
    weights = layer.get_weights()
    kernel, bias = weights[0], (weights[1] if layer.use_bias else None)
    slice_layer = custom_layers("keras").ChannelSlice
    outputs = []
    for g in range(groups):
        part = slice_layer(g * per_in, (g + 1) * per_in, name=f"{layer.name}_in{g}")(x)
        conv = keras.layers.Conv2D(per_out, layer.kernel_size, strides=layer.strides, padding=layer.padding,
                                   dilation_rate=layer.dilation_rate, use_bias=layer.use_bias,
                                   activation=layer.activation, name=f"{layer.name}_group{g}")
        outputs.append(conv(part))
        out = slice(g * per_out, (g + 1) * per_out)
        conv.set_weights([kernel[..., out]] + ([bias[out]] if bias is not None else []))
    return keras.layers.Concatenate(name=layer.name)(outputs)


# precision -> layer class name -> function(input tensor, layer) giving the equivalent output, or None to keep it
EVERY_PRECISION: dict[str, Callable] = {"LocalResponseNormalization": decomposed_form}
REWRITES: dict[str, dict[str, Callable]] = {
    "int8": {**EVERY_PRECISION, "HardSwish": _hard_swish, "AveragePooling2D": average_pooling_as_depthwise,
             "ReLU": relu_as_depthwise, "Conv2D": strided_conv_as_space_to_depth},
    "float32": dict(EVERY_PRECISION),
    "float16": {**EVERY_PRECISION, "Conv2D": _split_groups},
    "dynamic": dict(EVERY_PRECISION),
}


def rewritten(model: keras.Model, precision: str) -> keras.Model:
    """``model`` with the precision's rewrites applied (weights shared or copied; same outputs)."""
    rules = REWRITES.get(precision, {})
    custom_layers("keras")
    if not any(type(layer).__name__ in rules for layer in model.layers):
        return model

    def rule(x, layer):
        replace = rules.get(type(layer).__name__)
        return replace(x, layer) if replace is not None else None

    return rewrite(model, rule)


def with_fixed_batch(model: keras.Model, batch_size: int = 1) -> keras.Model:
    """``model``'s graph (shared weights) re-traced from an input of static batch ``batch_size``.

    The graph is cloned flat rather than wrapped, so converted tensor names
    carry one model prefix, not two.
    """
    if len(model.inputs) != 1:
        raise ValueError(f"export takes single-input image models; {model.name} has {len(model.inputs)} inputs")
    shape = tuple(model.inputs[0].shape[1:])
    if any(d is None for d in shape):
        raise ValueError(f"export needs a static input size; {model.name} takes {shape}. "
                         "Build it with a fixed resolution.")
    inputs = keras.Input(batch_shape=(batch_size, *shape), name="image")
    try:
        return keras.models.clone_model(model, input_tensors=inputs, clone_function=lambda layer: layer)
    except (ValueError, TypeError):  # not a functional graph (e.g. a subclassed model): wrap it
        return keras.Model(inputs, model(inputs, training=False), name=model.name)


def prepare(model: keras.Model, precision: str, batch_size: int = 1) -> keras.Model:
    """The graph to convert for ``precision``: rewritten, with a fixed batch size."""
    return with_fixed_batch(rewritten(model, precision), batch_size)
