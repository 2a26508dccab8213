"""Time to a verified answer with and without prefilled answers (issue 13), on the embedded model.

Every stub of examples/*.py (and, with ``--humaneval N``, the first N HumanEval tasks from
``--offset``) is solved by the real engine against one real llama-server (``sstar.localmodel``,
the engine's own settings), with ``prefill_answers`` off (today's prompts: the model re-types the
signature and docstring) and on (the answer starts with the stub's header, stops at the fence).
The two modes alternate, and which one goes first alternates per stub and repetition, so load from
other processes on a shared machine falls on both alike. Every solve starts with an empty cache.

Per solve it records the wall time to the final answer (``SolveFinished``), to the first candidate
passing the public examples (``CandidatePassed``; none when no candidate passed), completion tokens
and model calls (all stages, and sampling + repair alone: the stages prefill changes), and whether
the answer passes the examples. It prints median and p90 per mode and writes the raw rows to
``benchmarks/results/solve_latency.json``.

    .venv/bin/python benchmarks/solve_latency_bench.py [--reps 1] [--samples 8] [--no-adaptive]
        [--humaneval 0] [--only NAME]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(_ROOT))

from sandbox import SandboxPool  # noqa: E402
from sstar.cache import Cache  # noqa: E402
from sstar.config import Config  # noqa: E402
from sstar.engine import Engine  # noqa: E402
from sstar.events import CandidatePassed, Event, SolveFinished  # noqa: E402
from sstar.localmodel import DEFAULT_MODEL, LocalModelServer  # noqa: E402
from sstar.problem import Problem, extract_problem  # noqa: E402
from sstar.stubs import find_stubs, parse_tolerant  # noqa: E402

_OUT = _ROOT / "benchmarks" / "results" / "solve_latency.json"
_EDITING = ("sampling", "debugging")  # the stages whose prompts prefill changes


def example_problems() -> list[tuple[str, Problem]]:
    found = []
    for path in sorted((_ROOT / "examples").glob("*.py")):
        source = path.read_text()
        for stub in find_stubs(source, parse_tolerant(source)):
            problem = extract_problem(source, path=path, qualname=stub.qualname)
            found.append((f"{path.name}::{stub.qualname}", problem))
    return found


def humaneval_problems(count: int, offset: int) -> list[tuple[str, Problem]]:
    if count <= 0:
        return []
    from sstar.bench.humaneval import load_tasks, select_tasks

    tasks = select_tasks(load_tasks(), offset=offset, limit=count)
    return [(task.task_id, task.problem()) for task in tasks]


@dataclass(frozen=True)
class Backend:
    base_url: str
    api_key: str
    model_name: str


@contextlib.asynccontextmanager
async def backend(args: argparse.Namespace):
    """The embedded server, or `--base-url` (any OpenAI-compatible server, e.g. for a dry run)."""
    if args.base_url:
        yield Backend(args.base_url, args.api_key, args.model)
        return
    async with LocalModelServer.shared(args.model) as server:
        yield Backend(server.base_url, server.api_key, server.model_name)
    await LocalModelServer.stop_all()


async def solve_once(
    server: Backend, pool: SandboxPool, problem: Problem, prefill: bool, samples: int, adaptive: bool
) -> dict:
    config = Config(
        adaptive_sampling=adaptive,
        base_url=server.base_url,
        api_key=server.api_key,
        model=server.model_name,
        samples=samples,
        prefill_answers=prefill,
        timeout_seconds=600.0,
        solve_timeout_seconds=1800.0,
    )
    marks: dict[str, float] = {}
    started = time.perf_counter()

    def on_event(event: Event) -> None:
        now = time.perf_counter() - started
        if isinstance(event, CandidatePassed):
            marks.setdefault("first_passed", now)
        elif isinstance(event, SolveFinished):
            marks["finished"] = now

    with tempfile.TemporaryDirectory() as cold:
        async with Engine(config, sandbox=pool, cache=Cache(Path(cold))) as engine:
            result = await engine.solve(problem, on_event=on_event)
            continued = engine._llm.continues_prefill if engine._llm is not None else None
    total = result.usage.total
    editing = [result.usage.stages[s] for s in _EDITING if s in result.usage.stages]
    return {
        "prefill": prefill,
        "seconds_final": round(marks.get("finished", time.perf_counter() - started), 2),
        "seconds_first_passed": round(marks["first_passed"], 2) if "first_passed" in marks else None,
        "completion_tokens": total.completion_tokens,
        "prompt_tokens": total.prompt_tokens,
        "calls": total.calls,
        "editing_completion_tokens": sum(s.completion_tokens for s in editing),
        "editing_calls": sum(s.calls for s in editing),
        "status": result.status.value,
        "passes_examples": result.passed_public,
        "server_continued": continued,
    }


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def summarise(rows: list[dict]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for mode in (False, True):
        mine = [r for r in rows if r["prefill"] is mode]
        if not mine:
            continue
        finals = [r["seconds_final"] for r in mine]
        firsts = [r["seconds_first_passed"] for r in mine if r["seconds_first_passed"] is not None]
        out["prefill" if mode else "today"] = {
            "solves": len(mine),
            "final_median": statistics.median(finals),
            "final_p90": _p90(finals),
            "first_passed_median": statistics.median(firsts) if firsts else None,
            "first_passed_p90": _p90(firsts) if firsts else None,
            "solves_with_a_passing_candidate": len(firsts),
            "completion_tokens_median": statistics.median(r["completion_tokens"] for r in mine),
            "completion_tokens_total": sum(r["completion_tokens"] for r in mine),
            "editing_completion_tokens_total": sum(r["editing_completion_tokens"] for r in mine),
            "calls_total": sum(r["calls"] for r in mine),
            "editing_calls_total": sum(r["editing_calls"] for r in mine),
            "answers_passing_examples": sum(1 for r in mine if r["passes_examples"]),
        }
    return out


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=_ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--samples", type=int, default=8)
    parser.add_argument(
        "--no-adaptive", action="store_true", help="no adaptive sampling (shorter solves)"
    )
    parser.add_argument("--humaneval", type=int, default=0, help="also the first N HumanEval tasks")
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--only", default="", help="solve only problems whose name contains this")
    parser.add_argument("--out", type=Path, default=_OUT)
    parser.add_argument("--base-url", default="", help="another server instead of the embedded one")
    parser.add_argument("--api-key", default="none")
    args = parser.parse_args(argv)
    problems = example_problems() + humaneval_problems(args.humaneval, args.offset)
    problems = [(name, p) for name, p in problems if args.only in name]
    rows: list[dict] = []
    async with SandboxPool(workers=2) as pool, backend(args) as server:
        for rep in range(args.reps):
            for number, (name, problem) in enumerate(problems):
                order = (False, True) if (number + rep) % 2 == 0 else (True, False)
                for prefill in order:
                    row = {"problem": name, "rep": rep, **await solve_once(
                        server, pool, problem, prefill, args.samples, not args.no_adaptive
                    )}
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    summary = summarise(rows)
    report = {
        "command": " ".join(["benchmarks/solve_latency_bench.py", *(argv or sys.argv[1:])]),
        "commit": _commit(),
        "model": args.model,
        "samples": args.samples,
        "adaptive_sampling": not args.no_adaptive,
        "summary": summary,
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
