"""Our own realistic stub set (benchmarks/stubs/) as benchmark tasks, scored like HumanEval.

Each stub lives in benchmarks/stubs/<name>/: `stub.py` (the file a user would have, the body `...`),
`hidden.py` (a HumanEval-style `check(candidate)` testing the docstring's prose), `reference.py`
(a right implementation) and `naive.py` (a plausible one that passes the examples and is wrong on
the prose). `manifest.json` names each stub's qualname, the entry point `check` receives (a
method's class) and tags. Only `stub.py` ever becomes a Problem; the hidden check runs only in
`humaneval.score`, after an answer is final.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .humaneval import Task

__all__ = ["STUBS_DIR", "StubEntry", "entries", "load_tasks", "select_tasks", "stub_file"]

STUBS_DIR = Path(__file__).resolve().parents[2] / "benchmarks" / "stubs"
PREFIX = "stubs/"


@dataclass(frozen=True)
class StubEntry:
    name: str
    qualname: str
    entry_point: str
    tags: tuple[str, ...]


def entries(root: Path = STUBS_DIR) -> list[StubEntry]:
    rows = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    return [
        StubEntry(r["name"], r["qualname"], r["entry_point"], tuple(r.get("tags", ())))
        for r in rows
    ]


def stub_file(name: str, kind: str, root: Path = STUBS_DIR) -> Path:
    """benchmarks/stubs/<name>/<kind>.py (kind: stub, hidden, reference, naive)."""
    return root / name / f"{kind}.py"


def load_tasks(root: Path = STUBS_DIR) -> list[Task]:
    """Every stub of the manifest, in its order, as a Task with its hidden check."""
    return [
        Task(
            PREFIX + entry.name,
            entry.entry_point,
            stub_file(entry.name, "stub", root).read_text(encoding="utf-8"),
            stub_file(entry.name, "hidden", root).read_text(encoding="utf-8"),
            qualname=entry.qualname,
            dataset="stubs",
        )
        for entry in entries(root)
    ]


def select_tasks(
    tasks: Sequence[Task], *, offset: int = 0, limit: int | None = None, ids: Iterable[str] = ()
) -> list[Task]:
    """`--ids` (stub names, or indices into the manifest) win over `--offset`/`--limit`."""
    wanted = list(ids)
    if wanted:
        chosen: list[Task] = []
        for item in wanted:
            task: Task | None
            if item.isdigit() and int(item) < len(tasks):
                task = tasks[int(item)]
            else:
                name = item if item.startswith(PREFIX) else PREFIX + item
                task = next((t for t in tasks if t.task_id == name), None)
            if task is not None and task not in chosen:
                chosen.append(task)
        return sorted(chosen, key=tasks.index)
    end = None if limit is None else offset + limit
    return list(tasks[offset:end])
