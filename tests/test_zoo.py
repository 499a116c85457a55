"""Registry-wide tests: every name builds, has the reference parameter count and MACs,
saves and reloads in safe mode, names its layers deterministically, and has a tf_keras twin."""

from __future__ import annotations

import contextlib

import keras
import numpy as np
import pytest
from conftest import assert_close, assert_same, float64, images, realistic_statistics, run, small_resolution

import mobilecnn
from mobilecnn import registry

ALL = mobilecnn.list_models()
# The deepest and widest classic nets: a smaller sibling runs the same builder and blocks in the fast suite, so
# their own small-resolution builds, save/reload and tf_keras twin run under -m slow (parameters and MACs always).
HEAVY_CLASSIC = {"resnet-101", "resnet-152", "se-resnet-101", "se-resnet-152", "wide-resnet-101-2",
                 "resnext-101-32x8d", "densenet-169", "densenet-201", "vgg-13", "vgg-16", "vgg-19",
                 "vgg-13-bn", "vgg-16-bn", "vgg-19-bn", "resnext-50-32x4d"}
# The newer families likewise: one small member of each stays fast (efficientnet-lite0, mnasnet-0.5,
# efficientnet-v2-b0, mobilenet-v4-conv-small and -hybrid-medium); Xception and Inception-v3 (over 20M
# parameters) and SE-ResNeXt (se-resnet-50 covers its block) run under -m slow.
HEAVY_NEW = {"xception", "inception-v3", "se-resnext-50-32x4d", "mobilenet-v4-conv-medium",
             "mobilenet-v4-conv-large", "mobilenet-v4-hybrid-large", "efficientnet-v2-b1", "efficientnet-v2-b2",
             "efficientnet-v2-b3", "efficientnet-v2-s", "efficientnet-v2-m", "efficientnet-v2-l",
             "efficientnet-lite1", "efficientnet-lite2", "efficientnet-lite3", "efficientnet-lite4",
             "mnasnet-0.75", "mnasnet-1.0", "mnasnet-1.3"}
LRN_MODELS = {"alexnet", "zfnet", "googlenet"}   # local response normalization: float32 only
# Compound-scaled and wider siblings: the same blocks as EfficientNet-B0, ResNet-18 and ResNet-50 at other depths and
# widths (their full-size parameters and MACs are checked above); at 64 px B4-B7 alone took 5 minutes of the suite.
# WRN-28-10 (36M parameters at 32 px, 27 s): its pre-activation block is the same residual block option.
SCALED = {*(f"efficientnet-b{i}" for i in range(1, 8)), "resnet-34", "wide-resnet-50-2", "wide-resnet-28-10"}
# Twins whose layers another fast twin or QAT run builds (QAT builds the tf_keras twin and trains it): ShuffleNet V1
# (22 s here) and SE-ResNet-50 (18 s; bottleneck and squeeze-excite) in their fast QAT tests (test_qat.py); ResNet-50
# (17 s) likewise, VGG-11 (13 s) as VGG-11-BN's plain stack, AlexNet-torchvision as AlexNet, GoogLeNet-BN as
# GoogLeNet, MobileNet V3-Large as V3-Small, SqueezeNet 1.0 as 1.1; DenseNet-121 (26 s here) in its fewer-block fast
# QAT test (the same dense layers and transitions), EfficientNetV2-B0 (20 s) in its fast QAT test
# (test_efficientnet_v2.py); EfficientNet-Lite0 (12 s) as EfficientNet-B0 (the same MBConv builder, without
# squeeze-excite, with ReLU6) and in its fast QAT test (test_efficientnet_lite.py).
TWIN_ELSEWHERE = {"shufflenet-v1", "se-resnet-50", "resnet-50", "vgg-11", "alexnet-torchvision", "googlenet-bn",
                  "mobilenet-v3-large", "squeezenet-1.0", "densenet-121", "efficientnet-v2-b0", "efficientnet-lite0"}
