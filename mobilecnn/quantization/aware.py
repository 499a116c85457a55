"""``mobilecnn.qat``: a model of the zoo, made ready for quantization-aware training with tfmot.

tfmot quantizes tf_keras (Keras 2) models only, so the model's tf_keras twin
is built from the same builder and takes the model's weights. The twin's graph
is then rewritten into its int8 form (:mod:`mobilecnn.quantization.rules`),
every layer is annotated (tfmot's default 8-bit registry, or our output /
passthrough configs), and tfmot's ``quantize_apply`` inserts the fake-quant
ops. The result trains with ``fit`` and converts to a full-integer TFLite
model whose every range comes from training (``mobilecnn.export.convert.qat_to_tflite``).
"""

from __future__ import annotations

from typing import Any

from mobilecnn.builder import BuildRecord, build, build_record
from mobilecnn.flavours import flavour_of, keras_module
from mobilecnn.layers import custom_layers
from mobilecnn.quantization.rules import quantize_kind, rule_for
from mobilecnn.rewrite import rewrite


def _int8_form(x, layer):
    r = rule_for(layer)
    return r.rewrite(x, layer) if r.rewrite is not None else None


def int8_graph(model):
    """``model`` with every layer rewritten into its int8 form (same function; weights shared)."""
    return rewrite(model, _int8_form)


def twin_of(model, /, **options: Any):
    """The tf_keras twin of a Keras 3 model built by ``mobilecnn.build`` (or of a name and options), with weights."""
    if isinstance(model, str):
        twin = build(model, **{**options, "flavour": "tf_keras"})
        return twin, twin._mobilecnn_build
    if options:
        raise ValueError(f"options ({', '.join(options)}) apply to a model name, not to a built model")
    record = build_record(model)
    if flavour_of(model) != "keras":
        raise ValueError(f"{model.name} is already a tf_keras model; pass the Keras 3 model built by mobilecnn.build")
    twin = record.rebuild(flavour="tf_keras", weights=None)
    twin.set_weights(model.get_weights())
    return twin, record


def qat(model, /, calibration=None, **options: Any):
    """A quantization-aware-training (tf_keras) copy of ``model``, ready to compile and ``fit``.

    ``model`` is a Keras 3 model built by ``mobilecnn.build`` (its weights are
    carried over), or a registered name with build options (fresh weights).
    ``calibration`` (images in the model's input convention, e.g. a few
    hundred training images) sets every activation's quantization range from
    the data (see :func:`calibrate_ranges`); without it, ranges start at
    tfmot's [-6, 6]. The result is a tf_keras model: compile it with
    ``tf_keras`` optimizers, or train it with :func:`mobilecnn.train`, and
    export it with ``mobilecnn.export.convert.qat_to_tflite``.
    """
    twin, record = twin_of(model, **options)
    quantized = quantize(int8_graph(twin), record)
    if calibration is not None:
        calibrate_ranges(quantized, calibration)
    return quantized


def calibrate_ranges(qat_model, images) -> None:
    """Set every activation quantizer's range to what ``images`` produce, before fine-tuning.

    tfmot's activation ranges start at [-6, 6] and follow each batch's min and
    max by an exponential moving average with decay 0.999: after a few hundred
    steps of fine-tuning they are still mostly the starting guess, which clips
    larger activations (logits, unbounded ReLUs) and wastes levels on small
    ones (gates in [0, 1]). One pass over ``images`` with the average's decay
    at 0 sets each range to the pass's min and max; batch norms run on their
    moving statistics and dropout is off, as at inference, and no weight
    changes. Fine-tuning then moves the ranges as tfmot does.
    """
    import numpy as np
    from tensorflow_model_optimization.python.core.quantization.keras import quant_ops, quantizers

    images = np.asarray(images, "float32")
    if images.ndim != 4 or len(images) < 1:
        raise ValueError(f"calibration images must be an (N, H, W, C) array, got shape {images.shape}")
    inner = [getattr(layer, "layer", layer) for layer in qat_model.layers]
    norms = [layer for layer in inner if type(layer).__name__ == "BatchNormalization"]
    drops = [layer for layer in inner if type(layer).__name__ == "Dropout"]
    saved = [(layer, layer.trainable) for layer in norms], [(layer, layer.rate) for layer in drops]
    moving_average = quant_ops.MovingAvgQuantize

    def set_directly(*args, **kwargs):
        return moving_average(*args, **{**kwargs, "ema_decay": 0.0})

    try:
        quantizers.quant_ops.MovingAvgQuantize = set_directly  # the quantizers look it up at each call
        for layer in norms:
            layer.trainable = False  # a frozen batch norm runs on its moving statistics, even in training mode
        for layer in drops:
            layer.rate = 0.0
        qat_model(images, training=True)
    finally:
        quantizers.quant_ops.MovingAvgQuantize = moving_average
        for layer, value in saved[0]:
            layer.trainable = value
        for layer, value in saved[1]:
            layer.rate = value


def quantize(model, record: BuildRecord | None = None):
    """tfmot's fake-quant ops on a tf_keras model already in its int8 form."""
    from mobilecnn.quantization.configs import CONFIGS, import_tfmot

    tfmot = import_tfmot()
    Q = tfmot.quantization.keras
    k = keras_module("tf_keras")

    def annotate(layer):
        kind = quantize_kind(layer)
        if kind == "default":
            return Q.quantize_annotate_layer(layer)
        return Q.quantize_annotate_layer(layer, CONFIGS[kind]())  # one config object per layer: tfmot mutates them

    annotated = k.models.clone_model(model, clone_function=annotate)
    scope = {cls.__name__: cls for cls in CONFIGS.values()}
    scope.update(vars(custom_layers("tf_keras")))
    try:
        with Q.quantize_scope(scope):
            quantized = Q.quantize_apply(annotated)
    except (ValueError, RuntimeError, TypeError) as err:
        raise ValueError(f"tfmot could not quantize {model.name}: {err}. Every layer class needs a rule in "
                         "mobilecnn.quantization.rules or tfmot's 8-bit registry.") from err
    if record is not None:
        quantized._mobilecnn_build = record
    return quantized
