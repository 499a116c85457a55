"""The zoo runner (interrupted and resumed, a failing model recorded), the tables, plots and the model picker."""

from __future__ import annotations

import collections
import json

import pytest
from mobilecnn.export import results as res
from mobilecnn.export.pick import pick
from mobilecnn.export.plots import plot_all
from mobilecnn.export.zoo import run_zoo

from mobilecnn.cli import main

MODELS = ["lenet-5", "mobilenet-v3-small", "squeezenet-1.1", "mobilenet-v2"]
OPTIONS = {"lenet-5": {}, "mobilenet-v3-small": {"resolution": 32, "width_multiplier": 0.35},
           "squeezenet-1.1": {"resolution": 32, "num_classes": 10},
           "mobilenet-v2": {"width_multiplier": -1.0}}      # fails to build: recorded, and the run goes on


class Stop(KeyboardInterrupt):
    pass


def test_zoo_interrupted_and_resumed_has_each_record_once(tmp_path):
    kwargs = dict(out=tmp_path, precisions=("float32",), threads=(1,), runs=3, warmup=1, options=OPTIONS,
                  verify=False, progress=False, roof_seconds=0.05)
    seen = []

    def stop_after_two(record):
        seen.append(record["key"])
        if len(seen) == 2:
            raise Stop

    with pytest.raises(Stop):
        run_zoo(MODELS, on_record=stop_after_two, **kwargs)
    lines = tmp_path / "results.jsonl"
    assert len(lines.read_text().splitlines()) == 2
    with open(lines, "a") as f:           # a kill in the middle of a write leaves a line cut short
        f.write('{"schema": "mobilecnn.benchmark/1", "key": "squeezenet-1.1|flo')
    exports = sorted(p.name for p in (tmp_path / "exports").glob("*.tflite"))
    records = run_zoo(MODELS, **kwargs)
    keys = [r["key"] for r in records]
    assert collections.Counter(keys) == collections.Counter({f"{m}|float32|local|1|cpu": 1 for m in MODELS})
    assert keys[:2] == seen               # kept, not re-measured
    assert set(exports) <= {p.name for p in (tmp_path / "exports").glob("*.tflite")}
    by = {r["model"]["name"]: r for r in records}
    failed = by["mobilenet-v2"]
    assert failed["status"] == "failed" and "export failed" in failed["error"] and "width" in failed["error"]
    for name in MODELS[:3]:
        r = by[name]
        assert r["status"] == "ok" and r["latency_ms"]["median"] > 0 and r["roof"]["gflops"] > 0
        assert r["model"]["options"] == OPTIONS[name] and r["model"]["macs"] > 0
    # a third run has nothing left to do
    again = run_zoo(MODELS, **kwargs)
    assert [r["key"] for r in again] == keys
    # the outputs: JSON (validates), CSV (a row per record), Markdown (a row per model)
    assert [r["key"] for r in res.read_results(tmp_path / "results.json")] == keys
    assert len((tmp_path / "results.csv").read_text().splitlines()) == 1 + len(keys)
    table = (tmp_path / "results.md").read_text()
    assert table.count("\n") == 2 + len(MODELS) and "| lenet-5 | 99.0 |" in table and "failed: export" in table


def _record(name, precision, median, top1, macs=1e8, threads=2, target="local"):
    r = res.new_record(model=name, options={}, precision=precision, threads=threads, accelerator="cpu", runs=10,
                       warmup=1, target={"name": target, "serial": None, "tool": "t", "tool_version": "1",
                                         "device": {"kind": "host"}},
                       reference={"params": 1, "macs": macs, "top1": top1, "top1_source": "test"})
    r["latency_ms"].update(median=median, p90=median * 1.1, min=median, max=median * 1.2, count=10)
    r["roof"] = {"gflops": 100.0, "threads": threads}
    return res.validate(r)


RECORDS = [_record("a", "float32", 2.0, 70.0), _record("a", "int8", 1.5, 70.0),
           _record("b", "float32", 5.0, 75.0), _record("b", "int8", 4.0, 75.0),
           _record("c", "float32", 6.0, 72.0), _record("c", "int8", 3.0, 72.0),
           _record("d", "float32", 20.0, 80.0, macs=4e9), _record("e", "float32", 1.0, None),
           _record("a", "float32", 9.0, 70.0, threads=1)]


def test_pick_pareto_most_accurate_first(tmp_path):
    path = tmp_path / "results.json"
    res.write_json(RECORDS, path)
    choice = pick(5.0, results=path)
    assert [(r["model"]["name"], r["model"]["precision"]) for r in choice.fits] == \
        [("b", "int8"), ("c", "int8"), ("a", "int8")]   # b float32 (5.0) is beaten by b int8; c float32 too slow
    assert pick(5.0, precision="float32", results=path).fits[0]["model"]["name"] == "b"
    assert [r["model"]["name"] for r in pick(5.0, min_top1=73, results=path).fits] == ["b"]
    none = pick(0.5, results=path)
    assert none.fits == [] and none.fastest["model"]["name"] == "e"


