"""The server's copy of each open document, split into lines the way the client splits them, and
found by its normalised URI.

pygls 2.1's `TextDocument.lines` is `source.splitlines(True)`, which also breaks lines at form
feeds, `\\x1c`-`\\x1e`, `\\x85`, U+2028 and U+2029. Incremental `didChange` ranges are applied
through those lines, so in a file with a form feed (common between sections) every edit below it
landed on the wrong line of the server's copy. Documents here use the engine's text model
(`sstar.source`): `\\n`, `\\r\\n` and `\\r` only, as LSP specifies.

pygls keys `workspace.text_documents` by the *unquoted* URI (`file:///my%20proj/a.py` and
`file:///my proj/a.py` are one document), while clients send whatever spelling they use
(`%20`, `%C3%A9`, `vscode-notebook-cell:...#W0sZ%3D%3D`, `untitled:Untitled-1`). Everything the
server keeps per document is keyed by `uri_key`, and documents are looked up with `lookup`, never
by the raw string; what goes back to the client uses the document's own `uri` (its spelling at
`didOpen`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import unquote

from pygls.workspace import TextDocument, Workspace

from sstar.source import Source

# What str.splitlines breaks at besides "\r" and "\n" (LSP and Python do not).
_ODD_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")

__all__ = ["LspTextDocument", "use_lsp_lines", "uri_key", "lookup"]


def uri_key(uri: str) -> str:
    """The normalised form of a document URI: the key pygls files the document under."""
    return unquote(uri)


def lookup(workspace: Workspace, uri: str) -> TextDocument | None:
    """The open document `uri` names, in whatever spelling; None when it is not open (unlike
    `Workspace.get_text_document`, which then makes one up from the disk)."""
    return workspace.text_documents.get(uri_key(uri))


class LspTextDocument(TextDocument):
    @property
    def lines(self) -> Sequence[str]:
        text = self.source
        if _ODD_BREAKS.search(text) is None:  # then splitlines agrees with LSP, and is fastest
            return tuple(text.splitlines(True))
        source = Source(text)
        prefix = "\ufeff" if source.bom else ""
        lines = tuple(line + ending for line, ending in zip(source.lines, source.endings, strict=True))
        if prefix:
            lines = (prefix + lines[0], *lines[1:])
        return lines if lines[-1] else lines[:-1]


class _LspWorkspace(Workspace):
    def _create_text_document(
        self,
        doc_uri: str,
        source: str | None = None,
        version: int | None = None,
        language_id: str | None = None,
    ) -> TextDocument:
        return LspTextDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=self._sync_kind,
            position_codec=self.position_codec,
        )


def use_lsp_lines(workspace: Workspace) -> None:
    """Make `workspace` (pygls creates it during `initialize`) create `LspTextDocument`s."""
    if type(workspace) is Workspace:
        workspace.__class__ = _LspWorkspace
