"""Reading published checkpoints without PyTorch: ``.pth``/``.pt`` (PyTorch's zip format) and ``.safetensors``.

A PyTorch checkpoint is a pickle, and unpickling can call any function the file names. :func:`read_torch`
unpickles with :class:`RestrictedUnpickler`, which resolves only the globals that rebuilding tensors and
ordered dicts needs (:data:`ALLOWED_GLOBALS`) and refuses every other one, naming it, before anything is
called. Tensor data is read from the archive's raw storage records with NumPy. The legacy (pre-1.6) format
is refused with a message saying how to re-save the file.
"""

from __future__ import annotations

import collections
import io
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np


class CheckpointError(ValueError):
    """A file that is not a checkpoint we can read, or one that asks for something we refuse."""


# torch storage class -> the NumPy dtype of its elements (bfloat16 is widened to float32 on reading).
STORAGE_DTYPES = {
    "DoubleStorage": "<f8", "FloatStorage": "<f4", "HalfStorage": "<f2", "BFloat16Storage": "bfloat16",
    "LongStorage": "<i8", "IntStorage": "<i4", "ShortStorage": "<i2", "CharStorage": "i1",
    "ByteStorage": "u1", "BoolStorage": "?",
}
# (module, name) pairs a state dict's pickle may name: rebuilding tensors and parameters, the ordered
# dict that holds them, and the storage types. Nothing here runs code from the file.
ALLOWED_GLOBALS = frozenset({
    ("collections", "OrderedDict"),
    ("torch._utils", "_rebuild_tensor_v2"),
    ("torch._utils", "_rebuild_parameter"),
    ("torch", "Size"),
    *(("torch", name) for name in STORAGE_DTYPES),
})


class _Storage:
    """A storage record in the archive: its dtype and key (file ``data/KEY``)."""

    def __init__(self, dtype: str, key: str, archive: zipfile.ZipFile, prefix: str, path: str):
        self.dtype, self.key, self._archive, self._prefix, self._path = dtype, key, archive, prefix, path
        self._array: np.ndarray | None = None

    def array(self) -> np.ndarray:
        if self._array is None:
            name = f"{self._prefix}data/{self.key}"
            try:
                raw = self._archive.read(name)
            except KeyError as err:
                raise CheckpointError(f"{self._path}: storage {name!r} is missing (truncated file?)") from err
            if self.dtype == "bfloat16":
                words = np.frombuffer(raw, "<u2").astype(np.uint32) << 16
                self._array = words.view(np.float32)
            else:
                self._array = np.frombuffer(raw, self.dtype)
        return self._array


def _rebuild_tensor(storage: _Storage, offset: int, size, stride, *_unused) -> np.ndarray:
    flat = storage.array()
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if not size:
        return flat[offset].copy()
    needed = offset + sum((n - 1) * s for n, s in zip(size, stride, strict=True)) + 1
    if needed > flat.size:
        raise CheckpointError(f"a tensor of shape {size} needs {needed} elements, its storage holds {flat.size}")
    item = flat.itemsize
    return np.lib.stride_tricks.as_strided(flat[offset:], size, tuple(s * item for s in stride)).copy()


