"""The prompt that asks the model for property checks of a stub's docstring, and the sentences
it is built from.

One request per solve (temperature 0, small answer). The docstring's prose is cut into sentences
here, deterministically, and the model is given one check skeleton per sentence to fill in: a
function over one call's arguments and the returned `result` whose docstring is that sentence, or,
for a sentence that names an exception, a `with raises(Error):` block around a call. Filling a
skeleton is within reach of a 0.5B model; writing checks from scratch is not (measured: it copies a
worked example or writes the function itself). What comes back is untrusted: `sstar.checks`
parses, filters, validates and weighs it.
"""

from __future__ import annotations

import re

from .llm import Message
from .problem import Problem
from .signature import parameters
from .source import split_lines

__all__ = ["CHECKS_MARKER", "checks_messages", "rule_sentences"]

CHECKS_MARKER = "Fill in each check"  # how tests recognise this prompt
_SYSTEM = "You are an expert Python programmer. Answer with Python code in one ```python block."
_MAX_SENTENCES = 8
_SECTION = re.compile(
    r"^\s*(args|arguments|parameters|params|returns?|yields?|raises|examples?|notes?|"
    r"see also|references|attributes|keyword arguments|other parameters)\s*:?\s*$",
    re.IGNORECASE,
)
_UNDERLINE = re.compile(r"^\s*[-=~]{3,}\s*$")
_SPLIT = re.compile(r"(?<=[.;!?])\s+(?=[A-Z`\"'(\d])|;\s+")
_EXCEPTION = re.compile(r"\b([A-Z][A-Za-z]*(?:Error|Exception|Warning))\b")


def rule_sentences(docstring: str | None) -> list[str]:
    """The docstring's prose cut into sentences: doctest examples, their outputs and section
    headers left out; at most a few, in order."""
    if not docstring:
        return []
    prose: list[str] = []
    in_example = False
    for line in split_lines(docstring):
        stripped = line.strip()
        if stripped.startswith(">>>"):
            in_example = True
            continue
        if in_example:
            if not stripped:
                in_example = False
            continue
        if _SECTION.match(stripped) or _UNDERLINE.match(stripped):
            prose.append("")
            continue
        prose.append(stripped)
    paragraphs = " ".join(part if part else "\n" for part in prose).split("\n")
    sentences: list[str] = []
    for paragraph in paragraphs:
        for sentence in _SPLIT.split(" ".join(paragraph.split())):
            sentence = sentence.strip().rstrip(";")
            if len(sentence.split()) >= 3 and sentence not in sentences:
                sentences.append(sentence)
    return sentences[:_MAX_SENTENCES]


def _skeleton(problem: Problem, number: int, sentence: str, names: str) -> str:
    quoted = sentence.replace("\\", "\\\\").replace('"""', "'''")
    error = _EXCEPTION.search(sentence)
    if error:
        return (
            f'def check_{number}():\n    """{quoted}"""\n    with raises({error.group(1)}):\n'
            f"        {problem.name}(...)"
        )
    return f'def check_{number}({names}):\n    """{quoted}"""\n    assert ...'


def checks_messages(problem: Problem) -> list[Message] | None:
    """Ask for property checks of the docstring's sentences (never for expected outputs);
    None when the docstring has no prose to check."""
    sentences = rule_sentences(problem.docstring)
    if not sentences:
        return None
    names = ", ".join([*parameters(problem), "result"])
    skeletons = "\n\n".join(
        _skeleton(problem, number, sentence, names)
        for number, sentence in enumerate(sentences, 1)
    )
    content = (
        f"Function:\n```python\n{problem.stub_text.rstrip()}\n```\n\n"
        f"{CHECKS_MARKER} below. A check receives the arguments of one call of "
        f"`{problem.name}` and the value `result` it returned, and asserts what its sentence "
        "says about them, for any input, without computing the whole answer. Replace each `...` "
        "(in a `raises` check: with arguments for which the sentence says it raises). "
        f"Do not write `{problem.name}` itself.\n"
        f"```python\n{skeletons}\n```\n"
        "Answer with the completed checks in one ```python block."
    )
    return [{"role": "system", "content": _SYSTEM}, {"role": "user", "content": content}]
