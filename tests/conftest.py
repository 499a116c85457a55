"""Shared fixtures: models are built once per session, at reduced size where the test allows."""

from __future__ import annotations

import contextlib
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
if os.environ.get("PYTEST_XDIST_WORKER"):
    # Under -n N, N workers share the cores: TensorFlow's intra-op pool sized for all of them in each worker makes
    # the workers' threads contend (measured: 11% slower on test_zoo's twins with 2 workers on 2 cores).
    _workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", str(max(1, (os.cpu_count() or 1) // _workers)))

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


def normalize_activations(model, calibration: np.ndarray) -> None:
    """Data-driven scales for the weight layers that no batch norm normalizes (Keras 3 models): every
    convolution and dense layer of a model without batch norm, else those after its last batch norm (VGG's
    fully connected classifier, MobileNet V3's last 1x1 convolution and classifier).

    Untrained layers with no batch norm after them shrink or kill the signal: SqueezeNet's logits were the same
    for every image. Layer by layer, in graph order, each one's pre-activation output on ``calibration`` is set
    to mean 0 and variance 1 per channel by scaling its kernel and shifting its bias (LSUV, Mishkin & Matas
    2016, with the mean removed), as a batch norm would. Layers before the last batch norm (squeeze-excite
    convolutions) keep their weights: changing them would change the statistics the batch norms were given.
    """
    import keras

    kinds = [type(layer).__name__ for layer in model.layers]
    start = max((i for i, kind in enumerate(kinds) if kind == "BatchNormalization"), default=-1) + 1
    targets = [layer for layer, kind in zip(model.layers[start:], kinds[start:], strict=True)
               if kind in ("Conv2D", "DepthwiseConv2D", "Dense")]
    if not targets:
        return
    probe = keras.Model(model.inputs, [layer.output for layer in targets])
    for i, layer in enumerate(targets):
        activation, layer.activation = layer.activation, keras.activations.linear
        try:
            outputs = probe(calibration, training=False)
            out = np.asarray(outputs[i] if len(targets) > 1 else outputs, dtype="float64")
        finally:
            layer.activation = activation
        axes = tuple(range(out.ndim - 1))
        mean, std = out.mean(axes), out.std(axes) + 1e-6
        weights = layer.get_weights()
        weights[0] = (weights[0] / std.reshape(weights[0].shape[2:] if type(layer).__name__ == "DepthwiseConv2D"
                                               else (-1,))).astype(weights[0].dtype)
        if layer.use_bias:
            weights[1] = ((weights[1] - mean) / std).astype(weights[1].dtype)
        layer.set_weights(weights)


def realistic_statistics(model, calibration: np.ndarray | None = None, seed: int = 0) -> None:
    """:func:`realistic_batchnorm`, then :func:`normalize_activations` for the layers no batch norm
    normalizes: an untrained model whose outputs follow its input, with or without batch norm."""
    if calibration is None:
        calibration = input_images(model, 8, seed=100 + seed)
    realistic_batchnorm(model, calibration, seed)
    normalize_activations(model, calibration)


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
    ``min_spread=0`` leaves the second check out, for comparisons of one layer on random input.
    """
    actual, expected = np.asarray(actual, dtype="float64"), np.asarray(expected, dtype="float64")
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert np.all(np.isfinite(expected)), f"the reference has {np.sum(~np.isfinite(expected))} non-finite values"
    assert np.all(np.isfinite(actual)), f"the output has {np.sum(~np.isfinite(actual))} non-finite values"
    if min_spread:
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
    if info["available"]:  # (if the probe then crashed, the test's assertion on the report says so)
        return
    why = gpu_required()
    if why or info.get("probe_failed"):
        pytest.fail(f"no GPU adapter found although {why or 'the probe did not report'}: {info['error']}")
    pytest.skip(f"no GPU adapter here ({info['error']}); scripts/install-software-vulkan.sh provides one")


class ModelCache:
    """Build each (name, options) once, keeping the most recently used models up to ``budget`` parameters.

    A session-long cache of every full-size model held 6 GB per worker and took the CI machine (24 GiB, two
    workers) into memory pressure: page-cache thrashing tripled the suite's time and the kernel killed a worker.
    """

    def __init__(self, budget: int = 150_000_000) -> None:
        self._models: dict = {}
        self._budget = budget

    def get(self, name: str, **options):
        key = (name, tuple(sorted(options.items())))
        if key in self._models:
            self._models[key] = self._models.pop(key)  # most recently used last
            return self._models[key]
        model = mobilecnn.build(name, **options)
        self._models[key] = model
        while len(self._models) > 1 and sum(m.count_params() for m in self._models.values()) > self._budget:
            self._models.pop(next(iter(self._models)))
        if len(self._models) == 1:
            import gc

            gc.collect()
        return model


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
