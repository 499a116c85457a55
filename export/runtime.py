"""Running a .tflite in LiteRT's interpreter with float inputs, whatever its I/O type."""

from __future__ import annotations

import numpy as np


class TFLiteRunner:
    """Feed [model-convention] float images one at a time; get float outputs back.

    Quantized inputs/outputs (int8/uint8) are (de)quantized with the tensor's
    own scale and zero point.
    """

    def __init__(self, model_content: bytes | None = None, model_path: str | None = None, threads: int = 2,
                 logits: bool = False):
        """``logits=True`` reads the input of a final ``SOFTMAX`` instead of its output.

        int8 softmax outputs have a step of 1/256, too coarse to compare the
        near-uniform predictions of an untrained model; the logits are not.
        It runs the built-in kernels, whose int8 arithmetic XNNPACK matches to
        a rounding step.
        """
        from ai_edge_litert.interpreter import Interpreter, OpResolverType

        # Tensors inside a delegate partition are never written, so reading the
        # logits needs the built-in kernels (XNNPACK off).
        resolver = OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES if logits else OpResolverType.AUTO
        try:
            self.interpreter = Interpreter(model_content=model_content, model_path=model_path, num_threads=threads,
                                           experimental_preserve_all_tensors=logits,
                                           experimental_op_resolver_type=resolver)
            self.interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as err:
            what = model_path or "the model"
            raise ValueError(f"{what} is not a valid TFLite model: {str(err).strip()[:300]}") from err
        self.input = self.interpreter.get_input_details()[0]
        self.output = self.interpreter.get_output_details()[0]
        self.reads_logits = False
        if logits:
            index = self._softmax_input()
            if index is not None:
                self.output = next(t for t in self.interpreter.get_tensor_details() if t["index"] == index)
                self.reads_logits = True

    def _softmax_input(self) -> int | None:
        return softmax_input(self.interpreter, int(self.output["index"]))

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.input["shape"])

    def __call__(self, images: np.ndarray) -> np.ndarray:
        outputs = []
        for image in np.asarray(images, dtype="float32"):
            x = image[None]
            scale, zero = self.input["quantization"]
            if self.input["dtype"] != np.float32:
                info = np.iinfo(self.input["dtype"])
                x = np.clip(np.round(x / scale + zero), info.min, info.max)
            self.interpreter.set_tensor(self.input["index"], x.astype(self.input["dtype"]))
            self.interpreter.invoke()
            y = self.interpreter.get_tensor(self.output["index"]).astype("float32")
            scale, zero = self.output["quantization"]
            if self.output["dtype"] != np.float32:
                y = (y - zero) * scale
            outputs.append(y.reshape(len(y), -1)[0] if self.reads_logits else y[0])
        return np.stack(outputs)


def softmax_input(interpreter, tensor: int) -> int | None:
    """The tensor a final SOFTMAX reads to produce ``tensor`` (through trailing RESHAPE/QUANTIZE ops), if any.

    Ops inside a delegate partition are hidden behind one DELEGATE op: ``interpreter`` must run the built-in
    kernels (``OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES``) for the answer to mean anything.
    """
    ops = interpreter._get_ops_details()
    producer = {int(t): op for op in ops for t in op["outputs"]}
    while tensor in producer:
        op = producer[tensor]
        if op["op_name"] == "SOFTMAX":
            return int(op["inputs"][0])
        if op["op_name"] not in ("RESHAPE", "QUANTIZE", "DEQUANTIZE", "SQUEEZE"):
            return None
        tensor = int(op["inputs"][0])
    return None
