"""Is a .tflite full-integer? Which of its ops compute in float.

An int8-only accelerator (NPU, Edge TPU, DSP) takes a graph whose every op
reads and writes int8 (int32 for biases and shapes). A model with float input
and output may convert at its ends only: a QUANTIZE of a model input and a
DEQUANTIZE into a model output.
"""

from __future__ import annotations

import numpy as np


def float_ops(model_content: bytes) -> list[str]:
    """``"OP#index"`` for every op that reads or writes float, less the I/O conversions at the ends."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    interpreter = Interpreter(model_content=model_content,
                              experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interpreter.allocate_tensors()
    dtype = {t["index"]: t["dtype"] for t in interpreter.get_tensor_details()}
    inputs = {int(t["index"]) for t in interpreter.get_input_details()}
    outputs = {int(t["index"]) for t in interpreter.get_output_details()}
    found = []
    for op in interpreter._get_ops_details():
        ins = [int(i) for i in op["inputs"] if i >= 0]
        outs = [int(i) for i in op["outputs"]]
        if op["op_name"] == "QUANTIZE" and set(ins) <= inputs:
            continue
        if op["op_name"] == "DEQUANTIZE" and set(outs) <= outputs:
            continue
        if any(np.issubdtype(dtype[i], np.floating) for i in ins + outs):
            found.append(f"{op['op_name']}#{op['index']}")
    return found


def is_full_integer(model_content: bytes) -> bool:
    return not float_ops(model_content)
