"""LeNet-5 learns scikit-learn's handwritten digits (8x8, upsampled to 32x32) to at least 97% test accuracy."""

from __future__ import annotations

import time

import keras
import numpy as np

import mobilecnn


def digits_32x32():
    """scikit-learn's 1,797 digits: 0..16 gray levels at 8x8, to [0, 255] at 32x32 (each pixel a 4x4 block)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = np.kron(digits.images, np.ones((4, 4)))[..., None] * (255.0 / 16.0)
    return train_test_split(x.astype("float32"), digits.target, test_size=0.25, random_state=0,
                            stratify=digits.target)


def test_lenet5_trains_on_digits():
    start = time.perf_counter()
    x_train, x_test, y_train, y_test = digits_32x32()
    keras.utils.set_random_seed(0)
    model = mobilecnn.build("lenet-5", num_classes=10)
    model.compile(keras.optimizers.Adam(2e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=32, epochs=12, verbose=0)
    accuracy = float(np.mean(np.argmax(model.predict(x_test, verbose=0), axis=1) == y_test))
    elapsed = time.perf_counter() - start
    assert accuracy >= 0.97, accuracy
    assert elapsed < 60, f"training took {elapsed:.0f} s"
