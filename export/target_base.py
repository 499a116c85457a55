"""What every benchmark target is: the interface and its two errors (see ``targets.py``)."""

from __future__ import annotations

import os
from typing import Any


class TargetUsageError(ValueError):
    """The request cannot be run as asked (exit code 2 in the CLI)."""


class TargetError(RuntimeError):
    """The run failed (exit code 1 in the CLI)."""


class Target:
    """A place to time a model. ``measure`` returns one partial record per thread count:
    ``{"threads", "target", "latency_ms", "memory", "acceleration", "profile"}`` (see ``results.py``)."""

    name = "target"
    accelerators: tuple[str, ...] = ("cpu",)

    def describe(self) -> dict[str, Any]:
        raise NotImplementedError

    def check_accelerator(self, accelerator: str) -> None:
        if accelerator not in self.accelerators:
            raise TargetUsageError(f"target {self.name!r} runs accelerator(s) {', '.join(self.accelerators)}, "
                                   f"not {accelerator!r}" + self.accelerator_hint)

    accelerator_hint = ""

    def measure(self, path: str | os.PathLike, threads: list[int], accelerator: str = "cpu", runs: int = 50,
                warmup: int = 5) -> list[dict[str, Any]]:
        raise NotImplementedError

    def measure_files(self, paths: list[str | os.PathLike], threads: list[int], accelerator: str = "cpu",
                      runs: int = 50, warmup: int = 5) -> list[list[dict[str, Any]]]:
        """Several files (one model's precisions): one list of partials per file. Here one after the other; the
        local target interleaves them."""
        return [self.measure(path, threads, accelerator, runs, warmup) for path in paths]
