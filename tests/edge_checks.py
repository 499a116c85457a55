"""Edge checks shared by the EfficientNet-Lite, MnasNet and EfficientNetV2 tests: every precision exports and
verifies, float32/float16/int8 run in one XNNPACK partition, float16 runs fully on the LiteRT GPU accelerator,
and QAT exports full-integer."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import need_gpu, spread

import mobilecnn

PRECISIONS = ("float32", "float16", "dynamic", "int8")
# The fast suite exports the small representatives in float16 (the GPU check) and int8 (the partition check);
# float32 and dynamic run under -m slow.
SMALL_PRECISIONS = [p if p in ("float16", "int8") else pytest.param(p, marks=pytest.mark.slow) for p in PRECISIONS]
# The QAT export's error relative to how much the QAT model's logits vary between images (as test_qat.py
# measures it): 0 equal, about 1.4 unrelated outputs.
QAT_EXPORT_LIMIT = 0.5


def check_export(name: str, precision: str, options: dict) -> None:
    """``name`` with ``options`` exports in ``precision`` and passes verification against the Keras model (the
    pipeline recalibrates batch norm first); one XNNPACK partition except for dynamic range (XNNPACK has no
    dynamic-range depthwise kernel); float16 is GPU-compatible and runs fully on the GPU accelerator."""
    from mobilecnn.export import export_model

    check_export_result(export_model(name, precision, options=options, calibration_count=32, verify_count=16),
                        precision)


def check_export_result(result, precision: str) -> None:
    """An export result (mobilecnn.export.export_model) meets :func:`check_export`'s bars."""
    meta = result.metadata
    assert meta["verification"]["passed"], meta["verification"]
    if precision != "dynamic":
        assert meta["xnnpack"]["one_partition"], meta["xnnpack"]
    if precision == "int8":
        assert meta["io_type"] == "int8"
    if precision == "float16":
        assert meta["gpu_analyzer"]["gpu_compatible"], meta["gpu_analyzer"]
        need_gpu(meta["gpu"])
        assert meta["gpu"]["fully_accelerated"], meta["gpu"]["cpu_ops"] or meta["gpu"]["error"]


def export_error(exported: np.ndarray, expected: np.ndarray) -> float:
    """RMS of ``exported - expected`` over the RMS of ``expected``'s variation between the images."""
    assert np.all(np.isfinite(exported)) and np.all(np.isfinite(expected))
    variation = expected - expected.mean(axis=0)
    return float(np.sqrt(np.mean((exported - expected) ** 2) / max(np.mean(variation**2), 1e-30)))


def check_qat(name: str, options: dict, resolution: int = 32, follows: bool = True) -> float:
    """QAT (tf_keras + tfmot) trains one step and exports full-integer: no float op, int8 input and output, one
    XNNPACK partition; with ``follows``, logits that follow the QAT model's within QAT_EXPORT_LIMIT (on logits
    spanning 20 output quantization steps). Returns the export's error (see :func:`export_error`)."""
    import tf_keras
    from mobilecnn.export.convert import qat_to_tflite
    from mobilecnn.export.delegates import xnnpack_report
    from mobilecnn.export.runtime import TFLiteRunner

    from mobilecnn.quantization import float_ops

    model = mobilecnn.build(name, resolution=resolution, num_classes=10, classifier_activation=None, **options)
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, (8, resolution, resolution, 3)).astype("float32")
    mobilecnn.recalibrate_batchnorm(model, images)
    qat_model = mobilecnn.qat(model, calibration=images)
    loss = tf_keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    qat_model.compile(tf_keras.optimizers.Adam(1e-3), loss, run_eagerly=True)
    assert np.isfinite(qat_model.train_on_batch(images, np.arange(8) % 10))
    content = qat_to_tflite(qat_model)
    assert float_ops(content) == []
    runner = TFLiteRunner(model_content=content)
    assert runner.input["dtype"] == np.int8 and runner.output["dtype"] == np.int8
    report = xnnpack_report(content)
    assert report.one_partition, report
    x = rng.uniform(0, 255, images.shape).astype("float32")
    expected = np.asarray(qat_model(x, training=False))
    assert spread(expected) > 20 * runner.output["quantization"][0]
    error = export_error(runner(x), expected)
    assert not follows or error <= QAT_EXPORT_LIMIT, (
        f"the QAT export's logits are {error:.2f} of their variation off the model's")
    return error
