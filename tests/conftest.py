"""Shared fixtures: models are built once per session, at reduced size where the test allows."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import mobilecnn  # noqa: E402

# Resolution small enough for a quick forward pass, large enough for every model's downsampling.
SMALL = 64


def images(n: int = 2, size: int = SMALL, channels: int = 3, seed: int = 0) -> np.ndarray:
    """Random [0, 255] images."""
    return np.random.default_rng(seed).uniform(0, 255, (n, size, size, channels)).astype("float32")


def run(model, x) -> np.ndarray:
    """One inference call, eagerly (cheaper than ``predict``'s tracing for a single batch)."""
    return np.asarray(model(x, training=False))


def small_resolution(name: str) -> int:
    """The test resolution for ``name``: SMALL, or the least the model's downsampling allows."""
    return max(SMALL, mobilecnn.registry.get(name).min_resolution)


def randomize_batchnorm(model, seed: int = 0) -> None:
    """Give batch-norm layers non-trivial statistics so comparisons can fail."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if type(layer).__name__ == "BatchNormalization":
            values = [rng.uniform(0.5, 1.5, w.shape) if i in (0, 3) else rng.normal(0, 0.1, w.shape)
                      for i, w in enumerate(layer.get_weights())]
            layer.set_weights(values)


class ModelCache:
    """Build each (name, options) once per session."""

    def __init__(self) -> None:
        self._models: dict = {}

    def get(self, name: str, **options):
        key = (name, tuple(sorted(options.items())))
        if key not in self._models:
            self._models[key] = mobilecnn.build(name, **options)
        return self._models[key]


@pytest.fixture(scope="session")
def models() -> ModelCache:
    return ModelCache()


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(0)
