"""End to end in a real headless Neovim 0.11 with the shipped nvim-client: the "Solve with S*" code
action writes a body that passes the docstring examples (scripted model, and once the real embedded
model) and :SStarCandidates writes another candidate; :SStarCancel stops a solve and the sandbox
process running its candidate; an edit during a solve is never overwritten and :SStarApplyLast /
:SStarRegenerate work; `lsp/sstar.lua` starts `python -m lsp_server` from the interpreter it should.
Every test also checks that a graceful client stop leaves no server or sandbox process behind."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support.models import TEST_MODEL
from tests.support.scripted_llm import Reply

from tests.support.prompt_kinds import kind_of

from .conftest import (
    CLIENT,
    EXAMPLES,
    VENV_PYTHON,
    base_env,
    copy_example,
    explain,
    llm_router,
    nvim_binary,
    run_doctests,
    run_nvim,
)

pytestmark = pytest.mark.editor

MERGE = """
def merge_intervals(intervals):
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
"""

MERGE_TOO = """
def merge_intervals(intervals):
    spans = []
    for lo, hi in sorted(intervals):
        if not spans or lo > spans[-1][1]:
            spans.append((lo, hi))
        else:
            spans[-1] = (spans[-1][0], max(spans[-1][1], hi))
    return spans
"""

BUSY = """
def merge_intervals(intervals):
    while True:
        pass
"""


def scripted_settings(llm, **extra) -> dict:
    return {"baseUrl": llm.base_url, "model": "scripted", "samples": 2, "rounds": 1, **extra}


def test_solve_code_action_writes_a_body_that_passes_the_examples(tmp_path: Path, scripted_llm):
    # Two right programs that differ: the one not chosen is picked later with :SStarCandidates.
    scripted_llm.handler = llm_router(lambda body: MERGE if not body.get("seed") else MERGE_TOO)
    path = copy_example(tmp_path, "intervals.py")
    original = path.read_text()
    result = run_nvim(tmp_path, {
        "scenario": "solve",
        "file": str(path),
        "target": "def merge_intervals",
        "python": VENV_PYTHON,
        "settings": scripted_settings(scripted_llm),
        "candidates": True,
        "pick_other": True,
    }, base_env(tmp_path))
    why = explain(result)
    assert result["ok"], why
    assert "Solve with S*" in result["titles"], why
    assert scripted_llm.requests, "the server never asked the model"

    kinds = [p["kind"] for p in result["progress"]]
    assert kinds[0] == "begin" and kinds[-1] == "end" and "report" in kinds, why
    assert len({p["token"] for p in result["progress"]}) == 1, why
    assert all(p["title"] and "merge_intervals" in p["title"] for p in result["progress"]), why

    text = "\n".join(result["lines"]) + "\n"
    assert text != original and result["modified"], why
    assert ("merged" in text or "spans" in text) and "    ..." not in text.split('"""')[-1], why
    checked = run_doctests(tmp_path, text, "merge_intervals")
    assert checked.returncode == 0, checked.stdout + "\n" + text
    assert "3 passed and 0 failed" in checked.stdout, checked.stdout
    assert path.read_text() == original, "the server must edit the buffer, not the file"

    candidates = result["candidates"]
    assert candidates["qualname"] == "merge_intervals", why
    assert [c["chosen"] for c in candidates["candidates"]].count(True) == 1, why
    assert len(candidates["candidates"]) == 2, why
    chosen = next(c for c in candidates["candidates"] if c["chosen"])
    other = "spans" if "merged" in chosen["code"] else "merged"
    picked = "\n".join(result["lines_picked"]) + "\n"
    assert other in picked and "    ..." not in picked.split('"""')[-1], why
    assert run_doctests(tmp_path, picked, "merge_intervals").returncode == 0, picked
    assert any("3/3 pass" in label for label in result["select_labels"]), why
    # rows tell candidates apart by a line of their bodies, never by the docstring they share
    assert not any("Merge overlapping" in label for label in result["select_labels"]), why
    assert len({label.split("group")[-1] for label in result["select_labels"]}) == 2, why
    # the final notification names the function once
    ends = [n["message"] for n in result["notes"] if "passes 3/3 examples" in n["message"]]
    assert ends and all(m.count("merge_intervals") == 1 for m in ends), why
    # The function now holds S*'s result: the action offered is "regenerate with more samples".
    assert any(t.startswith("Solve with S* (") for t in result["titles_after"]), why
    assert result["stopped"] and not result["survivors"], why


