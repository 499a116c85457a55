"""Edge export: every efficient-lineage model in every precision, verified, one XNNPACK partition,
fully on the GPU accelerator in float16; file sizes; atomic writes; the CLI's errors and exit codes.

Models are untrained, so batch-norm statistics are recalibrated on the calibration images
before conversion (the pipeline does this for models built from a name)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import assert_close, images, need_gpu, realistic_batchnorm
from mobilecnn.export import export_model

import mobilecnn

RES = 64
# Small widths where the model has them: conversion time grows with parameters.
EFFICIENT = {
    "mobilenet-v1": {"width_multiplier": 0.5},  # 0.25: per-channel quantization parameters make int8 31% of float32
    "mobilenet-v2": {"width_multiplier": 0.35},
    "mobilenet-v3-small": {"width_multiplier": 0.75},
    "mobilenet-v3-large": {"width_multiplier": 0.75},
    "efficientnet-b0": {"depth_coefficient": 0.5},  # half width: per-channel parameters make int8 30.4%
    # ShuffleNet V1 at its default 1.0x g=3: at 0.5x its per-channel quantization parameters (12 bytes a channel
    # for weights and again for biases, against 40-80 weights a channel in its grouped 1x1s) make int8 32% of float32.
    "shufflenet-v1": {},
    "shufflenet-v2": {"width_multiplier": 0.5},
    "squeezenet-1.1": {},
}
PRECISIONS = ("float32", "float16", "dynamic", "int8")
_cache: dict = {}


def exported(name: str, precision: str):
    return exported_with(name, precision, EFFICIENT[name])


def exported_with(name: str, precision: str, options: dict):
    key = (name, precision, tuple(sorted(options.items())))
    if key not in _cache:
        options = {"resolution": max(RES, mobilecnn.registry.get(name).min_resolution), **options}
        _cache[key] = export_model(name, precision, options=options, calibration_count=32, verify_count=16)
    return _cache[key]


# Dynamic-range quantization rewrites nothing and quantizes only weights: one model (the hard-swish net) keeps it
# in the fast suite, the others run it under -m slow.
DYNAMIC_FAST = {"mobilenet-v3-small"}
# MobileNet V3-Large is V3-Small's layers (hard-swish, squeeze-excite) at another depth, MobileNet V1's
# (depthwise, pointwise, ReLU6) are MobileNet V2's without the residual: both under -m slow.
# ShuffleNet V2 (60 s here): its int8 export is full-integer and one partition in its fast QAT test, its float and
# int8 conversions run in the Android golden tests, and ShuffleNet V1 takes channel shuffle through the GPU check.
SLOW_MODELS = {"mobilenet-v3-large", "mobilenet-v1", "shufflenet-v2"}
# Each model's exports share a worker (xdist_group, pyproject's --dist loadgroup): the other precisions' size checks
# and the GPU test reuse its float32 and float16 files instead of converting them again on the other worker.
EXPORT_CASES = [pytest.param(n, p, marks=[pytest.mark.xdist_group(f"export-{n}")]
                             + ([pytest.mark.slow] if n in SLOW_MODELS or (p == "dynamic" and n not in DYNAMIC_FAST)
                                else []))
                for n in EFFICIENT for p in PRECISIONS]


@pytest.mark.parametrize("name, precision", EXPORT_CASES)
def test_exports_verify_and_stay_in_one_xnnpack_partition(name, precision):
    check_export(exported(name, precision), precision, exported(name, "float32").size)


@pytest.mark.parametrize("name", [pytest.param(n, marks=[pytest.mark.xdist_group(f"export-{n}")]
                                               + ([pytest.mark.slow] if n in SLOW_MODELS else []))
                                  for n in EFFICIENT])
def test_float16_runs_fully_on_the_gpu_accelerator(name):
    gpu = exported(name, "float16").metadata["gpu"]
    need_gpu(gpu)
    assert gpu["fully_accelerated"], gpu["cpu_ops"] or gpu["error"]


REWRITE_CASES = {  # the layer a rewrite replaces: the model that has it (0.5x ShuffleNet V1: groups of 10 channels)
    "AveragePooling2D": ("shufflenet-v1", {"width_multiplier": 0.5, "groups": 3}),
    "Conv2D": ("shufflenet-v1", {"width_multiplier": 0.5, "groups": 3}),
    "HardSwish": ("mobilenet-v3-small", {"width_multiplier": 0.75}),
    "LocalResponseNormalization": ("alexnet", {}),
}
_rewrite_models: dict = {}


def rewrite_model(layer: str):
    """The model with ``layer`` (realistic batch-norm statistics, logits) and the test images, built once."""
    if layer not in _rewrite_models:
        name, options = REWRITE_CASES[layer]
        model = mobilecnn.build(name, resolution=RES, classifier_activation=None, **options)
        realistic_batchnorm(model)
        _rewrite_models[layer] = model
    return _rewrite_models[layer], images(3, RES)


def compare_rewrite(graph, model, x, graph_input=None) -> None:
    """The rewritten graph's logits equal the model's within 1e-4, on logits varying between images by 100x that."""
    assert_close(graph(x if graph_input is None else graph_input, training=False), model(x, training=False),
                 rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("precision, layer", [("int8", "AveragePooling2D"), ("float16", "Conv2D"),
                                              ("int8", "HardSwish"), ("float32", "LocalResponseNormalization")])
def test_precision_rewrites_compute_the_same_outputs(precision, layer):
    """Each rewrite (export/graph.py) replaces layers with ops the runtime accelerates, and computes the same."""
    from mobilecnn.export.graph import rewritten

    model, x = rewrite_model(layer)
    graph = rewritten(model, precision)
    kinds = lambda m: {type(lay).__name__ for lay in m.layers}  # noqa: E731
    assert graph is not model and layer in kinds(model)
    if layer == "Conv2D":  # groups of 4k channels are left grouped; others are split
        convs = lambda m: [lay for lay in m.layers if type(lay).__name__ == "Conv2D" and lay.groups > 1]  # noqa: E731
        grouped = convs(graph)
        assert len(grouped) < len(convs(model))
        assert all((lay.filters // lay.groups) % 4 == 0 and (lay.input.shape[-1] // lay.groups) % 4 == 0
                   for lay in grouped)
    else:
        assert layer not in kinds(graph)
    compare_rewrite(graph, model, x)
    if precision == "float32":  # LRN is decomposed in every precision
        assert "LocalResponseNormalization" not in kinds(rewritten(model, "int8"))
    else:
        assert rewritten(model, "float32") is model


def wrong_hard_swish(x, layer):
    """``relu6(x + 3) * (x / 5)``: the int8 hard-swish rewrite with a wrong constant."""
    L = keras_layers()
    gate = L.ReLU(6.0, name=f"{layer.name}_relu6")(L.Rescaling(1.0, offset=3.0, name=f"{layer.name}_shift")(x))
    return L.Multiply(name=layer.name)([gate, L.Rescaling(1.0 / 5.0, name=f"{layer.name}_scale")(x)])


def wrong_average_pool(x, layer):
    """The depthwise form of an average pool with weights ``1 / (k * k + 1)``: a wrong constant."""
    from mobilecnn.quantization.rules import _new_depthwise

    k = tuple(layer.pool_size)
    weights = np.full((*k, int(x.shape[-1]), 1), 1.0 / (k[0] * k[1] + 1), "float32")
    return _new_depthwise(x, k, [weights], layer.name, strides=layer.strides)


def wrong_group_split(x, layer):
    """The grouped-convolution split with the groups' input slices in reverse order: a wrong slice."""
    from mobilecnn.layers import custom_layers

    L, groups = keras_layers(), layer.groups
    per_in, per_out = int(x.shape[-1]) // groups, layer.filters // groups
    kernel = layer.get_weights()[0]
    outputs = []
    for g in range(groups):
        src = groups - 1 - g
        part = custom_layers("keras").ChannelSlice(src * per_in, (src + 1) * per_in, name=f"{layer.name}_in{g}")(x)
        conv = L.Conv2D(per_out, layer.kernel_size, strides=layer.strides, padding=layer.padding, use_bias=False,
                        name=f"{layer.name}_group{g}")
        outputs.append(conv(part))
        conv.set_weights([kernel[..., g * per_out:(g + 1) * per_out]])
    return L.Concatenate(name=layer.name)(outputs)


