"""Where the local model keeps its files: the one place this package reads the environment.

Layout under the cache directory::

    <cache>/models/<gguf file>            assembled, verified weights
    <cache>/models/<gguf file>.verified   stamp: sha256, size, mtime (so start-up never re-hashes)
    <cache>/runtime/llama-cpp-python-<v>/bin/llama-server   the built runtime
    <cache>/logs/llama-server-*.log       server logs (for error messages)

Installs always go to the cache directory. Lookups also accept the user's home cache
(``$XDG_CACHE_HOME/sstar`` or ``~/.cache/sstar``) when ``$SSTAR_CACHE_DIR`` points elsewhere: the
result cache is often pointed at a scratch directory (tests, benchmarks), and that must not make a
verified model or a runtime that took minutes to build vanish.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["default_cache_dir", "search_roots", "models_dir", "runtime_root", "logs_dir"]


def default_cache_dir(environ: dict[str, str] | None = None) -> Path:
    """``$SSTAR_CACHE_DIR``, else ``$XDG_CACHE_HOME/sstar``, else ``~/.cache/sstar``."""
    env = os.environ if environ is None else environ
    if env.get("SSTAR_CACHE_DIR"):
        return Path(env["SSTAR_CACHE_DIR"]).expanduser()
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"]).expanduser() / "sstar"
    return Path.home() / ".cache" / "sstar"


def search_roots(
    cache_dir: Path | None = None, environ: dict[str, str] | None = None
) -> list[Path]:
    """Cache directories to look for installed weights and runtime in, first match wins.

    An explicit ``cache_dir`` (``--cache-dir``) means exactly that directory; otherwise the
    default cache directory, then the home cache if ``$SSTAR_CACHE_DIR`` moved the default away.
    """
    if cache_dir is not None:
        return [Path(cache_dir)]
    env = dict(os.environ if environ is None else environ)
    primary = default_cache_dir(env)
    env.pop("SSTAR_CACHE_DIR", None)
    home = default_cache_dir(env)
    return [primary] if home == primary else [primary, home]


def _root(cache_dir: Path | None) -> Path:
    return default_cache_dir() if cache_dir is None else Path(cache_dir)


def models_dir(cache_dir: Path | None = None) -> Path:
    return _root(cache_dir) / "models"


def runtime_root(cache_dir: Path | None = None) -> Path:
    return _root(cache_dir) / "runtime"


def logs_dir(cache_dir: Path | None = None) -> Path:
    return _root(cache_dir) / "logs"
