"""Edge export: every efficient-lineage model in every precision, verified, one XNNPACK partition,
fully on the GPU accelerator in float16; file sizes; atomic writes; the CLI's errors and exit codes.

Models are untrained, so batch-norm statistics are recalibrated on the calibration images
before conversion (the pipeline does this for models built from a name)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import mobilecnn
from mobilecnn.export import export_model
from mobilecnn.export.pipeline import STEPS

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


@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize("name", list(EFFICIENT))
def test_exports_verify_and_stay_in_one_xnnpack_partition(name, precision):
    check_export(exported(name, precision), precision, exported(name, "float32").size)


@pytest.mark.parametrize("name", list(EFFICIENT))
def test_float16_runs_fully_on_the_gpu_accelerator(name):
    gpu = exported(name, "float16").metadata["gpu"]
    if not gpu["available"]:
        pytest.skip(f"no GPU adapter here ({gpu['error']}); scripts/install-software-vulkan.sh provides one")
    assert gpu["fully_accelerated"], gpu["cpu_ops"] or gpu["error"]


@pytest.mark.parametrize("precision, layer", [("int8", "AveragePooling2D"), ("float16", "Conv2D"),
                                              ("int8", "HardSwish")])
def test_precision_rewrites_compute_the_same_outputs(precision, layer):
    """Each rewrite (export/graph.py) replaces layers with ops the runtime accelerates, and computes the same."""
    from conftest import images, randomize_batchnorm

    from mobilecnn.export.graph import rewritten

    name, options = (("mobilenet-v3-small", {"width_multiplier": 0.75}) if layer == "HardSwish"
                     else ("shufflenet-v1", {"width_multiplier": 0.5, "groups": 3}))  # 0.5x: groups of 10 channels
    model = mobilecnn.build(name, resolution=RES, classifier_activation=None, **options)
    randomize_batchnorm(model)
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
    x = images(2, RES)
    np.testing.assert_allclose(graph(x, training=False), model(x, training=False), rtol=1e-4, atol=1e-4)
    assert rewritten(model, "float32") is model


def test_shufflenet_v1_groups_of_any_size_run_on_the_gpu():
    """The LiteRT GPU accelerator aborts on grouped convolutions of groups not a multiple of 4 channels; the
    float16 export splits them."""
    result = exported_with("shufflenet-v1", "float16", {"width_multiplier": 0.5, "groups": 3})
    gpu = result.metadata["gpu"]
    assert result.metadata["xnnpack"]["one_partition"] and result.metadata["gpu_analyzer"]["gpu_compatible"]
    if not gpu["available"]:
        pytest.skip(f"no GPU adapter here ({gpu['error']})")
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
    if not report.available:
        pytest.skip(f"no GPU adapter here ({report.error})")
    assert report.fully_accelerated is False
    assert any(op.startswith("TRANSPOSE") or op.startswith("RESHAPE") for op in report.cpu_ops), report


def test_int8_io_types_and_float_io():
    from mobilecnn.export.runtime import TFLiteRunner

    for io in ("uint8", "float32"):
        result = export_model("mobilenet-v3-small", "int8", options={"resolution": RES, "width_multiplier": 0.75},
                              io_type=io, calibration_count=16, verify_count=8, check_delegates=False)
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
    result = export_model("mobilenet-v2", "float32", out, options={"resolution": RES, "width_multiplier": 0.35,
                                                                   "num_classes": 10})
    assert out.read_bytes() == result.model_content
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["model"] == "mobilenet-v2" and meta["precision"] == "float32"
    assert meta["input"]["shape"] == [1, RES, RES, 3] and meta["output"]["shape"] == [1, 10]
    assert meta["file_size"] == out.stat().st_size and meta["params"] > 0 and meta["macs"] > 0
    assert meta["verification"]["passed"] and meta["options"]["num_classes"] == 10
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp files left
    with pytest.raises(ValueError, match="exists; pass --force"):
        export_model("mobilenet-v2", "float32", out, options={"resolution": RES})


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


def test_verification_fails_a_broken_export():
    from mobilecnn.export.verify import compare

    rng = np.random.default_rng(0)
    reference = rng.normal(size=(16, 10))
    assert compare("float32", reference, reference + 1e-7).passed
    assert not compare("float32", reference, reference * 0.5).passed
    assert not compare("float16", reference, rng.normal(size=(16, 10))).passed
    assert not compare("int8", reference, rng.normal(size=(16, 10))).passed
    assert compare("int8", reference, reference + rng.normal(scale=0.05, size=(16, 10))).passed


def test_calibration_sources(tmp_path):
    import tensorflow as tf
    from PIL import Image

    from mobilecnn.export.calibration import CalibrationError, calibration_images

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
    export_model("mobilenet-v3-small", "float32", options={"resolution": RES, "width_multiplier": 0.75},
                 progress=seen.append, check_delegates=False, verify=False)
    assert seen == [s for s in STEPS]


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
