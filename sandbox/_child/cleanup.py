"""Remove what a sandbox child left in its directory, whatever shape it has.

A child can build a tree deeper than Python's recursion limit or PATH_MAX (shutil.rmtree then
raises RecursionError or ENAMETOOLONG), plant symlinks to host files, and strip permissions.
So: directory file descriptors only, links are unlinked and never followed, and nested
directories are flattened into the top one (renamed up a level) instead of recursed into.
"""

from __future__ import annotations

import os
import secrets

__all__ = ["empty_dir", "remove_tree"]

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_MAX_STEPS = 1_000_000  # far above what a tmpfs of limited inodes can hold


def empty_dir(top: str) -> None:
    """Delete everything inside `top` (kept). Raises OSError if something cannot be removed."""
    fd = os.open(top, _DIR_FLAGS)
    try:
        _empty(fd)
    finally:
        os.close(fd)


def remove_tree(path: str) -> None:
    """Delete `path` and what is in it; a missing path is fine; never follows links."""
    try:
        empty_dir(path)
    except FileNotFoundError:
        return
    except NotADirectoryError:  # a file or a symlink: remove the entry itself
        os.unlink(path)
        return
    os.rmdir(path)


def _empty(top: int) -> None:
    prefix, moved, steps = f".x{secrets.token_hex(4)}-", 0, 0
    while names := os.listdir(top):
        for name in names:
            steps += 1
            if steps > _MAX_STEPS:
                raise OSError(f"gave up emptying a directory after {_MAX_STEPS} steps")
            try:
                os.unlink(name, dir_fd=top)  # files and symlinks (to anything)
                continue
            except IsADirectoryError:
                pass
            except FileNotFoundError:
                continue
            try:
                os.rmdir(name, dir_fd=top)
                continue
            except OSError:
                pass
            sub = os.open(name, _DIR_FLAGS, dir_fd=top)
            try:
                os.fchmod(sub, 0o700)  # a child may have taken away our write permission
                for inner in os.listdir(sub):
                    moved += 1
                    os.rename(inner, f"{prefix}{moved}", src_dir_fd=sub, dst_dir_fd=top)
            finally:
                os.close(sub)
