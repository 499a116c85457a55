"""The zoo run on this machine: every registered model x float32, float16, int8 x 1 and 2 threads, and what the
README publishes from it.

    python -m benchmarks.zoo --out /work/zoo                 # run (hours on 2 cores; resumable), then publish
    python -m benchmarks.zoo --out /work/zoo --publish-only  # publish from the records so far
    python -m benchmarks.zoo --out /work/zoo --retime mobilenet-v2:float16   # time again (a disturbed record)
    python -m benchmarks.zoo --out /work/zoo --redo alexnet  # export and time again (the export changed)

Running is ``mobilecnn benchmark --zoo`` (the library's resumable runner, local target, default resolutions,
verified exports) over the registry ordered by reference MACs (cheapest first; see ``cheapest_first``), so a
run stopped early has measured the most models; each file is timed for at most ``--max-seconds`` (never under
10 runs). Run the same command again after an interruption: it skips every record already there.

Publishing writes the records to ``export/published/zoo_results.json`` (shipped with the package: ``mobilecnn
pick`` reads it by default) and to ``benchmarks/results/zoo/``: the records as ``results.csv``, the full
Markdown table (``results.md``), the three plots (PNG), and ``checks.json``: which models are not one XNNPACK
partition in each precision (at most the final softmax outside) and with which ops, and which efficient-lineage
models' int8 takes more than 1.25x their float32 latency at 2 threads. It then rewrites the README's block between
``<!-- zoo:begin -->`` and ``<!-- zoo:end -->`` from them.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "zoo"
PUBLISHED = ROOT / "export" / "published" / "zoo_results.json"   # shipped with the package: `mobilecnn pick` reads it
README = ROOT / "README.md"
BEGIN, END = "<!-- zoo:begin -->", "<!-- zoo:end -->"
PRECISIONS = ("float32", "float16", "int8")
THREADS = (1, 2)
INT8_BOUND = 1.25  # the bar: efficient-lineage int8 at most 1.25x float32 at 2 threads


# Why an op is a float island in an int8 export (export/convert.py: an op XNNPACK has no int8 kernel for is
# computed in float inside XNNPACK, between a DEQUANTIZE and a QUANTIZE, instead of on TFLite's int8 kernels between
# XNNPACK partitions), and why it has no int8 rewrite. The same reasons say why the op stays outside XNNPACK in a
# full-integer export (--full-integer, for int8-only accelerators). An op found outside XNNPACK in the run, or
# computed in float, with no reason here is listed as unexplained in checks.json and the README.
WHY = {
    "LOG": (
        "local response normalization's power d^-beta = exp(-beta log d) (AlexNet, ZFNet, GoogLeNet; LRN is "
        "decomposed in every precision, export/graph.py): XNNPACK has no int8 kernel for any form of it (LOG, EXP, "
        "POW, RSQRT, SQRT: float only in LiteRT 2.3's XNNPACK, measured)"),
    "EXP": "with LOG above: the second half of LRN's power",
    "SOFTMAX": (
        "MobileNetV4 hybrids' Mobile MQA attention weights: XNNPACK has no int8 SOFTMAX, and attention without a "
        "softmax is not the model (8 blocks in Hybrid-M, 13 in Hybrid-L); a classifier's final softmax stays int8 "
        "on TFLite's kernel (one cheap op at the end)"),
    "BATCH_MATMUL": (
        "the same attention blocks' batched products (query x keys, scores x values): XNNPACK takes an int8 "
        "BATCH_MATMUL only for some quantization parameters (0-2 of 16 in Hybrid-M), and a product of two "
        "activations has no rewrite into a convolution of fixed weights"),
    "GELU": (
        "MobileNetV4 Hybrid-L's exact (erf) GELU: XNNPACK has no int8 GELU, and its closed forms in int8 ops "
        "(x * sigmoid(1.702 x), or the tanh form) are other functions, off by up to 2e-2 and 5e-4 per activation"),
    "ADD": (
        "MobileNetV4 hybrids' attention norms (a batch norm after an addition: MUL then ADD). The untrained "
        "model's recalibrated offsets are ~1e-9, quantized at scale 3.9e-9 against the output's 3.4e-4, a ratio "
        "XNNPACK's int8 ADD refuses; trained offsets are of the activations' order. Folding the norm into an "
        "identity depthwise convolution (as QAT does) failed the untrained model's int8 verification (top-1 "
        "agreement 33% on its 3 decisive images)"),
    "MUL": "with ADD above: the attention norms' scale, computed in float with its offset",
}


def cheapest_first() -> list[str]:
    """The registry by reference MACs; a model with no cited MAC figure by 100 x its parameters instead (the
    rough MACs per parameter of an ImageNet CNN: it only orders the run)."""
    import mobilecnn

    def cost(name: str) -> float:
        ref = mobilecnn.registry.get(name).reference
        return ref.macs or 100.0 * (ref.params or 0)

    return sorted(mobilecnn.list_models(), key=cost)


def drop(out: Path, specs: list[str], exports: bool) -> int:
    """Remove the records of ``MODEL`` or ``MODEL:PRECISION`` (and with ``exports`` their cached files), so the
    next run measures them again; the records file is rewritten atomically. Returns the records dropped."""
    from mobilecnn.export import results as res
    from mobilecnn.export.files import write_atomic

    import mobilecnn

    wanted = []
    for spec in specs:
        name, _, precision = spec.partition(":")
        try:
            name = mobilecnn.registry.get(name).name
        except ValueError as err:   # an unknown name: the registry's message names the closest ones
            raise SystemExit(f"{spec!r}: {err}") from None
        if precision and precision not in PRECISIONS:
            raise SystemExit(f"{spec!r}: precision {precision!r} is not one of {', '.join(PRECISIONS)}")
        wanted.append((name, precision))

    def hit(name: str, precision: str) -> bool:
        return any(name == n and (not p or precision == p) for n, p in wanted)

    lines = out / "results.jsonl"
    records = res.read_lines(lines, repair=True) if lines.exists() else []
    kept = [r for r in records if not hit(r["model"]["name"], r["model"]["precision"])]
    write_atomic(lines, "".join(res.record_line(r) for r in kept))
    if exports:
        for path in (out / "exports").glob("*"):
            meta = path.with_suffix(".json")
            if path.suffix == ".tflite" and meta.is_file():
                info = json.loads(meta.read_text())
                if hit(info.get("model", ""), info.get("precision", "")):
                    path.unlink()
                    meta.unlink()
    return len(records) - len(kept)


def partition_exceptions(records: list[dict]) -> list[dict]:
    """Records (2 threads) that are not one XNNPACK partition with at most the final softmax outside."""
    out = []
    for r in records:
        if r["status"] != "ok" or r["run"]["threads"] != 2:
            continue
        acc = r["acceleration"]
        ops = [op.split("#")[0] for op in acc["ops_outside"] or []]
        inner = ops[:-1] if ops and ops[-1] == "SOFTMAX" else ops
        if acc["xnnpack_partitions"] != 1 or inner:
            out.append({"model": r["model"]["name"], "precision": r["model"]["precision"],
                        "partitions": acc["xnnpack_partitions"], "ops_outside": sorted(set(inner)),
                        "unexplained": sorted(set(inner) - set(WHY))})
    return out


def float_islands(out: Path, records: list[dict]) -> list[dict]:
    """The int8 exports of the run (their cached sidecars) that compute some ops in float inside XNNPACK."""
    measured = {r["model"]["name"] for r in records if r["model"]["precision"] == "int8" and r["status"] == "ok"}
    found = []
    for sidecar in sorted((out / "exports").glob("*.json")):
        info = json.loads(sidecar.read_text())
        if info.get("precision") == "int8" and info.get("model") in measured and info.get("float_ops"):
            found.append({"model": info["model"], "float_ops": info["float_ops"],
                          "unexplained": sorted(set(info["float_ops"]) - set(WHY))})
    return sorted(found, key=lambda f: f["model"])


def int8_over_bound(records: list[dict]) -> tuple[list[dict], int]:
    """Efficient-lineage models whose int8 median is over INT8_BOUND x float32's at 2 threads; how many compared."""
    from mobilecnn.export import results as res

    import mobilecnn

    by: dict[str, dict[str, dict]] = {}
    for r in records:
        if r["run"]["threads"] == 2 and r["target"]["name"] == "local":
            by.setdefault(r["model"]["name"], {})[r["model"]["precision"]] = r
    over, compared = [], 0
    for name, row in by.items():
        if mobilecnn.registry.get(name).family not in mobilecnn.registry.EFFICIENT_FAMILIES:
            continue
        ratio = res.int8_ratio(row.get("float32"), row.get("int8"))
        if ratio is None:
            continue
        compared += 1
        if ratio > INT8_BOUND:
            best = row["int8"]["latency_ms"]["median_best_round"] / row["float32"]["latency_ms"]["median_best_round"]
            over.append({"model": name, "int8_over_float32": round(ratio, 3),
                         "least_disturbed_rounds": round(best, 3)})
    return over, compared


