"""Weights from keras.applications: same layout, same outputs (within 1e-4) after transfer."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from conftest import assert_close, assert_same, float64, images, realistic_batchnorm, run

import mobilecnn
from mobilecnn import registry

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
    ours, ref, x = _pair(name, resolution, **options)
    compare(ours, ref, name, x)


def _pair(name: str, resolution: int, **options):
    """keras.applications' model (random batch-norm scales and offsets, statistics measured on the images) and
    ours with its weights, and the test images. Measured statistics keep activations of order one at every depth
    (drawn at random, EfficientNet-B7's logits reached 4e6, where 1e-4 is below float64 rounding of the sums;
    MobileNet's vanished, and any two models compared equal)."""
    ref = mobilecnn.keras_application(name, resolution=resolution, classifier_activation=None, **options)
    x = images(3, resolution, seed=2).astype("float64")
    realistic_batchnorm(ref, keras_app_input(name, x), seed=1)
    ours = mobilecnn.build(name, resolution=resolution, classifier_activation=None, **options)
    ours.set_weights([w for layer in ref.layers if type(layer).__name__ != "Normalization"
                      for w in layer.get_weights()])  # the plain set_weights route works ...
    mobilecnn.copy_weights(ref, ours)                  # ... and so does the checked copy
    return ours, ref, x


def compare(ours, ref, name: str, x: np.ndarray) -> None:
    """Our logits on pixels equal keras.applications' on its own input, within 1e-4, on logits that vary between
    the images by more than 100x that."""
    assert_close(run(ours, x), run(ref, keras_app_input(name, x)), atol=1e-4)


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


@pytest.mark.parametrize("breakage", ["zeroed first convolution", "permuted layer", "flipped input"])
def test_parity_fails_when_a_weight_is_lost(breakage):
    """The parity comparison can fail: a zeroed or permuted layer in ours, or another input, differs."""
    with float64():
        ours, ref, x = _pair("mobilenet-v2", 96, width_multiplier=0.35)
        layer = ours.get_layer("Conv1" if breakage == "zeroed first convolution" else "block_5_project")
        kernel = layer.get_weights()[0]
        if breakage == "zeroed first convolution":
            layer.set_weights([np.zeros_like(kernel)])
        if breakage == "permuted layer":
            layer.set_weights([kernel[..., ::-1]])
        if breakage == "flipped input":
            ref_input = x[:, :, ::-1]
            with pytest.raises(AssertionError, match="Not equal to tolerance"):
                assert_close(run(ours, x), run(ref, keras_app_input("mobilenet-v2", ref_input)), atol=1e-4)
            return
        with pytest.raises(AssertionError, match="Not equal to tolerance"):
            compare(ours, ref, "mobilenet-v2", x)


def h5_pair(tmp_path):
    """keras.applications' MobileNetV3Small (tf_keras, realistic batch-norm statistics) saved as a Keras 2 .h5,
    ours loaded from the file by layer name, and the test images."""
    import tf_keras

    ref = tf_keras.applications.MobileNetV3Small(weights=None, input_shape=(96, 96, 3),
                                                 classifier_activation=None)
    realistic_batchnorm(ref, seed=3)  # MobileNetV3 rescales [0, 255] pixels inside, as ours does
    path = tmp_path / "mobilenet_v3_small.h5"
    ref.save_weights(str(path))
    ours = mobilecnn.build("mobilenet-v3-small", resolution=96, classifier_activation=None, weights=str(path))
    return ours, ref, path, images(3, 96)


def test_keras_applications_h5_file_loads_by_name(tmp_path):
    """A keras.applications weights file (Keras 2 .h5, as its ImageNet files) loads into ours: same logits within
    1e-4 (float32 rounding), logits that vary between the images by more than 100x that."""
    ours, ref, path, x = h5_pair(tmp_path)
    assert_close(run(ours, x), run(ref, x), atol=1e-4)
    with pytest.raises(ValueError, match="another architecture"):
        mobilecnn.build("mobilenet-v2", resolution=96, weights=str(path))


def test_h5_comparison_fails_with_a_zeroed_first_convolution(tmp_path):
    """The .h5 comparison can fail: with our first convolution's kernel zeroed after loading, outputs differ."""
    ours, ref, _, x = h5_pair(tmp_path)
    layer = ours.get_layer("conv")
    layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])
    with pytest.raises(AssertionError, match="Not equal to tolerance"):
        assert_close(run(ours, x), run(ref, x), atol=1e-4)


def test_mismatched_architecture_is_named():
    ref = mobilecnn.keras_application("mobilenet-v2", resolution=96, width_multiplier=0.5)
    ours = mobilecnn.build("mobilenet-v2", resolution=96)
    with pytest.raises(ValueError, match="does not match"):
        mobilecnn.copy_weights(ref, ours)


