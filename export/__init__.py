"""Edge export: Keras models to LiteRT/TFLite in float32, float16, dynamic-range int8 and full int8.

>>> from export import export_model
>>> result = export_model("mobilenet-v2", "int8", "mnv2_int8.tflite", options={"resolution": 160})
>>> result.metadata["xnnpack"]["partitions"]
1
"""

from export.calibration import CalibrationError, builtin_images, calibration_images
from export.convert import IO_TYPES, PRECISIONS, ConversionError, to_tflite
from export.delegates import analyzer_report, gpu_report, xnnpack_report
from export.files import OutputError
from export.pipeline import ExportResult, UnsafeModelError, VerificationError, export_model

__all__ = ["export_model", "ExportResult", "PRECISIONS", "IO_TYPES", "to_tflite", "calibration_images",
           "builtin_images", "xnnpack_report", "gpu_report", "analyzer_report", "ConversionError",
           "VerificationError", "CalibrationError", "UnsafeModelError", "OutputError"]
