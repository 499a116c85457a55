"""From a name and options to a model: option checking and the parts every model shares.

:func:`build` checks the options against the registry entry, then calls the
family builder with a :class:`Network`, which owns the input, the optional
preprocessing, pooling without a top, and the final ``Model``. Family builders
only walk their block table and write their classifier head.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from mobilecnn import registry
from mobilecnn.flavours import FLAVOURS, keras_module, layers_for
from mobilecnn.registry import ModelEntry, Preprocessing

COMMON_DEFAULTS: dict[str, Any] = {
    "num_classes": 1000,
    "include_top": True,
    "pooling": None,
    "input_shape": None,
    "resolution": None,
    "resolution_multiplier": None,
    "classifier_activation": "softmax",
    "dropout_rate": None,          # None: the family's default
    "weights": None,
    "weights_source": None,
    "conventions": None,
    "name": None,
    "include_preprocessing": True,
    "batch_size": None,
    "flavour": "keras",
}

# What each common option takes, in words (``mobilecnn info`` shows it beside a family's own options).
COMMON_ALLOWED: dict[str, str] = {
    "num_classes": "a positive integer",
    "include_top": "True or False",
    "pooling": "None, 'avg' or 'max' (include_top=False only)",
    "input_shape": "(height, width, channels)",
    "resolution": "an integer or (height, width), at least the model's minimum",
    "resolution_multiplier": "a positive number (scales the default resolution)",
    "classifier_activation": "a Keras activation name, a callable, or None for logits",
    "dropout_rate": "a number in [0, 1)",
    "weights": "None, 'imagenet', 'imagenet:SOURCE' (keras.applications, torchvision, timm) or a weights file's path",
    "weights_source": "None or the source a weights file comes from (keras.applications, torchvision, timm)",
    "conventions": "None, a mobilecnn.weights.Conventions or a dict of padding, bn_epsilon, mean, std, source",
    "name": "a string",
    "include_preprocessing": "True or False",
    "batch_size": "None or a positive integer",
    "flavour": "'keras' or 'tf_keras'",
}


def allowed_values(entry: ModelEntry, option: str, default: Any) -> str:
    """The values ``option`` takes for ``entry``, in words: the family's statement, the common table, or
    what the default's type implies."""
    if option in entry.allowed:
        return entry.allowed[option]
    if option in COMMON_ALLOWED:
        return COMMON_ALLOWED[option]
    if isinstance(default, bool):
        return "True or False"
    if isinstance(default, float):
        return "a positive number"
    if isinstance(default, int):
        return "a positive integer"
    return ""


@dataclass(frozen=True)
class BuildRecord:
    """The registered name and options a model was built from, so tools can rebuild it (e.g. in tf_keras)."""

    name: str
    options: Mapping[str, Any]

    def rebuild(self, **overrides: Any):
        """The same model built again (fresh weights), with ``overrides`` applied to the options."""
        return build(self.name, **{**self.options, **overrides})


def build_record(model) -> BuildRecord:
    """How ``model`` was built: its :class:`BuildRecord`, or a ``ValueError`` saying how to get one."""
    record = getattr(model, "_mobilecnn_build", None)
    if not isinstance(record, BuildRecord):
        raise ValueError(
            f"model {getattr(model, 'name', model)!r} was not built by mobilecnn.build in this process (a model "
            "loaded from a file, or a copy made by clone_model, does not record its name and options). Build it "
            "with mobilecnn.build(name, **options) and copy the weights in (model.set_weights(...) or "
            "model.load_weights(path)).")
    return record


