"""The mobilecnn command: list and info, exit codes."""

import json
import subprocess
import sys

import mobilecnn
from mobilecnn.cli import main


def test_list_prints_every_model_with_its_reference_figures(capsys):
    assert main(["list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == mobilecnn.list_models()   # every registered name, once, in the zoo's order
    assert all(r["params"] == mobilecnn.registry.get(r["name"]).reference.params for r in rows)
    assert all(r["macs"] == mobilecnn.registry.get(r["name"]).reference.macs for r in rows)


def test_list_measures_from_graphs(capsys):
    assert main(["list", "mobilenet-v3-*", "--measure", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == ["mobilenet-v3-large", "mobilenet-v3-small"]
    assert rows[1]["params"] == 2_554_968


def test_unknown_model_exits_2(capsys):
    assert main(["info", "mobilenet-v9"]) == 2
    assert "Did you mean" in capsys.readouterr().err
    assert main(["list", "nothing-*"]) == 2
    assert main(["frobnicate"]) == 2


def test_console_script_runs():
    result = subprocess.run([sys.executable, "-m", "mobilecnn.cli", "list"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "efficientnet-b7" in result.stdout
