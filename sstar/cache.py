"""A content-addressed on-disk cache: model answers and sandbox results, keyed by what made them.

Keys are SHA-256 digests of everything that determines the value (for a model answer: the model
fingerprint, the exact messages, temperature and seed, so sample i of a problem is one entry and
"more samples" only pays for the new ones; for a sandbox run: the module source, the probe and the
limits). Values are written atomically (temporary file + rename), so concurrent solves and a crash
never leave a half-written entry. Sandbox results are stored with `marshal`, which can hold exactly
the sandbox's plain values and never runs code when loading. The cache is an optimisation: any
I/O problem disables writing and is reported once, it never fails a solve.

Directory: `$SSTAR_CACHE_DIR`, else `$XDG_CACHE_HOME/sstar`, else `~/.cache/sstar`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import marshal
import os
import tempfile
from pathlib import Path

from sandbox import ErrorDetail, FrameInfo, OutcomeKind, ProbeResult, StepOutcome

from .config import cache_dir

__all__ = ["Cache"]

_FORMAT = "2"  # part of every key: bump when a stored format changes
_STEP_FIELDS = tuple(f.name for f in dataclasses.fields(StepOutcome))


class Cache:
    def __init__(self, root: str | Path | None) -> None:
        """`root=None` disables the cache (nothing is read or written)."""
        self.root = Path(root) / "objects" if root is not None else None
        self.warning: str | None = None
        self.hits = 0
        self.misses = 0

    @classmethod
    def default(cls) -> Cache:
        return cls(cache_dir())

    @classmethod
    def disabled(cls) -> Cache:
        return cls(None)

    @staticmethod
    def key(kind: str, *parts: object) -> str:
        payload = json.dumps(
            [_FORMAT, kind, parts], sort_keys=True, default=repr, ensure_ascii=False
        )
        return kind + "-" + hashlib.sha256(payload.encode()).hexdigest()

    # -- JSON values (model answers) ---------------------------------------------------------------
    def get_json(self, key: str) -> object | None:
        data = self._read(key, ".json")
        if data is None:
            return None
        try:
            return json.loads(data)
        except ValueError:
            return None

    def put_json(self, key: str, value: object) -> None:
        self._write(key, ".json", json.dumps(value, ensure_ascii=False).encode())

    # -- sandbox results -------------------------------------------------------------------------
    def get_result(self, key: str) -> ProbeResult | None:
        data = self._read(key, ".bin")
        if data is None:
            return None
        try:
            setup, steps, duration = marshal.loads(data)
            return ProbeResult(
                setup=_load_step(setup),
                steps=tuple(_load_step(s) for s in steps),
                duration=duration,
            )
        except (ValueError, TypeError, EOFError, KeyError):
            return None

    def put_result(self, key: str, result: ProbeResult) -> None:
        outcomes = (result.setup, *result.steps)
        if any(o.kind is OutcomeKind.TIMEOUT for o in outcomes):
            return  # a timeout depends on the machine's load: run it again next time
        try:
            data = marshal.dumps(
                (
                    _dump_step(result.setup),
                    tuple(_dump_step(s) for s in result.steps),
                    result.duration,
                )
            )
        except ValueError:  # a value marshal cannot hold: simply not cached
            return
        self._write(key, ".bin", data)

    # -- files ---------------------------------------------------------------------------------------
    def _path(self, key: str, suffix: str) -> Path:
        assert self.root is not None
        digest = key.rsplit("-", 1)[-1]
        return self.root / digest[:2] / (key + suffix)

    def _read(self, key: str, suffix: str) -> bytes | None:
        if self.root is None:
            return None
        try:
            data = self._path(key, suffix).read_bytes()
        except OSError:
            self.misses += 1
            return None
        self.hits += 1
        return data

    def _write(self, key: str, suffix: str, data: bytes) -> None:
        if self.root is None or self.warning is not None:
            return
        path = self._path(key, suffix)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            self.warning = (
                f"the cache at {self.root.parent} cannot be written ({error.strerror or error}); "
                "results are not cached: set SSTAR_CACHE_DIR to a writable directory"
            )


def _dump_step(step: StepOutcome) -> dict:
    values = {name: getattr(step, name) for name in _STEP_FIELDS}
    values["kind"] = step.kind.value
    error = step.error
    values["error"] = None if error is None else (
        tuple((f.line, f.function, f.text) for f in error.frames), tuple(error.locals))
    return values


def _load_step(values: dict) -> StepOutcome:
    known = {name: values[name] for name in _STEP_FIELDS if name in values}
    known["kind"] = OutcomeKind(values["kind"])
    error = known.get("error")
    if error is not None:
        frames, local_values = error
        known["error"] = ErrorDetail(
            tuple(FrameInfo(*frame) for frame in frames), tuple(tuple(p) for p in local_values))
    return StepOutcome(**known)