def publish(out: Path, readme: Path = README, results: Path = RESULTS, published: Path = PUBLISHED) -> dict:
    from mobilecnn.export import plots
    from mobilecnn.export import results as res

    import mobilecnn

    records = res.read_lines(out / "results.jsonl", repair=True)
    roof = res.best_roof(records)
    results.mkdir(parents=True, exist_ok=True)
    published.parent.mkdir(parents=True, exist_ok=True)
    res.write_json(records, published)
    res.write_csv(records, results / "results.csv")
    (results / "roof.json").write_text(json.dumps({str(t): g for t, g in sorted(roof.items())}) + "\n")
    (results / "results.md").write_text(res.markdown_table(records, threads=2))
    drawn = plots.plot_all(records, results, threads=2)
    exceptions = partition_exceptions(records)
    islands = float_islands(out, records)
    over, compared = int8_over_bound(records)
    models = sorted({r["model"]["name"] for r in res.ok(records)})
    failed = sorted({(r["model"]["name"], r["model"]["precision"], r["error"]) for r in records
                     if r["status"] != "ok"})
    checks = {"models_measured": len(models), "models_registered": len(mobilecnn.list_models()),
              "records": len(records), "failed": [list(f) for f in failed],
              "unverified": [[r["model"]["name"], r["model"]["precision"], r["model"]["unverified"]]
                             for r in res.unverified_records(records)],
              "partition_exceptions": exceptions,
              "int8_float_islands": islands,
              "int8_over_1.25x_float32": over, "efficient_models_compared": compared,
              "plot_points": {k: v.get("points") for k, v in drawn.items()}}
    (results / "checks.json").write_text(json.dumps(checks, indent=1) + "\n")
    if readme.is_file():
        _rewrite_readme(readme, records, checks)
    return checks


