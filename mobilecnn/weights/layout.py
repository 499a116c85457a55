"""PyTorch tensor layouts to Keras', in one place.

PyTorch stores a convolution kernel as (out, in / groups, kh, kw) (OIHW) and a linear layer as (out, in);
Keras as (kh, kw, in / groups, out) (HWIO), depthwise as (kh, kw, in, multiplier) and dense as (in, out).
"""

from __future__ import annotations

import numpy as np


def conv_kernel(weight: np.ndarray) -> np.ndarray:
    """A (grouped) Conv2D kernel: OIHW -> HWIO."""
    if weight.ndim != 4:
        raise ValueError(f"a convolution kernel has 4 dimensions (OIHW), got shape {weight.shape}")
    return np.transpose(weight, (2, 3, 1, 0))


def depthwise_kernel(weight: np.ndarray, multiplier: int = 1) -> np.ndarray:
    """A depthwise kernel: PyTorch (channels * multiplier, 1, kh, kw) -> Keras (kh, kw, channels, multiplier)."""
    if weight.ndim != 4 or weight.shape[1] != 1:
        raise ValueError(f"a depthwise kernel has shape (C * multiplier, 1, kh, kw), got {weight.shape}")
    out, _, kh, kw = weight.shape
    if out % multiplier:
        raise ValueError(f"{out} output channels are not a multiple of the depth multiplier {multiplier}")
    # PyTorch's output channel c * multiplier + m comes from input channel c.
    return np.transpose(weight.reshape(out // multiplier, multiplier, kh, kw), (2, 3, 0, 1))


def dense_kernel(weight: np.ndarray) -> np.ndarray:
    """A linear layer's weight: (out, in) -> Dense's (in, out)."""
    if weight.ndim != 2:
        raise ValueError(f"a linear weight has 2 dimensions (out, in), got shape {weight.shape}")
    return weight.T


def dense_as_conv1x1(weight: np.ndarray) -> np.ndarray:
    """A linear layer's weight for a 1x1 Conv2D classifier: (out, in) -> (1, 1, in, out)."""
    return dense_kernel(weight)[None, None]
