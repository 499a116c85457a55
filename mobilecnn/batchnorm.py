"""Batch-norm statistics from data, for models that were never trained.

A freshly built model has moving mean 0 and variance 1 in every batch norm, so
its activations shrink or blow up block after block and int8 calibration on it
is degenerate. :func:`recalibrate_batchnorm` sets the statistics from a
training-mode pass over real images, which is what a trained model would have
(up to the data), without touching any trained weight.
"""

from __future__ import annotations

import numpy as np


def recalibrate_batchnorm(model, images: np.ndarray) -> None:
    """Set every batch norm's moving statistics to those of ``images`` (one batch).

    One forward pass in training mode with momentum 0: each batch norm then
    normalizes with, and stores, the statistics of its input on this batch,
    and layers below it see inputs normalized by exactly those statistics, as
    they will be at inference. Dropout is switched off for the pass.
    """
    images = np.asarray(images, dtype="float32")
    if images.ndim != 4 or len(images) < 2:
        raise ValueError(f"images must be an (N, H, W, C) array with N >= 2, got shape {images.shape}")
    norms = [layer for layer in model.layers if type(layer).__name__ == "BatchNormalization"]
    drops = [layer for layer in model.layers if type(layer).__name__ == "Dropout"]
    saved = [(layer, layer.momentum) for layer in norms] + [(layer, layer.rate) for layer in drops]
    try:
        for layer in norms:
            layer.momentum = 0.0
        for layer in drops:
            layer.rate = 0.0
        model(images, training=True)
    finally:
        for layer, value in saved:
            if type(layer).__name__ == "Dropout":
                layer.rate = value
            else:
                layer.momentum = value
