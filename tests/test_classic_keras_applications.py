"""VGG16/19, ResNet50/101/152 and DenseNet121/169/201: same outputs as keras.applications after weight transfer.

keras.applications' VGG and ResNet weights take BGR images less the Caffe mean
(``preprocess_input`` "caffe" mode) and its ResNets put biases on convolutions
that precede batch norm; our models take [0, 255] RGB and have no such biases.
``copy_weights`` reverses the first convolution's input channels and folds the
biases into the batch norms, so our model on RGB pixels must equal
keras.applications on its own preprocessing of the same pixels. The reference
gets random biases and batch-norm statistics measured on the images, so every
rule is exercised and activations keep a realistic scale.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from conftest import assert_close, float64, images, run

import mobilecnn
from mobilecnn import registry

PREPROCESS = {
    "VGG16": keras.applications.vgg16.preprocess_input,
    "VGG19": keras.applications.vgg19.preprocess_input,
    "ResNet50": keras.applications.resnet.preprocess_input,
    "ResNet101": keras.applications.resnet.preprocess_input,
    "ResNet152": keras.applications.resnet.preprocess_input,
    "DenseNet121": keras.applications.densenet.preprocess_input,
    "DenseNet169": keras.applications.densenet.preprocess_input,
    "DenseNet201": keras.applications.densenet.preprocess_input,
}


# float32 rounding of the reordered sums, relative to the largest logit (the float64 parity test shows ~1e-12)
FLOAT32_NOISE = 1e-4


def randomize(model, calibration: np.ndarray, seed: int = 1) -> None:
    """Random convolution biases and batch-norm scales/offsets; batch-norm statistics measured on ``calibration``."""
    rng = np.random.default_rng(seed)
    norms = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Conv2D" and layer.use_bias:
            kernel, bias = layer.get_weights()
            layer.set_weights([kernel, rng.normal(0, 0.5, bias.shape).astype("float32")])
        elif kind == "BatchNormalization":
            gamma, beta, mean, var = layer.get_weights()
            layer.set_weights([rng.uniform(0.5, 1.5, gamma.shape), rng.normal(0, 0.2, beta.shape), mean, var])
            norms.append(layer)
    for layer in norms:  # one training-mode pass with momentum 0 stores each layer's batch statistics
        layer.momentum = 0.0
    model(calibration, training=True)
    for layer in norms:
        layer.momentum = 0.99


def check_parity(name: str, resolution: int) -> float:
    """Compare in float64: folding a bias into batch norm reorders float sums, and in float32 that rounding
    alone, carried through 50 layers, reaches 3e-4 on logits of size 5; in float64 it is ~1e-12."""
    with float64():
        return _parity(name, resolution)


def _parity(name: str, resolution: int) -> float:
    entry = registry.get(name)
    preprocess = PREPROCESS[entry.keras_application]
    ref = mobilecnn.keras_application(name, resolution=resolution, classifier_activation=None)
    randomize(ref, preprocess(images(4, resolution, seed=5).astype("float64")))
    ours = mobilecnn.build(name, resolution=resolution, classifier_activation=None, **entry.keras_application_options)
    mobilecnn.copy_weights(ref, ours)
    x = images(3, resolution, seed=2).astype("float64")
    a, b = run(ours, x), run(ref, preprocess(x.copy()))
    assert_close(a, b, atol=1e-4)  # on logits that vary between the images by more than 100x the tolerance
    return float(np.abs(a - b).max())


@pytest.mark.parametrize("name, resolution", [("vgg-16", 64), pytest.param("vgg-19", 64, marks=pytest.mark.slow),
                                              ("resnet-50", 64), ("densenet-121", 64)])
def test_outputs_equal_keras_applications(name, resolution):
    check_parity(name, resolution)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["resnet-101", "resnet-152", "densenet-169", "densenet-201", "vgg-16",
                                  "resnet-50", "densenet-121"])
def test_outputs_equal_keras_applications_at_224(name):
    check_parity(name, 224)


def test_each_convention_matters():
    """Without the BGR flip or the bias folding, outputs differ: the parity test can fail."""
    entry = registry.get("resnet-50")
    ref = mobilecnn.keras_application("resnet-50", resolution=32, classifier_activation=None)
    randomize(ref, keras.applications.resnet.preprocess_input(images(4, 32, seed=5)))
    x = images(3, 32, seed=2)
    expected = run(ref, keras.applications.resnet.preprocess_input(x.copy()))
    ours = mobilecnn.build("resnet-50", resolution=32, classifier_activation=None, stride_in_1x1=True,
                           name="renamed")   # not a registry name: no entry, so no BGR flip
    mobilecnn.copy_weights(ref, ours)
    assert np.abs(run(ours, x) - expected).max() > 1e-2
    mobilecnn.copy_weights(ref, ours, "resnet-50")
    assert_close(run(ours, x), expected, atol=FLOAT32_NOISE * np.abs(expected).max())
    # Dropping the biases instead of folding them changes the outputs.
    folded = {layer.name: layer.get_weights() for layer in ours.layers if type(layer).__name__ == "BatchNormalization"}
    for layer in ours.layers:
        if layer.name in folded:
            gamma, beta, _, var = folded[layer.name]
            layer.set_weights([gamma, beta, ref.get_layer(layer.name).get_weights()[2], var])
    assert np.abs(run(ours, x) - expected).max() > 1e-2
    assert entry.keras_application_options == {"stride_in_1x1": True}


def test_keras_applications_h5_file_loads_into_resnet50(tmp_path):
    """A Keras 2 .h5 weights file (the format of keras.applications' ImageNet files) folds and flips too."""
    import tf_keras

    ref = tf_keras.applications.ResNet50(weights=None, input_shape=(32, 32, 3), classifier_activation=None)
    randomize(ref, tf_keras.applications.resnet.preprocess_input(images(4, 32, seed=5)))
    path = tmp_path / "resnet50.h5"
    ref.save_weights(str(path))
    ours = mobilecnn.build("resnet-50", resolution=32, classifier_activation=None, stride_in_1x1=True,
                           weights=str(path))
    x = images(3, 32, seed=2)
    expected = run(ref, tf_keras.applications.resnet.preprocess_input(x.copy()))
    assert_close(run(ours, x), expected, atol=FLOAT32_NOISE * np.abs(expected).max())
    with pytest.raises(ValueError, match="stride_in_1x1=True"):
        mobilecnn.build("resnet-50", resolution=32, weights=str(path))


def test_keras_application_knows_the_needed_option():
    assert mobilecnn.keras_application("resnet-50", resolution=32, stride_in_1x1=True).name == "resnet50"
    with pytest.raises(ValueError, match="stride_in_1x1=True"):
        mobilecnn.keras_application("resnet-50", resolution=32, stride_in_1x1=False)
