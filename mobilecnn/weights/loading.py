"""``mobilecnn.build(name, weights=...)``: which file, which conventions, and copying it in.

``weights`` is ``"imagenet"`` (the first source of :data:`~mobilecnn.weights.sources.PUBLISHED` that publishes
weights for the model at the asked options), ``"imagenet:SOURCE"`` or a local file: one of our Keras weights
files (``.weights.h5``), a keras.applications ``.h5``, a PyTorch ``.pth``/``.pt`` or a ``.safetensors``. A
local PyTorch-format file's source is ``weights_source=`` or recognised from its tensor names; its
conventions are that source's. :func:`plan_weights` settles all of it (and downloads, if it must) before the
model is built, so a bad request fails before any work.
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass
from typing import Any

from mobilecnn.registry import ModelEntry
from mobilecnn.weights import sources
from mobilecnn.weights.conventions import Conventions
from mobilecnn.weights.sources import SOURCES, Published

IMAGENET_CLASSES = 1000
TORCH_FORMATS = ("pth", "safetensors")
GENERIC_FILENAMES = ("model.safetensors", "pytorch_model.bin")
# timm names its stems and stages so; torchvision's models name theirs features.N / conv1 / layerN.
TIMM_KEYS = ("conv_stem.", "blocks.", "stem.", "stages.", "conv_head.", "layer0.")


@dataclass
class WeightsPlan:
    """What :func:`mobilecnn.build` loads, from where, and how the model must compute for it."""

    entry: ModelEntry
    path: str
    format: str                      # "keras", "h5" (keras.applications), "pth" or "safetensors"
    source: str                      # "keras.applications", "torchvision", "timm" or "file"
    conventions: Conventions | None
    classifier: str                  # "copy", "headless" or "fresh"
    family_options: dict[str, Any]
    row: Published | None = None
    state: dict | None = None        # the file's tensors, when planning already read them

    def load(self, model) -> None:
        """Copy the file's weights into ``model`` (built with :attr:`conventions`)."""
        if self.format == "keras":
            try:
                model.load_weights(self.path)
            except (ValueError, OSError) as err:
                raise ValueError(f"could not load weights from {self.path!r} into {self.entry.name}: {err}") from err
        elif self.format == "h5":
            from mobilecnn.keras_applications import load_keras_applications_weights

            load_keras_applications_weights(model, self.path, self.entry.name, classifier=self.classifier,
                                            **self.family_options)
        else:
            from mobilecnn.weights.checkpoint import read_checkpoint
            from mobilecnn.weights.torch_port import PortError, port

            state, self.state = (self.state if self.state is not None else read_checkpoint(self.path)), None
            try:
                port(model, state, family=self.entry.family, classifier=self.classifier,
                     in_order=self.format == "pth")
            except PortError as err:
                raise ValueError(f"{self.path} does not fit {self.entry.name}: {err}") from err
        model._mobilecnn_weights = self.record()

    def record(self) -> dict[str, Any]:
        """What the export sidecar and ``info`` say about these weights."""
        record = {"source": self.source, "file": os.path.basename(self.path), "format": self.format,
                  "classifier": self.classifier,
                  "labels": "imagenet" if self.classifier == "copy" and self.source != "file" else None,
                  "conventions": self.conventions.as_dict() if self.conventions else None}
        if self.row is not None:
            published = self.row.as_dict()
            # The ones the model was built with are above; the evaluation crop is the published one.
            record["crop_fraction"] = published.pop("conventions")["crop_fraction"]
            record.update({k: v for k, v in published.items() if k not in ("source", "format", "options")})
        return record


def cache_name(row: Published) -> str:
    """The file's name in the cache: the source's file name, with the weights' name where that is generic
    (every timm file on the hub is ``model.safetensors``)."""
    name = row.filename
    if name in GENERIC_FILENAMES:
        name = f"{re.sub(r'[^A-Za-z0-9._-]+', '_', row.source_name)}-{name}"
    return f"{row.source}-{name}"


def published_for(name: str) -> list[Published]:
    """Every published weights file for the registered model ``name`` (the default of each source first)."""
    return [row for row in sources.PUBLISHED if row.model == name]


def conventions_of(row: Published) -> Conventions:
    mean, std = (row.mean, row.std) if row.mean is not None else (None, None)
    return Conventions(padding=row.padding, bn_epsilon=row.bn_epsilon, mean=mean, std=std,
                       source=f"{row.source} {row.source_name}")


def _matches(row: Published, entry: ModelEntry, given: dict[str, Any]) -> bool:
    """The row's options are the model's effective options (family defaults, what the name fixes, given)."""
    effective = {**entry.options, **entry.fixed, **given}
    for key, value in row.options.items():
        if key == "resolution":
            continue  # a preference: any resolution runs these nets
        if effective.get(key) != value:
            return False
    for key, default in entry.options.items():
        if key not in row.options and key in given and given[key] != default and _weight_shaping(key):
            return False
    return True


