"""The streaming folder pipeline: bounded memory, augmentations that keep labels, deterministic evaluation, bad
files named before training, fine-tuning phases, and the progress line's speed figures."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from PIL import Image

from mobilecnn import data
from mobilecnn.cli import main


def write_coloured(root, classes: int = 3, count: int = 6, size=(48, 40)) -> None:
    """Class ``c``'s images have channel ``c`` bright over dim noise: the label can be read off the pixels."""
    rng = np.random.default_rng(0)
    for c in range(classes):
        (root / f"class{c}").mkdir(parents=True)
        for i in range(count):
            pixels = rng.integers(0, 60, (*size[::-1], 3)).astype(np.uint8)
            pixels[..., c] += 160
            Image.fromarray(pixels).save(root / f"class{c}" / f"{i}.{'jpg' if i % 2 else 'png'}", quality=95)


def test_augmentations_keep_labels_attached_and_change_pixels(tmp_path):
    from mobilecnn.pipeline import Augment

    write_coloured(tmp_path)
    folder = data.image_folder(tmp_path, (24, 24, 3), test_fraction=0.34)
    plain = np.concatenate([x for x, _ in folder.test_batches(4)])
    strong = Augment(scale=(0.3, 1.0), color_jitter=0.2, erasing=0.5)
    ds = folder.training_data(4, seed=1, augment=strong)
    first = [(x.numpy(), y.numpy()) for x, y in ds]
    images, labels = np.concatenate([x for x, _ in first]), np.concatenate([y for _, y in first])
    assert images.shape == (folder.train_count, 24, 24, 3) and 0 <= images.min() and images.max() <= 255
    assert np.array_equal(images.mean(axis=(1, 2)).argmax(-1), labels)  # each image still shows its class
    assert sorted(labels) == sorted(folder.y_train)
    second = np.concatenate([x.numpy() for x, _ in ds])
    assert not np.allclose(np.sort(images.ravel()), np.sort(second.ravel()))  # new crops each epoch
    again = np.concatenate([x.numpy() for x, _ in folder.training_data(4, seed=1, augment=strong)])
    assert np.array_equal(images, again)  # reproducible from the seed
    # Pixels differ from the evaluation crops of the same files.
    evaluation = folder._evaluation(folder.train_paths, folder.y_train, 4)
    centre = np.concatenate([x for x, _ in evaluation.as_numpy_iterator()])
    assert np.abs(np.sort(images, axis=0) - np.sort(centre, axis=0)).mean() > 1
    assert plain.shape[0] == folder.test_count

    mixed = folder.training_data(6, seed=2, augment=Augment(mixup=0.4, cutmix=1.0, flip=False))
    x, y = next(iter(mixed))
    x, y = x.numpy(), y.numpy()
    assert y.shape == (6, 3) and np.allclose(y.sum(-1), 1, atol=1e-5)
    clear = np.sort(y, -1)[:, -1] - np.sort(y, -1)[:, -2] > 0.2  # the mix is not near half and half
    assert clear.any() and (y.max(-1) < 1).any()  # some labels are mixed
    assert np.array_equal(x.mean(axis=(1, 2)).argmax(-1)[clear], y.argmax(-1)[clear])


def test_evaluation_is_deterministic_and_uses_the_crop_fraction(tmp_path):
    write_coloured(tmp_path, classes=2, count=4, size=(64, 32))
    folder = data.image_folder(tmp_path, (16, 16, 3), test_fraction=0.5)
    a = np.concatenate([x for x, _ in folder.test_batches(3)])
    b = np.concatenate([x for x, _ in folder.test_batches(1)])
    assert np.array_equal(a, b) and np.array_equal(np.concatenate([y for _, y in folder.test_batches(3)]),
                                                   folder.y_test)
    folder.crop_fraction = 0.5
    c = np.concatenate([x for x, _ in folder.test_batches(3)])
    assert not np.allclose(a, c)  # a tighter centre crop
    assert folder.calibration(3, seed=0).shape == (3, 16, 16, 3)
    with pytest.raises(ValueError, match=r"crop_fraction must be a number in \(0, 1\], got 1.5"):
        data.image_folder(tmp_path, (16, 16, 3), crop_fraction=1.5)


