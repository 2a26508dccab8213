"""A pytest-lsp client that behaves like an editor: it keeps the open documents' text and version,
applies the server's `workspace/applyEdit` as VS Code / Neovim do (checking `documentChanges`
versions, then sending `didChange` before answering), and records notifications. Tests wait on
what arrives with `wait_for(predicate)` (no sleeps)."""

from __future__ import annotations

import asyncio
import re
from typing import Union
from collections.abc import Callable

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

__all__ = ["Editor", "make_editor", "profile_capabilities"]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class Editor(LanguageClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.texts: dict[str, str] = {}
        self.versions: dict[str, int] = {}
        self.applied: list[types.ApplyWorkspaceEditParams] = []
        self.refused: list[types.ApplyWorkspaceEditParams] = []
        self.statuses: list[dict] = []
        self.previews: list[dict] = []
        self.encoding = types.PositionEncodingKind.Utf16
        self.before_apply: Callable[[types.ApplyWorkspaceEditParams], object] | None = None
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future]] = []

    # -- waiting -------------------------------------------------------------------------------
    def notify(self) -> None:
        for predicate, future in list(self._waiters):
            if not future.done() and predicate():
                future.set_result(None)

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
        if predicate():
            return
        future = asyncio.get_running_loop().create_future()
        entry = (predicate, future)
        self._waiters.append(entry)
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what or predicate}; log:\n{self.log_text()}") from None
        finally:
            self._waiters.remove(entry)

    # -- documents -----------------------------------------------------------------------------
    def open(self, uri: str, text: str) -> None:
        self.texts[uri], self.versions[uri] = text, 1
        item = types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        self.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))

    def change(self, uri: str, edit: types.TextEdit) -> None:
        """Type into the document: apply `edit` here and tell the server (incremental change)."""
        self.texts[uri] = apply_edits(self.texts[uri], [edit], self.encoding)
        self.versions[uri] += 1
        change = types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text)
        params = types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            content_changes=[change],
        )
        self.text_document_did_change(params)

    async def synced(self, uri: str) -> None:
        """Return once the server has handled every notification sent before (a request's answer
        comes after them): a test that types and then releases the model must not race its own
        didChange."""
        end = types.Position(0, 0)
        await self.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=types.Range(end, end),
                context=types.CodeActionContext(diagnostics=[]),
            )
        )

    def apply(self, params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        if self.before_apply is not None:
            self.before_apply(params)
        edit = params.edit
        if edit.document_changes:
            per_uri = []
            for change in edit.document_changes:
                assert isinstance(change, types.TextDocumentEdit), change
                uri = change.text_document.uri
                if change.text_document.version is not None and change.text_document.version != self.versions.get(uri):
                    self.refused.append(params)
                    self.notify()
                    return types.ApplyWorkspaceEditResult(applied=False, failure_reason="document version changed")
                per_uri.append((uri, change.edits))
        else:
            per_uri = list((edit.changes or {}).items())
        for uri, edits in per_uri:
            self.change_many(uri, list(edits))
        self.applied.append(params)
        self.notify()
        return types.ApplyWorkspaceEditResult(applied=True)

    def change_many(self, uri: str, edits: list[types.TextEdit]) -> None:
        for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
            self.change(uri, edit)

    # -- reading what arrived ----------------------------------------------------------------
    def progress(self, token: object = None) -> list[object]:
        if token is None:
            return [value for values in self.progress_reports.values() for value in values]
        return list(self.progress_reports.get(token, []))

    def ended_tokens(self) -> list[object]:
        return [
            token for token, values in self.progress_reports.items()
            if values and isinstance(values[-1], types.WorkDoneProgressEnd)
        ]

    def shown(self, text: str = "") -> list[str]:
        return [m.message for m in self.messages if text in m.message]

    def logged(self, text: str = "") -> list[str]:
        return [m.message for m in self.log_messages if text in m.message]

    def log_text(self) -> str:
        return "\n".join(m.message for m in self.log_messages[-40:])

    def diagnostics_for(self, uri: str) -> list[types.Diagnostic]:
        return list(self.diagnostics.get(uri, []))


def make_editor() -> Editor:
    client = Editor(converter_factory=_converter)

    def recorded(handler):
        def wrapper(ls: Editor, params):
            result = handler(ls, params)
            ls.notify()
            return result

        return wrapper

    # pytest-lsp's default handlers, made to wake `wait_for`
    register_lsp_features(client, {m: recorded(f) for m, f in DEFAULT_CLIENT_FEATURES.items()})

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(ls: Editor, params: types.ApplyWorkspaceEditParams):
        return ls.apply(params)

    @client.feature("sstar/status")
    def status(ls: Editor, params):
        ls.statuses.append(_plain(params))
        ls.notify()

    @client.feature("sstar/preview")
    def preview(ls: Editor, params):
        ls.previews.append(_plain(params))
        ls.notify()

    return client


def _converter():
    """lsprotocol reads every code action that carries a `command` as a bare `Command`; a real
    editor looks at the type of `command` (an object: a CodeAction)."""
    converter = default_converter()

    def hook(value, _):
        if isinstance(value.get("command"), str):
            return converter.structure(value, types.Command)
        return converter.structure(value, types.CodeAction)

    # typing.Union, not `|`: the key lsprotocol registered its own hook under
    converter.register_structure_hook(Union[types.Command, types.CodeAction], hook)  # noqa: UP007
    return converter


def profile_capabilities(profile: str) -> types.ClientCapabilities:
    from pytest_lsp import client_capabilities

    return client_capabilities(profile)


def apply_edits(text: str, edits: list[types.TextEdit], encoding: str) -> str:
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start = offset(text, edit.range.start, encoding)
        end = offset(text, edit.range.end, encoding)
        text = text[:start] + edit.new_text + text[end:]
    return text


def offset(text: str, position: types.Position, encoding: str) -> int:
    """The string index of an LSP position in `text`."""
    starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
    if position.line >= len(starts):
        return len(text)
    start = starts[position.line]
    end = starts[position.line + 1] if position.line + 1 < len(starts) else len(text)
    line = _LINE_BREAK.sub("", text[start:end])
    units = 0
    for index, char in enumerate(line):
        if units >= position.character:
            return start + index
        if encoding == types.PositionEncodingKind.Utf8:
            units += len(char.encode("utf-8"))
        elif encoding == types.PositionEncodingKind.Utf16:
            units += len(char.encode("utf-16-le")) // 2
        else:
            units += 1
    return start + len(line)


def _plain(params: object) -> object:
    """pygls gives unknown notifications' params as attribute objects; tests want dicts/lists."""
    if isinstance(params, dict):
        return {k: _plain(v) for k, v in params.items()}
    if isinstance(params, (list, tuple)) and not hasattr(params, "_fields"):
        return [_plain(v) for v in params]
    if hasattr(params, "_asdict"):
        return {k: _plain(v) for k, v in params._asdict().items()}
    if hasattr(params, "__dict__") and not isinstance(params, (str, int, float)):
        return {k: _plain(v) for k, v in vars(params).items()}
    return params
