"""Which kind of engine prompt a request to the scripted model is, from markers in sstar.prompts
(and the benchmark's CodeT prompt), so scripted replies can answer by kind."""

from __future__ import annotations

from tests.support.scripted_llm import prompt_text

__all__ = ["KINDS", "kind_of"]

KINDS = {  # order matters: a debug prompt also holds the sample prompt's text
    "judge": "Program A:",
    "distinguish": "Version 2:",
    "debug": "Your function fails these tests",
    "inputs": "that test edge cases",
    "codet": "different tests of",
    "checks": "Fill in each check",
    "value": "It is one of these two",
    "sample": "Reply with the complete function",
}


def kind_of(body: dict) -> str:
    text = prompt_text(body)
    return next((kind for kind, marker in KINDS.items() if marker in text), "unknown")