def keras_layers():
    import keras

    return keras.layers


def wrong_local_response_norm(x, layer):
    """The decomposed LRN with ``k`` 0.5 too large: a wrong constant."""
    from mobilecnn.blocks.classic import LRN, local_response_norm_decomposed

    spec = LRN(size=layer.size, alpha=layer.alpha, beta=layer.beta, bias=layer.bias + 0.5,
               alpha_over_size=layer.alpha_over_size)
    return local_response_norm_decomposed(x, spec, layer.name)


WRONG_REWRITES = {"HardSwish": ("int8", wrong_hard_swish), "AveragePooling2D": ("int8", wrong_average_pool),
                  "Conv2D": ("float16", wrong_group_split),
                  "LocalResponseNormalization": ("float32", wrong_local_response_norm)}


@pytest.mark.parametrize("layer", list(WRONG_REWRITES))
@pytest.mark.parametrize("breakage", ["wrong constant", "wrong input"])
def test_rewrite_comparison_fails_on_a_wrong_rewrite(monkeypatch, layer, breakage):
    """The rewrite comparison can fail: a rewrite with a wrong constant, or the right one fed another input."""
    from mobilecnn.export import graph as graphs

    precision, wrong = WRONG_REWRITES[layer]
    model, x = rewrite_model(layer)
    if breakage == "wrong constant":
        monkeypatch.setitem(graphs.REWRITES[precision], layer, wrong)
        with pytest.raises(AssertionError, match="Not equal to tolerance"):
            compare_rewrite(graphs.rewritten(model, precision), model, x)
    else:
        with pytest.raises(AssertionError, match="Not equal to tolerance"):
            compare_rewrite(graphs.rewritten(model, precision), model, x, graph_input=x[:, ::-1])


def test_export_of_a_wrong_rewrite_fails_verification(monkeypatch):
    """The pipeline compares the rewritten graph with the model (export/verify.py): a wrong hard-swish constant,
    invisible in an int8 export's cosine similarity, stops the export before conversion."""
    from mobilecnn.export import graph as graphs
    from mobilecnn.export.pipeline import VerificationError

    monkeypatch.setitem(graphs.REWRITES["int8"], "HardSwish", wrong_hard_swish)
    with pytest.raises(VerificationError, match="rewritten graph does not compute what the model computes"):
        export_model("mobilenet-v3-small", "int8", options={"resolution": RES, "width_multiplier": 0.75},
                     calibration_count=16, verify_count=8, check_delegates=False)


