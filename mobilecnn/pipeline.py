"""The streaming input pipeline for image folders (``tf.data``): memory bounded by the batch, not the dataset.

The files are listed once (:mod:`mobilecnn.data`); then each epoch the paths are shuffled, decoded, cropped
and resized, augmented (training) and batched on the fly in parallel maps, with prefetch. Memory holds the
batches in flight (``num_parallel_calls`` decoded images, the prefetch depth in batches), whatever the number
of files. An optional ``cache`` keeps the decoded images on disk (a ``tf.data`` cache file), for small sets
whose decoding costs more than reading them back.

Training images get Inception-style random resized crops (``scale`` of the area, ``ratio`` of the sides;
:func:`random_resized_crop`) and the :class:`Augment` options; evaluation and calibration images are resized
so that the centre crop of ``crop_fraction`` of the shorter side fills the input, then centre-cropped
(:func:`center_crop`): the same images every time. Augmentation stays in the pipeline, never in the model, so
the exported model takes plain pixels.

The crop and its seed are per image (stateless ops, one seed per image from ``seed``, so parallel decoding
draws the same crops in any order); the batch-level augmentations are Keras' preprocessing layers
(``RandomFlip``, ``RandomColorJitter``, ``RandomErasing``, ``MixUp``, ``CutMix``), applied in one sequential
map so that their seed generators advance in batch order.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

# Suffixes TensorFlow decodes itself (``tf.io.decode_image``: JPEG, PNG, GIF, BMP); TIFF and WebP go through
# Pillow in a ``numpy_function``.
TF_DECODED = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
DEFAULT_CROP_FRACTION = 0.875   # the ImageNet evaluation convention (224 of 256), where the weights name none


@dataclass(frozen=True)
class Augment:
    """Training augmentations: random resized crop (``scale``, ``ratio``), horizontal ``flip``, and the optional
    ``color_jitter`` (brightness, contrast, saturation factor; hue a quarter of it), ``erasing`` (probability
    of a random rectangle erased per image), ``mixup`` (Beta alpha) and ``cutmix`` (probability factor).
    ``crop=False`` trains on the evaluation crop (small, centred subjects)."""

    crop: bool = True
    scale: tuple[float, float] = (0.08, 1.0)
    ratio: tuple[float, float] = (3 / 4, 4 / 3)
    flip: bool = True
    color_jitter: float = 0.0
    erasing: float = 0.0
    mixup: float = 0.0
    cutmix: float = 0.0

    def __post_init__(self) -> None:
        for key, low, high in (("scale", 0.0, 1.0), ("ratio", 0.0, float("inf"))):
            value = tuple(getattr(self, key))
            if len(value) != 2 or not low < value[0] <= value[1] <= high:
                raise ValueError(f"{key} must be a (min, max) pair with {low} < min <= max <= {high}, "
                                 f"got {getattr(self, key)!r}")
            object.__setattr__(self, key, tuple(float(v) for v in value))
        for key in ("color_jitter", "erasing", "cutmix"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValueError(f"{key} must be a number in [0, 1], got {value!r}")
        if isinstance(self.mixup, bool) or not isinstance(self.mixup, (int, float)) or self.mixup < 0:
            raise ValueError(f"mixup must be a non-negative number (Beta alpha; 0: off), got {self.mixup!r}")

    @property
    def soft_labels(self) -> bool:
        """Whether batches carry mixed one-hot labels (mixup or cutmix) instead of class indices."""
        return bool(self.mixup or self.cutmix)

    def as_dict(self) -> dict:
        return asdict(self)


def check_crop_fraction(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise ValueError(f"crop_fraction must be a number in (0, 1], got {value!r}")
    return float(value)


def _decode_pillow(path: bytes, channels: int) -> np.ndarray:
    from PIL import Image

    with Image.open(path.decode()) as im:
        array = np.asarray(im.convert("L" if channels == 1 else "RGB"), dtype=np.uint8)
    return array[..., None] if channels == 1 else array


def decode(path, channels: int):
    """One file's pixels, ``(H, W, channels)`` uint8 (animations: the first frame)."""
    import tensorflow as tf

    suffix = tf.strings.lower(tf.strings.regex_replace(path, r"^.*(\.[^./]*)$", r"\1"))

    def native():
        data = tf.io.read_file(path)
        return _channels(tf.io.decode_image(data, channels=3, expand_animations=False), channels)

    def pillow():
        image = tf.numpy_function(lambda p: _decode_pillow(p, channels), [path], tf.uint8, stateful=False)
        return tf.reshape(image, tf.stack([tf.shape(image)[0], tf.shape(image)[1], channels]))

    native_suffix = tf.reduce_any(tf.equal(suffix, tf.constant(TF_DECODED)))
    image = tf.cond(native_suffix, native, pillow)
    image.set_shape((None, None, channels))
    return image


