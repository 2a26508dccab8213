"""Run the benchmark: every method on every task, one JSON line per (task, method), resumable.

Per task the engine's S* solve runs first (on a cold cache its wall time is its real cost), then
the baselines, which reuse its samples through the cache. Each finished (task, method) is appended
to the run's JSONL file at once, so an interrupted run skips what is recorded and redoes at most the
methods of the task it was on (cheaply: their model answers are in the cache). The answer of each
method is scored by HumanEval's hidden `check()` only after the method has returned it.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..context import SolveContext
from ..engine import Engine
from ..errors import SStarError
from ..problem import Problem
from .humaneval import Task, score
from .metering import Cost, MeteredCache, MeteredLLM, is_fatal, metering
from .methods import BASELINES, Drawn, draw_samples

__all__ = ["METHODS", "Bench", "RunFiles", "git_commit", "read_records"]

METHODS = ("sstar", "greedy", "first", "public", "majority", "codet", "selfdebug")
ORACLE = "oracle"  # the per-task record of which samples / candidates the hidden check accepts


@dataclass(frozen=True)
class RunFiles:
    """Where one run configuration keeps its records and reports (the stem names the config)."""

    out: Path
    stem: str

    @property
    def records(self) -> Path:
        return self.out / f"{self.stem}.jsonl"

    def report(self, suffix: str) -> Path:
        return self.out / f"{self.stem}{suffix}"


def read_records(path: Path) -> list[dict]:
    """Records of a JSONL file; a line cut off by an interruption is ignored."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return records


def git_commit(root: Path | None = None) -> str:
    """HEAD's short hash, with "+dirty" when the engine's or the sandbox's code has changes."""
    root = root or Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "sstar", "sandbox"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


