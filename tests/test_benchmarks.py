"""The benchmark code runs (benchmarks report figures; tests only check that they run)."""

import pytest


def test_desktop_benchmark_runs_and_reports(monkeypatch):
    from benchmarks import desktop

    monkeypatch.setattr(desktop, "gemm_gflops", lambda threads, **_: 50.0 * threads)  # skip the 2 s GEMM timing
    report = desktop.run(models=["mobilenet-v3-small"], precisions=["float32", "int8"], resolution=64, runs=2,
                         calibration_count=8, progress=lambda line: None)
    rows = report["rows"]
    assert {(r["source"], r["precision"]) for r in rows} == {
        ("mobilecnn", "float32"), ("mobilecnn", "int8"),
        ("keras.applications", "float32"), ("keras.applications", "int8")}
    assert all(r["ms_1t"] > 0 and r["ms_2t"] > 0 and 0 < r["roof_2t"] for r in rows)
    table = desktop.markdown(report)
    assert table.count("\n") == 3 and "mobilenet-v3-small | int8" in table


def test_gemm_roof_is_measured():
    from benchmarks.desktop import gemm_gflops

    assert gemm_gflops(1, n=256, seconds=0.05) > 0.1


@pytest.mark.parametrize("threads", [1, 2])
def test_benchmark_timings_are_ordered(threads):
    from mobilecnn.export import export_model
    from mobilecnn.export.benchmark import benchmark

    result = export_model("mobilenet-v3-small", "float32", options={"resolution": 64, "width_multiplier": 0.75},
                          verify=False, check_delegates=False)
    (timing,) = benchmark(result.model_content, threads=(threads,), runs=5, warmup=1)
    assert 0 < timing.median_ms <= timing.p90_ms and timing.runs == 5
