"""Hard-swish as one layer, in the form converters fuse into ``HARD_SWISH``."""

from __future__ import annotations

import tensorflow as tf


def int8_form(x, layer):
    """The layer as ADD, RELU6, MUL layers that each carry a quantizer (see ``hard_swish_decomposed``)."""
    from mobilecnn.blocks.core import hard_swish_decomposed

    return hard_swish_decomposed(x, layer.name)


# How quantization-aware training treats the layer (see mobilecnn.quantization.rules): one custom layer
# would get an output quantizer only, leaving float ADD/MUL inside the int8 graph, and TFLite fuses the
# expression into HARD_SWISH, which LiteRT's XNNPACK does not run in int8. So it is rewritten.
QUANTIZATION = {"HardSwish": {"rewrite": int8_form, "quantize": None}}


def define(k) -> dict[str, type]:
    register = k.saving.register_keras_serializable(package="mobilecnn")

    @register
    class HardSwish(k.layers.Layer):
        """``x * relu6(x + 3) / 6`` (Howard et al. 2019).

        TFLite turns this into one ``HARD_SWISH`` op: the fastest float graph.
        LiteRT's XNNPACK has no int8 ``HARD_SWISH``, so int8 export and QAT
        use :func:`mobilecnn.blocks.hard_swish_decomposed` instead (:func:`int8_form`).
        """

        def call(self, inputs):
            return inputs * tf.nn.relu6(inputs + 3.0) * (1.0 / 6.0)

        def compute_output_shape(self, input_shape):
            return input_shape

    return {"HardSwish": HardSwish}