def _channels(image, channels: int):
    import tensorflow as tf

    image = tf.ensure_shape(image, (None, None, 3))
    if channels == 1:
        return tf.cast(tf.round(tf.image.rgb_to_grayscale(tf.cast(image, tf.float32))), tf.uint8)
    return image


def center_crop(image, size: tuple[int, int], crop_fraction: float):
    """Resize (bilinear) so that the centre crop of ``crop_fraction`` of the image fills ``size``, then crop it:
    the input's aspect ratio, ``float32`` in [0, 255]."""
    import tensorflow as tf

    height, width = size
    shape = tf.cast(tf.shape(image)[:2], tf.float32)
    target = tf.constant([height, width], tf.float32) / crop_fraction
    scale = tf.reduce_max(target / shape)    # the shorter side (relative to the input's) reaches the target
    resized = tf.cast(tf.math.ceil(shape * scale), tf.int32)
    resized = tf.maximum(resized, [height, width])
    image = tf.image.resize(image, resized, method="bilinear", antialias=True)
    top, left = (resized[0] - height) // 2, (resized[1] - width) // 2
    return tf.clip_by_value(image[top:top + height, left:left + width], 0.0, 255.0)


def random_resized_crop(image, size: tuple[int, int], scale: tuple[float, float], ratio: tuple[float, float],
                        seed):
    """Inception-style crop: a box of ``scale`` of the image's area and ``ratio`` of width to height (falling
    back to the whole image when none fits in 100 tries), resized to ``size``; ``float32`` in [0, 255]."""
    import tensorflow as tf

    begin, extent, _ = tf.image.stateless_sample_distorted_bounding_box(
        tf.shape(image), bounding_boxes=tf.constant([[[0.0, 0.0, 1.0, 1.0]]]), seed=seed,
        min_object_covered=0.0, aspect_ratio_range=ratio, area_range=scale, max_attempts=100,
        use_image_if_no_bounding_boxes=True)
    crop = tf.slice(image, begin, extent)
    return tf.clip_by_value(tf.image.resize(crop, size, method="bilinear", antialias=True), 0.0, 255.0)


def batch_augmenter(augment: Augment, num_classes: int, seed: int, channels: int = 3):
    """The batch-level augmentations as one function ``(images, labels) -> (images, labels)`` (None: none).

    Keras' preprocessing layers, each seeded from ``seed``; with mixup or cutmix the labels become one-hot
    and are mixed with the images. Grey images get brightness and contrast jitter only."""
    import keras
    import tensorflow as tf

    layers = []
    if augment.flip:
        layers.append(keras.layers.RandomFlip("horizontal", seed=seed))
    if augment.color_jitter:
        s = augment.color_jitter
        colour = ({"saturation_factor": (max(0.0, 0.5 - s / 2), 0.5 + s / 2), "hue_factor": s / 4}
                  if channels == 3 else {})
        layers.append(keras.layers.RandomColorJitter(value_range=(0, 255), brightness_factor=s, contrast_factor=s,
                                                     seed=seed + 1, **colour))
    if augment.erasing:
        layers.append(keras.layers.RandomErasing(factor=augment.erasing, value_range=(0, 255), seed=seed + 2))
    mixers = []
    if augment.mixup:
        mixers.append(keras.layers.MixUp(alpha=augment.mixup, seed=seed + 3))
    if augment.cutmix:
        mixers.append(keras.layers.CutMix(factor=augment.cutmix, seed=seed + 4))
    if not layers and not mixers:
        return None

    def apply(images, labels):
        for layer in layers:
            images = layer(images, training=True)
        images = tf.clip_by_value(tf.cast(images, tf.float32), 0.0, 255.0)
        if mixers:
            labels = tf.one_hot(tf.cast(labels, tf.int32), num_classes)
            for mixer in mixers:
                mixed = mixer({"images": images, "labels": labels}, training=True)
                images, labels = mixed["images"], mixed["labels"]
        return images, labels

    return apply


