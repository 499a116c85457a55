"""SE-ResNeXt-50 (32x4d) on the residual block, as timm's ``seresnext50_32x4d`` (timm 1.0.31).

Figures from timm 1.0.31 (/work/shared/REFERENCE_FIGURES.md): 27,559,896 parameters (all trainable) and
68,224 batch-norm running statistics; 4,232,994,816 Conv2d + Linear MACs at 224x224 (the default tag
racm_in1k's input size). timm's block: ResNeXt's grouped bottleneck (32 groups of base width 4), the stride on
the 3x3 and on the projection's 1x1, squeeze-excite on the residual branch before the addition with
``SEModule(rd_ratio=1/16, rd_divisor=8, round_limit=0)`` (biases on both 1x1s, ReLU, sigmoid).
"""

from __future__ import annotations

import pytest
from edge_checks import check_export_result, check_qat

import mobilecnn
from mobilecnn import registry

NAME = "se-resnext-50-32x4d"
TIMM = {"params": 27_559_896, "bn_stats": 68_224, "macs": 4_232_994_816}   # timm 1.0.31 seresnext50_32x4d


def timm_make_divisible(v: float, divisor: int = 8, round_limit: float = 0.0) -> int:
    """timm.layers.make_divisible, as SEModule calls it (min_value = divisor)."""
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < round_limit * v else new_v


def test_parameters_and_macs_equal_timm(models):
    prof = mobilecnn.profile(models.get(NAME))
    assert prof.trainable_params == TIMM["params"]
    assert prof.non_trainable_params == TIMM["bn_stats"]
    assert prof.params == TIMM["params"] + TIMM["bn_stats"] == 27_628_120
    assert prof.macs == pytest.approx(TIMM["macs"], rel=0.02)
    ref = registry.get(NAME).reference
    assert (ref.params, ref.trainable) == (27_628_120, 27_559_896) and "timm" in ref.params_source
    assert ref.top1 == 82.196 and "racm_in1k" in ref.top1_source


def test_block_layout_is_timms(models):
    """32 groups of width planes / 16 in the 3x3 (128, 256, 512, 1024), the stride on the 3x3, and
    squeeze-excite to timm's rounded out / 16 channels."""
    model = models.get(NAME)
    for s, (width, out) in enumerate(((128, 256), (256, 512), (512, 1024), (1024, 2048)), start=2):
        middle = model.get_layer(f"conv{s}_block1_2_conv")
        assert (middle.filters, middle.groups) == (width, 32)
        assert tuple(middle.strides) == ((1, 1) if s == 2 else (2, 2))
        assert tuple(model.get_layer(f"conv{s}_block1_1_conv").strides) == (1, 1)
        reduce = model.get_layer(f"conv{s}_block1_se_reduce")
        assert reduce.filters == timm_make_divisible(out / 16) and reduce.use_bias
        assert model.get_layer(f"conv{s}_block1_se_expand").filters == out
    assert registry.get(NAME).family == "se-resnet"   # Hu et al. 2017 (Table 2 has SE-ResNeXt-50)


def test_se_reduction_counts(models):
    """Changing the squeeze width would change the count: the SE parameters are what separates timm's count
    from torchvision's ResNeXt-50 (25,028,904)."""
    se = sum(w.size for layer in models.get(NAME).layers if "_se_" in layer.name for w in layer.get_weights())
    assert se == TIMM["params"] - 25_028_904 == 2_530_992


def fewer_blocks(monkeypatch) -> None:
    """One bottleneck a stage (the same block code; architectures are data), as tests/test_qat.py does."""
    from mobilecnn.families import resnet

    monkeypatch.setitem(resnet.DEPTHS, 50, (True, (1, 1, 1, 1)))


PRECISIONS = ("float32", "float16", "dynamic", "int8")
_exports: dict = {}


def exported(precision: str, resolution: int = 64):
    from mobilecnn.export import export_model

    if (precision, resolution) not in _exports:
        _exports[precision, resolution] = export_model(NAME, precision, options={"resolution": resolution},
                                                       calibration_count=32, verify_count=16)
    return _exports[precision, resolution]


@pytest.mark.slow   # not yet run here (the exports of the other two models took the time): fast once measured
@pytest.mark.parametrize("precision", PRECISIONS)
def test_exports_verify_and_stay_in_one_xnnpack_partition(precision):
    check_export_result(exported(precision), precision)


@pytest.mark.slow
def test_full_size_exports():
    for precision in PRECISIONS:
        check_export_result(exported(precision, 224), precision)


@pytest.mark.slow   # not yet run here: the fewer-blocks case goes to the fast suite once measured
@pytest.mark.parametrize("shortened", [pytest.param(True, id="fewer-blocks"), pytest.param(False, id="full")])
def test_qat_exports_full_integer(monkeypatch, shortened):
    """One training step; full-integer export, one XNNPACK partition, following the QAT model (edge_checks)."""
    if shortened:
        fewer_blocks(monkeypatch)
    check_qat(NAME, {}, resolution=32)