@pytest.mark.parametrize("flavour", ["keras", "tf_keras"])
def test_strided_stem_as_space_to_depth_is_exact(flavour):
    """A strided convolution of a 3-channel image with a large kernel, as space to depth and a stride-1
    convolution (the int8 export's stem rewrite), computes the same on even and odd sizes, "valid" and "same",
    strides 2 and 4, with the crop a "valid" 6-wide kernel needs; small kernels, stride 1 and 8 channels are
    kept; the same weights with two of the moved channel blocks swapped differ."""
    from mobilecnn.flavours import keras_module
    from mobilecnn.quantization.rules import strided_conv_as_space_to_depth

    k = keras_module(flavour)
    rng = np.random.default_rng(0)
    cases = [(32, 7, 2, "valid"), (32, 7, 2, "same"), (33, 7, 2, "same"), (35, 11, 4, "valid"), (35, 11, 4, "same"),
             (9, 6, 2, "valid"), (10, 5, 2, "valid")]
    for size, kernel, stride, padding in cases:
        inputs = k.Input((size, size, 3))
        conv = k.layers.Conv2D(8, kernel, strides=stride, padding=padding, activation="relu")
        reference = k.Model(inputs, conv(inputs))
        rewritten = k.Model(inputs, strided_conv_as_space_to_depth(inputs, conv))
        assert "SpaceToDepth" in {type(layer).__name__ for layer in rewritten.layers}
        x = rng.normal(size=(2, size, size, 3)).astype("float32")
        np.testing.assert_allclose(np.asarray(rewritten(x)), np.asarray(reference(x)), atol=1e-5,
                                   err_msg=f"{size}px {kernel}x{kernel}/{stride} {padding}")
    for shape, kernel, stride in (((16, 16, 3), 3, 2), ((16, 16, 3), 7, 1), ((16, 16, 8), 7, 2)):
        inputs = k.Input(shape)
        assert strided_conv_as_space_to_depth(inputs, k.layers.Conv2D(4, kernel, strides=stride)) is None
    moved = [layer for layer in rewritten.layers if type(layer).__name__ == "Conv2D"][0]
    kernel, *rest = moved.get_weights()
    swapped = kernel.copy()
    swapped[:, :, 3:6], swapped[:, :, 6:9] = kernel[:, :, 6:9], kernel[:, :, 3:6]   # blocks (0, 1) and (1, 0)
    moved.set_weights([swapped, *rest])
    assert np.abs(np.asarray(rewritten(x)) - np.asarray(reference(x))).max() > 0.1


def test_int8_stem_is_space_to_depth_in_one_partition():
    """A 7x7/2 stem on a 3-channel image: the int8 export has SPACE_TO_DEPTH and no stride-2 CONV_2D, is one
    XNNPACK partition and verifies; the float32 export keeps the strided convolution."""
    import keras

    inputs = keras.Input((32, 32, 3))
    x = keras.layers.Rescaling(1 / 127.5, -1.0)(inputs)
    x = keras.layers.Conv2D(16, 7, strides=2, padding="same", activation="relu", name="stem")(x)
    x = keras.layers.Conv2D(16, 3, activation="relu")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(x), name="stem_net")
    calibration = np.random.default_rng(0).uniform(0, 255, (24, 32, 32, 3)).astype("float32")
    kw = {"calibration": calibration, "calibration_count": 16, "verify_count": 8}
    i8 = export_model(model, "int8", **kw)
    assert i8.metadata["verification"]["passed"], i8.metadata["verification"]
    assert i8.metadata["xnnpack"]["one_partition"], i8.metadata["xnnpack"]
    ops = [op["op_name"] for op in undelegated_ops(i8.model_content)]
    assert "SPACE_TO_DEPTH" in ops and "PAD" in ops, ops
    f32 = export_model(model, "float32", **kw)
    assert "SPACE_TO_DEPTH" not in [op["op_name"] for op in undelegated_ops(f32.model_content)]


@pytest.mark.slow  # 24 s; the 0.5x g3 split is checked by the rewrite tests
def test_shufflenet_v1_groups_of_any_size_run_on_the_gpu():
    """The LiteRT GPU accelerator aborts on grouped convolutions of groups not a multiple of 4 channels; the
    float16 export splits them."""
    result = exported_with("shufflenet-v1", "float16", {"width_multiplier": 0.5, "groups": 3})
    gpu = result.metadata["gpu"]
    assert result.metadata["xnnpack"]["one_partition"] and result.metadata["gpu_analyzer"]["gpu_compatible"]
    need_gpu(gpu)
    assert gpu["fully_accelerated"], gpu


def test_gpu_check_names_the_ops_that_fall_back(tmp_path):
    import tensorflow as tf
    from mobilecnn.export.delegates import gpu_report

    @tf.function(input_signature=[tf.TensorSpec((1, 8, 8, 12), tf.float32)])
    def five_d_shuffle(x):  # a 5-D reshape/transpose, which the GPU delegate refuses
        y = tf.transpose(tf.reshape(x, (1, 8, 8, 3, 4)), (0, 1, 2, 4, 3))
        return tf.reshape(y, (1, 8, 8, 12)) + 1.0

    path = tmp_path / "five_d.tflite"
    path.write_bytes(tf.lite.TFLiteConverter.from_concrete_functions([five_d_shuffle.get_concrete_function()]).convert())
    report = gpu_report(str(path))
    need_gpu(report)
    assert report.fully_accelerated is False
    assert any(op.startswith("TRANSPOSE") or op.startswith("RESHAPE") for op in report.cpu_ops), report


