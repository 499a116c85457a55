"""Benchmark results: one versioned record per model x precision x target x threads x accelerator.

Every target (this machine in-process, LiteRT's ``litert-benchmark``, a phone over adb) writes the same
record, so a phone's results and this machine's table and plot together. A zoo run appends records to a JSON
lines file (one complete line per record, flushed and synced), which survives a kill at any point: a last line
cut short is dropped on resume. ``results.json`` / ``.csv`` / ``.md`` are written from it atomically.

A record (``SCHEMA``, version 1)::

    {"schema": "mobilecnn.benchmark/1", "key": "mobilenet-v2|int8|local|2|cpu", "status": "ok" | "failed",
     "error": null | "why it failed",
     "model": {"name", "options", "precision", "file": {"sha256", "size"} | null, "params", "macs" (as exported),
               "reference": {"params", "macs", "top1", "top1_source"}},
     "target": {"name": "local" | "litert-benchmark" | "android", "serial", "tool", "tool_version",
                "device": {"kind": "host" | "phone", ...}},
     "run": {"threads", "accelerator", "runs", "warmup", "taskset"},
     "latency_ms": {"init", "first", "median", "p90", "p95", "min", "max", "mean", "std", "count"},
     "memory": {"peak_mb", "method"},
     "acceleration": {"fully_accelerated", "xnnpack_partitions", "ops_outside"},
     "profile": null | [{"op", "ms", "share"}],          # top ops by time, share of the run (0..1)
     "roof": null | {"gflops", "threads"},              # this machine's float32 GEMM roof, same run
     "created": ISO-8601, "mobilecnn_version": "0.1.0"}

Figures a tool does not give are ``null`` (``litert-benchmark`` has p95, not p90; a phone's tool no XNNPACK
partition count).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mobilecnn.export.files import write_atomic

SCHEMA_VERSION = 1
SCHEMA = f"mobilecnn.benchmark/{SCHEMA_VERSION}"
STATUSES = ("ok", "failed")
ACCELERATORS = ("cpu", "gpu", "npu")
LATENCY_FIELDS = ("init", "first", "median", "p90", "p95", "min", "max", "mean", "std", "count")
REQUIRED = {
    "model": ("name", "options", "precision", "file", "reference"),
    "target": ("name", "serial", "tool", "tool_version", "device"),
    "run": ("threads", "accelerator", "runs", "warmup", "taskset"),
    "latency_ms": LATENCY_FIELDS,
    "memory": ("peak_mb", "method"),
    "acceleration": ("fully_accelerated", "xnnpack_partitions", "ops_outside"),
}


class ResultsError(ValueError):
    """A results file or record that does not follow the schema (the message says where and what)."""


def record_key(model: str, precision: str, target: str, threads: int, accelerator: str) -> str:
    """The identity of a record: a zoo run holds each key once."""
    return f"{model}|{precision}|{target}|{threads}|{accelerator}"


def empty_latency() -> dict[str, Any]:
    return dict.fromkeys(LATENCY_FIELDS)


def new_record(*, model: str, options: dict | None, precision: str, target: dict, threads: int,
               accelerator: str, runs: int, warmup: int, taskset: str | None = None,
               reference: dict | None = None, file: dict | None = None) -> dict[str, Any]:
    """A record with every field present (figures ``None``), status ``ok``; the target fills in the figures."""
    import datetime

    import mobilecnn

    return {
        "schema": SCHEMA,
        "key": record_key(model, precision, target["name"], threads, accelerator),
        "status": "ok",
        "error": None,
        "model": {"name": model, "options": dict(options or {}), "precision": precision, "file": file,
                  "params": None, "macs": None,
                  "reference": reference if reference is not None else reference_figures(model)},
        "target": dict(target),
        "run": {"threads": int(threads), "accelerator": accelerator, "runs": int(runs), "warmup": int(warmup),
                "taskset": taskset},
        "latency_ms": empty_latency(),
        "memory": {"peak_mb": None, "method": ""},
        "acceleration": {"fully_accelerated": None, "xnnpack_partitions": None, "ops_outside": None},
        "profile": None,
        "roof": None,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "mobilecnn_version": mobilecnn.__version__,
    }


def reference_figures(model: str) -> dict[str, Any]:
    """The registry's published figures for a registered name; ``None`` each for anything else."""
    from mobilecnn import registry

    try:
        ref = registry.get(model).reference
    except (ValueError, KeyError):
        return {"params": None, "macs": None, "top1": None, "top1_source": ""}
    return {"params": ref.params, "macs": ref.macs, "top1": ref.top1, "top1_source": ref.top1_source}


