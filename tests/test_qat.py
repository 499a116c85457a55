"""Quantization-aware training for the whole zoo: every registered model becomes a QAT model that trains
one step and exports to a full-integer int8 TFLite file that runs in LiteRT; efficient-lineage exports are
one XNNPACK partition; the int8 rewrites compute what the layers they replace compute.

The fast suite covers one model of each family and every efficient-lineage model at reduced width and
resolution; the deepest variants (same blocks, more of them) are marked slow: tfmot's quantize_apply
re-traces the graph four times, 30-100 s for a DenseNet or a ResNet-152 here.
"""

from __future__ import annotations

import numpy as np
import pytest
import tf_keras

import mobilecnn
from mobilecnn.export.convert import qat_to_tflite
from mobilecnn.export.delegates import xnnpack_report
from mobilecnn.export.runtime import TFLiteRunner
from mobilecnn.quantization import float_ops, int8_graph

EFFICIENT_FAMILIES = {"mobilenet-v1", "mobilenet-v2", "mobilenet-v3", "shufflenet-v1", "shufflenet-v2",
                      "squeezenet", "efficientnet"}
REDUCED = {
    "mobilenet-v1": {"width_multiplier": 0.25},
    "mobilenet-v2": {"width_multiplier": 0.35},
    "mobilenet-v3-small": {"width_multiplier": 0.5},
    "mobilenet-v3-large": {"width_multiplier": 0.35},
    "shufflenet-v1": {"width_multiplier": 0.5},
    "shufflenet-v2": {"width_multiplier": 0.5},
    **{f"efficientnet-b{i}": {"width_coefficient": 0.25} for i in range(8)},
    "efficientnet-b0": {"width_coefficient": 0.25, "depth_coefficient": 0.5},
}
# One model per family (and every efficient-lineage name but B1-B7, which repeat B0's blocks) in the fast suite.
FAST = {"lenet-5", "mobilenet-v1", "mobilenet-v2", "mobilenet-v3-small", "mobilenet-v3-large", "shufflenet-v1",
        "shufflenet-v2", "squeezenet-1.0", "squeezenet-1.1", "efficientnet-b0", "alexnet", "googlenet", "nin-cifar",
        "resnet-18", "vgg-11-bn"}


def options_for(name: str) -> dict:
    entry = mobilecnn.registry.get(name)
    return {"resolution": max(32, entry.min_resolution), "num_classes": 10, **REDUCED.get(name, {})}


