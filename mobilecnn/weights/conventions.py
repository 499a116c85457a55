"""The conventions a set of weights was trained with, and a built model made to follow them.

Weights compute what their source's model computes only with the source's

- padding: TensorFlow's ``"same"`` pads a strided layer 0 at the top/left and 1 at the bottom/right on even
  inputs, PyTorch pads ``(k - 1) // 2`` on every side. ``padding="symmetric"`` turns each strided ``"same"``
  convolution into an explicit ``ZeroPadding2D`` and a ``"valid"`` convolution (the same layer, weights and
  name); stride-1 layers with odd kernels pad the same either way and are left alone;
- batch-norm epsilon (torchvision 1e-5 where keras.applications uses 1.001e-5 or 1e-3);
- preprocessing: the mean and standard deviation (on [0, 1] pixels) the model normalizes its [0, 255] RGB
  input with, inside the model.

:func:`apply` rewrites a built model (either Keras flavour) so that it follows a :class:`Conventions`; the
builder calls it for ``mobilecnn.build(..., conventions=...)`` and for weights that name theirs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from mobilecnn.registry import Preprocessing

PADDINGS = ("same", "symmetric")


@dataclass(frozen=True)
class Conventions:
    """How a source's model computes: ``None`` keeps the family's own setting."""

    padding: str | None = None
    bn_epsilon: float | None = None
    mean: tuple[float, ...] | None = None     # on [0, 1] pixels; with ``std``
    std: tuple[float, ...] | None = None
    source: str = ""                           # who computes this way (for messages and the export sidecar)

    def __post_init__(self) -> None:
        if self.padding not in (None, *PADDINGS):
            raise ValueError(f"padding must be one of {', '.join(PADDINGS)} (or None), got {self.padding!r}")
        eps = self.bn_epsilon
        if eps is not None and (isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 < eps < 1):
            raise ValueError(f"bn_epsilon must be a number in (0, 1) (or None), got {eps!r}")
        if (self.mean is None) != (self.std is None):
            raise ValueError("give mean and std together (or neither)")
        for key in ("mean", "std"):
            value = getattr(self, key)
            if value is not None:
                value = tuple(float(v) for v in value)
                if not value or (key == "std" and min(value) <= 0):
                    raise ValueError(f"{key} must be non-empty positive numbers, got {getattr(self, key)!r}")
                object.__setattr__(self, key, value)

    @property
    def preprocessing(self) -> Preprocessing | None:
        """The in-model ``Rescaling`` these conventions ask for (None: the family's)."""
        if self.mean is None:
            return None
        return Preprocessing(scale=tuple(1.0 / (255.0 * s) for s in self.std),
                             offset=tuple(-m / s for m, s in zip(self.mean, self.std, strict=True)),
                             description=f"pixels in [0, 255] RGB, normalized with mean {self.mean} and std "
                                         f"{self.std} on [0, 1] ({self.source or 'given conventions'})")

    def as_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()}


KEYS = ("padding", "bn_epsilon", "mean", "std", "source")


def coerce(value) -> Conventions | None:
    """``conventions=`` as a user gives it: None, a :class:`Conventions` or a mapping of its fields."""
    if value is None or isinstance(value, Conventions):
        return value
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - set(KEYS))
        if unknown:
            raise ValueError(f"conventions take {', '.join(KEYS)}; got unknown key(s) {', '.join(unknown)}")
        return Conventions(**value)
    raise ValueError(f"conventions must be None, a mobilecnn.weights.Conventions or a dict with keys "
                     f"{', '.join(KEYS)}; got {value!r}")


def apply(model, conventions: Conventions | None):
    """``model`` following ``conventions`` (batch norms changed in place, padding by a graph rewrite)."""
    if conventions is None:
        return model
    if conventions.bn_epsilon is not None:
        for layer in model.layers:
            if type(layer).__name__ == "BatchNormalization":
                layer.epsilon = float(conventions.bn_epsilon)
    if conventions.padding == "symmetric":
        from mobilecnn.rewrite import rewrite

        model = rewrite(model, _symmetric_padding)
    return model


def _symmetric_padding(x, layer):
    kind = type(layer).__name__
    if kind not in ("Conv2D", "DepthwiseConv2D") or layer.padding != "same":
        return None
    strides, kernel, dilation = tuple(layer.strides), tuple(layer.kernel_size), tuple(layer.dilation_rate)
    if strides == (1, 1) and all(k % 2 for k in kernel):
        return None  # "same" is already symmetric
    from mobilecnn.flavours import layers_for

    pads = tuple(((k - 1) // 2 * d,) * 2 for k, d in zip(kernel, dilation, strict=True))
    L = layers_for(x)
    y = L.ZeroPadding2D(pads, name=f"{layer.name}_pad")(x)
    config = {**layer.get_config(), "padding": "valid"}
    twin = type(layer).from_config(config)
    out = twin(y)
    twin.set_weights(layer.get_weights())
    return out
