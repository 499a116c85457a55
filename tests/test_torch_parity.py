"""Our models with torchvision's and timm's weights compute what torchvision's and timm's models compute.

For each family: the reference model, randomly initialised with batch-norm statistics measured on random
images (:func:`torch_reference.randomized`), is saved with ``torch.save`` (timm's as ``.safetensors``, the
format timm publishes); ``mobilecnn.build(name, weights=FILE)`` reads it with our restricted unpickler,
recognises its source and applies that source's conventions (padding, batch-norm epsilon, preprocessing);
then both models classify the same [0, 255] images. In float64 the logits agree to 1e-6 of their largest
value at an even input size (where TensorFlow's and PyTorch's padding differ) and an odd one; a float32
build agrees to 1e-4. Nothing is downloaded.

The float64 comparison runs under :func:`torch_reference.exact_rescaling`: Keras' ``Rescaling`` casts its
constants through float32 even in a float64 model (1/6 in hard-sigmoid, the normalization's 1/(255 std)),
which alone puts MobileNet V3 1.1e-6 and EfficientNet-B0 1e-5 off in float64 (measured; 1e-14 with exact
constants). In float32, what users run, the constants are float32 either way, and that check runs unpatched.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import pytest
import torch_reference as ref
from conftest import assert_close, float64

import mobilecnn

IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class Case:
    name: str                     # ours
    reference: str                # torchvision.models.<reference>() or timm.create_model(<reference>)
    sizes: tuple[int, int] = (32, 33)   # even (TensorFlow and PyTorch pad strided layers differently), odd
    options: tuple = ()           # our build options
    source: str = "torchvision"
    kwargs: tuple = ()            # the reference constructor's
    slow: bool = False
    float32: bool = True          # False: the random net is too ill-conditioned for a float32 comparison

    def __str__(self) -> str:
        return self.name + "".join(f"-{v}" for _, v in self.options)


CASES = [
    Case("alexnet-torchvision", "alexnet", (224, 225), slow=True),
    Case("vgg-11", "vgg11", (224, 225), slow=True),
    Case("vgg-11-bn", "vgg11_bn", (224, 225), slow=True),
    Case("vgg-16", "vgg16", (224, 225), slow=True),
    Case("vgg-19-bn", "vgg19_bn", (224, 225), slow=True),
    # transform_input: torchvision's GoogLeNet weights take ImageNet-normalized input and re-normalize it to
    # (x - 0.5) / 0.5 inside the model, as they were trained; the weights' row says so for ours.
    Case("googlenet-bn", "googlenet", kwargs=(("aux_logits", False), ("init_weights", True),
                                                     ("transform_input", True))),
    Case("resnet-18", "resnet18"),
    Case("resnet-50", "resnet50", slow=True),
    Case("resnet-34", "resnet34", slow=True),
    Case("resnet-101", "resnet101", slow=True),
    Case("resnet-152", "resnet152", slow=True),
    Case("resnext-50-32x4d", "resnext50_32x4d", slow=True),
    Case("resnext-101-32x8d", "resnext101_32x8d", slow=True),
    Case("wide-resnet-50-2", "wide_resnet50_2", slow=True),
    Case("wide-resnet-101-2", "wide_resnet101_2", slow=True),
    Case("densenet-121", "densenet121", slow=True),
    Case("densenet-169", "densenet169", slow=True),
    Case("densenet-201", "densenet201", slow=True),
    Case("squeezenet-1.0", "squeezenet1_0", slow=True),
    Case("squeezenet-1.1", "squeezenet1_1"),
    Case("shufflenet-v2", "shufflenet_v2_x1_0", slow=True),
    Case("shufflenet-v2", "shufflenet_v2_x0_5", options=(("width_multiplier", 0.5),)),
    Case("shufflenet-v2", "shufflenet_v2_x1_5", options=(("width_multiplier", 1.5),), slow=True),
    Case("shufflenet-v2", "shufflenet_v2_x2_0", options=(("width_multiplier", 2.0),), slow=True),
    Case("mobilenet-v2", "mobilenet_v2"),
    Case("mobilenet-v3-small", "mobilenet_v3_small"),
    Case("mobilenet-v3-large", "mobilenet_v3_large", slow=True),
    Case("efficientnet-b0", "efficientnet_b0", (64, 65), slow=True),
    # A random B3 is chaotic in float32: PyTorch's own float32 logits are ~1e5 off its float64 ones, as much as
    # they vary between images (measured), so only float64 (exact to 1e-6) is compared.
    Case("efficientnet-b3", "efficientnet_b3", (64, 65), slow=True, float32=False),
    Case("mnasnet-1.0", "mnasnet1_0", slow=True),
    Case("efficientnet-v2-s", "efficientnet_v2_s", (64, 65), slow=True, float32=False),  # as B3
    Case("mnasnet-0.5", "mnasnet0_5", slow=True),
    # timm: the models it is the source for (its .safetensors files)
    Case("mobilenet-v4-conv-small", "mobilenetv4_conv_small", source="timm"),
    Case("mobilenet-v4-conv-medium", "mobilenetv4_conv_medium", source="timm", slow=True),
    Case("mobilenet-v4-hybrid-medium", "mobilenetv4_hybrid_medium", source="timm"),
    Case("mobilenet-v4-conv-large", "mobilenetv4_conv_large", source="timm", slow=True),
    Case("mobilenet-v4-hybrid-large", "mobilenetv4_hybrid_large", source="timm", slow=True),
    Case("efficientnet-lite0", "tf_efficientnet_lite0", source="timm"),
    Case("efficientnet-lite2", "tf_efficientnet_lite2", source="timm", slow=True),
    Case("se-resnet-50", "legacy_seresnet50", source="timm", slow=True),
    Case("se-resnext-50-32x4d", "seresnext50_32x4d", source="timm", slow=True),
]


def reference_model(case: Case, size: int):
    ref.torch().manual_seed(0)
    if case.source == "timm":
        module = ref.timm().create_model(case.reference, pretrained=False, **dict(case.kwargs))
    else:
        module = getattr(ref.torchvision().models, case.reference)(**dict(case.kwargs))
    return ref.randomized(module, size)


def params(cases):
    return [pytest.param(c, id=str(c), marks=[pytest.mark.slow] if c.slow else []) for c in cases]


@pytest.mark.parametrize("case", params(CASES))
def test_torch_weights_compute_what_the_source_computes(case, tmp_path):
    module = reference_model(case, case.sizes[0])
    if case.source == "timm":
        path = ref.save_safetensors(module, tmp_path / f"{case.reference}.safetensors")
        cfg = module.pretrained_cfg
        mean, std = cfg["mean"], cfg["std"]
    else:
        path = ref.save(module, tmp_path / f"{case.reference}.pth")
        mean, std = IMAGENET_MEAN, IMAGENET_STD
    rng = np.random.default_rng(0)
    for size in case.sizes:
        x = rng.uniform(0, 255, (3, size, size, 3))
        expected = ref.forward(module, x, mean, std)
        with float64(), ref.exact_rescaling():
            ours = mobilecnn.build(case.name, weights=path, resolution=size, classifier_activation=None,
                                   **dict(case.options))
            actual = np.asarray(ours(x, training=False))
        scale = float(np.abs(expected).max())
        assert_close(actual, expected, atol=1e-6 * scale, err_msg=f"{case} at {size}x{size}, float64")
    if not case.float32:
        return
    ours32 = mobilecnn.build(case.name, weights=path, resolution=size, classifier_activation=None,
                             **dict(case.options))
    actual32 = np.asarray(ours32(x.astype("float32"), training=False))
    # The reference's own float32 run, against its float64 one: a random EfficientNet's logits reach 1e3 and
    # PyTorch's float32 is then 1.2e-4 of them off its float64 (measured), so ours is held to 1e-4 or to 3x
    # what float32 costs the source itself, whichever is larger.
    own = float(np.abs(ref.forward(copy.deepcopy(module).float(), x, mean, std, dtype="float32") - expected).max())
    assert_close(actual32, expected, atol=max(1e-4 * scale, 3 * own),
                 err_msg=f"{case} at {size}x{size}, float32 (PyTorch's own float32 error {own:.3g})")


def test_the_conventions_follow_the_model_into_its_tf_keras_twin(tmp_path):
    """QAT rebuilds the model in tf_keras without its weights: the conventions the weights brought (symmetric
    padding, epsilon 1e-5, ImageNet mean/std) are recorded in the build options, so the twin computes as the
    model does once it has the same weights."""
    case = Case("mobilenet-v2", "mobilenet_v2")
    module = reference_model(case, 64)
    path = ref.save(module, tmp_path / "mobilenet_v2.pth")
    ours = mobilecnn.build("mobilenet-v2", weights=path, resolution=64)
    twin = mobilecnn.build_record(ours).rebuild(flavour="tf_keras", weights=None)
    twin.set_weights(ours.get_weights())
    pads = [layer.name for layer in twin.layers if type(layer).__name__ == "ZeroPadding2D"]
    assert len(pads) == 5 and all(layer.epsilon == 1e-5 for layer in twin.layers
                                  if type(layer).__name__ == "BatchNormalization")
    x = np.random.default_rng(0).uniform(0, 255, (3, 64, 64, 3)).astype("float32")
    expected = np.asarray(ours(x, training=False))
    assert_close(np.asarray(twin(x, training=False)), expected, atol=1e-5 * float(np.abs(expected).max()))
    plain = mobilecnn.build("mobilenet-v2", resolution=64, flavour="tf_keras")  # keras' conventions
    plain.set_weights(ours.get_weights())
    assert not np.allclose(np.asarray(plain(x, training=False)), expected, atol=1e-3)
