"""``mobilecnn train``: train a model on digits or your images, optionally quantization-aware, export int8.

Image folders are streamed (``mobilecnn.pipeline``) and augmented in the input pipeline; ``--weights`` fine-tunes
from ImageNet or a file (classifier first, backbone frozen; then everything at ``--fine-tune-lr``).

Exit codes: 0 done; 1 training or conversion failed (one line: "failed while <step>: <type>: <reason>";
``--verbose`` shows the traceback); 2 bad arguments (unknown model or option, a missing, empty or unreadable
dataset, a class count that does not match ``--num-classes``, an output in a
missing directory or an existing file without ``--force``).
"""

from __future__ import annotations

import argparse

from mobilecnn.cli.common import StepFailed, UsageError, add_model_options, model_options, one_line


def _pair(text: str) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected MIN,MAX (two numbers), got {text!r}") from None
    return low, high


def add_train_arguments(p: argparse.ArgumentParser) -> None:
    from mobilecnn.training import STRATEGIES

    p.add_argument("model", help="a registered name (see `mobilecnn list`)")
    p.add_argument("--dataset", default="digits", metavar="digits|DIR",
                   help="'digits' (scikit-learn's handwritten digits, built in) or a folder with one "
                        "sub-folder of images per class (default: digits)")
    p.add_argument("--epochs", type=int, default=20, help="float training epochs (default 20)")
    p.add_argument("--qat", action="store_true", help="then fine-tune quantization-aware and export that model")
    p.add_argument("--qat-epochs", type=int, help="QAT fine-tuning epochs (default: a quarter of --epochs)")
    p.add_argument("--ptq", action="store_true",
                   help="with --qat, also measure post-training quantization (always measured without --qat)")
    p.add_argument("--export", metavar="PATH", help="write the int8 .tflite here (and a sidecar .json)")
    p.add_argument("--force", action="store_true", help="overwrite an existing --export file")
    p.add_argument("--io", dest="io_type", choices=("int8", "uint8", "float32"), default="int8",
                   help="int8 model input/output type (default int8)")
    p.add_argument("--benchmark", action="store_true", help="time the int8 model in LiteRT (threads 1 and 2)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--max-shift", type=int, metavar="PIXELS",
                   help="digits: augment training images with random shifts of up to PIXELS (default: input "
                        "height / 16; 0: no augmentation)")
    f = p.add_argument_group("image folders (streamed; augmented in the input pipeline, not in the model)")
    f.add_argument("--validation", metavar="DIR",
                   help="a folder with the same class folders, used as the test set as it is (default: "
                        "20%% of each class of --dataset, split by --seed)")
    f.add_argument("--crop-scale", type=_pair, default=(0.08, 1.0), metavar="MIN,MAX",
                   help="random resized crop: fraction of the image's area (default 0.08,1)")
    f.add_argument("--crop-ratio", type=_pair, default=(3 / 4, 4 / 3), metavar="MIN,MAX",
                   help="random resized crop: width / height (default 0.75,1.333)")
    f.add_argument("--no-random-crop", action="store_true",
                   help="train on the evaluation centre crop instead of random resized crops")
    f.add_argument("--no-flip", action="store_true", help="no random horizontal flips")
    f.add_argument("--color-jitter", type=float, default=0.0, metavar="S",
                   help="brightness, contrast and saturation by up to S, hue by S/4 (0..1; default 0: off)")
    f.add_argument("--random-erasing", type=float, default=0.0, metavar="P",
                   help="erase a random rectangle of each image with probability P (default 0: off)")
    f.add_argument("--mixup", type=float, default=0.0, metavar="ALPHA",
                   help="mixup with Beta(ALPHA, ALPHA) weights (e.g. 0.2; default 0: off)")
    f.add_argument("--cutmix", type=float, default=0.0, metavar="P",
                   help="cutmix factor (0..1; default 0: off)")
    f.add_argument("--crop-fraction", type=float, metavar="F",
                   help="evaluation and calibration: resize so that the centre crop of F of the image fills the "
                        "input (default: the weights' convention, else 0.875)")
    f.add_argument("--cache", metavar="FILE",
                   help="keep the decoded training images in this tf.data cache file (small sets)")
    w = p.add_argument_group("fine-tuning")
    w.add_argument("--weights", metavar="imagenet|imagenet:SOURCE|FILE",
                   help="start from these weights: the backbone is loaded, a new classifier made for the "
                        "dataset's classes")
    w.add_argument("--freeze-epochs", type=int, metavar="N",
                   help="with --weights: first train the new classifier alone for N epochs, the backbone frozen "
                        "(batch norm in inference mode), at --learning-rate (default 2)")
    w.add_argument("--fine-tune-lr", type=float, metavar="LR",
                   help="with --weights: learning rate of the --epochs that train everything after that "
                        "(default: --learning-rate / 10)")
    p.add_argument("--learning-rate", type=float, default=5e-3,
                   help="peak learning rate of float training, after 2 warm-up epochs (QAT uses a tenth)")
    p.add_argument("--distribute", choices=STRATEGIES, default="auto",
                   help="tf.distribute strategy: auto (multi-worker from TF_CONFIG, mirrored on several GPUs), "
                        "none, mirrored, multi-worker")
    p.add_argument("--backup-dir", metavar="DIR",
                   help="keep the training state here after every epoch: the same command again after a failure "
                        "(a lost worker, a killed process) resumes from the last saved epoch; written by the "
                        "chief only, atomically; removed when the job succeeds (multi-worker: a path every "
                        "worker sees)")
    p.add_argument("--seed", type=int, default=0)
    add_model_options(p, num_classes_help="default: the dataset's class count")


