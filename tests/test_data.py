"""Datasets: the built-in digits at any input size, a folder per class, and clear errors for bad folders."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from mobilecnn import data


def test_digits_are_resized_split_and_reproducible():
    d = data.digits((32, 32, 3))
    assert d.x_train.shape[1:] == (32, 32, 3) and d.x_train.dtype == np.float32
    assert len(d.x_train) + len(d.x_test) == 1797 and len(d.x_test) == 450
    assert d.class_names == [str(i) for i in range(10)]
    assert 0 <= d.x_train.min() and d.x_train.max() <= 255 and d.x_train.max() > 200
    assert np.array_equal(d.x_train[..., 0], d.x_train[..., 2])  # grey in every channel
    assert set(np.unique(d.y_test)) == set(range(10))  # stratified
    again = data.digits((32, 32, 3))
    assert np.array_equal(again.y_test, d.y_test) and np.array_equal(again.x_test, d.x_test)
    assert not np.array_equal(data.digits((16, 16, 1), seed=1).y_test, data.digits((16, 16, 1)).y_test)


def write_folder(root, classes: dict[str, int], size=(20, 12)) -> None:
    rng = np.random.default_rng(0)
    for name, count in classes.items():
        (root / name).mkdir(parents=True)
        for i in range(count):
            pixels = rng.integers(0, 255, (*size[::-1], 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.png")


def test_image_folder(tmp_path):
    write_folder(tmp_path, {"cat": 5, "dog": 4, "emu": 3})
    d = data.image_folder(tmp_path, (16, 16, 1))
    assert d.class_names == ["cat", "dog", "emu"]
    x, _ = next(iter(d.training_data(4)))
    assert tuple(x.shape[1:]) == (16, 16, 1) and d.input_shape == (16, 16, 1)
    assert d.train_count + d.test_count == 12 and len(d.y_train) == d.train_count
    assert set(d.y_test) == {0, 1, 2}  # every class keeps a test image
    again = data.image_folder(tmp_path, (16, 16, 1))
    assert again.test_paths == d.test_paths and again.train_paths == d.train_paths  # a deterministic split
    data.check_classes(d, 3)
    with pytest.raises(data.DatasetError, match=r"has 3 classes \(cat, dog, emu\) but the model has num_classes=10"):
        data.check_classes(d, 10)


def test_image_folder_errors(tmp_path):
    with pytest.raises(data.DatasetError, match="does not exist"):
        data.image_folder(tmp_path / "nowhere", (16, 16, 3))
    with pytest.raises(data.DatasetError, match="no class folders"):
        data.image_folder(tmp_path, (16, 16, 3))
    write_folder(tmp_path, {"a": 2})
    with pytest.raises(data.DatasetError, match="one class folder"):
        data.image_folder(tmp_path, (16, 16, 3))
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "notes.txt").write_text("not an image")
    with pytest.raises(data.DatasetError, match=r"class folder '.*b' has no images"):
        data.image_folder(tmp_path, (16, 16, 3))
    (tmp_path / "b" / "broken.png").write_bytes(b"\x89PNG not really")
    (tmp_path / "b" / "empty.jpg").write_bytes(b"")
    with pytest.raises(data.DatasetError, match=r"2 unreadable image\(s\).*broken\.png.*empty\.jpg"):
        data.image_folder(tmp_path, (16, 16, 3))


def test_load_and_shapes():
    assert data.load("digits", (8, 8, 1)).x_test.shape[1:] == (8, 8, 1)
    with pytest.raises(data.DatasetError, match="1 or 3 channels"):
        data.digits((32, 32, 4))
