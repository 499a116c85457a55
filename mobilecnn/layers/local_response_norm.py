"""Local response normalization across channels (Krizhevsky et al. 2012, sec. 3.3).

``b_c = a_c / (k + alpha * sum_{c' in window(c, n)} a_{c'}^2) ** beta``, the sum
over the ``n`` channels centred on ``c`` (clipped at the edges). AlexNet's paper
writes ``alpha`` as is; Caffe and PyTorch divide it by ``n`` (their
``alpha`` is per element of the window): ``alpha_over_size=True`` takes that
convention. TensorFlow's op (``depth_radius = n // 2``, ``bias = k``) becomes
TFLite's ``LOCAL_RESPONSE_NORMALIZATION``, which has no int8 kernel and no
XNNPACK kernel: quantization-aware training and every export use the
decomposed form (:func:`mobilecnn.blocks.classic.local_response_norm_decomposed`;
``mobilecnn/export/graph.py`` has the measurements).
"""

from __future__ import annotations

import tensorflow as tf


def decomposed_form(x, layer):
    """The layer as square, window sum, log, scale, exp and multiply layers (int8 kernels, and XNNPACK in float,
    run each of them)."""
    from mobilecnn.blocks.classic import LRN, local_response_norm_decomposed

    spec = LRN(size=layer.size, alpha=layer.alpha, beta=layer.beta, bias=layer.bias,
               alpha_over_size=layer.alpha_over_size)
    return local_response_norm_decomposed(x, spec, layer.name)


# How quantization-aware training treats the layer (see mobilecnn.quantization.rules).
QUANTIZATION = {"LocalResponseNormalization": {"rewrite": decomposed_form, "quantize": None}}


def define(k) -> dict[str, type]:
    register = k.saving.register_keras_serializable(package="mobilecnn")

    @register
    class LocalResponseNormalization(k.layers.Layer):
        """Across-channel LRN with the paper's parameters (``size`` n, ``alpha``, ``beta``, ``bias`` k)."""

        def __init__(self, size: int = 5, alpha: float = 1e-4, beta: float = 0.75, bias: float = 2.0,
                     alpha_over_size: bool = False, **kwargs):
            super().__init__(**kwargs)
            if isinstance(size, bool) or not isinstance(size, int) or size < 1 or size % 2 == 0:
                raise ValueError(f"size must be a positive odd integer (a window centred on a channel), got {size!r}")
            self.size, self.alpha, self.beta, self.bias = size, float(alpha), float(beta), float(bias)
            self.alpha_over_size = bool(alpha_over_size)

        def call(self, inputs):
            alpha = self.alpha / self.size if self.alpha_over_size else self.alpha
            return tf.nn.local_response_normalization(inputs, depth_radius=self.size // 2, bias=self.bias,
                                                      alpha=alpha, beta=self.beta)

        def compute_output_shape(self, input_shape):
            return input_shape

        def get_config(self):
            return {**super().get_config(), "size": self.size, "alpha": self.alpha, "beta": self.beta,
                    "bias": self.bias, "alpha_over_size": self.alpha_over_size}

    return {"LocalResponseNormalization": LocalResponseNormalization}
