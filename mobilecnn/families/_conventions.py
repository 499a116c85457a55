"""Input conventions the classic nets share (``registry.Preprocessing`` presets)."""

from __future__ import annotations

from mobilecnn.registry import Preprocessing

# Caffe / keras.applications "caffe" mode: the ImageNet mean subtracted, no scaling. keras.applications
# subtracts (103.939, 116.779, 123.68) from BGR pixels; we keep RGB and turn its weights to RGB when copying.
CAFFE = Preprocessing(scale=1.0, offset=(-123.68, -116.779, -103.939),
                      description="pixels in [0, 255] RGB less the ImageNet mean (Caffe / keras.applications)")
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
TORCH = Preprocessing(scale=tuple(1.0 / (255.0 * s) for s in STD),
                      offset=tuple(-m / s for m, s in zip(MEAN, STD, strict=True)),
                      description="pixels in [0, 255] RGB, normalized with ImageNet mean and std (torchvision)")
# CIFAR-10 channel mean and std in pixels, as the Wide ResNet code normalizes.
CIFAR_MEAN, CIFAR_STD = (125.3, 123.0, 113.9), (63.0, 62.1, 66.7)
CIFAR = Preprocessing(scale=tuple(1.0 / s for s in CIFAR_STD),
                      offset=tuple(-m / s for m, s in zip(CIFAR_MEAN, CIFAR_STD, strict=True)),
                      description="pixels in [0, 255] RGB, normalized with CIFAR-10 mean and std")
SIGNED = Preprocessing(scale=1.0 / 127.5, offset=-1.0, description="pixels in [0, 255], scaled to [-1, 1]")
