"""The scaling module, on values from the papers and reference implementations."""

import pytest

from mobilecnn import scaling


@pytest.mark.parametrize("value, expected", [
    (32 * 0.35, 16),    # MobileNetV2 0.35 stem: keras.applications gives 16 (11.2 rounds to 8 < 90%)
    (32 * 0.5, 16),
    (24 * 1.4, 32),     # 33.6 -> 32
    (1280 * 1.4, 1792),  # MobileNetV2 1.4 last conv, keras.applications
    (72, 72), (184, 184),  # MobileNetV3-Large expansions (Howard et al. 2019, Table 1)
    (16 * 1.1, 16),     # EfficientNet-B2 stem round_filters(16)
    (32 * 1.8, 56),     # EfficientNet-B6 stem: 57.6 -> 56
    (3, 8),             # never below the divisor
])
def test_make_divisible(value, expected):
    assert scaling.make_divisible(value) == expected


def test_make_divisible_never_below_ninety_percent():
    for v in range(1, 2000):
        for mult in (0.35, 0.5, 0.75, 1.0, 1.3, 1.4):
            r = scaling.make_divisible(v * mult)
            assert r % 8 == 0 and r >= 0.9 * v * mult


def test_round_repeats_is_ceil():  # EfficientNet round_repeats: ceil(depth * repeats)
    assert scaling.round_repeats(3, 1.1) == 4
    assert scaling.round_repeats(1, 3.1) == 4
    assert scaling.round_repeats(4, 1.0) == 4


def test_scale_width_truncates_for_mobilenet_v1():  # keras.applications MobileNet: int(filters * alpha)
    assert scaling.scale_width(32, 0.75, divisor=None) == 24
    assert scaling.scale_width(1024, 0.3, divisor=None) == 307
    assert scaling.scale_width(32, 0.001, divisor=None) == 1


def test_efficientnet_table_matches_tan_and_le():
    # Tan & Le 2019 / keras.applications efficientnet.py: (width, depth, resolution, dropout)
    t = scaling.EFFICIENTNET_SCALES
    assert (t["b0"].width, t["b0"].depth, t["b0"].resolution, t["b0"].dropout) == (1.0, 1.0, 224, 0.2)
    assert (t["b4"].width, t["b4"].depth, t["b4"].resolution, t["b4"].dropout) == (1.4, 1.8, 380, 0.4)
    assert (t["b7"].width, t["b7"].depth, t["b7"].resolution, t["b7"].dropout) == (2.0, 3.1, 600, 0.5)
    assert list(t) == [f"b{i}" for i in range(8)]


def test_compound_scale_uses_the_papers_constants():
    s = scaling.compound_scale(0)
    assert (s.width, s.depth, s.resolution) == (1.0, 1.0, 224)
    s = scaling.compound_scale(2)
    assert s.depth == pytest.approx(1.2**2) and s.width == pytest.approx(1.1**2)
    assert s.resolution == round(224 * 1.15**2)
    # alpha * beta^2 * gamma^2 ~= 2 (Tan & Le 2019, eq. 3)
    assert scaling.COMPOUND_ALPHA * scaling.COMPOUND_BETA**2 * scaling.COMPOUND_GAMMA**2 == pytest.approx(2, rel=0.05)


def test_resolution_multiplier():  # MobileNet rho: 224 * {1, 6/7, 5/7, 4/7} = 224, 192, 160, 128
    assert [scaling.scale_resolution(224, r) for r in (1, 6 / 7, 5 / 7, 4 / 7)] == [224, 192, 160, 128]
    with pytest.raises(ValueError, match="resolution_multiplier"):
        scaling.scale_resolution(224, 0)
