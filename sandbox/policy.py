"""What of the user's files a candidate may read: the readable workspace root and what is hidden in it.

Whatever a candidate can read it can return or print, and what it returns or prints is shown to
the model in repair prompts: the readable set is also the set that can leave the machine. So:
- the readable root is never the home folder or one of its parents (a stub in `~`, or a home
  folder that is a dotfile repository); `readable_root` falls back to the file's own folder, or
  to nothing when that is the home folder too;
- inside the root, entries whose name matches `HIDDEN_DEFAULT` (dot-files and dot-folders, keys,
  credentials) are hidden by the child's mount view. `scan` finds them, once per pool.
"""

from __future__ import annotations

import fnmatch
import os
import pwd
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["HIDDEN_DEFAULT", "Scan", "readable_root", "scan", "home_dirs", "is_unsafe_root",
           "MAX_HIDDEN", "MAX_SCANNED"]

HIDDEN_DEFAULT = (
    ".*",  # .env*, .netrc, .pypirc, .ssh, .aws, .git, .venv, ...
    "*.pem", "*.key", "*.p12", "*.pfx", "*.jks", "*.keystore", "*.kdbx", "*.gpg", "*.token",
    "id_*", "*credential*", "*secret*",
)
MAX_HIDDEN = 4096  # one mount each; beyond this the workspace is not offered at all
MAX_SCANNED = 300_000  # directory entries looked at; beyond this, likewise


@dataclass(frozen=True)
class Scan:
    """The hidden entries under a root, or why the root cannot be offered safely."""

    root: str
    hidden: tuple[str, ...]  # absolute paths (files and directories) to cover
    scanned: int
    refused: str | None = None  # set when the root must not be readable at all


def home_dirs() -> set[str]:
    """The user's home folder as $HOME says and as the password database says."""
    homes = {os.path.realpath(os.path.expanduser("~"))}
    try:
        homes.add(os.path.realpath(pwd.getpwuid(os.getuid()).pw_dir))
    except KeyError:
        pass
    return homes


def is_unsafe_root(root: Path, homes: set[str] | None = None) -> bool:
    """True for the home folder, any folder above it, and `/`."""
    real = os.path.realpath(root)
    if real == "/":
        return True
    return any(h == real or h.startswith(real.rstrip("/") + "/") for h in homes or home_dirs())


def readable_root(workspace: Path | None, file: Path | None,
                  homes: set[str] | None = None) -> tuple[Path | None, str | None]:
    """(the root candidates may read, a notice for the user when the workspace was refused)."""
    if workspace is None or not is_unsafe_root(workspace, homes):
        return workspace, None
    folder = Path(os.path.realpath(file)).parent if file is not None else None
    if folder is not None and not is_unsafe_root(folder, homes):
        return folder, (f"the workspace {workspace} is your home folder or contains it, so "
                        f"generated code may read only {folder} (minus hidden files); move the "
                        "code into a project folder to let it import the rest of the project")
    return None, (f"{workspace} is your home folder or contains it, so generated code may read "
                  "none of your files; move the code into a project folder to let it import "
                  "the modules next to it")


class _Matcher:
    """All patterns as two compiled regular expressions: on names, and on relative paths."""

    def __init__(self, patterns: tuple[str, ...]) -> None:
        names = [fnmatch.translate(p.lower()) for p in patterns if "/" not in p]
        paths = [fnmatch.translate(p.lower()) for p in patterns if "/" in p]
        self.names = re.compile("|".join(names)) if names else None
        self.paths = re.compile("|".join(paths)) if paths else None

    def __call__(self, name: str, rel: str) -> bool:
        return bool((self.names and self.names.match(name.lower()))
                    or (self.paths and self.paths.match(rel.lower())))


def _matches(name: str, rel: str, patterns: tuple[str, ...]) -> bool:
    return _Matcher(patterns)(name, rel)


def scan(root: Path, patterns: tuple[str, ...]) -> Scan:
    """Walk `root` (no links followed, hidden folders not entered) and list what to hide."""
    top = os.path.realpath(root)
    matches = _Matcher(patterns)
    cut = len(top.rstrip("/")) + 1
    hidden: list[str] = []
    scanned = 0
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # unreadable to us: the child cannot read it either
        for entry in entries:
            scanned += 1
            if scanned > MAX_SCANNED:
                return Scan(top, (), scanned, f"it has more than {MAX_SCANNED} entries")
            rel = entry.path[cut:]
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_link = entry.is_symlink()
            except OSError:
                continue
            if matches(entry.name, rel):
                if not is_link:  # a link shows only what its target shows (see _child/view.py)
                    hidden.append(entry.path)
                    if len(hidden) > MAX_HIDDEN:
                        return Scan(top, (), scanned,
                                    f"more than {MAX_HIDDEN} entries in it match the hidden "
                                    "patterns")
            elif is_dir:
                stack.append(entry.path)
    return Scan(top, tuple(sorted(hidden)), scanned)
