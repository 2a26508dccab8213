"""The `sstar` command: solve a stub from the shell, and the entry points of the other tools.

    sstar solve PATH[::QUALNAME] [--json] [--write [--write-best-effort]] [--samples N]
                [--rounds R] [--model M] [--base-url URL] [--temperature T] [--no-cache]
    sstar serve ...                 the language server (lsp_server)
    sstar model install|build|status ...   the embedded model (python -m sstar.localmodel)
    sstar bench ...                 benchmarks (sstar.bench)

`solve` prints progress on stderr (one live line on a terminal, plain lines otherwise) and the
chosen function on stdout (`--json`: the whole result object). Exit codes: 0 solved, 1 no candidate
passed the examples, 2 usage or input errors, 3 other errors (model server down, sandbox...),
130 / 143 interrupted by Ctrl-C / SIGTERM (the model server and sandbox processes are stopped).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from .config import Config, environment_overrides
from .errors import ConfigError, ProblemError, SStarError
from .events import Event, SolveFinished, describe

__all__ = ["main"]

EXIT_SOLVED, EXIT_UNSOLVED, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 3
_ROOT_MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "serve":
        return _serve(argv[1:])
    if argv and argv[0] == "model":
        return subprocess.call([sys.executable, "-m", "sstar.localmodel", *argv[1:]])
    if argv and argv[0] == "bench":
        return _bench(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command != "solve":
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return asyncio.run(_cancellable(_solve(args)))
    except KeyboardInterrupt:
        _err("cancelled")
        return 130


async def _cancellable(work) -> int:
    """Run `work`; SIGTERM (an editor or CI stopping us) cancels it like Ctrl-C does, so the
    model server and the sandbox processes are stopped on the way out."""
    task = asyncio.ensure_future(work)
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
    except (NotImplementedError, RuntimeError):  # not the main thread, or no signal support
        return await task
    try:
        return await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise  # we were cancelled ourselves (Ctrl-C): let asyncio.run report it
        _err("cancelled")
        return 128 + signal.SIGTERM
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sstar", description="Write Python function stubs with S*."
    )
    commands = parser.add_subparsers(dest="command")
    solve = commands.add_parser("solve", help="solve one stub: PATH[::QUALNAME]")
    solve.add_argument("target", help="file, optionally ::QualifiedName of the stub")
    solve.add_argument("--json", action="store_true", help="print the result as one JSON object")
    solve.add_argument("--write", action="store_true", help="write the chosen body into the file")
    solve.add_argument(
        "--write-best-effort",
        action="store_true",
        help="with --write: write the chosen body even when it passes none of the examples",
    )
    solve.add_argument("--samples", type=int, help="parallel samples (default 8)")
    solve.add_argument("--rounds", type=int, help="repair rounds per sample (default 2)")
    solve.add_argument("--model", help="model name (default: the server's or the local model)")
    solve.add_argument("--base-url", help="OpenAI-compatible server URL (default: embedded model)")
    solve.add_argument("--temperature", type=float, help="sampling temperature (default 0.7)")
    solve.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    commands.add_parser("serve", help="run the language server on stdio")
    commands.add_parser("model", help="install|build|status the embedded model")
    commands.add_parser("bench", help="run benchmarks")
    return parser


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _config(args: argparse.Namespace) -> Config:
    config, problems = Config().with_settings(environment_overrides())
    for problem in problems:
        _err(f"warning: {problem}")
    flags = {
        "samples": args.samples,
        "rounds": args.rounds,
        "model": args.model,
        "baseUrl": args.base_url,
        "temperature": args.temperature,
    }
    config, problems = config.with_settings({k: v for k, v in flags.items() if v is not None})
    if problems:
        raise ConfigError("; ".join(problems).replace("setting sstar.", "option --"))
    return config


async def _solve(args: argparse.Namespace) -> int:
    from .cache import Cache
    from .engine import Engine
    from .problem import extract_problem
    from .write_policy import passes_nothing

    path_text, _, qualname = args.target.partition("::")
    path = Path(path_text)
    try:
        config = _config(args)
        source = _read(path)
        problem = extract_problem(
            source, path=path, qualname=qualname or None, workspace=_workspace(path)
        )
    except (OSError, UnicodeDecodeError) as error:
        _err(f"sstar: cannot read {path}: {getattr(error, 'strerror', None) or error}")
        return EXIT_USAGE
    except (ProblemError, ConfigError) as error:
        _err(f"sstar: {error}")
        return EXIT_USAGE
    progress = _Progress(sys.stderr)
    engine = Engine(config, cache=Cache.disabled() if args.no_cache else None)
    try:
        result = await engine.solve(problem, on_event=progress)
    except SStarError as error:
        progress.clear()
        _err(f"sstar: {error}")
        return EXIT_ERROR
    except Exception as error:  # the sandbox's own errors and anything unexpected: still exit 3
        progress.clear()
        _err(f"sstar: {type(error).__name__}: {error}")
        return EXIT_ERROR
    finally:
        await engine.aclose()
        if not config.base_url:  # the embedded model stays warm for later solves: not here
            from .localmodel import LocalModelServer

            await LocalModelServer.stop_all()
    progress.clear()
    if args.write and result.body is not None and passes_nothing(result) and not args.write_best_effort:
        _err(
            f"sstar: not written: the best candidate for {problem.qualname} passes none of the "
            "examples; add --write-best-effort to write it anyway"
        )
    elif args.write and result.body is not None:
        try:
            _write(path, source, problem, result.body)
        except (OSError, SStarError) as error:
            _err(f"sstar: not written: {error}")
            return EXIT_ERROR
        _err(f"wrote {problem.qualname} into {path}")
    if args.json:
        sys.stdout.write(json.dumps(result.to_json(), indent=2) + "\n")
    elif result.code is not None:
        sys.stdout.write(result.code.rstrip("\n") + "\n")
    return EXIT_SOLVED if result.passed_public else EXIT_UNSOLVED


def _workspace(path: Path) -> Path:
    """The project the file belongs to (nearest parent with a marker), else its folder."""
    folder = path.resolve().parent
    for candidate in (folder, *folder.parents):
        if any((candidate / marker).exists() for marker in _ROOT_MARKERS):
            return candidate
    return folder


def _read(path: Path) -> str:
    """The file's text exactly: its own line endings (no universal newlines), a BOM kept."""
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def _write(path: Path, source: str, problem, body: str) -> None:
    """Write `body` into the stub through the one write-back path (`sstar.writeback`): only the
    body's characters change, the file's line endings, indentation and BOM stay, the result is
    parsed again, and the file is replaced atomically."""
    from .source import Source
    from .writeback import Refusal, write_body

    if _read(path) != source:
        raise SStarError(f"{path} changed while solving; run sstar solve again")
    edit = write_body(source, problem.target, body)
    if isinstance(edit, Refusal):
        raise SStarError(edit.message)
    updated = Source(source).with_bom(edit.new_text)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(updated)
        shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class _Progress:
    """Renders events: one rewritten line on a terminal, plain lines otherwise."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.width = shutil.get_terminal_size((80, 20)).columns - 1
        self.shown = False

    def __call__(self, event: Event) -> None:
        line = describe(event)
        if line is None:
            return
        if self.live and not isinstance(event, SolveFinished):
            self.stream.write("\r\x1b[K" + line[: self.width])
            self.shown = True
        else:
            self.clear()
            self.stream.write(line + "\n")
        self.stream.flush()

    def clear(self) -> None:
        if self.live and self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


def _serve(argv: list[str]) -> int:
    # The language server is the layer above this one (lsp_server -> sstar): hand the process over
    # to it instead of importing it, so the engine never depends on its adapter.
    try:
        os.execv(sys.executable, [sys.executable, "-m", "lsp_server", *argv])
    except OSError as error:
        _err(f"sstar serve: could not start the language server ({error}); try `python -m lsp_server`")
    return EXIT_ERROR


def _bench(argv: list[str]) -> int:
    try:
        from .bench.__main__ import main as bench
    except ImportError:
        _err("sstar bench: not yet available")
        return EXIT_USAGE
    return bench(argv) or 0


if __name__ == "__main__":
    sys.exit(main())
