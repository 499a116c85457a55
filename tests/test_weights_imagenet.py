"""``weights="imagenet"``, local checkpoints, fine-tuning shapes and labels, end to end, without the network.

The published files cannot be downloaded here, so each test registers a row for a generated checkpoint (a
randomly initialised torchvision SqueezeNet 1.1 saved with ``torch.save``; its SHA-256 is the row's) in
place of the real table, and serves it from an HTTP server on 127.0.0.1 that the test starts. That proves
the plumbing — choosing the row, downloading into the cache, checking the hash, loading, conventions, the
export sidecar — not that the real published files load: ``benchmarks/imagenet_top1.py`` checks those
where there is network.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import warnings

import numpy as np
import pytest
import torch_reference as ref
from conftest import assert_close
from test_weights_io import _Server

import mobilecnn
from mobilecnn.weights import sources
from mobilecnn.weights.sources import Published

SIZE = 96
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """A torchvision SqueezeNet 1.1 with random weights and measured batch statistics, saved as a .pth."""
    ref.torch().manual_seed(0)
    module = ref.randomized(ref.torchvision().models.squeezenet1_1(), SIZE)
    path = ref.save(module, tmp_path_factory.mktemp("ckpt") / "squeezenet1_1-test.pth")
    return module, path


def _row(path, url: str) -> Published:
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    real = next(r for r in sources.PUBLISHED if r.model == "squeezenet-1.1" and r.source == "torchvision")
    return dataclasses.replace(real, url=url, digest=f"sha256:{digest}", source_name="generated for the test")


@pytest.fixture
def served(checkpoint, tmp_path, monkeypatch):
    """The checkpoint served on 127.0.0.1 and registered as squeezenet-1.1's torchvision weights."""
    module, path = checkpoint
    with open(path, "rb") as f:
        body = f.read()
    monkeypatch.setenv("MOBILECNN_CACHE", str(tmp_path / "cache"))
    with _Server({"squeezenet1_1-test.pth": body}) as server:
        row = _row(path, f"{server.url}/squeezenet1_1-test.pth")
        monkeypatch.setattr(sources, "PUBLISHED", (row,) + tuple(r for r in sources.PUBLISHED
                                                                 if r.model != "squeezenet-1.1"))
        yield module, server, row


def _images(n: int = 3, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0, 255, (n, SIZE, SIZE, 3)).astype("float32")


def test_imagenet_downloads_once_checks_the_hash_and_computes_what_torchvision_computes(served, tmp_path):
    module, server, row = served
    x = _images()
    model = mobilecnn.build("squeezenet-1.1", weights="imagenet", resolution=SIZE, classifier_activation=None)
    assert server.requests == ["/squeezenet1_1-test.pth"]
    cached = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert cached == ["torchvision-squeezenet1_1-test.pth"]
    expected = ref.forward(module, x, MEAN, STD)
    assert_close(np.asarray(model(x)), expected, atol=1e-4 * float(np.abs(expected).max()))
    again = mobilecnn.build("squeezenet-1.1", weights="imagenet:torchvision", resolution=SIZE)
    assert server.requests == ["/squeezenet1_1-test.pth"]  # the second build asked nothing
    record = again._mobilecnn_weights
    assert record["source"] == "torchvision" and record["labels"] == "imagenet"
    assert record["conventions"]["padding"] == "symmetric" and record["conventions"]["mean"] == list(MEAN)
    assert record["digest"] == row.digest


def test_imagenet_comparison_fails_with_another_checkpoint_in_the_cache(served, tmp_path, checkpoint):
    """The comparison above can fail: the same build, fed a differently seeded reference, disagrees."""
    _, _, _ = served
    ref.torch().manual_seed(1)
    other = ref.randomized(ref.torchvision().models.squeezenet1_1(), SIZE, seed=1)
    model = mobilecnn.build("squeezenet-1.1", weights="imagenet", resolution=SIZE, classifier_activation=None)
    x = _images()
    expected = ref.forward(other, x, MEAN, STD)
    with pytest.raises(AssertionError):
        assert_close(np.asarray(model(x)), expected, atol=1e-4 * float(np.abs(expected).max()))


def test_a_corrupt_download_caches_nothing_and_builds_nothing(served, tmp_path, monkeypatch):
    _, server, row = served
    bad = dataclasses.replace(row, digest="sha256:" + "0" * 64)
    monkeypatch.setattr(sources, "PUBLISHED", (bad,))
    with pytest.raises(OSError, match="not the published"):
        mobilecnn.build("squeezenet-1.1", weights="imagenet", resolution=SIZE)
    assert not list((tmp_path / "cache").glob("*"))


