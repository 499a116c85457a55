"""`mobilecnn export ... --android-assets DIR`: what android_demo/ loads (export/assets.py).

One real export through the CLI (MobileNet V1 0.25x at 32 px, float32: the cheapest graph the pipeline
takes); the refusals run the CLI on prepared export results (``export_model`` replaced), so each costs no
conversion.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from mobilecnn.export import assets

from mobilecnn.cli import main

# One worker builds the module's fixture once (under -n 2 --dist loadgroup).
pytestmark = pytest.mark.xdist_group("android-assets")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The CLI's --android-assets output for a registered model with --labels, and the export result behind it."""
    import mobilecnn.export.pipeline as pipeline

    tmp = tmp_path_factory.mktemp("assets")
    (tmp / "labels.txt").write_text("".join(f"flower {i}\n" for i in range(5)))
    seen = []
    real = pipeline.export_model

    def recording(*args, **kwargs):
        seen.append(real(*args, **kwargs))
        return seen[-1]

    pipeline.export_model = recording
    try:
        code = main(["export", "mobilenet-v1", "--resolution", "32", "--width-multiplier", "0.25", "--num-classes",
                     "5", "--no-verify", "--labels", str(tmp / "labels.txt"), "--android-assets", str(tmp / "out")])
    finally:
        pipeline.export_model = real
    return code, tmp / "out", seen[0]


def test_assets_load_and_match_the_tflite(exported):
    from ai_edge_litert.interpreter import Interpreter

    code, folder, result = exported
    assert code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["labels.txt", "model.tflite", "model_info.json"]
    content = (folder / "model.tflite").read_bytes()
    assert content == result.model_content
    info = json.loads((folder / "model_info.json").read_text())
    assert info["schema"] == assets.SCHEMA and info["model"] == "mobilenet-v1"
    assert info["options"] == {"resolution": 32, "width_multiplier": 0.25, "num_classes": 5}
    interpreter = Interpreter(model_content=content)
    for key, detail in (("input", interpreter.get_input_details()[0]), ("output", interpreter.get_output_details()[0])):
        assert info[key]["shape"] == detail["shape"].tolist() and info[key]["dtype"] == np.dtype(detail["dtype"]).name
        assert info[key]["quantization"] is None
    assert info["input"]["shape"] == [1, 32, 32, 3] and info["output"] == {
        "shape": [1, 5], "dtype": "float32", "quantization": None, "softmax": True}
    assert (folder / "labels.txt").read_text().splitlines() == [f"flower {i}" for i in range(5)]
    assert info["num_classes"] == 5 and info["labels_source"] == "given (--labels)"
    assert info["model_sha256"] == hashlib.sha256(content).hexdigest()
    assert info["preprocessing"] == {"crop": "center", "resize": "bilinear", "scale": [1.0] * 3,
                                     "offset": [0.0] * 3, "note": assets.SELF_NORMALIZING}
    from mobilecnn.export.results import reference_figures

    assert info["reference"] == reference_figures("mobilenet-v1") and info["reference"]["params"] > 4e6
    assert info["params"] == result.metadata["params"]
    assert info["benchmark"] is None and info["verification"] is None


def test_existing_assets_need_force(exported, capsys):
    _, folder, _ = exported
    assert main(["export", "mobilenet-v1", "--android-assets", str(folder)]) == 2
    err = capsys.readouterr().err.strip()
    assert "holds model.tflite, labels.txt, model_info.json already; pass --force" in err and "\n" not in err


def refused(monkeypatch, capsys, tmp_path, result, *extra) -> str:
    """Run the CLI with ``result`` as the export; it must exit 2 with one line and leave DIR empty."""
    import mobilecnn.export.pipeline as pipeline

    monkeypatch.setattr(pipeline, "export_model", lambda *args, **kwargs: result)
    folder = tmp_path / "out"
    assert main(["export", "mobilenet-v1", "--android-assets", str(folder), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert not folder.exists() or list(folder.iterdir()) == []
    return err


def test_labels_that_do_not_match_the_classes_are_refused(exported, monkeypatch, capsys, tmp_path):
    (tmp_path / "labels.txt").write_text("a\nb\nc\n")
    err = refused(monkeypatch, capsys, tmp_path, exported[2], "--labels", str(tmp_path / "labels.txt"))
    assert "3 labels (given (--labels)) for a model with 5 classes: give exactly 5, one a line" in err


def test_an_output_that_is_not_a_class_vector_is_refused(monkeypatch, capsys, tmp_path):
    import keras
    from mobilecnn.export.convert import to_tflite

    x = keras.Input((8, 8, 3), batch_size=1)
    model = keras.Model(x, keras.layers.Conv2D(4, 1)(x))   # a feature map, not classes
    content = to_tflite(model, "float32")
    result = type("Result", (), {"model_content": content, "metadata": {
        "model": "conv", "precision": "float32", "io_type": "float32", "input": {"preprocessing_inside_model": False},
        "labels": None, "source": "conv.keras"}})()
    err = refused(monkeypatch, capsys, tmp_path, result)
    assert "output has shape [1, 8, 8, 4], not a class vector [1, N] (N >= 2)" in err


def test_bad_pixel_options_are_refused_before_any_work(capsys, tmp_path):
    assert main(["export", "x.keras", "--android-assets", str(tmp_path / "o"), "--pixel-scale", "0,1,2"]) == 2
    assert "a scale of 0 erases the image" in capsys.readouterr().err
    assert main(["export", "x.keras", "--android-assets", str(tmp_path / "o"), "--pixel-offset", "1,2"]) == 2
    assert "expected one finite number or three" in capsys.readouterr().err
    assert main(["export", "x.keras", "--pixel-scale", "0.5"]) == 2
    assert "for --android-assets" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_labels_and_preprocessing_defaults():
    meta = {"model": "mobilenet-v2", "input": {"preprocessing_inside_model": False}, "labels": "imagenet"}
    labels, source = assets.choose_labels(meta, 1000, None)
    assert len(labels) == 1000 and labels[0] == "tench" and source.startswith("ImageNet")
    assert assets.choose_labels(meta, 10, None) == ([f"class_{i}" for i in range(10)],
                                                    "default (class_0 ... class_N-1)")
    # A registered model built without its preprocessing layer: the registry's convention ([-1, 1] for V2).
    pre = assets.choose_preprocessing(meta, None, None)
    assert pre["scale"] == [1 / 127.5] * 3 and pre["offset"] == [-1.0] * 3
    with pytest.raises(assets.AssetsError, match="give --pixel-scale and --pixel-offset"):
        assets.choose_preprocessing({**meta, "source": "mine.keras"}, None, None)
    given = assets.choose_preprocessing({**meta, "source": "mine.keras"}, [0.5] * 3, None)
    assert given["scale"] == [0.5] * 3 and given["offset"] == [0.0] * 3
    with pytest.raises(assets.AssetsError, match="label 1"):
        assets.choose_labels(meta, 2, ["a", " "])
