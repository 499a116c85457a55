"""Width, depth and resolution scaling: the one place every family rounds channels.

- MobileNet V1 (Howard et al. 2017, sec. 3.3-3.4): width multiplier alpha thins
  every layer, resolution multiplier rho scales the input (224 * rho).
- MobileNet V2/V3 and EfficientNet round scaled widths to a multiple of 8,
  never more than 10% below the unrounded width (TF-Slim ``_make_divisible``).
- EfficientNet (Tan & Le 2019, sec. 3.3 and Table of B0-B7 in the reference
  ``efficientnet_builder.py``): compound scaling of depth, width and resolution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def make_divisible(value: float, divisor: int = 8, min_value: int | None = None,
                   round_limit: float = 0.9) -> int:
    """Round ``value`` to the nearest multiple of ``divisor``.

    The result is at least ``min_value`` (default ``divisor``) and never below
    ``round_limit`` times ``value``: if rounding goes down further, one more
    ``divisor`` is added.
    """
    if divisor <= 0:
        raise ValueError(f"divisor must be positive, got {divisor}")
    min_value = divisor if min_value is None else min_value
    rounded = max(min_value, int(value + divisor / 2) // divisor * divisor)
    if rounded < round_limit * value:
        rounded += divisor
    return int(rounded)


def scale_width(channels: int, multiplier: float, divisor: int | None = 8,
                min_value: int | None = None) -> int:
    """Channels of a layer under a width multiplier.

    ``divisor=None`` truncates (``int(channels * multiplier)``, at least 1), as
    MobileNet V1 and keras.applications do; otherwise :func:`make_divisible`.
    """
    if divisor is None:
        return max(1 if min_value is None else min_value, int(channels * multiplier))
    return make_divisible(channels * multiplier, divisor, min_value)


def round_repeats(repeats: int, depth_coefficient: float) -> int:
    """Scale a stage's block count, rounding up (EfficientNet ``round_repeats``)."""
    return int(math.ceil(depth_coefficient * repeats))


def check_positive(name: str, value: float) -> float:
    """Reject a non-positive or non-numeric multiplier, naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def scale_coefficients(scale: CompoundScale, width: float | None = None,
                       depth: float | None = None) -> tuple[float, float]:
    """The width and depth coefficients: ``scale``'s, or the ones given in their place, checked positive."""
    width = scale.width if width is None else width
    depth = scale.depth if depth is None else depth
    return check_positive("width_coefficient", width), check_positive("depth_coefficient", depth)


def check_drop_rate(name: str, value: float) -> float:
    """Reject a rate outside [0, 1), naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    return float(value)


def scale_resolution(base: int, multiplier: float) -> int:
    """MobileNet's resolution multiplier rho: ``round(base * rho)``."""
    return int(round(base * check_positive("resolution_multiplier", multiplier)))


@dataclass(frozen=True)
class CompoundScale:
    """One EfficientNet variant: width and depth coefficients, resolution, dropout."""

    width: float
    depth: float
    resolution: int
    dropout: float


# Tan & Le 2019; (width, depth, resolution, dropout) as in the authors'
# efficientnet_builder.efficientnet_params and keras.applications.
EFFICIENTNET_SCALES: dict[str, CompoundScale] = {
    "b0": CompoundScale(1.0, 1.0, 224, 0.2),
    "b1": CompoundScale(1.0, 1.1, 240, 0.2),
    "b2": CompoundScale(1.1, 1.2, 260, 0.3),
    "b3": CompoundScale(1.2, 1.4, 300, 0.3),
    "b4": CompoundScale(1.4, 1.8, 380, 0.4),
    "b5": CompoundScale(1.6, 2.2, 456, 0.4),
    "b6": CompoundScale(1.8, 2.6, 528, 0.5),
    "b7": CompoundScale(2.0, 3.1, 600, 0.5),
}

# Tan & Le 2019, eq. 3 and sec. 4: alpha (depth), beta (width), gamma
# (resolution), found by grid search with alpha * beta^2 * gamma^2 ~= 2.
COMPOUND_ALPHA, COMPOUND_BETA, COMPOUND_GAMMA = 1.2, 1.1, 1.15


def compound_scale(phi: float, base_resolution: int = 224, dropout: float = 0.2) -> CompoundScale:
    """Depth ``alpha**phi``, width ``beta**phi``, resolution ``base * gamma**phi``.

    The published B1-B7 were hand-rounded from these, so ``compound_scale(1)``
    is close to but not the same as B1; use :data:`EFFICIENTNET_SCALES` for those.
    """
    if isinstance(phi, bool) or not isinstance(phi, (int, float)) or phi < 0:
        raise ValueError(f"phi must be a number >= 0, got {phi!r}")
    return CompoundScale(
        width=COMPOUND_BETA**phi,
        depth=COMPOUND_ALPHA**phi,
        resolution=int(round(base_resolution * COMPOUND_GAMMA**phi)),
        dropout=dropout,
    )
