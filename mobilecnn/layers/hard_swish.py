"""Hard-swish as one layer, in the form converters fuse into ``HARD_SWISH``."""

from __future__ import annotations

import tensorflow as tf


def define(k) -> dict[str, type]:
    register = k.saving.register_keras_serializable(package="mobilecnn")

    @register
    class HardSwish(k.layers.Layer):
        """``x * relu6(x + 3) / 6`` (Howard et al. 2019).

        TFLite turns this into one ``HARD_SWISH`` op: the fastest float graph.
        LiteRT's XNNPACK has no int8 ``HARD_SWISH``, so int8 export and QAT
        use :func:`mobilecnn.blocks.hard_swish_decomposed` instead.
        """

        def call(self, inputs):
            return inputs * tf.nn.relu6(inputs + 3.0) * (1.0 / 6.0)

        def compute_output_shape(self, input_shape):
            return input_shape

    return {"HardSwish": HardSwish}