def test_cancel_user_command_stops_the_solve_and_its_sandbox_child(tmp_path: Path, scripted_llm):
    scripted_llm.handler = llm_router(BUSY)
    path = copy_example(tmp_path, "intervals.py")
    original = path.read_text().splitlines()
    settings = scripted_settings(scripted_llm, samples=1, rounds=0, sandboxTimeoutSeconds=300)
    result = run_nvim(tmp_path, {
        "scenario": "cancel",
        "file": str(path),
        "target": "def merge_intervals",
        "python": VENV_PYTHON,
        "settings": settings,
    }, base_env(tmp_path))
    why = explain(result)
    assert result["ok"], why
    assert result["busy"]["pid"] != result["server"]["pid"], why
    assert result["busy_gone"], "the child running the candidate survived the cancel\n" + why
    assert not result["left"], why
    assert "cancel" in (result["end"]["message"] or "").lower(), why
    assert [job["qualname"] for job in result["jobs_before_cancel"]] == ["merge_intervals"], why
    assert result["jobs_after_cancel"] == [], why
    assert any("cancelled job-" in n["message"] for n in result["notes"]), why
    assert result["lines"] == original, why
    assert result["stopped"] and not result["survivors"], why


def _bin_with(tmp_path: Path, name: str, target: str) -> str:
    """A PATH folder whose `name` execs `target` (a wrapper, not a symlink: a symlink to a venv's
    python does not find the venv's pyvenv.cfg)."""
    folder = tmp_path / f"bin-{name}"
    folder.mkdir()
    (folder / name).write_text(f'#!/bin/sh\nexec {target} "$@"\n')
    (folder / name).chmod(0o755)
    return str(folder)


@pytest.mark.parametrize("how", ["sstar_cmd", "sstar_python", "sstar_on_path", "virtual_env", "python3"])
def test_config_starts_python_m_lsp_server_from_the_right_interpreter(tmp_path: Path, how: str):
    env = base_env(tmp_path)
    bare_path = "/usr/bin:/bin"  # no sstar, and whatever python3 it has lacks lsp_server
    config = {"scenario": "start", "file": str(copy_example(tmp_path, "intervals.py"))}
    venv_bin = str(Path(VENV_PYTHON).parent)
    if how == "sstar_cmd":
        env["PATH"] = bare_path
        expected_cmd = config["cmd"] = [VENV_PYTHON, "-m", "lsp_server", "--log-level", "WARNING"]
    elif how == "sstar_python":
        env["PATH"] = bare_path
        config["python"] = VENV_PYTHON
        expected_cmd = [VENV_PYTHON, "-m", "lsp_server"]
    elif how == "sstar_on_path":
        env["PATH"] = _bin_with(tmp_path, "sstar", str(Path(venv_bin) / "sstar")) + ":" + bare_path
        expected_cmd = ["sstar", "serve"]
    elif how == "virtual_env":
        env["PATH"] = bare_path
        env["VIRTUAL_ENV"] = str(Path(venv_bin).parent)
        expected_cmd = [str(Path(venv_bin).parent / "bin" / "python"), "-m", "lsp_server"]
    else:
        env["PATH"] = _bin_with(tmp_path, "python3", VENV_PYTHON) + ":" + bare_path
        expected_cmd = ["python3", "-m", "lsp_server"]
    config["timeout_ms"] = 60_000
    result = run_nvim(tmp_path, config, env, timeout=150)
    why = explain(result)
    assert result["ok"], why
    assert result["resolved_cmd"] == expected_cmd, why
    argv = result["server"]["cmdline"]
    assert argv[1:3] == ["-m", "lsp_server"], why
    # `sstar serve` execs its own interpreter, the python3 wrapper execs the venv's.
    interpreter = argv[0]
    if how == "sstar_on_path":
        assert Path(interpreter).parent == Path(venv_bin), why
    elif how == "python3":
        assert interpreter == VENV_PYTHON, why
    else:
        assert interpreter == expected_cmd[0], why
    assert result["stopped"] and not result["survivors"], why


