"""Representative images for int8 calibration and for verification.

Sources: a folder of the user's images, a NumPy array, a ``tf.data.Dataset``,
or, when none is given, a built-in set of real photographs that ship inside
scikit-image (random crops, with a warning saying so). Images come out in the
model's own input convention: our models take [0, 255] RGB pixels (their
preprocessing is inside the graph); a model built with
``include_preprocessing=False`` gets its :class:`~mobilecnn.registry.Preprocessing`
applied here.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from mobilecnn.data import IMAGE_SUFFIXES, DatasetError, image_files, read_images

# scikit-image's bundled photographs (no download): colour, then grey ones replicated to RGB.
BUILTIN_COLOUR = ("astronaut", "chelsea", "coffee", "rocket", "hubble_deep_field",
                  "immunohistochemistry", "colorwheel", "retina")
BUILTIN_GREY = ("camera", "coins", "moon", "page", "text", "clock", "grass", "gravel", "brick")


class CalibrationError(DatasetError):
    """Calibration data is missing, empty or unreadable; the message names it."""


def _resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    import tensorflow as tf

    return tf.image.resize(image.astype("float32"), (height, width), antialias=True).numpy()


def _to_channels(image: np.ndarray, channels: int) -> np.ndarray:
    if image.ndim == 2:
        image = image[..., None]
    if image.shape[-1] == 4:
        image = image[..., :3]
    if image.shape[-1] == channels:
        return image
    if channels == 1:
        return image[..., :3].mean(axis=-1, keepdims=True)
    if image.shape[-1] == 1:
        return np.repeat(image, channels, axis=-1)
    raise CalibrationError(f"cannot turn a {image.shape[-1]}-channel image into {channels} channels")


def _random_crops(image: np.ndarray, count: int, shape: tuple[int, int, int], rng) -> list[np.ndarray]:
    h, w = image.shape[:2]
    out = []
    for _ in range(count):
        frac = rng.uniform(0.35, 1.0)
        ch, cw = max(8, int(h * frac)), max(8, int(w * frac))
        top, left = rng.integers(0, h - ch + 1), rng.integers(0, w - cw + 1)
        crop = image[top:top + ch, left:left + cw]
        if rng.random() < 0.5:
            crop = crop[:, ::-1]
        out.append(_resize(_to_channels(crop, shape[2]), shape[0], shape[1]))
    return out


def builtin_images(shape: tuple[int, int, int], count: int = 64, seed: int = 0) -> np.ndarray:
    """``count`` random crops of scikit-image's sample photographs, as [0, 255] float32."""
    import skimage.data

    rng = np.random.default_rng(seed)
    names = BUILTIN_COLOUR + BUILTIN_GREY
    photos = [np.asarray(getattr(skimage.data, n)(), dtype="float32") for n in names]
    per = -(-count // len(photos))
    images = [c for p in photos for c in _random_crops(p, per, shape, rng)]
    order = rng.permutation(len(images))[:count]
    return np.stack([images[i] for i in order]).astype("float32")


def folder_images(folder: str | os.PathLike, shape: tuple[int, int, int], count: int | None = None,
                  seed: int = 0) -> np.ndarray:
    """Images under ``folder`` (recursively), centre-cropped to ``shape``'s aspect ratio and resized."""
    folder = Path(folder)
    if not folder.exists():
        raise CalibrationError(f"calibration folder {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise CalibrationError(f"calibration path {str(folder)!r} is not a folder")
    files = image_files(folder)
    if not files:
        raise CalibrationError(f"calibration folder {str(folder)!r} has no images ({', '.join(IMAGE_SUFFIXES)})")
    if count is not None and len(files) > count:
        rng = np.random.default_rng(seed)
        files = [files[i] for i in sorted(rng.choice(len(files), count, replace=False))]
    try:
        return read_images(files, shape, folder)
    except DatasetError as err:
        raise CalibrationError(str(err)) from err


def calibration_images(source, shape: tuple[int, int, int], count: int = 64, seed: int = 0) -> np.ndarray:
    """Calibration images from ``source`` (folder, array, ``tf.data.Dataset`` or None), in [0, 255]."""
    if source is None:
        warnings.warn(
            "no calibration data given: calibrating on random crops of scikit-image's sample photographs. "
            "Pass images like the ones your model will see (--calibration DIR) for the best int8 accuracy.",
            UserWarning, stacklevel=2)
        return builtin_images(shape, count, seed)
    if isinstance(source, (str, os.PathLike)):
        return folder_images(source, shape, count, seed)
    if isinstance(source, np.ndarray):
        return _from_array(source, shape, count)
    try:
        import tensorflow as tf

        if isinstance(source, tf.data.Dataset):
            arrays = []
            for item in source:
                item = item[0] if isinstance(item, (tuple, list)) else item
                item = np.asarray(item)
                arrays.extend(item if item.ndim == 4 else item[None])
                if len(arrays) >= count:
                    break
            if not arrays:
                raise CalibrationError("the calibration dataset is empty")
            return _from_array(np.stack(arrays), shape, count)
    except ImportError:
        pass
    raise CalibrationError(f"calibration data must be a folder, a NumPy array or a tf.data.Dataset, "
                           f"got {type(source).__name__}")


def _from_array(array: np.ndarray, shape: tuple[int, int, int], count: int) -> np.ndarray:
    array = np.asarray(array, dtype="float32")
    if array.ndim == 3:
        array = array[None]
    if array.ndim != 4 or len(array) == 0:
        raise CalibrationError(f"calibration array must be (N, H, W, C) with N > 0, got shape {array.shape}")
    if tuple(array.shape[1:]) != tuple(shape):
        array = np.stack([_resize(_to_channels(a, shape[2]), shape[0], shape[1]) for a in array])
    return array[:count]


def model_input(images: np.ndarray, preprocessing=None) -> np.ndarray:
    """Map [0, 255] images to what the model takes (identity when it preprocesses inside)."""
    if preprocessing is None:
        return images
    scale = np.asarray(preprocessing.scale, dtype="float32")
    offset = np.asarray(preprocessing.offset, dtype="float32")
    return images * scale + offset
