"""Natural logarithm as a layer: one TFLite ``LOG`` op, which int8 kernels run.

Only the int8 form of local response normalization uses it (its power
``d ** -beta`` is written ``exp(-beta * log(d))``: TFLite's ``POW`` has no int8
kernel).
"""

from __future__ import annotations

import tensorflow as tf

# How quantization-aware training treats the layer (see mobilecnn.quantization.rules).
QUANTIZATION = {"Log": {"quantize": "output"}}


def define(k) -> dict[str, type]:
    register = k.saving.register_keras_serializable(package="mobilecnn")

    @register
    class Log(k.layers.Layer):
        """``log(x)`` elementwise (inputs must be positive)."""

        def call(self, inputs):
            return tf.math.log(inputs)

        def compute_output_shape(self, input_shape):
            return input_shape

    return {"Log": Log}