def test_gpu_tests_fail_rather_than_skip_where_an_adapter_must_be(monkeypatch, tmp_path):
    """need_gpu (conftest) skips only where no adapter is expected; REQUIRE_GPU=1, an installed software Vulkan
    driver or a probe that crashed make a missing adapter a failure."""
    import conftest
    from mobilecnn.export.delegates import GpuReport, parse_gpu_probe

    icd = tmp_path / "lvp_icd.json"
    monkeypatch.setattr(conftest, "SOFTWARE_VULKAN_ICD", str(icd))
    monkeypatch.delenv("REQUIRE_GPU", raising=False)
    clean = parse_gpu_probe('{"compiled": false, "error": "no adapter"}\n', "No adapters found\n", 0)
    assert not clean.available and not clean.probe_failed
    with pytest.raises(pytest.skip.Exception):
        need_gpu(clean)
    crashed = parse_gpu_probe("", "Segmentation fault (core dumped)\n", -11)
    assert not crashed.available and crashed.probe_failed and "exited with -11 before reporting" in crashed.error
    with pytest.raises(pytest.fail.Exception, match="the probe did not report"):
        need_gpu(crashed)
    monkeypatch.setenv("REQUIRE_GPU", "1")
    with pytest.raises(pytest.fail.Exception, match="REQUIRE_GPU=1 is set"):
        need_gpu(clean)
    monkeypatch.delenv("REQUIRE_GPU")
    icd.write_text("{}")
    with pytest.raises(pytest.fail.Exception, match="software Vulkan driver is installed"):
        need_gpu(clean.as_dict())
    need_gpu(GpuReport(available=True, fully_accelerated=True, adapter="llvmpipe"))


def lrn_net():
    """AlexNet's layer pattern at toy size: convolution, ReLU, local response norm, twice, and a classifier (AlexNet
    itself converts 61M parameters: 65 s of the suite for three exports)."""
    import keras

    from mobilecnn.blocks.classic import LRN, local_response_norm

    inputs = keras.Input((24, 24, 3))
    x = keras.layers.Rescaling(1 / 127.5, -1.0)(inputs)
    for i in (1, 2):
        x = keras.layers.Conv2D(16, 3, strides=2, activation="relu", name=f"conv{i}")(x)
        x = local_response_norm(x, LRN(size=5, alpha=1e-4, beta=0.75, bias=2.0), name=f"norm{i}")
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(x), name="lrn_net")


def test_local_response_norm_is_one_xnnpack_partition_in_every_precision():
    """AlexNet's LRNs, decomposed: one partition in float32. In int8 their power (LOG, EXP) has no int8 XNNPACK
    kernel, so the int8 export computes it in float inside XNNPACK (DEQUANTIZE, LOG/EXP, QUANTIZE): one
    partition, verified. ``full_integer=True`` keeps LOG and EXP in int8, on TFLite's kernels between XNNPACK
    partitions (the exception the README names for int8-only accelerators)."""
    from mobilecnn.quantization import float_ops

    model = lrn_net()
    calibration = np.random.default_rng(0).uniform(0, 255, (24, 24, 24, 3)).astype("float32")
    kw = {"calibration": calibration, "calibration_count": 16, "verify_count": 8}
    f32 = export_model(model, "float32", **kw)
    assert f32.metadata["verification"]["passed"] and f32.metadata["xnnpack"]["one_partition"], f32.metadata
    i8 = export_model(model, "int8", **kw)
    assert i8.metadata["verification"]["passed"], i8.metadata["verification"]
    assert i8.metadata["xnnpack"]["one_partition"], i8.metadata["xnnpack"]
    assert i8.metadata["float_ops"] == ["EXP", "LOG"] and not i8.metadata["full_integer"]
    assert {op.split("#")[0] for op in float_ops(i8.model_content)} == {"EXP", "LOG", "DEQUANTIZE", "QUANTIZE"}
    full = export_model(model, "int8", full_integer=True, **kw)
    ops = [op.split("#")[0] for op in full.metadata["xnnpack"]["ops_outside"]]
    assert full.metadata["verification"]["passed"]
    assert ops == ["LOG", "EXP"] * 2 + ["SOFTMAX"], ops
    assert full.metadata["full_integer"] and float_ops(full.model_content) == []
    with pytest.raises(ValueError, match="full_integer applies to int8 exports, not float32"):
        export_model(model, "float32", full_integer=True, **kw)


@pytest.mark.slow
def test_float_islands_with_uint8_io_leave_nothing_outside():
    """uint8 I/O: the int8<->uint8 QUANTIZEs at the ends are outside XNNPACK in a full-integer export, so they
    and the final softmax go float too, and nothing is left outside."""
    i8 = export_model("alexnet", "int8", options={"resolution": 63}, io_type="uint8", calibration_count=16,
                      verify_count=8)
    assert i8.metadata["verification"]["passed"], i8.metadata["verification"]
    assert i8.metadata["xnnpack"]["ops_outside"] == [] and i8.metadata["xnnpack"]["partitions"] == 1
    assert i8.metadata["float_ops"] == ["EXP", "LOG", "SOFTMAX"]


