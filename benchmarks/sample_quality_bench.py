"""How often one sample is right, per embedded model and sampling temperature (issue 14, item 4).

For every stub of the realistic stub set (benchmarks/stubs/, or a slice of it) and each embedded
model, it asks the engine's own sample request (prefilled with the stub's header, stopped at the
fence) once at temperature 0 and once per temperature with ``n`` completions in one request (the
server prefills the shared prompt once), then scores every answer on the docstring examples and on
the stub's hidden check, in the sandbox. Nothing here selects: it measures the raw material S*
selects from, so the temperature and the default model are chosen from figures.

Per (model, temperature) it prints: the share of samples right on the hidden checks, the share
passing the examples, the share of stubs with at least one right sample ("oracle"), distinct
programs per stub, and model seconds and completion tokens per stub. Raw rows (every answer's
body and verdicts) go to ``benchmarks/results/sample_quality.json`` so the figures can be
re-scored.

    .venv/bin/python benchmarks/sample_quality_bench.py [--models qwen2.5-coder-0.5b,...]
        [--temperatures 0.3,0.7] [--n 8] [--ids name,...] [--limit K]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(_ROOT))

import openai  # noqa: E402

from sandbox import SandboxPool  # noqa: E402
from sstar.bench import stubset  # noqa: E402
from sstar.bench.humaneval import Task, score  # noqa: E402
from sstar.bench.runner import git_commit  # noqa: E402
from sstar.candidates import judge_public, make_candidate, public_probes  # noqa: E402
from sstar.config import Config  # noqa: E402
from sstar.localmodel import LocalModelServer  # noqa: E402
from sstar.prefill import STOP, answer_snippet, prefix  # noqa: E402
from sstar.problem import Problem  # noqa: E402
from sstar.prompts import sample_messages  # noqa: E402

_OUT = _ROOT / "benchmarks" / "results" / "sample_quality.json"
_MAX_TOKENS = Config().max_completion_tokens  # the engine's answer cap


async def _answers(
    client, model: str, problem: Problem, temperature: float, n: int
) -> tuple[list, dict]:
    start = prefix(problem)
    messages = sample_messages(problem, prefill=start)
    started = time.perf_counter()
    # Streamed: llama-server then sends one usage chunk per choice, so tokens are counted for all
    # n answers (the whole reply's `usage` holds one choice's count).
    stream = await client.chat.completions.create(
        model=model,
        messages=messages,
        temperature=temperature,
        seed=0,
        n=n,
        max_tokens=_MAX_TOKENS,
        stop=list(STOP) if start is not None else None,
        stream=True,
        stream_options={"include_usage": True},
    )
    texts: dict[int, str] = {}
    prompt_tokens = completion_tokens = 0
    async for chunk in stream:
        for choice in chunk.choices:
            texts[choice.index] = texts.get(choice.index, "") + (choice.delta.content or "")
        if chunk.usage is not None:
            prompt_tokens = max(prompt_tokens, chunk.usage.prompt_tokens)
            completion_tokens += chunk.usage.completion_tokens
    seconds = time.perf_counter() - started
    return [texts[i] for i in sorted(texts)], {
        "seconds": round(seconds, 2),
        "choices": len(texts),
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "start": start,
    }


async def _judge(
    pool: SandboxPool, task: Task, problem: Problem, text: str, start: str | None
) -> dict:
    extraction = answer_snippet(text, problem.name, start)
    candidate = (
        make_candidate(problem, extraction.snippet, 0, 0) if extraction.snippet is not None else None
    )
    if candidate is None:
        return {"usable": False, "public": False, "right": False, "key": None, "body": None}
    results = await pool.run_many(candidate.module, public_probes(problem))
    public = judge_public(problem, results, candidate).passes
    right = await score(pool, task, candidate.module)
    return {
        "usable": True,
        "public": public,
        "right": right,
        "key": candidate.id,
        "body": candidate.body,
    }


async def run(args: argparse.Namespace) -> list[dict]:
    tasks = stubset.select_tasks(
        stubset.load_tasks(), limit=args.limit, ids=[i for i in args.ids.split(",") if i]
    )
    temperatures = [float(t) for t in args.temperatures.split(",") if t]
    rows: list[dict] = []
    commit = git_commit(_ROOT)
    async with SandboxPool() as pool:
        for model in [m for m in args.models.split(",") if m]:
            async with LocalModelServer.shared(model=model) as server:
                client = openai.AsyncOpenAI(
                    base_url=server.base_url, api_key=server.api_key, timeout=1800.0
                )
                for task in tasks:
                    problem = task.problem()
                    for temperature, n in [(0.0, 1)] + [(t, args.n) for t in temperatures]:
                        texts, meta = await _answers(
                            client, server.model_name, problem, temperature, n
                        )
                        verdicts = [
                            await _judge(pool, task, problem, t, meta["start"]) for t in texts
                        ]
                        row = {
                            "model": model,
                            "task": task.task_id,
                            "temperature": temperature,
                            "n": n,
                            **{k: v for k, v in meta.items() if k != "start"},
                            "samples": verdicts,
                        }
                        rows.append(row)
                        right = sum(v["right"] for v in verdicts)
                        sys.stderr.write(
                            f"{model} {task.task_id} T={temperature}: {right}/{len(verdicts)} "
                            f"right, {meta['seconds']} s\n"
                        )
                        _save(rows, args, commit)
                await client.close()
    return rows


def _save(rows: list[dict], args: argparse.Namespace, commit: str) -> None:
    Path(args.out).write_text(
        json.dumps({"commit": commit, "argv": sys.argv[1:], "rows": rows}, indent=1) + "\n"
    )


def summary(rows: list[dict]) -> str:
    lines = [
        "| model | T | samples right | pass examples | stubs with a right sample | "
        "distinct programs / stub | model s / stub | completion tok / stub |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    keys = sorted({(r["model"], r["temperature"]) for r in rows})
    for model, temperature in keys:
        group = [r for r in rows if r["model"] == model and r["temperature"] == temperature]
        samples = [s for r in group for s in r["samples"]]
        right = sum(s["right"] for s in samples)
        public = sum(s["public"] for s in samples)
        oracle = sum(any(s["right"] for s in r["samples"]) for r in group)
        distinct = sum(len({s["key"] for s in r["samples"] if s["key"]}) for r in group)
        seconds = sum(r["seconds"] for r in group)
        tokens = sum(r["completion_tokens"] or 0 for r in group)
        count = len(group)
        lines.append(
            f"| {model} | {temperature} | {right}/{len(samples)} ({100 * right / max(1, len(samples)):.0f} %) "
            f"| {public}/{len(samples)} | {oracle}/{count} | {distinct / count:.1f} "
            f"| {seconds / count:.0f} | {tokens / count:.0f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default="qwen2.5-coder-0.5b,qwen2.5-coder-1.5b")
    parser.add_argument("--temperatures", default="0.3,0.7")
    parser.add_argument("--n", type=int, default=8, help="samples per temperature (one request)")
    parser.add_argument("--ids", default="", help="comma-separated stub names (default: all)")
    parser.add_argument("--limit", type=int, help="the first K stubs")
    parser.add_argument("--out", default=str(_OUT))
    parser.add_argument("--report-only", action="store_true", help="summarise --out again")
    args = parser.parse_args(argv)
    if args.report_only:
        rows = json.loads(Path(args.out).read_text())["rows"]
    else:
        rows = asyncio.run(run(args))
    sys.stdout.write(summary(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