def test_pick_cli(tmp_path, capsys, monkeypatch):
    path = tmp_path / "results.json"
    res.write_json(RECORDS, path)
    assert main(["pick", "--max-latency", "5", "--precision", "int8", "--results", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].strip().startswith("b int8: top-1 75.0%, median 4.00 ms")
    assert main(["pick", "--max-latency", "0.5", "--results", str(path)]) == 0
    assert "nothing fits median <= 0.5 ms; the fastest measured option is e float32" in capsys.readouterr().out
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text('{"schema": "mobilecnn.benchmark/1", "records": [{"key": 1')
    assert main(["pick", "--max-latency", "5", "--results", str(corrupt)]) == 2
    assert "not a results file: not JSON" in capsys.readouterr().err
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"schema": res.SCHEMA, "records": [{"schema": res.SCHEMA}]}))
    assert main(["pick", "--max-latency", "5", "--results", str(wrong)]) == 2
    assert "wrong.json record 0" in capsys.readouterr().err
    monkeypatch.setenv("MOBILECNN_RESULTS", str(tmp_path / "none.json"))
    assert main(["pick", "--max-latency", "5"]) == 2
    assert "no published results at" in capsys.readouterr().err


def test_plots_have_the_expected_points(tmp_path, capsys):
    drawn = plot_all(RECORDS, tmp_path)
    for name in ("latency_vs_top1", "latency_vs_macs", "int8_vs_float32"):
        assert (tmp_path / f"{name}.png").stat().st_size > 1000
    top1 = drawn["latency_vs_top1"]
    assert {p: len(v) for p, v in top1["series"].items()} == {"float32": 4, "int8": 3}   # e has no top-1
    assert top1["points"] == 7
    assert [x[2] for x in top1["pareto"]["float32"]] == ["a", "b", "d"]
    macs = drawn["latency_vs_macs"]
    assert macs["points"] == 8 and macs["roof_line"][0][1] == pytest.approx(2 * 5e7 / 100e9 * 1e3)
    assert dict(drawn["int8_vs_float32"]["ratios"]) == {"a": 0.75, "b": 0.8, "c": 0.5}
    res.write_json(RECORDS, tmp_path / "results.json")
    assert main(["benchmark", "--plot", str(tmp_path / "figs"), "--results", str(tmp_path / "results.json")]) == 0
    assert "latency_vs_top1.png: 7 point(s)" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    assert main(["benchmark", "--plot", str(tmp_path / "figs"), "--results", str(bad)]) == 2
    assert "expected an object with 'schema' and 'records'" in capsys.readouterr().err


def test_compact_table_puts_the_precisions_side_by_side():
    table = res.markdown_table(RECORDS, threads=2, compact=True).splitlines()
    assert table[0].startswith("| model | top-1 % | MACs | MiB (float32 / int8) | float32 ms (p90) | int8 ms (p90) |")
    assert table[0].endswith("| int8 / float32 |") and len(table) == 2 + 5            # a row per model at 2 threads
    row = next(line for line in table if line.startswith("| a |")).split(" | ")
    assert row[4:6] == ["2.00 (2.20)", "1.50 (1.65)"] and row[-1] == "0.75 |"
    assert row[-2] == "100% / 133%"        # 2 x 1e8 MACs / 2.0 ms is 100 GFLOP/s, the roof; int8 beats it
    d = next(line for line in table if line.startswith("| d |")).split(" | ")
    assert d[5] == "-" and d[-1] == "- |"  # no int8 record: no ratio


def test_a_resumed_run_keeps_the_merge_roof_file(tmp_path):
    """A start on a busy machine measures a low GEMM roof; the run keeps the best figure per thread count."""
    from mobilecnn.export.zoo import _merge_roof_file

    path = tmp_path / "roof.json"
    assert _merge_roof_file(path, {1: 100.0, 2: 180.0}) == {1: 100.0, 2: 180.0}
    assert _merge_roof_file(path, {2: 90.0, 4: 300.0}) == {2: 180.0, 4: 300.0}
    assert json.loads(path.read_text()) == {"1": 100.0, "2": 180.0, "4": 300.0}
    path.write_text("{not json")
    assert _merge_roof_file(path, {1: 50.0}) == {1: 50.0}
    # records from two starts: the published fractions all use the best roof
    low, high = _record("a", "float32", 2.0, 70.0), _record("b", "float32", 2.0, 70.0)
    low["roof"]["gflops"], high["roof"]["gflops"] = 50.0, 200.0
    assert res.best_roof([low, high]) == {2: 200.0} and low["roof"]["gflops"] == 200.0
    assert res.roof_fraction(low) == pytest.approx(0.5)   # 2 x 1e8 MACs / 2 ms = 100 GFLOP/s of 200