# Full-size builds over 3.5 s each here (75 s of the suite together): their parameters and MACs are checked under
# -m slow; the same builders and blocks at other depths and widths (ResNet-50, SE-ResNet-50, DenseNet-121,
# EfficientNet-B0-B4, EfficientNetV2-B0-B3, VGG-11/-13) are checked here in the fast suite.
FULL_SIZE_SLOW = {"efficientnet-v2-s", "efficientnet-v2-m", "efficientnet-v2-l", "efficientnet-b5", "efficientnet-b6",
                  "efficientnet-b7", "resnet-101", "resnet-152", "se-resnet-101", "se-resnet-152", "wide-resnet-101-2",
                  "resnext-101-32x8d", "densenet-169", "densenet-201", "vgg-19"}
SMALL_RUNS = [pytest.param(n, marks=pytest.mark.slow) if n in HEAVY_CLASSIC | HEAVY_NEW | SCALED else n for n in ALL]
TWIN_RUNS = [pytest.param(n, marks=pytest.mark.slow) if n in HEAVY_CLASSIC | HEAVY_NEW | SCALED | TWIN_ELSEWHERE
             else n for n in ALL]


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in FULL_SIZE_SLOW else n for n in ALL])
def test_default_build_matches_reference_params_and_macs(name):
    """Parameter counts equal the reference implementation, and MACs counted from the graph are within 2% of the
    cited figure (both cited in the registry). Each full-size model is built once, here, and not kept."""
    entry = registry.get(name)
    model = mobilecnn.build(name)
    assert model.input_shape == (None, entry.resolution, entry.resolution, entry.channels)
    assert model.output_shape == (None, registry.get(name).num_classes)
    prof = mobilecnn.profile(model)
    ref = entry.reference
    assert ref.params and ref.params_source, f"{name} has no cited parameter count"
    assert prof.params == pytest.approx(ref.params, rel=ref.params_tolerance, abs=0), ref.params_source
    if ref.trainable is not None:
        assert prof.trainable_params == pytest.approx(ref.trainable, rel=ref.params_tolerance, abs=0), ref.params_source
    if ref.macs:
        assert ref.macs_source
        assert prof.macs == pytest.approx(ref.macs, rel=0.02), ref.macs_source


@pytest.mark.parametrize("name", SMALL_RUNS)
def test_small_forward_pass_and_headless_shapes(name):
    res = small_resolution(name)
    model = mobilecnn.build(name, resolution=res, num_classes=7)
    channels = registry.get(name).channels
    out = run(model, images(2, res, channels))
    assert out.shape == (2, 7)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)  # softmax
    headless = mobilecnn.build(name, resolution=res, include_top=False, pooling="avg")
    features = run(headless, images(1, res, channels))
    assert features.shape == (1, headless.layers[-2].output.shape[-1])
    assert len(mobilecnn.build(name, resolution=res, include_top=False).output_shape) == 4


def tiny_resolution(name: str) -> int:
    """32 px, or the least the model's downsampling allows."""
    return max(32, registry.get(name).min_resolution)


def twin_pair(name: str):
    """The Keras 3 model (conftest.realistic_statistics: logits that follow the input) and its tf_keras twin with
    its weights, the test images and the comparison's tolerance. In float64 (conftest.float64): float32 rounding
    differences between the two Keras implementations, carried through the deepest nets (SE-ResNet-152), exceed
    1e-6; in float64 they stay near 1e-12. TensorFlow's local response normalization has no float64 kernel: the
    (shallow) LRN nets stay in float32, at 1e-4. At the least resolution the model takes (32 px for most): the
    layout and arithmetic are the same at any size."""
    res = tiny_resolution(name)
    lrn = name in LRN_MODELS
    with contextlib.nullcontext() if lrn else float64():
        a = mobilecnn.build(name, resolution=res, num_classes=5, classifier_activation=None)
        b = mobilecnn.build(name, resolution=res, num_classes=5, classifier_activation=None, flavour="tf_keras")
        realistic_statistics(a)
        b.set_weights(a.get_weights())
    x = images(3, res, registry.get(name).channels).astype("float32" if lrn else "float64")
    return a, b, x, 1e-4 if lrn else 1e-6