def test_float_islands_leave_a_final_softmax_alone_and_need_outside_ops():
    """Which ops the int8 export computes in float: those XNNPACK leaves outside, but the final SOFTMAX (one cheap
    op at the end of every classifier, whether it feeds the output directly or through a DEQUANTIZE); a model
    with nothing outside converts once, unchanged."""
    import keras
    from mobilecnn.export.convert import outside_xnnpack, to_tflite
    from mobilecnn.export.graph import with_fixed_batch

    inputs = keras.Input((8, 8, 3))
    y = keras.layers.Conv2D(4, 3, padding="same")(inputs)
    y = keras.layers.Activation("gelu", name="gelu")(y)
    y = keras.layers.GlobalAveragePooling2D()(y)
    model = with_fixed_batch(keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(y)))
    calibration = np.random.default_rng(0).uniform(-1, 1, (8, 1, 8, 8, 3)).astype("float32")
    for io in ("int8", "float32"):
        full = to_tflite(model, "int8", lambda: iter(list(calibration)), io, full_integer=True)
        names = outside_xnnpack(full)
        assert len(names) == 1 and "gelu" in names[0].lower(), names
        mixed = to_tflite(model, "int8", lambda: iter(list(calibration)), io)
        assert outside_xnnpack(mixed) == [] and mixed != full
    plain = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(keras.layers.Flatten()(inputs)))
    content = to_tflite(with_fixed_batch(plain), "int8", lambda: iter(list(calibration)))
    assert outside_xnnpack(content) == []


def test_nin_cifar_ceil_mode_average_pools_stay_in_the_int8_partition():
    """NiN-CIFAR's 3x3/2 ceil-mode ("same") average pool is rewritten for int8 (quantization/rules.py): one
    partition with only the final softmax outside (before the rewrite: AVERAGE_POOL_2D outside too)."""
    i8 = export_model("nin-cifar", "int8", calibration_count=16, verify_count=8)
    assert i8.metadata["verification"]["passed"]
    assert i8.metadata["xnnpack"]["one_partition"], i8.metadata["xnnpack"]
    assert [op.split("#")[0] for op in i8.metadata["xnnpack"]["ops_outside"]] == ["SOFTMAX"]


def test_int8_io_types_and_float_io():
    from mobilecnn.export.runtime import TFLiteRunner

    for io in ("uint8", "float32"):
        result = export_model("lenet-5", "int8", io_type=io, calibration_count=16, verify_count=8,
                              check_delegates=False)
        runner = TFLiteRunner(model_content=result.model_content)
        dtype = {"uint8": np.uint8, "float32": np.float32}[io]
        assert runner.input["dtype"] == dtype and runner.output["dtype"] == dtype
        ops = [op["op_name"] for op in undelegated_ops(result.model_content)]
        # The I/O conversion happens at the ends only: QUANTIZE first, DEQUANTIZE (or a uint8 QUANTIZE) last.
        assert ops[0] == "QUANTIZE" and ops[-1] == ("DEQUANTIZE" if io == "float32" else "QUANTIZE")
        assert "QUANTIZE" not in ops[1:-1] and "DEQUANTIZE" not in ops[1:-1]


