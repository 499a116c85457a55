"""One import namespace, cheap imports, layers that stand on each other in one direction, a quiet command line.

The subprocess tests run from a temporary folder, so the repository root (where the ``export/`` folder lies)
is not on ``sys.path``: they see what ``pip install`` installed, as a user would.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("tensorflow", "keras", "tf_keras", "tensorflow_model_optimization")
# The lines TensorFlow, absl, the int8 converter and LiteRT print natively (issue 11).
NATIVE_NOISE = ("cudart_stub", "absl::InitializeLog", "fully_quantize", "Created TensorFlow Lite")


def python(code: str, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=300,
                          **kwargs)


def test_export_is_a_subpackage_and_no_top_level_export_is_installed(tmp_path):
    result = python("import importlib.util as u, json; e = u.find_spec('export'); s = u.find_spec('mobilecnn.export');"
                    "print(json.dumps([e and e.origin, s.origin]))", tmp_path)
    assert result.returncode == 0, result.stderr
    top, sub = json.loads(result.stdout)
    assert top is None or not Path(top).resolve().is_relative_to(ROOT), f"a top-level 'export' from us: {top}"
    assert Path(sub).resolve() == ROOT / "export" / "__init__.py"


def test_every_package_folder_is_in_the_distribution():
    """pyproject lists the packages (the export folder is mapped into the namespace); a new folder must be added."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    dirs = config["package-dir"]
    listed = set(config["packages"])
    found = set()
    for top, folder in dirs.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([top, *rel.parts]))
    assert found == listed, f"in folders but not listed: {found - listed}; listed but absent: {listed - found}"


def test_documented_imports_work(tmp_path):
    """Every import the README shows, in a fresh process."""
    code = ("import mobilecnn; from mobilecnn.export import export_model, ExportResult, PRECISIONS;"
            "from mobilecnn.export.convert import qat_to_tflite; from mobilecnn.cli import main;"
            "import mobilecnn.data, mobilecnn.quantization;"
            "assert callable(mobilecnn.build) and callable(mobilecnn.qat) and callable(mobilecnn.train);"
            "assert mobilecnn.data.digits and mobilecnn.export.export_model is export_model")
    result = python(code, tmp_path)
    assert result.returncode == 0, result.stderr


def test_registry_loads_without_tensorflow(tmp_path):
    code = ("import sys, mobilecnn, mobilecnn.export, mobilecnn.cli; names = mobilecnn.list_models();"
            "info = mobilecnn.model_info('efficientnet-b1'); mobilecnn.cli.make_parser();"
            f"print(len(names), info['resolution'], [m for m in {HEAVY!r} if m in sys.modules])")
    result = python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    count, resolution, loaded = result.stdout.split(" ", 2)
    assert int(count) >= 48 and int(resolution) == 240
    assert loaded.strip() == "[]", f"imported by the registry path: {loaded}"


def test_building_loads_keras_then(tmp_path):
    """The companion of the test above: the probe sees a heavy import when one happens."""
    code = ("import sys, mobilecnn; mobilecnn.build('lenet-5');"
            f"print([m for m in {HEAVY[:2]!r} if m in sys.modules])")
    result = python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['tensorflow', 'keras']"


