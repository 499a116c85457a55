"""ShuffleNet's two weightless channel ops: channel shuffle and channel slice.

Channel shuffle (Zhang et al. 2017, sec. 3.1) reshapes the channels into
``(groups, channels / groups)``, transposes and flattens, so output channel
``i * groups + j`` is input channel ``j * (channels / groups) + i``. Written
literally, that is a 5-D reshape and a 5-D transpose, which the LiteRT GPU
delegate refuses (it falls back to the CPU on 5-D reshapes and non-4-D
transposes). Here the spatial dimensions are folded first: reshape to
``(N, H*W, groups, channels / groups)``, transpose the last two axes and
reshape back, the same permutation in tensors of rank 4 at most.

Channel slice keeps channels ``[start, stop)``: ShuffleNet V2's channel split
is two of them (TFLite ``STRIDED_SLICE``), each one input and one output, so
quantization-aware training can annotate them like any other layer.
"""

from __future__ import annotations

import tensorflow as tf

# How quantization-aware training treats the layers (see mobilecnn.quantization.rules): they move values
# and compute nothing, so they keep their input's quantization (TFLite RESHAPE/TRANSPOSE/STRIDED_SLICE
# take the input's scale) and get no quantizer of their own.
QUANTIZATION = {"ChannelShuffle": {"quantize": "passthrough"}, "ChannelSlice": {"quantize": "passthrough"}}


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


def define(k) -> dict[str, type]:
    register = k.saving.register_keras_serializable(package="mobilecnn")

    @register
    class ChannelShuffle(k.layers.Layer):
        """The paper's channel shuffle of ``groups`` groups, in rank-4 tensors (see the module docstring)."""

        def __init__(self, groups: int, **kwargs):
            super().__init__(**kwargs)
            self.groups = _positive_int("groups", groups)

        def build(self, input_shape):
            channels = input_shape[-1]
            if len(input_shape) != 4 or channels is None or channels % self.groups:
                raise ValueError(f"{self.name}: channel shuffle takes (batch, height, width, channels) with "
                                 f"channels divisible by groups={self.groups}; got {tuple(input_shape)}")
            super().build(input_shape)

        def call(self, inputs):
            height, width, channels = inputs.shape[1], inputs.shape[2], inputs.shape[3]
            per_group = channels // self.groups
            if height is not None and width is not None:  # constant shapes: no shape ops in the graph
                folded, unfolded = [-1, height * width, self.groups, per_group], [-1, height, width, channels]
            else:
                dims = tf.shape(inputs)
                folded = tf.stack([dims[0], dims[1] * dims[2], self.groups, per_group])
                unfolded = dims
            x = tf.reshape(inputs, folded)
            x = tf.transpose(x, [0, 1, 3, 2])
            return tf.reshape(x, unfolded)

        def compute_output_shape(self, input_shape):
            return input_shape

        def get_config(self):
            return {**super().get_config(), "groups": self.groups}

    @register
    class ChannelSlice(k.layers.Layer):
        """Channels ``start`` (inclusive) to ``stop`` (exclusive) of a channels-last tensor."""

        def __init__(self, start: int, stop: int, **kwargs):
            super().__init__(**kwargs)
            if isinstance(start, bool) or not isinstance(start, int) or start < 0:
                raise ValueError(f"start must be a non-negative integer, got {start!r}")
            self.start, self.stop = start, _positive_int("stop", stop)
            if self.stop <= self.start:
                raise ValueError(f"stop ({stop}) must be greater than start ({start})")

        def build(self, input_shape):
            if input_shape[-1] is None or self.stop > input_shape[-1]:
                raise ValueError(f"{self.name}: cannot take channels [{self.start}, {self.stop}) of a tensor "
                                 f"shaped {tuple(input_shape)}")
            super().build(input_shape)

        def call(self, inputs):
            return inputs[..., self.start:self.stop]

        def compute_output_shape(self, input_shape):
            return (*input_shape[:-1], self.stop - self.start)

        def get_config(self):
            return {**super().get_config(), "start": self.start, "stop": self.stop}

    return {"ChannelShuffle": ChannelShuffle, "ChannelSlice": ChannelSlice}