def real_model_env(tmp_path: Path) -> dict[str, str]:
    """A fresh result cache (so the model really runs) that still finds the installed weights and
    llama-server: SSTAR_CACHE_DIR points at a tmp folder whose models/ and runtime/ are links."""
    env = base_env(tmp_path)
    env.pop("OPENAI_API_KEY")
    installed = Path(os.environ.get("SSTAR_CACHE_DIR") or Path.home() / ".cache" / "sstar")
    cache = Path(env["SSTAR_CACHE_DIR"])
    cache.mkdir(parents=True)
    for name in ("models", "runtime"):
        (cache / name).symlink_to(installed / name)
    return env


@pytest.mark.real_model
@pytest.mark.timeout(1800)
def test_solve_code_action_with_the_real_embedded_model(tmp_path: Path):
    path = copy_example(tmp_path, "text_tools.py")
    original = path.read_text()
    result = run_nvim(tmp_path, {
        "scenario": "solve",
        "file": str(path),
        "target": "def is_palindrome",
        "python": VENV_PYTHON,
        "settings": {"samples": 2, "rounds": 1, "localModel": TEST_MODEL},  # no baseUrl: embedded
        "timeout_ms": 1_500_000,
    }, real_model_env(tmp_path), timeout=1700)
    why = explain(result)
    assert result["ok"], why
    assert "Solve with S*" in result["titles"], why
    messages = [p["message"] or "" for p in result["progress"]]
    assert any("embedded" in m or "qwen" in m for m in messages), why
    text = "\n".join(result["lines"]) + "\n"
    assert text != original, why
    checked = run_doctests(tmp_path, text, "is_palindrome")
    assert checked.returncode == 0, checked.stdout + "\n" + text + "\n" + why
    assert result["stopped"] and not result["survivors"], why


def test_edit_during_solve_keeps_the_result_for_apply_last_and_regenerate(tmp_path: Path, scripted_llm):
    answered = []

    def slow_first(body: dict):
        # The first answer takes a while: the window in which the driver edits the function (it
        # edits as soon as the "sampling" progress arrives; it does not wait for this delay).
        answered.append(body)
        reply = llm_router(MERGE)(body)
        return Reply(text=reply, delay=4.0) if len(answered) == 1 else reply

    scripted_llm.handler = slow_first
    path = copy_example(tmp_path, "intervals.py")
    result = run_nvim(tmp_path, {
        "scenario": "edit_during_solve",
        "file": str(path),
        "target": "def merge_intervals",
        "python": VENV_PYTHON,
        "settings": scripted_settings(scripted_llm, samples=1, rounds=0),
    }, base_env(tmp_path))
    why = explain(result)
    assert result["ok"], why
    assert "not written" in result["end_edited"]["message"], why
    assert "    # my own note" in result["lines_edited"], why
    assert "merged" not in "\n".join(result["lines_edited"]), why
    # the server's messages reach vim.notify (lsp/sstar.lua), not the "LSP[sstar][Warning]" echo
    assert any(n["message"].startswith("S*: merge_intervals changed while it was being solved") for n in result["notes"]), why
    assert not any("LSP[sstar]" in m for m in result["messages"]), why
    text = "\n".join(result["lines"]) + "\n"
    assert "# my own note" not in text, why
    checked = run_doctests(tmp_path, text, "merge_intervals")
    assert checked.returncode == 0, checked.stdout + "\n" + text
    assert "written" in result["end_regenerated"]["message"], why
    assert len(answered) >= 2, "regenerate asked the model for no new sample"
    assert result["stopped"] and not result["survivors"], why


