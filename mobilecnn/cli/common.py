"""What the subcommands share: the error types and their one-line messages, the model-option flags, number
formatting."""

from __future__ import annotations

import argparse
import ast
import re
from collections.abc import Sequence


class UsageError(Exception):
    """Bad arguments: exit code 2."""


class StepFailed(Exception):
    """The work failed inside a named step (not the user's arguments): exit code 1, one line naming the step.

    ``error`` is the exception that stopped it (also the ``__cause__``); :func:`mobilecnn.cli.main` prints
    ``failed while <step>: <type>: <first line of its message>``.
    """

    def __init__(self, step: str, error: BaseException) -> None:
        super().__init__(f"{step}: {type(error).__name__}: {one_line(error)}")
        self.step, self.error = step, error


# Where a message starts to print a tensor's or an array's values (TensorFlow puts them in its messages:
# "Attempt to convert a value (PerReplica:{ 0: <tf.Tensor: shape=(32, 32, 32, 1), dtype=float32, numpy=array(...").
_VALUES = re.compile(r"numpy=|array\(|\btensor\(\[")


def one_line(err: BaseException, limit: int = 200) -> str:
    """An exception's message for a one-line report: its first non-empty line, cut where values start, at most
    ``limit`` characters; " …" marks what was left out. Never the values of the tensors a message may hold."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    text = lines[0] if lines else ""
    cut = len(lines) > 1
    values = _VALUES.search(text)
    if values:
        text, cut = text[:values.start()].rstrip(), True
    text = " ".join(text.split())
    if len(text) > limit:
        text, cut = text[:limit - 2].rstrip(), True
    return (text + " …" if cut else text) or "(no message)"


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
