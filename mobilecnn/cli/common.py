"""What the subcommands share: the usage-error type, the model-option flags, number formatting."""

from __future__ import annotations

import argparse
import ast
from collections.abc import Sequence


class UsageError(Exception):
    """Bad arguments: exit code 2."""


def key_value(text: str) -> tuple[str, object]:
    """``--set KEY=VALUE``: the value as a Python literal where it is one (``0.5``, ``True``), else a string."""
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    key, value = text.split("=", 1)
    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        parsed = value
    return key.strip().replace("-", "_"), parsed


MODEL_OPTION_FLAGS = ("resolution", "width_multiplier", "num_classes")


def add_model_options(p: argparse.ArgumentParser, title: str = "model options",
                      num_classes_help: str | None = None):
    """The build-option flags ``export`` and ``train`` share; returns the group (to add more)."""
    g = p.add_argument_group(title)
    g.add_argument("--resolution", type=int)
    g.add_argument("--width-multiplier", type=float)
    g.add_argument("--num-classes", type=int, help=num_classes_help)
    g.add_argument("--set", dest="options", type=key_value, action="append", default=[], metavar="KEY=VALUE",
                   help="any other build option, e.g. --set minimalistic=True")
    return g


def model_options(args: argparse.Namespace, flags: Sequence[str] = MODEL_OPTION_FLAGS) -> dict:
    """Build options from :func:`add_model_options`' flags (``--set`` first; a named flag wins)."""
    options = dict(args.options)
    options.update({key: getattr(args, key) for key in flags if getattr(args, key) is not None})
    return options


def fmt_count(n: float | None, unit: str = "") -> str:
    """``1234567`` -> ``1.23M``; ``None`` -> ``-``."""
    if n is None:
        return "-"
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if n >= scale:
            return f"{n / scale:.2f}{suffix}{unit}"
    return f"{n:.0f}{unit}"
