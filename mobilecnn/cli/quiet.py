"""Quiet by default: TensorFlow's, absl's, the converter's and LiteRT's native log lines stay off the terminal.

Those libraries write from C++ straight to file descriptors 1 and 2 (``cudart_stub.cc ... Could not find cuda
drivers``, ``WARNING: All log messages before absl::InitializeLog()``, the int8 converter's ``fully_quantize:
0, inference_type: 6``, ``INFO: Created TensorFlow Lite XNNPACK delegate``), where no Python setting reaches
them. So for the length of a command :func:`native_output_to_log` points both descriptors at a log file and
gives Python's ``sys.stdout``/``sys.stderr`` the original terminal: our progress and summary still show, theirs
does not. The log is kept (and named) when the command fails, removed when it succeeds. ``--verbose`` turns
all of this off.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import tempfile
import warnings

# Third-party Python loggers and warning sources that only repeat what the native lines say.
NOISY_LOGGERS = ("tensorflow", "absl", "h5py", "keras", "tf_keras", "tensorflow_model_optimization")
NOISY_WARNING_MODULES = r"(tensorflow|tf_keras|keras|tensorflow_model_optimization|absl|h5py|ai_edge_litert)(\.|$)"


def quiet_environment() -> None:
    """Settings read by TensorFlow when it loads: set before it is imported (a value the user set wins)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("ABSL_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module=NOISY_WARNING_MODULES)


@contextlib.contextmanager
def native_output_to_log(prefix: str = "mobilecnn-"):
    """Send file descriptors 1 and 2 to a log file while Python's streams keep the terminal.

    Yields the log's path. Does nothing (yields None) when ``sys.stdout``/``sys.stderr`` are not the
    process's own streams (e.g. under pytest's capture), where swapping descriptors would lose output.
    """
    if sys.stdout is not sys.__stdout__ or sys.stderr is not sys.__stderr__:
        yield None
        return
    try:
        out_fd, err_fd = sys.stdout.fileno(), sys.stderr.fileno()
    except (AttributeError, ValueError, io.UnsupportedOperation):
        yield None
        return
    sys.stdout.flush()
    sys.stderr.flush()
    log_fd, log_path = tempfile.mkstemp(prefix=prefix, suffix=".log")
    saved_out, saved_err = os.dup(out_fd), os.dup(err_fd)
    old_stdout, old_stderr = sys.stdout, sys.stderr
    new_stdout = io.TextIOWrapper(os.fdopen(saved_out, "wb", buffering=0), encoding=old_stdout.encoding,
                                  errors=old_stdout.errors, line_buffering=True, write_through=True)
    new_stderr = io.TextIOWrapper(os.fdopen(saved_err, "wb", buffering=0), encoding=old_stderr.encoding,
                                  errors="backslashreplace", line_buffering=True, write_through=True)
    os.dup2(log_fd, out_fd)
    os.dup2(log_fd, err_fd)
    os.close(log_fd)
    sys.stdout, sys.stderr = new_stdout, new_stderr
    sys.__stdout__, sys.__stderr__ = new_stdout, new_stderr  # what rich and tracebacks fall back to
    state = {"keep": False}
    try:
        yield _Log(log_path, state)
    finally:
        new_stdout.flush()
        new_stderr.flush()
        os.dup2(new_stdout.fileno(), out_fd)
        os.dup2(new_stderr.fileno(), err_fd)
        sys.stdout, sys.stderr = old_stdout, old_stderr
        sys.__stdout__, sys.__stderr__ = old_stdout, old_stderr
        new_stdout.close()
        new_stderr.close()
        if not state["keep"] or os.path.getsize(log_path) == 0:
            with contextlib.suppress(OSError):
                os.unlink(log_path)


class _Log:
    """The native log of one command: :meth:`keep` it so that a failure can name it."""

    def __init__(self, path: str, state: dict) -> None:
        self.path, self._state = path, state

    def keep(self) -> str:
        self._state["keep"] = True
        return self.path
