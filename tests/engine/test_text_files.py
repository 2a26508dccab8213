"""`sstar solve` on files like users' own: a syntax error elsewhere, a BOM, form feeds and CRLF
(issue 11's measurements and issue 12 item 2), through the real CLI, scripted model and sandbox."""

from __future__ import annotations

import json

import pytest

from sstar.cli import main
from tests.support.scripted_llm import ScriptedLLM, fenced

from .conftest import ModelScript

SQUARE = "def square(n):\n    return n * n\n"
STUB = 'def square(n):\n    """Square n.\n\n    >>> square(3)\n    9\n    """\n    ...\n'


@pytest.fixture
def server():
    script = ModelScript(samples=fenced(SQUARE), debug=fenced(SQUARE), inputs=fenced("square(-2)\nsquare(0)"))
    llm = ScriptedLLM(script).start_in_thread()
    llm.script = script
    yield llm
    llm.stop_in_thread()


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SSTAR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-cli-key-0000")
    (tmp_path / "proj").mkdir()
    return tmp_path / "proj"


def solve(server, path, *extra):
    return main(["solve", f"{path}::square", "--base-url", server.base_url, "--model", "m",
                 "--samples", "2", "--rounds", "1", *extra])


def test_a_syntax_error_elsewhere_does_not_fail_a_correct_candidate(server, folder, capsys):
    path = folder / "typing.py"
    path.write_bytes(("def broken(:\n    pass\n\n" + STUB).encode())
    assert solve(server, path, "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["passed_public"] is True
    assert server.script.count("debug") == 0  # no repair call wasted on a working candidate
    warnings = [w for w in result["warnings"] if "syntax errors outside" in w]
    assert len(warnings) == 1  # said once


def test_form_feeds_crlf_and_a_bom_survive_write(server, folder, capsys):
    text = "\ufeffimport math\r\n\x0c\r\nNOTE = 'a\u2028b'\r\n\r\n" + STUB.replace("\n", "\r\n") + "\x0c\r\nX = 1\r\n"
    path = folder / "crlf.py"
    path.write_bytes(text.encode("utf-8"))
    assert solve(server, path, "--write") == 0
    written = path.read_bytes().decode("utf-8")
    assert written == text.replace("    ...\r\n", "    return n * n\r\n")
    assert "wrote square" in capsys.readouterr().err


def test_write_refuses_when_the_file_changed_meanwhile(server, folder, capsys, monkeypatch):
    path = folder / "mod.py"
    path.write_text(STUB)
    from sstar import cli

    real = cli._read
    calls = []

    def read_then_edited(p):
        calls.append(p)
        return real(p) if len(calls) == 1 else real(p) + "# edited\n"

    monkeypatch.setattr(cli, "_read", read_then_edited)
    assert solve(server, path, "--write") == 3
    assert "changed while solving" in capsys.readouterr().err
    assert path.read_text() == STUB
