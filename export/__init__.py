"""Edge export: Keras models to LiteRT/TFLite in float32, float16, dynamic-range int8 and full int8.

>>> from mobilecnn.export import export_model
>>> result = export_model("mobilenet-v2", "int8", "mnv2_int8.tflite", options={"resolution": 160})
>>> result.metadata["xnnpack"]["partitions"]
1

The names below load on first use (``import mobilecnn.export`` imports no TensorFlow).
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "CalibrationError": "calibration", "builtin_images": "calibration", "calibration_images": "calibration",
    "IO_TYPES": "convert", "PRECISIONS": "convert", "ConversionError": "convert", "to_tflite": "convert",
    "qat_to_tflite": "convert",
    "AssetsError": "assets", "write_android_assets": "assets",
    "analyzer_report": "delegates", "gpu_report": "delegates", "xnnpack_report": "delegates",
    "OutputError": "files",
    "ExportResult": "pipeline", "UnsafeModelError": "pipeline", "VerificationError": "pipeline",
    "export_model": "pipeline",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
