"""The CLI's `--write` and the language server write through one path: the same files give the
same bytes, in the file's own line endings and indentation (issue 11)."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest
from lsprotocol import types

from tests.support.scripted_llm import fenced

from .conftest import ROOT, token_of

ANSWER = "def square(n):\n    if n < 0:\n        n = -n\n    return n * n\n"
METHOD = "def square(self, n):\n    if n < 0:\n        n = -n\n    return n * n\n"
DOC = '"""Square n.\n\n>>> {call}(3)\n9\n"""'


def _doc(indent: str, call: str, newline: str) -> list[str]:
    return [indent + line if line else "" for line in DOC.format(call=call).split("\n")]


def form_feed_crlf() -> tuple[str, str]:
    lines = ["import math", "\x0c", 'NOTE = "a\u2028b"  # U+2028 in a string', "", "def square(n):"]
    lines += _doc("    ", "square", "\r\n") + ["    raise NotImplementedError", "", "\x0c", "X = 1", ""]
    return "\r\n".join(lines), "square"


def tab_method() -> tuple[str, str]:
    lines = ["class Box:", "\tdef square(self, n):"] + _doc("\t\t", "Box().square", "\n") + ["\t\t...", "", "\tdef other(self):", "\t\treturn 1", ""]
    return "\n".join(lines), "Box.square"


def cr_inline_two_spaces() -> tuple[str, str]:
    lines = ["class Box:", "  def square(self, n): ...  # to do", "", "  def other(self):", "    return 1", ""]
    return "\r".join(lines), "Box.square"


def mixed_non_ascii_decorated() -> tuple[str, str]:
    lines = ["import functools", "", "PRÉFIXE = 'café'", "", "@functools.cache", "def square(n):"]
    lines += _doc("    ", "square", "\n") + ["    ...", "", "# fin: déjà vu", ""]
    text = ""
    for number, line in enumerate(lines):
        text += line + ("" if number == len(lines) - 1 else ("\r\n" if number % 3 else "\n"))
    return text, "square"


FILES = {f.__name__: f for f in (form_feed_crlf, tab_method, cr_inline_two_spaces, mixed_non_ascii_decorated)}


async def cli_write(model, tmp_path, text: str, qualname: str) -> bytes:
    folder = tmp_path / "cli project"
    folder.mkdir(exist_ok=True)
    path = folder / "mod é.py"
    path.write_bytes(text.encode("utf-8"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSTAR_")}
    env.update(PYTHONPATH=str(ROOT), SSTAR_CACHE_DIR=str(tmp_path / "cli-cache"), OPENAI_API_KEY="sk-x")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sstar.cli", "solve", f"{path}::{qualname}", "--write",
        "--base-url", model.base_url, "--model", "scripted", "--samples", "2", "--rounds", "1",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()
    return path.read_bytes()


@pytest.mark.parametrize("name", sorted(FILES))
async def test_cli_and_server_write_the_same_bytes(client, model, workspace, tmp_path, name):
    text, qualname = FILES[name]()
    model.script.sample = fenced(METHOD if "." in qualname else ANSWER)
    path = workspace / "mod.py"
    path.write_bytes(text.encode("utf-8"))
    uri = path.as_uri()
    client.open(uri, text)
    params = types.ExecuteCommandParams(command="sstar.solve", arguments=[{"uri": uri, "qualname": qualname}])
    job = (await client.workspace_execute_command_async(params))["jobId"]
    await client.wait_for(lambda: token_of(job) in client.ended_tokens(), what="progress end")
    assert client.applied, client.shown()
    from_server = client.texts[uri].encode("utf-8")
    from_cli = await cli_write(model, tmp_path, text, qualname)
    assert from_server == from_cli
    written = from_cli.decode("utf-8")
    # only the stub's statement changed; the rest of the file is byte for byte the same
    stub = "raise NotImplementedError" if name == "form_feed_crlf" else "..."
    head, _, tail = text.partition(stub if name != "cr_inline_two_spaces" else " ...")
    assert written.startswith(head) and written.endswith(tail)
    if name == "form_feed_crlf":
        assert "\r\n    if n < 0:\r\n        n = -n\r\n    return n * n\r\n" in written
        assert written.count("\n") == written.count("\r\n")
    elif name == "tab_method":
        assert "\t\tif n < 0:\n\t\t\tn = -n\n\t\treturn n * n\n" in written
    elif name == "cr_inline_two_spaces":
        assert "  def square(self, n):\r    if n < 0:\r      n = -n\r    return n * n  # to do\r" in written
    else:  # mixed endings, CRLF the most common: the body takes CRLF
        assert "    if n < 0:\r\n        n = -n\r\n    return n * n" in written
    assert client.diagnostics_for(uri) == []  # the example passes
