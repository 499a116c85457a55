"""Weights from keras.applications: same layout, same outputs (within 1e-4) after transfer."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import float64, images, randomize_batchnorm, run

import mobilecnn

MEAN, STD = np.array((0.485, 0.456, 0.406)), np.array((0.229, 0.224, 0.225))


def keras_app_input(name: str, x: np.ndarray) -> np.ndarray:
    """The input keras.applications needs to see what our built-in preprocessing gives our model."""
    if name in ("mobilenet-v1", "mobilenet-v2"):
        return x / 127.5 - 1.0  # keras.applications.mobilenet(_v2).preprocess_input
    if name.startswith("efficientnet"):
        # Its Normalization layer is the identity with weights=None; ImageNet weights set it to mean/std.
        return 255.0 * ((x / 255.0 - MEAN) / STD)
    return x  # MobileNetV3 rescales inside the model, as ours does


FAST = ["mobilenet-v1", "mobilenet-v2", "mobilenet-v3-small", "mobilenet-v3-large", "efficientnet-b0"]
SLOW = [f"efficientnet-b{i}" for i in range(1, 8)]


def check_parity(name: str, resolution: int, **options) -> None:
    """In float64 (see conftest.float64): float32 rounding alone differs by 0.02 on B5-B7's logits of 300."""
    with float64():
        _parity(name, resolution, **options)


def _parity(name: str, resolution: int, **options) -> None:
    ref = mobilecnn.keras_application(name, resolution=resolution, classifier_activation=None, **options)
    randomize_batchnorm(ref, seed=1)
    ours = mobilecnn.build(name, resolution=resolution, classifier_activation=None, **options)
    ours.set_weights([w for layer in ref.layers if type(layer).__name__ != "Normalization"
                      for w in layer.get_weights()])  # the plain set_weights route works ...
    mobilecnn.copy_weights(ref, ours)                  # ... and so does the checked copy
    x = images(2, resolution, seed=2).astype("float64")
    a = run(ours, x)
    b = run(ref, keras_app_input(name, x))
    assert np.abs(b).max() > 1e-3  # logits, not vanished activations
    np.testing.assert_allclose(a, b, atol=1e-4, rtol=0)


@pytest.mark.parametrize("name", FAST)
def test_outputs_equal_keras_applications(name):
    check_parity(name, 224)


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_outputs_equal_keras_applications_large(name):
    check_parity(name, mobilecnn.model_info(name)["resolution"])


def test_other_widths_transfer():
    check_parity("mobilenet-v2", 96, width_multiplier=0.35)
    check_parity("mobilenet-v3-large", 96, width_multiplier=0.75, minimalistic=True)


def test_keras_applications_h5_file_loads_by_name(tmp_path):
    """A keras.applications weights file (Keras 2 .h5, as its ImageNet files) loads into ours."""
    import tf_keras

    ref = tf_keras.applications.MobileNetV3Small(weights=None, input_shape=(96, 96, 3),
                                                 classifier_activation=None)
    randomize_batchnorm(ref, seed=3)
    path = tmp_path / "mobilenet_v3_small.h5"
    ref.save_weights(str(path))
    ours = mobilecnn.build("mobilenet-v3-small", resolution=96, classifier_activation=None, weights=str(path))
    x = images(2, 96)
    np.testing.assert_allclose(run(ours, x), run(ref, x), atol=1e-4)
    with pytest.raises(ValueError, match="another architecture"):
        mobilecnn.build("mobilenet-v2", resolution=96, weights=str(path))


def test_mismatched_architecture_is_named():
    ref = mobilecnn.keras_application("mobilenet-v2", resolution=96, width_multiplier=0.5)
    ours = mobilecnn.build("mobilenet-v2", resolution=96)
    with pytest.raises(ValueError, match="does not match"):
        mobilecnn.copy_weights(ref, ours)


def test_own_weights_file_round_trip(tmp_path):
    a = mobilecnn.build("mobilenet-v3-small", resolution=64, num_classes=3)
    randomize_batchnorm(a)
    path = tmp_path / "w.weights.h5"
    a.save_weights(path)
    b = mobilecnn.build("mobilenet-v3-small", resolution=64, num_classes=3, weights=str(path))
    x = images(1)
    np.testing.assert_array_equal(run(a, x), run(b, x))