def _rebuild_parameter(data, requires_grad=None, backward_hooks=None, *_unused):
    return data


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only :data:`ALLOWED_GLOBALS` and refuses any other global by name."""

    def __init__(self, file, archive: zipfile.ZipFile, prefix: str, path: str):
        super().__init__(file)
        self._archive, self._prefix, self._path = archive, prefix, path
        self._storages: dict[str, _Storage] = {}

    def find_class(self, module: str, name: str):
        if (module, name) not in ALLOWED_GLOBALS:
            raise CheckpointError(
                f"{self._path} names the global {module}.{name}, which a weights file has no need for; refused "
                "(a checkpoint is a pickle, and this one would run code). Load only files you trust, and convert "
                "them to .safetensors.")
        if module == "collections":
            return collections.OrderedDict
        if name == "_rebuild_tensor_v2":
            return _rebuild_tensor
        if name == "_rebuild_parameter":
            return _rebuild_parameter
        if name == "Size":
            return tuple
        return STORAGE_DTYPES[name]  # a storage type: its dtype stands for it in persistent ids

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise CheckpointError(f"{self._path}: unexpected persistent id {pid!r:.80}")
        _, dtype, key, _location, _numel = pid[:5]
        if not isinstance(dtype, str) or dtype not in set(STORAGE_DTYPES.values()):
            raise CheckpointError(f"{self._path}: unsupported storage type {dtype!r}")
        key = str(key)
        if key not in self._storages:
            self._storages[key] = _Storage(dtype, key, self._archive, self._prefix, self._path)
        return self._storages[key]


def read_torch(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The tensors of a PyTorch checkpoint, by name, as NumPy arrays (a ``state_dict`` saved by ``torch.save``).

    Checkpoints that wrap the state dict (``{"state_dict": ...}``, ``{"model": ...}``) are unwrapped.
    """
    path = os.fspath(path)
    if not zipfile.is_zipfile(path):
        with open(path, "rb") as f:
            head = f.read(2)
        if head[:1] == b"\x80":
            raise CheckpointError(
                f"{path} is a PyTorch checkpoint in the legacy (pre-1.6) format, which we do not read. Re-save it "
                "where PyTorch is installed: torch.save(torch.load(path, weights_only=True), 'new.pth') (or "
                "safetensors.torch.save_file(state_dict, 'new.safetensors')).")
        raise CheckpointError(f"{path} is not a PyTorch zip checkpoint (truncated or another format?)")
    try:
        with zipfile.ZipFile(path) as archive:
            pickles = [n for n in archive.namelist() if n.endswith("data.pkl")]
            if len(pickles) != 1:
                raise CheckpointError(f"{path}: expected one data.pkl in the archive, found {len(pickles)}")
            prefix = pickles[0][: -len("data.pkl")]
            unpickler = RestrictedUnpickler(io.BytesIO(archive.read(pickles[0])), archive, prefix, path)
            obj = unpickler.load()
            tensors = _state_dict(obj, path)
            return {name: (value if isinstance(value, np.ndarray) else np.asarray(value))
                    for name, value in tensors.items()}
    except (zipfile.BadZipFile, EOFError, pickle.UnpicklingError) as err:
        raise CheckpointError(f"{path} could not be read ({err}): truncated or corrupt?") from err


def _state_dict(obj, path: str) -> dict:
    for key in ("state_dict", "model", "model_state_dict"):
        if isinstance(obj, dict) and key in obj and isinstance(obj[key], dict):
            obj = obj[key]
    if not isinstance(obj, dict) or not all(isinstance(k, str) for k in obj):
        raise CheckpointError(f"{path} does not hold a state dict (a mapping of tensor names to tensors)")
    return {k: v for k, v in obj.items() if isinstance(v, np.ndarray) or np.isscalar(v)}


def read_safetensors(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The tensors of a ``.safetensors`` file (the format holds no code), by name."""
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    try:
        return dict(load_file(os.fspath(path)))
    except (SafetensorError, OSError, ValueError) as err:
        raise CheckpointError(f"{os.fspath(path)} is not a readable .safetensors file: {err}") from err


def read_checkpoint(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Tensors from a ``.pth``/``.pt``/``.bin`` (PyTorch zip) or ``.safetensors`` file, chosen by content."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"no such checkpoint: {str(path)!r}")
    with open(path, "rb") as f:
        head = f.read(8)
    if head[:2] == b"PK":
        return read_torch(path)
    if path.suffix == ".safetensors" or (len(head) == 8 and int.from_bytes(head, "little") < path.stat().st_size):
        return read_safetensors(path)
    return read_torch(path)  # says why it cannot