def imagenet_top1(record: dict) -> float | None:
    """The record's reference top-1 where it is an ImageNet figure, the one figure models compare on; None for a
    registered model rated on another dataset (LeNet-5 on digits, NiN-CIFAR and WRN-28-10 on CIFAR-10) or
    unrated. A name the registry does not know keeps its figure (the user's own model)."""
    from mobilecnn import registry

    top1 = record["model"]["reference"].get("top1")
    try:
        labels = registry.get(record["model"]["name"]).labels
    except (ValueError, KeyError, TypeError):
        return top1
    return top1 if labels == "imagenet" else None


def content_figures(data: bytes) -> dict[str, Any]:
    """A model file's SHA-256 and size in bytes."""
    import hashlib

    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def file_figures(path: str | os.PathLike) -> dict[str, Any]:
    return content_figures(Path(path).read_bytes())


def _number(value, where: str, integer: bool = False) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or (integer and not isinstance(value, int)):
        raise ResultsError(f"{where} must be a number or null, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ResultsError(f"{where} must be finite and non-negative, got {value!r}")


def validate(record: Any, where: str = "record") -> dict[str, Any]:
    """Check one record against the schema; returns it, or raises :class:`ResultsError` naming the field."""
    if not isinstance(record, dict):
        raise ResultsError(f"{where} is not an object")
    if record.get("schema") != SCHEMA:
        raise ResultsError(f"{where}: schema {record.get('schema')!r}, expected {SCHEMA!r}")
    for section, fields in REQUIRED.items():
        part = record.get(section)
        if not isinstance(part, dict):
            raise ResultsError(f"{where}: {section!r} missing or not an object")
        missing = [f for f in fields if f not in part]
        if missing:
            raise ResultsError(f"{where}: {section} lacks {', '.join(missing)}")
    if record.get("status") not in STATUSES:
        raise ResultsError(f"{where}: status {record.get('status')!r}, expected one of {STATUSES}")
    if record["status"] == "failed" and not record.get("error"):
        raise ResultsError(f"{where}: a failed record must say why (error)")
    run = record["run"]
    if run["accelerator"] not in ACCELERATORS:
        raise ResultsError(f"{where}: accelerator {run['accelerator']!r}, expected one of {ACCELERATORS}")
    if isinstance(run["threads"], bool) or not isinstance(run["threads"], int) or run["threads"] < 1:
        raise ResultsError(f"{where}: threads must be a positive integer, got {run['threads']!r}")
    for name, value in record["latency_ms"].items():
        _number(value, f"{where}: latency_ms.{name}", integer=name == "count")
    if record["status"] == "ok" and record["latency_ms"]["median"] is None:
        raise ResultsError(f"{where}: an ok record needs latency_ms.median")
    _number(record["memory"]["peak_mb"], f"{where}: memory.peak_mb")
    key = record_key(record["model"]["name"], record["model"]["precision"], record["target"]["name"],
                     run["threads"], run["accelerator"])
    if record.get("key") != key:
        raise ResultsError(f"{where}: key {record.get('key')!r} does not match its fields ({key!r})")
    profile = record.get("profile")
    if profile is not None and not (isinstance(profile, list) and all(
            isinstance(p, dict) and {"op", "ms", "share"} <= set(p) for p in profile)):
        raise ResultsError(f"{where}: profile must be null or a list of {{op, ms, share}}")
    return record


# --- files -------------------------------------------------------------------------------------------------

def record_line(record: dict) -> str:
    """One record as the records file holds it: a line of JSON."""
    return json.dumps(record, sort_keys=True) + "\n"


def append_record(path: str | os.PathLike, record: dict) -> None:
    """Append one validated record as one line, flushed and synced (a kill leaves at most a cut-short last line)."""
    line = record_line(validate(record))
    with open(path, "a", encoding="utf-8") as f:
        f.write(line)
        f.flush()
        os.fsync(f.fileno())


def read_lines(path: str | os.PathLike, repair: bool = False) -> list[dict]:
    """Records of a JSON-lines file. A last line without its newline is a write cut short: with ``repair`` it is
    dropped (and the file rewritten without it), otherwise it is an error like any other bad line."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    tail = lines.pop()  # "" when the file ends with a newline
    if tail and repair:
        write_atomic(path, "".join(line + "\n" for line in lines))
    elif tail:
        lines.append(tail)
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            records.append(validate(json.loads(line), f"{path.name} line {number}"))
        except json.JSONDecodeError as err:
            raise ResultsError(f"{path} line {number} is not JSON ({err.msg})") from None
    return records


def read_results(path: str | os.PathLike) -> list[dict]:
    """Records from any results file: ``results.json`` (``{"schema", "records"}``) or JSON lines."""
    path = Path(path)
    if not path.is_file():
        raise ResultsError(f"no results file at {str(path)!r}")
    if path.suffix == ".jsonl":
        return read_lines(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ResultsError(f"{path} is not a results file: not JSON ({getattr(err, 'msg', err)})") from None
    if not isinstance(data, dict) or "records" not in data or not isinstance(data["records"], list):
        raise ResultsError(f"{path} is not a results file: expected an object with 'schema' and 'records'")
    if data.get("schema") != SCHEMA:
        raise ResultsError(f"{path}: schema {data.get('schema')!r}, this version reads {SCHEMA!r}")
    return [validate(r, f"{path.name} record {i}") for i, r in enumerate(data["records"])]


def write_json(records: Iterable[dict], path: str | os.PathLike) -> Path:
    records = [validate(r) for r in records]
    return write_atomic(path, json.dumps({"schema": SCHEMA, "records": records}, indent=1, sort_keys=True) + "\n")


def flatten(record: dict, prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}``; lists as JSON text."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and key not in ("options",):
            out.update(flatten(value, name + "."))
        elif isinstance(value, list | dict):
            out[name] = json.dumps(value, sort_keys=True)
        else:
            out[name] = value
    return out


def write_csv(records: Iterable[dict], path: str | os.PathLike) -> Path:
    rows = [flatten(r) for r in records]
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return write_atomic(path, buffer.getvalue())


# --- the Markdown table ------------------------------------------------------------------------------------

def _fmt(value, spec: str = ".2f", none: str = "-") -> str:
    return none if value is None else format(value, spec)


def _macs(macs) -> str:
    if macs is None:
        return "-"
    if macs >= 1e9:
        return f"{macs / 1e9:.2f}G"
    return f"{macs / 1e6:.0f}M" if macs >= 1e7 else f"{macs / 1e6:.2f}M"


def ok(records: Iterable[dict]) -> list[dict]:
    return [r for r in records if r["status"] == "ok"]


def markdown_table(records: list[dict], threads: int = 2, target: str | None = None, compact: bool = False) -> str:
    """One row per model: reference top-1, MACs (the export's count, else the reference's), size per precision,
    and at ``threads`` per precision: median and p90, peak memory, XNNPACK partitions, the int8/float32 latency
    ratio and the fraction of the GEMM roof.

    ``compact``: the same figures with one column per figure (sizes, peaks, partitions and roof fractions of the
    precisions side by side, ``float32 / float16 / int8``) and one latency column per precision."""
    target = target or next((r["target"]["name"] for r in records), "local")
    chosen = [r for r in records if r["target"]["name"] == target and r["run"]["threads"] == threads
              and r["run"]["accelerator"] == "cpu"]
    by: dict[str, dict[str, dict]] = {}
    for r in chosen:
        by.setdefault(r["model"]["name"], {})[r["model"]["precision"]] = r
    precisions = [p for p in ("float32", "float16", "dynamic", "int8")
                  if any(p in row for row in by.values())]

    def figures(r: dict | None) -> list[str]:
        """size, latency (p90), peak, partitions, roof of one record."""
        if r is None:
            return ["-"] * 5
        if r["status"] != "ok":
            return ["-", "failed: " + " ".join(str(r["error"]).split())[:60].replace("|", "/"), "-", "-", "-"]
        size = (r["model"]["file"] or {}).get("size")
        lat = r["latency_ms"]
        mark = UNVERIFIED_MARK if r["model"].get("unverified") else ""
        return [_fmt(size / 2**20 if size else None, ".1f" if compact else ".2f"),
                f"{lat['median']:.2f} ({_fmt(lat['p90'])}){mark}",
                _fmt(r["memory"]["peak_mb"], ".0f" if compact else ".1f"),
                _fmt(r["acceleration"]["xnnpack_partitions"], "d"), _fmt(roof_fraction(r), ".0%")]

    head = ["model", "top-1 %", "MACs"]
    if compact:
        both = " / ".join(precisions)
        head += [f"MiB ({both})"] + [f"{p} ms (p90)" for p in precisions]
        head += [f"peak MiB ({both})", f"partitions ({both})", f"roof ({both})"]
    else:
        for p in precisions:
            head += [f"{p} MiB", f"{p} ms (p90)", f"{p} peak MiB", f"{p} partitions", f"{p} roof"]
    head += ["int8 / float32"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for name, row in by.items():
        first = next(iter(row.values()))
        ref = first["model"]["reference"]
        cells = [name, _fmt(ref.get("top1"), ".1f"), _macs(first["model"].get("macs") or ref.get("macs"))]
        per = [figures(row.get(p)) for p in precisions]
        if compact:
            cells += [" / ".join(f[0] for f in per)] + [f[1] for f in per]
            cells += [" / ".join(f[i] for f in per) for i in (2, 3, 4)]
        else:
            cells += [c for f in per for c in f]
        f32, i8 = row.get("float32"), row.get("int8")
        cells.append(_fmt(int8_ratio(f32, i8)))
        lines.append("| " + " | ".join(cells) + " |")
    unverified = unverified_records(chosen)
    if unverified:
        lines += ["", f"{UNVERIFIED_MARK} timed, but the export failed verification: "
                  + "; ".join(f"{r['model']['name']} {r['model']['precision']} "
                              f"({' '.join(r['model']['unverified'].split())})" for r in unverified)]
    return "\n".join(lines) + "\n"


UNVERIFIED_MARK = "†"


def unverified_records(records: Iterable[dict]) -> list[dict]:
    """The ok records of exports timed although they failed verification (the zoo's untrained models; see
    :func:`mobilecnn.export.zoo.export_cached`), one per model and precision."""
    seen: dict[tuple[str, str], dict] = {}
    for r in records:
        if r["status"] == "ok" and r["model"].get("unverified"):
            seen.setdefault((r["model"]["name"], r["model"]["precision"]), r)
    return list(seen.values())


def int8_ratio(float32: dict | None, int8: dict | None) -> float | None:
    """int8 median latency over float32's (two records of one model, target and thread count), if both ran."""
    if not float32 or not int8 or not float32["status"] == int8["status"] == "ok":
        return None
    return int8["latency_ms"]["median"] / float32["latency_ms"]["median"]


def best_roof(records: list[dict]) -> dict[int, float]:
    """The run's GEMM roof per thread count: the best of the figures its starts measured (a roof is a ceiling;
    a start on a busy machine measures low). Every record's roof is set to it, so the fractions share one roof."""
    best: dict[int, float] = {}
    for r in records:
        if r.get("roof"):
            t = r["roof"]["threads"]
            best[t] = max(best.get(t, 0.0), r["roof"]["gflops"])
    for r in records:
        if r.get("roof"):
            r["roof"] = {"gflops": best[r["roof"]["threads"]], "threads": r["roof"]["threads"]}
    return best


def roof_fraction(record: dict) -> float | None:
    """Achieved float32-equivalent GFLOP/s (2 x MACs per inference) over the GEMM roof measured in the same run."""
    roof = record.get("roof")
    macs = record["model"].get("macs") or record["model"]["reference"].get("macs")
    median = record["latency_ms"]["median"]
    if not roof or not macs or not median:
        return None
    return 2 * macs / (median / 1e3) / (roof["gflops"] * 1e9)