class RichProgress:
    """A :class:`mobilecnn.job.JobProgress` drawn with rich: a spinner per step, a bar per training run."""

    def __init__(self, progress) -> None:
        self.progress = progress
        self.step_task = progress.add_task("starting", total=None)
        self.fit_task = None
        self.batches = 1
        self.steps: list[str] = []

    def step(self, name: str) -> None:
        self.steps.append(name)
        self.progress.update(self.step_task, description=name)

    # How a failure names the step it stopped in: "failed while <doing>".
    DOING = {"data": "loading the data", "model": "building the model", "write": "writing the export"}

    @property
    def doing(self) -> str:
        step = self.steps[-1] if self.steps else "starting"
        return self.DOING.get(step, step)

    @property
    def checking_input(self) -> bool:
        """Whether the job is still reading its arguments, data and weights (building the model: a weights file
        that does not fit it) - the only time a ValueError is the user's."""
        return self.steps in ([], ["data"], ["data", "model"])

    def fit_begin(self, phase: str, epochs: int, batches: int) -> None:
        self.phase, self.epochs, self.batches = phase, epochs, batches
        self.fit_task = self.progress.add_task(f"{phase} epoch 1/{epochs}", total=epochs * batches)

    def batch(self, epoch: int, batch: int, logs: dict) -> None:
        self.progress.update(self.fit_task, completed=epoch * self.batches + batch + 1,
                             description=progress_line(self.phase, epoch, self.epochs, logs))

    def epoch(self, epoch: int, logs: dict) -> None:
        val = logs.get("val_accuracy")
        if val is not None:
            self.progress.console.print(f"  {self.phase} epoch {epoch + 1}/{self.epochs}: accuracy "
                                        f"{logs.get('accuracy', float('nan')):.4f}, test accuracy {val:.4f}")

    def fit_end(self) -> None:
        if self.fit_task is not None:
            self.progress.remove_task(self.fit_task)
            self.fit_task = None


def progress_line(phase: str, epoch: int, epochs: int, logs: dict) -> str:
    """``float epoch 2/20  accuracy 0.912  312 img/s  ETA 1:05  input 14%``: what the bar says after a batch."""
    parts = [f"{phase} epoch {epoch + 1}/{epochs}"]
    if logs.get("accuracy") is not None:
        parts.append(f"accuracy {logs['accuracy']:.3f}")
    if logs.get("images_per_second") is not None:
        parts.append(f"{logs['images_per_second']:.0f} img/s")
    if logs.get("eta_seconds") is not None:
        minutes, seconds = divmod(round(logs["eta_seconds"]), 60)
        parts.append(f"ETA {minutes // 60:d}:{minutes % 60:02d}:{seconds:02d}" if minutes >= 60
                     else f"ETA {minutes:d}:{seconds:02d}")
    if logs.get("input_share") is not None:
        parts.append(f"input {logs['input_share']:.0%}")
    return "  ".join(parts)


