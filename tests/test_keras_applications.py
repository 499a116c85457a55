"""Weights from keras.applications: same layout, same outputs (within 1e-4) after transfer."""

from __future__ import annotations

import keras
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
        # Its Normalization layer is the identity with weights=None (ImageNet weights set it to
        # mean/std), so it sees what ours does when its Rescaling(1/255) outputs our normalized image.
        # Keras's Rescaling casts Python-float constants through float32, even in a float64 model:
        # ours computes x * f32(1/(255 std)) + f32(-mean/std), keras.applications multiplies by
        # f32(1/255). Feeding it 255 * (x/255 - mean)/std left a ~1e-7 relative difference in the
        # normalized image, which B5-B7's 39-55 blocks (randomized batch norm: logits up to 8e2, 1e4,
        # 4e6) grew to 1.5e-3 (B5) and to the logits' own size (B6, B7). So both sides' input goes
        # through Keras Rescaling layers as the models build them.
        normalized = keras.layers.Rescaling((1.0 / (255.0 * STD)).tolist(), offset=(-MEAN / STD).tolist())(x)
        return np.asarray(normalized) / np.asarray(keras.layers.Rescaling(1.0 / 255.0)(np.ones(1)))
    return x  # MobileNetV3 rescales inside the model, as ours does


FAST = ["mobilenet-v1", "mobilenet-v2", "mobilenet-v3-small", "mobilenet-v3-large", "efficientnet-b0"]
SLOW = [f"efficientnet-b{i}" for i in range(1, 8)]


def check_parity(name: str, resolution: int, **options) -> None:
    """In float64 (see conftest.float64): float32 rounding of the sums alone exceeds 1e-4 on B5-B7."""
    with float64():
        _parity(name, resolution, **options)


def _parity(name: str, resolution: int, **options) -> None:
    ref = mobilecnn.keras_application(name, resolution=resolution, classifier_activation=None, **options)
    randomize_batchnorm(ref, seed=1)
    x = images(2, resolution, seed=2).astype("float64")
    # Moving statistics from the images themselves (gammas and betas stay random): with statistics drawn
    # at random, activations grow block after block (EfficientNet-B7's logits reached 4e6, where 1e-4 is
    # below float64 rounding of the sums); normalized, they stay of order one, so 1e-4 means the same for
    # every depth.
    mobilecnn.recalibrate_batchnorm(ref, keras_app_input(name, x))
    ours = mobilecnn.build(name, resolution=resolution, classifier_activation=None, **options)
    ours.set_weights([w for layer in ref.layers if type(layer).__name__ != "Normalization"
                      for w in layer.get_weights()])  # the plain set_weights route works ...
    mobilecnn.copy_weights(ref, ours)                  # ... and so does the checked copy
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
    import gc

    keras.backend.clear_session()  # B7 in float64 takes ~20 GB: nothing of the previous models may stay
    gc.collect()
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
