"""The ``mobilecnn`` command: ``list``, ``info``, ``train`` and, from the export package, ``export`` and ``benchmark``.

Exit codes: 0 done, 1 the work failed (with the reason), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
from collections.abc import Callable, Sequence

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# Subcommands other packages add: name -> (add_arguments, run). Filled by
# _load_plugins so `mobilecnn --help` lists them without importing TensorFlow.
SUBCOMMANDS: dict[str, tuple[str, Callable, Callable]] = {}


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


def _fmt_count(n: float | None, unit: str = "") -> str:
    if n is None:
        return "-"
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if n >= scale:
            return f"{n / scale:.2f}{suffix}{unit}"
    return f"{n:.0f}{unit}"


def cmd_list(args: argparse.Namespace) -> int:
    import mobilecnn
    from mobilecnn import registry

    names = mobilecnn.list_models(args.pattern)
    if not names:
        raise UsageError(f"no model matches {args.pattern!r}; `mobilecnn list` shows them all")
    rows = []
    measured = _measure(names) if args.measure else {}
    for name in names:
        e = registry.get(name)
        params, macs = e.reference.params, e.reference.macs
        if name in measured:
            params, macs = measured[name].params, measured[name].macs
        rows.append({"name": name, "family": e.family, "resolution": e.resolution,
                     "params": params, "macs": macs})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    title = "mobilecnn models" + (" (counted from the graphs)" if args.measure else " (reference figures)")
    table = Table(title=title)
    for col, justify in (("name", "left"), ("family", "left"), ("input", "right"),
                         ("params", "right"), ("MACs", "right")):
        table.add_column(col, justify=justify)
    for r in rows:
        table.add_row(r["name"], r["family"], f"{r['resolution']}x{r['resolution']}",
                      _fmt_count(r["params"]), _fmt_count(r["macs"]))
    Console().print(table)
    return 0


def _measure(names: Sequence[str]) -> dict:
    import keras
    from rich.progress import Progress

    import mobilecnn

    out = {}
    with Progress(transient=True) as progress:
        task = progress.add_task("building models", total=len(names))
        for name in names:
            progress.update(task, description=f"building {name}")
            out[name] = mobilecnn.profile(mobilecnn.build(name))
            keras.backend.clear_session()
            progress.advance(task)
    return out


def cmd_info(args: argparse.Namespace) -> int:
    import mobilecnn

    try:
        info = mobilecnn.model_info(args.name)
    except ValueError as err:
        raise UsageError(str(err)) from err
    if args.measure:
        info["measured"] = mobilecnn.profile(mobilecnn.build(info["name"])).as_dict()
    print(json.dumps(info, indent=2, default=str))
    return 0


def _load_plugins() -> None:
    try:
        from export.cli import register as register_export
    except ImportError:
        return
    register_export(SUBCOMMANDS)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mobilecnn", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("list", help="the model zoo: input size, parameters, MACs")
    p.add_argument("pattern", nargs="?", default="*", help="shell-style pattern, e.g. 'efficientnet-*'")
    p.add_argument("--measure", action="store_true", help="build each model and count from its graph")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(run=cmd_list)
    p = sub.add_parser("info", help="what the registry knows of one model")
    p.add_argument("name")
    p.add_argument("--measure", action="store_true", help="also build it and count from the graph")
    p.set_defaults(run=cmd_info)
    from mobilecnn.train_cli import add_train_arguments, run_train

    p = sub.add_parser("train", help="train on digits or your images (--qat: quantization-aware), export int8")
    add_train_arguments(p)
    p.set_defaults(run=run_train)
    _load_plugins()
    for name, (help_text, add_arguments, run) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        add_arguments(p)
        p.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits 2 on bad arguments, 0 on --help
        return int(exit_.code or 0)
    try:
        return int(args.run(args) or 0)
    except UsageError as err:
        print(f"mobilecnn {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
