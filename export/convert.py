"""Keras model to TFLite flatbuffer, in four precisions.

| precision | weights | activations | for |
| --- | --- | --- | --- |
| float32 | float32 | float32 | CPU (XNNPACK), reference |
| float16 | float16 | float32 on CPU, float16 on GPU | the GPU delegate; half the size |
| dynamic | int8 | float32 (int8 matmuls at run time) | smaller file, no calibration |
| int8 | int8 | int8 (calibrated) | int8 accelerators, ARM CPUs; int8/uint8/float32 I/O |

An int8 export computes in int8 every op XNNPACK (LiteRT's CPU delegate) runs in int8. An op it has no int8
kernel for (attention's SOFTMAX and BATCH_MATMUL, exact GELU, LRN's LOG and EXP) would run on TFLite's
single-threaded int8 kernels between XNNPACK partitions; by default it is computed in float instead
(DEQUANTIZE, the float op, QUANTIZE), which XNNPACK takes, so the graph stays one partition: the "float islands"
of :func:`float_islands`. ``full_integer=True`` keeps every op in int8 for int8-only accelerators (NPU, Edge TPU,
DSP), which have no float kernels.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable

import numpy as np

PRECISIONS = ("float32", "float16", "dynamic", "int8")
IO_TYPES = ("int8", "uint8", "float32")


class ConversionError(RuntimeError):
    """The converter failed; the message says why."""


def check_precision(precision: str, io_type: str | None = None) -> None:
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")
    if io_type is not None:
        if io_type not in IO_TYPES:
            raise ValueError(f"unknown input/output type {io_type!r}; choose one of {', '.join(IO_TYPES)}")
        if io_type != "float32" and precision != "int8":
            raise ValueError(f"--io {io_type} needs --precision int8 (a {precision} model has float32 I/O)")


def to_tflite(model, precision: str, representative: Callable[[], Iterable[np.ndarray]] | None = None,
              io_type: str = "int8", full_integer: bool = False) -> bytes:
    """Convert a fixed-batch Keras 3 ``model`` (see :func:`mobilecnn.export.graph.prepare`); int8 with float
    islands inside XNNPACK where it has no int8 kernel, unless ``full_integer`` (see the module's docstring)."""
    import tensorflow as tf

    check_precision(precision, io_type if precision == "int8" else None)
    function, concrete = trace(model, [tuple(t.shape) for t in model.inputs])

    def new_converter():
        return tf.lite.TFLiteConverter.from_concrete_functions([concrete], function)

    content = _convert(new_converter(), precision, representative, io_type)
    if precision == "int8" and not full_integer:
        content = float_islands(content, new_converter, representative, io_type)
    return compact(content)


def trace(model, shapes: list[tuple]):
    """``model`` in inference mode as a tf.function and its concrete function at the fixed input ``shapes``.

    The converter takes the tf.function, not the model, as the trackable object: given a Keras model (or its
    SavedModel export, the way this module converted before) it saves a SavedModel first, tracing every layer
    again: MobileNetV4-Hybrid-M at 0.5x and 64 px converted to int8 in 65 s that way, and in 14 s from the
    concrete function, to the same ops and outputs. Fixed shapes: a dynamic batch dimension would leave
    shape-computing ops (SHAPE, PACK...) in the graph.
    """
    import tensorflow as tf

    if len(shapes) == 1:
        function = tf.function(lambda images: model(images, training=False))
    else:
        function = tf.function(lambda *images: model(list(images), training=False))
    try:
        concrete = function.get_concrete_function(*[tf.TensorSpec(s, tf.float32) for s in shapes])
    except Exception as err:
        raise ConversionError(f"could not trace {model.name} for conversion: {err}") from err
    return function, concrete


def outside_xnnpack(content: bytes) -> list[str]:
    """Output tensor names of the ops XNNPACK leaves outside, but a final SOFTMAX (feeding the model's output
    directly or through a QUANTIZE/DEQUANTIZE): in int8 it is one cheap op at the end, and every export has it."""
    from ai_edge_litert.interpreter import Interpreter
    from mobilecnn.export.delegates import xnnpack_report

    report = xnnpack_report(content)
    if not report.ops_outside:
        return []
    interpreter = Interpreter(model_content=content)
    names = {t["index"]: t["name"] for t in interpreter.get_tensor_details()}
    ops = {op["index"]: op for op in interpreter._get_ops_details()}
    outputs = {int(t["index"]) for t in interpreter.get_output_details()}
    converts = {int(i) for op in ops.values() if op["op_name"] in ("QUANTIZE", "DEQUANTIZE")
                and set(int(o) for o in op["outputs"]) <= outputs for i in op["inputs"]}
    found = []
    for entry in report.ops_outside:
        kind, index = entry.split("#")
        op = ops[int(index)]
        if kind == "SOFTMAX" and set(int(o) for o in op["outputs"]) <= outputs | converts:
            continue
        found += [names[int(o)] for o in op["outputs"]]
    return found


def float_islands(content: bytes, new_converter: Callable, representative, io_type: str) -> bytes:
    """The full-integer ``content`` with the ops XNNPACK leaves outside (:func:`outside_xnnpack`) computed in
    float: calibrated again and quantized with those ops' outputs on the quantizer's deny list, so each becomes
    DEQUANTIZE, the float op, QUANTIZE, all of which XNNPACK takes. ``content`` itself when nothing is outside,
    or when the denied ops leave no fewer partitions."""
    import tensorflow as tf
    from mobilecnn.export.delegates import xnnpack_report
    from tensorflow.lite.python import convert as lite_convert

    denied = outside_xnnpack(content)
    if not denied:
        return content
    converter = new_converter()
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([np.asarray(x, "float32")] for x in representative())
    converter.experimental_mlir_quantizer = True
    converter._experimental_calibrate_only = True   # the float graph with its calibrated ranges
    calibrated = _run(converter, "int8 calibration")
    dtype = {"int8": tf.int8, "uint8": tf.uint8, "float32": tf.float32}[io_type]
    try:
        mixed = lite_convert.mlir_quantize(calibrated, fully_quantize=True, input_data_type=dtype,
                                           output_data_type=dtype, denylisted_nodes=denied)
    except Exception as err:  # the quantizer raises many types; keep its message
        raise ConversionError(f"TFLite quantization with float islands failed: {str(err).strip()[:2000]}") from err
    return mixed if xnnpack_report(mixed).partitions < xnnpack_report(content).partitions else content


def compact(content: bytes) -> bytes:
    """Drop what the converter writes but no runtime needs; computation unchanged.

    - Tensor names: a fused op's output is named after every TF op fused into
      it (``net/block_bn/batchnorm/add_1;net/block_bn/batchnorm/mul_1;net/block_conv/Conv2D;...``),
      about 120 bytes a tensor. The first op, less the model prefix
      (``block_bn/batchnorm/add_1``), still says where the tensor comes from.
    - Per-channel quantization whose channels all share one scale and zero
      point (the constant ``1/9`` depthwise kernel that replaces an int8
      average pool) is stored once, as per-tensor: the same numbers.
    Per-channel parameters cost 12 bytes a channel for weights and again for
    biases: 14% of an int8 ShuffleNet V1's weights, whose grouped 1x1
    convolutions have only 80 weights a channel. Signatures and metadata are kept.
    """
    from tensorflow.lite.tools import flatbuffer_utils

    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(content))
    for subgraph in model.subgraphs:
        for tensor in subgraph.tensors:
            if tensor.name:
                name = tensor.name.decode() if isinstance(tensor.name, bytes) else tensor.name
                first = name.split(";")[0]
                tensor.name = first.split("/", 1)[1] if "/" in first else first
            q = tensor.quantization
            if (q is not None and q.scale is not None and len(q.scale) > 1 and np.all(q.scale == q.scale[0])
                    and q.zeroPoint is not None and np.all(q.zeroPoint == q.zeroPoint[0])):
                q.scale, q.zeroPoint, q.quantizedDimension = q.scale[:1], q.zeroPoint[:1], 0
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


