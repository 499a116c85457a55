"""EfficientNet-Lite0-4 (tensorflow/tpu efficientnet/lite): parameters equal timm 1.0.31's tf_efficientnet_lite*,
MACs equal timm's count at timm's sizes, the Lite rules (no squeeze-excite, ReLU6, fixed stem, head, first and
last stage), TF "same" padding, and the edge exports."""

from __future__ import annotations

import pytest
from conftest import images, run
from edge_checks import PRECISIONS, check_export, check_qat

import mobilecnn
from mobilecnn.families import efficientnet_lite as lite

NAMES = [f"efficientnet-lite{i}" for i in range(5)]
# timm 1.0.31 tf_efficientnet_lite*: sum(p.numel() for p in model.parameters()) and the batch-norm running
# mean/var buffers (REFERENCE_FIGURES.md's timm table), written out here apart from the registry.
TIMM = {"efficientnet-lite0": (4_652_008, 42_016), "efficientnet-lite1": (5_416_680, 53_664),
        "efficientnet-lite2": (6_092_072, 58_096), "efficientnet-lite3": (8_197_096, 76_672),
        "efficientnet-lite4": (13_006_568, 112_368)}
# efficientnet_lite_builder.efficientnet_lite_params resolutions.
TF_RESOLUTIONS = {"efficientnet-lite0": 224, "efficientnet-lite1": 240, "efficientnet-lite2": 260,
                  "efficientnet-lite3": 280, "efficientnet-lite4": 300}


@pytest.mark.parametrize("name", NAMES)
def test_params_equal_timm_and_resolution_is_tf(models, name):
    trainable, stats = TIMM[name]
    profile = mobilecnn.profile(models.get(name))
    assert (profile.trainable_params, profile.params) == (trainable, trainable + stats)
    assert mobilecnn.model_info(name)["resolution"] == TF_RESOLUTIONS[name]


@pytest.mark.parametrize("name", NAMES)
def test_macs_equal_timm_at_its_size(name):
    """timm counts lite3/lite4 at 300/380 (its default sizes): the same graph built there has timm's MACs."""
    res, macs = lite.TIMM_MACS[name.removeprefix("efficientnet-")]
    assert mobilecnn.profile(mobilecnn.build(name, resolution=res)).macs == pytest.approx(macs, rel=0.02)


def test_lite_rules():
    """No squeeze-excite, ReLU6 only; width scaling leaves stem and head at 32 and 1280, depth scaling leaves
    the first and last stages at one block; stride-2 layers pad TF "same"."""
    model = mobilecnn.build("efficientnet-lite4", resolution=64)
    kinds = {type(layer).__name__ for layer in model.layers}
    assert "Multiply" not in kinds
    assert not any("se_" in layer.name for layer in model.layers)
    relus = [layer for layer in model.layers if type(layer).__name__ == "ReLU"]
    assert relus and all(float(layer.max_value) == 6.0 for layer in relus)
    assert "Activation" not in kinds
    assert model.get_layer("stem_conv").filters == 32 and model.get_layer("top_conv").filters == 1280
    names = [layer.name for layer in model.layers]
    assert "block1a_project_conv" in names and "block1b_project_conv" not in names   # first stage: 1 block
    assert "block7a_project_conv" in names and "block7b_project_conv" not in names   # last stage: 1 block
    assert "block6h_project_conv" in names and "block6i_project_conv" not in names   # ceil(4 x 1.8) = 8
    assert model.get_layer("block6a_project_conv").filters == 272                   # 192 x 1.4 = 268.8 -> 272
    convs = [layer for layer in model.layers if type(layer).__name__ in ("Conv2D", "DepthwiseConv2D")]
    assert {layer.padding for layer in convs} == {"same"}


def test_preprocessing_is_tf_lite():
    """(x - 127) / 128, as efficientnet_lite_builder's MEAN_RGB / STDDEV_RGB."""
    model = mobilecnn.build("efficientnet-lite0", resolution=32)
    rescale = model.get_layer("rescaling")
    x = images(1, 4)
    assert run(rescale, x) == pytest.approx((x - 127.0) / 128.0, abs=1e-5)


SMALL = {"width_coefficient": 0.5, "depth_coefficient": 0.5}


# int8 only in the fast suite (Lite's float ops are MobileNet V2's, exported in every precision there; the
# int8 export is the one Lite is for); the other precisions under -m slow.
@pytest.mark.parametrize("precision", [p if p == "int8" else pytest.param(p, marks=pytest.mark.slow)
                                       for p in PRECISIONS])
def test_small_lite0_exports(precision):
    check_export("efficientnet-lite0", precision, {"resolution": 64, **SMALL})


def test_small_lite0_qat_is_full_integer():
    check_qat("efficientnet-lite0", SMALL)


@pytest.mark.slow
@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize("name", NAMES)
def test_full_size_exports(name, precision):
    check_export(name, precision, {})


# tensorflow/tpu models/official/efficientnet/lite/README.md, "FP32 accuracy" (ImageNet).
README_TOP1 = {"efficientnet-lite0": 75.1, "efficientnet-lite1": 76.7, "efficientnet-lite2": 77.6,
               "efficientnet-lite3": 79.8, "efficientnet-lite4": 81.5}


@pytest.mark.parametrize("name", NAMES)
def test_registry_cites_published_top1(name):
    ref = mobilecnn.registry.get(name).reference
    assert ref.top1 == README_TOP1[name] and "tensorflow/tpu" in ref.top1_source
    assert "timm 1.0.31 tf_efficientnet_lite" in ref.params_source and "timm 1.0.31" in ref.macs_source
