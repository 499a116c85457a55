"""``mobilecnn list`` and ``mobilecnn info``: what the registry knows, without building anything
(``--measure`` builds and counts from the graph)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

from mobilecnn.cli.common import UsageError, fmt_count


def add_list_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("pattern", nargs="?", default="*", help="shell-style pattern, e.g. 'efficientnet-*'")
    p.add_argument("--measure", action="store_true", help="build each model and count from its graph")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")


def run_list(args: argparse.Namespace) -> int:
    from mobilecnn import registry

    names = registry.list_models(args.pattern)
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
                      fmt_count(r["params"]), fmt_count(r["macs"]))
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


def add_info_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name")
    p.add_argument("--measure", action="store_true", help="also build it and count from the graph")
    p.add_argument("--json", action="store_true", help="print the machine-readable form")


def run_info(args: argparse.Namespace) -> int:
    import mobilecnn

    try:
        info = mobilecnn.model_info(args.name)
    except ValueError as err:
        raise UsageError(str(err)) from err
    if args.measure:
        info["measured"] = mobilecnn.profile(mobilecnn.build(info["name"])).as_dict()
    if args.json:
        print(json.dumps(info, indent=2, default=str))
    else:
        print_info(info)
    return 0


def print_info(info: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    from mobilecnn import registry
    from mobilecnn.builder import COMMON_DEFAULTS, allowed_values

    entry = registry.get(info["name"])
    console = Console()
    h, w, c = info["input_shape"]
    summary = Table(title=info["name"], show_header=False, title_justify="left")
    summary.add_column(style="bold")
    summary.add_column()
    summary.add_row("family", info["family"])
    summary.add_row("input", f"{h}x{w}x{c} (at least {info['min_resolution']}x{info['min_resolution']})")
    summary.add_row("preprocessing", f"{info['preprocessing']} (inside the model; include_preprocessing=False "
                                     "to do it yourself)")
    summary.add_row("classes", f"{entry.num_classes} ({entry.labels})")
    params = fmt_count(info["params"])
    if info.get("trainable_params"):
        params += f" total, {fmt_count(info['trainable_params'])} trainable"
    summary.add_row("parameters", f"{params}" + (f"  [dim]— {info['params_source']}[/]" if info["params_source"]
                                                   else ""))
    summary.add_row("MACs", f"{fmt_count(info['macs'])}" + (f"  [dim]— {info['macs_source']}[/]"
                                                            if info["macs_source"] else ""))
    if info.get("top1") is not None:
        summary.add_row("top-1", f"{info['top1']:.1f}%  [dim]— {info['top1_source']}[/]")
    summary.add_row("paper", info["paper"])
    if info.get("keras_application"):
        summary.add_row("keras.applications", f"{info['keras_application']} (weights transfer by name)")
    if info["fixed"]:
        summary.add_row("fixed by the name", ", ".join(f"{k}={v!r}" for k, v in info["fixed"].items()))
    if "measured" in info:
        m = info["measured"]
        summary.add_row("measured", ", ".join(f"{k} {fmt_count(v) if isinstance(v, (int, float)) else v}"
                                              for k, v in m.items()))
    console.print(summary)
    options = Table(title="options (mobilecnn.build(name, **options))", title_justify="left")
    options.add_column("option", style="bold")
    options.add_column("default")
    options.add_column("allowed")
    for key, default in info["options"].items():
        kind = "" if key in COMMON_DEFAULTS else " [dim](family)[/]"
        options.add_row(key + kind, repr(default), allowed_values(entry, key, default))
    console.print(options)
    print_weights(console, info)


def print_weights(console, info: dict) -> None:
    """The published ImageNet weights: what ``weights="imagenet:SOURCE"`` loads, and at which options."""
    from rich.table import Table

    rows = info.get("weights") or []
    if not rows:
        console.print("[dim]no published ImageNet weights (weights=PATH loads a file of your own)[/]")
        return
    table = Table(title="published ImageNet weights: weights='imagenet' or 'imagenet:SOURCE' loads the first row that "
                        "fits the options", title_justify="left")
    for col in ("source", "weights", "options", "top-1", "checksum"):
        table.add_column(col, overflow="fold")
    for r in rows:
        top1 = f"{r['top1']:.2f}% at {r['resolution']}" if r["top1"] is not None else "—"
        checksum = r["digest"] or "[yellow]none published[/]"
        table.add_row(r["source"], r["source_name"], ", ".join(f"{k}={v!r}" for k, v in r["options"].items()) or "—",
                      top1, checksum)
    console.print(table)
    for licence in sorted({r["licence"] for r in rows}):
        console.print(f"[dim]licence: {licence}[/]")
