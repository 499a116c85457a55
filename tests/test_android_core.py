"""android_demo/core, the app's plain-Kotlin logic: it compiles with -Werror, its JUnit tests pass, and the golden
tests across the two languages agree with mobilecnn's reference (export/pixels.py) on real photographs.

The golden data: MobileNet V3-Small (hard-swish; 0.5x, 64x64) and ShuffleNet V2 (0.5x, 96x64: a portrait input,
so landscape and square photos are both cropped) in float32, float16 and int8 with uint8 I/O, each written by the
assets writer, and for scikit-image's astronaut, chelsea and coffee PNGs (lossless: Java's ImageIO decodes the
same pixels) the input bytes, LiteRT's raw output and the top 5. One kotlinc call compiles core and its tests;
one JVM runs them all. Nothing is cached between runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import mobilecnn

# One worker builds the golden data and runs kotlinc once (under -n 2 --dist loadgroup).
pytestmark = pytest.mark.xdist_group("android-core")
ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "android_demo" / "core"
KOTLINC = CORE / "node_modules" / "kotlin-compiler" / "bin" / "kotlinc"
INSTALL = "run scripts/install-software-vulkan.sh (as root: it installs junit4 and libhamcrest-java with apt, and " \
          "the pinned kotlin-compiler with npm ci in android_demo/core)"
JARS = {"junit": ("/usr/share/java/junit4.jar", "~/.m2/repository/junit/junit/4.13.2/junit-4.13.2.jar"),
        "hamcrest": ("/usr/share/java/hamcrest.jar",
                     "~/.m2/repository/org/hamcrest/hamcrest-core/1.3/hamcrest-core-1.3.jar")}
PHOTOS = ("astronaut.png", "chelsea.png", "coffee.png")
MODELS = {"mobilenet-v3-small": {"resolution": 64, "width_multiplier": 0.5, "num_classes": 10},
          "shufflenet-v2": {"resolution": (96, 64), "width_multiplier": 0.5, "num_classes": 10}}
PRECISIONS = (("float32", "float32"), ("float16", "float32"), ("int8", "uint8"))


def tools() -> dict[str, str]:
    """kotlinc, java and the JUnit jars; a missing one fails the test (never skips it) naming the install step."""
    found = {"kotlinc": str(KOTLINC) if KOTLINC.is_file() else None, "java": shutil.which("java")}
    for name, candidates in JARS.items():
        found[name] = next((str(Path(c).expanduser()) for c in candidates if Path(c).expanduser().is_file()), None)
    missing = [name for name, path in found.items() if path is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: {INSTALL}")
    return found


def photos_dir() -> Path:
    import skimage

    return Path(skimage.__file__).parent / "data"


def read_photo(name: str) -> np.ndarray:
    from PIL import Image

    with Image.open(photos_dir() / name) as image:
        return np.asarray(image.convert("RGB"))


def convert(model, precision: str, io_type: str, calibration: np.ndarray) -> bytes:
    """The export's converter settings (convert._convert, the precision rewrites, the fixed batch, compact), fed
    a traced function instead of a SavedModel: the same graph in a third of the time (3-5 s against 9-18 s)."""
    import tensorflow as tf
    from mobilecnn.export.convert import _convert, compact
    from mobilecnn.export.graph import rewritten, with_fixed_batch

    graph = with_fixed_batch(rewritten(model, precision), 1)
    function = tf.function(lambda x: graph(x, training=False))
    concrete = function.get_concrete_function(tf.TensorSpec((1, *graph.inputs[0].shape[1:]), tf.float32))
    converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete], function)
    representative = (lambda: (calibration[i:i + 1] for i in range(len(calibration)))) if precision == "int8" else None
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Statistics for quantized inputs were expected")
        return compact(_convert(converter, precision, representative, io_type))


def runner(content: bytes):
    """``x`` (the input tensor, its own dtype) -> the raw output tensor, in LiteRT's interpreter."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=content, num_threads=1)
    interpreter.allocate_tensors()
    source, result = interpreter.get_input_details()[0]["index"], interpreter.get_output_details()[0]["index"]

    def run(x: np.ndarray) -> np.ndarray:
        interpreter.set_tensor(source, x)
        interpreter.invoke()
        return interpreter.get_tensor(result).copy()

    return run


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    """The golden folder GoldenTest.kt reads (layout in its docstring), and what wrong preprocessing does to the
    outputs on the Python side (the largest probability change, and how many top-1 classes change)."""
    import keras
    from mobilecnn.export import pixels
    from mobilecnn.export.assets import write_android_assets
    from mobilecnn.export.calibration import builtin_images

    keras.utils.set_random_seed(0)   # module fixtures run before conftest's per-test seed
    root = tmp_path_factory.mktemp("golden")
    photos = {name: read_photo(name) for name in PHOTOS}
    cases, effects = [], {}
    for name, options in MODELS.items():
        model = mobilecnn.build(name, **options)
        calibration = builtin_images(tuple(int(d) for d in model.inputs[0].shape[1:]), 16)
        mobilecnn.recalibrate_batchnorm(model, calibration)
        for precision, io_type in PRECISIONS:
            case = f"{name}-{precision}"
            content = convert(model, precision, io_type, calibration)
            metadata = {"model": name, "options": json.loads(json.dumps(options)), "precision": precision,
                        "io_type": io_type, "input": {"preprocessing_inside_model": True}, "labels": None,
                        "params": model.count_params(), "macs": None, "mobilecnn_version": mobilecnn.__version__}
            write_android_assets(root / case, content, metadata)
            info = json.loads((root / case / "model_info.json").read_text())
            run_raw = runner(content)
            for photo, image in photos.items():
                stem = photo.rsplit(".", 1)[0]
                x = pixels.model_input(image, info)
                raw = run_raw(x)
                (root / case / f"{stem}.input.bin").write_bytes(x.tobytes())
                (root / case / f"{stem}.output.bin").write_bytes(raw.tobytes())
                probs = pixels.probabilities(raw, info)
                (root / case / f"{stem}.top5.tsv").write_text(
                    "".join(f"{i}\t{p!r}\n" for i, p in pixels.top_k(probs, 5)))
                for wrong, kwargs in (("bgr", {"bgr": True}), ("nocrop", {"center_crop": False})):
                    other = pixels.probabilities(run_raw(pixels.model_input(image, info, **kwargs)), info)
                    effect = effects.setdefault((case, wrong), [0.0, 0])
                    effect[0] = max(effect[0], float(np.abs(other - probs).max()))
                    effect[1] += int(other.argmax() != probs.argmax())
            cases.append(case)
    (root / "cases.txt").write_text("".join(c + "\n" for c in cases))
    (root / "photos.txt").write_text("".join(p + "\n" for p in PHOTOS))
    return root, effects


