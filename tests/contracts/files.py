"""Python files like users' own, generated for property tests: every line ending (and mixes),
form feeds, U+2028/U+2029 and other characters `str.splitlines` breaks at, inside strings and
comments, tabs or 2/4-space indentation, a BOM, non-ASCII text, decorators, stubs in nested
classes, nested functions and under `if`/`try`/`with`, strings holding lines that look like code."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

ODD = ["\x0c", "\u2028", "\u2029", "\x85", "\x1c", "\x1d", "\x1e", "é", "漢字", "𝄞"]
NEWLINES = ["\n", "\r\n", "\r"]
UNITS = ["    ", "  ", "\t"]
BODIES = [
    "return x * x\n",
    "if x > 0:\n    return x\nelse:\n    # negative\n    return -x\n",
    "values = [\n    x,\n    x + 1,\n]\nreturn sum(values)\n",
    'text = """line one\n  line two\ndef not_code():\n    ...\n"""\nreturn len(text) + x\n',
    "for i in range(x):\n\tif i:\n\t\tbreak\nreturn x\n",
    "return 'é\u2028\x0c' + str(x)  # odd characters in a string and a comment \u2029\n",
    "# only a comment first\nresult = x\nreturn result\n",
]


@dataclass(frozen=True)
class GeneratedFile:
    text: str
    qualname: str
    newline: str  # the dominant line ending
    unit: str
    broken: bool  # a syntax error elsewhere (the user is typing)


@st.composite
def python_files(draw) -> GeneratedFile:
    unit = draw(st.sampled_from(UNITS))
    odd = draw(st.sampled_from(ODD))
    lines: list[str] = []
    if draw(st.booleans()):
        lines += [f'"""Module with {odd} in its docstring.', f"second line {odd}", '"""']
    lines += ["import functools", "import sys", ""]
    broken = draw(st.booleans())
    if broken:
        lines += ["def broken(:", unit + "pass", ""]
    if draw(st.booleans()):
        lines += ["\x0c", f"# section {odd} comment", ""]
    if draw(st.booleans()):  # a string whose lines look like code, at column 0
        lines += ['FAKE = """', "def target(x):", "    ...", "class Box:", '"""', ""]
    lines += [f"LABEL = '{odd}'", ""]
    context = draw(st.sampled_from(["module", "class", "nested class", "if", "try", "with", "function"]))
    stub, qualname = _stub(draw, unit, odd)
    if context == "module":
        lines += stub
    elif context == "class":
        lines += ["class Box:", unit + '"""A box."""', "", *_indent(stub, unit)]
        qualname = "Box." + qualname
    elif context == "nested class":
        lines += ["class Outer:", unit + "class Inner:", *_indent(stub, unit * 2)]
        qualname = "Outer.Inner." + qualname
    elif context == "if":
        lines += ["if sys.version_info >= (3, 8):", *_indent(stub, unit), "else:", unit + "target = None"]
    elif context == "try":
        lines += ["try:", unit + "import missing_module", "except ImportError:", *_indent(stub, unit)]
    elif context == "with":
        lines += ["with open(__file__) as _handle:", *_indent(stub, unit)]
    else:
        lines += ["def outer():", *_indent(stub, unit), unit + "return target"]
        qualname = "outer.<locals>." + qualname
    lines += ["", "", f"def after(y):  # {odd}", unit + "return y", ""]
    mode = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))
    if mode == "mixed":
        endings = draw(st.lists(st.sampled_from(NEWLINES), min_size=len(lines) - 1, max_size=len(lines) - 1))
        endings[: len(endings) // 2 + 1] = ["\r\n"] * (len(endings) // 2 + 1)  # CRLF dominates
        dominant = "\r\n"
    else:
        endings = [mode] * (len(lines) - 1)
        dominant = mode
    text = "".join(line + ending for line, ending in zip(lines, endings, strict=False)) + lines[-1]
    if draw(st.booleans()):
        text = "\ufeff" + text
    return GeneratedFile(text, qualname, dominant, unit, broken)


def _stub(draw, unit: str, odd: str) -> tuple[list[str], str]:
    decorators = draw(st.sampled_from([[], ["@functools.lru_cache(maxsize=None)"], ["@functools.cache", "@staticmethod"]]))
    kind = draw(st.sampled_from(["...", "pass", "raise NotImplementedError('later')", "docstring", "inline"]))
    doc = [
        unit + f'"""Square x {odd} (form feeds and separators stay in the docstring).',
        "",
        unit + ">>> target(3)",
        unit + "9",
        unit + f"the end {odd}",
        unit + '"""',
    ]
    if kind == "inline":
        return [*decorators, "def target(x): ...  # to do"], "target"
    header = [*decorators, "def target(x):"]
    if kind == "docstring":
        return header + doc, "target"
    with_doc = draw(st.booleans())
    return header + (doc if with_doc else []) + [unit + kind], "target"


def _indent(lines: list[str], prefix: str) -> list[str]:
    return [prefix + line if line else "" for line in lines]


bodies = st.sampled_from(BODIES)
