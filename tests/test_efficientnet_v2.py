"""EfficientNetV2 B0-B3, S, M, L: keras.applications' (Keras 3.15) layout, parameters and outputs after weight
transfer; the Fused-MBConv block; and the edge exports."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import assert_close, float64, images, realistic_batchnorm, run
from edge_checks import PRECISIONS, check_export, check_qat
from mobilecnn.export.pipeline import VerificationError

import mobilecnn

NAMES = [f"efficientnet-v2-{v}" for v in ("b0", "b1", "b2", "b3", "s", "m", "l")]
# keras.applications.EfficientNetV2*(weights=None), Keras 3.15.1: count_params() and trainable weights
# (REFERENCE_FIGURES.md's keras table), written out here apart from the registry.
KERAS = {"efficientnet-v2-b0": (7_200_312, 7_139_704), "efficientnet-v2-b1": (8_212_124, 8_141_052),
         "efficientnet-v2-b2": (10_178_374, 10_096_086), "efficientnet-v2-b3": (14_467_622, 14_358_406),
         "efficientnet-v2-s": (21_612_360, 21_458_488), "efficientnet-v2-m": (54_431_388, 54_139_356),
         "efficientnet-v2-l": (119_027_848, 118_515_272)}
FAST = {"efficientnet-v2-b0": 224, "efficientnet-v2-s": 128}   # S at 128: 3x cheaper than 224 in float64


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in ("efficientnet-v2-m",
                                                                                    "efficientnet-v2-l") else n
                                  for n in NAMES])   # M and L: 10 and 17 s to build here, under -m slow
def test_params_equal_keras_applications(models, name):
    total, trainable = KERAS[name]
    profile = mobilecnn.profile(models.get(name))
    assert (profile.params, profile.trainable_params) == (total, trainable)


def _pair(name: str, resolution: int):
    """keras.applications' model (random batch-norm scales and offsets, statistics measured on the test images)
    and ours with its weights copied, and the images. Both include their own preprocessing (B0-B3: ImageNet
    mean/std; S/M/L: x / 128 - 1), so both take the same pixels."""
    ref = mobilecnn.keras_application(name, resolution=resolution, classifier_activation=None)
    x = images(3, resolution, seed=2).astype("float64")
    realistic_batchnorm(ref, x, seed=1)
    ours = mobilecnn.build(name, resolution=resolution, classifier_activation=None)
    ours.set_weights([w for layer in ref.layers for w in layer.get_weights()])  # same weights, same order ...
    mobilecnn.copy_weights(ref, ours)                                           # ... and by name, checked
    return ours, ref, x


def compare(ours, ref, x) -> None:
    """Our logits equal keras.applications' within 1e-4, on logits that vary between the images by more than 100x
    that (conftest.assert_close)."""
    assert_close(run(ours, x), run(ref, x), atol=1e-4)


def check_parity(name: str, resolution: int) -> None:
    with float64():
        compare(*_pair(name, resolution))


@pytest.mark.parametrize("name", list(FAST))
def test_outputs_equal_keras_applications(name):
    check_parity(name, FAST[name])


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in NAMES if n not in FAST])
def test_outputs_equal_keras_applications_large(name):
    import gc

    import keras

    keras.backend.clear_session()
    gc.collect()
    check_parity(name, mobilecnn.model_info(name)["resolution"])


@pytest.mark.parametrize("breakage", ["zeroed stem convolution", "permuted fused projection", "flipped input"])
def test_parity_fails_when_the_transfer_is_broken(breakage):
    """The parity comparison can fail: with our stem zeroed, a Fused-MBConv projection permuted, or
    keras.applications fed a flipped image, the logits differ."""
    with float64():
        ours, ref, x = _pair("efficientnet-v2-b0", 64)
        if breakage == "flipped input":
            with pytest.raises(AssertionError, match="Not equal to tolerance"):
                assert_close(run(ours, x), run(ref, x[:, :, ::-1]), atol=1e-4)
            return
        layer = ours.get_layer("stem_conv" if breakage == "zeroed stem convolution" else "block2b_project_conv")
        kernel = layer.get_weights()[0]
        layer.set_weights([np.zeros_like(kernel) if breakage == "zeroed stem convolution" else kernel[..., ::-1]])
        with pytest.raises(AssertionError, match="Not equal to tolerance"):
            compare(ours, ref, x)


def test_other_variant_does_not_transfer():
    ref = mobilecnn.keras_application("efficientnet-v2-b1", resolution=64)
    with pytest.raises(ValueError, match="differ|does not match"):
        mobilecnn.copy_weights(ref, mobilecnn.build("efficientnet-v2-b0", resolution=64))
    with pytest.raises(ValueError, match="width_coefficient"):
        mobilecnn.keras_application("efficientnet-v2-b0", width_coefficient=0.5)


def test_fused_and_mbconv_blocks():
    """keras.applications' FusedMBConvBlock: without expansion one k x k convolution (with the stride) + BN +
    swish; with expansion a k x k expansion (with the stride) and a linear 1x1 projection. MBConv stages have a
    depthwise convolution and squeeze-excite to a quarter of the block input."""
    model = mobilecnn.build("efficientnet-v2-s", resolution=64)
    names = {layer.name for layer in model.layers}
    assert "block1a_expand_conv" not in names and "block1a_project_activation" in names
    assert model.get_layer("block1a_project_conv").kernel_size == (3, 3)
    assert "block1b_add" in names                                    # 24 -> 24, stride 1: residual
    expand, project = model.get_layer("block2a_expand_conv"), model.get_layer("block2a_project_conv")
    assert (expand.kernel_size, expand.strides, expand.filters) == ((3, 3), (2, 2), 96)
    assert (project.kernel_size, project.strides, project.filters) == ((1, 1), (1, 1), 48)
    assert "block2a_project_activation" not in names and not any(n.startswith("block3") and "se_" in n for n in names)
    assert model.get_layer("block4a_dwconv2").strides == (2, 2)
    assert model.get_layer("block4a_se_reduce").filters == 16         # int(64 x 0.25)
    assert model.get_layer("block6o_project_conv").filters == 256     # 15 blocks in stage 6
    assert model.get_layer("stem_bn").momentum == 0.9 and model.get_layer("stem_bn").epsilon == 1e-3


def test_width_rounding_is_keras():
    """keras' round_filters has no 10% round-up: B3's 16 x 1.2 = 19.2 stays 16 (MobileNet's rule gives 24)."""
    model = mobilecnn.build("efficientnet-v2-b3", resolution=64)
    assert model.get_layer("block1a_project_conv").filters == 16
    assert model.get_layer("stem_conv").filters == 40 and model.get_layer("top_conv").filters == 1536


SMALL = {"width_coefficient": 0.5, "depth_coefficient": 0.5}


# Every precision under -m slow: the fused block's ops (Conv2D, BN folded, swish) are the ones MBConv models take
# through the export checks in the fast suite (MobileNet V2/V3, EfficientNet-B0), and the small B0's QAT export
# (full integer, one partition) stays fast.
@pytest.mark.slow
@pytest.mark.parametrize("precision", PRECISIONS)
def test_small_b0_exports(precision):
    check_export("efficientnet-v2-b0", precision, {"resolution": 64, **SMALL})


def test_small_b0_qat_is_full_integer():
    # At 64 px, not the 32 px default: at 32 px the last two stages run on 2x2 and 1x1 maps, where the untrained
    # model amplifies int8 rounding layer after layer (measured on an AMD Zen 3 CPU without oneDNN: 0.55-0.64 of
    # the logits' variation over three seeds, each layer adding a fraction of a step, no layer off; 0.25-0.36 at
    # 64 px; under 0.5 at 32 px on the Intel CPU with oneDNN this test was first run on).
    check_qat("efficientnet-v2-b0", SMALL, resolution=64)


# The untrained V2-M's int8 fails verification (test below: cosine 0.061 at its 480 px in the zoo run); V2-L, deeper
# still, is expected to as well (not yet measured: its int8 export takes the longest of the zoo).
UNTRAINED_INT8 = pytest.mark.xfail(reason="the untrained model amplifies int8 rounding past verification "
                                          "(test_untrained_v2_m_int8_fails_verification)")


@pytest.mark.slow
@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize("name", NAMES)
def test_full_size_exports(name, precision, request):
    if precision == "int8" and name in ("efficientnet-v2-m", "efficientnet-v2-l"):
        request.applymarker(UNTRAINED_INT8)
    check_export(name, precision, {})


@pytest.mark.slow
@pytest.mark.xfail(strict=True, raises=VerificationError, reason=(
    "post-training int8 of the untrained V2-M: every layer within a fraction of a quantization step more than the "
    "one before it, no op wrong, but over 57 blocks of a random network the error passes the activations' RMS in "
    "stage 4 (README, known limits); a fix (or trained weights) shows here"))
def test_untrained_v2_m_int8_fails_verification():
    check_export("efficientnet-v2-m", "int8", {"resolution": 128})


# keras.io/api/applications: top-1 accuracy of keras.applications' ImageNet weights.
KERAS_TOP1 = {"efficientnet-v2-b0": 78.7, "efficientnet-v2-b1": 79.8, "efficientnet-v2-b2": 80.5,
              "efficientnet-v2-b3": 82.0, "efficientnet-v2-s": 83.9, "efficientnet-v2-m": 85.3,
              "efficientnet-v2-l": 85.7}


@pytest.mark.parametrize("name", NAMES)
def test_registry_cites_published_top1(name):
    ref = mobilecnn.registry.get(name).reference
    assert ref.top1 == KERAS_TOP1[name] and "keras.io" in ref.top1_source
    assert "keras.applications" in ref.params_source and ref.macs_source