def test_local_checkpoint_source_recognised_and_fine_tuning_shapes(checkpoint):
    module, path = checkpoint
    full = mobilecnn.build("squeezenet-1.1", weights=path, resolution=SIZE)
    assert full._mobilecnn_weights["source"] == "torchvision"
    with pytest.warns(UserWarning, match="initialising a new 10-class classifier"):
        tuned = mobilecnn.build("squeezenet-1.1", weights=path, resolution=SIZE, num_classes=10)
    headless = mobilecnn.build("squeezenet-1.1", weights=path, resolution=SIZE, include_top=False)
    weighted = [layer for layer in tuned.layers if layer.weights]
    loaded = {layer.name: layer for layer in full.layers if layer.weights}
    for layer in weighted[:-1]:  # the backbone is the checkpoint's
        for a, b in zip(layer.get_weights(), loaded[layer.name].get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)
    assert weighted[-1].get_weights()[0].shape[-1] == 10   # a new 10-class classifier
    x = _images()
    features = np.asarray(headless(x))
    probe = mobilecnn.build("squeezenet-1.1", resolution=SIZE, include_top=False)
    assert not np.allclose(features, np.asarray(probe(x)))  # loaded, not fresh
    assert headless._mobilecnn_weights["classifier"] == "headless"


def test_bad_weights_requests_say_what_is_allowed(checkpoint, tmp_path):
    _, path = checkpoint
    with pytest.raises(ValueError, match=r"does not fit resnet-18: .*its module #0 'features\.0' has shapes"):
        mobilecnn.build("resnet-18", weights=path, resolution=64)
    with pytest.raises(ValueError, match="no published ImageNet weights for lenet-5. Models with weights: .*resnet-18"):
        mobilecnn.build("lenet-5", weights="imagenet")
    with pytest.raises(ValueError, match="timm publishes no weights for resnet-18; .*imagenet:torchvision"):
        mobilecnn.build("resnet-18", weights="imagenet:timm")
    with pytest.raises(ValueError, match="unknown weights source 'hub'; sources: keras.applications, torchvision"):
        mobilecnn.build("resnet-18", weights="imagenet:hub")
    with pytest.raises(ValueError, match="no file 'missing.pth'"):
        mobilecnn.build("resnet-18", weights="missing.pth")
    with pytest.raises(ValueError, match="no published weights for shufflenet-v2 with {'width_multiplier': 0.75}"):
        mobilecnn.build("shufflenet-v2", weights="imagenet", width_multiplier=0.75)
    with pytest.raises(ValueError, match="publishes no checksum .* weights='model.safetensors'"):
        mobilecnn.build("mobilenet-v4-conv-small", weights="imagenet")
    truncated = tmp_path / "truncated.pth"
    truncated.write_bytes(open(path, "rb").read()[:5000])
    with pytest.raises(ValueError, match="truncated|corrupt|not a PyTorch"):
        mobilecnn.build("squeezenet-1.1", weights=str(truncated), resolution=SIZE)


def test_decode_predictions_names_imagenet_classes():
    probs = np.zeros((2, 1000))
    probs[0, [281, 285, 3]] = [0.7, 0.2, 0.1]
    probs[1, 967] = 1.0
    top = mobilecnn.decode_predictions(probs, top=2)
    assert top[0] == [(281, "tabby", 0.7), (285, "Egyptian cat", 0.2)]
    assert top[1][0] == (967, "espresso", 1.0)
    assert len(mobilecnn.imagenet_classes()) == 1000
    with pytest.raises(ValueError, match="probs has 10 classes, the labels 1000"):
        mobilecnn.decode_predictions(np.zeros((1, 10)))
    with pytest.raises(ValueError, match="top must be an integer in"):
        mobilecnn.decode_predictions(probs, top=0)


def test_export_with_imagenet_weights_carries_labels_source_and_conventions(served, tmp_path):
    from mobilecnn.cli import main

    _, server, row = served
    out = tmp_path / "sq.tflite"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(["export", "squeezenet-1.1", "--weights", "imagenet", "--resolution", str(SIZE),
                     "--out", str(out), "--no-gpu-check"])
    assert code == 0 and out.is_file()
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["verification"]["passed"]
    assert meta["labels"][:2] == ["tench", "goldfish"] and len(meta["labels"]) == 1000
    assert meta["weights"]["source"] == "torchvision" and meta["weights"]["digest"] == row.digest
    assert meta["weights"]["conventions"]["padding"] == "symmetric"
    assert "mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225)" in meta["input"]["preprocessing"]
    assert not meta["batchnorm_recalibrated"]


def test_export_with_a_weights_file_and_with_the_cache_only(checkpoint, served, tmp_path):
    """``--weights FILE`` end to end; then ``--weights imagenet`` with the server gone and the file in the cache
    (put there by the first build): no request, the same weights."""
    from mobilecnn.cli import main

    _, path = checkpoint
    module, server, row = served
    out = tmp_path / "file.tflite"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["export", "squeezenet-1.1", "--weights", path, "--resolution", str(SIZE), "--out", str(out),
                     "--no-gpu-check"]) == 0
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["verification"]["passed"] and meta["weights"]["source"] == "torchvision"
    assert meta["weights"]["file"] == "squeezenet1_1-test.pth" and len(meta["labels"]) == 1000
    mobilecnn.build("squeezenet-1.1", weights="imagenet", resolution=SIZE)   # fills the cache
    server.httpd.shutdown()
    server.httpd.server_close()
    cached = tmp_path / "cached.tflite"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["export", "squeezenet-1.1", "--weights", "imagenet", "--resolution", str(SIZE),
                     "--out", str(cached), "--no-gpu-check", "--no-verify"]) == 0
    assert server.requests == ["/squeezenet1_1-test.pth"]
    assert json.loads(cached.with_suffix(".json").read_text())["weights"]["digest"] == row.digest
