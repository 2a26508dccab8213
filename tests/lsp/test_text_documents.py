"""The server's text as the editor's: form feeds and separators do not shift its lines, stubs
are offered where people put them, never in `.pyi` files (issues 11 and 12)."""

from __future__ import annotations

from lsprotocol import types

from sstar.source import split_lines
from tests.support.scripted_llm import fenced

from .conftest import line_of, open_file, token_of
from .test_solve import code_actions

FORM_FEEDS = (
    'SEPARATOR = "a\u2028b\u2029c\x85d"  # characters str.splitlines breaks at\n'
    "\x0c\n"
    "def square(n):\n"
    '    """Square n.\n'
    "\n"
    "    >>> square(3)\n"
    "    9\n"
    '    """\n'
    "    ...\n"
    "\x0c\n"
    "# end\n"
)
NESTED = '''import sys

if sys.version_info >= (3, 8):
    def conditional(x):
        ...

try:
    from fast import speedy
except ImportError:
    def speedy(x):
        pass


def outer():
    def inner(y):
        raise NotImplementedError
    return inner


class Outer:
    class Inner:
        def deep(self): ...
'''


async def test_edits_below_form_feeds_keep_the_servers_copy_in_step(client, model, workspace):
    model.script.sample = fenced("def square(n):\n    return n * n\n")
    uri = open_file(client, workspace, text=FORM_FEEDS)
    # type below the form feed and the separators: pygls' own splitlines would put this elsewhere
    end = next(i for i, line in enumerate(split_lines(FORM_FEEDS)) if line == "# end")  # not splitlines()
    client.change(uri, types.TextEdit(types.Range(types.Position(end, 5), types.Position(end, 5)), " of file"))
    job = (await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="sstar.solve", arguments=[{"uri": uri, "qualname": "square"}])
    ))["jobId"]
    await client.wait_for(lambda: token_of(job) in client.ended_tokens(), what="progress end")
    expected = FORM_FEEDS.replace("    ...\n", "    return n * n\n").replace("# end", "# end of file")
    assert client.texts[uri] == expected
    assert client.diagnostics_for(uri) == []  # the example's line was read right: it passes


async def test_nested_and_conditional_stubs_are_offered(client, workspace):
    uri = open_file(client, workspace, text=NESTED)
    for needle in ("def conditional", "def speedy", "def inner", "def deep"):
        actions = await code_actions(client, uri, line_of(NESTED, needle))
        assert [a.title for a in actions] == ["Solve with S*"], needle
    qualname = (await code_actions(client, uri, line_of(NESTED, "def inner")))[0].command.arguments[0]["qualname"]
    assert qualname == "outer.<locals>.inner"


async def test_nothing_is_offered_in_a_stub_file(client, workspace):
    uri = open_file(client, workspace, name="api.pyi", text="def area(r: float) -> float: ...\n")
    assert await code_actions(client, uri, 0) == []
    answer = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="sstar.solve", arguments=[{"uri": uri, "qualname": "area"}])
    )
    job = answer["jobId"]
    await client.wait_for(lambda: token_of(job) in client.ended_tokens(), what="progress end")
    await client.wait_for(lambda: client.shown(".pyi"), what="a message about the stub file")
    assert client.applied == []
