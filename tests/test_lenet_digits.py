"""LeNet-5 learns scikit-learn's handwritten digits (8x8, upsampled to 32x32): test accuracy at three seeds."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import mobilecnn

# The bar and its noise: the test set has 450 images (one image is 0.22 points). Measured here with this recipe,
# seeds 0-4 reach 436-439 of 450 (96.9-97.6%; 437, 439, 436, 438, 439); the old bar of 97% (437 images) passed
# at seed 0 by one image and failed at seed 2. The bar is 96% (432 images), 4 images under the least of the five,
# so seed-to-seed variation (3 images) does not decide the test, while a model that learns less does.
BAR = 0.96


def digits_32x32():
    """scikit-learn's 1,797 digits: 0..16 gray levels at 8x8, to [0, 255] at 32x32 (each pixel a 4x4 block)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = np.kron(digits.images, np.ones((4, 4)))[..., None] * (255.0 / 16.0)
    return train_test_split(x.astype("float32"), digits.target, test_size=0.25, random_state=0,
                            stratify=digits.target)


@pytest.mark.parametrize("seed", [0, pytest.param(1, marks=pytest.mark.slow), pytest.param(2, marks=pytest.mark.slow)])
def test_lenet5_trains_on_digits(seed):
    x_train, x_test, y_train, y_test = digits_32x32()
    assert len(y_test) == 450
    keras.utils.set_random_seed(seed)
    model = mobilecnn.build("lenet-5", num_classes=10)
    model.compile(keras.optimizers.Adam(2e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=32, epochs=12, verbose=0)
    accuracy = float(np.mean(np.argmax(model.predict(x_test, verbose=0), axis=1) == y_test))
    assert accuracy >= BAR, f"{accuracy:.4f} ({round(accuracy * 450)} of 450) at seed {seed}"