def test_the_published_zoo_results_ship_with_the_package_and_pick_reads_them(monkeypatch):
    """export/published/zoo_results.json (benchmarks/zoo.py's output) is package data, validates record by
    record, holds this machine's three precisions at 1 and 2 threads, and is what `pick` reads by default."""
    from pathlib import Path

    import tomllib
    from mobilecnn.export.pick import PUBLISHED

    root = Path(__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "published/*.json" in config["package-data"]["mobilecnn.export"]
    records = res.read_results(PUBLISHED)
    good = res.ok(records)
    assert {r["model"]["precision"] for r in good} == {"float32", "float16", "int8"}
    assert {r["run"]["threads"] for r in good} == {1, 2} and {r["target"]["name"] for r in good} == {"local"}
    monkeypatch.delenv("MOBILECNN_RESULTS", raising=False)
    choice = pick(1e9)
    assert choice.fits and {r["key"] for r in choice.fits} <= {r["key"] for r in good}


def test_models_rated_on_another_dataset_are_not_ranked_against_imagenet(tmp_path):
    """LeNet-5's 99% is on digits: fast as it is, it is neither picked nor on the top-1 plot (it stays on the
    others); NiN-CIFAR's CIFAR-10 figure likewise."""
    records = RECORDS + [_record("lenet-5", "float32", 0.05, 99.0), _record("nin-cifar", "int8", 0.5, 89.6)]
    assert res.imagenet_top1(records[-2]) is None and res.imagenet_top1(records[0]) == 70.0
    assert [r["model"]["name"] for r in pick(5.0, results=records).fits] == ["b", "c", "a"]
    drawn = plot_all(records, tmp_path)
    assert drawn["latency_vs_top1"]["points"] == 7 and drawn["latency_vs_macs"]["points"] == 10


def test_an_export_that_fails_verification_is_timed_and_marked_unverified(tmp_path, monkeypatch):
    """The zoo times untrained models; one whose export fails verification (EfficientNetV2-M int8 at 480 px) is
    still timed, its records and the table say it is unverified and why; with ``time_unverified=False`` it is a
    failed record. The failing verification is a stand-in (the real check with its verdict turned): it proves the
    plumbing, not that any model fails."""
    from mobilecnn.export import verify as verify_module

    real = verify_module.verify

    def failing(*args, **kwargs):
        v = real(*args, **kwargs)
        v.passed, v.reason = False, "cosine similarity 0.061 with the Keras model's outputs (stand-in)"
        return v

    from mobilecnn.export import pipeline

    conversions = []
    convert = pipeline.to_tflite
    monkeypatch.setattr(pipeline, "to_tflite", lambda *a, **k: conversions.append(1) or convert(*a, **k))
    monkeypatch.setattr(verify_module, "verify", failing)
    kwargs = dict(precisions=("float32",), threads=(1,), runs=3, warmup=1, progress=False, roof_seconds=0.05,
                  options={"resolution": 32, "num_classes": 10})
    (record,) = run_zoo(["squeezenet-1.1"], out=tmp_path / "timed", **kwargs)
    assert record["status"] == "ok" and record["latency_ms"]["median"] > 0
    assert len(conversions) == 1   # the failed file is kept, not converted again (B7's int8 takes minutes)
    assert "cosine similarity 0.061" in record["model"]["unverified"]
    (sidecar,) = (tmp_path / "timed" / "exports").glob("*.json")
    assert "cosine similarity 0.061" in json.loads(sidecar.read_text())["unverified"]
    table = (tmp_path / "timed" / "results.md").read_text()
    assert f"){res.UNVERIFIED_MARK} |" in table and "export failed verification: squeezenet-1.1 float32" in table
    (refused,) = run_zoo(["squeezenet-1.1"], out=tmp_path / "strict", time_unverified=False, **kwargs)
    assert refused["status"] == "failed" and "verification failed: cosine similarity 0.061" in refused["error"]
    monkeypatch.setattr(verify_module, "verify", real)      # verified: no mark
    (passed,) = run_zoo(["squeezenet-1.1"], out=tmp_path / "verified", **kwargs)
    assert passed["status"] == "ok" and "unverified" not in passed["model"]
    assert res.UNVERIFIED_MARK not in (tmp_path / "verified" / "results.md").read_text()
