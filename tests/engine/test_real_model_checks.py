"""Beyond the examples, with the real embedded model: a small solve of `merge_intervals` whose
docstring the model turns into checks, with typed inputs, adaptive sampling and the confidence
report, through the CLI as a subprocess (no base URL: it starts llama-server itself, on TEST_MODEL,
the 0.5B).

What the model writes is not scripted, so the test holds the engine to what must be true of any
answer: one checks request was made and answered, the chosen code passes the examples, the
result says how sure it is with the evidence behind it, and no process outlives the solve.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.models import TEST_MODEL
from tests.support.processes import marked_processes, new_mark

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "examples" / "intervals.py"


@pytest.mark.real_model
@pytest.mark.timeout(1800)
def test_checks_and_confidence_with_the_embedded_model():
    name, mark = new_mark()
    env = {k: v for k, v in os.environ.items() if k not in ("SSTAR_BASE_URL", "SSTAR_MODEL")}
    env["PYTHONPATH"] = str(ROOT)
    env[name] = mark
    env["SSTAR_LOCAL_MODEL"] = TEST_MODEL
    command = [sys.executable, "-m", "sstar.cli", "solve", f"{TARGET}::merge_intervals", "--json"]
    command += ["--samples", "2", "--rounds", "1", "--no-cache"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=1700)
    assert done.returncode in (0, 1), done.stderr
    result = json.loads(done.stdout)
    assert not marked_processes(mark), "a process of the solve outlived it"
    assert result["usage"]["stages"]["checking"]["calls"] == 1  # one checks request, answered
    assert result["confidence"] in ("high", "medium", "low", "none")
    if result["passed_public"]:
        assert result["confidence"] != "none" and result["evidence"]
        assert result["evidence"][0]["kind"] == "passes_examples"
        assert result["reason"] is not None
    if result["confidence"] in ("medium", "low") and result["suggestion"]:
        assert result["suggestion"]["call"].startswith("merge_intervals(")
    # Adaptive sampling drew no more than its allowance (2 + 8 by default).
    assert result["usage"]["stages"]["sampling"]["calls"] <= 10
