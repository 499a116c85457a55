"""``mobilecnn export`` / ``mobilecnn benchmark``: outputs, exit codes and messages."""

from __future__ import annotations

import json

import pytest

from mobilecnn.cli import main

SMALL = ["--resolution", "64", "--width-multiplier", "0.35"]


def test_export_writes_model_and_sidecar(tmp_path, capsys):
    out = tmp_path / "mnv2.tflite"
    assert main(["export", "mobilenet-v2", *SMALL, "--precision", "float16", "--out", str(out),
                 "--no-gpu-check", "--benchmark"]) == 0
    assert out.stat().st_size > 0
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["precision"] == "float16" and len(meta["benchmark"]) == 2
    assert "XNNPACK" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["export", "mobilenet-v9"], "Unknown model 'mobilenet-v9'"),
    (["export", "mobilenet-v2", "--precision", "int4"], "invalid choice: 'int4'"),
    (["export", "mobilenet-v2", "--io", "uint8"], "--io uint8 needs --precision int8"),
    (["export", "mobilenet-v2", "--full-integer", "--precision", "float16"],
     "--full-integer needs --precision int8 (got --precision float16)"),
    (["export", "mobilenet-v2", *SMALL, "--set", "groups=3"], "does not take option"),
])
def test_bad_arguments_exit_2(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_output_errors_exit_2(tmp_path, capsys):
    assert main(["export", "mobilenet-v2", *SMALL, "--out", str(tmp_path / "no" / "m.tflite")]) == 2
    assert "does not exist" in capsys.readouterr().err
    existing = tmp_path / "m.tflite"
    existing.write_bytes(b"keep me")
    assert main(["export", "mobilenet-v2", *SMALL, "--out", str(existing)]) == 2
    assert "--force" in capsys.readouterr().err
    assert existing.read_bytes() == b"keep me"


def test_calibration_errors_exit_2(tmp_path, capsys):
    base = ["export", "mobilenet-v2", *SMALL, "--precision", "int8", "--out", str(tmp_path / "m.tflite")]
    assert main([*base, "--calibration", str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main([*base, "--calibration", str(empty)]) == 2
    assert "has no images" in capsys.readouterr().err
    (empty / "bad.png").write_bytes(b"\x89PNG garbage")
    assert main([*base, "--calibration", str(empty)]) == 2
    assert "bad.png" in capsys.readouterr().err
    assert not (tmp_path / "m.tflite").exists()


def test_unsafe_keras_file_is_refused(tmp_path, capsys):
    import keras

    inputs = keras.Input((32, 32, 3))
    outputs = keras.layers.Lambda(lambda x: x * 2.0)(inputs)
    path = tmp_path / "lambda.keras"
    keras.Model(inputs, keras.layers.GlobalAveragePooling2D()(outputs)).save(path)
    assert main(["export", str(path), "--out", str(tmp_path / "m.tflite")]) == 2
    assert "--unsafe" in capsys.readouterr().err


def test_benchmark_of_a_corrupt_file_exits_1(tmp_path, capsys):
    bad = tmp_path / "corrupt.tflite"
    bad.write_bytes(b"\x00" * 64)
    assert main(["benchmark", str(bad)]) == 1
    assert "not a valid TFLite model" in capsys.readouterr().err
    assert main(["benchmark", str(tmp_path / "missing.tflite")]) == 2
