"""Atomic file writes: a temp file beside the target, then a rename. Never a half-written file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class OutputError(ValueError):
    """The output path cannot be used (missing directory, existing file without force)."""


def check_output(path: str | os.PathLike, force: bool = False) -> Path:
    """Refuse an output in a missing directory, or an existing file unless ``force``."""
    path = Path(path)
    if not path.parent.is_dir():
        raise OutputError(f"output directory {str(path.parent)!r} does not exist")
    if path.is_dir():
        raise OutputError(f"output path {str(path)!r} is a directory")
    if path.exists() and not force:
        raise OutputError(f"{str(path)!r} exists; pass --force (force=True) to overwrite it")
    return path


def write_atomic(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` via a temp file in the same directory and ``os.replace``."""
    path = Path(path)
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
        with os.fdopen(fd, mode) as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path