def _convert(converter, precision, representative, io_type) -> bytes:
    import tensorflow as tf

    if precision == "float16":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    elif precision == "dynamic":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    elif precision == "int8":
        if representative is None:
            raise ValueError("int8 needs representative (calibration) data")
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: ([np.asarray(x, "float32")] for x in representative())
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        _set_io_type(converter, io_type)
    return _run(converter, precision)


def _set_io_type(converter, io_type: str) -> None:
    """The int8 model's input and output type (float32: QUANTIZE/DEQUANTIZE at the ends)."""
    import tensorflow as tf

    dtype = {"int8": tf.int8, "uint8": tf.uint8, "float32": tf.float32}[io_type]
    converter.inference_input_type = dtype
    converter.inference_output_type = dtype


def _run(converter, label: str) -> bytes:
    try:
        with warnings.catch_warnings():
            # An int8 input's range comes from calibration or the model's first fake-quant op, not from the
            # converter's input statistics argument (which only a concrete-function conversion asks for).
            warnings.filterwarnings("ignore", message="Statistics for quantized inputs were expected")
            return converter.convert()
    except Exception as err:  # the converter raises many types; keep its message
        raise ConversionError(f"TFLite conversion ({label}) failed: {str(err).strip()[:2000]}") from err


def qat_to_tflite(model, io_type: str = "int8", batch_size: int = 1) -> bytes:
    """Convert a quantization-aware-trained tf_keras model (``mobilecnn.qat``) to full-integer int8.

    Every range comes from the model's fake-quant ops, so no calibration data
    is needed. The batch is fixed (``batch_size``, 1 by default) by tracing
    the model at that input shape. ``io_type`` int8 or uint8 gives integer
    input and output; float32 adds QUANTIZE/DEQUANTIZE at the ends only.
    """
    import tensorflow as tf

    check_precision("int8", io_type)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if len(model.inputs) != 1 or any(d is None for d in model.inputs[0].shape[1:]):
        raise ValueError(f"{model.name}: export takes single-input models with a static input size")
    function, concrete = trace(model, [(batch_size, *[int(d) for d in model.inputs[0].shape[1:]])])
    converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete], function)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    _set_io_type(converter, io_type)
    return compact(_run(converter, "QAT int8"))
