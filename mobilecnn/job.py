"""The main job: train a model of the zoo on a dataset, fine-tune it quantization-aware, export int8, report.

:func:`run_job` is what ``mobilecnn train`` runs:

1. check the output path (before any work), load the dataset at the model's
   input size, and build the model with one output per class;
2. train it in float (Keras 3) and measure its test accuracy;
3. with ``qat``: make its QAT twin (``mobilecnn.qat``), fine-tune it, and
   convert it to full-integer int8 with the ranges it learned; otherwise (or
   with ``ptq``) quantize the float model after training, calibrated on
   training images;
4. measure the int8 file in LiteRT on the test set (accuracy, top-1
   agreement with its Keras model), check that it is full-integer and how
   XNNPACK takes it, optionally time it;
5. only then write the .tflite and a sidecar JSON (atomically).

Under ``MultiWorkerMirroredStrategy`` (``TF_CONFIG``) every worker runs the
whole job on the same data (each training step's batch split between them,
the gradients summed) and ends with the same model; only the chief (the
``chief`` task, else worker 0) writes the files.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mobilecnn import data as datasets
from mobilecnn.pipeline import Augment
from mobilecnn.training import train

CALIBRATION_IMAGES = 256
# From-scratch training recipe (Adam, cosine decay): measured on the digits, MobileNet V3-Small at a
# learning rate of 1e-2 without warm-up collapsed to 75% test accuracy and MobileNet V2 0.35 reached 52%
# at 2e-3 in 10 epochs; with 2 warm-up epochs, gradients clipped to norm 1, shifts of 2 px, 5e-3 and 20
# epochs they reach 99.1% and 97.1%.
WARMUP_EPOCHS = 2
CLIPNORM = 1.0


class JobProgress:
    """What a job reports as it goes; the CLI draws progress bars from it. Every method is optional."""

    def step(self, name: str) -> None:
        pass

    def fit_begin(self, phase: str, epochs: int, batches: int) -> None:
        pass

    def batch(self, epoch: int, batch: int, logs: dict) -> None:
        pass

    def epoch(self, epoch: int, logs: dict) -> None:
        pass

    def fit_end(self) -> None:
        pass


@dataclass
class JobResult:
    model: str
    options: dict
    dataset: str
    class_names: list[str]
    train_images: int
    test_images: int
    input_shape: tuple[int, int, int]
    float_accuracy: float
    qat: bool
    io_type: str
    qat_keras_accuracy: float | None = None   # the QAT (fake-quant) Keras model
    ptq_accuracy: float | None = None         # post-training-quantized int8 TFLite
    int8_accuracy: float | None = None        # the exported int8 TFLite (QAT's with qat, else PTQ's)
    agreement: float | None = None            # top-1 agreement of the export with its Keras model
    float_ops: list[str] = field(default_factory=list)
    xnnpack_partitions: int | None = None
    xnnpack_ops_outside: list[str] = field(default_factory=list)
    size: int = 0
    latency: list[dict] = field(default_factory=list)
    path: str | None = None
    sidecar: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)   # the recipe: epochs, learning rates, batch, shifts
    weights: dict | None = None               # the weights fine-tuned from (None: random initialisation)
    worker: str = ""                          # multi-worker: this task ("worker 1 of 2"); only the chief writes
    model_content: bytes = field(default=b"", repr=False)

    @property
    def full_integer(self) -> bool:
        return not self.float_ops

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("model_content")
        out["full_integer"] = self.full_integer
        return out


def tflite_predictions(content: bytes, images: np.ndarray) -> np.ndarray:
    """The .tflite's (dequantized) outputs for ``images``, one at a time in LiteRT."""
    from mobilecnn.export.runtime import TFLiteRunner

    return TFLiteRunner(model_content=content)(images)


