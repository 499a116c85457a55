"""PyTorch reference models for the weight-parity tests (torch, torchvision and timm are test extras only).

torchvision's wheels link CUDA libraries, so its C extension does not load beside the CPU build of torch
that CI installs; ``import torchvision`` then fails registering fake kernels for two operators the
extension would have defined. :func:`torchvision` defines their schemas first (nothing here calls them:
they are detection ops), after which the model constructors, pure Python, work.
"""

from __future__ import annotations

import contextlib
import functools
import os

import numpy as np
import pytest


@functools.cache
def torch():
    t = pytest.importorskip("torch", reason="PyTorch is a test extra: pip install -e '.[dev]'")
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # As conftest does for TensorFlow: under -n N each worker gets its share of the cores (PyTorch's pool,
        # sized for all of them in each worker, made the workers contend).
        workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
        t.set_num_threads(max(1, (os.cpu_count() or 1) // workers))
    return t


@functools.cache
def torchvision():
    t = torch()
    lib = t.library.Library("torchvision", "DEF")
    lib.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    lib.define("qnms(Tensor qdets, Tensor qscores, float det_scale, int det_zero_point, float iou_threshold) "
               "-> Tensor")
    torchvision._library = lib  # keep the definitions alive
    import torchvision as tv

    return tv


@functools.cache
def timm():
    torchvision()
    import timm as tm

    return tm


def randomized(module, resolution: int, seed: int = 0):
    """``module`` in float64 eval mode with batch-norm statistics measured on random images and random
    scales/offsets: an untrained model whose outputs depend on its input (so a comparison can fail)."""
    t = torch()
    t.manual_seed(seed)
    module = module.double()
    norms = [m for m in module.modules() if isinstance(m, t.nn.modules.batchnorm._BatchNorm)]
    with t.no_grad():
        for m in norms:
            m.reset_running_stats()
            m.momentum = None  # cumulative average: one pass sets the batch's statistics
            m.weight.uniform_(0.5, 1.0)
            m.bias.uniform_(-0.1, 0.1)
        module.train()
        module(t.rand(4, 3, resolution, resolution, dtype=t.float64) * 4 - 2)
    for m in norms:
        m.momentum = 0.1
    return module.eval()


def save(module, path: str | os.PathLike) -> str:
    """``torch.save(module.state_dict(), path)``: the file a user downloads (zip format, real pickle)."""
    torch().save(module.state_dict(), os.fspath(path))
    return os.fspath(path)


def save_safetensors(module, path: str | os.PathLike) -> str:
    from safetensors.torch import save_file

    save_file({k: v.contiguous() for k, v in module.state_dict().items()}, os.fspath(path))
    return os.fspath(path)


def forward(module, images: np.ndarray, mean, std, dtype: str = "float64") -> np.ndarray:
    """``module`` on [0, 255] NHWC ``images``, normalized as its weights expect (in float64, then ``dtype``)."""
    t = torch()
    x = ((np.asarray(images, "float64") / 255.0 - np.asarray(mean)) / np.asarray(std)).astype(dtype)
    with t.no_grad():
        out = module(t.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))))
    return out.numpy().astype("float64")


@contextlib.contextmanager
def exact_rescaling():
    """Inside the block, Keras 3's ``Rescaling`` applies its constants in the layer's dtype.

    Its ``call`` casts the Python-float ``scale``/``offset`` with ``backend.cast``, which makes a float32
    tensor first: in a float64 model the constants are float32-rounded (3e-8 relative for 1/6). This changes
    nothing in float32 models; it lets a float64 comparison see the architecture alone.
    """
    from keras.src.layers.preprocessing import rescaling

    original = rescaling.Rescaling.call

    def call(self, inputs):
        dtype = self.compute_dtype
        scale = self.backend.cast(np.asarray(self.scale, dtype), dtype)
        offset = self.backend.cast(np.asarray(self.offset, dtype), dtype)
        return self.backend.cast(inputs, dtype) * scale + offset

    rescaling.Rescaling.call = call
    try:
        yield
    finally:
        rescaling.Rescaling.call = original