def compare_twin(a, b, x, tolerance: float, twin_input=None) -> None:
    """The twin's logits equal the model's within ``tolerance`` (absolute and relative), on logits that vary
    between the images by more than 100x that (conftest.assert_close)."""
    with contextlib.nullcontext() if x.dtype == "float32" else float64():
        expected = run(a, x)
        got = run(b, x if twin_input is None else twin_input)
    assert_close(got, expected, atol=tolerance, rtol=tolerance)


@pytest.mark.parametrize("name", TWIN_RUNS)
def test_tf_keras_twin_and_safe_mode_reload_compute_the_same(tmp_path, name):
    """One model (realistic statistics, float64 but for the LRN nets): built twice it has the same layer names; its
    tf_keras twin has its layout and computes its logits (compare_twin); saved and reloaded in safe mode it computes
    them bit for bit."""
    a, b, x, tolerance = twin_pair(name)
    def dtype():
        return contextlib.nullcontext() if x.dtype == "float32" else float64()

    with dtype():
        again = mobilecnn.build(name, resolution=tiny_resolution(name), num_classes=5, classifier_activation=None)
    assert [layer.name for layer in a.layers] == [layer.name for layer in again.layers]
    assert type(b).__module__.startswith("tf_keras")
    assert [layer.name for layer in a.layers] == [layer.name for layer in b.layers]
    assert [w.shape for w in a.get_weights()] == [tuple(w.shape) for w in b.get_weights()]
    compare_twin(a, b, x, tolerance)
    path = tmp_path / "m.keras"
    a.save(path)
    with dtype():
        reloaded = keras.models.load_model(path, safe_mode=True)
        assert_same(run(reloaded, x), run(a, x))


@pytest.fixture(scope="module")
def v2_twins():
    return twin_pair("mobilenet-v2")


@pytest.mark.parametrize("breakage", ["flipped input", "halved input", "inverted input", "permuted layer",
                                      "zeroed layer"])
def test_twin_comparison_fails_on_a_broken_twin(v2_twins, breakage):
    """The twin comparison can fail: fed another input, or with one layer's weights changed, the twin differs."""
    a, b, x, tolerance = v2_twins
    twin_input = {"flipped input": x[:, ::-1], "halved input": x / 2, "inverted input": 255 - x}.get(breakage)
    layer = b.get_layer("block_8_project")  # a 1x1 convolution in the middle of the net
    saved = layer.get_weights()
    if breakage == "permuted layer":
        layer.set_weights([saved[0][..., ::-1]])
    if breakage == "zeroed layer":
        layer.set_weights([np.zeros_like(saved[0])])
    try:
        with pytest.raises(AssertionError, match="Not equal to tolerance"):
            compare_twin(a, b, x, tolerance, twin_input)
    finally:
        layer.set_weights(saved)
    compare_twin(a, b, x, tolerance)  # and restored, it passes


def test_list_models_covers_the_issue():
    expected = {"mobilenet-v1", "mobilenet-v2", "mobilenet-v3-small", "mobilenet-v3-large",
                *(f"efficientnet-b{i}" for i in range(8))}
    assert expected <= set(ALL)


def test_peak_activation_memory_on_a_hand_counted_model():
    inputs = keras.Input((8, 8, 3), name="in")
    a = keras.layers.Conv2D(4, 3, padding="same", name="a")(inputs)      # 256 floats
    b = keras.layers.Conv2D(2, 1, name="b")(a)                          # 128 floats
    c = keras.layers.Add(name="c")([keras.layers.Conv2D(2, 1, name="d")(a), b])
    model = keras.Model(inputs, c)
    peak, _ = mobilecnn.profiling.peak_activation(model)
    # a (256) is live until d runs; while d runs: a + b + d = 256 + 128 + 128 floats
    assert peak == 4 * (256 + 128 + 128)
    prof = mobilecnn.profile(model)
    assert prof.macs == 64 * 4 * 27 + 64 * 2 * 4 * 2


