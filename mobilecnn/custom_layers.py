"""The few custom layers the zoo needs, registered for both Keras flavours.

Everything else is a standard Keras layer. Each class here is defined once, by
:func:`_define`, for whichever flavour asks, and registered under the package
name ``mobilecnn`` so ``.keras`` files load with ``safe_mode=True`` (after
``import mobilecnn``).
"""

from __future__ import annotations

import functools
from types import SimpleNamespace

import tensorflow as tf

from mobilecnn.flavours import keras_module

PACKAGE = "mobilecnn"


@functools.cache
def custom_layers(flavour: str = "keras") -> SimpleNamespace:
    """The custom layer classes for ``flavour`` ("keras" or "tf_keras")."""
    return _define(keras_module(flavour))


def _define(k) -> SimpleNamespace:
    register = k.saving.register_keras_serializable(package=PACKAGE)

    @register
    class HardSwish(k.layers.Layer):
        """``x * relu6(x + 3) / 6`` (Howard et al. 2019), in the form converters fuse.

        TFLite turns this into one ``HARD_SWISH`` op: the fastest float graph.
        LiteRT's XNNPACK has no int8 ``HARD_SWISH``, so int8 export and QAT
        replace it with :func:`mobilecnn.blocks.hard_swish_decomposed`.
        """

        def call(self, inputs):
            return inputs * tf.nn.relu6(inputs + 3.0) * (1.0 / 6.0)

        def compute_output_shape(self, input_shape):
            return input_shape

    return SimpleNamespace(HardSwish=HardSwish)
