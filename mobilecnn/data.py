"""Datasets for training: scikit-learn's handwritten digits (built in) and a folder per class of your images.

Both come as :class:`ImageData`: [0, 255] float32 images at the model's input
size (``(N, H, W, C)``, C = 1 or 3), integer labels, class names, and a fixed
stratified train/test split (``seed``), so a run is reproducible and the
test images are never trained on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

IMAGE_SUFFIXES = (".bmp", ".gif", ".jpeg", ".jpg", ".png", ".tif", ".tiff", ".webp")
DIGITS = "digits"


class DatasetError(ValueError):
    """The dataset is missing, empty, unreadable or does not fit the model; the message says which."""


@dataclass
class ImageData:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    source: str
    notes: dict = field(default_factory=dict)

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return tuple(int(d) for d in self.x_train.shape[1:])

    def describe(self) -> str:
        return (f"{self.source}: {len(self.x_train)} training and {len(self.x_test)} test images, "
                f"{self.num_classes} classes, {'x'.join(map(str, self.input_shape))}")


def _check_shape(input_shape) -> tuple[int, int, int]:
    shape = tuple(int(d) if d is not None else -1 for d in input_shape)
    if len(shape) != 3 or min(shape) < 1 or shape[2] not in (1, 3):
        raise DatasetError(f"images are made for an (height, width, channels) input with 1 or 3 channels, "
                           f"got {tuple(input_shape)}")
    return shape


def _resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Bilinear resize of one (H, W) float image."""
    from PIL import Image

    if image.shape == (height, width):
        return image.astype("float32")
    return np.asarray(Image.fromarray(image.astype("float32"), mode="F").resize((width, height), Image.BILINEAR))


def _split(labels: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified train/test indices: each class gives ``test_fraction`` of its images (at least one) to test."""
    if not 0 < test_fraction < 1:
        raise DatasetError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == c))
        n_test = max(1, int(round(len(members) * test_fraction))) if len(members) > 1 else 0
        test.extend(members[:n_test])
        train.extend(members[n_test:])
    return np.sort(np.asarray(train, int)), np.sort(np.asarray(test, int))


def digits(input_shape=(32, 32, 1), *, test_fraction: float = 0.25, seed: int = 0) -> ImageData:
    """scikit-learn's 1,797 handwritten digits (8x8, 17 grey levels), resized to ``input_shape``.

    Grey levels 0..16 become [0, 255]; three-channel inputs get the grey image
    in every channel. No download: the data ships inside scikit-learn.
    """
    from sklearn.datasets import load_digits

    height, width, channels = _check_shape(input_shape)
    bunch = load_digits()
    images = np.stack([_resize(im * (255.0 / 16.0), height, width) for im in bunch.images])
    images = np.repeat(images[..., None], channels, axis=-1).clip(0, 255).astype("float32")
    labels = bunch.target.astype("int64")
    train, test = _split(labels, test_fraction, seed)
    return ImageData(images[train], labels[train], images[test], labels[test],
                     [str(d) for d in range(10)], "scikit-learn digits",
                     {"test_fraction": test_fraction, "seed": seed})


def _read(path: Path, height: int, width: int, channels: int) -> np.ndarray:
    """One image file, centre-cropped to the input's aspect ratio and resized (bilinear)."""
    from PIL import Image

    with Image.open(path) as im:
        im = im.convert("L" if channels == 1 else "RGB")
        w, h = im.size
        target = width / height
        if w / h > target:      # too wide: crop the sides
            cw = max(1, round(h * target))
            box = ((w - cw) // 2, 0, (w - cw) // 2 + cw, h)
        else:                   # too tall: crop top and bottom
            ch = max(1, round(w / target))
            box = (0, (h - ch) // 2, w, (h - ch) // 2 + ch)
        im = im.crop(box).resize((width, height), Image.BILINEAR)
        array = np.asarray(im, dtype="float32")
    return array[..., None] if channels == 1 else array


def image_files(folder: Path) -> list[Path]:
    """Image files under ``folder`` (recursively, by suffix), sorted."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def read_images(paths: list[Path], input_shape, folder: str | os.PathLike) -> np.ndarray:
    """The files at ``input_shape`` (see :func:`_read`), or a :class:`DatasetError` naming every unreadable one."""
    from PIL import UnidentifiedImageError

    height, width, channels = _check_shape(input_shape)
    images, bad = [], []
    for path in paths:
        try:
            images.append(_read(path, height, width, channels))
        except (UnidentifiedImageError, OSError, ValueError) as err:
            bad.append(f"{path} ({type(err).__name__})")
    if bad:
        listed = "; ".join(bad[:10]) + (f"; and {len(bad) - 10} more" if len(bad) > 10 else "")
        raise DatasetError(f"{len(bad)} unreadable image(s) in {str(folder)!r}: {listed}")
    return np.stack(images).astype("float32")


def image_folder(folder: str | os.PathLike, input_shape, *, test_fraction: float = 0.2,
                 seed: int = 0) -> ImageData:
    """Images in ``folder/<class name>/...`` (one sub-folder per class, sorted by name), resized to ``input_shape``.

    Raises :class:`DatasetError` for a missing folder, no class folders, a
    class folder without images, or files that cannot be read as images (all
    of them named).
    """
    _check_shape(input_shape)
    folder = Path(folder)
    if not folder.exists():
        raise DatasetError(f"dataset folder {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise DatasetError(f"dataset path {str(folder)!r} is not a folder")
    classes = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise DatasetError(f"dataset folder {str(folder)!r} has no class folders: put each class's images "
                           "in a sub-folder named after the class")
    if len(classes) < 2:
        raise DatasetError(f"dataset folder {str(folder)!r} has one class folder ({classes[0].name}); "
                           "classification needs at least two")
    files: list[tuple[Path, int]] = []
    for label, class_dir in enumerate(classes):
        found = image_files(class_dir)
        if not found:
            raise DatasetError(f"class folder {str(class_dir)!r} has no images ({', '.join(IMAGE_SUFFIXES)})")
        files.extend((p, label) for p in found)
    x = read_images([path for path, _ in files], input_shape, folder)
    y = np.asarray([label for _, label in files], "int64")
    train, test = _split(y, test_fraction, seed)
    if len(test) == 0:
        raise DatasetError(f"dataset folder {str(folder)!r} is too small to keep test images apart "
                           "(every class has one image)")
    return ImageData(x[train], y[train], x[test], y[test], [c.name for c in classes], str(folder),
                     {"test_fraction": test_fraction, "seed": seed})


def load(source: str | os.PathLike, input_shape, *, seed: int = 0, test_fraction: float | None = None) -> ImageData:
    """``"digits"`` (built in) or a folder per class, at ``input_shape``."""
    if os.fspath(source) == DIGITS:
        return digits(input_shape, seed=seed, **({} if test_fraction is None else {"test_fraction": test_fraction}))
    return image_folder(source, input_shape, seed=seed,
                        **({} if test_fraction is None else {"test_fraction": test_fraction}))


def check_classes(data: ImageData, num_classes: int) -> None:
    """A model with ``num_classes`` outputs must see exactly the dataset's classes."""
    if data.num_classes != num_classes:
        shown = ", ".join(data.class_names[:8]) + (", ..." if data.num_classes > 8 else "")
        raise DatasetError(f"{data.source} has {data.num_classes} classes ({shown}) but the model has "
                           f"num_classes={num_classes}; build it with num_classes={data.num_classes}")
