"""Space to depth: each ``block x block`` patch of pixels becomes one pixel of ``block * block`` times the channels.

TensorFlow's ``space_to_depth`` (channel ``(row * block + column) * C + c`` of an output pixel holds channel ``c``
of the patch's pixel at ``(row, column)``), which converts to TFLite's ``SPACE_TO_DEPTH``, an op LiteRT's XNNPACK
runs in float and int8. The int8 export uses it to rewrite a strided convolution over few channels (an image
stem) as a stride-1 convolution over more (:func:`mobilecnn.quantization.rules.strided_conv_as_space_to_depth`).
"""

from __future__ import annotations

import tensorflow as tf

# It only moves values: its output keeps its input's quantization (see mobilecnn.quantization.rules).
QUANTIZATION = {"SpaceToDepth": {"quantize": "passthrough"}}


def define(k) -> dict[str, type]:
    register = k.saving.register_keras_serializable(package="mobilecnn")

    @register
    class SpaceToDepth(k.layers.Layer):
        """``tf.nn.space_to_depth`` with block size ``block`` on a (batch, height, width, channels) tensor."""

        def __init__(self, block: int, **kwargs):
            super().__init__(**kwargs)
            if isinstance(block, bool) or not isinstance(block, int) or block < 2:
                raise ValueError(f"block must be an integer >= 2, got {block!r}")
            self.block = block

        def build(self, input_shape):
            if len(input_shape) != 4 or any(d is None or d % self.block for d in input_shape[1:3]):
                raise ValueError(f"{self.name}: space to depth takes (batch, height, width, channels) with height "
                                 f"and width divisible by block={self.block}; got {tuple(input_shape)}")
            super().build(input_shape)

        def call(self, inputs):
            return tf.nn.space_to_depth(inputs, self.block)

        def compute_output_shape(self, input_shape):
            b = self.block
            return (input_shape[0], input_shape[1] // b, input_shape[2] // b, input_shape[3] * b * b)

        def get_config(self):
            return {**super().get_config(), "block": self.block}

    return {"SpaceToDepth": SpaceToDepth}
