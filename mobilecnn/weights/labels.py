"""The ImageNet-1k class names, and :func:`decode_predictions`.

The names ship in ``imagenet_classes.txt`` beside this module (torchvision's ``_IMAGENET_CATEGORIES``,
BSD-3-Clause; index i is the class every source's 1000-way classifier calls i).
"""

from __future__ import annotations

import functools
from importlib import resources

import numpy as np

SOURCE = "torchvision 0.28 torchvision/models/_meta.py _IMAGENET_CATEGORIES (BSD-3-Clause)"


@functools.cache
def imagenet_classes() -> tuple[str, ...]:
    """The 1000 ImageNet-1k class names, by class index."""
    text = resources.files("mobilecnn.weights").joinpath("imagenet_classes.txt").read_text(encoding="utf-8")
    names = tuple(line for line in text.splitlines() if line and not line.startswith("#"))
    if len(names) != 1000:
        raise RuntimeError(f"imagenet_classes.txt holds {len(names)} names, not 1000: the installation is damaged")
    return names


def decode_predictions(probs, top: int = 5, labels: list[str] | tuple[str, ...] | None = None
                       ) -> list[list[tuple[int, str, float]]]:
    """The ``top`` classes of each row of ``probs`` (N x classes), as (index, name, score), best first.

    ``labels`` defaults to the ImageNet-1k names (``probs`` must then have 1000 columns).
    """
    probs = np.asarray(probs)
    if probs.ndim == 1:
        probs = probs[None]
    if probs.ndim != 2:
        raise ValueError(f"probs must be (N, classes), got shape {probs.shape}")
    names = imagenet_classes() if labels is None else tuple(labels)
    if probs.shape[1] != len(names):
        raise ValueError(f"probs has {probs.shape[1]} classes, the labels {len(names)}"
                         + (" (the ImageNet-1k names; pass labels= for another classifier)" if labels is None else ""))
    if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= len(names):
        raise ValueError(f"top must be an integer in [1, {len(names)}], got {top!r}")
    best = np.argsort(-probs, axis=1, kind="stable")[:, :top]
    return [[(int(i), names[i], float(row[i])) for i in idx] for row, idx in zip(probs, best, strict=True)]
