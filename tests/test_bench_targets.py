"""Benchmark targets: the local timer and ``litert-benchmark`` on a real small export, the result schema, the
parsers of both tools' output (the real ``litert-benchmark`` output, and fixtures of the Android tools), the CLI's
bad-input cases."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from mobilecnn.export import results as res
from mobilecnn.export.android import parse_benchmark_output, parse_getprop, strip_prefix
from mobilecnn.export.targets import (
    LitertBenchmarkTarget,
    LocalTarget,
    TargetUsageError,
    parse_litert_benchmark_output,
    parse_target,
)
from mobilecnn.export.zoo import time_file, time_files

from mobilecnn.cli import main

# One worker for the module: its export fixture is made once (with -n 2 each worker made its own: 12 s).
pytestmark = pytest.mark.xdist_group("bench-targets")

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def small_tflite(tmp_path_factory) -> Path:
    from mobilecnn.export import export_model

    path = tmp_path_factory.mktemp("bench") / "small.tflite"
    export_model("mobilenet-v3-small", "float32", path, options={"resolution": 64, "width_multiplier": 0.35},
                 verify=False, gpu=False)
    return path


def _check_latency(lat: dict) -> None:
    assert 0 < lat["min"] <= lat["median"] <= lat["max"]
    assert lat["init"] > 0 and lat["first"] > 0 and lat["std"] >= 0


def test_local_target_records_validate(small_tflite):
    records = time_file(LocalTarget(), small_tflite, [1, 2], runs=10, warmup=2)
    assert [r["run"]["threads"] for r in records] == [1, 2]
    for r in records:
        res.validate(r)
        _check_latency(r["latency_ms"])
        assert r["latency_ms"]["count"] == 10 and r["latency_ms"]["p90"] >= r["latency_ms"]["median"]
        assert r["acceleration"]["xnnpack_partitions"] == 1 and r["acceleration"]["fully_accelerated"]
        assert r["memory"]["peak_mb"] is not None and 1 < r["memory"]["peak_mb"] < 500
        assert r["model"]["name"] == "mobilenet-v3-small" and r["model"]["options"]["resolution"] == 64  # sidecar
        assert r["model"]["file"]["size"] == small_tflite.stat().st_size and len(r["model"]["file"]["sha256"]) == 64
        assert r["target"]["device"]["cores"] >= 1 and r["target"]["device"]["cpu"]
        assert r["key"] == f"mobilenet-v3-small|float32|local|{r['run']['threads']}|cpu"


def test_litert_benchmark_target_and_its_real_output(small_tflite):
    target = LitertBenchmarkTarget(timeout=120)
    figures, stdout = target.run_once(small_tflite, 1, "cpu", runs=8, warmup=2)
    printed = parse_litert_benchmark_output(stdout)   # the lines it printed, read on their own
    assert printed["count"] == 8 and printed["fully_accelerated"] is True
    assert printed["median"] == pytest.approx(figures["median"], abs=0.006)  # printed with 2 decimals
    assert printed["min"] <= printed["median"] <= printed["max"]
    (record,) = time_file(target, small_tflite, [2], runs=8, warmup=2)
    res.validate(record)
    _check_latency(record["latency_ms"])
    assert record["latency_ms"]["p90"] is None and record["latency_ms"]["p95"] is not None  # it has no p90
    assert record["target"]["tool_version"].startswith("ai-edge-litert ")


def test_a_record_that_breaks_the_schema_is_refused(small_tflite):
    (good,) = time_file(LocalTarget(memory=False), small_tflite, [1], runs=3, warmup=1)
    for change, words in [(lambda r: r["latency_ms"].update(median=-1.0), "latency_ms.median"),
                          (lambda r: r.update(schema="mobilecnn.benchmark/0"), "schema"),
                          (lambda r: r["run"].update(accelerator="tpu"), "accelerator"),
                          (lambda r: r.update(status="failed"), "must say why"),
                          (lambda r: r["run"].update(threads=3), "does not match"),
                          (lambda r: r.pop("memory"), "'memory'")]:
        bad = copy.deepcopy(good)
        change(bad)
        with pytest.raises(res.ResultsError, match=words):
            res.validate(bad)


def test_litert_android_fixture_is_parsed():
    out = parse_benchmark_output((FIXTURES / "litert_benchmark_model_android.txt").read_text())
    lat = out["latency_ms"]
    assert lat["count"] == 10 and lat["median"] == pytest.approx(1197.33)        # 1.19733e+06 us
    assert lat["min"] == pytest.approx(1186.51) and lat["max"] == pytest.approx(1251.13)
    assert lat["init"] == pytest.approx(43.22) and lat["first"] == pytest.approx(1318.46)
    assert lat["p95"] == pytest.approx(1251.13) and lat["std"] == pytest.approx(18.64)
    assert out["peak_mb"] == pytest.approx(61.45) and out["profile"] is None


def test_tflite_android_fixture_is_parsed_with_its_op_profile():
    out = parse_benchmark_output((FIXTURES / "tflite_benchmark_model_android.txt").read_text())
    lat = out["latency_ms"]
    # the timed runs' line, not the warm-up's nor the profiler's "Timings (microseconds)" summary
    assert lat["count"] == 112 and lat["median"] == pytest.approx(8.903) and lat["mean"] == pytest.approx(8.98944)
    assert lat["init"] == pytest.approx(24.816) and lat["first"] == pytest.approx(15.803)
    assert out["peak_mb"] == pytest.approx(22.7461) and out["fully_accelerated"] is True
    ops = out["profile"]
    assert [o["op"] for o in ops[:2]] == ["Convolution (NHWC, F32) GEMM", "Convolution (NHWC, F32) DWConv"]
    assert ops[0]["share"] == pytest.approx(0.58002) and ops[0]["ms"] == pytest.approx(5.122)


def test_log_prefixes_and_getprop():
    assert strip_prefix("INFO: [benchmark_model.cc:178] count=4 first=1") == "count=4 first=1"
    assert strip_prefix("I tflite  : INFO: Initialized session in 3ms.") == "Initialized session in 3ms."
    props = parse_getprop((FIXTURES / "getprop_pixel.txt").read_text())
    assert props["ro.product.model"] == "Pixel 8" and props["ro.soc.model"] == "Tensor G3"


def test_a_timing_line_is_required():
    from mobilecnn.export.targets import TargetError

    with pytest.raises(TargetError, match="no timings"):
        parse_benchmark_output("INFO: STARTING!\nERROR: model failed to load\n")
    with pytest.raises(TargetError, match="median"):
        parse_litert_benchmark_output("BENCHMARK RESULTS\n")


# --- bad input ---------------------------------------------------------------------------------------------

def test_unknown_target(small_tflite, capsys):
    with pytest.raises(TargetUsageError, match="unknown target 'phone'.*android"):
        parse_target("phone")
    assert main(["benchmark", str(small_tflite), "--target", "phone"]) == 2
    assert "unknown target 'phone'; choose one of: local, litert-benchmark, android[:SERIAL]" in capsys.readouterr().err


def test_binary_missing_or_not_executable(tmp_path, small_tflite, capsys):
    assert main(["benchmark", str(small_tflite), "--target", "android", "--binary", str(tmp_path / "nope")]) == 2
    assert "no such file" in capsys.readouterr().err
    plain = tmp_path / "benchmark_model"
    plain.write_text("#!/bin/sh\n")
    plain.chmod(0o644)
    assert main(["benchmark", str(small_tflite), "--target", "android", "--binary", str(plain)]) == 2
    assert "is not executable: chmod +x" in capsys.readouterr().err
    assert main(["benchmark", str(small_tflite), "--target", "android"]) == 2
    assert "needs --binary" in capsys.readouterr().err
    plain.chmod(0o755)
    assert main(["benchmark", str(small_tflite), "--binary", str(plain)]) == 2   # local target takes no binary
    assert "--binary is for --target android" in capsys.readouterr().err


def test_local_has_no_gpu_and_modes_exclude_each_other(small_tflite, tmp_path, capsys):
    assert main(["benchmark", str(small_tflite), "--accelerator", "gpu"]) == 2
    assert "litert-benchmark runs the GPU" in capsys.readouterr().err
    assert main(["benchmark", str(small_tflite), "--zoo", "lenet-5", "--out", str(tmp_path)]) == 2
    assert main(["benchmark", "--zoo", "lenet-5"]) == 2
    assert "--zoo needs --out" in capsys.readouterr().err


def test_file_mode_writes_records(small_tflite, tmp_path, capsys):
    out = tmp_path / "r.json"
    assert main(["benchmark", str(small_tflite), "--threads", "1", "--runs", "3", "--out", str(out)]) == 0
    assert "1 thread(s): median" in capsys.readouterr().out
    (record,) = res.read_results(out)
    assert json.loads(out.read_text())["schema"] == res.SCHEMA and record["run"]["runs"] == 3


def test_time_budget_cuts_the_runs_of_a_slow_file_but_not_below_the_floor(small_tflite, capsys):
    """--max-seconds: a budget far below one file's 200 runs times them MIN_RUNS times; a generous one all 200."""
    (short,) = time_file(LocalTarget(memory=False, max_seconds=1e-3), small_tflite, [1], runs=200, warmup=2)
    assert short["latency_ms"]["count"] == LocalTarget.MIN_RUNS and short["run"]["runs"] == 200
    (full,) = time_file(LocalTarget(memory=False, max_seconds=60), small_tflite, [1], runs=200, warmup=2)
    assert full["latency_ms"]["count"] == 200
    assert main(["benchmark", str(small_tflite), "--max-seconds", "0"]) == 2
    assert "the time budget must be positive, got 0.0 s" in capsys.readouterr().err


def test_local_target_times_several_files_in_the_same_rounds(small_tflite, tmp_path):
    """One model's precisions are timed together (the zoo runner's int8/float32 ratio): one record per file and
    thread count, each with its own file's figures and every run it was asked for."""
    import shutil

    other = tmp_path / "other.tflite"
    shutil.copyfile(small_tflite, other)
    model = {"name": "mobilenet-v3-small", "options": {}, "precision": "int8", "params": 1, "macs": 2}
    first, second = time_files(LocalTarget(memory=False), [(small_tflite, None), (other, model)], [1, 2], runs=6,
                               warmup=1)
    assert [r["run"]["threads"] for r in first] == [r["run"]["threads"] for r in second] == [1, 2]
    assert {r["model"]["precision"] for r in first} == {"float32"} and {r["model"]["precision"] for r in second} \
        == {"int8"}   # the sidecar's precision for the first, the given model for the second
    assert all(r["latency_ms"]["count"] == 6 for r in first + second)
    assert first[0]["model"]["file"]["sha256"] == second[0]["model"]["file"]["sha256"]
