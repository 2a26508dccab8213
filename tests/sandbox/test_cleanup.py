"""sandbox._child.cleanup on trees a hostile child could leave behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sandbox._child.cleanup import empty_dir, remove_tree


def deep_tree(top: Path, depth: int) -> None:
    """A chain of directories deeper than the recursion limit and PATH_MAX, built with fds."""
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(depth):
        os.mkdir("dddddddddd", dir_fd=fd)
        sub = os.open("dddddddddd", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = sub
    with open(os.open("leaf.txt", os.O_WRONLY | os.O_CREAT, 0o600, dir_fd=fd), "w") as f:
        f.write("x")
    os.fchmod(fd, 0)  # and no permissions on the deepest directory
    os.close(fd)


def test_a_tree_deeper_than_the_recursion_limit_and_path_max():
    # On tmpfs, like the sandbox's own workdir (rmdir on this host's ext4 costs ~2 ms).
    work = Path(tempfile.mkdtemp(prefix="sstar-cleanup-test-", dir="/dev/shm"))
    try:
        deep_tree(work, 1200)
        (work / "f").write_text("x")
        empty_dir(str(work))
        assert work.is_dir() and list(work.iterdir()) == []
    finally:
        remove_tree(str(work))


def test_links_are_removed_not_followed(tmp_path: Path):
    host = tmp_path / "host"
    host.mkdir()
    (host / "keep.txt").write_text("keep")
    work = tmp_path / "work"
    (work / "sub").mkdir(parents=True)
    (work / "to_dir").symlink_to(host)
    (work / "to_file").symlink_to(host / "keep.txt")
    (work / "sub" / "up").symlink_to("../..")
    (work / "locked").mkdir(mode=0)
    remove_tree(str(work))
    assert not work.exists()
    assert (host / "keep.txt").read_text() == "keep"


def test_remove_tree_of_a_missing_path_or_a_link(tmp_path: Path):
    remove_tree(str(tmp_path / "missing"))
    target = tmp_path / "target"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    remove_tree(str(link))
    assert not link.exists() and target.is_dir()
