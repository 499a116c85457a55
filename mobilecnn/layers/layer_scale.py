"""LayerScale (Touvron et al. 2021, "Going deeper with Image Transformers", sec. 3): a learned per-channel
scale on a residual branch, started small (MobileNetV4's hybrids: 1e-5) so each block begins near identity.

One weight, ``gamma`` of shape ``(channels,)``: timm's ``LayerScale2d.gamma`` tensor as it is, so
checkpoints transfer one tensor for one weight. In a converted graph it is one ``MUL`` by a constant,
which the TFLite converter folds into the convolution before it when nothing lies between (MobileNetV4:
the projection's batch norm, or the attention's output convolution) - float costs nothing.
"""

from __future__ import annotations

import numpy as np


def int8_form(x, layer):
    """The scale as a trainable 1x1 depthwise convolution holding ``gamma`` (QAT): tfmot quantizes its
    weight per channel and its output like any depthwise convolution, so no float ``MUL`` is left."""
    from mobilecnn.flavours import layers_for

    channels = int(x.shape[-1])
    conv = layers_for(x).DepthwiseConv2D(1, padding="valid", use_bias=False, name=layer.name)
    y = conv(x)
    conv.set_weights([np.asarray(layer.get_weights()[0], "float32").reshape(1, 1, channels, 1)])
    return y


# How quantization-aware training treats the layer (see mobilecnn.quantization.rules): a custom layer with a
# weight would get an output quantizer only, its ``gamma`` left in float; the depthwise form quantizes both.
QUANTIZATION = {"LayerScale": {"rewrite": int8_form, "quantize": None}}


def define(k) -> dict[str, type]:
    register = k.saving.register_keras_serializable(package="mobilecnn")

    @register
    class LayerScale(k.layers.Layer):
        """``x * gamma`` over the last (channel) axis, ``gamma`` initialized to ``init_value``."""

        def __init__(self, init_value: float = 1e-5, **kwargs):
            super().__init__(**kwargs)
            if isinstance(init_value, bool) or not isinstance(init_value, (int, float)):
                raise ValueError(f"init_value must be a number, got {init_value!r}")
            self.init_value = float(init_value)

        def build(self, input_shape):
            channels = input_shape[-1]
            if channels is None:
                raise ValueError(f"{self.name}: LayerScale needs a known channel count, got {tuple(input_shape)}")
            self.gamma = self.add_weight(name="gamma", shape=(int(channels),),
                                         initializer=k.initializers.Constant(self.init_value), trainable=True)
            super().build(input_shape)

        def call(self, inputs):
            return inputs * self.gamma

        def compute_output_shape(self, input_shape):
            return input_shape

        def get_config(self):
            return {**super().get_config(), "init_value": self.init_value}

    return {"LayerScale": LayerScale}
