"""The android target: the real adb with no phone, and the adb transport against a stand-in adb.

The stand-in tests check the plumbing (what we ask adb to do, in which order, with which flags; how we read the
answers and clean up), not a phone: whether a real phone, its adb daemon and the real benchmark binaries behave
like the stand-ins is only shown by running on one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mobilecnn.export import results as res

from mobilecnn.cli import main

FIXTURES = Path(__file__).parent / "fixtures"

# A stand-in for adb: records its arguments, serves `devices` and `getprop` from the environment, copies `push`ed
# files into a folder standing for the phone's root, and runs `shell` commands locally there (paths under
# /data/local/tmp mapped into that folder). It proves nothing about a real adb or phone.
FAKE_ADB = r'''#!PYTHON
"""Stand-in adb for tests: records argv; runs the device side locally under $FAKE_ADB_ROOT (not a phone)."""
import json, os, shutil, subprocess, sys
args = sys.argv[1:]
with open(os.environ["FAKE_ADB_LOG"], "a") as f:
    f.write(json.dumps(args) + "\n")
serial = None
if args[:1] == ["-s"]:
    serial, args = args[1], args[2:]
root = os.environ["FAKE_ADB_ROOT"]
device = lambda p: root + p if p.startswith("/") else p
cmd = args[0]
if cmd == "devices":
    print("List of devices attached")
    for line in os.environ.get("FAKE_ADB_DEVICES", "").split(";"):
        if line:
            print(line.replace(" ", "\t"))
elif cmd in ("kill-server", "start-server"):
    pass
elif cmd == "push":
    dst = device(args[2])
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copy(args[1], dst)
    print(f"{args[1]}: 1 file pushed")
elif cmd == "shell":
    command = " ".join(args[1:])
    if command == "getprop":
        sys.stdout.write(open(os.environ["FAKE_ADB_PROPS"]).read())
        sys.exit(0)
    command = command.replace("/data/local/tmp", root + "/data/local/tmp")
    env = dict(os.environ, PATH=os.environ["FAKE_ADB_SHIMS"] + os.pathsep + os.environ["PATH"])
    proc = subprocess.run(["sh", "-c", command], env=env)
    sys.exit(proc.returncode)
else:
    print(f"adb: unknown command {cmd}", file=sys.stderr)
    sys.exit(1)
'''

# taskset on the "phone": records the mask, runs the rest.
FAKE_TASKSET = """#!/bin/sh
echo "taskset $1" >> "$FAKE_ADB_TOOL_LOG"
shift
exec "$@"
"""

# A stand-in benchmark binary: records its flags and prints a fixture (the real tools' output format, not a run).
FAKE_TOOL = """#!/bin/sh
echo "$0 $*" >> "$FAKE_ADB_TOOL_LOG"
case "$*" in *--help*) echo "Flags: --graph --use_gpu --use_npu --use_profiler --num_runs"; exit 0;; esac
if [ -n "$FAKE_TOOL_FAIL" ]; then echo "$FAKE_TOOL_FAIL" >&2; exit "${FAKE_TOOL_RC:-1}"; fi
cat "$FAKE_TOOL_OUTPUT"
"""


@pytest.fixture
def phone(tmp_path, monkeypatch):
    """A stand-in adb first on PATH, one attached 'phone' (Pixel 8, arm64-v8a), a LiteRT-style tool."""
    bin_dir, shims, root = tmp_path / "bin", tmp_path / "shims", tmp_path / "device"
    for d in (bin_dir, shims, root / "data" / "local" / "tmp"):
        d.mkdir(parents=True)
    adb = bin_dir / "adb"
    adb.write_text(FAKE_ADB.replace("#!PYTHON", "#!" + sys.executable))
    (shims / "taskset").write_text(FAKE_TASKSET)
    for tool, fixture in (("benchmark_model", "litert_benchmark_model_android.txt"),
                          ("android_aarch64_benchmark_model", "tflite_benchmark_model_android.txt")):
        (tmp_path / tool).write_text(FAKE_TOOL.replace('"$FAKE_TOOL_OUTPUT"', str(FIXTURES / fixture)))
    for p in (adb, shims / "taskset", tmp_path / "benchmark_model", tmp_path / "android_aarch64_benchmark_model"):
        p.chmod(0o755)
    model = tmp_path / "model.tflite"
    model.write_bytes(b"TFL3" + bytes(60))   # never loaded here: its sidecar says what it is
    model.with_suffix(".json").write_text(json.dumps({"model": "mobilenet-v2", "precision": "int8"}))
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FAKE_ADB_LOG": str(tmp_path / "adb.log"),
           "FAKE_ADB_ROOT": str(root), "FAKE_ADB_SHIMS": str(shims), "FAKE_ADB_DEVICES": "PIXEL8 device",
           "FAKE_ADB_PROPS": str(FIXTURES / "getprop_pixel.txt"), "FAKE_ADB_TOOL_LOG": str(tmp_path / "tool.log")}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("FAKE_TOOL_FAIL", raising=False)
    return tmp_path


def adb_calls(phone: Path) -> list[list[str]]:
    return [json.loads(line) for line in (phone / "adb.log").read_text().splitlines()]


def test_command_sequence_with_threads_taskset_and_accelerator(phone, capsys):
    out = phone / "phone.json"
    assert main(["benchmark", str(phone / "model.tflite"), "--target", "android", "--binary",
                 str(phone / "benchmark_model"), "--threads", "4", "--taskset", "f0", "--accelerator", "gpu",
                 "--runs", "10", "--warmup", "3", "--out", str(out)]) == 0
    calls = adb_calls(phone)
    assert calls[0] == ["devices"]
    assert all(c[:2] == ["-s", "PIXEL8"] for c in calls[1:])           # the one phone, named on every call
    rest = [c[2:] for c in calls[1:]]
    d = "/data/local/tmp/mobilecnn"
    assert rest[:5] == [["shell", "getprop"], ["shell", f"mkdir -p {d}"],
                        ["push", str(phone / "benchmark_model"), f"{d}/benchmark_model"],
                        ["push", str(phone / "model.tflite"), f"{d}/model.tflite"],
                        ["shell", f"chmod +x {d}/benchmark_model"]]
    assert rest[5] == ["shell", f"{d}/benchmark_model --help"]           # the name is ambiguous: ask the tool
    run = rest[6][1]
    assert run.startswith(f"cd {d} && taskset f0 {d}/benchmark_model ")
    for flag in (f"--graph={d}/model.tflite", "--num_threads=4", "--num_runs=10", "--warmup_runs=3",
                 "--use_gpu=true", "--use_npu=false", "--report_peak_memory_footprint=true", "--use_profiler=true"):
        assert flag in run.split()
    assert rest[-1] == ["shell", f"rm -rf {d}"] and len(rest) == 8       # cleaned up; nothing pulled
    assert not (phone / "device" / "data" / "local" / "tmp" / "mobilecnn").exists()
    assert not any(c[0] in ("pull", "logcat", "wait-for-device") for c in rest)
    assert "taskset f0" in (phone / "tool.log").read_text()
    (record,) = res.read_results(out)
    assert record["target"]["name"] == "android" and record["target"]["serial"] == "PIXEL8"
    device = record["target"]["device"]
    assert (device["model"], device["soc"], device["abi"], device["android"]) == \
        ("Pixel 8", "Tensor G3", "arm64-v8a", "14")
    assert record["run"] == {"threads": 4, "accelerator": "gpu", "runs": 10, "warmup": 3, "taskset": "f0"}
    assert record["latency_ms"]["median"] == pytest.approx(1197.33) and record["memory"]["peak_mb"] == 61.45
    assert "median 1197.33 ms" in capsys.readouterr().out


def test_tensorflow_tool_flags_and_profile(phone):
    from mobilecnn.export.android import AndroidTarget
    from mobilecnn.export.zoo import time_file

    target = AndroidTarget(phone / "android_aarch64_benchmark_model", serial="PIXEL8")
    (record,) = time_file(target, phone / "model.tflite", [2], accelerator="npu", runs=5, warmup=1)
    run = adb_calls(phone)[-2][3]
    assert "--help" not in (phone / "tool.log").read_text()               # known by its name
    for flag in ("--num_threads=2", "--use_nnapi=true", "--use_gpu=false", "--use_xnnpack=false",
                 "--enable_op_profiling=true", "--report_peak_memory_footprint=true"):
        assert flag in run.split()
    assert "taskset" not in run
    assert record["profile"][0]["op"] == "Convolution (NHWC, F32) GEMM"
    assert record["latency_ms"]["median"] == pytest.approx(8.903)


def test_several_phones_and_no_serial(phone, monkeypatch, capsys):
    monkeypatch.setenv("FAKE_ADB_DEVICES", "AAA device;BBB device")
    argv = ["benchmark", str(phone / "model.tflite"), "--target", "android", "--binary", str(phone / "benchmark_model")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "2 phones attached (AAA, BBB)" in err and "--target android:AAA" in err and len(err.splitlines()) == 1
    argv[3] = "android:BBB"
    assert main(argv) == 0
    assert adb_calls(phone)[-1][:2] == ["-s", "BBB"]
    argv[3] = "android:CCC"
    assert main(argv) == 2
    assert "no phone with serial 'CCC'" in capsys.readouterr().err


def test_unauthorized_phone(phone, monkeypatch, capsys):
    monkeypatch.setenv("FAKE_ADB_DEVICES", "AAA unauthorized")
    assert main(["benchmark", str(phone / "model.tflite"), "--target", "android", "--binary",
                 str(phone / "benchmark_model")]) == 2
    assert "accept the 'Allow USB debugging?' prompt" in capsys.readouterr().err


def test_binary_for_another_abi_is_refused_before_running(phone, capsys):
    x86 = phone / "linux_x86-64_benchmark_model"
    shutil.copy(shutil.which("true") or "/bin/true", x86)                # an x86-64 ELF (this machine's)
    x86.chmod(0o755)
    head = x86.read_bytes()[:20]
    if head[18] != 62:
        pytest.fail(f"expected an x86-64 ELF for this test, got machine {head[18]}")
    assert main(["benchmark", str(phone / "model.tflite"), "--target", "android", "--binary", str(x86)]) == 2
    err = capsys.readouterr().err
    assert "is built for x86_64, but the phone (Pixel 8) runs arm64-v8a" in err and "android_aarch64" in err


def test_the_phones_exec_error_in_our_words(phone, monkeypatch, capsys):
    monkeypatch.setenv("FAKE_TOOL_FAIL", "/system/bin/sh: ./benchmark_model: not executable: 32-bit ELF file")
    monkeypatch.setenv("FAKE_TOOL_RC", "126")
    assert main(["benchmark", str(phone / "model.tflite"), "--target", "android", "--binary",
                 str(phone / "android_aarch64_benchmark_model")]) == 2
    err = capsys.readouterr().err
    assert "the phone cannot run --binary android_aarch64_benchmark_model" in err and "another ABI" in err
    assert adb_calls(phone)[-1][2:] == ["shell", "rm -rf /data/local/tmp/mobilecnn"]   # cleaned up anyway


def test_a_failure_on_the_phone_exits_1(phone, monkeypatch, capsys):
    monkeypatch.setenv("FAKE_TOOL_FAIL", "ERROR: Failed to apply GPU delegate.")
    assert main(["benchmark", str(phone / "model.tflite"), "--target", "android", "--binary",
                 str(phone / "android_aarch64_benchmark_model"), "--accelerator", "gpu"]) == 1
    assert "exited 1 on the phone: ERROR: Failed to apply GPU delegate." in capsys.readouterr().err


def test_logcat_and_wait_for_device_are_never_called():
    from mobilecnn.export.android import Adb

    adb = Adb(adb=sys.executable)
    for command in ("logcat", "wait-for-device"):
        with pytest.raises(AssertionError, match="may hang"):
            adb(command)


# --- the real adb ------------------------------------------------------------------------------------------

def test_real_adb_with_no_phone(tmp_path, capsys, monkeypatch):
    """Needs Debian's adb (CI installs it); with no phone attached we say how to attach one, exit 2."""
    adb = shutil.which("adb")
    assert adb is not None, "adb is not installed (apt-get install adb)"
    monkeypatch.setenv("HOME", str(tmp_path))        # its keys and server state stay in the test's folder
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", "5099")
    tool = tmp_path / "benchmark_model"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    model = tmp_path / "m.tflite"
    model.write_bytes(b"TFL3")
    try:
        code = main(["benchmark", str(model), "--target", "android", "--binary", str(tool)])
        err = capsys.readouterr().err
    finally:
        subprocess.run([adb, "kill-server"], capture_output=True, timeout=30)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1
    assert "no Android phone found by adb" in err and "USB debugging" in err and "adb devices" in err


def test_zoo_run_on_the_phone_times_each_precision_in_turn(phone):
    """The zoo runner over the stand-in phone: one model's precisions go one after the other (only the local
    timer interleaves them), each pushed, run and removed; a record per precision."""
    from mobilecnn.export.zoo import run_zoo

    records = run_zoo(["lenet-5"], out=phone / "zoo", precisions=("float32", "int8"), threads=(1,),
                      targets=["android"], binary=str(phone / "benchmark_model"), verify=False, progress=False)
    assert [(r["model"]["precision"], r["status"], r["target"]["name"]) for r in records] == \
        [("float32", "ok", "android"), ("int8", "ok", "android")]
    pushed = [c[-2] for c in adb_calls(phone) if "push" in c and c[-2].endswith(".tflite")]
    assert [Path(p).name.split("-")[-2] for p in pushed] == ["float32", "int8"]
    assert not list((phone / "device" / "data" / "local" / "tmp").rglob("*.tflite"))   # cleaned up