def _weight_shaping(option: str) -> bool:
    """Options that change the weights' shapes or meaning (others, like drop rates, do not)."""
    return not any(word in option for word in ("drop", "dropout", "decompose"))


def choose(entry: ModelEntry, source: str | None, given: dict[str, Any], resolution: int | None = None
           ) -> Published:
    """The published row for ``entry`` at the options ``given`` (and from ``source``, if named)."""
    if source is not None and source not in SOURCES:
        raise ValueError(f"unknown weights source {source!r}; sources: {', '.join(SOURCES)}")
    rows = published_for(entry.name)
    if not rows:
        with_weights = sorted({row.model for row in sources.PUBLISHED})
        raise ValueError(f"no published ImageNet weights for {entry.name}. Models with weights: "
                         f"{', '.join(with_weights)}")
    if source is not None:
        from_source = [row for row in rows if row.source == source]
        if not from_source:
            have = sorted({row.source for row in rows})
            raise ValueError(f"{source} publishes no weights for {entry.name}; use weights='imagenet:{have[0]}' "
                             f"(sources for it: {', '.join(have)})")
        rows = from_source
    fitting = [row for row in rows if _matches(row, entry, given)]
    if not fitting:
        offered = "; ".join(sorted({f"{row.source} with {dict(row.options) or 'the default options'}"
                                    for row in rows}))
        raise ValueError(f"no published weights for {entry.name} with {given}: published are {offered}")
    if source is None and any(row.digest for row in fitting):
        fitting = [row for row in fitting if row.digest]  # a file we can check before we use it
    if resolution is not None:
        exact = [row for row in fitting if row.options.get("resolution", row.resolution) == resolution]
        if exact:
            return exact[0]
    default = [row for row in fitting if "resolution" not in row.options
               or row.options["resolution"] == entry.default_resolution({**entry.options, **given})]
    return (default or fitting)[0]


def _file_format(path: str) -> str:
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"\x89HDF"):
        return "keras" if path.endswith(".weights.h5") else "h5"
    if head[:2] == b"PK":
        return "pth"
    if path.endswith(".safetensors") or (len(head) == 8 and int.from_bytes(head, "little") < os.path.getsize(path)):
        return "safetensors"
    return "pth"  # the reader says why it cannot


def _guess_source(entry: ModelEntry, keys: list[str], fmt: str) -> str:
    if any(k.startswith(TIMM_KEYS) for k in keys) or fmt == "safetensors":
        sources = {row.source for row in published_for(entry.name)}
        if "timm" in sources or "torchvision" not in sources:
            return "timm"
    return "torchvision"


def plan_weights(entry: ModelEntry, weights: str, weights_source: str | None, net, family_options: dict[str, Any]
                 ) -> WeightsPlan:
    """Settle where ``weights`` come from and what the model must compute for them (see the module doc)."""
    from mobilecnn.weights.download import fetch

    given = {k: v for k, v in family_options.items() if entry.options.get(k) != v}
    if not net.include_top:
        classifier = "headless"
    elif net.num_classes != IMAGENET_CLASSES:
        classifier = "fresh"
    else:
        classifier = "copy"
    if weights == "imagenet" or weights.startswith("imagenet:"):
        source = weights.partition(":")[2] or weights_source
        row = choose(entry, source, given, net.input_shape[0])
        if not row.digest:
            raise ValueError(
                f"{row.source} publishes no checksum for {row.url}, so it is not downloaded automatically: "
                f"download it yourself and pass its path, weights='{row.filename}'")
        path = str(fetch(row.url, row.digest, cache_name(row)))
        conventions = conventions_of(row) if row.format in TORCH_FORMATS or row.mean is not None else None
        plan = WeightsPlan(entry, path, "h5" if row.format == "h5" else row.format, row.source, conventions,
                           classifier, dict(family_options), row)
    else:
        path = weights
        fmt = _file_format(path)
        state = None
        if fmt in ("keras", "h5"):
            source, conventions, row = ("file" if fmt == "keras" else "keras.applications"), None, None
        else:
            from mobilecnn.weights.checkpoint import read_checkpoint

            state = read_checkpoint(path) if weights_source is None else None   # read once: kept for load()
            source = weights_source or _guess_source(entry, list(state), fmt)
            if source not in ("torchvision", "timm"):
                raise ValueError(f"a PyTorch-format file comes from torchvision or timm; weights_source={source!r}")
            rows = [r for r in published_for(entry.name) if r.source == source and _matches(r, entry, given)]
            row = rows[0] if rows else None
            conventions = conventions_of(row) if row else Conventions(
                padding="symmetric", bn_epsilon=1e-5, mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225),
                source=f"{source} (PyTorch defaults)")
        plan = WeightsPlan(entry, path, fmt, source, conventions, classifier, dict(family_options), row, state)
    if classifier == "fresh":
        warnings.warn(f"{entry.name}: the {plan.source} weights have a {IMAGENET_CLASSES}-class classifier; "
                      f"loading the backbone and initialising a new {net.num_classes}-class classifier",
                      UserWarning, stacklevel=3)
    return plan
