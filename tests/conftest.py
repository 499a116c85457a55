"""Shared fixtures: models are built once per session, at reduced size where the test allows."""

from __future__ import annotations

import contextlib
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


@contextlib.contextmanager
def float64():
    """Build and run models in float64 inside the block.

    Parity tests compare two graphs that sum the same terms in different orders
    (folded biases, fused normalization); in float32 that rounding, carried
    through 50-250 layers, reaches 1e-4 of the logits, in float64 ~1e-12.
    ``floatx`` alone is ignored once a global dtype policy has been cached, so
    both are set and restored.
    """
    import keras
    import tf_keras

    policy, floatx, tf_floatx = keras.config.dtype_policy(), keras.config.floatx(), tf_keras.backend.floatx()
    keras.config.set_floatx("float64")
    keras.config.set_dtype_policy("float64")
    tf_keras.backend.set_floatx("float64")
    try:
        yield
    finally:
        keras.config.set_dtype_policy(policy)
        keras.config.set_floatx(floatx)
        tf_keras.backend.set_floatx(tf_floatx)


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
