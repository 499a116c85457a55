"""The benchmark code runs (benchmarks report figures; tests only check that they run)."""

import pytest

# One worker for the module: its export fixture is made once (with -n 2 each worker made its own: 12 s).
pytestmark = pytest.mark.xdist_group("bench-small-export")


@pytest.mark.slow  # 24 s: two int8 conversions; the timer itself is tested below
def test_desktop_benchmark_runs_and_reports(monkeypatch):
    from benchmarks import desktop

    monkeypatch.setattr(desktop, "gemm_gflops", lambda threads, **_: 50.0 * threads)  # skip the 2 s GEMM timing
    report = desktop.run(models=["mobilenet-v3-small"], precisions=["int8"], resolution=64, runs=2,
                         calibration_count=8, progress=lambda line: None)
    rows = report["rows"]
    assert {(r["source"], r["precision"]) for r in rows} == {("mobilecnn", "int8"), ("keras.applications", "int8")}
    assert all(r["ms_1t"] > 0 and r["ms_2t"] > 0 and 0 < r["roof_2t"] for r in rows)
    table = desktop.markdown(report)
    assert table.count("\n") == 2 and "mobilenet-v3-small | int8" in table


def test_gemm_roof_is_measured():
    from benchmarks.desktop import gemm_gflops

    assert gemm_gflops(1, n=256, seconds=0.05) > 0.1


@pytest.fixture(scope="module")
def small_export():
    from mobilecnn.export import export_model

    return export_model("mobilenet-v3-small", "float32", options={"resolution": 64, "width_multiplier": 0.75},
                        verify=False, check_delegates=False).model_content


@pytest.mark.parametrize("threads", [1, 2])
def test_benchmark_reports_each_thread_count_and_run_count(small_export, threads):
    from mobilecnn.export.benchmark import benchmark

    (timing,) = benchmark(small_export, threads=(threads,), runs=5, warmup=1)
    assert timing.threads == threads and timing.runs == 5 and timing.median_ms > 0
    # min_seconds keeps sampling past `runs` (a 64 px MobileNet V3-Small takes about 1 ms here, 0.2 s holds dozens)
    (longer,) = benchmark(small_export, threads=(threads,), runs=1, warmup=0, min_seconds=0.2)
    assert longer.runs > 1


def test_summary_is_the_median_and_the_90th_percentile():
    from mobilecnn.export.benchmark import summarize

    timing = summarize(2, [4.0, 1.0, 3.0, 2.0, 10.0])
    # Sorted 1, 2, 3, 4, 10: the median is 3; the 90th percentile, interpolated at rank 0.9 * 4 = 3.6, 4 + 0.6 * 6.
    assert (timing.threads, timing.median_ms, timing.runs) == (2, 3.0, 5)
    assert timing.p90_ms == pytest.approx(7.6)


def test_interleaved_takes_each_models_least_disturbed_round(monkeypatch):
    """Rounds alternate between models; the median is the lowest of the rounds' medians, p90 over all runs."""
    from mobilecnn.export import benchmark

    rounds = {"a": [[5.0, 7.0], [2.0, 4.0], [9.0, 11.0]], "b": [[1.0, 1.0], [8.0, 8.0], [1.0, 3.0]]}
    order = []

    class FakeTimer:
        def __init__(self, model, threads, warmup=5):
            self.model, self.samples = model, iter(rounds[model])

        def sample(self, runs):
            assert runs == 2
            order.append(self.model)
            return next(self.samples)

    monkeypatch.setattr(benchmark, "Timer", FakeTimer)
    (a,), (b,) = benchmark.interleaved(["a", "b"], threads=(1,), runs=6, rounds=3)
    assert order == ["a", "b"] * 3
    # a: round medians 6, 3, 10 -> 3; runs sorted 2 4 5 7 9 11, p90 at rank 4.5: 9 + 0.5 * 2 = 10.
    assert (a.median_ms, a.p90_ms, a.runs) == (3.0, pytest.approx(10.0), 6)
    # b: round medians 1, 8, 2 -> 1; runs sorted 1 1 1 3 8 8, p90 at rank 4.5: 8.
    assert (b.median_ms, b.p90_ms, b.runs) == (1.0, pytest.approx(8.0), 6)


def test_train_pipeline_benchmark_generates_linked_folders(tmp_path):
    """benchmarks.train_pipeline's folders: n / 10 JPEGs per class, 256-512 px, the smaller set hard links to the
    larger's files; its table has one row per size (the epochs themselves are the benchmark's, not a test's)."""
    from PIL import Image

    from benchmarks import train_pipeline as bench

    folders = bench.generate(tmp_path, [10, 20], processes=1)
    assert sorted(p.name for p in folders[20].iterdir()) == sorted(bench.PHOTOS)
    files = sorted(folders[20].rglob("*.jpg"))
    assert len(files) == 20 and len(list(folders[10].rglob("*.jpg"))) == 10
    with Image.open(files[0]) as im:
        assert im.format == "JPEG" and all(256 <= side <= 512 for side in im.size)
    assert (folders[10] / "astronaut" / "000000.jpg").stat().st_ino == (folders[20] / "astronaut" / "000000.jpg"
                                                                       ).stat().st_ino
    row = {"images": 10, "train_images": 8, "peak_rss_mb": 900.0, "images_per_second": 50.0, "input_share": 0.1,
           "epoch_s": 3.0, "list_and_scan_s": 0.1}
    assert bench.table([row]).splitlines()[-1] == "| 10 | 8 | 900 MB | 50.0 | 10% | 3 s | 0 s |"
