"""The ``android[:SERIAL]`` target: a phone over adb, timed by the benchmark binary the user downloaded.

Two tools are understood (told apart by their name, or by their ``--help`` on the phone):

- LiteRT's ``benchmark_model`` (CompiledModel API; litert/tools/benchmark_litert_model.h):
  ``--graph --num_threads --use_gpu --use_npu --num_runs --warmup_runs --report_peak_memory_footprint
  --use_profiler``.
- TensorFlow Lite's ``android_aarch64_benchmark_model`` (tensorflow/lite/tools/benchmark):
  ``--graph --num_threads --use_gpu --use_nnapi --use_xnnpack --enable_op_profiling
  --report_peak_memory_footprint``.

Binary and model go to ``/data/local/tmp/mobilecnn/``, are run there (optionally under ``taskset MASK``) and
removed afterwards; nothing is pulled back. Every adb call has a timeout (``adb logcat`` and
``wait-for-device`` are never used). Problems the user can fix (no adb, no phone, several phones and no serial,
a binary for another ABI) raise :class:`TargetUsageError`; a failure on the phone raises :class:`TargetError`.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

from mobilecnn.export.target_base import Target, TargetError, TargetUsageError

DEVICE_DIR = "/data/local/tmp/mobilecnn"
USB_DEBUGGING = ("connect a phone by USB with USB debugging on (Settings > About phone: tap Build number 7 times; "
                 "Settings > System > Developer options: USB debugging), accept the prompt on the phone, "
                 "and check that `adb devices` lists it")
PROPS = {"model": "ro.product.model", "manufacturer": "ro.product.manufacturer", "soc": "ro.soc.model",
         "soc_manufacturer": "ro.soc.manufacturer", "board": "ro.board.platform", "hardware": "ro.hardware",
         "abi": "ro.product.cpu.abi", "android": "ro.build.version.release", "sdk": "ro.build.version.sdk"}
# ELF e_machine -> the Android ABI it runs on
ELF_ABI = {183: "arm64-v8a", 40: "armeabi-v7a", 62: "x86_64", 3: "x86", 243: "riscv64"}
EXEC_ERRORS = ("not executable: 64-bit ELF", "not executable: 32-bit ELF", "Exec format error",
               "cannot execute binary file", "syntax error: unexpected")


class Adb:
    """``adb [-s SERIAL] ...`` with a timeout on every call."""

    def __init__(self, serial: str | None = None, timeout: float = 60, adb: str | None = None):
        self.adb = adb or shutil.which("adb")
        if self.adb is None:
            raise TargetUsageError("adb not found on PATH: install Android platform-tools (Debian/Ubuntu: "
                                   "apt-get install adb), then " + USB_DEBUGGING)
        self.serial, self.timeout = serial, timeout
        self.calls: list[list[str]] = []

    def __call__(self, *args: str, timeout: float | None = None, check: bool = True) -> subprocess.CompletedProcess:
        if args and args[0] in ("logcat", "wait-for-device"):
            raise AssertionError(f"adb {args[0]} may hang; it is not used")
        argv = [self.adb, *(["-s", self.serial] if self.serial else []), *args]
        self.calls.append(argv[1:])
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout or self.timeout)
        except subprocess.TimeoutExpired:
            raise TargetError(f"adb {' '.join(args[:2])} got no answer in {timeout or self.timeout:.0f} s "
                              "(phone disconnected or asleep?)") from None
        if check and proc.returncode != 0:
            text = (proc.stderr + proc.stdout).strip()
            if "no devices/emulators found" in text or "device offline" in text or "not found" in text and \
                    "device" in text:
                raise TargetError(f"the phone went away during adb {args[0]}: {text[:200]}; reconnect it and run "
                                  "again (a zoo run resumes where it stopped)")
            raise TargetError(f"adb {' '.join(args[:2])} failed ({proc.returncode}): {text[:300]}")
        return proc

    def devices(self) -> list[tuple[str, str]]:
        """``(serial, state)`` of each attached device."""
        proc = subprocess.run([self.adb, "devices"], capture_output=True, text=True, timeout=self.timeout)
        self.calls.append(["devices"])
        out = []
        for line in proc.stdout.splitlines()[1:]:
            parts = line.split()
            if len(parts) >= 2:
                out.append((parts[0], parts[1]))
        return out

    def choose(self) -> str:
        """The one phone to use: the given serial, or the only one attached."""
        try:
            found = self.devices()
        except subprocess.TimeoutExpired:
            raise TargetError(f"adb devices got no answer in {self.timeout:.0f} s") from None
        ready = [s for s, state in found if state == "device"]
        if self.serial:
            state = dict(found).get(self.serial)
            if state is None:
                listed = ", ".join(s for s, _ in found) or "none"
                raise TargetUsageError(f"no phone with serial {self.serial!r} (attached: {listed}); "
                                       "`adb devices` lists the serials")
            if state != "device":
                raise TargetUsageError(f"phone {self.serial} is {state!r}: " + _state_fix(state))
            return self.serial
        if not found:
            raise TargetUsageError("no Android phone found by adb: " + USB_DEBUGGING)
        if not ready:
            serial, state = found[0]
            raise TargetUsageError(f"phone {serial} is {state!r}: " + _state_fix(state))
        if len(ready) > 1:
            raise TargetUsageError(f"{len(ready)} phones attached ({', '.join(ready)}): name one with "
                                   f"--target android:SERIAL, e.g. --target android:{ready[0]}")
        self.serial = ready[0]
        return self.serial


def _state_fix(state: str) -> str:
    if state == "unauthorized":
        return "unlock it and accept the 'Allow USB debugging?' prompt, then run again"
    return "reconnect the cable (or `adb reconnect`) and check `adb devices`"


def elf_abi(path: str | os.PathLike) -> str | None:
    """The Android ABI an ELF executable is built for, or None for a file that is not ELF (a script)."""
    with open(path, "rb") as f:
        head = f.read(20)
    if len(head) < 20 or head[:4] != b"\x7fELF":
        return None
    machine = int.from_bytes(head[18:20], "little" if head[5] == 1 else "big")
    return ELF_ABI.get(machine, f"ELF machine {machine}")


def tool_kind(binary: str | os.PathLike, help_text: str = "") -> str | None:
    """``"litert"`` (CompiledModel ``benchmark_model``) or ``"tflite"`` (TensorFlow's), from --help or the name."""
    if help_text:
        if "use_npu" in help_text or "use_profiler" in help_text or "CompiledModel" in help_text:
            return "litert"
        if "use_nnapi" in help_text or "enable_op_profiling" in help_text:
            return "tflite"
    name = Path(binary).name.lower()
    if "litert" in name:
        return "litert"
    if re.match(r"(android|linux)_(aarch64|arm|x86_64)_benchmark_model", name) or "tflite" in name:
        return "tflite"
    return None


def tool_flags(kind: str, graph: str, threads: int, accelerator: str, runs: int, warmup: int,
               profile: bool = True) -> list[str]:
    flags = [f"--graph={graph}", f"--num_threads={threads}", f"--num_runs={runs}", f"--warmup_runs={warmup}",
             "--report_peak_memory_footprint=true"]
    if kind == "litert":
        flags += [f"--use_gpu={str(accelerator == 'gpu').lower()}", f"--use_npu={str(accelerator == 'npu').lower()}"]
        if profile:
            flags.append("--use_profiler=true")
    else:
        flags += [f"--use_gpu={str(accelerator == 'gpu').lower()}",
                  f"--use_nnapi={str(accelerator == 'npu').lower()}",
                  f"--use_xnnpack={str(accelerator == 'cpu').lower()}"]
        if profile:
            flags.append("--enable_op_profiling=true")
    return flags


# --- parsing the tools' output ------------------------------------------------------------------------------

_PREFIX = re.compile(r"^(?:[IWEVF]\s+\S+\s*:\s*)?(?:(?:INFO|WARNING|ERROR|VERBOSE|DEBUG):\s*)?(?:\[[^\]]*\]\s*)?")
_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_STATS = re.compile(rf"count=(?P<count>\d+)(?P<rest>(?:\s+\w+={_NUM})*)")
_PAIR = re.compile(rf"(\w+)=({_NUM})")


def strip_prefix(line: str) -> str:
    """Drop ``INFO: [file.cc:12] `` style log prefixes (and logcat's ``I tflite  :``)."""
    return _PREFIX.sub("", line, count=1).rstrip()


def parse_benchmark_output(text: str) -> dict[str, Any]:
    """Figures from either tool's output: latency in ms, peak memory in MB, the per-op profile.

    Both tools print TFLite's ``count=... first=... min=... max=... avg=... std=...`` lines in microseconds (6
    significant digits, so ``avg=1.23457e+06``); the last one is the timed runs. LiteRT's adds a ``BENCHMARK
    RESULTS`` block in ms; TensorFlow's an ``Inference timings in us:`` line.
    """
    lines = [strip_prefix(line) for line in text.splitlines()]
    out: dict[str, Any] = {"latency_ms": {}, "peak_mb": None, "profile": None, "fully_accelerated": None}
    lat = out["latency_ms"]
    # The benchmark runs' lines; the op profiler's own "Timings (microseconds): count=..." summary is not one.
    stats = [m for m in (_STATS.search(line) for line in lines if not line.startswith("Timings"))
             if m and "first=" in m.group(0)]
    if stats:
        warm = {k: float(v) for k, v in _PAIR.findall(stats[-1].group(0))}
        lat.update({"count": int(warm["count"]), "min": warm.get("min"), "max": warm.get("max"),
                    "mean": warm.get("avg"), "std": warm.get("std")})
        for name, theirs in (("median", "median"), ("median", "p50"), ("p95", "p95"), ("p90", "p90")):
            if theirs in warm:
                lat[name] = warm[theirs]
        lat = {k: (v / 1e3 if isinstance(v, float) else v) for k, v in lat.items()}
        out["latency_ms"] = lat
        if len(stats) > 1:
            lat["first"] = float(dict(_PAIR.findall(stats[0].group(0)))["first"]) / 1e3
    for line in lines:
        m = re.search(rf"Inference timings in us: Init: ({_NUM}), First inference: ({_NUM}), "
                      rf"Warmup \(avg\): ({_NUM}), Inference \(avg\): ({_NUM})", line)
        if m:
            lat["init"], lat["first"] = float(m[1]) / 1e3, float(m[2]) / 1e3
            lat.setdefault("mean", float(m[4]) / 1e3)
        for label, key in (("Model initialization", "init"), ("Warmup (first)", "first"),
                           ("Inference (avg)", "mean"), ("Inference (min)", "min"), ("Inference (max)", "max"),
                           ("Inference (median)", "median"), ("Inference (std)", "std")):
            m = re.match(rf"{re.escape(label)}:\s+({_NUM})", line)
            if m:
                lat[key] = float(m[1])
        m = re.search(rf"Initialized session in ({_NUM})\s*ms", line)
        if m and "init" not in lat:
            lat["init"] = float(m[1])
        m = re.search(rf"(?:Overall peak memory footprint \(MB\) via periodic monitoring|Peak memory):\s*({_NUM})",
                      line)
        if m:
            out["peak_mb"] = float(m[1])
        m = re.search(rf"(?:Peak memory footprint|Memory footprint delta from the start of the tool) \(MB\): "
                      rf"init=({_NUM}) overall=({_NUM})", line)
        if m and out["peak_mb"] is None:
            out["peak_mb_overall"] = float(m[2])
        if "will be completely executed by the delegate" in line or "yielding 1 partitions for the whole" in line:
            out["fully_accelerated"] = True
        m = re.search(r"Replacing (\d+) out of (\d+) node\(s\) with delegate .*yielding (\d+) partitions", line)
        if m:
            out["fully_accelerated"] = m[1] == m[2] and m[3] == "1"
            out["delegate_partitions"] = int(m[3])
    if out["peak_mb"] is None and "peak_mb_overall" in out:
        out["peak_mb"] = out["peak_mb_overall"]
    out["profile"] = parse_op_profile(lines)
    if lat.get("median") is None and lat.get("mean") is None:
        raise TargetError("the benchmark tool printed no timings (no 'count=... avg=...' line)")
    return out


def parse_op_profile(lines: list[str], top: int = 10) -> list[dict[str, Any]] | None:
    """TFLite's op-profiling table: the ``Summary by node type`` section (avg ms and share per op type), or the
    ``Top by Computation Time`` section when there is no summary. ``None`` when the output has no table."""
    def section(title: str) -> list[list[str]]:
        rows, inside = [], False
        for line in lines:
            if title in line and "=====" in line:
                inside = True
                continue
            if inside:
                if "=====" in line or not line.strip() or line.startswith(("Timings", "Memory", "Number of")):
                    if rows:
                        break
                    continue
                cells = [c.strip() for c in re.split(r"\t+|\s{2,}", line.strip()) if c.strip()]
                if cells and not cells[0].startswith("["):
                    rows.append(cells)
        return rows

    summary = section("Summary by node type")
    if summary:  # [Node type] [count] [avg ms] [avg %] [cdf %] [mem KB] [times called]
        ops = [{"op": r[0], "ms": float(r[2]), "share": float(r[3].rstrip("%")) / 100, "count": int(r[1])}
               for r in summary if len(r) >= 4]
    else:  # [node type] [first] [avg ms] [%] [cdf%] [mem KB] [times called] [Name]
        rows = section("Top by Computation Time")
        ops = [{"op": r[0], "ms": float(r[2]), "share": float(r[3].rstrip("%")) / 100,
                "name": r[-1].strip("[]")} for r in rows if len(r) >= 4]
    if not ops:
        return None
    return sorted(ops, key=lambda o: -o["ms"])[:top]


def parse_getprop(text: str) -> dict[str, str]:
    """``[ro.product.model]: [Pixel 8]`` lines -> {key: value}."""
    return dict(re.findall(r"^\[([^\]]+)\]:\s*\[([^\]]*)\]", text, flags=re.M))


def describe_device(props: dict[str, str], serial: str | None) -> dict[str, Any]:
    d = {name: props.get(key, "") for name, key in PROPS.items()}
    return {"kind": "phone", "serial": serial, "model": d["model"], "manufacturer": d["manufacturer"],
            "soc": d["soc"] or d["board"] or d["hardware"], "soc_manufacturer": d["soc_manufacturer"],
            "board": d["board"], "abi": d["abi"], "android": d["android"], "sdk": d["sdk"]}


# --- the target -----------------------------------------------------------------------------------------------

class AndroidTarget(Target):
    name = "android"
    accelerators = ("cpu", "gpu", "npu")

    def __init__(self, binary: str | os.PathLike | None, serial: str | None = None, taskset: str | None = None,
                 timeout: float = 600, adb_timeout: float = 60, profile: bool = True):
        if binary is None:
            raise TargetUsageError("--target android needs --binary PATH: LiteRT's benchmark_model or TensorFlow's "
                                   "android_aarch64_benchmark_model, downloaded for your phone's ABI")
        binary = Path(binary)
        if not binary.is_file():
            raise TargetUsageError(f"--binary {str(binary)!r}: no such file")
        if not os.access(binary, os.X_OK):
            raise TargetUsageError(f"--binary {str(binary)!r} is not executable: chmod +x {shlex.quote(str(binary))}")
        if taskset is not None and not re.fullmatch(r"(0x)?[0-9a-fA-F]+", taskset):
            raise TargetUsageError(f"--taskset {taskset!r}: expected a hexadecimal CPU mask such as f0")
        self.binary, self.serial, self.taskset = binary, serial, taskset
        self.timeout, self.adb_timeout, self.profile = timeout, adb_timeout, profile
        self.adb: Adb | None = None
        self.device: dict[str, Any] | None = None
        self.kind: str | None = None

    def connect(self) -> Adb:
        if self.adb is None:
            adb = Adb(self.serial, self.adb_timeout)
            adb.choose()
            props = parse_getprop(adb("shell", "getprop").stdout)
            self.device = describe_device(props, adb.serial)
            built_for = elf_abi(self.binary)
            phone_abis = (props.get("ro.product.cpu.abilist") or self.device["abi"]).split(",")
            if built_for is not None and self.device["abi"] and built_for not in phone_abis:
                raise TargetUsageError(
                    f"--binary {self.binary.name} is built for {built_for}, but the phone ({self.device['model']}) "
                    f"runs {self.device['abi']}: download the android_{_download_arch(self.device['abi'])} build")
            self.adb, self.serial = adb, adb.serial
        return self.adb

    def describe(self) -> dict[str, Any]:
        self.connect()
        return {"name": self.name, "serial": self.serial, "tool": f"{self.binary.name} ({self.kind or 'unknown'})",
                "tool_version": self.kind and {"litert": "LiteRT benchmark_model",
                                               "tflite": "TensorFlow Lite benchmark_model"}[self.kind] or "",
                "device": self.device}

    def _shell(self, command: str, timeout: float | None = None, check: bool = True) -> subprocess.CompletedProcess:
        return self.adb("shell", command, timeout=timeout, check=check)

    def _exec_failure(self, text: str) -> str | None:
        if any(e in text for e in EXEC_ERRORS):
            return (f"the phone cannot run --binary {self.binary.name} ({text.strip().splitlines()[-1][:160]}): it is "
                    f"built for another ABI than the phone's {self.device and self.device['abi'] or 'CPU'}; download "
                    f"the android_{_download_arch(self.device and self.device['abi'] or '')} benchmark_model")
        return None

    def measure(self, path, threads, accelerator="cpu", runs=50, warmup=5):
        self.check_accelerator(accelerator)
        path = Path(path)
        if not path.is_file():
            raise TargetUsageError(f"no such file: {str(path)!r}")
        adb = self.connect()
        remote_bin, remote_model = f"{DEVICE_DIR}/{self.binary.name}", f"{DEVICE_DIR}/{path.name}"
        out = []
        try:
            self._shell(f"mkdir -p {DEVICE_DIR}")
            adb("push", str(self.binary), remote_bin, timeout=max(self.adb_timeout, 300))
            adb("push", str(path), remote_model, timeout=max(self.adb_timeout, 300))
            self._shell(f"chmod +x {remote_bin}")
            if self.kind is None:
                self.kind = tool_kind(self.binary)
            if self.kind is None:
                helped = self._shell(f"{remote_bin} --help", check=False)
                text = helped.stdout + helped.stderr
                if (why := self._exec_failure(text)) is not None:
                    raise TargetUsageError(why)
                self.kind = tool_kind(self.binary, text) or "tflite"
            for t in threads:
                flags = tool_flags(self.kind, remote_model, t, accelerator, runs, warmup, self.profile)
                pin = f"taskset {self.taskset} " if self.taskset else ""
                command = f"cd {DEVICE_DIR} && {pin}{remote_bin} " + " ".join(shlex.quote(f) for f in flags)
                proc = self._shell(command, timeout=self.timeout, check=False)
                text = proc.stdout + proc.stderr
                if (why := self._exec_failure(text)) is not None:
                    raise TargetUsageError(why)
                if proc.returncode != 0:
                    last = [line for line in text.splitlines() if line.strip()][-3:]
                    raise TargetError(f"{self.binary.name} exited {proc.returncode} on the phone: "
                                      f"{' / '.join(last)[:400]}")
                figures = parse_benchmark_output(text)
                latency = {k: figures["latency_ms"].get(k) for k in
                           ("init", "first", "median", "p90", "p95", "min", "max", "mean", "std", "count")}
                if latency["median"] is None:
                    latency["median"] = latency["mean"]  # older tools print the mean only
                out.append({"threads": t, "target": self.describe(), "latency_ms": latency,
                            "memory": {"peak_mb": figures["peak_mb"],
                                       "method": "the tool's --report_peak_memory_footprint"
                                       if figures["peak_mb"] is not None else ""},
                            "acceleration": {"fully_accelerated": figures["fully_accelerated"],
                                             "xnnpack_partitions": figures.get("delegate_partitions")
                                             if accelerator == "cpu" else None, "ops_outside": None},
                            "profile": figures["profile"]})
        finally:
            try:
                self._shell(f"rm -rf {DEVICE_DIR}", check=False)
            except TargetError:
                pass
        return out


def _download_arch(abi: str) -> str:
    return {"arm64-v8a": "aarch64", "armeabi-v7a": "arm", "x86_64": "x86_64", "x86": "x86"}.get(abi, "aarch64")
