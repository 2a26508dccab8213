"""Whether a function still holds the body S* wrote into it, cheaply enough for a code action:
only the function's own lines are parsed (the command that acts on the answer checks the whole
file again, precisely, with `sstar.reopen`)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from sstar.reopen import function_body

from .index import FunctionSpan
from .store import Written

__all__ = ["body_is_written"]


def body_is_written(lines: Sequence[str], span: FunctionSpan, written: Written) -> bool:
    """`lines` are the document's (with or without their endings); `span` is the function's."""
    text = "\n".join(line.rstrip("\r\n") for line in lines[span.first_line : span.last_line + 1])
    if text == written.function:
        return True
    snippet = textwrap.dedent(text)
    name = span.qualname.rsplit(".", 1)[-1]
    found = function_body(snippet, name)
    return found is not None and _stripped(found.body) == _stripped(written.body)


def _stripped(body: str) -> list[str]:
    return [line.strip() for line in body.split("\n")]
