"""Weights downloaded on first use into a cache, checked before use, never half-written.

:func:`fetch` downloads ``url`` into ``cache_dir()/FILENAME`` (``MOBILECNN_CACHE`` overrides the folder,
default ``~/.cache/mobilecnn``), with a progress bar. The bytes go to a temporary file in the same folder;
it is hashed as it is written and renamed to its name only when complete and its SHA-256 matches, so an
interrupted, truncated or corrupt download never becomes a cache entry. A file already in the cache is
used without any request once its hash has been checked. Offline or unreachable, one
:class:`WeightsDownloadError` names the URL, the expected hash and where to put the file by hand.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

CACHE_ENV = "MOBILECNN_CACHE"
CHUNK = 1 << 20


class WeightsDownloadError(OSError):
    """A weights file could not be had: unreachable, truncated, or not the published file."""


def cache_dir() -> Path:
    """Where downloaded weights live: ``$MOBILECNN_CACHE``, else ``~/.cache/mobilecnn``."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "mobilecnn")


def parse_digest(expected: str) -> tuple[str, str]:
    """``"sha256:HEX"``, ``"md5:HEX"`` (keras.applications publishes MD5 for its older files) or bare SHA-256
    hex, to (algorithm, hex)."""
    algorithm, _, hexdigest = expected.rpartition(":")
    algorithm = algorithm.lower() or "sha256"
    if algorithm not in ("sha256", "md5"):
        raise ValueError(f"unknown hash algorithm {algorithm!r} in {expected!r}; allowed: sha256, md5")
    return algorithm, hexdigest.lower()


def sha256_of(path: str | os.PathLike, algorithm: str = "sha256") -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def hash_matches(actual: str, expected: str) -> bool:
    """``expected`` is a full hash or, as torchvision publishes SHA-256 in file names, its leading hex digits."""
    expected = parse_digest(expected)[1]
    return len(expected) >= 8 and actual.lower().startswith(expected)


def _by_hand(url: str, sha256: str, target: Path) -> str:
    algorithm, hexdigest = parse_digest(sha256)
    return (f"download {url} yourself ({algorithm.upper()} {hexdigest}...) and put it at {target}, or pass the "
            "file's path as weights=PATH")


def fetch(url: str, sha256: str, filename: str | None = None, *, folder: str | os.PathLike | None = None,
          progress: bool = True, timeout: float = 60.0) -> Path:
    """The local path of the file published at ``url`` with SHA-256 ``sha256`` (downloading it if needed)."""
    target = Path(folder or cache_dir()) / (filename or url.rstrip("/").rsplit("/", 1)[-1])
    algorithm = parse_digest(sha256)[0]
    if target.is_file():
        actual = sha256_of(target, algorithm)
        if hash_matches(actual, sha256):
            return target
        raise WeightsDownloadError(
            f"the cached {target} has {algorithm.upper()} {actual}, not the published {sha256}...: delete it to "
            f"download again, or {_by_hand(url, sha256, target)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                actual, received, expected_size = _download(url, out, progress, timeout, target.name, algorithm)
            except WeightsDownloadError as err:
                raise WeightsDownloadError(f"{err} {_by_hand(url, sha256, target).capitalize()}") from err
        if expected_size is not None and received != expected_size:
            raise WeightsDownloadError(
                f"{url}: the server sent {received:,} of {expected_size:,} bytes (connection cut?); nothing was "
                f"cached. Try again, or {_by_hand(url, sha256, target)}")
        if not hash_matches(actual, sha256):
            raise WeightsDownloadError(
                f"{url}: the downloaded file has {algorithm.upper()} {actual}, not the published {sha256}...; nothing "
                f"was cached. {_by_hand(url, sha256, target).capitalize()}")
        os.replace(tmp, target)
        return target
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _download(url: str, out, progress: bool, timeout: float, label: str, algorithm: str = "sha256"
              ) -> tuple[str, int, int | None]:
    digest, received = hashlib.new(algorithm), 0
    try:
        response = urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 (http(s) URLs from our table)
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as err:
        reason = getattr(err, "reason", err)
        raise WeightsDownloadError(f"could not reach {url} ({reason}); offline? Nothing was cached.") from err
    with response:
        length = response.headers.get("Content-Length")
        expected_size = int(length) if length and length.isdigit() else None
        bar = _bar(progress, expected_size, label)
        try:
            while True:
                try:
                    block = response.read(CHUNK)
                except (OSError, ValueError, http.client.HTTPException) as err:
                    raise WeightsDownloadError(f"{url}: the download broke off after {received:,} bytes ({err}); "
                                               "nothing was cached") from err
                if not block:
                    break
                out.write(block)
                digest.update(block)
                received += len(block)
                bar.advance(len(block))
        finally:
            bar.close()
    return digest.hexdigest(), received, expected_size


class _bar:
    """A rich progress bar on stderr (nothing when ``progress`` is off)."""

    def __init__(self, progress: bool, total: int | None, label: str):
        self._progress = self._task = None
        if progress:
            from rich.console import Console
            from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

            self._progress = Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                                      TransferSpeedColumn(), TimeRemainingColumn(),
                                      console=Console(stderr=True), transient=True)
            self._progress.start()
            self._task = self._progress.add_task(f"downloading {label}", total=total)

    def advance(self, n: int) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, n)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
