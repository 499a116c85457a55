"""The ``mobilecnn`` command: ``list``, ``info``, ``train``, ``export``, ``benchmark``, ``pick``.

One module per subcommand (``models``: list and info; ``train``; ``export``; ``benchmark``; ``pick``), each a thin layer
over the libraries, which never import this package. Argument parsing imports no TensorFlow: ``--help``,
``list`` and ``info`` answer at once; a subcommand imports what it needs when it runs.

Exit codes: 0 done, 1 the work failed (one line: the step, the exception's type and the first line of its
message, never a tensor's values; ``--verbose`` shows the traceback instead), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from mobilecnn.cli.common import (
    MODEL_OPTION_FLAGS,
    StepFailed,
    UsageError,
    add_model_options,
    key_value,
    model_options,
    one_line,
)

# name -> (help, module, add-arguments function, run function): modules load only for the command that runs.
SUBCOMMANDS: dict[str, tuple[str, str, str, str]] = {
    "list": ("the model zoo: input size, parameters, MACs", "models", "add_list_arguments", "run_list"),
    "info": ("what the registry knows of one model", "models", "add_info_arguments", "run_info"),
    "train": ("train on digits or your images (--qat: quantization-aware), export int8", "train",
              "add_train_arguments", "run_train"),
    "export": ("convert a model to TFLite (float32, float16, dynamic, int8)", "export",
               "add_export_arguments", "run_export"),
    "benchmark": ("time a .tflite (here, with litert-benchmark or on a phone), benchmark the zoo, plot results",
                  "benchmark", "add_benchmark_arguments", "run_benchmark"),
    "pick": ("the most accurate measured models within a latency budget", "pick", "add_pick_arguments",
             "run_pick"),
}


def _module(name: str):
    return importlib.import_module(f"{__name__}.{name}")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mobilecnn", description="Efficient CNNs for the edge: list and inspect the zoo, train "
                                      "(quantization-aware), export to LiteRT in every precision, benchmark.")
    parser.add_argument("--verbose", action="store_true",
                        help="show TensorFlow's, the converter's and LiteRT's own log lines, and tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, module, add_arguments, run) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS,
                       help="show third-party log lines and tracebacks")
        mod = _module(module)
        getattr(mod, add_arguments)(p)
        p.set_defaults(run=(module, run))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from mobilecnn.cli.quiet import native_output_to_log, quiet_environment

    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits 2 on bad arguments, 0 on --help
        return int(exit_.code or 0)
    verbose = bool(getattr(args, "verbose", False))
    if not verbose:
        quiet_environment()
    module, run = args.run
    with (native_output_to_log() if not verbose else _nothing()) as log:
        try:
            return int(getattr(_module(module), run)(args) or 0)
        except UsageError as err:
            print(f"mobilecnn {args.command}: error: {err}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return 130
        except Exception as err:  # an internal failure: one line, the traceback with --verbose
            if verbose:
                raise
            where = f" (native log: {log.keep()})" if log is not None else ""
            if isinstance(err, StepFailed):
                what = f"failed while {err.step}: {type(err.error).__name__}: {one_line(err.error)}"
            else:
                what = f"failed: {type(err).__name__}: {one_line(err)}"
            print(f"mobilecnn {args.command}: {what}{where}; --verbose shows the traceback", file=sys.stderr)
            return 1


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


__all__ = ["main", "make_parser", "UsageError", "StepFailed", "one_line", "key_value", "add_model_options",
           "model_options", "MODEL_OPTION_FLAGS", "SUBCOMMANDS"]


if __name__ == "__main__":
    sys.exit(main())
