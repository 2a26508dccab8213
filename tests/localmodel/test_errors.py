"""Missing weights or runtime give errors that name the one command that fixes them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sstar.errors import LocalModelError, SStarError
from sstar.localmodel import (
    MODELS,
    SETUP_COMMAND,
    LocalModelServer,
    RuntimeMissingError,
    UnknownModelError,
    WeightsMissingError,
    default_cache_dir,
    ensure_runtime,
    ensure_weights,
    get_spec,
    server_binary_path,
    server_env,
)


def test_missing_weights_name_the_install_command(tmp_path):
    with pytest.raises(WeightsMissingError) as info:
        ensure_weights("qwen2.5-coder-1.5b", None, tmp_path)  # the default: no flag needed
    assert f"Run `{SETUP_COMMAND}` (" in str(info.value)
    assert isinstance(info.value, LocalModelError) and isinstance(info.value, SStarError)


def test_missing_optional_model_names_its_flag(tmp_path):
    with pytest.raises(WeightsMissingError, match="--model qwen2.5-coder-0.5b"):
        ensure_weights("qwen2.5-coder-0.5b", None, tmp_path)


def test_missing_model_path_names_the_setting(tmp_path):
    with pytest.raises(WeightsMissingError, match="modelPath"):
        ensure_weights("qwen2.5-coder-0.5b", tmp_path / "nope.gguf", tmp_path)


def test_missing_runtime_names_the_install_command(tmp_path):
    with pytest.raises(RuntimeMissingError) as info:
        ensure_runtime(tmp_path)
    assert f"Run `{SETUP_COMMAND}`" in str(info.value)


def test_shared_server_fails_fast_before_starting_anything(tmp_path):
    with pytest.raises(LocalModelError, match=SETUP_COMMAND):
        LocalModelServer.shared("qwen2.5-coder-0.5b", cache_dir=tmp_path)


def test_unknown_model_lists_the_known_ones():
    with pytest.raises(UnknownModelError) as info:
        get_spec("gpt-17")
    for name in MODELS:
        assert name in str(info.value)


def test_cli_status_reports_the_fix_and_fails(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "sstar.localmodel", "--cache-dir", str(tmp_path), "status"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert SETUP_COMMAND in proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SSTAR_CACHE_DIR": "/a", "XDG_CACHE_HOME": "/b"}, "/a"),
        ({"XDG_CACHE_HOME": "/b"}, "/b/sstar"),
    ],
)
def test_cache_dir_precedence(env, expected):
    assert str(default_cache_dir(env)) == expected


def test_cache_dir_falls_back_to_home():
    assert default_cache_dir({}).parts[-2:] == (".cache", "sstar")


def test_a_scratch_cache_dir_still_finds_the_home_runtime(tmp_path, monkeypatch):
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.setenv("SSTAR_CACHE_DIR", str(tmp_path / "scratch"))
    binary = server_binary_path(home / "sstar")
    binary.parent.mkdir(parents=True)
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    with pytest.raises(RuntimeMissingError):  # not built yet: no stamp
        ensure_runtime()
    (binary.parent.parent / "build.json").write_text("{}")
    assert ensure_runtime() == binary
    with pytest.raises(RuntimeMissingError, match=str(tmp_path / "scratch")):
        ensure_runtime(tmp_path / "scratch")


async def test_engine_without_installed_model_names_the_fix(tmp_path, monkeypatch):
    """Zero configuration and nothing installed: the solve fails at once, saying what to run."""
    from sstar.cache import Cache
    from sstar.config import Config
    from sstar.engine import Engine
    from sstar.problem import extract_problem

    monkeypatch.setenv("SSTAR_CACHE_DIR", str(tmp_path / "scratch"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    problem = extract_problem('def f(x: int) -> int:\n    """>>> f(1)\n    2\n    """\n')
    async with Engine(Config(), cache=Cache(None)) as engine:
        with pytest.raises(LocalModelError, match=f"Run `{SETUP_COMMAND}`"):
            await engine.solve(problem)


def test_server_env_waits_passively_and_ignores_llama_arg_variables():
    env = server_env({"PATH": "/bin", "LLAMA_ARG_HOST": "0.0.0.0", "LLAMA_ARG_PORT": "80"})
    assert env == {"PATH": "/bin", "OMP_WAIT_POLICY": "PASSIVE"}
    assert server_env({"OMP_WAIT_POLICY": "ACTIVE"})["OMP_WAIT_POLICY"] == "ACTIVE"  # user wins
