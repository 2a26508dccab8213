"""Command line for the local model: ``python -m sstar.localmodel {install,build,status,serve}``.

    install [--model M] [--force] [--weights-only]   weights (sha256-checked) + runtime build
    build   [--force] [--jobs N]                     only the llama-server build
    status  [--model M]                              what is installed, exit 1 if not ready
    serve   [--model M]                              run the server in the foreground (debugging)

Progress goes to stderr; results to stdout. Exit code 0 on success, 1 on a LocalModelError.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time
from pathlib import Path

from .errors import LocalModelError
from .models import DEFAULT_MODEL, MODELS
from .runtime import build_runtime, ensure_runtime
from .server import LocalModelServer, ServerSettings
from .weights import ensure_weights, install_weights

__all__ = ["main"]


def _err(msg: str) -> None:
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def _out(msg: str) -> None:
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()


def _install(args: argparse.Namespace) -> None:
    t0 = time.monotonic()
    res = install_weights(args.model, args.cache_dir, force=args.force, progress=_err)
    state = "already installed" if res.already_installed else "installed"
    _out(f"weights {state}: {res.path} ({time.monotonic() - t0:.1f}s)")
    if not args.weights_only:
        _build(args)


def _build(args: argparse.Namespace) -> None:
    res = build_runtime(
        args.cache_dir, force=args.force, jobs=getattr(args, "jobs", None), progress=_err
    )
    state = "already built" if res.already_built else f"built in {res.seconds:.0f}s"
    _out(f"runtime {state}: {res.binary}")


def _status(args: argparse.Namespace) -> None:
    _out(f"weights: {ensure_weights(args.model, None, args.cache_dir)}")
    _out(f"runtime: {ensure_runtime(args.cache_dir)}")


async def _serve(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    settings = ServerSettings(idle_seconds=None)
    async with LocalModelServer.shared(
        args.model, args.model_path, cache_dir=args.cache_dir, settings=settings
    ) as srv:
        _out(f"serving {srv.model_name} at {srv.base_url} (pid {srv.pid}, api key {srv.api_key})")
        await stop.wait()
    await LocalModelServer.stop_all()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sstar.localmodel",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="default: $SSTAR_CACHE_DIR, $XDG_CACHE_HOME/sstar or ~/.cache/sstar",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("install", "status", "serve"):
        p = sub.add_parser(name)
        p.add_argument("--model", choices=sorted(MODELS), default=DEFAULT_MODEL)
        if name == "install":
            p.add_argument("--force", action="store_true", help="reinstall and rebuild")
            p.add_argument("--weights-only", action="store_true", help="skip the runtime build")
        if name == "serve":
            p.add_argument("--model-path", default=None, help="serve this GGUF instead")
    p = sub.add_parser("build")
    p.add_argument("--force", action="store_true")
    p.add_argument("--jobs", type=int, default=None, help="parallel compile jobs (default: cores)")
    args = parser.parse_args(argv)
    try:
        if args.command == "install":
            _install(args)
        elif args.command == "build":
            _build(args)
        elif args.command == "status":
            _status(args)
        else:
            asyncio.run(_serve(args))
    except LocalModelError as exc:
        _err(f"error: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
