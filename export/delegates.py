"""Which ops each runtime accelerates: XNNPACK partitions on CPU, the LiteRT GPU accelerator.

- **XNNPACK** (CPU): LiteRT's interpreter hands every op it can to XNNPACK; each
  contiguous run becomes one delegate partition and every op left outside runs
  on a slower, often single-threaded kernel. One partition means XNNPACK runs
  the whole graph.
- **GPU**: the CompiledModel API with only the GPU accelerator refuses a model
  with any op the GPU cannot run ("Some ops are not accelerated"), so a
  successful GPU-only compile is the test of full acceleration (with ``GPU |
  CPU`` it always says fully accelerated, because the CPU counts). It runs in
  a subprocess (``gpu_probe.py``, without TensorFlow) whose log names the ops that fall back.
  Where no GPU adapter exists (no GPU and no software Vulkan), it says so; a probe that timed out or
  died before reporting is marked ``probe_failed`` (not "no adapter"), so callers can tell the two apart.
- **Analyzer**: TensorFlow Lite's model analyzer with its GPU-compatibility
  check, a static second opinion available everywhere.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field


@dataclass
class XnnpackReport:
    partitions: int
    ops: int                          # ops in the model
    ops_outside: list[str] = field(default_factory=list)   # "OP#index" left to the default kernels

    @property
    def fully_delegated(self) -> bool:
        return self.partitions == 1 and not self.ops_outside

    @property
    def one_partition(self) -> bool:
        """XNNPACK runs everything, except at most a final softmax."""
        return self.partitions == 1 and len(self.ops_outside) <= 1 and \
            all(op.startswith("SOFTMAX#") for op in self.ops_outside)


def xnnpack_report(model_content: bytes, threads: int = 2) -> XnnpackReport:
    """Partitions LiteRT's XNNPACK delegate makes, and the ops it leaves outside."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=model_content, num_threads=threads)
    interpreter.allocate_tensors()
    details = interpreter._get_ops_details()
    delegates = [op for op in details if op["op_name"] == "DELEGATE"]
    originals = [op for op in details if op["op_name"] != "DELEGATE"]
    producer = {int(t): op for op in originals for t in op["outputs"]}
    inside: set[int] = set()
    for node in delegates:
        # Walk back from the partition's outputs to its inputs: everything passed is inside.
        stop = {int(t) for t in node["inputs"]}
        stack = [int(t) for t in node["outputs"]]
        while stack:
            t = stack.pop()
            if t in stop or t not in producer:
                continue
            op = producer[t]
            if op["index"] in inside:
                continue
            inside.add(op["index"])
            stack.extend(int(i) for i in op["inputs"] if i >= 0)
    outside = [f"{op['op_name']}#{op['index']}" for op in originals if op["index"] not in inside]
    return XnnpackReport(partitions=len(delegates), ops=len(originals), ops_outside=outside)


@dataclass
class GpuReport:
    available: bool                   # a GPU adapter (real or software Vulkan) was found
    fully_accelerated: bool | None    # None when no adapter
    adapter: str = ""
    cpu_ops: list[str] = field(default_factory=list)   # "OP: reason" for each op that falls back
    error: str = ""
    probe_failed: bool = False        # the probe timed out, or exited without its report (a crash)

    def as_dict(self) -> dict:
        return asdict(self)


def gpu_environment() -> dict[str, str]:
    """Environment for the GPU probe: Mesa's software Vulkan (lavapipe) when no driver is chosen."""
    env = dict(os.environ)
    icd = "/usr/share/vulkan/icd.d/lvp_icd.json"
    if "VK_ICD_FILENAMES" not in env and os.path.exists(icd) and not os.path.exists("/dev/dri"):
        env["VK_ICD_FILENAMES"] = icd
    env.setdefault("XDG_RUNTIME_DIR", tempfile.gettempdir())
    return env


def gpu_report(model_path: str, timeout: float = 300) -> GpuReport:
    """Compile ``model_path`` for the LiteRT GPU accelerator alone, in a subprocess."""
    try:
        # Run as a plain script: importing the export package would load TensorFlow,
        # which crashes the LiteRT GPU accelerator in the same process.
        probe = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gpu_probe.py")
        proc = subprocess.run([sys.executable, probe, os.fspath(model_path)],
                              capture_output=True, text=True, timeout=timeout, env=gpu_environment())
    except subprocess.TimeoutExpired:
        return GpuReport(available=False, fully_accelerated=None, error=f"GPU probe timed out after {timeout}s",
                         probe_failed=True)
    return parse_gpu_probe(proc.stdout, proc.stderr, proc.returncode)


def parse_gpu_probe(stdout: str, stderr: str, returncode: int) -> GpuReport:
    adapter = re.search(r"Selected adapter: ([^\n]+)", stderr)
    cpu_ops: list[str] = []
    block = re.search(r"Following operations are not supported by GPU delegate:\n(.*?)\n\d+ operations will run",
                      stderr, re.S)
    if block:
        cpu_ops = [line.strip() for line in block.group(1).splitlines() if line.strip()]
    result = {}
    for line in stdout.splitlines():
        if line.startswith("{"):
            result = json.loads(line)
    no_adapter = "No adapters found" in stderr or "Failed to initialize WebGPU environment" in stderr
    if not result and not no_adapter:  # no report and no "no adapter" line: the probe died
        tail = stderr.strip().splitlines()[-3:]
        return GpuReport(available=bool(adapter), fully_accelerated=None if not adapter else False,
                         adapter=adapter.group(1).strip() if adapter else "", cpu_ops=cpu_ops, probe_failed=True,
                         error=f"GPU probe exited with {returncode} before reporting"
                               + (" (after selecting an adapter)" if adapter else " (no adapter was logged)")
                               + (f": {' | '.join(tail)[:400]}" if tail else ""))
    if no_adapter or (not adapter and not result.get("compiled")):
        return GpuReport(available=False, fully_accelerated=None,
                         error="no GPU adapter (no GPU, and no software Vulkan driver found)"
                         + (f": {result.get('error', '')[:300]}" if result.get("error") else ""))
    compiled = bool(result.get("compiled"))
    return GpuReport(
        available=True,
        fully_accelerated=compiled and bool(result.get("fully_accelerated")) and not cpu_ops,
        adapter=adapter.group(1).strip() if adapter else "",
        cpu_ops=cpu_ops,
        error="" if compiled else (result.get("error") or f"GPU probe exited with {returncode}")[:500],
    )


@dataclass
class AnalyzerReport:
    gpu_compatible: bool
    warnings: list[str] = field(default_factory=list)


def analyzer_report(model_path: str) -> AnalyzerReport:
    """The TFLite model analyzer's GPU-compatibility verdict (static, needs no GPU)."""
    from ai_edge_litert import _pywrap_analyzer_wrapper as analyzer

    text = analyzer.ModelAnalyzer(os.fspath(model_path), True, True)
    warnings = [line.strip() for line in text.splitlines() if "GPU COMPATIBILITY WARNING" in line]
    compatible = "looks compatible with GPU delegate" in text and not warnings
    return AnalyzerReport(gpu_compatible=compatible, warnings=warnings)
