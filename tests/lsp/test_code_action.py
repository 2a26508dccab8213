"""`textDocument/codeAction`: "Solve with S*" on stubs only, from the open buffer's text."""

from __future__ import annotations

from lsprotocol import types

from .conftest import ADD_ONE, line_of, open_file
from .test_solve import code_actions

MANY = '''import abc


def broken(:
    return 1


class Box:
    """A box."""

    def area(self) -> float:
        """The area."""
        raise NotImplementedError

    @abc.abstractmethod
    def volume(self) -> float:
        ...

    async def fetch(self):
        pass

    def done(self):
        return 1


def lonely():
    """Just a docstring."""
'''


def titles(actions: list[types.CodeAction]) -> list[tuple[str, str]]:
    return [(a.title, a.command.arguments[0]["qualname"]) for a in actions]


async def test_offered_on_the_stub_only(client, workspace):
    uri = open_file(client, workspace)
    [action] = await code_actions(client, uri, line_of(ADD_ONE, "    ..."))
    assert action.title == "Solve with S*" and action.kind == types.CodeActionKind.RefactorRewrite
    assert action.command.command == "sstar.solve"
    assert list(action.command.arguments) == [{"uri": uri, "version": 1, "qualname": "add_one"}]
    for needle in ('"""A module', "import math", "return 2 * x", "def tail", "return math.pi"):
        assert await code_actions(client, uri, line_of(ADD_ONE, needle)) == [], needle
    # the whole file selected: the one stub
    assert titles(await code_actions(client, uri, 0, len(ADD_ONE.splitlines()))) == [
        ("Solve with S*", "add_one")
    ]


async def test_syntax_errors_elsewhere_methods_and_unsaved_text(client, workspace):
    uri = (workspace / "never_saved.py").as_uri()  # not on disk: only the buffer exists
    client.open(uri, MANY)
    assert titles(await code_actions(client, uri, line_of(MANY, "raise NotImplementedError"))) == [
        ("Solve with S*", "Box.area")
    ]
    assert titles(await code_actions(client, uri, line_of(MANY, "async def fetch"))) == [
        ("Solve with S*", "Box.fetch")
    ]
    assert await code_actions(client, uri, line_of(MANY, "def volume")) == []  # abstract: intended
    assert await code_actions(client, uri, line_of(MANY, "return 1")) == []
    assert await code_actions(client, uri, line_of(MANY, "def broken")) == []
    whole = await code_actions(client, uri, 0, len(MANY.splitlines()))
    assert sorted(q for _, q in titles(whole)) == ["Box.area", "Box.fetch", "lonely"]

    # typing breaks another function: the stubs elsewhere are still offered, from the new text
    line = line_of(MANY, "return 1")
    client.change(uri, types.TextEdit(types.Range(types.Position(line, 0), types.Position(line, 0)), "  if (\n"))
    assert titles(await code_actions(client, uri, line_of(client.texts[uri], "def lonely"))) == [
        ("Solve with S*", "lonely")
    ]
    [action] = await code_actions(client, uri, line_of(client.texts[uri], "raise NotImplementedError"))
    assert action.command.arguments[0]["version"] == 2


async def test_only_filter_and_other_languages(client, workspace):
    uri = open_file(client, workspace)
    line = line_of(ADD_ONE, "    ...")
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(types.Position(line, 0), types.Position(line, 0)),
        context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.QuickFix]),
    )
    assert not await client.text_document_code_action_async(params)
    params.context.only = [types.CodeActionKind.Refactor]
    assert len(await client.text_document_code_action_async(params)) == 1

    text_uri = (workspace / "notes.txt").as_uri()
    item = types.TextDocumentItem(uri=text_uri, language_id="plaintext", version=1, text=ADD_ONE)
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))
    assert await code_actions(client, text_uri, line) == []