def _two_norms():
    inputs = keras.Input((6, 6, 3), name="in")
    x = keras.layers.Conv2D(4, 3, padding="same", name="conv1")(inputs)
    x = keras.layers.BatchNormalization(name="bn1")(x)
    x = keras.layers.ReLU(name="relu")(x)
    x = keras.layers.Conv2D(5, 1, name="conv2")(x)
    return keras.Model(inputs, keras.layers.BatchNormalization(name="bn2")(x))


def test_batchnorm_recalibration_in_parts_keeps_all_images_statistics():
    """A model whose activations over the budget is recalibrated in parts (EfficientNet-B7's 32 images at 600 px
    would hold 124 GB): the first norm, whose input no other norm touches, gets exactly the statistics of all the
    images (pooled mean and variance); a model that fits is recalibrated in one pass, as before."""
    from mobilecnn.profiling import held_activation_bytes, images_per_call

    model = _two_norms()
    imgs = np.random.default_rng(0).uniform(0, 255, (8, 6, 6, 3)).astype("float32")
    conv1 = np.asarray(keras.Model(model.inputs, model.get_layer("conv1").output)(imgs), "float64")
    mobilecnn.recalibrate_batchnorm(model, imgs, batch_size=2)
    bn1 = model.get_layer("bn1")
    np.testing.assert_allclose(np.asarray(bn1.moving_mean), conv1.mean(axis=(0, 1, 2)), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(np.asarray(bn1.moving_variance), conv1.var(axis=(0, 1, 2)), rtol=1e-4)
    parts = np.asarray(model.get_layer("bn2").moving_mean)

    whole = _two_norms()
    whole.set_weights([w for w in model.get_weights()])
    mobilecnn.recalibrate_batchnorm(whole, imgs)                  # fits the budget: one pass of 8
    np.testing.assert_allclose(np.asarray(whole.get_layer("bn1").moving_variance), conv1.var(axis=(0, 1, 2)),
                               rtol=1e-4)
    assert not np.allclose(np.asarray(whole.get_layer("bn2").moving_mean), parts, atol=1e-6)  # parts differ below
    # the budget: every layer's output for one image, float32
    per_image = 4 * (6 * 6 * 3 + 6 * 6 * 4 * 3 + 6 * 6 * 5 * 2)
    assert held_activation_bytes(model) == per_image
    assert images_per_call(model, budget=5 * per_image + 1) == 5
    assert images_per_call(model, budget=1, at_least=2) == 2
    with pytest.raises(ValueError, match=r"batch_size must be an integer >= 2.*got 1"):
        mobilecnn.recalibrate_batchnorm(model, imgs, batch_size=1)


def test_verification_predicts_in_calls_within_the_budget(monkeypatch):
    """Verification runs the Keras model on its images in as many calls as the activation budget asks, with the
    same outputs as one call."""
    from mobilecnn.export import verify

    import mobilecnn.profiling as profiling

    model = _two_norms()
    imgs = np.random.default_rng(1).uniform(0, 255, (7, 6, 6, 3)).astype("float32")
    calls = []
    original = model.call
    monkeypatch.setattr(model, "call", lambda x, *a, **k: calls.append(int(x.shape[0])) or original(x, *a, **k))
    whole = verify.predict(model, imgs)
    assert calls == [7]
    monkeypatch.setattr(profiling, "ACTIVATION_BUDGET", 3 * profiling.held_activation_bytes(model))
    calls.clear()
    np.testing.assert_allclose(verify.predict(model, imgs), whole, rtol=1e-6, atol=1e-5)
    assert calls == [3, 3, 1]
