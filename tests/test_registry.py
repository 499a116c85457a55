"""The registry and option checking: names, patterns, and clear errors."""

import pytest

import mobilecnn
from mobilecnn import registry


def test_efficientnet_pattern_is_in_natural_order():
    assert mobilecnn.list_models("efficientnet-b*") == [f"efficientnet-b{i}" for i in range(8)]
    # "efficientnet-*" also holds EfficientNet-Lite and EfficientNetV2 (names from issue 15).
    names = mobilecnn.list_models("efficientnet-*")
    assert names[:8] == [f"efficientnet-b{i}" for i in range(8)]
    assert [n for n in names if "lite" in n] == [f"efficientnet-lite{i}" for i in range(5)]


def test_natural_sort_puts_2_before_10():
    assert registry._natural_key("b2") < registry._natural_key("b10")


@pytest.mark.parametrize("alias", ["MobileNet_V2", "mobilenetv2", "MOBILENET-V2", "mobilenet v2"])
def test_lookup_ignores_case_dash_underscore(alias):
    assert registry.get(alias).name == "mobilenet-v2"


def test_unknown_name_lists_closest():
    with pytest.raises(ValueError, match=r"Unknown model 'efficientnet-b9'.*efficientnet-b"):
        mobilecnn.build("efficientnet-b9")
    with pytest.raises(ValueError, match="mobilenet-v3-small"):
        mobilecnn.build("mobilenetv3small2")


def test_duplicate_registration_fails():
    entry = registry.get("mobilenet-v2")
    with pytest.raises(ValueError, match="already registered"):
        registry.register(entry)


def test_model_info():
    info = mobilecnn.model_info("efficientnet-b1")
    assert info["resolution"] == 240 and info["family"] == "efficientnet"
    assert info["params"] and "Tan & Le" in info["paper"]
    assert "width_coefficient" in info["options"]


@pytest.mark.parametrize("options, message", [
    ({"groups": 3}, r"does not take option\(s\) 'groups'.*Allowed:.*width_multiplier"),
    ({"width_multiplier": 0}, "width_multiplier must be a positive number, got 0"),
    ({"width_multiplier": -0.5}, "width_multiplier must be a positive number"),
    ({"resolution": 16}, r"at least 32x32.*got 16x16"),
    ({"input_shape": (224, 224)}, r"input_shape must be \(height, width, channels\)"),
    ({"input_shape": (224, 224, 0)}, "input channels must be at least 1"),
    ({"num_classes": 0}, "num_classes must be a positive integer, got 0"),
    ({"pooling": "mean", "include_top": False}, "pooling must be None, 'avg' or 'max'"),
    ({"pooling": "avg"}, "pass include_top=False"),
    ({"dropout_rate": 1.5}, r"dropout_rate must be a number in \[0, 1\)"),
    ({"classifier_activation": "softmaxx"}, "not a Keras activation"),
    ({"weights": "/no/such/file.weights.h5"}, "path to an existing weights file"),
    ({"flavour": "torch"}, "flavour must be one of keras, tf_keras"),
    ({"resolution": 96, "input_shape": (96, 96, 3)}, "at most one of"),
])
def test_bad_options_name_the_value(options, message):
    with pytest.raises(ValueError, match=message):
        mobilecnn.build("mobilenet-v2", **options)


def test_fixed_option_is_explained():
    with pytest.raises(ValueError, match="variant is fixed by the name 'efficientnet-b1'"):
        mobilecnn.build("efficientnet-b1", variant="b2")


def test_channel_count_the_preprocessing_cannot_take():
    with pytest.raises(ValueError, match="normalizes 3 channels.*got 1 input channels"):
        mobilecnn.build("efficientnet-b0", input_shape=(64, 64, 1))
    model = mobilecnn.build("efficientnet-b0", input_shape=(64, 64, 1), include_preprocessing=False,
                            num_classes=2)
    assert model.input_shape == (None, 64, 64, 1)


def test_efficientnet_bad_coefficients():
    with pytest.raises(ValueError, match="depth_coefficient must be a positive number"):
        mobilecnn.build("efficientnet-b0", depth_coefficient=0)
    with pytest.raises(ValueError, match="phi must be a number >= 0"):
        mobilecnn.build("efficientnet-b0", phi=-1)


def test_name_option_names_the_model():
    """The registry name is positional-only, so ``name=`` is free to name the Keras model."""
    assert mobilecnn.build("lenet-5", name="digits").name == "digits"
