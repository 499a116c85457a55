"""The model registry: canonical names, fixed arguments, defaults and reference figures.

Each family module registers its variants with :func:`register` at import time.
Look-up ignores case, ``-``, ``_``, ``.`` and spaces, so ``ResNet50``,
``resnet_50`` and ``resnet-50`` are one model. Reference figures (parameters,
MACs) live here, in one table that tests and docs both read.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Reference:
    """Published figures for a model at its default options and 1000 classes."""

    params: int | None = None            # total parameters of the reference implementation
    params_source: str = ""
    params_tolerance: float = 0.0        # relative; 0 means exactly equal (only approximate sources get more)
    trainable: int | None = None
    macs: float | None = None            # multiply-accumulates, batch 1
    macs_source: str = ""
    top1: float | None = None            # published top-1 accuracy (%) of the reference weights
    top1_source: str = ""                # where it is published, the dataset and the resolution it holds at


@dataclass(frozen=True)
class Preprocessing:
    """The input convention: pixels in [0, 255] RGB are mapped to ``x * scale + offset``.

    ``scale`` and ``offset`` are scalars or per-channel lists. A model built with
    ``include_preprocessing=True`` (the default) does this itself; with ``False``
    the caller must.
    """

    scale: float | tuple[float, ...] = 1.0 / 127.5
    offset: float | tuple[float, ...] = -1.0
    description: str = "pixels in [0, 255] RGB, scaled to [-1, 1]"


@dataclass(frozen=True)
class ModelEntry:
    """One registered model name."""

    name: str
    family: str
    builder: Callable[..., Any]
    resolution: int                       # default square input size
    paper: str
    fixed: Mapping[str, Any] = field(default_factory=dict)      # arguments this name fixes
    options: Mapping[str, Any] = field(default_factory=dict)    # family options and defaults
    allowed: Mapping[str, str] = field(default_factory=dict)    # option -> the values it takes, in words
    channels: int = 3
    min_resolution: int = 32
    dropout_rate: float = 0.0
    preprocessing: Preprocessing = Preprocessing()
    reference: Reference = Reference()
    keras_application: str | None = None  # keras.applications constructor with the same weights layout
    keras_application_args: Mapping[str, str] = field(default_factory=dict)  # our option -> its argument
    keras_application_options: Mapping[str, Any] = field(default_factory=dict)  # our options its graph needs
    keras_application_bgr: bool = False   # its weights take BGR (Caffe) input; copying flips the first conv
    num_classes: int = 1000               # default classifier outputs
    labels: str = "imagenet"              # what the default classes are
    resolution_rule: Callable[[Mapping[str, Any]], int] | None = None  # default size from family options

    def default_resolution(self, family_options: Mapping[str, Any]) -> int:
        """The default input size, which some families derive from their options."""
        if self.resolution_rule is not None:
            return self.resolution_rule({**family_options, **self.fixed})
        return self.resolution

    def __post_init__(self) -> None:
        object.__setattr__(self, "fixed", MappingProxyType(dict(self.fixed)))
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))
        object.__setattr__(self, "allowed", MappingProxyType(dict(self.allowed)))
        object.__setattr__(self, "keras_application_args",
                           MappingProxyType(dict(self.keras_application_args)))
        object.__setattr__(self, "keras_application_options",
                           MappingProxyType(dict(self.keras_application_options)))


# The efficiency-focused lineage (the rest of the zoo is the classic nets). The zoo benchmark holds their int8
# exports to at most 1.25x their float32 latency (benchmarks/zoo.py).
EFFICIENT_FAMILIES = frozenset({
    "mobilenet-v1", "mobilenet-v2", "mobilenet-v3", "mobilenet-v4", "shufflenet-v1", "shufflenet-v2", "squeezenet",
    "mnasnet", "efficientnet", "efficientnet-lite", "efficientnet-v2"})

_REGISTRY: dict[str, ModelEntry] = {}
_KEYS: dict[str, str] = {}


def normalize(name: str) -> str:
    """The look-up key of a name: lowercase, without ``-``, ``_``, ``.`` or spaces."""
    return re.sub(r"[-_.\s]", "", name.lower())


def register(entry: ModelEntry) -> ModelEntry:
    """Add ``entry``; a name (or a name that normalizes the same) may be taken once."""
    if entry.name != entry.name.lower() or " " in entry.name:
        raise ValueError(f"registered names are lowercase and hyphenated, got {entry.name!r}")
    key = normalize(entry.name)
    if key in _KEYS:
        raise ValueError(f"model {entry.name!r} is already registered (as {_KEYS[key]!r})")
    _KEYS[key] = entry.name
    _REGISTRY[entry.name] = entry
    return entry


def _natural_key(name: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def list_models(pattern: str = "*") -> list[str]:
    """Registered names matching a shell-style ``pattern``, in natural order (b2 before b10)."""
    _load_families()
    pattern = pattern.lower()
    names = [n for n in _REGISTRY if fnmatch.fnmatchcase(n, pattern)]
    if not names:  # allow "resnet50*" or "MobileNet_V2" style patterns
        names = [n for n in _REGISTRY if fnmatch.fnmatchcase(normalize(n), normalize(pattern) or "*")]
    return sorted(names, key=_natural_key)


def get(name: str) -> ModelEntry:
    """The entry for ``name``; an unknown name raises with the closest known names."""
    _load_families()
    if not isinstance(name, str):
        raise TypeError(f"model name must be a string, got {type(name).__name__}")
    key = normalize(name)
    if key in _KEYS:
        return _REGISTRY[_KEYS[key]]
    close = difflib.get_close_matches(key, list(_KEYS), n=5, cutoff=0.5)
    suggestions = [_KEYS[c] for c in close]
    prefix = [n for n in sorted(_REGISTRY, key=_natural_key) if normalize(n).startswith(key[:6])]
    for n in prefix:
        if n not in suggestions and len(suggestions) < 5:
            suggestions.append(n)
    hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
    raise ValueError(
        f"Unknown model {name!r}.{hint} mobilecnn.list_models() (or `mobilecnn list`) "
        f"shows all {len(_REGISTRY)} models."
    )


def entries() -> list[ModelEntry]:
    """Every registered entry, in natural name order."""
    return [_REGISTRY[n] for n in list_models()]


def _load_families() -> None:
    # Families register themselves on import; importing the package imports them all.
    import mobilecnn.families  # noqa: F401