@dataclass
class Network:
    """What a family builder needs to know besides its own options."""

    entry: ModelEntry
    input_shape: tuple[int, int, int]
    num_classes: int
    include_top: bool
    pooling: str | None
    classifier_activation: Any
    dropout_rate: float
    include_preprocessing: bool
    batch_size: int | None
    flavour: str
    name: str | None
    preprocessing: Preprocessing | None = None   # None: the entry's (weights' conventions may set another)

    @property
    def keras(self):
        return keras_module(self.flavour)

    def input(self):
        """The image input, ``(batch, height, width, channels)``."""
        return self.keras.Input(shape=self.input_shape, batch_size=self.batch_size, name="input_layer")

    def preprocess(self, x):
        """Map [0, 255] pixels to the range the weights expect (a weightless ``Rescaling``)."""
        if not self.include_preprocessing:
            return x
        p = self.preprocessing or self.entry.preprocessing
        scale = list(p.scale) if isinstance(p.scale, tuple) else p.scale
        offset = list(p.offset) if isinstance(p.offset, tuple) else p.offset
        return layers_for(x).Rescaling(scale, offset=offset, name="rescaling")(x)

    def pool(self, x, prefix: str = ""):
        """Global pooling for a headless model, as ``pooling`` asks."""
        L = layers_for(x)
        if self.pooling == "avg":
            return L.GlobalAveragePooling2D(name=f"{prefix}avg_pool")(x)
        if self.pooling == "max":
            return L.GlobalMaxPooling2D(name=f"{prefix}max_pool")(x)
        return x

    def head(self, x, *, pool_name: str = "avg_pool", dropout_name: str = "top_dropout",
             dense_name: str = "predictions", **dense_kwargs):
        """The classifier every family ends with: global average pooling, dropout, dense with the classifier
        activation. A headless model gets the pooling ``pooling`` asks for instead. The layer names are the
        family's (keras.applications' where weights transfer)."""
        if not self.include_top:
            return self.pool(x)
        L = layers_for(x)
        x = L.GlobalAveragePooling2D(name=pool_name)(x)
        x = self.dropout(x, name=dropout_name)
        return L.Dense(self.num_classes, activation=self.classifier_activation, name=dense_name, **dense_kwargs)(x)

    def flat_head(self, x, units, names, *, act: str = "relu"):
        """The classic nets' classifier: flatten, fully connected layers (each with its activation and
        dropout), dense with the classifier activation; a headless model gets the pooling ``pooling`` asks for."""
        if not self.include_top:
            return self.pool(x)
        from mobilecnn.blocks.classic import dense_stack

        L = layers_for(x)
        x = L.Flatten(name="flatten")(x)
        x = dense_stack(x, units, names, act=act, dropout=self.dropout_rate)
        return L.Dense(self.num_classes, activation=self.classifier_activation, name="predictions")(x)

    def dropout(self, x, name: str = "top_dropout"):
        if self.dropout_rate > 0:
            return layers_for(x).Dropout(self.dropout_rate, name=name)(x)
        return x

    def model(self, inputs, outputs, default_name: str):
        return self.keras.Model(inputs, outputs, name=self.name or default_name)


def build(name: str, /, **options: Any):
    """Build a registered model by name; see ``mobilecnn.list_models()`` for names.

    Options common to every model: ``num_classes``, ``include_top``,
    ``pooling`` (None, "avg" or "max"; headless models only), ``input_shape``
    or ``resolution`` (or ``resolution_multiplier``), ``classifier_activation``,
    ``dropout_rate``, ``weights`` (``"imagenet"``, ``"imagenet:SOURCE"`` or a weights file's path),
    ``weights_source``, ``conventions``, ``name``, ``include_preprocessing``, ``batch_size`` and ``flavour``
    ("keras" or "tf_keras"). A family adds its own (``width_multiplier``, ...): see
    ``mobilecnn.model_info(name)["options"]``.

    Published weights bring their source's conventions (padding, batch-norm epsilon, preprocessing; see
    :mod:`mobilecnn.weights.conventions`); ``conventions=`` sets them explicitly.
    """
    entry = registry.get(name)
    net, family_options, weights = resolve(entry, options)
    plan = None
    if weights is not None:
        # Weights sit above the builder (they need built models); imported only when asked for.
        from mobilecnn.weights.loading import plan_weights

        plan = plan_weights(entry, weights, options.get("weights_source"), net, family_options)
    from mobilecnn.weights.conventions import apply, coerce

    conventions = coerce(options.get("conventions"))
    if conventions is None and plan is not None:
        conventions = plan.conventions
    if conventions is not None and conventions.preprocessing is not None:
        net.preprocessing = conventions.preprocessing
    model = entry.builder(net, **{**family_options, **entry.fixed})
    model = apply(model, conventions)
    if plan is not None:
        plan.load(model)
    # The conventions the weights brought are recorded as options: a rebuild (the tf_keras twin QAT makes,
    # without the weights) computes as this model does.
    recorded = {**options, "conventions": conventions} if conventions is not None else dict(options)
    model._mobilecnn_build = BuildRecord(entry.name, MappingProxyType(recorded))
    return model