def _fit(model, data, progress: JobProgress, phase: str, *, epochs: int, batch_size: int,
         learning_rate: float, strategy, seed: int, validate: bool, max_shift: int, warmup_epochs: float = 0.0,
         deterministic: bool = True, backup_dir: Path | None = None, augment=None) -> int:
    """Train ``model``; return the number of replicas it trained on (its own strategy's, as Keras compiled it)."""
    from mobilecnn.training import progress_callback, steps_per_epoch

    progress.fit_begin(phase, epochs, steps_per_epoch(data.train_count, batch_size))
    callback = progress_callback(model, on_batch=progress.batch, on_epoch=progress.epoch, batch_size=batch_size)
    try:
        train(model, data.training_data(batch_size, seed=seed, augment=augment), epochs=epochs,
              batch_size=batch_size, learning_rate=learning_rate,
              validation_data=data.validation_data(batch_size) if validate else None,
              strategy=strategy, callbacks=[callback], seed=seed, max_shift=max_shift,
              warmup_epochs=warmup_epochs, clipnorm=CLIPNORM, deterministic=deterministic,
              backup_dir=backup_dir, delete_backup=False)
    finally:
        progress.fit_end()
    return int(model.distribute_strategy.num_replicas_in_sync)


def classifier_layers(model) -> list:
    """The model's classifier: its last weight-holding layer, the one weights loading leaves fresh for another
    ``num_classes`` (:func:`mobilecnn.keras_applications.weighted_layers`)."""
    from mobilecnn.keras_applications import weighted_layers

    return weighted_layers(model)[-1:]


def freeze_backbone(model, frozen: bool) -> None:
    """Every layer but the classifier made (un)trainable. A frozen batch norm runs in inference mode (Keras:
    ``trainable=False`` means both), so its statistics stay the checkpoint's."""
    head = {id(layer) for layer in classifier_layers(model)}
    for layer in model.layers:
        if id(layer) not in head:
            layer.trainable = not frozen


def _scope(strategy):
    import contextlib

    return strategy.scope() if strategy is not None else contextlib.nullcontext()