def _rewrite_readme(readme: Path, records: list[dict], checks: dict) -> None:
    from mobilecnn.export import results as res

    text = readme.read_text()
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{readme} has no {BEGIN} ... {END} block to rewrite")
    roof = res.best_roof(records)
    host = next((r["target"]["device"] for r in res.ok(records)), {})
    rel = RESULTS.relative_to(ROOT)
    exc = checks["partition_exceptions"]
    lines = [BEGIN, "",
             f"Generated by `python -m benchmarks.zoo` from one zoo run on this machine ({host.get('cpu', '?')}, "
             f"{host.get('cores', '?')} cores, float32 GEMM roof {roof.get(2, 0):.0f} GFLOP/s at 2 threads): "
             f"{checks['models_measured']} of {checks['models_registered']} registered models, each at its default "
             "resolution, verified on export, timed in LiteRT (XNNPACK) at 2 threads. **float16 runs as float32 "
             "on this x86 CPU**: LiteRT's XNNPACK widens a float16 file's weights to float32 at load time and "
             "computes in float32 (its native fp16 arithmetic is for ARM), so its latency is float32's and only "
             "its file is smaller. **The top-1 column is the published "
             "accuracy of the reference weights** (the registry's, with its source in `mobilecnn info`), not "
             "measured here. Sizes are the .tflite files; peak memory is the high-water RSS of a process that "
             "loads and runs the model, less its mark before; roof is 2 x MACs / latency over the GEMM roof. "
             f"All records (1 and 2 threads, min/max/std, init, first run): [`{rel}/results.csv`]({rel}/results.csv).",
             "", res.markdown_table(records, threads=2, compact=True).rstrip(), ""]
    if exc:
        lines += ["Not one XNNPACK partition (besides a final int8 softmax), from the same run:", "",
                  "| model | precision | partitions | ops outside XNNPACK |", "| --- | --- | --- | --- |"]
        lines += [f"| {e['model']} | {e['precision']} | {e['partitions']} | {', '.join(e['ops_outside'])} |"
                  for e in exc]
        ops = sorted({op for e in exc for op in e["ops_outside"]})
        lines += ["", "Why each stays outside:", ""]
        lines += [f"- `{op}`: {WHY.get(op, 'not yet explained')}." for op in ops]
        lines.append("")
    islands = checks.get("int8_float_islands", [])
    if islands:
        lines += ["int8 exports that compute some ops in float inside XNNPACK (float islands: DEQUANTIZE, the float "
                  "op, QUANTIZE; every other op int8; `--full-integer` keeps them int8, outside XNNPACK, for "
                  "int8-only accelerators): " + "; ".join(f"{i['model']} ({', '.join(i['float_ops'])})"
                                                            for i in islands) + ". Why each has no int8 kernel "
                  "or rewrite:", ""]
        ops = sorted({op for i in islands for op in i["float_ops"]} - {op for e in exc for op in e["ops_outside"]})
        lines += [f"- `{op}`: {WHY.get(op, 'not yet explained')}." for op in ops]
        lines.append("")
    if checks["failed"]:
        lines += ["Failed in this run (recorded with the reason; the run went on):", ""]
        lines += [f"- {name} {precision}: {error}" for name, precision, error in checks["failed"]]
        lines.append("")
    over = checks["int8_over_1.25x_float32"]
    lines.append(f"Efficient lineage, int8 against float32 at 2 threads: {checks['efficient_models_compared']} "
                 f"models compared, {len(over)} over {INT8_BOUND}x" +
                 (": " + ", ".join(f"{o['model']} {o['int8_over_float32']:.2f} (least-disturbed rounds "
                                   f"{o['least_disturbed_rounds']:.2f})" for o in over) if over else "") + ".")
    lines += ["", f"![latency against top-1]({rel}/latency_vs_top1.png)",
              f"![latency against MACs]({rel}/latency_vs_macs.png)",
              f"![int8 over float32]({rel}/int8_vs_float32.png)", "", END]
    start, stop = text.index(BEGIN), text.index(END) + len(END)
    readme.write_text(text[:start] + "\n".join(lines) + text[stop:])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, help="the run's folder (records and the export cache)")
    p.add_argument("--models", nargs="+", help="these models only (default: the registry, cheapest first)")
    p.add_argument("--max-seconds", type=float, default=20.0)
    p.add_argument("--publish-only", action="store_true")
    p.add_argument("--retime", nargs="+", default=[], metavar="MODEL[:PRECISION]",
                   help="drop these records first (with no run going), so this run times them again")
    p.add_argument("--redo", nargs="+", default=[], metavar="MODEL[:PRECISION]",
                   help="drop these records and their cached exports first")
    args = p.parse_args(argv)
    out = Path(args.out)
    if args.retime or args.redo:
        print(f"dropped {drop(out, args.retime, False) + drop(out, args.redo, True)} record(s)")
    if not args.publish_only:
        from mobilecnn.export.zoo import run_zoo

        run_zoo(args.models or cheapest_first(), out=out, precisions=PRECISIONS, threads=THREADS,
                max_seconds=args.max_seconds)
    checks = publish(out)
    print(json.dumps({k: v for k, v in checks.items() if k != "plot_points"}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