def undelegated_ops(content: bytes) -> list[dict]:
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    interpreter = Interpreter(model_content=content,
                              experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    return interpreter._get_ops_details()


def test_sidecar_and_atomic_write(tmp_path):
    out = tmp_path / "m.tflite"
    result = export_model("lenet-5", "float32", out, options={"num_classes": 7})
    assert out.read_bytes() == result.model_content
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["model"] == "lenet-5" and meta["precision"] == "float32"
    assert meta["input"]["shape"] == [1, 32, 32, 1] and meta["output"]["shape"] == [1, 7]
    assert meta["file_size"] == out.stat().st_size and meta["params"] > 0 and meta["macs"] > 0
    assert meta["verification"]["passed"] and meta["options"]["num_classes"] == 7
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp files left
    with pytest.raises(ValueError, match="exists; pass --force"):
        export_model("lenet-5", "float32", out)


def test_failed_conversion_leaves_nothing(tmp_path, monkeypatch):
    import mobilecnn.export.pipeline as pipeline
    from mobilecnn.export.convert import ConversionError

    def broken(*args, **kwargs):
        raise ConversionError("simulated converter failure")

    monkeypatch.setattr(pipeline, "to_tflite", broken)
    out = tmp_path / "m.tflite"
    with pytest.raises(ConversionError):
        export_model("mobilenet-v2", "float32", out, options={"resolution": RES, "width_multiplier": 0.35})
    assert list(tmp_path.iterdir()) == []


def decisive_reference(n: int = 16, classes: int = 10, seed: int = 0) -> np.ndarray:
    """Logits whose first class leads the second by 12 (noise of 0.3 elsewhere): every image is decisive."""
    reference = np.random.default_rng(seed).normal(0, 0.3, (n, classes))
    reference[:, 0] += 20.0
    reference[:, 1] += 8.0
    return reference


def with_cosine(reference: np.ndarray, cosine: float, seed: int = 0) -> np.ndarray:
    """Each row of ``reference`` turned towards a random orthogonal direction outside its first two classes:
    cosine similarity exactly ``cosine``, same norm."""
    rng = np.random.default_rng(seed)
    out = np.empty_like(reference)
    for i, r in enumerate(reference):
        u = np.zeros_like(r)
        u[2:] = rng.normal(size=len(r) - 2)
        u -= (u @ r) / (r[2:] @ r[2:]) * np.concatenate([[0, 0], r[2:]])
        out[i] = cosine * r + np.sqrt(1 - cosine**2) * np.linalg.norm(r) * u / np.linalg.norm(u)
    return out


def swap_top_two(reference: np.ndarray, rows: int) -> np.ndarray:
    out = reference.copy()
    out[:rows, [0, 1]] = out[:rows, [1, 0]]
    return out


@pytest.mark.parametrize("precision", ["float32", "float16"])
def test_float_verification_limit_is_sharp(precision):
    """A float export passes at 0.9x its limit of max error (relative to the largest |logit|) and fails at 1.1x."""
    from mobilecnn.export.verify import FLOAT_LIMITS, compare

    reference = np.random.default_rng(0).normal(size=(16, 10))
    error = np.zeros_like(reference)
    error[3, 4] = FLOAT_LIMITS[precision] * np.abs(reference).max()
    assert compare(precision, reference, reference + 0.9 * error).passed
    failed = compare(precision, reference, reference + 1.1 * error)
    assert not failed.passed and "of the largest |logit|" in failed.reason
    assert not compare(precision, reference, reference * np.nan).passed


def test_float_verification_on_probabilities_would_fail_a_confident_model_on_rounding_alone():
    """Why float exports are judged on logits: a confident classifier (logits of size 400) with a near-tie, its
    export off by float32-sized relative rounding (1e-5), moves a probability by far more than 0.1% but its logits
    by 1e-5 of their scale."""
    from mobilecnn.export.verify import compare

    rng = np.random.default_rng(0)
    logits = rng.normal(0, 100, (8, 10))
    logits[:, 0] = logits.max(1) + 1e-2   # a near-tie between the first two classes, far above the rest
    logits[0, 0] = 400.0
    logits[0, 1] = 399.99
    exported = logits * (1 + rng.uniform(-1e-5, 1e-5, logits.shape))

    def softmax(z):
        e = np.exp(z - z.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)

    on_probabilities = compare("float32", softmax(logits), softmax(exported), logits=False)
    assert not on_probabilities.passed and on_probabilities.relative_max_error > 1e-3
    on_logits = compare("float32", logits, exported)
    assert on_logits.passed and on_logits.relative_max_error < 2e-5


def test_float_export_of_a_confident_model_verifies_and_a_broken_one_fails():
    """EfficientNet-B0 (half depth, 64 px, 10 classes) whose batch-norm statistics come from noise, not from the
    verification photographs, and whose classifier is scaled 30x (logits ~1e4): its float32 export verifies on
    logits. The same file fed a mirrored image, and judged against the model with one convolution zeroed (a
    block's branch dropped), fails."""
    from mobilecnn.export.calibration import builtin_images
    from mobilecnn.export.runtime import TFLiteRunner
    from mobilecnn.export.verify import compare, keras_logits, verify

    model = mobilecnn.build("efficientnet-b0", resolution=RES, depth_coefficient=0.5, num_classes=10)
    mobilecnn.recalibrate_batchnorm(model, np.random.default_rng(1).uniform(0, 255, (16, RES, RES, 3)))
    head = model.layers[-1]
    kernel, bias = head.get_weights()
    head.set_weights([kernel * 30, bias])
    x = builtin_images((RES, RES, 3), 16)
    result = export_model(model, "float32", calibration=x, recalibrate=False, verify_count=16, check_delegates=False)
    v = result.metadata["verification"]
    assert v["passed"] and np.abs(keras_logits(model, x)).max() > 1e3 and v["relative_max_error"] < 1e-4, v

    mirrored = compare("float32", keras_logits(model, x),
                       TFLiteRunner(model_content=result.model_content, logits=True)(x[:, :, ::-1]))
    assert not mirrored.passed, mirrored
    conv = model.get_layer("block6b_project_conv")   # a residual block: its branch dropped, the shortcut kept
    conv.set_weights([np.zeros_like(w) for w in conv.get_weights()])
    dropped = verify(model, result.model_content, x, "float32")   # the file has the branch, the model not
    assert not dropped.passed and "of the largest |logit|" in dropped.reason, dropped


def cancelling_model(drift: float = 0.0):
    """Two dense branches with kernels about 0.15% apart, subtracted: the difference is ~700x more sensitive to
    rounding the weights than the weights are (float16's 2^-11 relative step moves it ~10%). ``drift`` scales the
    second kernel: a wrong weight."""
    import keras

    rng = np.random.default_rng(0)
    inputs = keras.Input((4, 4, 1))
    flat = keras.layers.Flatten()(inputs)
    a, b = keras.layers.Dense(8, use_bias=False), keras.layers.Dense(8, use_bias=False)
    model = keras.Model(inputs, keras.layers.Subtract()([a(flat), b(flat)]))
    kernel = rng.uniform(0.5, 1.0, (16, 8))
    a.set_weights([kernel.astype("float32")])
    b.set_weights([(kernel * (1 + 2e-3 * rng.uniform(0.5, 1.0, (16, 8))) * (1 + drift)).astype("float32")])
    return model


def test_float16_is_held_to_what_float16_weights_do_to_the_model_itself():
    """A model whose outputs move ~10% with its weights rounded to float16 (over the 5% limit) verifies in
    float16, its error being the model's own; a float16 file of the model with a 1% wrong kernel still fails."""
    from mobilecnn.export.convert import to_tflite
    from mobilecnn.export.graph import prepare
    from mobilecnn.export.verify import FLOAT_LIMITS, verify

    model = cancelling_model()
    x = np.random.default_rng(1).uniform(0, 1, (8, 4, 4, 1)).astype("float32")
    v = verify(model, to_tflite(prepare(model, "float16"), "float16"), x, "float16")
    assert v.passed, v
    assert v.relative_max_error > FLOAT_LIMITS["float16"] and v.rounding_error > FLOAT_LIMITS["float16"]
    wrong = verify(model, to_tflite(prepare(cancelling_model(drift=0.01), "float16"), "float16"), x, "float16")
    assert not wrong.passed and "rounding its weights to float16 moves the model itself by" in wrong.reason, wrong
    assert verify(model, to_tflite(prepare(model, "float32"), "float32"), x, "float32").passed


def chaotic_model(drift: float = 0.0, depth: int = 25):
    """``depth`` tanh layers with gain 3 (the chaotic regime of a random deep network): every layer multiplies a
    rounding difference by ~1.5, so float32's summation order moves the output of 25 layers ~0.3% of its largest
    value (as in the untrained EfficientNet-B6), of 33 layers ~4% (as in the untrained EfficientNetV2-L), of 40
    ~50% (decorrelated). ``drift`` scales the 13th layer's kernel: a wrong weight."""
    import keras

    rng = np.random.default_rng(0)
    inputs = keras.Input((8, 8, 1))
    h, dense = keras.layers.Flatten()(inputs), []
    for _ in range(depth):
        dense.append(keras.layers.Dense(64, activation="tanh"))
        h = dense[-1](h)
    model = keras.Model(inputs, h)
    for i, layer in enumerate(dense):
        kernel = rng.normal(0, 3 / 8, (64, 64)) * (1 + drift if i == 12 else 1)
        layer.set_weights([kernel.astype("float32"), np.zeros(64, "float32")])
    return model


def test_float32_is_held_to_what_one_step_of_rounding_does_to_the_model_itself():
    """A deep chaotic model whose float32 export is off by more than 0.1% (its summation order amplified layer
    after layer) verifies, its error within 4x the model's own move with its weights nudged one float32 step: at 25
    layers (~0.3% off), and at 33 (~4% off, like the untrained EfficientNetV2-L, over the 1% this cap was before).
    The 33-layer model with a 1% wrong kernel, or fed flipped images, still fails; at 40 layers rounding alone
    decorrelates the outputs and the export is refused as unverifiable in float32."""
    from mobilecnn.export.convert import to_tflite
    from mobilecnn.export.graph import prepare
    from mobilecnn.export.runtime import TFLiteRunner
    from mobilecnn.export.verify import FLOAT_LIMITS, MAX_ALLOWANCE, compare, predict, verify

    def exported(model):
        return to_tflite(prepare(model, "float32"), "float32")

    x = np.random.default_rng(1).uniform(0, 1, (8, 8, 8, 1)).astype("float32")
    for depth, least in ((25, FLOAT_LIMITS["float32"]), (33, 0.01)):
        model = chaotic_model(depth=depth)
        v = verify(model, exported(model), x, "float32")
        assert v.passed and v.relative_max_error > least, (depth, v)
        assert v.relative_max_error <= 4 * v.rounding_error, (depth, v)
    wrong = verify(model, exported(chaotic_model(drift=0.01, depth=33)), x, "float32")
    assert not wrong.passed and "one float32 step moves the model itself by" in wrong.reason, wrong
    assert wrong.relative_max_error > MAX_ALLOWANCE["float32"], wrong
    flipped = compare("float32", predict(model, x), TFLiteRunner(model_content=exported(model))(x[:, :, ::-1]))
    assert not flipped.passed and flipped.relative_max_error > MAX_ALLOWANCE["float32"], flipped
    chaos = chaotic_model(depth=40)
    lost = verify(chaos, exported(chaos), x, "float32")
    assert not lost.passed and lost.relative_max_error > MAX_ALLOWANCE["float32"], lost
    assert "float32 cannot be verified for it" in lost.reason, lost


@pytest.mark.parametrize("precision", ["dynamic", "int8"])
def test_quantized_verification_cosine_limit_is_sharp(precision):
    """A quantized export passes at a cosine similarity 0.02 above its bar and fails 0.02 below, every top-1 kept."""
    from mobilecnn.export.verify import QUANT_LIMITS, compare

    reference, bar = decisive_reference(), QUANT_LIMITS[precision]
    for cosine, passes in ((bar + 0.02, True), (bar - 0.02, False)):
        v = compare(precision, reference, with_cosine(reference, cosine))
        assert v.cosine_similarity == pytest.approx(cosine) and v.top1_agreement == 1.0, v
        assert v.passed == passes, v
    assert "cosine similarity" in compare(precision, reference, with_cosine(reference, bar - 0.02)).reason


def test_decisive_agreement_allows_one_flip_not_two():
    """With cosine similarity above the bar, top-1 flips on decisive images fail an int8 export: one flip of 16
    is allowed (94%), two (88%, under 90%) are not; flips where the reference is not decisive do not count."""
    from mobilecnn.export.verify import MIN_DECISIVE_AGREEMENT, compare

    reference = decisive_reference()
    one, two = compare("int8", reference, swap_top_two(reference, 1)), compare("int8", reference,
                                                                               swap_top_two(reference, 2))
    assert one.decisive_images == two.decisive_images == 16 and min(one.cosine_similarity, two.cosine_similarity) > 0.8
    assert one.passed and one.decisive_agreement == 15 / 16
    assert not two.passed and two.decisive_agreement == 14 / 16 < MIN_DECISIVE_AGREEMENT
    assert "images where the Keras model is decisive" in two.reason
    # Near-ties: first and second class 0.05 apart, under twice the export's error there (noise of 0.3).
    tied = reference.copy()
    tied[:4, 1] = tied[:4, 0] - 0.05
    noisy = swap_top_two(tied, 4)
    noisy[:4] += np.random.default_rng(1).normal(0, 0.3, noisy[:4].shape)
    v = compare("int8", tied, noisy)
    flips = round((1 - v.top1_agreement) * 16)
    assert flips >= 2 and v.decisive_images == 12 and v.decisive_agreement == 1.0 and v.passed, v


@pytest.fixture(scope="module")
def v3_int8():
    """MobileNet V3-Small (0.75x, 64 px) with batch norm recalibrated, its int8 export, and verification images."""
    from mobilecnn.export.calibration import builtin_images

    model = mobilecnn.build("mobilenet-v3-small", resolution=RES, width_multiplier=0.75)
    x = builtin_images((RES, RES, 3), 32)
    result = export_model(model, "int8", calibration=x[:16], recalibrate=True, calibration_count=16, verify_count=16,
                          check_delegates=False)
    return model, result, x[16:]


def test_int8_verification_passes_the_export_and_fails_it_on_another_input(v3_int8):
    """A real int8 export against its model clears the bar; the same export against the model fed flipped or
    half-scale images (a preprocessing bug) falls below it, as verify.py says broken exports do (0.39-0.66)."""
    from mobilecnn.export.runtime import TFLiteRunner
    from mobilecnn.export.verify import compare, keras_logits, verify

    model, result, x = v3_int8
    assert result.metadata["verification"]["passed"]
    assert verify(model, result.model_content, x, "int8").passed
    exported = TFLiteRunner(model_content=result.model_content, logits=True)(x)
    for wrong in (x[:, :, ::-1], x / 2):
        v = compare("int8", keras_logits(model, wrong), exported)
        assert not v.passed, v


def test_calibration_sources(tmp_path):
    import tensorflow as tf
    from mobilecnn.export.calibration import CalibrationError, calibration_images
    from PIL import Image

    shape = (32, 32, 3)
    with pytest.warns(UserWarning, match="scikit-image"):
        builtin = calibration_images(None, shape, 8)
    assert builtin.shape == (8, 32, 32, 3) and 0 <= builtin.min() and builtin.max() <= 255 and builtin.std() > 10
    for i in range(3):
        Image.fromarray(builtin[i].astype("uint8")).save(tmp_path / f"{i}.png")
    assert calibration_images(str(tmp_path), shape).shape == (3, 32, 32, 3)
    assert calibration_images(builtin[:5], shape).shape == (5, 32, 32, 3)
    dataset = tf.data.Dataset.from_tensor_slices(builtin).batch(4)
    assert calibration_images(dataset, shape, 6).shape == (6, 32, 32, 3)
    (tmp_path / "broken.jpg").write_bytes(b"not an image")
    with pytest.raises(CalibrationError, match="broken.jpg"):
        calibration_images(str(tmp_path), shape)
    with pytest.raises(CalibrationError, match="does not exist"):
        calibration_images(str(tmp_path / "missing"), shape)


def test_pipeline_steps_are_reported():
    seen = []
    export_model("lenet-5", "float32", progress=seen.append, check_delegates=False, verify=False)
    # The order pipeline.py's docstring gives, written out here (not read from its STEPS).
    assert seen == ["build", "calibrate", "convert", "verify", "delegates", "write", "benchmark"]


FULL_SIZE = [n for n in mobilecnn.list_models() if n.startswith(("mobilenet", "shufflenet", "squeezenet"))] + [
    "efficientnet-b0", "efficientnet-b1"]   # B2-B7 are the same blocks, larger; B1 is the README's main job


@pytest.mark.slow
@pytest.mark.parametrize("name", FULL_SIZE)
def test_full_size_exports(name):
    results = {p: export_model(name, p, calibration_count=32, verify_count=16) for p in PRECISIONS}
    for precision, result in results.items():
        check_export(result, precision, results["float32"].size)


def check_export(result, precision: str, float32_size: int) -> None:
    meta = result.metadata
    assert meta["verification"]["passed"], meta["verification"]
    if precision != "dynamic":  # dynamic-range depthwise convolutions have no XNNPACK kernel
        assert meta["xnnpack"]["one_partition"], meta["xnnpack"]
    if precision == "int8":
        assert meta["io_type"] == "int8"
        assert result.size <= 0.30 * float32_size, result.size / float32_size
    if precision == "float16":
        assert result.size <= 0.55 * float32_size, result.size / float32_size
        assert meta["gpu_analyzer"]["gpu_compatible"], meta["gpu_analyzer"]
        if meta["gpu"]["available"]:
            assert meta["gpu"]["fully_accelerated"], meta["gpu"]
