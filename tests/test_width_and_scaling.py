"""Width multipliers and compound scaling against keras.applications' parameter counts."""

import pytest

import mobilecnn

# keras.applications (Keras 3.15) built with weights=None at 224x224, 1000 classes.
MOBILENET_V1 = {0.25: 475_544, 0.5: 1_342_536, 0.75: 2_601_976, 1.0: 4_253_864}
MOBILENET_V2 = {0.35: 1_691_208, 0.5: 1_987_224, 0.75: 2_663_064, 1.0: 3_538_984, 1.3: 5_431_048,
                1.4: 6_156_712}
MOBILENET_V3 = {  # (variant, alpha, minimalistic)
    ("small", 0.75, False): 2_051_552, ("small", 1.0, True): 2_056_848, ("small", 0.75, True): 1_742_192,
    ("large", 0.75, False): 4_012_616, ("large", 1.0, True): 3_948_688, ("large", 0.75, True): 3_069_400,
}


@pytest.mark.parametrize("alpha, params", MOBILENET_V1.items())
def test_mobilenet_v1_widths(alpha, params):
    assert mobilecnn.build("mobilenet-v1", width_multiplier=alpha).count_params() == params


@pytest.mark.parametrize("alpha, params", MOBILENET_V2.items())
def test_mobilenet_v2_widths(alpha, params):
    assert mobilecnn.build("mobilenet-v2", width_multiplier=alpha).count_params() == params


@pytest.mark.parametrize("key, params", MOBILENET_V3.items())
def test_mobilenet_v3_widths_and_minimalistic(key, params):
    variant, alpha, minimalistic = key
    model = mobilecnn.build(f"mobilenet-v3-{variant}", width_multiplier=alpha, minimalistic=minimalistic)
    assert model.count_params() == params


def test_mobilenet_v1_any_width_and_resolution_multiplier():
    model = mobilecnn.build("mobilenet-v1", width_multiplier=0.3, resolution_multiplier=4 / 7)
    assert model.input_shape == (None, 128, 128, 3)
    assert model.get_layer("conv_pw_13").filters == int(1024 * 0.3)


def test_mobilenet_v2_last_conv_rule():  # Sandler et al. 2018: 1280 for alpha <= 1, scaled above
    assert mobilecnn.build("mobilenet-v2", width_multiplier=0.5, resolution=96).get_layer("Conv_1").filters == 1280
    assert mobilecnn.build("mobilenet-v2", width_multiplier=1.4, resolution=96).get_layer("Conv_1").filters == 1792


def test_efficientnet_compound_coefficient_and_overrides():
    phi1 = mobilecnn.build("efficientnet-b0", phi=1)
    assert phi1.input_shape == (None, 258, 258, 3)  # round(224 * 1.15)
    assert phi1.get_layer("stem_conv").filters == 32 and phi1.get_layer("top_conv").filters == 1408
    assert phi1.get_layer("block2c_project_conv")  # depth 1.2: 2 repeats -> 3
    custom = mobilecnn.build("efficientnet-b0", width_coefficient=0.5, depth_coefficient=0.5, resolution=128)
    assert custom.get_layer("top_conv").filters == 640
    with pytest.raises(ValueError):
        custom.get_layer("block2b_project_conv")  # 2 repeats * 0.5 -> 1


def test_efficientnet_drop_connect_grows_linearly():
    model = mobilecnn.build("efficientnet-b0", resolution=64)
    drops = [layer.rate for layer in model.layers if layer.name.endswith("_drop")]
    assert drops == sorted(drops) and 0 < drops[0] and drops[-1] < 0.2
    assert not [layer for layer in mobilecnn.build("efficientnet-b0", resolution=64, drop_connect_rate=0).layers
                if layer.name.endswith("_drop")]