@pytest.fixture(scope="module")
def junit(golden, tmp_path_factory):
    """Compile core and its tests in one kotlinc call (-Werror, JVM 17), then run every *Test class in one JVM."""
    found = tools()
    out = tmp_path_factory.mktemp("kotlin")
    classes = out / "classes"
    sources = [str(CORE / "src" / "main" / "kotlin"), str(CORE / "src" / "test" / "kotlin")]
    classpath = f"{found['junit']}{os.pathsep}{found['hamcrest']}"
    # C1 only and the serial collector: kotlinc's one-shot JVM starts 30% faster (23 s against 32 s here).
    env = {**os.environ, "JAVA_OPTS": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}
    compiled = subprocess.run([found["kotlinc"], "-Werror", "-jvm-target", "17", "-cp", classpath, "-d", str(classes),
                               *sources], capture_output=True, text=True, env=env, timeout=600)
    tests = sorted(f"com.mobilecnn.core.{p.stem}" for p in (CORE / "src" / "test").rglob("*Test.kt"))
    results = out / "results.json"
    ran = None
    if compiled.returncode == 0:
        stdlib = KOTLINC.parent.parent / "lib" / "kotlin-stdlib.jar"
        ran = subprocess.run([found["java"], f"-Dgolden.dir={golden[0]}", f"-Dphotos.dir={photos_dir()}",
                              f"-Dresults.out={results}", "-cp",
                              os.pathsep.join([str(classes), str(stdlib), classpath]),
                              "org.junit.runner.JUnitCore", *tests], capture_output=True, text=True, timeout=600)
    return {"compiled": compiled, "ran": ran, "tests": tests, "results": results}


def junit_output(junit) -> str:
    assert junit["compiled"].returncode == 0, "kotlinc -Werror failed:\n" + junit["compiled"].stderr[-4000:]
    return junit["ran"].stdout + junit["ran"].stderr


def test_core_compiles_with_werror(junit):
    compiled = junit["compiled"]
    assert compiled.returncode == 0, compiled.stderr[-4000:]
    assert "warning:" not in compiled.stderr, compiled.stderr[-4000:]


def test_core_junit_tests_pass(junit):
    text = junit_output(junit)
    assert junit["ran"].returncode == 0, text[-6000:]
    count = int(re.search(r"OK \((\d+) tests\)", text).group(1))
    assert len(junit["tests"]) >= 8 and count >= 28, (junit["tests"], count)


def test_golden_inputs_and_top5_match_across_languages(junit, golden):
    text = junit_output(junit)
    assert "GoldenTest" not in "".join(re.findall(r"^\d+\) .*$", text, re.M)), text[-6000:]
    cases = (golden[0] / "cases.txt").read_text().split()
    inputs = re.findall(r"GOLDEN input (\S+) (\S+) (\S+): 0 of \d+ values differ", text)
    tops = re.findall(r"GOLDEN top5 (\S+) (\S+):", text)
    assert len(cases) == 6 and len(inputs) == len(tops) == 6 * len(PHOTOS), (inputs, tops)
    assert {t for _, _, t in inputs} == {"float32", "uint8"}


