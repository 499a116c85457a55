"""SqueezeNet 1.0 and 1.1: feature-map sizes as Caffe and torchvision pool, parameters and
multiply-adds against torchvision, the simple-bypass variant, and the smallest input.

Registry-wide checks (default build, save/reload in safe mode, tf_keras twin) are in test_zoo.py.
"""

from __future__ import annotations

import dataclasses
import math

import keras
import numpy as np
import pytest
from conftest import assert_close, images, run

import mobilecnn
from mobilecnn import builder, registry
from mobilecnn.families import squeezenet

# torchvision SqueezeNet1_0_Weights / SqueezeNet1_1_Weights meta: num_params, and _ops (GFLOPS: multiply-adds).
TORCHVISION = {"squeezenet-1.0": (1_248_424, 0.819e9), "squeezenet-1.1": (1_235_496, 0.349e9)}
POOLS = {"squeezenet-1.0": ("pool1", "pool4", "pool8"), "squeezenet-1.1": ("pool1", "pool3", "pool5")}
CONV1 = {"squeezenet-1.0": 7, "squeezenet-1.1": 3}
TORCHVISION_MIN_SIZE = {"squeezenet-1.0": 21, "squeezenet-1.1": 17}  # the weights' meta["min_size"]


def caffe_sizes(name: str, size: int) -> list[int]:
    """Map sizes after conv1 and each pooling: unpadded stride-2 conv1, then 3x3 stride-2 max pooling
    with Caffe's (torchvision's ceil_mode=True) rounding, ceil((n - 3) / 2) + 1."""
    n = (size - CONV1[name]) // 2 + 1
    sizes = [n]
    for _ in POOLS[name]:
        n = math.ceil((n - 3) / 2) + 1
        sizes.append(n)
    return sizes


@pytest.mark.parametrize("name", sorted(TORCHVISION))
def test_params_and_macs_equal_torchvision(models, name):
    params, macs = TORCHVISION[name]
    prof = mobilecnn.profile(models.get(name))
    assert prof.params == prof.trainable_params == params
    assert prof.macs == pytest.approx(macs, rel=0.02)
    bypass = mobilecnn.build(name, simple_bypass=True)
    assert mobilecnn.profile(bypass).params == params  # Table 4: the simple bypass adds no parameters


@pytest.mark.parametrize("name", sorted(TORCHVISION))
@pytest.mark.parametrize("size", [224, 227])  # torchvision's crop; Caffe's
def test_feature_maps_pool_as_caffe(name, size):
    model = mobilecnn.build(name, resolution=size, include_top=False)
    got = [model.get_layer(n).output.shape[1] for n in ("conv1", *POOLS[name])]
    assert got == caffe_sizes(name, size)
    assert [model.get_layer(n).output.shape[2] for n in ("conv1", *POOLS[name])] == got


@pytest.mark.parametrize("name", sorted(TORCHVISION))
def test_output_shape_at_224_and_at_the_smallest_input(models, name):
    assert run(models.get(name), images(1, 224)).shape == (1, 1000)
    low = registry.get(name).min_resolution
    assert low == TORCHVISION_MIN_SIZE[name]
    assert caffe_sizes(name, low)[-1] == 1 and caffe_sizes(name, low - 1)[-1] == 0
    model = mobilecnn.build(name, resolution=low)
    assert run(model, images(1, low)).shape == (1, 1000)
    # One pixel less and the last pooling has no window left: the minimum is tight.
    net, family, _ = builder.resolve(registry.get(name), {"resolution": low})
    smaller = dataclasses.replace(net, input_shape=(low - 1, low - 1, 3))
    with pytest.raises(ValueError, match="pool"):
        squeezenet.build_squeezenet(smaller, **family, **registry.get(name).fixed)
    with pytest.raises(ValueError, match=f"at least {low}x{low}"):
        mobilecnn.build(name, resolution=low - 1)


@pytest.mark.parametrize("name", sorted(TORCHVISION))
def test_simple_bypass_adds_the_input_of_fire_3_5_7_9(name):
    """Iandola et al. 2016, sec. 6 and Table 4: bypass around Fire modules 3, 5, 7 and 9."""
    plain = mobilecnn.build(name, resolution=64, num_classes=4)
    model = mobilecnn.build(name, resolution=64, num_classes=4, simple_bypass=True)
    adds = sorted(layer.name for layer in model.layers if type(layer).__name__ == "Add")
    assert adds == ["fire3_bypass", "fire5_bypass", "fire7_bypass", "fire9_bypass"]
    assert not any(type(layer).__name__ == "Add" for layer in plain.layers)
    model.set_weights(plain.get_weights())  # same weights layout
    fire9_input = model.get_layer("fire9_squeeze1x1").input
    probe = keras.Model(model.input, [fire9_input, model.get_layer("fire9_concat").output,
                                      model.get_layer("fire9_bypass").output])
    x_in, fire, out = (np.asarray(t) for t in probe(images(2, 64)))
    assert_close(out, x_in + fire, rtol=1e-6)
    assert not np.allclose(run(model, images(1, 64)), run(plain, images(1, 64)))


def test_bypass_variant_has_a_tf_keras_twin():
    """Same layer names, and the same logits (float32 rounding: 1e-4 relative, 1e-5 absolute) on logits that vary
    between the images by more than 100x that."""
    options = {"resolution": 64, "num_classes": 5, "simple_bypass": True, "classifier_activation": None}
    a = mobilecnn.build("squeezenet-1.1", **options)
    b = mobilecnn.build("squeezenet-1.1", **options, flavour="tf_keras")
    assert [layer.name for layer in a.layers] == [layer.name for layer in b.layers]
    b.set_weights(a.get_weights())
    x = images(3, 64)
    assert_close(run(b, x), run(a, x), rtol=1e-4, atol=1e-5)


def test_options_are_checked():
    with pytest.raises(ValueError, match="simple_bypass must be True or False"):
        mobilecnn.build("squeezenet-1.0", simple_bypass="yes")
    with pytest.raises(ValueError, match="does not take option"):
        mobilecnn.build("squeezenet-1.0", width_multiplier=0.5)


def test_the_zoo_lists_the_issue_3_models():
    assert {"shufflenet-v1", "shufflenet-v2", "squeezenet-1.0", "squeezenet-1.1"} <= set(mobilecnn.list_models())
    assert mobilecnn.list_models("squeezenet*") == ["squeezenet-1.0", "squeezenet-1.1"]
    assert registry.get("SqueezeNet1_1").name == "squeezenet-1.1"