def test_lua_helpers_statusline_candidates_and_commands(tmp_path: Path):
    out = tmp_path / "helpers.json"
    argv = [nvim_binary(), "--headless", "--clean", "-u", "NONE", "-l",
            str(Path(__file__).with_name("helpers.lua")), str(CLIENT), str(out)]
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          env=base_env(tmp_path), timeout=60)
    assert proc.returncode == 0 and out.exists(), proc.stdout + proc.stderr
    seen = json.loads(out.read_text())
    assert seen["idle"] == ""
    assert seen["fired"] == 1
    assert seen["by_stage"] == "S* Box.b: starting (+1)"
    assert seen["by_progress"] == "S* Box.b: sampling 3/8 (+1)"
    assert seen["backend"] == "embedded qwen2.5-coder-0.5b"
    text = "\n".join(seen["lines"])
    assert "# S* candidates for f" in text
    assert "## * ab12  3/3 pass  group 0  return x + 1" in text
    assert "##   cd34  2/3 pass  group 1  return 1 + x" in text
    assert text.count("```python") == 2
    for name in ("SStarSolve", "SStarCancel", "SStarRegenerate", "SStarCandidates", "SStarApplyLast"):
        assert name in seen["commands"]


def copy_to(tmp_path: Path, example: str, relative: str, text: str | None = None) -> Path:
    target = tmp_path / "project" / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text if text is not None else (EXAMPLES / example).read_text())
    return target


def test_a_path_with_a_space_and_an_accent_and_the_user_command(tmp_path: Path, scripted_llm):
    scripted_llm.handler = llm_router(MERGE)
    path = copy_to(tmp_path, "intervals.py", "my proj/café intervals.py")
    result = run_nvim(tmp_path, {
        "scenario": "solve_command",
        "file": str(path),
        "target": "def merge_intervals",
        "python": VENV_PYTHON,
        "settings": scripted_settings(scripted_llm),
    }, base_env(tmp_path))
    why = explain(result)
    assert result["ok"], why
    assert not any("not open" in n["message"] for n in result["notes"]), why
    assert result["end"]["message"].endswith("; written"), why
    text = "\n".join(result["lines"]) + "\n"
    assert run_doctests(tmp_path, text, "merge_intervals").returncode == 0, text
    assert result["stopped"] and not result["survivors"], why


def test_fixing_an_example_and_solving_again_from_the_light_bulb(tmp_path: Path, scripted_llm):
    scripted_llm.handler = llm_router(MERGE)
    mistaken = (EXAMPLES / "intervals.py").read_text().replace("    [(1, 5)]\n", "    [(1, 4), (4, 5)]\n")
    path = copy_to(tmp_path, "intervals.py", "intervals.py", mistaken)
    result = run_nvim(tmp_path, {
        "scenario": "fix_example",
        "file": str(path),
        "target": "def merge_intervals",
        "python": VENV_PYTHON,
        "settings": scripted_settings(scripted_llm),
        "fix": ["    [(1, 4), (4, 5)]", "    [(1, 5)]"],
    }, base_env(tmp_path))
    why = explain(result)
    assert result["ok"], why
    assert "passes 2/3 examples" in result["end_first"]["message"], why  # the best effort
    assert "Solve with S* (4 samples)" in result["titles_fixed"], why
    assert result["end"]["message"].startswith("passes 3/3 examples"), why
    text = "\n".join(result["lines"]) + "\n"
    assert "    [(1, 5)]" in text and "merged" in text, why
    assert run_doctests(tmp_path, text, "merge_intervals").returncode == 0, text
    assert not any("not a stub" in n["message"] for n in result["notes"]), why
    assert result["stopped"] and not result["survivors"], why