def test_saved_model_loads_in_safe_mode_after_import_mobilecnn(tmp_path):
    """Our custom layers (channel shuffle and slice) are registered once Keras loads, with no build call."""
    import keras
    import numpy as np

    import mobilecnn

    model = mobilecnn.build("shufflenet-v2", resolution=32, num_classes=3, width_multiplier=0.5)
    path = tmp_path / "shufflenet.keras"
    model.save(path)
    x = np.random.default_rng(0).uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", np.asarray(model(x)))
    del keras
    code = ("import numpy as np, mobilecnn, keras; m = keras.saving.load_model('shufflenet.keras');"
            "y = np.asarray(m(np.load('x.npy'))); np.testing.assert_allclose(y, np.load('y.npy'), atol=1e-6);"
            "print(sorted({type(l).__name__ for l in m.layers if type(l).__module__.startswith('mobilecnn')}))")
    result = python(code, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "['ChannelShuffle', 'ChannelSlice']"
    without = python("import keras; keras.saving.load_model('shufflenet.keras')", tmp_path)
    assert without.returncode != 0 and "ChannelS" in without.stderr, "the file should need our layers"


# --- layering: libraries never import the CLI; the model zoo never imports the export package ---

def _modules() -> dict[str, Path]:
    out = {}
    for top, folder in (("mobilecnn", "mobilecnn"), ("mobilecnn.export", "export")):
        for path in (ROOT / folder).rglob("*.py"):
            rel = path.relative_to(ROOT / folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            out[".".join([top, *parts])] = path
    return out


def _imports(path: Path, module: str, known: set[str]) -> set[str]:
    """Every mobilecnn module ``path`` imports, at the top or inside a function."""
    found = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + [base]).strip(".")
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {m: _imports(p, m, known) - {m} for m, p in modules.items()}


ABOVE_THE_ZOO = ("mobilecnn.export", "mobilecnn.cli", "mobilecnn.job", "mobilecnn.__main__")


def _above(module: str) -> bool:
    return any(module == a or module.startswith(a + ".") for a in ABOVE_THE_ZOO)


def test_the_model_zoo_never_imports_export_or_the_cli():
    graph = _graph()
    zoo = [m for m in graph if not _above(m) and m != "mobilecnn"]
    assert {"mobilecnn.registry", "mobilecnn.builder", "mobilecnn.training", "mobilecnn.data",
            "mobilecnn.quantization.aware", "mobilecnn.families.efficientnet"} <= set(zoo)
    bad = {m: sorted(i for i in graph[m] if _above(i)) for m in zoo}
    assert not {m: v for m, v in bad.items() if v}


def test_libraries_never_import_the_cli():
    graph = _graph()
    bad = {m: sorted(i for i in deps if i.startswith("mobilecnn.cli"))
           for m, deps in graph.items() if not m.startswith("mobilecnn.cli") and m != "mobilecnn.__main__"}
    assert not {m: v for m, v in bad.items() if v}


def test_no_import_cycles():
    graph = _graph()
    # the package's own __init__ re-exports lazily; it is nobody's dependency in the walk
    graph = {m: {d for d in deps if d != "mobilecnn"} for m, deps in graph.items()}
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == "open":
                cycles.append(stack[stack.index(dep):] + [dep])
            elif dep not in state:
                visit(dep, stack + [dep])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, f"import cycles: {cycles}"


def test_import_walk_sees_a_forbidden_import(tmp_path):
    """The walk above is not blind: a function-level import of the export package and a relative import of
    the CLI are both reported."""
    fake = tmp_path / "fake.py"
    fake.write_text("def f():\n    from mobilecnn.export.convert import to_tflite\n    from .cli import main\n")
    assert {"mobilecnn.export.convert", "mobilecnn.cli"} <= _imports(fake, "mobilecnn.fake", set(_modules()))


# --- the command line: python -m, quiet by default ---

def test_python_dash_m_works_like_the_command(tmp_path):
    a = subprocess.run([sys.executable, "-m", "mobilecnn", "list", "--json"], cwd=tmp_path, capture_output=True,
                       text=True, timeout=120)
    assert a.returncode == 0, a.stderr
    names = [r["name"] for r in json.loads(a.stdout)]
    assert "efficientnet-b7" in names and "lenet-5" in names
    b = subprocess.run([sys.executable, "-m", "mobilecnn", "info", "mobilenet-v9"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert b.returncode == 2 and "Did you mean" in b.stderr


def _command(args: list[str], cwd: Path, verbose: bool = False) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "ABSL_MIN_LOG_LEVEL")}
    argv = [sys.executable, "-m", "mobilecnn", *(["--verbose"] if verbose else []), *args]
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=600, env=env)


def _noise(result: subprocess.CompletedProcess) -> list[str]:
    return [n for n in NATIVE_NOISE if n in result.stdout or n in result.stderr]


@pytest.fixture(scope="module")
def verbose_export(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("verbose")
    return _command(["export", "lenet-5", "--precision", "int8", "--out", "v.tflite"], tmp, verbose=True)


def test_export_and_train_print_no_native_log_lines(tmp_path, verbose_export):
    export = _command(["export", "lenet-5", "--precision", "int8", "--out", "l.tflite"], tmp_path)
    assert export.returncode == 0, export.stderr[-3000:]
    assert (tmp_path / "l.tflite").stat().st_size > 0
    assert "XNNPACK" in export.stdout and "no calibration data given" in export.stderr  # ours still show
    assert _noise(export) == []
    train = _command(["train", "lenet-5", "--epochs", "1", "--export", "t.tflite"], tmp_path)
    assert train.returncode == 0, train.stderr[-3000:]
    assert "int8 accuracy" in train.stdout
    assert _noise(train) == []
    assert not list(tmp_path.glob("mobilecnn-*.log"))


def test_verbose_shows_the_native_lines(verbose_export):
    """The companion: the same export with --verbose prints what the quiet runs must not."""
    assert verbose_export.returncode == 0, verbose_export.stderr[-3000:]
    assert {"fully_quantize", "Created TensorFlow Lite"} <= set(_noise(verbose_export))
