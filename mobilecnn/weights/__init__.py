"""Published weights: checkpoint readers that run no code from the file, downloads into a checked cache, and
PyTorch-to-Keras tensor layouts.

- :mod:`~mobilecnn.weights.checkpoint`: ``.pth``/``.pt`` (PyTorch's zip format, read with a restricted
  unpickler) and ``.safetensors``, to NumPy arrays by tensor name, without PyTorch.
- :mod:`~mobilecnn.weights.download`: :func:`fetch` into ``$MOBILECNN_CACHE`` (SHA-256 checked, atomic).
- :mod:`~mobilecnn.weights.layout`: OIHW -> HWIO, depthwise, linear.
"""

from mobilecnn.weights.checkpoint import CheckpointError, read_checkpoint, read_safetensors, read_torch
from mobilecnn.weights.download import WeightsDownloadError, cache_dir, fetch, sha256_of

__all__ = ["read_checkpoint", "read_torch", "read_safetensors", "CheckpointError", "fetch", "cache_dir",
           "sha256_of", "WeightsDownloadError"]
