"""Quantization-aware training for every model of the zoo, and the full-integer check of its export.

- :func:`qat` (``mobilecnn.qat``): a model -> its tf_keras twin in int8 form, with tfmot's fake-quant ops.
- :mod:`~mobilecnn.quantization.rules`: how each layer class is quantized (custom layers' rules live
  beside them in ``mobilecnn/layers/``).
- :func:`float_ops`: the ops of a .tflite that compute in float (none in a full-integer model).
"""

from mobilecnn.quantization.aware import int8_graph, qat, twin_of
from mobilecnn.quantization.integer import float_ops, is_full_integer

__all__ = ["qat", "int8_graph", "twin_of", "float_ops", "is_full_integer"]
