"""``mobilecnn train``: train a model on digits or your images, optionally quantization-aware, export int8.

Exit codes: 0 done; 1 training or conversion failed (one line: "failed while <step>: <type>: <reason>";
``--verbose`` shows the traceback); 2 bad arguments (unknown model or option, a missing, empty or unreadable
dataset, a class count that does not match ``--num-classes``, an output in a
missing directory or an existing file without ``--force``).
"""

from __future__ import annotations

import argparse

from mobilecnn.cli.common import StepFailed, UsageError, add_model_options, model_options, one_line


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
                   help="augment training images with random shifts of up to PIXELS (default: input height / 16; "
                        "0: no augmentation)")
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
    DOING = {"data": "loading the data", "write": "writing the export"}

    @property
    def doing(self) -> str:
        step = self.steps[-1] if self.steps else "starting"
        return self.DOING.get(step, step)

    @property
    def checking_input(self) -> bool:
        """Whether the job is still reading its arguments and data (the only time a ValueError is the user's)."""
        return self.steps in ([], ["data"])

    def fit_begin(self, phase: str, epochs: int, batches: int) -> None:
        self.phase, self.epochs, self.batches = phase, epochs, batches
        self.fit_task = self.progress.add_task(f"{phase} epoch 1/{epochs}", total=epochs * batches)

    def batch(self, epoch: int, batch: int, logs: dict) -> None:
        acc = logs.get("accuracy")
        text = f"{self.phase} epoch {epoch + 1}/{self.epochs}" + (f"  accuracy {acc:.3f}" if acc is not None else "")
        self.progress.update(self.fit_task, completed=epoch * self.batches + batch + 1, description=text)

    def epoch(self, epoch: int, logs: dict) -> None:
        val = logs.get("val_accuracy")
        if val is not None:
            self.progress.console.print(f"  {self.phase} epoch {epoch + 1}/{self.epochs}: accuracy "
                                        f"{logs.get('accuracy', float('nan')):.4f}, test accuracy {val:.4f}")

    def fit_end(self) -> None:
        if self.fit_task is not None:
            self.progress.remove_task(self.fit_task)
            self.fit_task = None


def run_train(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from mobilecnn.job import run_job
    from mobilecnn.training import strategy_from_environment

    options = model_options(args)
    for key, least in (("epochs", 1), ("qat_epochs", 1), ("batch_size", 1), ("max_shift", 0)):
        value = getattr(args, key)
        if value is not None and value < least:
            raise UsageError(f"--{key.replace('_', '-')} must be at least {least}, got {value}")
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
                             backup_dir=args.backup_dir, progress=progress)
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
