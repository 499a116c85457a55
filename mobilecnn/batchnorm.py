"""Batch-norm statistics from data, for models that were never trained.

A freshly built model has moving mean 0 and variance 1 in every batch norm, so
its activations shrink or blow up block after block and int8 calibration on it
is degenerate. :func:`recalibrate_batchnorm` sets the statistics from a
training-mode pass over real images, which is what a trained model would have
(up to the data), without touching any trained weight.
"""

from __future__ import annotations

import numpy as np


def recalibrate_batchnorm(model, images: np.ndarray, batch_size: int | None = None) -> None:
    """Set every batch norm's moving statistics to those of ``images``.

    A forward pass in training mode with momentum 0: each batch norm then
    normalizes with, and stores, the statistics of its input on this batch,
    and layers below it see inputs normalized by exactly those statistics, as
    they will be at inference. Dropout is switched off for the pass.

    The pass holds every layer's activations of its batch, so when ``images``
    would hold more than :data:`~mobilecnn.profiling.ACTIVATION_BUDGET` (32
    images are 124 GB for EfficientNet-B7 at 600 px) it is made in equal parts
    of ``batch_size`` images (default: what fits, at least 2), and each norm
    keeps the mean of the parts' means and the parts' pooled variance (their
    mean variance plus the variance of their means): the statistics of all the
    images, with each part normalized by its own on the way down.
    """
    from mobilecnn.profiling import images_per_call

    images = np.asarray(images, dtype="float32")
    if images.ndim != 4 or len(images) < 2:
        raise ValueError(f"images must be an (N, H, W, C) array with N >= 2, got shape {images.shape}")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int)
                                   or batch_size < 2):
        raise ValueError(f"batch_size must be an integer >= 2 (batch statistics need two images), "
                         f"got {batch_size!r}")
    size = min(len(images), batch_size or images_per_call(model, at_least=2))
    parts = [images[i:i + size] for i in range(0, len(images) - size + 1, size)]  # equal parts; a rest is left
    norms = [layer for layer in model.layers if type(layer).__name__ == "BatchNormalization"]
    drops = [layer for layer in model.layers if type(layer).__name__ == "Dropout"]
    saved = [(layer, layer.momentum) for layer in norms] + [(layer, layer.rate) for layer in drops]
    try:
        for layer in norms:
            layer.momentum = 0.0
        for layer in drops:
            layer.rate = 0.0
        means: list[list[np.ndarray]] = [[] for _ in norms]
        variances: list[list[np.ndarray]] = [[] for _ in norms]
        for part in parts:
            model(part, training=True)
            if len(parts) > 1:
                for i, layer in enumerate(norms):
                    means[i].append(np.asarray(layer.moving_mean))
                    variances[i].append(np.asarray(layer.moving_variance))
        if len(parts) > 1:
            for i, layer in enumerate(norms):
                mean = np.stack(means[i])
                layer.moving_mean.assign(mean.mean(axis=0))
                layer.moving_variance.assign(np.stack(variances[i]).mean(axis=0) + mean.var(axis=0))
    finally:
        for layer, value in saved:
            if type(layer).__name__ == "Dropout":
                layer.rate = value
            else:
                layer.momentum = value
