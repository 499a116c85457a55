"""Datasets for training: scikit-learn's handwritten digits (built in) and a folder per class of your images.

The digits come as :class:`ImageData`: [0, 255] float32 arrays at the model's
input size (``(N, H, W, C)``, C = 1 or 3), integer labels, class names. A
folder comes as :class:`FolderData`: the files listed once (and scanned, so an
unreadable one is named before any training), read by the streaming pipeline
of :mod:`mobilecnn.pipeline` as training and evaluation run, never all in
memory. Both have a fixed stratified train/test split (``seed``), so a run is
reproducible and the test images are never trained on (a ``validation``
folder given by the user is used as it is instead), and both answer the job's
questions the same way (:meth:`ImageData.test_batches`, ``calibration``, ...).
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


class _Split:
    """What both kinds of dataset say about themselves (their ``class_names``, ``y_train``, ``y_test``)."""

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def train_count(self) -> int:
        return len(self.y_train)

    @property
    def test_count(self) -> int:
        return len(self.y_test)

    def describe(self) -> str:
        return (f"{self.source}: {self.train_count} training and {self.test_count} test images, "
                f"{self.num_classes} classes, {'x'.join(map(str, self.input_shape))}")


@dataclass
class ImageData(_Split):
    """The digits: arrays in memory."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    source: str
    notes: dict = field(default_factory=dict)

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return tuple(int(d) for d in self.x_train.shape[1:])

    def training_data(self, batch_size: int, *, seed: int = 0, **_):
        """What :func:`mobilecnn.train` trains on: the arrays (it batches and shifts them itself)."""
        return self.x_train, self.y_train

    def validation_data(self, batch_size: int):
        return self.x_test, self.y_test

    def test_batches(self, batch_size: int = 256):
        """The test images, ``(images, labels)`` arrays batch by batch."""
        for i in range(0, self.test_count, batch_size):
            yield self.x_test[i:i + batch_size], self.y_test[i:i + batch_size]

    def calibration(self, count: int, seed: int = 0) -> np.ndarray:
        """``count`` training images at random (``seed``): int8 calibration."""
        return self.x_train[np.random.default_rng(seed).permutation(self.train_count)[:count]]


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


def _unreadable(bad: list[str], folder) -> DatasetError:
    listed = "; ".join(bad[:10]) + (f"; and {len(bad) - 10} more" if len(bad) > 10 else "")
    return DatasetError(f"{len(bad)} unreadable image(s) in {str(folder)!r}: {listed}")


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
        raise _unreadable(bad, folder)
    return np.stack(images).astype("float32")


def _check_file(path: Path) -> str | None:
    """Why ``path`` cannot be decoded (None: it can). Reads the whole file: a JPEG is decoded at 1/8 scale
    (Pillow's draft mode, a fraction of a full decode's time), so a truncated one is found too."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            if im.format == "JPEG":
                im.draft("RGB", (max(1, im.size[0] // 8), max(1, im.size[1] // 8)))
            im.load()
            if min(im.size) < 1:
                return "empty image"
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as err:
        return type(err).__name__
    return None


def scan(paths: list[Path], folder: str | os.PathLike, threads: int | None = None) -> None:
    """Raise a :class:`DatasetError` naming every file of ``paths`` that does not decode (before any training:
    the streaming pipeline would otherwise meet it mid-epoch). Threads: Pillow decodes outside the GIL."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=threads or min(8, os.cpu_count() or 1)) as pool:
        problems = list(pool.map(_check_file, paths, chunksize=64))
    bad = [f"{path} ({why})" for path, why in zip(paths, problems, strict=True) if why]
    if bad:
        raise _unreadable(bad, folder)


@dataclass
class FolderData(_Split):
    """A folder per class, listed and scanned once, read by :func:`mobilecnn.pipeline.folder_dataset` on the fly.

    ``crop_fraction`` is the evaluation crop (the job sets the weights' convention where known); ``cache``
    (a path) keeps decoded training images on disk after the first epoch.
    """

    train_paths: list[str]
    y_train: np.ndarray
    test_paths: list[str]
    y_test: np.ndarray
    class_names: list[str]
    source: str
    input_shape: tuple[int, int, int]
    notes: dict = field(default_factory=dict)
    crop_fraction: float = 0.875
    cache: str | None = None

    def training_data(self, batch_size: int, *, seed: int = 0, augment=None):
        """The training set as a batched, shuffled, augmented ``tf.data.Dataset``."""
        from mobilecnn.pipeline import folder_dataset

        return folder_dataset(self.train_paths, self.y_train, self.input_shape, batch_size=batch_size,
                              training=True, num_classes=self.num_classes, augment=augment, seed=seed,
                              crop_fraction=self.crop_fraction, cache=self.cache)

    def validation_data(self, batch_size: int):
        return self._evaluation(self.test_paths, self.y_test, batch_size)

    def _evaluation(self, paths, labels, batch_size: int):
        from mobilecnn.pipeline import folder_dataset

        return folder_dataset(paths, labels, self.input_shape, batch_size=batch_size, training=False,
                              num_classes=self.num_classes, crop_fraction=self.crop_fraction)

    def test_batches(self, batch_size: int = 256):
        """The test images (resized, centre-cropped: the same every time), ``(images, labels)`` arrays per batch."""
        yield from self.validation_data(batch_size).as_numpy_iterator()

    def calibration(self, count: int, seed: int = 0) -> np.ndarray:
        """``count`` training images at random (``seed``), centre-cropped as for evaluation: int8 calibration."""
        pick = np.sort(np.random.default_rng(seed).permutation(self.train_count)[:count])
        ds = self._evaluation([self.train_paths[i] for i in pick], self.y_train[pick], 64)
        return np.concatenate([x for x, _ in ds.as_numpy_iterator()])


