"""Where each model's published ImageNet weights are, and the conventions they were trained with.

One row (:class:`Published`) per (model, source). The figures are the sources' own: torchvision's
``Weights`` enums (``url``, ``acc@1``, the SHA-256 prefix in the file name), keras.applications' weight
URLs and hashes, timm's pretrained configs (``hf_hub_id``, mean/std, ``crop_pct``, interpolation) and its
published results. Each row cites where its top-1 comes from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

SOURCES = ("keras.applications", "torchvision", "timm")
LICENCES = {
    "keras.applications": "Apache-2.0 (keras.applications weights)",
    "torchvision": "BSD-3-Clause (torchvision code and weights)",
    "timm": "Apache-2.0 (timm weights)",
}

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# timm's IMAGENET_INCEPTION_MEAN / _STD: (x - 0.5) / 0.5, pixels scaled to [-1, 1].
INCEPTION_MEAN = (0.5, 0.5, 0.5)
INCEPTION_STD = (0.5, 0.5, 0.5)


@dataclass(frozen=True)
class Published:
    """One published weights file for one registered model."""

    model: str                      # our registered name
    source: str                     # one of SOURCES
    source_name: str                # the source's own name for the weights (e.g. "ResNet18_Weights.IMAGENET1K_V1")
    url: str
    digest: str                     # "sha256:<hex>" (a full hash, or torchvision's leading digits) or "md5:<hex>"
    format: str                     # "h5", "pth" or "safetensors"
    top1: float | None              # published ImageNet-1k top-1 (%), at `resolution`
    top1_source: str                # where that figure is published
    resolution: int                 # the evaluation crop size the top-1 holds at
    # Conventions: what the source's model computes with these weights.
    padding: str = "same"           # "same" (TensorFlow: 0 top/left, 1 bottom/right on even inputs) or "symmetric"
    bn_epsilon: float | None = None  # None: the family's own
    mean: tuple[float, ...] | None = IMAGENET_MEAN   # on [0, 1] pixels; None: the family's own preprocessing
    std: tuple[float, ...] | None = IMAGENET_STD
    crop_fraction: float = 0.875
    interpolation: str = "bilinear"
    options: Mapping[str, Any] = field(default_factory=dict)   # build options these weights need
    licence: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))
        if not self.licence:
            object.__setattr__(self, "licence", LICENCES[self.source])

    @property
    def filename(self) -> str:
        return self.url.rstrip("/").rsplit("/", 1)[-1]

    def as_dict(self) -> dict[str, Any]:
        """The row as ``mobilecnn.model_info``, ``mobilecnn info`` and the export sidecar show it."""
        return {"source": self.source, "source_name": self.source_name, "url": self.url,
                "digest": self.digest or None, "format": self.format, "options": dict(self.options),
                "top1": self.top1, "top1_source": self.top1_source, "resolution": self.resolution,
                "licence": self.licence,
                "conventions": {"padding": self.padding, "bn_epsilon": self.bn_epsilon, "mean": self.mean,
                                "std": self.std, "crop_fraction": self.crop_fraction,
                                "interpolation": self.interpolation}}


# Grouped by source, in SOURCES order. Within a source the first row for a (model, options) is its default; across
# sources the first group that has a fitting row wins (weights="imagenet"), so keras.applications' files, which our
# keras-layout families take as they are, come before torchvision's for the models both publish.
PUBLISHED: tuple[Published, ...] = (
    # ------------------------------------------------------------------------------------------------------------
    # keras.applications (Keras 3.15.1, keras/src/applications/*.py): the include_top files, URLs and file_hash
    # values as get_file receives them; a 32-hex file_hash is MD5 (get_file's "auto" algorithm), 64-hex SHA-256.
    # Conventions: our families already use keras.applications' batch-norm epsilons (bn_epsilon=None) and its
    # preprocessing (mean=std=None); resolution is the file's input size; crop 0.875 and bilinear, which Keras
    # does not state. top1: the keras.io/api/applications table (keras-team/keras-io
    # templates/api/applications/index.md), or for MobileNetV3 the table in keras.applications' docstring;
    # MobileNet / MobileNetV2 other than 1.0 at 224 have no published figure.
    # ------------------------------------------------------------------------------------------------------------
    # keras.applications' DenseNet pads explicitly (ZeroPadding2D 3 before the 7x7/2 stem conv, 1 before the
    # 3x3/2 max pool; 1x1 or stride-1 convolutions otherwise): symmetric, not TensorFlow 'same'.
    Published(
        model="densenet-121", source="keras.applications", source_name="DenseNet121",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/densenet"
             "/densenet121_weights_tf_dim_ordering_tf_kernels.h5"),
        digest="md5:9d60b8095a5708f2dcce2bca79d332c7", format="h5", top1=75.0,
        top1_source="keras.io/api/applications table (DenseNet121, ImageNet val, 224x224)", resolution=224,
        padding="symmetric", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear"),
    Published(
        model="densenet-169", source="keras.applications", source_name="DenseNet169",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/densenet"
             "/densenet169_weights_tf_dim_ordering_tf_kernels.h5"),
        digest="md5:d699b8f76981ab1b30698df4c175e90b", format="h5", top1=76.2,
        top1_source="keras.io/api/applications table (DenseNet169, ImageNet val, 224x224)", resolution=224,
        padding="symmetric", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear"),
    Published(
        model="densenet-201", source="keras.applications", source_name="DenseNet201",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/densenet"
             "/densenet201_weights_tf_dim_ordering_tf_kernels.h5"),
        digest="md5:1ceb130c1ea1b78c3bf6114dbdfd8807", format="h5", top1=77.3,
        top1_source="keras.io/api/applications table (DenseNet201, ImageNet val, 224x224)", resolution=224,
        padding="symmetric", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear"),
    Published(
        model="efficientnet-b0", source="keras.applications", source_name="EfficientNetB0",
        url="https://storage.googleapis.com/keras-applications/efficientnetb0.h5",
        digest="md5:902e53a9f72be733fc0bcb005b3ebbac", format="h5", top1=77.1,
        top1_source="keras.io/api/applications table (EfficientNetB0, ImageNet val, 224x224)", resolution=224,
        padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear"),
    Published(
        model="efficientnet-b1", source="keras.applications", source_name="EfficientNetB1",
        url="https://storage.googleapis.com/keras-applications/efficientnetb1.h5",
        digest="md5:1d254153d4ab51201f1646940f018540", format="h5", top1=79.1,
        top1_source="keras.io/api/applications table (EfficientNetB1, ImageNet val, 240x240)", resolution=240,
        padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear"),
    Published(
        model="efficientnet-b2", source="keras.applications", source_name="EfficientNetB2",
        url="https://storage.googleapis.com/keras-applications/efficientnetb2.h5",
        digest="md5:b15cce36ff4dcbd00b6dd88e7857a6ad", format="h5", top1=80.1,
        top1_source="keras.io/api/applications table (EfficientNetB2, ImageNet val, 260x260)", resolution=260,
        padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear"),
    Published(
        model="efficientnet-b3", source="keras.applications", source_name="EfficientNetB3",
        url="https://storage.googleapis.com/keras-applications/efficientnetb3.h5",
        digest="md5:ffd1fdc53d0ce67064dc6a9c7960ede0", format="h5", top1=81.6,
        top1_source="keras.io/api/applications table (EfficientNetB3, ImageNet val, 300x300)", resolution=300,
        padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear"),
    Published(
        model="efficientnet-b4", source="keras.applications", source_name="EfficientNetB4",
        url="https://storage.googleapis.com/keras-applications/efficientnetb4.h5",
        digest="md5:18c95ad55216b8f92d7e70b3a046e2fc", format="h5", top1=82.9,
        top1_source="keras.io/api/applications table (EfficientNetB4, ImageNet val, 380x380)", resolution=380,
        padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear"),
    Published(
        model="efficientnet-b5", source="keras.applications", source_name="EfficientNetB5",
        url="https://storage.googleapis.com/keras-applications/efficientnetb5.h5",
        digest="md5:ace28f2a6363774853a83a0b21b9421a", format="h5", top1=83.6,
        top1_source="keras.io/api/applications table (EfficientNetB5, ImageNet val, 456x456)", resolution=456,
        padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear"),
    Published(
        model="efficientnet-b6", source="keras.applications", source_name="EfficientNetB6",
        url="https://storage.googleapis.com/keras-applications/efficientnetb6.h5",
        digest="md5:165f6e37dce68623721b423839de8be5", format="h5", top1=84.0,
        top1_source="keras.io/api/applications table (EfficientNetB6, ImageNet val, 528x528)", resolution=528,
        padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear"),
    Published(
        model="efficientnet-b7", source="keras.applications", source_name="EfficientNetB7",
        url="https://storage.googleapis.com/keras-applications/efficientnetb7.h5",
        digest="md5:8c03f828fec3ef71311cd463b6759d99", format="h5", top1=84.3,
        top1_source="keras.io/api/applications table (EfficientNetB7, ImageNet val, 600x600)", resolution=600,
        padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear"),
    Published(
        model="efficientnet-v2-b0", source="keras.applications", source_name="EfficientNetV2B0",
        url="https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-b0.h5",
        digest="md5:21ecbf6da12460d5c40bb2f29ceb2188", format="h5", top1=78.7,
        top1_source="keras.io/api/applications table (EfficientNetV2B0, ImageNet val, 224x224)", resolution=224,
        padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear"),
    Published(
        model="efficientnet-v2-b1", source="keras.applications", source_name="EfficientNetV2B1",
        url="https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-b1.h5",
        digest="md5:069f0534ff22adf035c89e2d9547a9dc", format="h5", top1=79.8,
        top1_source="keras.io/api/applications table (EfficientNetV2B1, ImageNet val, 240x240)", resolution=240,
        padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear"),
    Published(
        model="efficientnet-v2-b2", source="keras.applications", source_name="EfficientNetV2B2",
        url="https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-b2.h5",
        digest="md5:424e49f28180edbde1e94797771950a7", format="h5", top1=80.5,
        top1_source="keras.io/api/applications table (EfficientNetV2B2, ImageNet val, 260x260)", resolution=260,
        padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear"),
    Published(
        model="efficientnet-v2-b3", source="keras.applications", source_name="EfficientNetV2B3",
        url="https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-b3.h5",
        digest="md5:1f1fc43bd98a6e4fd8fdfd551e02c7a0", format="h5", top1=82.0,
        top1_source="keras.io/api/applications table (EfficientNetV2B3, ImageNet val, 300x300)", resolution=300,
        padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear"),
    Published(
        model="efficientnet-v2-s", source="keras.applications", source_name="EfficientNetV2S",
        url="https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-s.h5",
        digest="md5:e1d88a8495beba45748fedd0cecbe016", format="h5", top1=83.9,
        top1_source="keras.io/api/applications table (EfficientNetV2S, ImageNet val, 384x384)", resolution=384,
        padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear"),
    Published(
        model="efficientnet-v2-m", source="keras.applications", source_name="EfficientNetV2M",
        url="https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-m.h5",
        digest="md5:a3bf6aa3276309f4fc6a34aa114c95cd", format="h5", top1=85.3,
        top1_source="keras.io/api/applications table (EfficientNetV2M, ImageNet val, 480x480)", resolution=480,
        padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear"),
    Published(
        model="efficientnet-v2-l", source="keras.applications", source_name="EfficientNetV2L",
        url="https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-l.h5",
        digest="md5:27e6d408b53c7ebc868fefa357689935", format="h5", top1=85.7,
        top1_source="keras.io/api/applications table (EfficientNetV2L, ImageNet val, 480x480)", resolution=480,
        padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear"),
    Published(
        model="inception-v3", source="keras.applications", source_name="InceptionV3",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/inception_v3"
             "/inception_v3_weights_tf_dim_ordering_tf_kernels.h5"),
        digest="md5:9a0d58056eeedaa3f26cb7ebd46da564", format="h5", top1=77.9,
        top1_source="keras.io/api/applications table (InceptionV3, ImageNet val, 299x299)", resolution=299,
        padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear"),
    # keras.applications.MobileNet fetches these files without a file_hash: no published digest.
    Published(
        model="mobilenet-v1", source="keras.applications",
        source_name="MobileNet(alpha=0.25, input_shape=(128, 128, 3))",
        url="https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_2_5_128_tf.h5", digest="",
        format="h5", top1=None, top1_source="not published", resolution=128, padding="same", bn_epsilon=None, mean=None,
        std=None, crop_fraction=0.875, interpolation="bilinear", options={"width_multiplier": 0.25, "resolution": 128}),
    Published(
        model="mobilenet-v1", source="keras.applications",
        source_name="MobileNet(alpha=0.25, input_shape=(160, 160, 3))",
        url="https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_2_5_160_tf.h5", digest="",
        format="h5", top1=None, top1_source="not published", resolution=160, padding="same", bn_epsilon=None, mean=None,
        std=None, crop_fraction=0.875, interpolation="bilinear", options={"width_multiplier": 0.25, "resolution": 160}),
    Published(
        model="mobilenet-v1", source="keras.applications",
        source_name="MobileNet(alpha=0.25, input_shape=(192, 192, 3))",
        url="https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_2_5_192_tf.h5", digest="",
        format="h5", top1=None, top1_source="not published", resolution=192, padding="same", bn_epsilon=None, mean=None,
        std=None, crop_fraction=0.875, interpolation="bilinear", options={"width_multiplier": 0.25, "resolution": 192}),
    Published(
        model="mobilenet-v1", source="keras.applications",
        source_name="MobileNet(alpha=0.25, input_shape=(224, 224, 3))",
        url="https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_2_5_224_tf.h5", digest="",
        format="h5", top1=None, top1_source="not published", resolution=224, padding="same", bn_epsilon=None, mean=None,
        std=None, crop_fraction=0.875, interpolation="bilinear", options={"width_multiplier": 0.25, "resolution": 224}),
    Published(
        model="mobilenet-v1", source="keras.applications",
        source_name="MobileNet(alpha=0.5, input_shape=(128, 128, 3))",
        url="https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_5_0_128_tf.h5", digest="",
        format="h5", top1=None, top1_source="not published", resolution=128, padding="same", bn_epsilon=None, mean=None,
        std=None, crop_fraction=0.875, interpolation="bilinear", options={"width_multiplier": 0.5, "resolution": 128}),
    Published(
        model="mobilenet-v1", source="keras.applications",
        source_name="MobileNet(alpha=0.5, input_shape=(160, 160, 3))",
        url="https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_5_0_160_tf.h5", digest="",
        format="h5", top1=None, top1_source="not published", resolution=160, padding="same", bn_epsilon=None, mean=None,
        std=None, crop_fraction=0.875, interpolation="bilinear", options={"width_multiplier": 0.5, "resolution": 160}),
    Published(
        model="mobilenet-v1", source="keras.applications",
        source_name="MobileNet(alpha=0.5, input_shape=(192, 192, 3))",
        url="https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_5_0_192_tf.h5", digest="",
        format="h5", top1=None, top1_source="not published", resolution=192, padding="same", bn_epsilon=None, mean=None,
        std=None, crop_fraction=0.875, interpolation="bilinear", options={"width_multiplier": 0.5, "resolution": 192}),
    Published(
        model="mobilenet-v1", source="keras.applications",
        source_name="MobileNet(alpha=0.5, input_shape=(224, 224, 3))",
        url="https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_5_0_224_tf.h5", digest="",
        format="h5", top1=None, top1_source="not published", resolution=224, padding="same", bn_epsilon=None, mean=None,
        std=None, crop_fraction=0.875, interpolation="bilinear", options={"width_multiplier": 0.5, "resolution": 224}),
    Published(
        model="mobilenet-v1", source="keras.applications",
        source_name="MobileNet(alpha=0.75, input_shape=(128, 128, 3))",
        url="https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_7_5_128_tf.h5", digest="",
        format="h5", top1=None, top1_source="not published", resolution=128, padding="same", bn_epsilon=None, mean=None,
        std=None, crop_fraction=0.875, interpolation="bilinear", options={"width_multiplier": 0.75, "resolution": 128}),
    Published(
        model="mobilenet-v1", source="keras.applications",
        source_name="MobileNet(alpha=0.75, input_shape=(160, 160, 3))",
        url="https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_7_5_160_tf.h5", digest="",
        format="h5", top1=None, top1_source="not published", resolution=160, padding="same", bn_epsilon=None, mean=None,
        std=None, crop_fraction=0.875, interpolation="bilinear", options={"width_multiplier": 0.75, "resolution": 160}),
    Published(
        model="mobilenet-v1", source="keras.applications",
        source_name="MobileNet(alpha=0.75, input_shape=(192, 192, 3))",
        url="https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_7_5_192_tf.h5", digest="",
        format="h5", top1=None, top1_source="not published", resolution=192, padding="same", bn_epsilon=None, mean=None,
        std=None, crop_fraction=0.875, interpolation="bilinear", options={"width_multiplier": 0.75, "resolution": 192}),
    Published(
        model="mobilenet-v1", source="keras.applications",
        source_name="MobileNet(alpha=0.75, input_shape=(224, 224, 3))",
        url="https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_7_5_224_tf.h5", digest="",
        format="h5", top1=None, top1_source="not published", resolution=224, padding="same", bn_epsilon=None, mean=None,
        std=None, crop_fraction=0.875, interpolation="bilinear", options={"width_multiplier": 0.75, "resolution": 224}),
    Published(
        model="mobilenet-v1", source="keras.applications",
        source_name="MobileNet(alpha=1.0, input_shape=(128, 128, 3))",
        url="https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_1_0_128_tf.h5", digest="",
        format="h5", top1=None, top1_source="not published", resolution=128, padding="same", bn_epsilon=None, mean=None,
        std=None, crop_fraction=0.875, interpolation="bilinear", options={"width_multiplier": 1.0, "resolution": 128}),
    Published(
        model="mobilenet-v1", source="keras.applications",
        source_name="MobileNet(alpha=1.0, input_shape=(160, 160, 3))",
        url="https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_1_0_160_tf.h5", digest="",
        format="h5", top1=None, top1_source="not published", resolution=160, padding="same", bn_epsilon=None, mean=None,
        std=None, crop_fraction=0.875, interpolation="bilinear", options={"width_multiplier": 1.0, "resolution": 160}),
    Published(
        model="mobilenet-v1", source="keras.applications",
        source_name="MobileNet(alpha=1.0, input_shape=(192, 192, 3))",
        url="https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_1_0_192_tf.h5", digest="",
        format="h5", top1=None, top1_source="not published", resolution=192, padding="same", bn_epsilon=None, mean=None,
        std=None, crop_fraction=0.875, interpolation="bilinear", options={"width_multiplier": 1.0, "resolution": 192}),
    Published(
        model="mobilenet-v1", source="keras.applications",
        source_name="MobileNet(alpha=1.0, input_shape=(224, 224, 3))",
        url="https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_1_0_224_tf.h5", digest="",
        format="h5", top1=70.4, top1_source="keras.io/api/applications table (MobileNet, ImageNet val, 224x224)",
        resolution=224, padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875,
        interpolation="bilinear", options={"width_multiplier": 1.0, "resolution": 224}),
    # keras.applications.MobileNetV2 fetches these files without a file_hash: no published digest.
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=0.35, input_shape=(96, 96, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=96, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 0.35, "resolution": 96}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=0.35, input_shape=(128, 128, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_128.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=128, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 0.35, "resolution": 128}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=0.35, input_shape=(160, 160, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_160.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=160, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 0.35, "resolution": 160}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=0.35, input_shape=(192, 192, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_192.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=192, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 0.35, "resolution": 192}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=0.35, input_shape=(224, 224, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=224, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 0.35, "resolution": 224}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=0.5, input_shape=(96, 96, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_96.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=96, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 0.5, "resolution": 96}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=0.5, input_shape=(128, 128, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_128.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=128, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 0.5, "resolution": 128}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=0.5, input_shape=(160, 160, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_160.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=160, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 0.5, "resolution": 160}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=0.5, input_shape=(192, 192, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_192.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=192, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 0.5, "resolution": 192}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=0.5, input_shape=(224, 224, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_224.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=224, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 0.5, "resolution": 224}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=0.75, input_shape=(96, 96, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.75_96.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=96, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 0.75, "resolution": 96}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=0.75, input_shape=(128, 128, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.75_128.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=128, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 0.75, "resolution": 128}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=0.75, input_shape=(160, 160, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.75_160.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=160, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 0.75, "resolution": 160}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=0.75, input_shape=(192, 192, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.75_192.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=192, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 0.75, "resolution": 192}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=0.75, input_shape=(224, 224, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.75_224.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=224, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 0.75, "resolution": 224}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=1.0, input_shape=(96, 96, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_96.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=96, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 1.0, "resolution": 96}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=1.0, input_shape=(128, 128, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_128.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=128, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 1.0, "resolution": 128}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=1.0, input_shape=(160, 160, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_160.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=160, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 1.0, "resolution": 160}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=1.0, input_shape=(192, 192, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_192.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=192, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 1.0, "resolution": 192}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=1.0, input_shape=(224, 224, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5"),
        digest="", format="h5", top1=71.3,
        top1_source="keras.io/api/applications table (MobileNetV2, ImageNet val, 224x224)", resolution=224,
        padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 1.0, "resolution": 224}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=1.3, input_shape=(96, 96, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.3_96.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=96, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 1.3, "resolution": 96}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=1.3, input_shape=(128, 128, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.3_128.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=128, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 1.3, "resolution": 128}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=1.3, input_shape=(160, 160, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.3_160.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=160, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 1.3, "resolution": 160}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=1.3, input_shape=(192, 192, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.3_192.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=192, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 1.3, "resolution": 192}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=1.3, input_shape=(224, 224, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.3_224.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=224, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 1.3, "resolution": 224}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=1.4, input_shape=(96, 96, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.4_96.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=96, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 1.4, "resolution": 96}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=1.4, input_shape=(128, 128, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.4_128.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=128, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 1.4, "resolution": 128}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=1.4, input_shape=(160, 160, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.4_160.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=160, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 1.4, "resolution": 160}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=1.4, input_shape=(192, 192, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.4_192.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=192, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 1.4, "resolution": 192}),
    Published(
        model="mobilenet-v2", source="keras.applications",
        source_name="MobileNetV2(alpha=1.4, input_shape=(224, 224, 3))",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2"
             "/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.4_224.h5"),
        digest="", format="h5", top1=None, top1_source="not published", resolution=224, padding="same", bn_epsilon=None,
        mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 1.4, "resolution": 224}),
    Published(
        model="mobilenet-v3-large", source="keras.applications",
        source_name="MobileNetV3Large(alpha=1.0, minimalistic=False)",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3"
             "/weights_mobilenet_v3_large_224_1.0_float.h5"),
        digest="md5:59e551e166be033d707958cf9e29a6a7", format="h5", top1=75.6,
        top1_source="keras.applications MobileNetV3 docstring table (mobilenet_v3_large_1.0_224)", resolution=224,
        padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 1.0, "minimalistic": False}),
    Published(
        model="mobilenet-v3-large", source="keras.applications",
        source_name="MobileNetV3Large(alpha=0.75, minimalistic=False)",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3"
             "/weights_mobilenet_v3_large_224_0.75_float.h5"),
        digest="md5:765b44a33ad4005b3ac83185abf1d0eb", format="h5", top1=73.3,
        top1_source="keras.applications MobileNetV3 docstring table (mobilenet_v3_large_0.75_224)", resolution=224,
        padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 0.75, "minimalistic": False}),
    Published(
        model="mobilenet-v3-large", source="keras.applications",
        source_name="MobileNetV3Large(alpha=1.0, minimalistic=True)",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3"
             "/weights_mobilenet_v3_large_minimalistic_224_1.0_float.h5"),
        digest="md5:675e7b876c45c57e9e63e6d90a36599c", format="h5", top1=72.3,
        top1_source="keras.applications MobileNetV3 docstring table (mobilenet_v3_large_minimalistic_1.0_224)",
        resolution=224, padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875,
        interpolation="bilinear", options={"width_multiplier": 1.0, "minimalistic": True}),
    Published(
        model="mobilenet-v3-small", source="keras.applications",
        source_name="MobileNetV3Small(alpha=1.0, minimalistic=False)",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3"
             "/weights_mobilenet_v3_small_224_1.0_float.h5"),
        digest="md5:8768d4c2e7dee89b9d02b2d03d65d862", format="h5", top1=68.1,
        top1_source="keras.applications MobileNetV3 docstring table (mobilenet_v3_small_1.0_224)", resolution=224,
        padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 1.0, "minimalistic": False}),
    Published(
        model="mobilenet-v3-small", source="keras.applications",
        source_name="MobileNetV3Small(alpha=0.75, minimalistic=False)",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3"
             "/weights_mobilenet_v3_small_224_0.75_float.h5"),
        digest="md5:cb65d4e5be93758266aa0a7f2c6708b7", format="h5", top1=65.4,
        top1_source="keras.applications MobileNetV3 docstring table (mobilenet_v3_small_0.75_224)", resolution=224,
        padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"width_multiplier": 0.75, "minimalistic": False}),
    Published(
        model="mobilenet-v3-small", source="keras.applications",
        source_name="MobileNetV3Small(alpha=1.0, minimalistic=True)",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3"
             "/weights_mobilenet_v3_small_minimalistic_224_1.0_float.h5"),
        digest="md5:99cd97fb2fcdad2bf028eb838de69e37", format="h5", top1=61.9,
        top1_source="keras.applications MobileNetV3 docstring table (mobilenet_v3_small_minimalistic_1.0_224)",
        resolution=224, padding="same", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875,
        interpolation="bilinear", options={"width_multiplier": 1.0, "minimalistic": True}),
    # keras.applications' ResNet pads explicitly (ZeroPadding2D 3 before the 7x7/2 stem conv, 1 before the
    # 3x3/2 max pool; 1x1 or stride-1 convolutions otherwise): symmetric, not TensorFlow 'same'.
    # keras.applications' ResNets give their convolutions biases (ours have none): 25,583,592 trainable
    # against our 25,557,032; the biases fold into the batch norms that follow (mobilecnn.keras_applications does).
    Published(
        model="resnet-50", source="keras.applications", source_name="ResNet50",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/resnet"
             "/resnet50_weights_tf_dim_ordering_tf_kernels.h5"),
        digest="md5:2cb95161c43110f7111970584f804107", format="h5", top1=74.9,
        top1_source="keras.io/api/applications table (ResNet50, ImageNet val, 224x224)", resolution=224,
        padding="symmetric", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"stride_in_1x1": True}),
    # keras.applications' ResNets give their convolutions biases (ours have none): 44,601,832 trainable
    # against our 44,549,160; the biases fold into the batch norms that follow (mobilecnn.keras_applications does).
    Published(
        model="resnet-101", source="keras.applications", source_name="ResNet101",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/resnet"
             "/resnet101_weights_tf_dim_ordering_tf_kernels.h5"),
        digest="md5:f1aeb4b969a6efcfb50fad2f0c20cfc5", format="h5", top1=76.4,
        top1_source="keras.io/api/applications table (ResNet101, ImageNet val, 224x224)", resolution=224,
        padding="symmetric", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"stride_in_1x1": True}),
    # keras.applications' ResNets give their convolutions biases (ours have none): 60,268,520 trainable
    # against our 60,192,808; the biases fold into the batch norms that follow (mobilecnn.keras_applications does).
    Published(
        model="resnet-152", source="keras.applications", source_name="ResNet152",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/resnet"
             "/resnet152_weights_tf_dim_ordering_tf_kernels.h5"),
        digest="md5:100835be76be38e30d865e96f2aaae62", format="h5", top1=76.6,
        top1_source="keras.io/api/applications table (ResNet152, ImageNet val, 224x224)", resolution=224,
        padding="symmetric", bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear",
        options={"stride_in_1x1": True}),
    Published(
        model="vgg-16", source="keras.applications", source_name="VGG16",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/vgg16"
             "/vgg16_weights_tf_dim_ordering_tf_kernels.h5"),
        digest="md5:64373286793e3c8b2b4e3219cbf3544b", format="h5", top1=71.3,
        top1_source="keras.io/api/applications table (VGG16, ImageNet val, 224x224)", resolution=224, padding="same",
        bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear"),
    Published(
        model="vgg-19", source="keras.applications", source_name="VGG19",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/vgg19"
             "/vgg19_weights_tf_dim_ordering_tf_kernels.h5"),
        digest="md5:cbe5617147190e668d6c5d5026f83318", format="h5", top1=71.3,
        top1_source="keras.io/api/applications table (VGG19, ImageNet val, 224x224)", resolution=224, padding="same",
        bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear"),
    Published(
        model="xception", source="keras.applications", source_name="Xception",
        url=("https://storage.googleapis.com/tensorflow/keras-applications/xception"
             "/xception_weights_tf_dim_ordering_tf_kernels.h5"),
        digest="md5:0a58e3b7378bc2990ea3b43d5981f1f6", format="h5", top1=79.0,
        top1_source="keras.io/api/applications table (Xception, ImageNet val, 299x299)", resolution=299, padding="same",
        bn_epsilon=None, mean=None, std=None, crop_fraction=0.875, interpolation="bilinear"),
    # ------------------------------------------------------------------------------------------------------------
    # torchvision 0.28: the models/*.py ``*_Weights`` enums. url, meta acc@1 and the transforms (crop_size,
    # resize_size, interpolation, mean/std) are the enums'; digest is the SHA-256 prefix in the file name, which
    # torchvision checks on download (check_hash=True). The DEFAULT weights come first for each model.
    # Conventions: symmetric padding; bn_epsilon is the eps of the model's BatchNorm2d as its code builds it
    # (None: the net has no batch norm). Not listed: VGG16_Weights.IMAGENET1K_FEATURES (a feature extractor whose
    # classifier is not ImageNet-trained: acc@1 NaN).
    # ------------------------------------------------------------------------------------------------------------
    Published(
        model="alexnet-torchvision", source="torchvision", source_name="AlexNet_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/alexnet-owt-7be5be79.pth", digest="sha256:7be5be79", format="pth",
        top1=56.522, top1_source="torchvision AlexNet_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=None, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="densenet-121", source="torchvision", source_name="DenseNet121_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/densenet121-a639ec97.pth", digest="sha256:a639ec97", format="pth",
        top1=74.434, top1_source="torchvision DenseNet121_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="densenet-169", source="torchvision", source_name="DenseNet169_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/densenet169-b2777c0a.pth", digest="sha256:b2777c0a", format="pth",
        top1=75.6, top1_source="torchvision DenseNet169_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="densenet-201", source="torchvision", source_name="DenseNet201_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/densenet201-c1103571.pth", digest="sha256:c1103571", format="pth",
        top1=76.896, top1_source="torchvision DenseNet201_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="efficientnet-b0", source="torchvision", source_name="EfficientNet_B0_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/efficientnet_b0_rwightman-7f5810bc.pth", digest="sha256:7f5810bc",
        format="pth", top1=77.692,
        top1_source="torchvision EfficientNet_B0_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 256, interpolation="bicubic"),
    Published(
        model="efficientnet-b1", source="torchvision", source_name="EfficientNet_B1_Weights.IMAGENET1K_V2",
        url="https://download.pytorch.org/models/efficientnet_b1-c27df63c.pth", digest="sha256:c27df63c", format="pth",
        top1=79.838,
        top1_source="torchvision EfficientNet_B1_Weights.IMAGENET1K_V2 (ImageNet-1k val, 240 px crop of 255)",
        resolution=240, padding="symmetric", bn_epsilon=1e-5, crop_fraction=240 / 255, interpolation="bilinear"),
    Published(
        model="efficientnet-b1", source="torchvision", source_name="EfficientNet_B1_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/efficientnet_b1_rwightman-bac287d4.pth", digest="sha256:bac287d4",
        format="pth", top1=78.642,
        top1_source="torchvision EfficientNet_B1_Weights.IMAGENET1K_V1 (ImageNet-1k val, 240 px crop of 256)",
        resolution=240, padding="symmetric", bn_epsilon=1e-5, crop_fraction=240 / 256, interpolation="bicubic"),
    Published(
        model="efficientnet-b2", source="torchvision", source_name="EfficientNet_B2_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/efficientnet_b2_rwightman-c35c1473.pth", digest="sha256:c35c1473",
        format="pth", top1=80.608,
        top1_source="torchvision EfficientNet_B2_Weights.IMAGENET1K_V1 (ImageNet-1k val, 288 px crop of 288)",
        resolution=288, padding="symmetric", bn_epsilon=1e-5, crop_fraction=288 / 288, interpolation="bicubic"),
    Published(
        model="efficientnet-b3", source="torchvision", source_name="EfficientNet_B3_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/efficientnet_b3_rwightman-b3899882.pth", digest="sha256:b3899882",
        format="pth", top1=82.008,
        top1_source="torchvision EfficientNet_B3_Weights.IMAGENET1K_V1 (ImageNet-1k val, 300 px crop of 320)",
        resolution=300, padding="symmetric", bn_epsilon=1e-5, crop_fraction=300 / 320, interpolation="bicubic"),
    Published(
        model="efficientnet-b4", source="torchvision", source_name="EfficientNet_B4_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/efficientnet_b4_rwightman-23ab8bcd.pth", digest="sha256:23ab8bcd",
        format="pth", top1=83.384,
        top1_source="torchvision EfficientNet_B4_Weights.IMAGENET1K_V1 (ImageNet-1k val, 380 px crop of 384)",
        resolution=380, padding="symmetric", bn_epsilon=1e-5, crop_fraction=380 / 384, interpolation="bicubic"),
    Published(
        model="efficientnet-b5", source="torchvision", source_name="EfficientNet_B5_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/efficientnet_b5_lukemelas-1a07897c.pth", digest="sha256:1a07897c",
        format="pth", top1=83.444,
        top1_source="torchvision EfficientNet_B5_Weights.IMAGENET1K_V1 (ImageNet-1k val, 456 px crop of 456)",
        resolution=456, padding="symmetric", bn_epsilon=1e-3, crop_fraction=456 / 456, interpolation="bicubic"),
    Published(
        model="efficientnet-b6", source="torchvision", source_name="EfficientNet_B6_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/efficientnet_b6_lukemelas-24a108a5.pth", digest="sha256:24a108a5",
        format="pth", top1=84.008,
        top1_source="torchvision EfficientNet_B6_Weights.IMAGENET1K_V1 (ImageNet-1k val, 528 px crop of 528)",
        resolution=528, padding="symmetric", bn_epsilon=1e-3, crop_fraction=528 / 528, interpolation="bicubic"),
    Published(
        model="efficientnet-b7", source="torchvision", source_name="EfficientNet_B7_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/efficientnet_b7_lukemelas-c5b4e57e.pth", digest="sha256:c5b4e57e",
        format="pth", top1=84.122,
        top1_source="torchvision EfficientNet_B7_Weights.IMAGENET1K_V1 (ImageNet-1k val, 600 px crop of 600)",
        resolution=600, padding="symmetric", bn_epsilon=1e-3, crop_fraction=600 / 600, interpolation="bicubic"),
    Published(
        model="efficientnet-v2-s", source="torchvision", source_name="EfficientNet_V2_S_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/efficientnet_v2_s-dd5fe13b.pth", digest="sha256:dd5fe13b",
        format="pth", top1=84.228,
        top1_source="torchvision EfficientNet_V2_S_Weights.IMAGENET1K_V1 (ImageNet-1k val, 384 px crop of 384)",
        resolution=384, padding="symmetric", bn_epsilon=1e-3, crop_fraction=384 / 384, interpolation="bilinear"),
    Published(
        model="efficientnet-v2-m", source="torchvision", source_name="EfficientNet_V2_M_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/efficientnet_v2_m-dc08266a.pth", digest="sha256:dc08266a",
        format="pth", top1=85.112,
        top1_source="torchvision EfficientNet_V2_M_Weights.IMAGENET1K_V1 (ImageNet-1k val, 480 px crop of 480)",
        resolution=480, padding="symmetric", bn_epsilon=1e-3, crop_fraction=480 / 480, interpolation="bilinear"),
    Published(
        model="efficientnet-v2-l", source="torchvision", source_name="EfficientNet_V2_L_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/efficientnet_v2_l-59c71312.pth", digest="sha256:59c71312",
        format="pth", top1=85.808,
        top1_source="torchvision EfficientNet_V2_L_Weights.IMAGENET1K_V1 (ImageNet-1k val, 480 px crop of 480)",
        resolution=480, padding="symmetric", bn_epsilon=1e-3, mean=INCEPTION_MEAN, std=INCEPTION_STD,
        crop_fraction=480 / 480, interpolation="bicubic"),
    # torchvision builds GoogLeNet with transform_input=True for these weights: it maps the ImageNet-normalized
    # input to (x - 0.5) / 0.5 before conv1, so the weights expect mean = std = 0.5 (the transforms' ImageNet
    # mean/std are undone). The file also holds the two auxiliary heads (aux_logits=False drops them).
    Published(
        model="googlenet-bn", source="torchvision", source_name="GoogLeNet_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/googlenet-1378be20.pth", digest="sha256:1378be20", format="pth",
        top1=69.778, top1_source="torchvision GoogLeNet_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-3, mean=INCEPTION_MEAN, std=INCEPTION_STD,
        crop_fraction=224 / 256, interpolation="bilinear"),
    # No torchvision row for inception-v3: our inception-v3 is keras.applications' layout, and torchvision's
    # (inception_v3_google-0cc3c7bd.pth, 77.294%) differs in ways a weight copy cannot bridge: its batch norms
    # have a scale (23,834,568 parameters without the auxiliary head against our 23,817,352 trainable: the
    # 17,216 gammas), and its 3x3 stride-1 average pools count the zero padding (count_include_pad=True) where
    # Keras' 'same' pooling leaves it out. keras.applications' InceptionV3 file is the one weights="imagenet" loads.
    Published(
        model="mnasnet-0.5", source="torchvision", source_name="MNASNet0_5_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/mnasnet0.5_top1_67.823-3ffadce67e.pth", digest="sha256:3ffadce67e",
        format="pth", top1=67.734,
        top1_source="torchvision MNASNet0_5_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="mnasnet-0.75", source="torchvision", source_name="MNASNet0_75_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/mnasnet0_75-7090bc5f.pth", digest="sha256:7090bc5f", format="pth",
        top1=71.18, top1_source="torchvision MNASNet0_75_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 232)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 232, interpolation="bilinear"),
    Published(
        model="mnasnet-1.0", source="torchvision", source_name="MNASNet1_0_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/mnasnet1.0_top1_73.512-f206786ef8.pth", digest="sha256:f206786ef8",
        format="pth", top1=73.456,
        top1_source="torchvision MNASNet1_0_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="mnasnet-1.3", source="torchvision", source_name="MNASNet1_3_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/mnasnet1_3-a4c69d6f.pth", digest="sha256:a4c69d6f", format="pth",
        top1=76.506, top1_source="torchvision MNASNet1_3_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 232)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 232, interpolation="bilinear"),
    Published(
        model="mobilenet-v2", source="torchvision", source_name="MobileNet_V2_Weights.IMAGENET1K_V2",
        url="https://download.pytorch.org/models/mobilenet_v2-7ebf99e0.pth", digest="sha256:7ebf99e0", format="pth",
        top1=72.154, top1_source="torchvision MobileNet_V2_Weights.IMAGENET1K_V2 (ImageNet-1k val, 224 px crop of 232)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 232, interpolation="bilinear"),
    Published(
        model="mobilenet-v2", source="torchvision", source_name="MobileNet_V2_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/mobilenet_v2-b0353104.pth", digest="sha256:b0353104", format="pth",
        top1=71.878, top1_source="torchvision MobileNet_V2_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="mobilenet-v3-large", source="torchvision", source_name="MobileNet_V3_Large_Weights.IMAGENET1K_V2",
        url="https://download.pytorch.org/models/mobilenet_v3_large-5c1a4163.pth", digest="sha256:5c1a4163",
        format="pth", top1=75.274,
        top1_source="torchvision MobileNet_V3_Large_Weights.IMAGENET1K_V2 (ImageNet-1k val, 224 px crop of 232)",
        resolution=224, padding="symmetric", bn_epsilon=1e-3, crop_fraction=224 / 232, interpolation="bilinear"),
    Published(
        model="mobilenet-v3-large", source="torchvision", source_name="MobileNet_V3_Large_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/mobilenet_v3_large-8738ca79.pth", digest="sha256:8738ca79",
        format="pth", top1=74.042,
        top1_source="torchvision MobileNet_V3_Large_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-3, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="mobilenet-v3-small", source="torchvision", source_name="MobileNet_V3_Small_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/mobilenet_v3_small-047dcff4.pth", digest="sha256:047dcff4",
        format="pth", top1=67.668,
        top1_source="torchvision MobileNet_V3_Small_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-3, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="resnet-18", source="torchvision", source_name="ResNet18_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/resnet18-f37072fd.pth", digest="sha256:f37072fd", format="pth",
        top1=69.758, top1_source="torchvision ResNet18_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="resnet-34", source="torchvision", source_name="ResNet34_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/resnet34-b627a593.pth", digest="sha256:b627a593", format="pth",
        top1=73.314, top1_source="torchvision ResNet34_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="resnet-50", source="torchvision", source_name="ResNet50_Weights.IMAGENET1K_V2",
        url="https://download.pytorch.org/models/resnet50-11ad3fa6.pth", digest="sha256:11ad3fa6", format="pth",
        top1=80.858, top1_source="torchvision ResNet50_Weights.IMAGENET1K_V2 (ImageNet-1k val, 224 px crop of 232)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 232, interpolation="bilinear"),
    Published(
        model="resnet-50", source="torchvision", source_name="ResNet50_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/resnet50-0676ba61.pth", digest="sha256:0676ba61", format="pth",
        top1=76.13, top1_source="torchvision ResNet50_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="resnet-101", source="torchvision", source_name="ResNet101_Weights.IMAGENET1K_V2",
        url="https://download.pytorch.org/models/resnet101-cd907fc2.pth", digest="sha256:cd907fc2", format="pth",
        top1=81.886, top1_source="torchvision ResNet101_Weights.IMAGENET1K_V2 (ImageNet-1k val, 224 px crop of 232)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 232, interpolation="bilinear"),
    Published(
        model="resnet-101", source="torchvision", source_name="ResNet101_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/resnet101-63fe2227.pth", digest="sha256:63fe2227", format="pth",
        top1=77.374, top1_source="torchvision ResNet101_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="resnet-152", source="torchvision", source_name="ResNet152_Weights.IMAGENET1K_V2",
        url="https://download.pytorch.org/models/resnet152-f82ba261.pth", digest="sha256:f82ba261", format="pth",
        top1=82.284, top1_source="torchvision ResNet152_Weights.IMAGENET1K_V2 (ImageNet-1k val, 224 px crop of 232)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 232, interpolation="bilinear"),
    Published(
        model="resnet-152", source="torchvision", source_name="ResNet152_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/resnet152-394f9c45.pth", digest="sha256:394f9c45", format="pth",
        top1=78.312, top1_source="torchvision ResNet152_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="resnext-50-32x4d", source="torchvision", source_name="ResNeXt50_32X4D_Weights.IMAGENET1K_V2",
        url="https://download.pytorch.org/models/resnext50_32x4d-1a0047aa.pth", digest="sha256:1a0047aa", format="pth",
        top1=81.198,
        top1_source="torchvision ResNeXt50_32X4D_Weights.IMAGENET1K_V2 (ImageNet-1k val, 224 px crop of 232)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 232, interpolation="bilinear"),
    Published(
        model="resnext-50-32x4d", source="torchvision", source_name="ResNeXt50_32X4D_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/resnext50_32x4d-7cdf4587.pth", digest="sha256:7cdf4587", format="pth",
        top1=77.618,
        top1_source="torchvision ResNeXt50_32X4D_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="resnext-101-32x8d", source="torchvision", source_name="ResNeXt101_32X8D_Weights.IMAGENET1K_V2",
        url="https://download.pytorch.org/models/resnext101_32x8d-110c445d.pth", digest="sha256:110c445d", format="pth",
        top1=82.834,
        top1_source="torchvision ResNeXt101_32X8D_Weights.IMAGENET1K_V2 (ImageNet-1k val, 224 px crop of 232)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 232, interpolation="bilinear"),
    Published(
        model="resnext-101-32x8d", source="torchvision", source_name="ResNeXt101_32X8D_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/resnext101_32x8d-8ba56ff5.pth", digest="sha256:8ba56ff5", format="pth",
        top1=79.312,
        top1_source="torchvision ResNeXt101_32X8D_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="shufflenet-v2", source="torchvision", source_name="ShuffleNet_V2_X0_5_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/shufflenetv2_x0.5-f707e7126e.pth", digest="sha256:f707e7126e",
        format="pth", top1=60.552,
        top1_source="torchvision ShuffleNet_V2_X0_5_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 256, interpolation="bilinear",
        options={"width_multiplier": 0.5}),
    Published(
        model="shufflenet-v2", source="torchvision", source_name="ShuffleNet_V2_X1_0_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/shufflenetv2_x1-5666bf0f80.pth", digest="sha256:5666bf0f80",
        format="pth", top1=69.362,
        top1_source="torchvision ShuffleNet_V2_X1_0_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 256, interpolation="bilinear",
        options={"width_multiplier": 1.0}),
    Published(
        model="shufflenet-v2", source="torchvision", source_name="ShuffleNet_V2_X1_5_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/shufflenetv2_x1_5-3c479a10.pth", digest="sha256:3c479a10",
        format="pth", top1=72.996,
        top1_source="torchvision ShuffleNet_V2_X1_5_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 232)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 232, interpolation="bilinear",
        options={"width_multiplier": 1.5}),
    Published(
        model="shufflenet-v2", source="torchvision", source_name="ShuffleNet_V2_X2_0_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/shufflenetv2_x2_0-8be3c8ee.pth", digest="sha256:8be3c8ee",
        format="pth", top1=76.23,
        top1_source="torchvision ShuffleNet_V2_X2_0_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 232)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 232, interpolation="bilinear",
        options={"width_multiplier": 2.0}),
    Published(
        model="squeezenet-1.0", source="torchvision", source_name="SqueezeNet1_0_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/squeezenet1_0-b66bff10.pth", digest="sha256:b66bff10", format="pth",
        top1=58.092,
        top1_source="torchvision SqueezeNet1_0_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=None, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="squeezenet-1.1", source="torchvision", source_name="SqueezeNet1_1_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth", digest="sha256:b8a52dc0", format="pth",
        top1=58.178,
        top1_source="torchvision SqueezeNet1_1_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=None, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="vgg-11", source="torchvision", source_name="VGG11_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/vgg11-8a719046.pth", digest="sha256:8a719046", format="pth",
        top1=69.02, top1_source="torchvision VGG11_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=None, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="vgg-11-bn", source="torchvision", source_name="VGG11_BN_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/vgg11_bn-6002323d.pth", digest="sha256:6002323d", format="pth",
        top1=70.37, top1_source="torchvision VGG11_BN_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="vgg-13", source="torchvision", source_name="VGG13_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/vgg13-19584684.pth", digest="sha256:19584684", format="pth",
        top1=69.928, top1_source="torchvision VGG13_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=None, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="vgg-13-bn", source="torchvision", source_name="VGG13_BN_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/vgg13_bn-abd245e5.pth", digest="sha256:abd245e5", format="pth",
        top1=71.586, top1_source="torchvision VGG13_BN_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="vgg-16", source="torchvision", source_name="VGG16_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/vgg16-397923af.pth", digest="sha256:397923af", format="pth",
        top1=71.592, top1_source="torchvision VGG16_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=None, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="vgg-16-bn", source="torchvision", source_name="VGG16_BN_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/vgg16_bn-6c64b313.pth", digest="sha256:6c64b313", format="pth",
        top1=73.36, top1_source="torchvision VGG16_BN_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="vgg-19", source="torchvision", source_name="VGG19_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/vgg19-dcbb9e9d.pth", digest="sha256:dcbb9e9d", format="pth",
        top1=72.376, top1_source="torchvision VGG19_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=None, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="vgg-19-bn", source="torchvision", source_name="VGG19_BN_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/vgg19_bn-c79401a0.pth", digest="sha256:c79401a0", format="pth",
        top1=74.218, top1_source="torchvision VGG19_BN_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="wide-resnet-50-2", source="torchvision", source_name="Wide_ResNet50_2_Weights.IMAGENET1K_V2",
        url="https://download.pytorch.org/models/wide_resnet50_2-9ba9bcbe.pth", digest="sha256:9ba9bcbe", format="pth",
        top1=81.602,
        top1_source="torchvision Wide_ResNet50_2_Weights.IMAGENET1K_V2 (ImageNet-1k val, 224 px crop of 232)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 232, interpolation="bilinear"),
    Published(
        model="wide-resnet-50-2", source="torchvision", source_name="Wide_ResNet50_2_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/wide_resnet50_2-95faca4d.pth", digest="sha256:95faca4d", format="pth",
        top1=78.468,
        top1_source="torchvision Wide_ResNet50_2_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 256, interpolation="bilinear"),
    Published(
        model="wide-resnet-101-2", source="torchvision", source_name="Wide_ResNet101_2_Weights.IMAGENET1K_V2",
        url="https://download.pytorch.org/models/wide_resnet101_2-d733dc28.pth", digest="sha256:d733dc28", format="pth",
        top1=82.51,
        top1_source="torchvision Wide_ResNet101_2_Weights.IMAGENET1K_V2 (ImageNet-1k val, 224 px crop of 232)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 232, interpolation="bilinear"),
    Published(
        model="wide-resnet-101-2", source="torchvision", source_name="Wide_ResNet101_2_Weights.IMAGENET1K_V1",
        url="https://download.pytorch.org/models/wide_resnet101_2-32ee1156.pth", digest="sha256:32ee1156", format="pth",
        top1=78.848,
        top1_source="torchvision Wide_ResNet101_2_Weights.IMAGENET1K_V1 (ImageNet-1k val, 224 px crop of 256)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=224 / 256, interpolation="bilinear"),
    # ------------------------------------------------------------------------------------------------------------
    # timm 1.0.31: pretrained cfgs (timm/models/*.py default_cfgs) for the 1000-class ImageNet-1k heads, timm's
    # default tag first. url: the cfg's GitHub release file where it has one (its name carries the SHA-256's
    # leading digits), else the Hugging Face hub file (MobileNetV4: no checksum found offline). mean/std,
    # crop_pct (crop_fraction), interpolation and input_size (resolution) are the cfg's; padding and bn_epsilon as
    # the built model has them (tf_* models: Conv2dSame and eps 1e-3). top1: results/results-imagenet.csv of
    # huggingface/pytorch-image-models (commit aa4b5850) at the cfg's input_size and crop_pct.
    # ------------------------------------------------------------------------------------------------------------
    # The file name ends in its SHA-256's leading digits (torch.hub's convention, which timm's release
    # files follow); timm's config gives this release URL beside the hub copy.
    Published(
        model="efficientnet-lite0", source="timm", source_name="tf_efficientnet_lite0.in1k",
        url=("https://github.com/rwightman/pytorch-image-models/releases/download/v0.1-weights"
             "/tf_efficientnet_lite0-0aa007d2.pth"),
        digest="sha256:0aa007d2",
        format="pth", top1=74.846,
        top1_source="timm results-imagenet.csv (224 px, crop 0.875; ImageNet-1k val)", resolution=224, padding="same",
        bn_epsilon=1e-3, mean=INCEPTION_MEAN, std=INCEPTION_STD, crop_fraction=0.875, interpolation="bicubic"),
    # The file name ends in its SHA-256's leading digits (torch.hub's convention, which timm's release
    # files follow); timm's config gives this release URL beside the hub copy.
    Published(
        model="efficientnet-lite0", source="timm", source_name="efficientnet_lite0.ra_in1k",
        url=("https://github.com/rwightman/pytorch-image-models/releases/download/v0.1-weights"
             "/efficientnet_lite0_ra-37913777.pth"),
        digest="sha256:37913777",
        format="pth", top1=75.488,
        top1_source="timm results-imagenet.csv (224 px, crop 0.875; ImageNet-1k val)", resolution=224,
        padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.875, interpolation="bicubic"),
    # The file name ends in its SHA-256's leading digits (torch.hub's convention, which timm's release
    # files follow); timm's config gives this release URL beside the hub copy.
    Published(
        model="efficientnet-lite1", source="timm", source_name="tf_efficientnet_lite1.in1k",
        url=("https://github.com/rwightman/pytorch-image-models/releases/download/v0.1-weights"
             "/tf_efficientnet_lite1-bde8b488.pth"),
        digest="sha256:bde8b488",
        format="pth", top1=76.674,
        top1_source="timm results-imagenet.csv (240 px, crop 0.882; ImageNet-1k val)", resolution=240, padding="same",
        bn_epsilon=1e-3, mean=INCEPTION_MEAN, std=INCEPTION_STD, crop_fraction=0.882, interpolation="bicubic"),
    # The file name ends in its SHA-256's leading digits (torch.hub's convention, which timm's release
    # files follow); timm's config gives this release URL beside the hub copy.
    Published(
        model="efficientnet-lite2", source="timm", source_name="tf_efficientnet_lite2.in1k",
        url=("https://github.com/rwightman/pytorch-image-models/releases/download/v0.1-weights"
             "/tf_efficientnet_lite2-dcccb7df.pth"),
        digest="sha256:dcccb7df",
        format="pth", top1=77.47, top1_source="timm results-imagenet.csv (260 px, crop 0.89; ImageNet-1k val)",
        resolution=260, padding="same", bn_epsilon=1e-3, mean=INCEPTION_MEAN, std=INCEPTION_STD, crop_fraction=0.89,
        interpolation="bicubic"),
    # The file name ends in its SHA-256's leading digits (torch.hub's convention, which timm's release
    # files follow); timm's config gives this release URL beside the hub copy.
    Published(
        model="efficientnet-lite3", source="timm", source_name="tf_efficientnet_lite3.in1k",
        url=("https://github.com/rwightman/pytorch-image-models/releases/download/v0.1-weights"
             "/tf_efficientnet_lite3-b733e338.pth"),
        digest="sha256:b733e338",
        format="pth", top1=79.808,
        top1_source="timm results-imagenet.csv (300 px, crop 0.904; ImageNet-1k val)", resolution=300, padding="same",
        bn_epsilon=1e-3, mean=INCEPTION_MEAN, std=INCEPTION_STD, crop_fraction=0.904, interpolation="bilinear"),
    # The file name ends in its SHA-256's leading digits (torch.hub's convention, which timm's release
    # files follow); timm's config gives this release URL beside the hub copy.
    Published(
        model="efficientnet-lite4", source="timm", source_name="tf_efficientnet_lite4.in1k",
        url=("https://github.com/rwightman/pytorch-image-models/releases/download/v0.1-weights"
             "/tf_efficientnet_lite4-741542c3.pth"),
        digest="sha256:741542c3",
        format="pth", top1=81.54, top1_source="timm results-imagenet.csv (380 px, crop 0.92; ImageNet-1k val)",
        resolution=380, padding="same", bn_epsilon=1e-3, mean=INCEPTION_MEAN, std=INCEPTION_STD, crop_fraction=0.92,
        interpolation="bilinear"),
    # The file name ends in its SHA-256's leading digits (torch.hub's convention, which timm's release
    # files follow); timm's config gives this release URL beside the hub copy.
    Published(
        model="mnasnet-1.0", source="timm", source_name="mnasnet_100.rmsp_in1k",
        url=("https://github.com/rwightman/pytorch-image-models/releases/download/v0.1-weights"
             "/mnasnet_b1-74cb7081.pth"),
        digest="sha256:74cb7081",
        format="pth", top1=74.672,
        top1_source="timm results-imagenet.csv (224 px, crop 0.875; ImageNet-1k val)", resolution=224,
        padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.875, interpolation="bicubic"),
    # SHA-256 not found offline: record it from the hub's LFS pointer
    Published(
        model="mobilenet-v4-conv-large", source="timm", source_name="mobilenetv4_conv_large.e600_r384_in1k",
        url="https://huggingface.co/timm/mobilenetv4_conv_large.e600_r384_in1k/resolve/main/model.safetensors",
        digest="", format="safetensors", top1=82.974,
        top1_source="timm results-imagenet.csv (384 px, crop 0.95; ImageNet-1k val)", resolution=384,
        padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.95, interpolation="bicubic"),
    # SHA-256 not found offline: record it from the hub's LFS pointer
    Published(
        model="mobilenet-v4-conv-large", source="timm", source_name="mobilenetv4_conv_large.e500_r256_in1k",
        url="https://huggingface.co/timm/mobilenetv4_conv_large.e500_r256_in1k/resolve/main/model.safetensors",
        digest="", format="safetensors", top1=81.864,
        top1_source="timm results-imagenet.csv (256 px, crop 0.95; ImageNet-1k val)", resolution=256,
        padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.95, interpolation="bicubic"),
    # SHA-256 not found offline: record it from the hub's LFS pointer
    Published(
        model="mobilenet-v4-conv-medium", source="timm", source_name="mobilenetv4_conv_medium.e500_r256_in1k",
        url="https://huggingface.co/timm/mobilenetv4_conv_medium.e500_r256_in1k/resolve/main/model.safetensors",
        digest="", format="safetensors", top1=79.916,
        top1_source="timm results-imagenet.csv (256 px, crop 0.95; ImageNet-1k val)", resolution=256,
        padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.95, interpolation="bicubic"),
    # SHA-256 not found offline: record it from the hub's LFS pointer
    Published(
        model="mobilenet-v4-conv-medium", source="timm", source_name="mobilenetv4_conv_medium.e500_r224_in1k",
        url="https://huggingface.co/timm/mobilenetv4_conv_medium.e500_r224_in1k/resolve/main/model.safetensors",
        digest="", format="safetensors", top1=79.092,
        top1_source="timm results-imagenet.csv (224 px, crop 0.95; ImageNet-1k val)", resolution=224,
        padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.95, interpolation="bicubic"),
    # SHA-256 not found offline: record it from the hub's LFS pointer
    Published(
        model="mobilenet-v4-conv-medium", source="timm", source_name="mobilenetv4_conv_medium.e250_r384_in12k_ft_in1k",
        url=("https://huggingface.co/timm/mobilenetv4_conv_medium.e250_r384_in12k_ft_in1k"
             "/resolve/main/model.safetensors"),
        digest="", format="safetensors", top1=82.776,
        top1_source="timm results-imagenet.csv (384 px, crop 0.95; ImageNet-1k val)", resolution=384,
        padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.95, interpolation="bicubic"),
    # SHA-256 not found offline: record it from the hub's LFS pointer
    Published(
        model="mobilenet-v4-conv-small", source="timm", source_name="mobilenetv4_conv_small.e2400_r224_in1k",
        url="https://huggingface.co/timm/mobilenetv4_conv_small.e2400_r224_in1k/resolve/main/model.safetensors",
        digest="", format="safetensors", top1=73.756,
        top1_source="timm results-imagenet.csv (224 px, crop 0.875; ImageNet-1k val)", resolution=224,
        padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.875, interpolation="bicubic"),
    # SHA-256 not found offline: record it from the hub's LFS pointer
    Published(
        model="mobilenet-v4-conv-small", source="timm", source_name="mobilenetv4_conv_small.e1200_r224_in1k",
        url="https://huggingface.co/timm/mobilenetv4_conv_small.e1200_r224_in1k/resolve/main/model.safetensors",
        digest="", format="safetensors", top1=73.45,
        top1_source="timm results-imagenet.csv (224 px, crop 0.875; ImageNet-1k val)", resolution=224,
        padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.875, interpolation="bicubic"),
    # SHA-256 not found offline: record it from the hub's LFS pointer
    Published(
        model="mobilenet-v4-conv-small", source="timm", source_name="mobilenetv4_conv_small.e3600_r256_in1k",
        url="https://huggingface.co/timm/mobilenetv4_conv_small.e3600_r256_in1k/resolve/main/model.safetensors",
        digest="", format="safetensors", top1=74.534,
        top1_source="timm results-imagenet.csv (256 px, crop 0.95; ImageNet-1k val)", resolution=256,
        padding="symmetric", bn_epsilon=1e-5, mean=INCEPTION_MEAN, std=INCEPTION_STD, crop_fraction=0.95,
        interpolation="bicubic"),
    # SHA-256 not found offline: record it from the hub's LFS pointer
    Published(
        model="mobilenet-v4-hybrid-large", source="timm", source_name="mobilenetv4_hybrid_large.ix_e600_r384_in1k",
        url="https://huggingface.co/timm/mobilenetv4_hybrid_large.ix_e600_r384_in1k/resolve/main/model.safetensors",
        digest="", format="safetensors", top1=83.996,
        top1_source="timm results-imagenet.csv (384 px, crop 0.95; ImageNet-1k val)", resolution=384,
        padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.95, interpolation="bicubic"),
    # SHA-256 not found offline: record it from the hub's LFS pointer
    Published(
        model="mobilenet-v4-hybrid-large", source="timm", source_name="mobilenetv4_hybrid_large.e600_r384_in1k",
        url="https://huggingface.co/timm/mobilenetv4_hybrid_large.e600_r384_in1k/resolve/main/model.safetensors",
        digest="", format="safetensors", top1=83.826,
        top1_source="timm results-imagenet.csv (384 px, crop 0.95; ImageNet-1k val)", resolution=384,
        padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.95, interpolation="bicubic"),
    # SHA-256 not found offline: record it from the hub's LFS pointer
    Published(
        model="mobilenet-v4-hybrid-medium", source="timm",
        source_name="mobilenetv4_hybrid_medium.e200_r256_in12k_ft_in1k",
        url=("https://huggingface.co/timm/mobilenetv4_hybrid_medium.e200_r256_in12k_ft_in1k"
             "/resolve/main/model.safetensors"),
        digest="", format="safetensors", top1=82.36,
        top1_source="timm results-imagenet.csv (256 px, crop 0.95; ImageNet-1k val)", resolution=256,
        padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.95, interpolation="bicubic"),
    # SHA-256 not found offline: record it from the hub's LFS pointer
    Published(
        model="mobilenet-v4-hybrid-medium", source="timm", source_name="mobilenetv4_hybrid_medium.ix_e550_r256_in1k",
        url="https://huggingface.co/timm/mobilenetv4_hybrid_medium.ix_e550_r256_in1k/resolve/main/model.safetensors",
        digest="", format="safetensors", top1=81.478,
        top1_source="timm results-imagenet.csv (256 px, crop 0.95; ImageNet-1k val)", resolution=256,
        padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.95, interpolation="bicubic"),
    # SHA-256 not found offline: record it from the hub's LFS pointer
    Published(
        model="mobilenet-v4-hybrid-medium", source="timm", source_name="mobilenetv4_hybrid_medium.ix_e550_r384_in1k",
        url="https://huggingface.co/timm/mobilenetv4_hybrid_medium.ix_e550_r384_in1k/resolve/main/model.safetensors",
        digest="", format="safetensors", top1=82.952,
        top1_source="timm results-imagenet.csv (384 px, crop 0.95; ImageNet-1k val)", resolution=384,
        padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.95, interpolation="bicubic"),
    # SHA-256 not found offline: record it from the hub's LFS pointer
    Published(
        model="mobilenet-v4-hybrid-medium", source="timm", source_name="mobilenetv4_hybrid_medium.e500_r224_in1k",
        url="https://huggingface.co/timm/mobilenetv4_hybrid_medium.e500_r224_in1k/resolve/main/model.safetensors",
        digest="", format="safetensors", top1=80.432,
        top1_source="timm results-imagenet.csv (224 px, crop 0.95; ImageNet-1k val)", resolution=224,
        padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.95, interpolation="bicubic"),
    # Cadene's SENet stem max-pools 3x3/2 with ceil_mode=True and no padding (timm legacy senet.py pool0): our
    # se-resnet-N default stem_pool="ceil". The file name ends in its SHA-256's leading digits (torch.hub's
    # convention, which timm's release files follow).
    Published(
        model="se-resnet-50", source="timm", source_name="legacy_seresnet50.in1k",
        url="https://github.com/rwightman/pytorch-image-models/releases/download/v0.1-cadene/se_resnet50-ce0d4300.pth",
        digest="sha256:ce0d4300", format="pth", top1=77.65,
        top1_source="timm results-imagenet.csv (224 px, crop 0.875; ImageNet-1k val)", resolution=224,
        padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.875, interpolation="bilinear"),
    # The file name ends in its SHA-256's leading digits (torch.hub's convention, which timm's release
    # files follow); timm's config gives this release URL beside the hub copy.
    Published(
        model="se-resnet-50", source="timm", source_name="seresnet50.a1_in1k",
        url=("https://github.com/huggingface/pytorch-image-models/releases/download/v0.1-rsb-weights"
             "/seresnet50_a1_0-ffa00869.pth"),
        digest="sha256:ffa00869",
        format="pth", top1=80.012, top1_source="timm results-imagenet.csv (224 px, crop 0.95; ImageNet-1k val)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.95, interpolation="bicubic",
        options={"stride_in_1x1": False, "stem_pool": "padded"}),
    # The file name ends in its SHA-256's leading digits (torch.hub's convention, which timm's release
    # files follow); timm's config gives this release URL beside the hub copy.
    Published(
        model="se-resnet-50", source="timm", source_name="seresnet50.a2_in1k",
        url=("https://github.com/huggingface/pytorch-image-models/releases/download/v0.1-rsb-weights"
             "/seresnet50_a2_0-850de0d9.pth"),
        digest="sha256:850de0d9",
        format="pth", top1=80.102, top1_source="timm results-imagenet.csv (224 px, crop 0.95; ImageNet-1k val)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.95, interpolation="bicubic",
        options={"stride_in_1x1": False, "stem_pool": "padded"}),
    # The file name ends in its SHA-256's leading digits (torch.hub's convention, which timm's release
    # files follow); timm's config gives this release URL beside the hub copy.
    Published(
        model="se-resnet-50", source="timm", source_name="seresnet50.a3_in1k",
        url=("https://github.com/huggingface/pytorch-image-models/releases/download/v0.1-rsb-weights"
             "/seresnet50_a3_0-317ecd56.pth"),
        digest="sha256:317ecd56",
        format="pth", top1=75.104, top1_source="timm results-imagenet.csv (160 px, crop 0.95; ImageNet-1k val)",
        resolution=160, padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.95, interpolation="bicubic",
        options={"stride_in_1x1": False, "stem_pool": "padded"}),
    # The file name ends in its SHA-256's leading digits (torch.hub's convention, which timm's release
    # files follow); timm's config gives this release URL beside the hub copy.
    Published(
        model="se-resnet-50", source="timm", source_name="seresnet50.ra2_in1k",
        url=("https://github.com/rwightman/pytorch-image-models/releases/download/v0.1-weights"
             "/seresnet50_ra_224-8efdb4bb.pth"),
        digest="sha256:8efdb4bb",
        format="pth", top1=80.26, top1_source="timm results-imagenet.csv (224 px, crop 0.875; ImageNet-1k val)",
        resolution=224, padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.875, interpolation="bicubic",
        options={"stride_in_1x1": False, "stem_pool": "padded"}),
    # Cadene's SENet stem max-pools 3x3/2 with ceil_mode=True and no padding (timm legacy senet.py pool0): our
    # se-resnet-N default stem_pool="ceil". The file name ends in its SHA-256's leading digits (torch.hub's
    # convention, which timm's release files follow).
    Published(
        model="se-resnet-101", source="timm", source_name="legacy_seresnet101.in1k",
        url="https://github.com/rwightman/pytorch-image-models/releases/download/v0.1-cadene/se_resnet101-7e38fcc6.pth",
        digest="sha256:7e38fcc6", format="pth", top1=78.37,
        top1_source="timm results-imagenet.csv (224 px, crop 0.875; ImageNet-1k val)", resolution=224,
        padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.875, interpolation="bilinear"),
    # Cadene's SENet stem max-pools 3x3/2 with ceil_mode=True and no padding (timm legacy senet.py pool0): our
    # se-resnet-N default stem_pool="ceil". The file name ends in its SHA-256's leading digits (torch.hub's
    # convention, which timm's release files follow).
    Published(
        model="se-resnet-152", source="timm", source_name="legacy_seresnet152.in1k",
        url="https://github.com/rwightman/pytorch-image-models/releases/download/v0.1-cadene/se_resnet152-d17c99b7.pth",
        digest="sha256:d17c99b7", format="pth", top1=78.662,
        top1_source="timm results-imagenet.csv (224 px, crop 0.875; ImageNet-1k val)", resolution=224,
        padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.875, interpolation="bilinear"),
    # The file name ends in its SHA-256's leading digits (torch.hub's convention, which timm's release
    # files follow); timm's config gives this release URL beside the hub copy.
    Published(
        model="se-resnext-50-32x4d", source="timm", source_name="seresnext50_32x4d.racm_in1k",
        url=("https://github.com/rwightman/pytorch-image-models/releases/download/v0.1-weights"
             "/seresnext50_32x4d_racm-a304a460.pth"),
        digest="sha256:a304a460",
        format="pth", top1=81.268,
        top1_source="timm results-imagenet.csv (224 px, crop 0.875; ImageNet-1k val)", resolution=224,
        padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.875, interpolation="bicubic"),
    # The file name ends in its SHA-256's leading digits (torch.hub's convention, which timm's release
    # files follow); timm's config gives this release URL beside the hub copy.
    Published(
        model="se-resnext-50-32x4d", source="timm", source_name="seresnext50_32x4d.gluon_in1k",
        url=("https://github.com/rwightman/pytorch-pretrained-gluonresnet/releases/download/v0.1"
             "/gluon_seresnext50_32x4d-90cf2d6e.pth"),
        digest="sha256:90cf2d6e",
        format="pth", top1=79.916,
        top1_source="timm results-imagenet.csv (224 px, crop 0.875; ImageNet-1k val)", resolution=224,
        padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.875, interpolation="bicubic"),
    # Cadene's SENet stem max-pools 3x3/2 with ceil_mode=True and no padding (timm legacy senet.py pool0): our
    # stem_pool="ceil". The file name ends in its SHA-256's leading digits (torch.hub's convention).
    Published(
        model="se-resnext-50-32x4d", source="timm", source_name="legacy_seresnext50_32x4d.in1k",
        url=("https://github.com/rwightman/pytorch-image-models/releases/download"
             "/v0.1-weights/legacy_se_resnext50_32x4d-f3651bad.pth"),
        digest="sha256:f3651bad", format="pth", top1=79.08,
        top1_source="timm results-imagenet.csv (224 px, crop 0.875; ImageNet-1k val)", resolution=224,
        padding="symmetric", bn_epsilon=1e-5, crop_fraction=0.875, interpolation="bilinear",
        options={"stem_pool": "ceil"}),
)
