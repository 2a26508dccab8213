"""Wire formats: length-prefixed frames and a tagged JSON encoding of plain values.

The child encodes only exact built-in types, so the parent rebuilds genuine built-ins and never
runs code the candidate defined (an object whose __eq__ is always True cannot cross). Decoding is
defensive: any surprise raises WireError, which the parent turns into "result channel tampered".
"""

from __future__ import annotations

import base64
import json
import struct
from typing import Any

__all__ = ["WireError", "pack_frame", "unpack_single_frame", "leading_frames", "to_plain",
           "from_plain", "dumps", "loads", "HEADER"]

HEADER = struct.Struct(">Q")
_MAX_DEPTH = 64
_SMALL_INT = 1 << 62
_TAGS: dict[type, str] = {tuple: "t", set: "s", frozenset: "f"}


class WireError(ValueError):
    """Malformed frame or value encoding."""


class _NotPlain(Exception):
    pass


def pack_frame(payload: bytes) -> bytes:
    return HEADER.pack(len(payload)) + payload


def unpack_single_frame(data: bytes) -> bytes:
    """The payload when `data` is exactly one frame; WireError otherwise (extra bytes included)."""
    if len(data) < HEADER.size:
        raise WireError("no result frame")
    (size,) = HEADER.unpack_from(data)
    if size != len(data) - HEADER.size:
        raise WireError("frame length mismatch (extra or truncated data)")
    return data[HEADER.size :]


def leading_frames(data: bytes, limit: int) -> tuple[list[bytes], bool]:
    """Payloads of the complete frames at the start of a stream, and whether that was all of it.

    A child killed mid-write leaves a truncated last frame; the frames before it still count.
    """
    out: list[bytes] = []
    pos = 0
    while pos < len(data) and len(out) < limit and len(data) - pos >= HEADER.size:
        (size,) = HEADER.unpack_from(data, pos)
        if size > len(data) - pos - HEADER.size:
            break
        out.append(data[pos + HEADER.size : pos + HEADER.size + size])
        pos += HEADER.size + size
    return out, pos == len(data)


def to_plain(value: object) -> tuple[bool, object]:
    """(True, encoding) for plain values, (False, None) otherwise. Never calls user code."""
    try:
        return True, _enc(value, 0, set())
    except _NotPlain:
        return False, None


def _enc(v: Any, depth: int, active: set[int]) -> object:
    t = type(v)
    if v is None or t is bool or t is str:
        return v
    if t is int:
        return v if -_SMALL_INT < v < _SMALL_INT else {"x": hex(v)}
    if t is float:
        return {"F": v.hex()}  # exact, and JSON has no nan/inf
    if t is complex:
        return {"c": [v.real.hex(), v.imag.hex()]}
    if t is bytes:
        return {"b": base64.b64encode(v).decode("ascii")}
    if t not in (list, tuple, set, frozenset, dict) or depth >= _MAX_DEPTH or id(v) in active:
        raise _NotPlain
    active.add(id(v))
    try:
        if t is dict:
            return {"d": [[_enc(k, depth + 1, active), _enc(x, depth + 1, active)] for k, x in v.items()]}
        items = [_enc(x, depth + 1, active) for x in v]
    finally:
        active.discard(id(v))
    return items if t is list else {_TAGS[t]: items}


def from_plain(data: object, depth: int = 0) -> object:
    """Rebuild a plain value from its encoding (parent side, untrusted input)."""
    if depth > _MAX_DEPTH + 1:
        raise WireError("value nested too deeply")
    if data is None or type(data) in (bool, str):
        return data
    if type(data) is int:
        if not -_SMALL_INT < data < _SMALL_INT:
            raise WireError("unexpected large int")
        return data
    if type(data) is list:
        return [from_plain(x, depth + 1) for x in data]
    if type(data) is not dict or len(data) != 1:
        raise WireError("bad value tag")
    ((tag, body),) = data.items()
    try:
        if tag == "x":
            return int(body, 16)
        if tag == "F":
            return float.fromhex(body)
        if tag == "c":
            re_, im = body
            return complex(float.fromhex(re_), float.fromhex(im))
        if tag == "b":
            return base64.b64decode(body, validate=True)
        if type(body) is not list:
            raise WireError("bad container")
        items = [from_plain(x, depth + 1) for x in body]
        if tag == "t":
            return tuple(items)
        if tag == "d":
            pairs: list[tuple[Any, ...]] = [tuple(p) for p in items]  # type: ignore[arg-type]
            if any(len(p) != 2 for p in pairs):
                raise WireError("bad dict item")
            _check_hashes([k for k, _ in pairs])
            return dict(pairs)
        if tag in ("s", "f"):
            _check_hashes(items)
            return set(items) if tag == "s" else frozenset(items)
    except WireError:
        raise
    except (TypeError, ValueError, OverflowError) as exc:
        raise WireError(f"bad value: {exc}") from exc
    raise WireError(f"unknown tag {tag!r}")


def _check_hashes(keys: list[object]) -> None:
    # Many keys with one hash make set/dict building quadratic in the parent: refuse them.
    # Hash values are themselves small ints whose hash is the identity, so counting is linear.
    hashes = [hash(k) for k in keys]
    if len(hashes) - len(set(hashes)) > 64:
        raise WireError("too many hash collisions in a set or dict")


def dumps(obj: object) -> bytes:
    return json.dumps(obj, separators=(",", ":"), allow_nan=False).encode("utf-8", "surrogatepass")


def loads(data: bytes) -> object:
    try:
        return json.loads(data.decode("utf-8", "surrogatepass"))
    except (ValueError, RecursionError) as exc:
        raise WireError(f"undecodable frame: {exc.__class__.__name__}") from exc
