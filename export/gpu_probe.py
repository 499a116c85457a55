"""Subprocess entry: compile a .tflite for the LiteRT GPU accelerator alone; print JSON.

Run by :func:`mobilecnn.export.delegates.gpu_report`, which reads the runtime's log from
this process's stderr. Kept in its own process so a GPU driver crash or hang
cannot take the caller down.
"""

from __future__ import annotations

import json
import sys


def main(path: str) -> int:
    try:
        from ai_edge_litert.compiled_model import CompiledModel, HardwareAccelerator
    except ImportError as err:
        print(json.dumps({"compiled": False, "error": f"ai-edge-litert has no CompiledModel API: {err}"}))
        return 1
    try:
        model = CompiledModel.from_file(path, hardware_accel=HardwareAccelerator.GPU)
        result = {"compiled": True, "fully_accelerated": bool(model.is_fully_accelerated())}
    except Exception as err:  # the runtime raises RuntimeError with its log
        result = {"compiled": False, "error": str(err)}
    sys.stderr.flush()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