def one_step(qat_model, images: np.ndarray) -> float:
    """One training step (eager: one step does not repay tracing a training graph)."""
    qat_model.compile(tf_keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", run_eagerly=True)
    return float(qat_model.train_on_batch(images, np.arange(len(images)) % 10))


@pytest.mark.parametrize("name", [pytest.param(n, marks=() if n in FAST else pytest.mark.slow)
                                  for n in mobilecnn.list_models()])
def test_qat_trains_and_exports_full_integer(name):
    model = mobilecnn.build(name, **options_for(name))
    shape = tuple(model.inputs[0].shape[1:])
    images = np.random.default_rng(0).uniform(0, 255, (4, *shape)).astype("float32")
    mobilecnn.recalibrate_batchnorm(model, images)
    qat_model = mobilecnn.qat(model)
    assert np.isfinite(one_step(qat_model, images))

    content = qat_to_tflite(qat_model)
    assert float_ops(content) == []
    runner = TFLiteRunner(model_content=content)
    assert runner.input["dtype"] == np.int8 and runner.output["dtype"] == np.int8
    assert runner.input_shape == (1, *shape)
    outputs = runner(images[:2])
    assert outputs.shape == (2, 10) and np.all(np.isfinite(outputs))
    if mobilecnn.registry.get(name).family in EFFICIENT_FAMILIES:
        report = xnnpack_report(content)
        assert report.one_partition, report


@pytest.fixture(scope="module")
def lenet_qat():
    return mobilecnn.qat(mobilecnn.build("lenet-5"))


@pytest.mark.parametrize("io_type", ["uint8", "float32"])
def test_io_types_keep_the_graph_integer(lenet_qat, io_type):
    content = qat_to_tflite(lenet_qat, io_type=io_type)
    assert float_ops(content) == []  # with float I/O, QUANTIZE and DEQUANTIZE sit at the ends only
    runner = TFLiteRunner(model_content=content)
    assert runner.input["dtype"] == np.dtype(io_type) and runner.output["dtype"] == np.dtype(io_type)
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    plain = Interpreter(model_content=content,
                        experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    ops = [op["op_name"] for op in plain._get_ops_details()]
    if io_type == "float32":
        assert ops[0] == "QUANTIZE" and ops[-1] == "DEQUANTIZE"
        assert "QUANTIZE" not in ops[1:-1] and "DEQUANTIZE" not in ops[1:-1]


def test_float_ops_finds_float_islands():
    """The full-integer check is not vacuous: an LRN layer left as it is runs in float."""
    import tensorflow as tf

    model = mobilecnn.build("alexnet", resolution=63, num_classes=10, flavour="tf_keras")
    # Plain post-training conversion of the graph as built, with float fallback allowed.
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    images = np.random.default_rng(0).uniform(0, 255, (4, 63, 63, 3)).astype("float32")
    converter.representative_dataset = lambda: ([image[None]] for image in images)
    found = float_ops(converter.convert())
    assert any(op.startswith("LOCAL_RESPONSE_NORMALIZATION") for op in found), found


@pytest.mark.parametrize("name, options", [
    ("mobilenet-v3-small", {"width_multiplier": 0.35}),      # hard-swish, preprocessing, squeeze-excite
    ("googlenet", {}),                                       # LRN (Caffe's alpha / n), bias 1
    ("alexnet", {"resolution": 63}),                         # LRN, bias 2
    ("shufflenet-v1", {"width_multiplier": 0.25}),           # padding-free average pooling
    ("densenet-121", {}),                                    # batch norm after concatenation, average pooling
])
def test_int8_graph_computes_the_same(name, options):
    twin = mobilecnn.build(name, **{"resolution": 32, "num_classes": 10, **options}, flavour="tf_keras")
    shape = tuple(twin.inputs[0].shape[1:])
    images = np.random.default_rng(1).uniform(0, 255, (2, *shape)).astype("float32")
    for layer in twin.layers:  # non-trivial batch-norm statistics, so a wrong rewrite shows
        if type(layer).__name__ == "BatchNormalization":
            layer.set_weights([np.random.default_rng(2).uniform(0.5, 1.5, w.shape) for w in layer.get_weights()])
    rewritten = int8_graph(twin)
    assert rewritten is not twin, "nothing was rewritten"
    expected = np.asarray(twin(images, training=False))
    np.testing.assert_allclose(np.asarray(rewritten(images, training=False)), expected, rtol=1e-4,
                               atol=1e-5 * np.abs(expected).max())


def test_local_response_norm_decomposed_matches_the_layer():
    from mobilecnn.blocks.classic import LRN, local_response_norm, local_response_norm_decomposed

    x = np.random.default_rng(0).uniform(0, 30, (2, 5, 5, 7)).astype("float32")
    for spec in (LRN(size=5, alpha=1e-3, beta=0.75, bias=2.0), LRN(size=3, alpha=1e-2, beta=0.5, bias=1.0,
                                                                   alpha_over_size=True)):
        inputs = tf_keras.Input((5, 5, 7))
        reference = tf_keras.Model(inputs, local_response_norm(inputs, spec, "lrn"))
        decomposed = tf_keras.Model(inputs, local_response_norm_decomposed(inputs, spec, "lrn"))
        np.testing.assert_allclose(decomposed(x).numpy(), reference(x).numpy(), rtol=1e-5, atol=1e-6)


def test_qat_copies_the_weights():
    model = mobilecnn.build("mobilenet-v2", width_multiplier=0.35, resolution=32, num_classes=10)
    images = np.random.default_rng(0).uniform(0, 255, (8, 32, 32, 3)).astype("float32")
    mobilecnn.recalibrate_batchnorm(model, images)
    qat_model = mobilecnn.qat(model)
    assert type(qat_model).__module__.startswith("tf_keras")
    compared = 0
    for layer in model.layers:
        if type(layer).__name__ in ("Conv2D", "DepthwiseConv2D", "Dense", "BatchNormalization"):
            wrapper = qat_model.get_layer(f"quant_{layer.name}")  # holds the kernel, with its quantizer's range
            ours = [v.numpy() for v in wrapper.weights if not v.name.startswith(f"{wrapper.name}/")]
            for mine, theirs in zip(ours, layer.get_weights(), strict=True):
                np.testing.assert_array_equal(mine, theirs)
            compared += 1
    assert compared > 100


def test_qat_from_a_name_and_its_errors():
    qat_model = mobilecnn.qat("lenet-5", num_classes=4)
    assert qat_model.outputs[0].shape[-1] == 4
    model = mobilecnn.build("lenet-5")
    with pytest.raises(ValueError, match="apply to a model name"):
        mobilecnn.qat(model, num_classes=3)
    import keras

    copy = keras.models.clone_model(model)
    with pytest.raises(ValueError, match="was not built by mobilecnn.build"):
        mobilecnn.qat(copy)
    with pytest.raises(ValueError, match="already a tf_keras model"):
        mobilecnn.qat(mobilecnn.build("lenet-5", flavour="tf_keras"))


def test_every_custom_layer_has_a_quantization_rule():
    from mobilecnn.quantization.rules import rules

    table = rules()
    for flavour in ("keras", "tf_keras"):
        for name in vars(mobilecnn.custom_layers(flavour)):
            assert name in table, f"custom layer {name} has no QUANTIZATION rule beside it"
