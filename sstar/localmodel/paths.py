"""Where the local model keeps its files: the one place this package reads the environment.

Layout under the cache directory::

    <cache>/models/<gguf file>            assembled, verified weights
    <cache>/models/<gguf file>.verified   stamp: sha256, size, mtime (so start-up never re-hashes)
    <cache>/runtime/llama-cpp-python-<v>/bin/llama-server   the built runtime
    <cache>/logs/llama-server-*.log       server logs (for error messages)
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["default_cache_dir", "models_dir", "runtime_root", "logs_dir"]


def default_cache_dir(environ: dict[str, str] | None = None) -> Path:
    """``$SSTAR_CACHE_DIR``, else ``$XDG_CACHE_HOME/sstar``, else ``~/.cache/sstar``."""
    env = os.environ if environ is None else environ
    if env.get("SSTAR_CACHE_DIR"):
        return Path(env["SSTAR_CACHE_DIR"]).expanduser()
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"]).expanduser() / "sstar"
    return Path.home() / ".cache" / "sstar"


def _root(cache_dir: Path | None) -> Path:
    return default_cache_dir() if cache_dir is None else Path(cache_dir)


def models_dir(cache_dir: Path | None = None) -> Path:
    return _root(cache_dir) / "models"


def runtime_root(cache_dir: Path | None = None) -> Path:
    return _root(cache_dir) / "runtime"


def logs_dir(cache_dir: Path | None = None) -> Path:
    return _root(cache_dir) / "logs"