def run_job(name: str, *, dataset: str | os.PathLike = datasets.DIGITS, epochs: int = 20, qat: bool = False,
            qat_epochs: int | None = None, options: dict[str, Any] | None = None, batch_size: int = 64,
            learning_rate: float = 5e-3, qat_learning_rate: float | None = None,
            export: str | os.PathLike | None = None, force: bool = False, io_type: str = "int8",
            benchmark: bool = False, ptq: bool | None = None, strategy=None, seed: int = 0,
            test_fraction: float | None = None, threads: tuple[int, ...] = (1, 2), validate: bool = True,
            max_shift: int | None = None, deterministic: bool = True,
            backup_dir: str | os.PathLike | None = None, weights: str | os.PathLike | None = None,
            freeze_epochs: int | None = None, fine_tune_learning_rate: float | None = None, augment=None,
            crop_fraction: float | None = None, validation: str | os.PathLike | None = None,
            cache: str | os.PathLike | None = None, progress: JobProgress | None = None) -> JobResult:
    """Train ``name`` on ``dataset`` ("digits" or a folder per class) and export it to int8; see the module doc.

    ``ptq`` (always when not ``qat``) also measures post-training
    quantization. ``max_shift`` (default: a sixteenth of the input height)
    augments training images with random shifts of up to that many pixels.
    ``validate`` reports test accuracy after every epoch (the test images
    never choose anything: no early stopping, no checkpoint).
    ``seed`` seeds the data split, the weights, shuffling and augmentation;
    ``deterministic`` also runs training under TensorFlow's op determinism
    (:func:`mobilecnn.training.op_determinism`), so a seed gives the same
    model and the same figures on the same machine. Measured on the LeNet-5
    digits job (12 + 3 epochs, 2 CPU cores): 21.2 s of CPU time with it,
    21.1 s without (wall-clock differences were within the machine's noise);
    on this CPU both modes repeat bit for bit, with different (equally good)
    weights; op determinism matters where kernels are not deterministic by
    default (GPUs, some multi-threaded reductions). Turn it off for a model
    with an op that has no deterministic kernel (TensorFlow raises then).
    ``backup_dir`` keeps each training phase's state there after every epoch
    (:func:`mobilecnn.training.backup_and_restore`: written atomically, by the chief only): the same call
    again after a failure (a lost worker, a killed process) resumes the interrupted phase after its last saved
    epoch, and a finished phase is restored, not retrained. The job removes what it kept there when it
    succeeds. Under multi-worker training every worker must see the same directory.
    A folder streams through :mod:`mobilecnn.pipeline` (``augment``: a
    :class:`mobilecnn.pipeline.Augment`, default random resized crops and
    flips; ``crop_fraction``: the evaluation centre crop, default the weights'
    convention, else 0.875; ``validation``: a folder used as the test set;
    ``cache``: decoded images kept in that file). ``weights`` (``"imagenet"``,
    ``"imagenet:SOURCE"`` or a file) fine-tunes: the backbone is loaded, a new
    classifier made for the dataset's classes and trained alone for
    ``freeze_epochs`` (default 2; backbone frozen, its batch norms in inference
    mode) at ``learning_rate``, then everything for ``epochs`` at
    ``fine_tune_learning_rate`` (default a tenth of ``learning_rate``).
    Raises ``ValueError`` subclasses for bad input (unknown model or option,
    dataset errors, class count, output path) before any training, and
    ``export.ConversionError`` if conversion fails; nothing is written unless
    everything succeeded.
    """
    import keras

    import mobilecnn
    from mobilecnn.builder import resolve
    from mobilecnn.export.convert import check_precision, qat_to_tflite
    from mobilecnn.export.delegates import xnnpack_report
    from mobilecnn.export.files import check_output, write_atomic
    from mobilecnn.quantization import float_ops
    from mobilecnn.training import is_chief, worker_name

    progress = progress or JobProgress()
    ptq = True if not qat else bool(ptq)  # without QAT, the int8 model is the post-training-quantized one
    check_precision("int8", io_type)
    for label, value in (("epochs", epochs), ("qat_epochs", qat_epochs)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ValueError(f"{label} must be a positive integer, got {value!r}")
    weights = weights if weights is not None else (options or {}).get("weights")   # --set weights=... too
    if freeze_epochs is not None and (isinstance(freeze_epochs, bool) or not isinstance(freeze_epochs, int)
                                      or freeze_epochs < 0):
        raise ValueError(f"freeze_epochs must be a non-negative integer, got {freeze_epochs!r}")
    if freeze_epochs and weights is None:
        raise ValueError("freeze_epochs trains a new classifier on loaded weights: give weights too")
    freeze_epochs = (2 if weights is not None else 0) if freeze_epochs is None else freeze_epochs
    fine_tune_learning_rate = fine_tune_learning_rate or learning_rate / 10
    qat_epochs = qat_epochs or max(1, epochs // 4)
    qat_learning_rate = qat_learning_rate or learning_rate / 10
    out_path = check_output(export, force) if export is not None else None
    options = dict(options or {})
    if weights is not None:
        if options.get("weights") not in (None, weights):
            raise ValueError(f"weights given twice: {weights!r} and the option {options['weights']!r}")
        options["weights"] = os.fspath(weights)
    if "flavour" in options:
        raise ValueError("the job trains the Keras 3 model and makes its tf_keras twin itself; drop 'flavour'")
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(key: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[key] = round(now - clock, 2)
        clock = now

    progress.step("data")
    entry = mobilecnn.registry.get(name)
    net, _, _ = resolve(entry, {**options, "num_classes": options.get("num_classes", 2)})
    folder = os.fspath(dataset) != datasets.DIGITS
    if folder and max_shift:
        raise ValueError("max_shift applies to the digits; a folder is augmented with random resized crops "
                         "(augment=Augment(scale=..., ratio=...))")
    if not folder and augment is not None:
        raise ValueError("augment applies to image folders; the digits are augmented with max_shift")
    data = datasets.load(dataset, net.input_shape, seed=seed, test_fraction=test_fraction, validation=validation,
                         cache=_worker_path(cache, strategy), crop_fraction=crop_fraction)
    if "num_classes" in options:
        datasets.check_classes(data, options["num_classes"])
    options["num_classes"] = data.num_classes
    if max_shift is None:
        max_shift = 0 if folder else data.input_shape[0] // 16
    lap("data")

    progress.step("model")   # building it and loading its weights: a ValueError here is the user's input
    keras.utils.set_random_seed(seed)
    with _scope(strategy):
        model = mobilecnn.build(entry.name, **options)
    weights_record = getattr(model, "_mobilecnn_weights", None)
    progress.step("float training")
    if folder and crop_fraction is None:
        data.crop_fraction = (weights_record or {}).get("crop_fraction") or data.crop_fraction
    backups = Path(backup_dir) if backup_dir is not None else None
    fit = {"batch_size": batch_size, "strategy": strategy, "seed": seed, "validate": validate,
           "max_shift": max_shift, "deterministic": deterministic, "augment": augment}
    replicas = {}
    if freeze_epochs:
        freeze_backbone(model, True)
        try:
            replicas["head"] = _fit(model, data, progress, "head", epochs=freeze_epochs, learning_rate=learning_rate,
                                    backup_dir=backups / "head" if backups else None, **fit)
        finally:
            freeze_backbone(model, False)
    fine_tuning = weights is not None
    replicas["float"] = _fit(model, data, progress, "float", epochs=epochs,
                             learning_rate=fine_tune_learning_rate if fine_tuning else learning_rate,
                             warmup_epochs=0 if fine_tuning else WARMUP_EPOCHS,
                             backup_dir=backups / "float" if backups else None, **fit)
    float_accuracy = _accuracy(model, data)
    lap("float training")
    result = JobResult(entry.name, options, data.source, data.class_names, data.train_count, data.test_count,
                       data.input_shape, float_accuracy, qat, io_type)
    result.weights = weights_record
    result.training = {"epochs": epochs, "learning_rate": learning_rate,
                       "warmup_epochs": 0 if fine_tuning else WARMUP_EPOCHS,
                       "clipnorm": CLIPNORM, "batch_size": batch_size, "max_shift": max_shift, "seed": seed,
                       "deterministic": deterministic, "replicas": replicas,
                       **({"freeze_epochs": freeze_epochs, "fine_tune_learning_rate": fine_tune_learning_rate}
                          if fine_tuning else {}),
                       **({"augment": (augment or Augment()).as_dict(), "crop_fraction": data.crop_fraction,
                           "validation": data.notes.get("validation")} if folder else {}),
                       **({"qat_epochs": qat_epochs, "qat_learning_rate": qat_learning_rate} if qat else {})}

    # The same training images calibrate post-training quantization and QAT's starting ranges.
    calibration = data.calibration(CALIBRATION_IMAGES, seed)
    ptq_content = None
    if ptq:
        progress.step("post-training quantization")
        from mobilecnn.export.pipeline import export_model

        ptq_content = export_model(model, "int8", calibration=calibration, io_type=io_type, verify=False,
                                   check_delegates=False, gpu=False,
                                   calibration_count=CALIBRATION_IMAGES).model_content
        ptq_outputs = _tflite_outputs(ptq_content, data)
        result.ptq_accuracy = float(np.mean(ptq_outputs.argmax(-1) == data.y_test))
        lap("post-training quantization")

    if qat:
        progress.step("QAT fine-tuning")
        with _scope(strategy):
            qat_model = mobilecnn.qat(model, calibration=calibration)
        replicas["QAT"] = _fit(qat_model, data, progress, "QAT", epochs=qat_epochs, learning_rate=qat_learning_rate,
                               backup_dir=backups / "qat" if backups else None, **fit)
        keras_outputs = _predict(qat_model, data)
        result.qat_keras_accuracy = float(np.mean(keras_outputs.argmax(-1) == data.y_test))
        lap("QAT fine-tuning")
        progress.step("int8 conversion")
        content = qat_to_tflite(qat_model, io_type=io_type)
        outputs = _tflite_outputs(content, data)
    else:
        content = ptq_content
        keras_outputs = _predict(model, data)
        outputs = ptq_outputs
    result.int8_accuracy = float(np.mean(outputs.argmax(-1) == data.y_test))
    result.agreement = float(np.mean(outputs.argmax(-1) == keras_outputs.argmax(-1)))
    result.model_content, result.size = content, len(content)
    result.float_ops = float_ops(content)
    xnn = xnnpack_report(content, threads=max(threads))
    result.xnnpack_partitions, result.xnnpack_ops_outside = xnn.partitions, xnn.ops_outside
    lap("int8 conversion")

    if benchmark:
        progress.step("benchmark")
        from mobilecnn.export.benchmark import benchmark as run_benchmark

        result.latency = [t.as_dict() for t in run_benchmark(content, threads=threads)]
        lap("benchmark")

    result.seconds = seconds
    result.worker = worker_name(strategy)
    if out_path is not None and is_chief(strategy):  # the other workers hold the same model: the chief writes it
        progress.step("write")
        write_atomic(out_path, content)
        sidecar = Path(out_path).with_suffix(".json")
        write_atomic(sidecar, json.dumps(sidecar_metadata(result), indent=2, default=str) + "\n")
        result.path, result.sidecar = str(out_path), str(sidecar)
    if backups is not None and is_chief(strategy):  # done: a rerun starts afresh
        _remove_backups(backups)
    return result


def _remove_backups(folder: Path) -> None:
    """Remove the job's phase backups (``head``, ``float``, ``qat``) and the folder if that leaves it empty."""
    import shutil

    for phase in ("head", "float", "qat"):
        shutil.rmtree(folder / phase, ignore_errors=True)
    try:
        folder.rmdir()
    except OSError:  # not empty (the user's files) or gone
        pass


def _predict(model, data) -> np.ndarray:
    """The Keras model's outputs on the test images, batch by batch (a folder's are streamed)."""
    from mobilecnn.training import predict

    return np.concatenate([predict(model, x) for x, _ in data.test_batches()])


def _accuracy(model, data) -> float:
    return float(np.mean(_predict(model, data).argmax(-1) == data.y_test))


def _tflite_outputs(content: bytes, data) -> np.ndarray:
    """The .tflite's outputs on the test images, batch by batch."""
    from mobilecnn.export.runtime import TFLiteRunner

    runner = TFLiteRunner(model_content=content)
    return np.concatenate([runner(x) for x, _ in data.test_batches()])


def _worker_path(path, strategy):
    """A cache file per worker under multi-worker training (tf.data cache files are not shared)."""
    from mobilecnn.training import is_multi_worker

    if path is None or strategy is None or not is_multi_worker(strategy):
        return path
    return f"{os.fspath(path)}-{strategy.cluster_resolver.task_type}{strategy.cluster_resolver.task_id}"


def sidecar_metadata(result: JobResult) -> dict[str, Any]:
    """What the .tflite's sidecar JSON says: the model, its input, labels and measured figures."""
    import mobilecnn
    from mobilecnn.export.pipeline import jsonable

    report = result.as_dict()
    return {
        "model": result.model,
        "options": {k: v for k, v in result.options.items() if jsonable(v)},
        "precision": "int8",
        "io_type": result.io_type,
        "quantization": "quantization-aware training" if result.qat else "post-training (calibrated)",
        "input": {"shape": [1, *result.input_shape], "dtype": result.io_type, "range": "[0, 255] pixels",
                  "preprocessing_inside_model": True},
        "labels": result.class_names,
        "dataset": {"source": result.dataset, "train_images": result.train_images,
                    "test_images": result.test_images},
        "weights": result.weights,
        "accuracy": {k: report[k] for k in ("float_accuracy", "qat_keras_accuracy", "ptq_accuracy",
                                            "int8_accuracy", "agreement")},
        "full_integer": result.full_integer,
        "xnnpack": {"partitions": result.xnnpack_partitions, "ops_outside": result.xnnpack_ops_outside},
        "training": result.training,
        "file_size": result.size,
        "benchmark": result.latency,
        "mobilecnn_version": mobilecnn.__version__,
    }


