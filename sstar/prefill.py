"""Prefilled answers: the model is handed the stub's header and writes only the body.

A sampling or repair conversation ends with an assistant message that already starts the answer,
"```python\\n" + the stub's signature and docstring exactly as the prompt shows them (`header`).
A server that continues a trailing assistant message (llama.cpp's llama-server does by default,
vLLM and TGI on request) generates the body alone and stops at the closing fence (`STOP`), so the
model no longer re-types the signature and docstring (about a third of every answer). llama-server
sends the prefix back in the message content, other servers only the new text (`continuation`).

Not every server continues: OpenAI's API treats the prefix as a finished turn and answers afresh
(a fence, prose, or the whole `def` again). `verdict` tells the two apart from one answer;
`sstar.llm.LLMClient.note_prefill` remembers it per client, and a client that restarted
is asked today's plain prompt from then on. `answer_snippet` extracts the function either way:
prefix + continuation first, the answer on its own when that fails (a restarted, complete answer).
"""

from __future__ import annotations

import ast
import re
import textwrap

from .extract_code import Extraction, extract_snippet
from .problem import Problem
from .stubs import StubKind

__all__ = [
    "OPEN",
    "STOP",
    "answer_snippet",
    "continuation",
    "continued",
    "header",
    "prefix",
    "verdict",
]

OPEN = "```python\n"
# The end of the code block: nothing after it is worth generating. Not "\n```" alone: a server
# that ignores the prefix may open a fresh block after a line of prose ("Here it is:\n```python"),
# and that must not be cut before its code.
STOP = ("\n```\n",)
_LEADING = re.compile(r"^[ \t]+", re.MULTILINE)


def header(problem: Problem) -> str | None:
    """The stub's decorators, signature and docstring as `problem.stub_text` shows them (a method
    dedented), ending in a newline; None when the body shares a line with them (`def f(): ...`):
    the model could not continue on a line of its own."""
    stub = problem.stub
    lines = problem.stub_text.split("\n")
    first = stub.span.start.line
    if stub.kind is StubKind.DOCSTRING_ONLY:
        if stub.docstring_line is None or stub.docstring_line == stub.def_line:
            return None
        return problem.stub_text.rstrip() + "\n"
    if stub.body_inline:
        return None
    kept = lines[: stub.body_span.start.line - first]
    if not kept:
        return None
    return "\n".join(kept).rstrip() + "\n"


def prefix(problem: Problem) -> str | None:
    """The assistant message that starts the answer, or None when this stub cannot be prefilled.
    It ends at the header's last character, not after its newline: the model then writes the
    newline and the body's indentation together, as its tokenizer usually does ("\n    ")."""
    head = header(problem)
    return None if head is None else OPEN + head.rstrip("\n")


def continuation(answer: str, start: str) -> str:
    """What the model wrote after `start`. llama-server (in the llama.cpp llama-cpp-python 0.3.36
    vendors) sends the prefilled part again in the message content, other servers only the new
    text: both come out the same here."""
    return answer[len(start) :] if answer.startswith(start) else answer


def continued(answer: str) -> bool:
    """Whether `answer` continues a prefilled header: its first line with text is indented (a body
    line). A server that ignored the prefix starts at column 0: a fence, prose, or `def` again."""
    for line in answer.split("\n"):
        if line.strip():
            return line[0] in " \t"
    return False


def verdict(answer: str, name: str, start: str) -> bool | None:
    """What one answer to a request prefilled with `start` says about the server: True when it
    continued the header, False when it typed the function again from its `def` (it ignored the
    prefix), None when the answer shows neither (prose, an empty block): one odd answer decides
    nothing."""
    answer = continuation(answer, start)
    if continued(answer):
        return True
    restart = re.compile(rf"^[ \t]*(?:async[ \t]+)?def[ \t]+{re.escape(name)}[ \t]*\(", re.MULTILINE)
    return False if restart.search(answer) else None


def answer_snippet(answer: str, name: str, start: str | None) -> Extraction:
    """The function in `answer`, an answer to a request prefilled with `start` (None: not
    prefilled): the prefix joined with the answer when the answer continues it, else the answer
    alone (a server or script that answered with a complete function)."""
    if start is not None:
        answer = continuation(answer, start)
    if start is not None and continued(answer):
        if not answer.startswith(("\n", "\r")):  # a server that trimmed the leading newline
            answer = "\n" + answer
        joined = start + answer
        for text in (joined, _expanded(joined), start + _reindented(start, answer)):
            found = extract_snippet(text, name)
            if found.ok and _has_body(found.snippet or "", name):
                return found
    return extract_snippet(answer, name)


def _expanded(text: str) -> str:
    """Leading tabs as 4 spaces: a tab-indented header continued with spaces (or the other way
    round) parses once both indent alike; the body is re-indented for the file on write-back."""
    return _LEADING.sub(lambda m: m.group(0).expandtabs(4), text)


def _reindented(start: str, answer: str) -> str:
    """The continuation's code moved to the header's body indent: a method's header is shown
    dedented, and a model that indents the body as in the file (8 spaces) is still understood."""
    last = [line for line in start.split("\n") if line.strip()][-1]
    target = last[: len(last) - len(last.lstrip())] or "    "  # the docstring's indent, or one level
    code, fence, rest = answer.partition("\n```")
    return "\n" + textwrap.indent(textwrap.dedent(code.lstrip("\r\n")), target) + fence + rest


def _has_body(snippet: str, name: str) -> bool:
    """The function has a statement besides its docstring: a continuation that did not parse
    must not leave the bare header behind as a 'candidate'."""
    try:
        tree = ast.parse(snippet)
    except (SyntaxError, ValueError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            body = node.body
            if ast.get_docstring(node, clean=False) is not None:
                body = body[1:]
            return bool(body)
    return False
