"""The two tfmot ``QuantizeConfig`` kinds our rules add to tfmot's 8-bit registry.

Importing this module imports tensorflow-model-optimization (see
:func:`import_tfmot`); nothing in ``import mobilecnn`` does.
"""

from __future__ import annotations

import os


def import_tfmot():
    """``tensorflow_model_optimization``, imported without leaving ``TF_USE_LEGACY_KERAS=1`` behind.

    tfmot sets that variable on import, which would make a later first use of
    ``tf.keras`` resolve to tf_keras for the rest of the process.
    """
    before = os.environ.get("TF_USE_LEGACY_KERAS")
    import tensorflow_model_optimization as tfmot

    if before is None:
        os.environ.pop("TF_USE_LEGACY_KERAS", None)
    else:
        os.environ["TF_USE_LEGACY_KERAS"] = before
    return tfmot


tfmot = import_tfmot()
QuantizeConfig = tfmot.quantization.keras.QuantizeConfig
MovingAverageQuantizer = tfmot.quantization.keras.quantizers.MovingAverageQuantizer


class OutputQuantizeConfig(QuantizeConfig):
    """No weights: the layer's output gets an 8-bit (asymmetric, per-tensor) moving-average range."""

    def get_weights_and_quantizers(self, layer):
        return []

    def get_activations_and_quantizers(self, layer):
        return []

    def set_quantize_weights(self, layer, quantize_weights):
        pass

    def set_quantize_activations(self, layer, quantize_activations):
        pass

    def get_output_quantizers(self, layer):
        return [MovingAverageQuantizer(num_bits=8, per_axis=False, symmetric=False, narrow_range=False)]

    def get_config(self):
        return {}


class PassthroughQuantizeConfig(OutputQuantizeConfig):
    """No quantizer: the layer moves values (reshape, transpose, slice), so its output keeps its input's scale."""

    def get_output_quantizers(self, layer):
        return []


class UnitOutputQuantizeConfig(OutputQuantizeConfig):
    """A softmax: its output on the fixed grid TFLite's int8 SOFTMAX writes (scale 1/256, zero point -128:
    [0, 255/256]), not a learned range, so training sees the rounding the exported op does."""

    def get_output_quantizers(self, layer):
        return [tfmot.quantization.keras.quantizers.FixedQuantizer(num_bits=8, init_min=0.0, init_max=255 / 256,
                                                                   narrow_range=False)]


CONFIGS = {"output": OutputQuantizeConfig, "passthrough": PassthroughQuantizeConfig,
           "unit": UnitOutputQuantizeConfig}