def test_own_weights_file_round_trip(tmp_path):
    a = mobilecnn.build("mobilenet-v3-small", resolution=64, num_classes=3, classifier_activation=None)
    realistic_batchnorm(a)
    path = tmp_path / "w.weights.h5"
    a.save_weights(path)
    b = mobilecnn.build("mobilenet-v3-small", resolution=64, num_classes=3, classifier_activation=None,
                        weights=str(path))
    x = images(3)
    assert_same(run(b, x), run(a, x))



# One model per keras.applications family we cover (MobileNetV3Small: test_keras_applications_h5_file_loads_by_name)
# and its resolution: 64, or 80 for Xception and Inception-v3 (keras.applications needs 71 and 75; 80 as in
# test_xception_inception). VGG-16 keeps its top at 64: with weights=None keras.applications takes any size
# with the top (fc1 then takes 2x2x512 features), and ours builds the same.
H5_FAMILIES = {
    "mobilenet-v1": 64, "mobilenet-v2": 64, "mobilenet-v3-large": 64, "efficientnet-b0": 64,
    "efficientnet-v2-b0": 64, "resnet-50": 64, "densenet-121": 64, "vgg-16": 64, "xception": 80,
    "inception-v3": 80,
}
# About 8 s or more each on 2 shared cores, most of it building the two models (measured, two runs): DenseNet-121
# 10-15 s, Inception-v3 9 s, VGG-16 8-10 s, ResNet-50 7-10 s, EfficientNetV2-B0 7-8 s; the fast five take 2-6.5 s.
# (ResNet-50's and Xception's .h5 files are also loaded in the fast suite, in float32:
# test_classic_keras_applications, test_xception_inception; MobileNetV3Small's by test_keras_applications_h5_file_
# loads_by_name, the same layers as V3-Large's.)
H5_SLOW = {"densenet-121", "resnet-50", "vgg-16", "inception-v3", "efficientnet-v2-b0", "xception",
           "mobilenet-v3-large"}
TF_MODE = ("mobilenet-v1", "mobilenet-v2", "xception", "inception-v3")   # keras.applications: x / 127.5 - 1


def h5_reference_input(name: str, x: np.ndarray) -> np.ndarray:
    """What keras.applications' (tf_keras) model of ``name`` takes for the [0, 255] RGB pixels ``x``.

    - No preprocessing layer in its graph: its "tf" mode (x / 127.5 - 1) through a Keras Rescaling, as ours
      computes it (Keras casts the constants through float32, as test_xception_inception's ``tf_mode``);
      ``preprocess_input`` itself (float64 constants) left 3.3e-4 on Inception-v3's logits of size 28. Caffe
      (ResNet, VGG: BGR less the mean) and torch (DenseNet) modes: ``preprocess_input``, as
      test_classic_keras_applications feeds them.
    - EfficientNet: :func:`keras_app_input` (tf_keras' Rescaling also casts 1/255 through float32).
    - EfficientNetV2: it normalizes inside, as x * f32(1/255), less the mean, over the std (float64), ours in one
      Rescaling with float32 constants: 3.7e-7 apart on the normalized image, 2.8e-4 on B0's logits at 64. It
      gets the pixels its normalization takes to ours' normalized image.
    - MobileNetV3: the pixels (both rescale inside).
    """
    import tf_keras

    if name in TF_MODE:
        return np.asarray(keras.layers.Rescaling(1.0 / 127.5, offset=-1.0)(x))
    apps = tf_keras.applications
    caffe_or_torch = {"resnet-50": apps.resnet.preprocess_input, "vgg-16": apps.vgg16.preprocess_input,
                      "densenet-121": apps.densenet.preprocess_input}
    if name in caffe_or_torch:
        return np.asarray(caffe_or_torch[name](x.copy()))   # (caffe mode flips and subtracts in place)
    if name == "efficientnet-b0":
        return keras_app_input(name, x)
    if name == "efficientnet-v2-b0":
        normalized = keras.layers.Rescaling((1.0 / (255.0 * STD)).tolist(), offset=(-MEAN / STD).tolist())(x)
        return (np.asarray(normalized) * STD + MEAN) / np.asarray(keras.layers.Rescaling(1.0 / 255.0)(np.ones(1)))
    return x