def run_train(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from mobilecnn.job import run_job
    from mobilecnn.pipeline import Augment, check_crop_fraction
    from mobilecnn.training import strategy_from_environment

    options = model_options(args)
    for key, least in (("epochs", 1), ("qat_epochs", 1), ("batch_size", 1), ("max_shift", 0),
                       ("freeze_epochs", 0)):
        value = getattr(args, key)
        if value is not None and value < least:
            raise UsageError(f"--{key.replace('_', '-')} must be at least {least}, got {value}")
    folder = args.dataset != "digits"
    folder_flags = [flag for flag, given in (
        ("--validation", args.validation), ("--cache", args.cache), ("--crop-fraction", args.crop_fraction),
        ("--no-random-crop", args.no_random_crop), ("--no-flip", args.no_flip), ("--color-jitter", args.color_jitter),
        ("--random-erasing", args.random_erasing), ("--mixup", args.mixup), ("--cutmix", args.cutmix),
        ("--crop-scale", args.crop_scale != (0.08, 1.0)), ("--crop-ratio", args.crop_ratio != (3 / 4, 4 / 3)))
        if given]
    if not folder and folder_flags:
        raise UsageError(f"{', '.join(folder_flags)}: for image folders (--dataset DIR), not for the digits")
    if folder and args.max_shift:
        raise UsageError("--max-shift applies to the digits; an image folder is augmented with random resized "
                         "crops (--crop-scale, --crop-ratio)")
    if args.weights is None and (args.freeze_epochs or args.fine_tune_lr is not None):
        raise UsageError("--freeze-epochs and --fine-tune-lr fine-tune loaded weights: give --weights too")
    augment = None
    try:
        if folder:
            augment = Augment(crop=not args.no_random_crop, scale=args.crop_scale, ratio=args.crop_ratio,
                              flip=not args.no_flip, color_jitter=args.color_jitter, erasing=args.random_erasing,
                              mixup=args.mixup, cutmix=args.cutmix)
        if args.crop_fraction is not None:
            check_crop_fraction(args.crop_fraction)
    except ValueError as err:
        flag = str(err).split()[0].replace("_", "-")
        flag = {"erasing": "random-erasing", "scale": "crop-scale", "ratio": "crop-ratio"}.get(flag, flag)
        raise UsageError(f"--{flag}: {err}") from err
    console = Console(stderr=True)
    verbose = bool(getattr(args, "verbose", False))
    try:
        strategy = strategy_from_environment(args.distribute)
    except ValueError as err:  # TF_CONFIG that does not parse or name a cluster
        raise UsageError(f"--distribute {args.distribute}: {one_line(err)} (check TF_CONFIG)") from err
    except Exception as err:
        if verbose:
            raise
        raise StepFailed(f"starting the {args.distribute} strategy", err) from err
    progress = None
    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as bars:
            progress = RichProgress(bars)
            result = run_job(args.model, dataset=args.dataset, epochs=args.epochs, qat=args.qat,
                             qat_epochs=args.qat_epochs, options=options, batch_size=args.batch_size,
                             learning_rate=args.learning_rate, export=args.export, force=args.force,
                             io_type=args.io_type, benchmark=args.benchmark, ptq=args.ptq or None,
                             strategy=strategy, seed=args.seed, max_shift=args.max_shift,
                             backup_dir=args.backup_dir, weights=args.weights, freeze_epochs=args.freeze_epochs,
                             fine_tune_learning_rate=args.fine_tune_lr, augment=augment,
                             crop_fraction=args.crop_fraction, validation=args.validation, cache=args.cache,
                             progress=progress)
    except UsageError:
        raise
    except ValueError as err:
        if progress is None or progress.checking_input:  # unknown model, bad options, dataset errors, output path
            raise UsageError(str(err)) from err
        if verbose:
            raise
        raise StepFailed(progress.doing, err) from err  # the work itself failed: exit 1, one line
    except Exception as err:  # conversion, TensorFlow, LiteRT...: exit 1, one line (the traceback with --verbose)
        if verbose:
            raise
        raise StepFailed(progress.doing if progress is not None else "starting", err) from err
    print_report(result)
    return 0


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.2%}"


def _weights_text(record: dict | None) -> str:
    """Which weights the model started from, as the report names them."""
    if not record:
        return "random initialisation (trained from scratch)"
    name = record.get("source_name") or record.get("file")
    classifier = {"fresh": "new classifier", "copy": "their classifier", "headless": "no classifier"}
    return f"{record['source']} {name} ({classifier.get(record.get('classifier'), record.get('classifier'))})"


def print_report(result) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{result.model} on {result.dataset}", show_header=False)
    table.add_column(style="bold")
    table.add_column()
    options = ", ".join(f"{k}={v}" for k, v in result.options.items())
    table.add_row("model", f"{result.model} ({options}), input {'x'.join(map(str, result.input_shape))}")
    table.add_row("data", f"{result.train_images} training / {result.test_images} test images, "
                          f"{len(result.class_names)} classes")
    table.add_row("weights", _weights_text(result.weights))
    table.add_row("float accuracy", f"{_pct(result.float_accuracy)} (Keras)")
    if result.qat:
        table.add_row("QAT accuracy", f"{_pct(result.qat_keras_accuracy)} (Keras, fake-quantized)")
    if result.ptq_accuracy is not None:
        table.add_row("PTQ int8 accuracy", f"{_pct(result.ptq_accuracy)} (TFLite, post-training quantized)")
    kind = "QAT" if result.qat else "PTQ"
    table.add_row("int8 accuracy", f"{_pct(result.int8_accuracy)} (TFLite, {kind}; I/O {result.io_type}); "
                                   f"top-1 agreement with Keras {_pct(result.agreement)}")
    table.add_row("full integer", "yes: every op computes in int8" if result.full_integer
                  else f"no: float ops {', '.join(result.float_ops)}")
    outside = ", ".join(result.xnnpack_ops_outside) or "none"
    table.add_row("XNNPACK", f"{result.xnnpack_partitions} partition(s); ops outside: {outside}")
    table.add_row("size", f"{result.size / 1024:.1f} KiB")
    for t in result.latency:
        table.add_row(f"latency, {t['threads']} thread(s)",
                      f"median {t['median_ms']:.3f} ms, p90 {t['p90_ms']:.3f} ms (batch 1)")
    if not result.latency:
        table.add_row("latency", "not measured (--benchmark)")
    if result.path:
        table.add_row("file", f"{result.path} (+ {result.sidecar})")
    elif result.worker:
        table.add_row("file", f"not written here ({result.worker}): the chief writes --export")
    else:
        table.add_row("file", "not written (--export PATH)")
    table.add_row("time", ", ".join(f"{k} {v:.0f} s" for k, v in result.seconds.items()))
    Console().print(table)