def resolve(entry: ModelEntry, options: dict[str, Any]) -> tuple[Network, dict[str, Any], str | None]:
    """Check ``options`` for ``entry``; return the network settings and family options."""
    allowed = {**COMMON_DEFAULTS, **entry.options}
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        fixed = [u for u in unknown if u in entry.fixed]
        why = (f" ({', '.join(fixed)} is fixed by the name {entry.name!r})" if fixed else "")
        raise ValueError(
            f"{entry.name} does not take option(s) {', '.join(map(repr, unknown))}{why}. "
            f"Allowed: {', '.join(sorted(allowed))}."
        )
    opts = {**allowed, "num_classes": entry.num_classes, **options}
    family = {k: opts[k] for k in entry.options}

    num_classes = opts["num_classes"]
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    if not isinstance(opts["include_top"], bool):
        raise ValueError(f"include_top must be True or False, got {opts['include_top']!r}")
    if opts["pooling"] not in (None, "avg", "max"):
        raise ValueError(f"pooling must be None, 'avg' or 'max', got {opts['pooling']!r}")
    if opts["pooling"] is not None and opts["include_top"]:
        raise ValueError("pooling applies only to headless models: pass include_top=False with it")
    if opts["flavour"] not in FLAVOURS:
        raise ValueError(f"flavour must be one of {', '.join(FLAVOURS)}, got {opts['flavour']!r}")
    batch = opts["batch_size"]
    if batch is not None and (isinstance(batch, bool) or not isinstance(batch, int) or batch < 1):
        raise ValueError(f"batch_size must be None or a positive integer, got {batch!r}")
    dropout = entry.dropout_rate if opts["dropout_rate"] is None else opts["dropout_rate"]
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise ValueError(f"dropout_rate must be a number in [0, 1), got {dropout!r}")
    activation = opts["classifier_activation"]
    if activation is not None and not callable(activation):
        try:
            keras_module(opts["flavour"]).activations.get(activation)
        except (ValueError, TypeError) as err:
            raise ValueError(f"classifier_activation {activation!r} is not a Keras activation") from err
    if opts["name"] is not None and not isinstance(opts["name"], str):
        raise ValueError(f"name must be a string, got {opts['name']!r}")
    weights = opts["weights"]
    if weights is not None:
        if not isinstance(weights, (str, os.PathLike)):
            raise ValueError(f"weights must be None, 'imagenet', 'imagenet:SOURCE' or the path to a weights file, "
                             f"got {weights!r}")
        weights = os.fspath(weights)
        if not (weights == "imagenet" or weights.startswith("imagenet:")) and not os.path.isfile(weights):
            raise ValueError(f"weights must be None, 'imagenet', 'imagenet:SOURCE' or the path to an existing "
                             f"weights file; there is no file {weights!r}")

    net = Network(
        entry=entry,
        input_shape=_input_shape(entry, opts, family),
        num_classes=num_classes,
        include_top=opts["include_top"],
        pooling=opts["pooling"],
        classifier_activation=activation,
        dropout_rate=float(dropout),
        include_preprocessing=bool(opts["include_preprocessing"]),
        batch_size=batch,
        flavour=opts["flavour"],
        name=opts["name"],
    )
    return net, family, weights


def _input_shape(entry: ModelEntry, opts: dict[str, Any], family: dict[str, Any]) -> tuple[int, int, int]:
    default = entry.default_resolution(family)
    shape, res, mult = opts["input_shape"], opts["resolution"], opts["resolution_multiplier"]
    given = [k for k, v in (("input_shape", shape), ("resolution", res), ("resolution_multiplier", mult))
             if v is not None]
    if len(given) > 1:
        raise ValueError(f"give at most one of input_shape, resolution, resolution_multiplier; got {', '.join(given)}")
    channels = entry.channels
    if shape is not None:
        if (not isinstance(shape, (tuple, list)) or len(shape) != 3
                or not all(isinstance(s, int) and not isinstance(s, bool) for s in shape)):
            raise ValueError(f"input_shape must be (height, width, channels) integers, got {shape!r}")
        height, width, channels = shape
    elif res is not None:
        if isinstance(res, int) and not isinstance(res, bool):
            height = width = res
        elif isinstance(res, (tuple, list)) and len(res) == 2 and all(isinstance(r, int) for r in res):
            height, width = res
        else:
            raise ValueError(f"resolution must be an integer or (height, width), got {res!r}")
    elif mult is not None:
        from mobilecnn.scaling import scale_resolution
        height = width = scale_resolution(default, mult)
    else:
        height = width = default
    low = entry.min_resolution
    if height < low or width < low:
        raise ValueError(
            f"{entry.name} needs inputs of at least {low}x{low} (it downsamples by up to {low}); "
            f"got {height}x{width}"
        )
    if channels < 1:
        raise ValueError(f"input channels must be at least 1, got {channels}")
    per_channel = isinstance(entry.preprocessing.scale, tuple) or isinstance(entry.preprocessing.offset, tuple)
    if per_channel and opts["include_preprocessing"] and channels != entry.channels:
        raise ValueError(
            f"{entry.name} normalizes {entry.channels} channels ({entry.preprocessing.description}); "
            f"got {channels} input channels. Pass include_preprocessing=False to feed another channel count."
        )
    return (height, width, channels)


def load_weights(model, entry: ModelEntry, path: str, family_options: dict[str, Any]) -> None:
    """Load ``path`` into ``model``: our own weights file, or a keras.applications one."""
    is_legacy_h5 = path.endswith(".h5") and not path.endswith(".weights.h5")
    if is_legacy_h5 and entry.keras_application:
        from mobilecnn.keras_applications import load_keras_applications_weights
        load_keras_applications_weights(model, path, entry.name, **family_options)
    else:
        try:
            model.load_weights(path)
        except (ValueError, OSError) as err:
            raise ValueError(f"could not load weights from {path!r} into {entry.name}: {err}") from err