def test_the_early_preview_is_accepted_before_the_final_answer(tmp_path: Path, scripted_llm):
    def answer(body: dict):
        if kind_of(body) == "inputs":  # selection waits (until the request times out)
            return Reply(hang=True)
        return llm_router(lambda b: MERGE if not b.get("seed") else MERGE_TOO)(body)

    scripted_llm.handler = answer
    path = copy_example(tmp_path, "intervals.py")
    settings = scripted_settings(scripted_llm, timeoutSeconds=10, maxRetries=0)
    result = run_nvim(tmp_path, {
        "scenario": "preview",
        "file": str(path),
        "target": "def merge_intervals",
        "python": VENV_PYTHON,
        "settings": settings,
    }, base_env(tmp_path))
    why = explain(result)
    assert result["ok"], why
    preview = result["preview"]
    assert preview["qualname"] == "merge_intervals" and (preview["passed"], preview["total"]) == (3, 3), why
    assert any(":SStarAcceptPreview" in n["message"] for n in result["notes"]), why
    assert not result["ended_at_preview"], "the preview came after the end\n" + why
    shown = "\n".join(result["lines_preview"]) + "\n"
    assert run_doctests(tmp_path, shown, "merge_intervals").returncode == 0, shown
    assert "written" in result["end"]["message"], why
    final = "\n".join(result["lines"]) + "\n"
    assert run_doctests(tmp_path, final, "merge_intervals").returncode == 0, final
    assert final.count("def merge_intervals") == 1
    assert result["stopped"] and not result["survivors"], why


def test_typing_while_the_solve_ends_gets_a_rebuilt_edit(tmp_path: Path, scripted_llm):
    scripted_llm.handler = llm_router(MERGE)
    path = copy_example(tmp_path, "intervals.py")
    result = run_nvim(tmp_path, {
        "scenario": "race",
        "file": str(path),
        "target": "def merge_intervals",
        "python": VENV_PYTHON,
        "settings": scripted_settings(scripted_llm),
    }, base_env(tmp_path))
    why = explain(result)
    assert result["ok"], why
    assert result["tick_moved_by_write"], why
    edits = result["edits"]
    assert [e["applied"] for e in edits] == [False, True], why  # stale, refused; rebuilt, applied
    assert edits[1]["version"] > edits[0]["version"], why
    lines = result["lines"]
    assert lines[0] == "# typed while the solve ended", why
    text = "\n".join(lines[1:]) + "\n"
    assert run_doctests(tmp_path, text, "merge_intervals").returncode == 0, text
    assert result["end"]["message"].endswith("; written"), why
    assert result["stopped"] and not result["survivors"], why


def test_a_saved_file_still_gets_its_versioned_edit(tmp_path: Path, scripted_llm):
    """`:write` moves b:changedtick without changing the text: the edit is not stale for that."""
    scripted_llm.handler = llm_router(MERGE)
    path = copy_example(tmp_path, "intervals.py")
    result = run_nvim(tmp_path, {
        "scenario": "saved",
        "file": str(path),
        "target": "def merge_intervals",
        "python": VENV_PYTHON,
        "settings": scripted_settings(scripted_llm),
    }, base_env(tmp_path))
    why = explain(result)
    assert result["ok"] and result["tick_moved_by_write"], why
    assert result["end"]["message"].endswith("; written"), why
    text = "\n".join(result["lines"]) + "\n"
    assert run_doctests(tmp_path, text, "merge_intervals").returncode == 0, text
    assert result["modified"], why  # in the buffer, not yet saved
    assert not any("newer than edits" in m for m in result["messages"]), why
    assert result["stopped"] and not result["survivors"], why