def randomize_biases(model, seed: int = 1) -> None:
    """Random biases on every biased convolution: keras.applications' ResNets put them before batch norm, where
    the loader folds them in; zero biases would not show a missed fold."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if type(layer).__name__ == "Conv2D" and layer.use_bias:
            kernel, bias = layer.get_weights()
            layer.set_weights([kernel, rng.normal(0, 0.5, bias.shape)])


def saved_h5_reference(name: str, resolution: int, path, **kwargs):
    """keras.applications' (tf_keras) ``name`` with ``weights=None`` (``kwargs``: its arguments), random
    convolution biases and batch-norm statistics measured on images (conftest.realistic_batchnorm), its weights
    saved at ``path`` by tf_keras' ``save_weights``: a Keras 2 .h5, the format of keras.applications' ImageNet
    files."""
    import tf_keras

    ref = getattr(tf_keras.applications, registry.get(name).keras_application)(
        weights=None, input_shape=(resolution, resolution, 3), **kwargs)
    randomize_biases(ref)
    realistic_batchnorm(ref, h5_reference_input(name, images(8, resolution, seed=5).astype("float64")), seed=1)
    ref.save_weights(str(path))
    return ref


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in H5_SLOW else n
                                  for n in H5_FAMILIES])
def test_keras_applications_h5_parity(tmp_path, name):
    """One model per keras.applications family: keras.applications' model (tf_keras, weights=None, with its
    top) saved as a Keras 2 .h5, ``mobilecnn.build(name, weights=PATH)`` from the file: our logits on [0, 255]
    pixels equal keras.applications' on its own input (h5_reference_input) within 1e-4, in float64, on logits
    that vary between the images by more than 100x that. ResNet-50 is built with the options keras.applications'
    graph needs (``stride_in_1x1=True``); its convolution biases fold into batch norm, and its and VGG-16's
    first convolution turns from BGR to RGB."""
    resolution, path = H5_FAMILIES[name], tmp_path / f"{name}.h5"
    with float64():
        ref = saved_h5_reference(name, resolution, path, classifier_activation=None)
        ours = mobilecnn.build(name, resolution=resolution, classifier_activation=None, weights=str(path),
                               **registry.get(name).keras_application_options)
        x = images(3, resolution, seed=2).astype("float64")
        assert_close(run(ours, x), run(ref, h5_reference_input(name, x)), atol=1e-4)


def _pooled(model):
    """``model`` up to its last global average pooling (not a squeeze-excite one): its features (either Keras
    flavour)."""
    import tf_keras

    pool = [layer for layer in model.layers if type(layer).__name__ == "GlobalAveragePooling2D"][-1]
    return (keras.Model if isinstance(model, keras.Model) else tf_keras.Model)(model.inputs, pool.output)


def test_keras_applications_h5_loads_with_a_fresh_classifier_or_none(tmp_path):
    """keras.applications' 1000-class .h5 into ours with 10 classes (``classifier="fresh"``, which
    ``mobilecnn.build`` picks itself and warns of) and into ours with ``include_top=False``
    (``classifier="headless"``): both backbones compute keras.applications' pooled features within 1e-4 in
    float64 (on features varying between the images by more than 100x that), the 10-class classifier keeps the
    weights it was initialised with, and copying the 1000-class classifier into it is refused."""
    name, options, path = "mobilenet-v2", {"resolution": 96, "width_multiplier": 0.35}, tmp_path / "mobilenet_v2.h5"
    with float64():
        ref = saved_h5_reference(name, 96, path, alpha=0.35)
        x = images(3, 96, seed=2).astype("float64")
        expected = run(_pooled(ref), h5_reference_input(name, x))

        keras.utils.set_random_seed(7)
        with pytest.warns(UserWarning, match="1000-class classifier; loading the backbone and initialising a "
                                             "new 10-class classifier"):
            fresh = mobilecnn.build(name, num_classes=10, weights=str(path), **options)
        assert_close(run(_pooled(fresh), x), expected, atol=1e-4)
        assert run(fresh, x).shape == (3, 10)
        keras.utils.set_random_seed(7)
        initial = mobilecnn.build(name, num_classes=10, **options)
        for got, want in zip(fresh.layers[-1].get_weights(), initial.layers[-1].get_weights(), strict=True):
            np.testing.assert_array_equal(got, want)
        with pytest.raises(ValueError, match="does not fit"):
            mobilecnn.load_keras_applications_weights(initial, str(path), name)    # classifier="copy"
        mobilecnn.load_keras_applications_weights(initial, str(path), name, classifier="fresh")
        assert_close(run(_pooled(initial), x), expected, atol=1e-4)

        headless = mobilecnn.build(name, include_top=False, pooling="avg", weights=str(path), **options)
        assert_close(run(headless, x), expected, atol=1e-4)
        headless.set_weights([np.zeros_like(w) for w in headless.get_weights()])
        mobilecnn.load_keras_applications_weights(headless, str(path), name, classifier="headless")
        assert_close(run(headless, x), expected, atol=1e-4)


@pytest.mark.parametrize("name, include_top", [
    ("mobilenet-v2", False),       # a headless file (keras.applications' *_notop.h5) into a headless model
    ("mobilenet-v3-small", True),  # a file with a two-layer top (Conv_2, Logits), Keras 2 names: paired by order
])
def test_keras_applications_h5_loads_into_a_headless_model(tmp_path, name, include_top):
    """keras.applications' .h5 (saved from a model with or without its top) into ours with ``include_top=False``:
    the same pooled features (within 1e-4, float64)."""
    path = tmp_path / f"{name}.h5"
    with float64():
        ref = saved_h5_reference(name, 96, path, include_top=include_top,
                                 **({} if include_top else {"pooling": "avg"}))
        x = images(3, 96, seed=2).astype("float64")
        expected = run(_pooled(ref) if include_top else ref, h5_reference_input(name, x)).reshape(len(x), -1)
        ours = mobilecnn.build(name, resolution=96, include_top=False, pooling="avg", weights=str(path))
        assert_close(run(ours, x), expected, atol=1e-4)