def folder_dataset(paths: Sequence[str], labels: np.ndarray, input_shape, *, batch_size: int, training: bool,
                   num_classes: int, augment: Augment | None = None, crop_fraction: float = DEFAULT_CROP_FRACTION,
                   seed: int = 0, cache: str | os.PathLike | None = None):
    """A batched ``tf.data.Dataset`` of ``(float32 [0, 255] images, labels)`` read from ``paths``.

    ``training``: reshuffled every epoch (with ``seed``), augmented with ``augment`` (default
    :class:`Augment()`); else in order, centre-cropped. ``cache`` stores the decoded images at that path
    (``tf.data``'s cache files; a directory is not made for it). The dataset shards by batch
    (``AutoShardPolicy.DATA``) under multi-worker training: every worker reads the same file list.
    """
    import tensorflow as tf

    height, width, channels = (int(d) for d in input_shape)
    crop_fraction = check_crop_fraction(crop_fraction)
    augment = (augment or Augment()) if training else None
    parallel = tf.data.AUTOTUNE
    ds = tf.data.Dataset.from_tensor_slices((np.asarray([os.fspath(p) for p in paths]),
                                             np.asarray(labels, "int64")))
    if training and cache is None:   # shuffle the paths (cheap), then decode
        ds = ds.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
    if cache is not None:
        ds = ds.map(lambda p, y: (decode(p, channels), y), num_parallel_calls=parallel).cache(os.fspath(cache))
        if training:   # decoded images: a bounded shuffle buffer
            ds = ds.shuffle(min(len(paths), 8 * batch_size), seed=seed, reshuffle_each_iteration=True)
        load = lambda x: x  # noqa: E731
    else:
        load = lambda p: decode(p, channels)  # noqa: E731
    size = (height, width)
    if training:
        # One stateless seed per image and epoch, drawn in order from ``seed``: the same crops whatever order
        # the parallel map finishes in.
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)
        ds = tf.data.Dataset.zip((ds, seeds))
        if augment.crop:
            def prepare(e, s):
                return random_resized_crop(load(e[0]), size, augment.scale, augment.ratio, s), e[1]
        else:
            def prepare(e, s):
                return center_crop(load(e[0]), size, crop_fraction), e[1]
        ds = ds.map(prepare, num_parallel_calls=parallel)
    else:
        ds = ds.map(lambda x, y: (center_crop(load(x), size, crop_fraction), y), num_parallel_calls=parallel)
    ds = ds.map(lambda x, y: (tf.ensure_shape(x, (height, width, channels)), y))
    ds = ds.batch(batch_size)
    if training:
        mix = batch_augmenter(augment, num_classes, seed, channels)
        if mix is not None:
            ds = ds.map(mix)   # sequential: Keras' seed generators advance in batch order
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    options.deterministic = True
    return ds.with_options(options).prefetch(2)


class InputClock:
    """When each batch left the input pipeline (``perf_counter`` seconds), for the input's share of step time.

    :func:`timed` stamps a dataset's batches as the training step takes them; a progress callback compares the
    stamp with the end of the previous step: the gap is the time the step waited for its input.
    """

    def __init__(self) -> None:
        self.stamps: list[float] = []

    def record(self) -> np.float64:
        self.stamps.append(time.perf_counter())
        return np.float64(0.0)

    def last(self) -> float | None:
        return self.stamps[-1] if self.stamps else None


def timed(ds, clock: InputClock):
    """``ds`` with each element stamped on ``clock`` as it is handed to the consumer (a side effect only)."""
    import tensorflow as tf

    def stamp(*element):
        t = tf.numpy_function(clock.record, [], tf.float64, stateful=True)
        with tf.control_dependencies([t]):
            first = tf.identity(element[0])
        return (first, *element[1:])

    return ds.map(stamp)