def test_wrong_preprocessing_fails_the_comparison(junit, golden):
    """BGR for RGB fails every case and photo; a stretched photo instead of the crop every one that needs a crop
    (all but the square astronaut for the square MobileNet). Prints the measured mismatch, and what the wrong
    input does to the model's probabilities."""
    text = junit_output(junit)
    failures = "".join(re.findall(r"^\d+\) .*$", text, re.M))
    assert "bgrInsteadOfRgbFailsTheComparison" not in failures and "aMissingCropFailsTheComparison" not in failures
    bgr = re.findall(r"MISMATCH bgr (\S+) (\S+): (\d+) of (\d+) values differ, max \|diff\| (\S+)$", text, re.M)
    nocrop = re.findall(r"MISMATCH nocrop (\S+) (\S+): (\d+) of (\d+) values differ, max \|diff\| (\S+)$", text, re.M)
    assert len(bgr) == 6 * len(PHOTOS) and all(int(d) > 0 for _, _, d, _, _ in bgr), bgr
    assert len(nocrop) == 6 * len(PHOTOS) - 3 and all(int(d) > 0 for _, _, d, _, _ in nocrop), nocrop
    for kind, rows in (("bgr", bgr), ("nocrop", nocrop)):
        share = min(int(d) / int(n) for _, _, d, n, _ in rows)
        print(f"{kind}: at least {share:.0%} of the input values differ, max |diff| up to "
              f"{max(float(m) for *_, m in rows):g}")
    for (case, wrong), (change, flips) in sorted(golden[1].items()):
        print(f"{case} {wrong}: probabilities change by up to {change:.3g}, top-1 changes on {flips} of "
              f"{len(PHOTOS)} photos")


def test_model_info_matches_each_tflite(golden):
    """What the app reads from model_info.json is what the .tflite holds; the labels count is the class count."""
    from ai_edge_litert.interpreter import Interpreter

    for case in (golden[0] / "cases.txt").read_text().split():
        folder = golden[0] / case
        info = json.loads((folder / "model_info.json").read_text())
        content = (folder / "model.tflite").read_bytes()
        interpreter = Interpreter(model_content=content)
        for key, detail in (("input", interpreter.get_input_details()[0]),
                            ("output", interpreter.get_output_details()[0])):
            assert info[key]["shape"] == detail["shape"].tolist()
            assert info[key]["dtype"] == np.dtype(detail["dtype"]).name
            scale, zero = detail["quantization"]
            expected = None if info[key]["dtype"] == "float32" else {"scale": scale, "zero_point": zero}
            assert info[key]["quantization"] == expected, (case, key)
        assert info["output"]["softmax"] is True
        assert info["model_sha256"] == hashlib.sha256(content).hexdigest() and info["model_size"] == len(content)
        labels = (folder / "labels.txt").read_text().splitlines()
        assert len(labels) == info["num_classes"] == info["output"]["shape"][1] == 10
        assert info["preprocessing"]["scale"] == [1.0] * 3 and info["preprocessing"]["offset"] == [0.0] * 3
        assert "normalizes itself" in info["preprocessing"]["note"]


def test_results_file_from_kotlin_reads_in_mobilecnn(junit):
    """The app's results file (core's BenchmarkResults) follows export/results.py's schema: what `mobilecnn
    benchmark --plot --results` and `mobilecnn pick --results` read."""
    from mobilecnn.export.results import read_results

    junit_output(junit)
    records = read_results(junit["results"])
    assert [r["key"] for r in records] == ["shufflenet-v2|int8|android|4|cpu", "shufflenet-v2|int8|android|4|gpu",
                                           "shufflenet-v2|int8|android|4|npu"]
    assert [r["status"] for r in records] == ["ok", "ok", "failed"]
    assert records[0]["latency_ms"]["median"] == pytest.approx(2.375)
    assert records[0]["target"]["device"]["kind"] == "phone"


def test_core_imports_nothing_from_android():
    sources = list((CORE / "src").rglob("*.kt"))
    assert len(sources) >= 10
    bad = [f"{p.name}: {line.strip()}" for p in sources for line in p.read_text().splitlines()
           if re.match(r"\s*import\s+(android|androidx|com\.google\.ai\.edge)\.", line)]
    assert bad == []


def test_missing_tools_fail_naming_the_install_script(monkeypatch, tmp_path):
    monkeypatch.setattr(sys.modules[__name__], "KOTLINC", tmp_path / "kotlinc")
    with pytest.raises(pytest.fail.Exception, match="kotlinc not found: run scripts/install-software-vulkan.sh"):
        tools()