class Bench:
    """The long-lived pieces of a run: metered model client and cache, sandbox pool, engine."""

    def __init__(
        self, config: Config, *, llm: MeteredLLM, cache: MeteredCache, pool, commit: str = ""
    ) -> None:
        self.config, self.llm, self.cache, self.pool = config, llm, cache, pool
        self.engine = Engine(config, llm=llm, sandbox=pool, cache=cache)
        self.commit = commit or git_commit()
        self._fingerprint: dict[str, object] | None = None

    async def fingerprint(self) -> dict[str, object]:
        """The engine's fingerprint for a client it was given (see Engine._fingerprint): the same
        cache keys, so the baselines find the engine's samples."""
        if self._fingerprint is None:
            fingerprint = self.config.fingerprint()
            fingerprint["base_url"] = self.llm.base_url
            fingerprint["model"] = await self.llm.model()
            self._fingerprint = fingerprint
        return self._fingerprint

    async def context(self, problem: Problem) -> SolveContext:
        return SolveContext(
            problem,
            self.config,
            llm=self.llm,
            sandbox=self.pool,
            cache=self.cache,
            on_event=None,
            fingerprint=await self.fingerprint(),
        )

    async def run(
        self,
        tasks: Sequence[Task],
        methods: Sequence[str],
        records: Path,
        on_task: Callable[[Task, list[dict]], None] | None = None,
    ) -> None:
        """Run what `records` does not hold yet; `on_task` gets each task's records when done."""
        done: dict[tuple[str, str], dict] = {
            (r["task_id"], r["method"]): r for r in read_records(records)
        }
        records.parent.mkdir(parents=True, exist_ok=True)
        with records.open("a", encoding="utf-8") as out:
            if out.tell() and not records.read_bytes().endswith(b"\n"):
                out.write("\n")  # end a line cut off by an interruption; read_records skips it
            for task in tasks:
                wanted = [*methods, ORACLE]
                have = {m: done[(task.task_id, m)] for m in wanted if (task.task_id, m) in done}
                if len(have) < len(wanted):

                    def emit(record: dict, have: dict[str, dict] = have) -> None:
                        if self.llm.fatal is not None:  # the record may rest on lost requests
                            raise self.llm.fatal
                        out.write(json.dumps(record) + "\n")
                        out.flush()
                        have[record["method"]] = record

                    await self.run_task(task, methods, dict(have), emit)
                if on_task is not None:
                    on_task(task, [have[m] for m in wanted])

    async def run_task(
        self,
        task: Task,
        methods: Sequence[str],
        have: dict[str, dict],
        emit: Callable[[dict], None],
    ) -> None:
        """Make the records `have` lacks for one task, emitting each as soon as it is final."""
        problem = task.problem()
        self.llm.forget()
        scores: dict[str, bool] = {}

        async def correct(module: str | None) -> bool:
            if module is None:
                return False
            if module not in scores:
                scores[module] = await score(self.pool, task, module)
            return scores[module]

        sstar = have.get("sstar")
        if "sstar" in methods and sstar is None:
            sstar = await self._sstar(task, problem, correct)
            emit(sstar)
        drawn: list[Drawn] | None = None
        drawn_cost, drawn_seconds = Cost(), 0.0

        async def samples() -> list[Drawn]:
            nonlocal drawn, drawn_cost, drawn_seconds
            if drawn is None:
                started = time.perf_counter()
                with metering(self.llm, self.cache) as meter:
                    drawn = await draw_samples(await self.context(problem), self.config.samples)
                drawn_cost, drawn_seconds = meter.cost, time.perf_counter() - started
            return drawn

        for name in methods:
            if name == "sstar" or name in have:
                continue
            uses_samples = name != "greedy"
            shared = await samples() if uses_samples else []
            ctx = await self.context(problem)
            started = time.perf_counter()
            with metering(self.llm, self.cache) as meter:
                pick = await BASELINES[name](ctx, shared)
            seconds = time.perf_counter() - started
            cost = meter.cost + (drawn_cost if uses_samples else Cost())
            if uses_samples:
                seconds += drawn_seconds
            module = pick.candidate.module if pick.candidate else None
            passed = await correct(module)
            emit(self._record(task, name, passed, pick.candidate, cost, seconds, pick.detail))
        if ORACLE not in have:
            verdicts = [
                await correct(d.candidate.module if d.candidate else None) for d in await samples()
            ]
            detail = {
                "samples_correct": sum(verdicts),
                "samples_usable": sum(d.candidate is not None for d in drawn or []),
                "samples_public": sum(d.passes for d in drawn or []),
                "candidates_correct": (sstar or {}).get("detail", {}).get("candidates_correct"),
                "candidates": (sstar or {}).get("detail", {}).get("candidates"),
            }
            any_sample = any(verdicts)
            any_candidate = bool(detail["candidates_correct"])
            record = self._record(task, ORACLE, any_sample, None, Cost(), 0.0, detail)
            emit(record | {"passed_debugged": any_sample or any_candidate})

    async def _sstar(self, task: Task, problem: Problem, correct) -> dict:
        started = time.perf_counter()
        with metering(self.llm, self.cache) as meter:
            try:
                result = await self.engine.solve(problem)
            except (
                SStarError
            ) as error:  # e.g. every sample timed out: this task is lost, not the run
                if is_fatal(error):
                    raise
                seconds = time.perf_counter() - started
                return self._record(
                    task, "sstar", False, None, meter.cost, seconds, {"error": str(error)}
                )
        seconds = time.perf_counter() - started
        candidates = [await correct(problem.module_with(c.body)) for c in result.candidates]
        chosen = result.chosen
        detail = {
            "status": result.status.value,
            "public_passed": result.passed_public,
            "candidates": len(result.candidates),
            "candidates_correct": sum(candidates),
            "debugged_candidates": sum(1 for c in result.candidates if c.debug_rounds),
            "engine_usage": result.to_json()["usage"],
        }
        passed = (
            await correct(problem.module_with(result.body)) if result.body is not None else False
        )
        record = self._record(task, "sstar", passed, None, meter.cost, seconds, detail)
        record["answer"] = chosen.id if chosen else None
        return record

    def _record(
        self,
        task: Task,
        method: str,
        passed: bool,
        candidate,
        cost: Cost,
        seconds: float,
        detail: dict,
    ) -> dict:
        return {
            "task_id": task.task_id,
            "method": method,
            "passed": bool(passed),
            "answer": candidate.id if candidate is not None else None,
            "cost": cost.to_json(),
            "wall_seconds": round(seconds, 3),
            "detail": detail,
            "commit": self.commit,
            "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
