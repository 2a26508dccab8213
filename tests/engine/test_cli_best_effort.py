"""`sstar solve --write` writes no body that passes none of the examples unless
`--write-best-effort` asks for it (the rule the language server follows too:
`sstar.write_policy`)."""

from __future__ import annotations

import json

from sstar.cli import main
from tests.support.scripted_llm import fenced

from .test_cli import args, project, server  # noqa: F401  (fixtures)

NOTHING = "def add_one(xs):\n    return None\n"


def test_write_refuses_a_body_that_passes_nothing(server, project, capsys):  # noqa: F811
    server.script.samples = server.script.debug = fenced(NOTHING)
    before = project.read_text()
    assert main(args(server, project, "--write", "--json")) == 1
    out, err = capsys.readouterr()
    assert "passes none of the examples; add --write-best-effort" in err
    assert project.read_text() == before
    assert json.loads(out)["body"].strip() == "return None"  # still reported

    assert main(args(server, project, "--write", "--write-best-effort")) == 1
    assert "wrote add_one" in capsys.readouterr().err
    assert project.read_text() == before.replace("    ...\n", "    return None\n", 1)
