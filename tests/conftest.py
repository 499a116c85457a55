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


def input_images(model, n: int, seed: int) -> np.ndarray:
    """``n`` random [0, 255] images of ``model``'s input size and channels."""
    height, width, channels = (int(d) for d in model.inputs[0].shape[1:])
    return np.random.default_rng(seed).uniform(0, 255, (n, height, width, channels)).astype("float32")


def realistic_batchnorm(model, calibration: np.ndarray | None = None, seed: int = 0) -> None:
    """Random batch-norm scales and offsets, moving statistics measured on images: an untrained model whose
    output depends on its input, so a comparison of two models can fail.

    Statistics drawn at random (mean ~N(0, 0.1), variance ~U(0.5, 1.5), as this helper once did) ignore the
    activations' real scale: they vanish within a few blocks, and MobileNet V1-V3 and ShuffleNet V2 gave two
    different images outputs 1e-17 to 2e-7 apart, so a twin fed a flipped image still passed at 1e-6. After
    :func:`mobilecnn.recalibrate_batchnorm` (one training-mode pass at momentum 0) the same models' outputs
    differ between two images by 0.5-35 at logits of size 0.5-45.

    ``calibration`` is what the model takes (default: 8 random [0, 255] images of its input size, not the
    test images). Works for both Keras flavours.
    """
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if type(layer).__name__ == "BatchNormalization" and layer.get_weights():
            weights = layer.get_weights()
            if layer.scale:
                weights[0] = rng.uniform(0.5, 1.5, weights[0].shape)
            if layer.center:
                weights[int(layer.scale)] = rng.normal(0, 0.2, weights[int(layer.scale)].shape)
            layer.set_weights(weights)
    if calibration is None:
        calibration = input_images(model, 8, seed=100 + seed)
    mobilecnn.recalibrate_batchnorm(model, calibration)


def spread(reference: np.ndarray) -> float:
    """How much ``reference`` (one row per image) varies between images: the largest range of an output."""
    reference = np.asarray(reference, dtype="float64").reshape(len(reference), -1)
    if len(reference) < 2:
        raise ValueError("the spread between images needs at least two images")
    return float(np.ptp(reference, axis=0).max())


def assert_close(actual, expected, *, atol: float = 0.0, rtol: float = 0.0, min_spread: float = 100.0,
                 err_msg: str = "") -> None:
    """``np.testing.assert_allclose``, after two checks that make it able to fail.

    Both sides must be finite (``assert_allclose`` counts NaN equal to NaN), and ``expected`` (one row per
    image) must vary between the images by more than ``min_spread`` times the tolerance
    (``atol + rtol * max|expected|``): outputs that ignore their input would pass any comparison.
    Quantized outputs have 256 levels, so their comparisons ask less than the default 100x.
    """
    actual, expected = np.asarray(actual, dtype="float64"), np.asarray(expected, dtype="float64")
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert np.all(np.isfinite(expected)), f"the reference has {np.sum(~np.isfinite(expected))} non-finite values"
    assert np.all(np.isfinite(actual)), f"the output has {np.sum(~np.isfinite(actual))} non-finite values"
    tolerance = atol + rtol * float(np.abs(expected).max())
    varies = spread(expected)
    assert varies > min_spread * tolerance, (
        f"the reference varies by only {varies:.3g} between the images, not more than {min_spread:g} x the "
        f"tolerance {tolerance:.3g}: this comparison could not fail")
    np.testing.assert_allclose(actual, expected, atol=atol, rtol=rtol, err_msg=err_msg)


def assert_same(actual, expected) -> None:
    """Exactly equal, finite, and varying between the images (by more than 1e-3 of the largest value)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert np.all(np.isfinite(expected)) and np.all(np.isfinite(actual)), "non-finite outputs"
    varies = spread(expected)
    assert varies > 1e-3 * float(np.abs(expected).max()), f"the reference varies by only {varies:.3g}"
    np.testing.assert_array_equal(actual, expected)


SOFTWARE_VULKAN_ICD = "/usr/share/vulkan/icd.d/lvp_icd.json"   # scripts/install-software-vulkan.sh installs it


def gpu_required() -> str:
    """Why a GPU adapter must be present here ("" if it need not): ``REQUIRE_GPU=1``, or the software Vulkan
    driver is installed (then LiteRT's GPU accelerator has an adapter, and finding none is a failure)."""
    if os.environ.get("REQUIRE_GPU") == "1":
        return "REQUIRE_GPU=1 is set"
    if os.path.exists(SOFTWARE_VULKAN_ICD):
        return f"the software Vulkan driver is installed ({SOFTWARE_VULKAN_ICD})"
    return ""


def need_gpu(report) -> None:
    """Go on if the GPU probe (``GpuReport`` or its dict) found an adapter; otherwise fail where one must be
    present (:func:`gpu_required`) or the probe crashed or timed out, and skip elsewhere."""
    info = report if isinstance(report, dict) else report.as_dict()
    if info["available"] and not info.get("probe_failed"):
        return
    if info["available"]:  # an adapter, then a crash: the test's assertion on the report says what failed
        return
    why = gpu_required()
    if why or info.get("probe_failed"):
        pytest.fail(f"no GPU adapter found although {why or 'the probe did not report'}: {info['error']}")
    pytest.skip(f"no GPU adapter here ({info['error']}); scripts/install-software-vulkan.sh provides one")


def randomize_batchnorm(model, seed: int = 0) -> None:
    """Give batch-norm layers non-trivial statistics (the landed helper, kept for the tests that still use it;
    issue 17 replaces it with statistics measured on images, see realistic_batchnorm)."""
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
    """Every test starts from the same seed, so random weights and data repeat from run to run.

    This hides how a result depends on the seed: tests of training accuracy therefore run at several
    explicit seeds (test_lenet_digits.py) and state their bars with the noise of the test set.
    """
    keras.utils.set_random_seed(0)