def test_a_user_given_validation_folder_is_the_test_set(tmp_path):
    write_coloured(tmp_path / "train", classes=2, count=3)
    write_coloured(tmp_path / "val", classes=2, count=2)
    folder = data.image_folder(tmp_path / "train", (16, 16, 3), validation=tmp_path / "val")
    assert folder.train_count == 6 and folder.test_count == 4
    assert all("/val/" in p for p in folder.test_paths) and list(folder.y_test) == [0, 0, 1, 1]
    (tmp_path / "val" / "class9").mkdir()
    with pytest.raises(data.DatasetError, match="class folder.*class9 that"):
        data.image_folder(tmp_path / "train", (16, 16, 3), validation=tmp_path / "val")


def test_a_corrupt_jpeg_is_named_before_training_starts(tmp_path, monkeypatch, capsys):
    """A truncated JPEG opens (its header is whole) and would fail only when decoded mid-epoch: the scan
    decodes it first, and the command exits 2 naming it, before any training."""
    import mobilecnn.job

    write_coloured(tmp_path, classes=2, count=3)
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(buffer, "JPEG")
    (tmp_path / "class1" / "cut.jpg").write_bytes(buffer.getvalue()[:len(buffer.getvalue()) // 2])
    with Image.open(tmp_path / "class1" / "cut.jpg") as im:
        assert im.size == (64, 64)  # opening it does not tell

    def no_training(*args, **kwargs):
        raise AssertionError("training started")

    monkeypatch.setattr(mobilecnn.job, "_fit", no_training)
    assert main(["train", "lenet-5", "--epochs", "1", "--dataset", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "1 unreadable image(s)" in err and "cut.jpg (OSError)" in err, err


# Runs in its own process: the address space is capped below what the folder's float32 array would take.
HEADROOM = 1_500_000_000  # bytes of address space the process may still take once TensorFlow is loaded
CAPPED = f"HEADROOM = {HEADROOM}\n" + textwrap.dedent("""
    import json, resource, sys
    import numpy as np
    import tensorflow as tf
    import mobilecnn
    from mobilecnn import data
    from mobilecnn.training import train

    folder = data.image_folder(sys.argv[1], (224, 224, 3))
    model = mobilecnn.build("lenet-5", input_shape=(224, 224, 3), num_classes=folder.num_classes)
    array_bytes = folder.train_count * 224 * 224 * 3 * 4
    vm = int(open("/proc/self/status").read().split("VmSize:")[1].split()[0]) * 1024
    cap = vm + HEADROOM
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        np.ones(array_bytes // 4, "float32")
        fits = True
    except MemoryError:
        fits = False
    history = train(model, folder.training_data(16, seed=0).take(1), epochs=1, batch_size=16)
    print(json.dumps({"images": folder.train_count, "array_bytes": array_bytes, "cap_over_vm": cap - vm,
                      "array_fits": fits, "loss": history.history["loss"]}))
""")


def test_a_folder_larger_than_the_memory_cap_trains_a_step(tmp_path):
    """4,000 training images whose float32 array at 224x224x3 (2.4 GB, today's array path) is more than the
    1.5 GB of address space the process may still take (RLIMIT_AS, set once TensorFlow is loaded): the array
    cannot even be allocated under the cap, and the streaming pipeline trains a step."""
    rng = np.random.default_rng(0)
    for c in range(2):
        (tmp_path / f"c{c}").mkdir()
        for i in range(2500):
            Image.fromarray(rng.integers(0, 255, (8, 8), dtype=np.uint8)).save(tmp_path / f"c{c}" / f"{i}.png")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "MALLOC_ARENA_MAX": "2"}
    proc = subprocess.run([sys.executable, "-c", CAPPED, str(tmp_path)], capture_output=True, text=True,
                          timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["images"] == 4000 and not report["array_fits"], report
    assert report["array_bytes"] > report["cap_over_vm"] and np.isfinite(report["loss"][0]), report


def test_train_takes_an_unbatched_dataset_and_reports_speed():
    """``mobilecnn.train`` batches a dataset of single images; the progress callback's batch logs carry
    images/s, the ETA and the input pipeline's share of step time."""
    import tensorflow as tf

    import mobilecnn
    from mobilecnn.cli.train import progress_line
    from mobilecnn.training import progress_callback, train

    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 255, (96, 32, 32, 1)).astype("float32"), np.arange(96) % 10
    model = mobilecnn.build("lenet-5")
    seen = []
    callback = progress_callback(model, on_batch=lambda e, b, logs: seen.append(logs), batch_size=16)
    train(model, tf.data.Dataset.from_tensor_slices((x, y)), epochs=2, batch_size=16, callbacks=[callback])
    assert len(seen) == 12 and "eta_seconds" not in seen[0]  # 6 steps an epoch; the first (tracing) not timed
    last = seen[-1]
    assert last["images_per_second"] > 0 and 0 <= last["input_share"] <= 1 and last["eta_seconds"] == 0
    assert seen[5]["eta_seconds"] > 0
    line = progress_line("float", 0, 2, {"accuracy": 0.5, "images_per_second": 312.4, "eta_seconds": 65,
                                          "input_share": 0.14})
    assert line == "float epoch 1/2  accuracy 0.500  312 img/s  ETA 1:05  input 14%"


def _weights_of(layers) -> list[np.ndarray]:
    return [np.array(w) for layer in layers for w in layer.weights]


def watch_phases(monkeypatch) -> dict:
    """Wrap the job's ``_fit``: per phase, the backbone's and the classifier's weights (batch-norm statistics
    included) before and after it."""
    import mobilecnn.job
    from mobilecnn.job import classifier_layers

    snapshots = {}
    fit = mobilecnn.job._fit

    def watched(model, *args, **kwargs):
        head = classifier_layers(model)
        backbone = [layer for layer in model.layers if layer.weights and layer not in head]
        before = (_weights_of(backbone), _weights_of(head))
        replicas = fit(model, *args, **kwargs)
        snapshots[args[2]] = (before, (_weights_of(backbone), _weights_of(head)))
        return replicas

    monkeypatch.setattr(mobilecnn.job, "_fit", watched)
    return snapshots


def check_phases(snapshots: dict) -> None:
    """The frozen phase changed the classifier only; the unfrozen phase changed the backbone."""
    (backbone0, head0), (backbone1, head1) = snapshots["head"]
    assert all(np.array_equal(a, b) for a, b in zip(backbone0, backbone1, strict=True))
    assert any(not np.array_equal(a, b) for a, b in zip(head0, head1, strict=True))
    (backbone1b, _), (backbone2, _) = snapshots["float"]
    assert any(not np.array_equal(a, b) for a, b in zip(backbone1b, backbone2, strict=True))


def test_fine_tuning_trains_the_classifier_first_then_the_backbone(tmp_path, monkeypatch):
    """From a generated checkpoint standing for ImageNet weights (a 10-class LeNet-5's weights file, in the
    Keras 2 .h5 layout of keras.applications' files): the frozen phase changes only the new 3-class classifier,
    the unfrozen phase changes the backbone; the report names the weights; the int8 export is full-integer.
    (Batch norm in inference mode while frozen: the slow test below, on MobileNet V3.)"""
    import warnings

    import mobilecnn
    import mobilecnn.job

    checkpoint = tmp_path / "imagenet-standin.h5"
    mobilecnn.build("lenet-5", flavour="tf_keras", input_shape=(32, 32, 3)).save_weights(str(checkpoint))
    write_coloured(tmp_path / "images", classes=3, count=6)
    snapshots = watch_phases(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)   # "initialising a new 3-class classifier"
        result = mobilecnn.job.run_job("lenet-5", dataset=tmp_path / "images", options={"input_shape": (32, 32, 3)},
                                       weights=checkpoint, freeze_epochs=1, epochs=1, batch_size=8,
                                       validate=False, threads=(1,))
    check_phases(snapshots)
    assert result.weights["file"] == checkpoint.name and result.weights["classifier"] == "fresh"
    assert result.training["freeze_epochs"] == 1 and result.training["replicas"] == {"head": 1, "float": 1}
    assert result.full_integer and result.class_names == ["class0", "class1", "class2"]


@pytest.mark.slow
def test_fine_tuning_on_a_folder_through_the_command_exports_a_verified_int8_model(tmp_path, monkeypatch):
    """The README's second example at small size: ``mobilecnn train mobilenet-v3-small --weights FILE --dataset
    DIR --freeze-epochs 1 --epochs 1 --qat``; the int8 export passes ``mobilecnn.export.verify`` against the QAT
    model it came from; the frozen phase leaves the backbone's batch-norm statistics as they were (inference
    mode). About 2 minutes here (MobileNet V3's QAT graph), hence ``slow``."""
    import mobilecnn.export.convert as convert
    from mobilecnn.export.verify import verify

    import mobilecnn
    from mobilecnn.batchnorm import recalibrate_batchnorm

    write_coloured(tmp_path / "images", classes=3, count=12, size=(40, 40))
    standin = mobilecnn.build("mobilenet-v3-small", resolution=32)
    recalibrate_batchnorm(standin, np.random.default_rng(0).uniform(0, 255, (16, 32, 32, 3)).astype("float32"))
    twin = mobilecnn.build("mobilenet-v3-small", resolution=32, flavour="tf_keras")
    twin.set_weights(standin.get_weights())
    checkpoint = tmp_path / "imagenet-standin.h5"
    twin.save_weights(str(checkpoint))
    captured = {}
    to_tflite = convert.qat_to_tflite

    def capture(model, **kwargs):
        captured["model"] = model
        captured["content"] = to_tflite(model, **kwargs)
        return captured["content"]

    monkeypatch.setattr(convert, "qat_to_tflite", capture)
    snapshots = watch_phases(monkeypatch)
    out = tmp_path / "ft.tflite"
    assert main(["train", "mobilenet-v3-small", "--resolution", "32", "--weights", str(checkpoint), "--dataset",
                 str(tmp_path / "images"), "--freeze-epochs", "1", "--epochs", "1", "--qat", "--qat-epochs", "1",
                 "--export", str(out)]) == 0
    check_phases(snapshots)
    sidecar = json.loads(out.with_suffix(".json").read_text())
    assert sidecar["weights"]["file"] == checkpoint.name and sidecar["full_integer"]
    folder = data.image_folder(tmp_path / "images", (32, 32, 3))
    images = np.concatenate([x for x, _ in folder.test_batches()])
    check = verify(captured["model"], captured["content"], images, "int8")
    assert check.passed, check


@pytest.mark.parametrize("flags, message", [
    (["--crop-scale", "0.5,2"], r"--crop-scale: scale must be a \(min, max\) pair with 0.0 < min <= max <= 1.0"),
    (["--crop-scale", "half"], "expected MIN,MAX"),
    (["--mixup", "-1"], r"--mixup: mixup must be a non-negative number .*got -1.0"),
    (["--random-erasing", "2"], r"--random-erasing: erasing must be a number in \[0, 1\], got 2.0"),
    (["--crop-fraction", "0"], r"--crop-fraction: crop_fraction must be a number in \(0, 1\], got 0.0"),
    (["--max-shift", "2"], "--max-shift applies to the digits"),
    (["--freeze-epochs", "1"], "give --weights too"),
    (["--dataset", "digits", "--mixup", "0.2"], "--mixup: for image folders"),
])
def test_bad_pipeline_flags_exit_2_naming_the_value(tmp_path, capsys, flags, message):
    import re

    write_coloured(tmp_path, classes=2, count=2)
    assert main(["train", "lenet-5", "--epochs", "1", "--dataset", str(tmp_path), *flags]) == 2
    err = capsys.readouterr().err
    assert re.search(message, err), err
