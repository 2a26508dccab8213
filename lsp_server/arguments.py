"""The typed arguments of the `sstar.*` commands (camelCase on the wire, as in the team contract).

Commands are registered with `*arguments` so that a client may send none (Neovim's `:SStarCancel`)
and are structured here with the lsprotocol converter (which renames snake_case to camelCase).
"""

# No `from __future__ import annotations`: cattrs needs the real types at runtime.

from typing import TypeVar

import attrs
import cattrs
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.protocol import default_converter

__all__ = [
    "SolveArgs",
    "RegenerateArgs",
    "CancelArgs",
    "ApplyLastArgs",
    "TargetArgs",
    "ApplyCandidateArgs",
    "AcceptPreviewArgs",
    "parse",
]

_converter = default_converter()
T = TypeVar("T")


@attrs.define
class SolveArgs:
    uri: str
    version: int | None = None
    qualname: str | None = None
    position: types.Position | None = None
    force: bool = False  # solve a function that has a body S* did not write (replaces it)


@attrs.define
class RegenerateArgs:
    uri: str
    qualname: str | None = None
    position: types.Position | None = None
    samples: int | None = None
    force: bool = False


@attrs.define
class CancelArgs:
    job_id: str | None = None


@attrs.define
class ApplyLastArgs:
    uri: str | None = None


@attrs.define
class TargetArgs:
    uri: str
    qualname: str | None = None
    position: types.Position | None = None


@attrs.define
class ApplyCandidateArgs:
    uri: str
    qualname: str
    candidate_id: str


@attrs.define
class AcceptPreviewArgs:
    job_id: str | None = None  # default: the latest preview offered (in document `uri`)
    uri: str | None = None


def parse(cls: type[T], arguments: tuple) -> T:
    """The first command argument as `cls`; a clear invalid-params error otherwise."""
    raw = arguments[0] if arguments else {}
    if raw is None:
        raw = {}
    try:
        return _converter.structure(raw, cls)
    except (cattrs.BaseValidationError, TypeError, ValueError, KeyError) as error:
        fields = ", ".join(_camel(f.name) for f in attrs.fields(cls))  # type: ignore[arg-type]
        raise JsonRpcInvalidParams(
            f"bad arguments for this S* command ({error}); expected one object with {fields}"
        ) from error


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
