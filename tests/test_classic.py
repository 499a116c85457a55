"""The classic nets (issue 4): the parts the registry-wide tests do not see.

Published parameter counts at the class counts they were published for,
options (AlexNet's towers, ResNet's stride placement, GoogLeNet's auxiliary
heads, WRN dropout), the shapes the papers give, the residual block's options,
and local response normalization against the paper's formula.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from conftest import assert_close, assert_same, images, run

import mobilecnn
from mobilecnn import registry
from mobilecnn.blocks.classic import LRN, local_response_norm, pool
from mobilecnn.blocks.core import BatchNorm
from mobilecnn.blocks.residual import residual_block
from mobilecnn.flavours import keras_module

CLASSIC = [n for n in mobilecnn.list_models() if registry.get(n).family in {
    "lenet", "alexnet", "vgg", "googlenet", "nin", "resnet", "wide-resnet", "resnext", "se-resnet",
    "wide-resnet-cifar", "densenet"}]


def test_every_classic_net_of_the_issue_is_registered():
    expected = {"lenet-5", "alexnet", "zfnet", "googlenet", "nin", "wide-resnet-50-2", "wide-resnet-101-2",
                "resnext-50-32x4d", "resnext-101-32x8d", "wide-resnet-28-10",
                *(f"vgg-{d}{bn}" for d in (11, 13, 16, 19) for bn in ("", "-bn")),
                *(f"resnet-{d}" for d in (18, 34, 50, 101, 152)),
                *(f"se-resnet-{d}" for d in (50, 101, 152)), *(f"densenet-{d}" for d in (121, 169, 201))}
    assert expected <= set(CLASSIC)
    for alias, name in [("ResNet50", "resnet-50"), ("vgg16_bn", "vgg-16-bn"), ("DenseNet121", "densenet-121"),
                        ("resnext50_32x4d", "resnext-50-32x4d"), ("LeNet5", "lenet-5")]:
        assert registry.get(alias).name == name


@pytest.mark.parametrize("name", CLASSIC)
def test_reference_splits_trainable_from_statistics(name):
    """Every classic reference states its trainable count; the rest are batch-norm statistics (2 per channel)."""
    ref = registry.get(name).reference
    assert ref.trainable is not None and 0 <= ref.params - ref.trainable
    assert (ref.params - ref.trainable) % 2 == 0


def _params(model) -> tuple[int, int]:
    prof = mobilecnn.profile(model)
    return prof.trainable_params, prof.non_trainable_params


def test_lenet5_has_61706_parameters_for_ten_digits():
    # LeCun et al. 1998, Fig. 2 as usually reconstructed: 156 + 2,416 + 48,120 + 10,164 + 850.
    model = mobilecnn.build("lenet-5", num_classes=10)
    assert model.input_shape == (None, 32, 32, 1) and model.output_shape == (None, 10)
    assert _params(model) == (61_706, 0)
    assert _sizes(model, ("c1", "s2", "c3", "s4")) == [28, 14, 10, 5]
    relu = mobilecnn.build("lenet-5", num_classes=10, activation="relu")
    assert "c1_relu" in [layer.name for layer in relu.layers]
    with pytest.raises(ValueError, match="activation must be one of"):
        mobilecnn.build("lenet-5", activation="softplus")


def test_alexnet_towers():
    # Krizhevsky et al. 2012: conv2/4/5 split over two GPUs (60,965,224, Caffe bvlc_alexnet); densely connected
    # 62,378,344 (osmr/imgclsmob alexnet).
    model = mobilecnn.build("alexnet", groups=1)
    assert _params(model) == (62_378_344, 0)
    grouped = {layer.name: layer.groups for layer in mobilecnn.build("alexnet").layers
               if type(layer).__name__ == "Conv2D"}
    assert grouped == {"conv1": 1, "conv2": 2, "conv3": 1, "conv4": 2, "conv5": 2}
    with pytest.raises(ValueError, match="groups must be 1 or 2"):
        mobilecnn.build("alexnet", groups=3)
    with pytest.raises(ValueError, match="does not take option"):
        mobilecnn.build("zfnet", groups=2)


def _sizes(model, names):
    layers = {layer.name: layer for layer in model.layers}
    return [layers[n].output.shape[1] for n in names]


@pytest.mark.parametrize("name, layers, sizes", [
    # Krizhevsky et al. 2012, Fig. 2 (227 input): 55, 27, 27, 13, 13, 13, 6
    ("alexnet", ("conv1", "pool1", "conv2", "pool2", "conv5", "pool5"), (55, 27, 27, 13, 13, 6)),
    # Zeiler & Fergus 2013, Fig. 3: 110, 55, 26, 13, 13, 6
    ("zfnet", ("conv1", "pool1", "conv2", "pool2", "conv5", "pool5"), (110, 55, 26, 13, 13, 6)),
    # torchvision AlexNet: 55, 27, 27, 13, 6
    ("alexnet-torchvision", ("conv1", "pool1", "conv2", "pool2", "pool5"), (55, 27, 27, 13, 6)),
    # Szegedy et al. 2014, Table 1: 112, 56, 56, 28, 28, 14, 14, 7, 7
    ("googlenet", ("conv1", "pool1", "conv2", "pool2", "inception_3b_output", "pool3", "inception_4e_output",
                   "pool4", "inception_5b_output"), (112, 56, 56, 28, 28, 14, 14, 7, 7)),
    ("googlenet-bn", ("conv1", "pool1", "pool2", "pool3", "pool4"), (112, 56, 28, 14, 7)),
    # The Caffe NIN ImageNet model: 54, 27, 27, 13, 13, 6
    ("nin", ("conv1", "pool1", "conv2", "pool2", "conv3", "pool3"), (54, 27, 27, 13, 13, 6)),
    ("nin-cifar", ("conv1", "pool1", "pool2", "conv3"), (32, 16, 8, 8)),
])
def test_feature_map_sizes_follow_the_papers(name, layers, sizes):
    model = mobilecnn.build(name, include_top=False)
    assert tuple(_sizes(model, layers)) == sizes


@pytest.mark.parametrize("name", ["alexnet", "zfnet", "alexnet-torchvision", "nin", "nin-cifar", "googlenet",
                                  "lenet-5"])
def test_smallest_resolution_runs(name):
    entry = registry.get(name)
    res = entry.min_resolution
    model = mobilecnn.build(name, resolution=res, num_classes=3)
    assert run(model, images(1, res, entry.channels)).shape == (1, 3)


def test_ceil_mode_pooling_of_a_non_square_map():
    inputs = keras.Input((13, 14, 2))
    y = pool(inputs, "max", 3, 2, ceil_mode=True, name="p")     # Caffe: 6 x 7
    assert tuple(y.shape[1:3]) == (6, 7)
    x = np.random.default_rng(0).uniform(0, 1, (1, 13, 14, 2)).astype("float32")
    out = np.asarray(keras.Model(inputs, y)(x))
    assert out[0, 5, 6, 0] == x[0, 10:13, 12:14, 0].max()         # the overhanging window
    with pytest.raises(ValueError, match="average pooling"):
        pool(inputs, "avg", 3, 2, ceil_mode=True, name="q")


def test_nin_cifar_and_wrn_at_ten_classes():
    # osmr/imgclsmob nin_cifar10: 966,986; wrn28_10_cifar10: 36,479,194 (Zagoruyko & Komodakis 2016: 36.5M).
    assert _params(mobilecnn.build("nin-cifar", num_classes=10)) == (966_986, 0)
    wrn = mobilecnn.build("wide-resnet-28-10", num_classes=10)
    assert wrn.input_shape == (None, 32, 32, 3)
    assert _params(wrn) == (36_479_194, 17_952)
    names = [layer.name for layer in wrn.layers]
    assert "conv2_block1_preact_bn" in names and "conv2_block1_0_conv" in names  # 16 -> 160: projection
    assert "conv2_block2_0_conv" not in names and "conv2_block1_dropout" not in names
    dropped = mobilecnn.build("wide-resnet-28-10", resolution=8, block_dropout=0.3)
    assert sum(type(layer).__name__ == "Dropout" for layer in dropped.layers) == 12
    with pytest.raises(ValueError, match="block_dropout"):
        mobilecnn.build("wide-resnet-28-10", block_dropout=1.0)


def test_resnet50_stride_placement():
    """v1.5 (stride on the 3x3, torchvision) and v1 (stride on the 1x1, keras.applications): same weights."""
    v15, v1 = mobilecnn.build("resnet-50"), mobilecnn.build("resnet-50", stride_in_1x1=True)
    layers15, layers1 = {layer.name: layer for layer in v15.layers}, {layer.name: layer for layer in v1.layers}
    assert layers15["conv3_block1_1_conv"].strides == (1, 1) and layers15["conv3_block1_2_conv"].strides == (2, 2)
    assert layers1["conv3_block1_1_conv"].strides == (2, 2) and layers1["conv3_block1_2_conv"].strides == (1, 1)
    assert [w.shape for w in v15.weights] == [w.shape for w in v1.weights]
    # Hu et al. 2017, Table 2: ResNet-50 (stride on the 1x1) 3.86 GFLOPs; torchvision's v1.5: 4.089.
    assert mobilecnn.profile(v1).macs == pytest.approx(3.86e9, rel=0.01)
    with pytest.raises(ValueError, match="stride_in_1x1 must be True or False"):
        mobilecnn.build("resnet-18", stride_in_1x1="yes")


def test_one_residual_block_makes_resnext_wide_and_se_variants():
    layers = {name: {layer.name: layer for layer in mobilecnn.build(name, resolution=32).layers}
              for name in ("resnext-50-32x4d", "wide-resnet-50-2", "se-resnet-50", "resnet-50")}
    assert layers["resnext-50-32x4d"]["conv2_block1_2_conv"].groups == 32
    assert layers["resnext-50-32x4d"]["conv2_block1_2_conv"].filters == 128       # 32 x 4d
    assert layers["wide-resnet-50-2"]["conv2_block1_2_conv"].filters == 128       # twice 64
    assert layers["wide-resnet-50-2"]["conv5_block3_3_conv"].filters == 2048      # outer widths unchanged
    se = layers["se-resnet-50"]
    assert se["conv5_block3_se_reduce"].filters == 2048 // 16 and se["conv5_block3_se_expand"].filters == 2048
    assert se["conv3_block1_1_conv"].strides == (2, 2)                            # Hu et al.'s Caffe layout
    assert not any("se_" in n for n in layers["resnet-50"])
    assert not any(layer.use_bias for layer in layers["resnet-50"].values()
                   if type(layer).__name__ == "Conv2D")                           # torchvision's counts


def test_residual_block_shortcuts():
    bn = BatchNorm()
    x = keras.Input((8, 8, 16))
    same = residual_block(x, out=16, width=16, stride=1, prefix="a_", bottleneck=False, bn=bn)
    down = residual_block(x, out=32, width=8, stride=2, prefix="b_", bottleneck=True, bn=bn)
    model = keras.Model(x, [same, down])
    names = [layer.name for layer in model.layers]
    assert "a_0_conv" not in names and "b_0_conv" in names and "b_2_pad" in names
    assert tuple(down.shape) == (None, 4, 4, 32)
    # An identity block with zero weights passes relu(x) through.
    for layer in model.layers:
        if layer.name.startswith("a_") and type(layer).__name__ == "Conv2D":
            layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])
    v = np.random.default_rng(0).normal(size=(1, 8, 8, 16)).astype("float32")
    assert_close(np.asarray(model(v)[0]), np.maximum(v, 0), atol=1e-6, min_spread=0)


def test_googlenet_auxiliary_heads():
    model = mobilecnn.build("googlenet-bn", aux_logits=True, classifier_activation=None)
    assert [o.shape for o in model.outputs] == [(None, 1000)] * 3
    assert [layer.name for layer in model.layers if layer.name.endswith("_predictions")] == [
        "aux1_predictions", "aux2_predictions"]
    # torchvision GoogLeNet(aux_logits=True): 6,624,904 + aux1 (512 -> 128 conv, 2048 -> 1024 -> 1000)
    # 3,188,968 + aux2 (528 -> 128) 3,191,016 = 13,004,888 trainable.
    assert mobilecnn.profile(model).trainable_params == 13_004_888
    small = mobilecnn.build("googlenet", aux_logits=True, resolution=96, num_classes=4)
    outs = small(images(2, 96), training=False)
    assert [tuple(o.shape) for o in outs] == [(2, 4)] * 3
    with pytest.raises(ValueError, match="at least 80x80"):
        mobilecnn.build("googlenet", aux_logits=True, resolution=64)
    with pytest.raises(ValueError, match="needs include_top=True"):
        mobilecnn.build("googlenet", aux_logits=True, include_top=False)


def _lrn_reference(a: np.ndarray, n: int, alpha: float, beta: float, k: float) -> np.ndarray:
    """Krizhevsky et al. 2012, sec. 3.3, written out: sum over channels max(0, i - n/2) .. min(N-1, i + n/2)."""
    out = np.empty_like(a)
    channels = a.shape[-1]
    for i in range(channels):
        lo, hi = max(0, i - n // 2), min(channels - 1, i + n // 2)
        out[..., i] = a[..., i] / (k + alpha * (a[..., lo:hi + 1] ** 2).sum(-1)) ** beta
    return out


@pytest.mark.parametrize("flavour", ["keras", "tf_keras"])
@pytest.mark.parametrize("spec", [LRN(), LRN(size=5, alpha=1e-4, beta=0.75, bias=1.0, alpha_over_size=True),
                                  LRN(size=3, alpha=0.5, beta=0.5, bias=1.0)])
def test_local_response_norm_is_the_papers_formula(spec, flavour):
    k = keras_module(flavour)
    x = k.Input((4, 4, 9))
    model = k.Model(x, local_response_norm(x, spec, name="norm"))
    a = np.random.default_rng(1).uniform(0, 30, (2, 4, 4, 9)).astype("float32")
    alpha = spec.alpha / spec.size if spec.alpha_over_size else spec.alpha
    expected = _lrn_reference(a.astype("float64"), spec.size, alpha, spec.beta, spec.bias)
    assert_close(np.asarray(model(a)), expected, rtol=1e-5)
    assert not model.weights


def test_local_response_norm_serializes_and_checks_its_window(tmp_path):
    x = keras.Input((6, 6, 8))
    model = keras.Model(x, local_response_norm(x, LRN(size=3, alpha=0.1, bias=1.5), name="norm"))
    model.save(tmp_path / "lrn.keras")
    loaded = keras.models.load_model(tmp_path / "lrn.keras", safe_mode=True)
    assert loaded.get_layer("norm").get_config()["alpha"] == pytest.approx(0.1)
    v = images(2, 6, 8)
    assert_same(run(loaded, v), run(model, v))
    with pytest.raises(ValueError, match="positive odd integer"):
        local_response_norm(x, LRN(size=4), name="bad")