def _class_folders(folder: Path) -> list[Path]:
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
    return classes


def _list(classes: list[Path], names: list[str] | None = None) -> tuple[list[Path], np.ndarray]:
    files: list[Path] = []
    labels: list[int] = []
    for class_dir in classes:
        found = image_files(class_dir)
        if not found and names is None:
            raise DatasetError(f"class folder {str(class_dir)!r} has no images ({', '.join(IMAGE_SUFFIXES)})")
        label = (names or [c.name for c in classes]).index(class_dir.name)
        files.extend(found)
        labels.extend([label] * len(found))
    return files, np.asarray(labels, "int64")


def image_folder(folder: str | os.PathLike, input_shape, *, test_fraction: float = 0.2, seed: int = 0,
                 validation: str | os.PathLike | None = None, crop_fraction: float = 0.875,
                 cache: str | os.PathLike | None = None) -> FolderData:
    """Images in ``folder/<class name>/...`` (one sub-folder per class, sorted by name), streamed at ``input_shape``.

    The files are listed once and scanned (:func:`scan`); nothing is read into memory. ``validation`` (a
    folder with the same class folders, or a subset of them) is the test set as it is; without it
    ``test_fraction`` of each class is kept apart (stratified, from ``seed``).
    Raises :class:`DatasetError` for a missing folder, no class folders, a
    class folder without images, or files that cannot be read as images (all
    of them named).
    """
    shape = _check_shape(input_shape)
    folder = Path(folder)
    classes = _class_folders(folder)
    names = [c.name for c in classes]
    files, y = _list(classes)
    if validation is not None:
        validation = Path(validation)
        val_classes = _class_folders(validation)
        unknown = sorted(c.name for c in val_classes if c.name not in names)
        if unknown:
            raise DatasetError(f"validation folder {str(validation)!r} has class folder(s) {', '.join(unknown)} "
                               f"that {str(folder)!r} has not")
        val_files, y_val = _list(val_classes, names)
        if not val_files:
            raise DatasetError(f"validation folder {str(validation)!r} has no images")
        scan(files, folder)
        scan(val_files, validation)
        train_paths, y_train, test_paths, y_test = [str(p) for p in files], y, [str(p) for p in val_files], y_val
    else:
        scan(files, folder)
        train, test = _split(y, test_fraction, seed)
        if len(test) == 0:
            raise DatasetError(f"dataset folder {str(folder)!r} is too small to keep test images apart "
                               "(every class has one image)")
        train_paths, test_paths = [str(files[i]) for i in train], [str(files[i]) for i in test]
        y_train, y_test = y[train], y[test]
    from mobilecnn.pipeline import check_crop_fraction

    return FolderData(train_paths, y_train, test_paths, y_test, names, str(folder), shape,
                      {"test_fraction": None if validation is not None else test_fraction, "seed": seed,
                       "validation": None if validation is None else str(validation)},
                      crop_fraction=check_crop_fraction(crop_fraction),
                      cache=None if cache is None else os.fspath(cache))


def load(source: str | os.PathLike, input_shape, *, seed: int = 0, test_fraction: float | None = None,
         **folder_options) -> ImageData | FolderData:
    """``"digits"`` (built in) or a folder per class, at ``input_shape``; ``folder_options`` (``validation``,
    ``crop_fraction``, ``cache``) go to :func:`image_folder`."""
    fraction = {} if test_fraction is None else {"test_fraction": test_fraction}
    if os.fspath(source) == DIGITS:
        given = sorted(k for k, v in folder_options.items() if v is not None)
        if given:
            raise DatasetError(f"{', '.join(given)} apply to image folders, not to the built-in digits")
        return digits(input_shape, seed=seed, **fraction)
    return image_folder(source, input_shape, seed=seed, **fraction,
                        **{k: v for k, v in folder_options.items() if v is not None})


def check_classes(data: ImageData | FolderData, num_classes: int) -> None:
    """A model with ``num_classes`` outputs must see exactly the dataset's classes."""
    if data.num_classes != num_classes:
        shown = ", ".join(data.class_names[:8]) + (", ..." if data.num_classes > 8 else "")
        raise DatasetError(f"{data.source} has {data.num_classes} classes ({shown}) but the model has "
                           f"num_classes={num_classes}; build it with num_classes={data.num_classes}")
