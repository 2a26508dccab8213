"""Samples alone, prefilled or not: tokens, wall time and how many pass the examples.

The solve latency bench (solve_latency_bench.py) measures whole solves, whose length depends on
how many samples pass (repairs, more waves, selection). This one isolates stage 1's first wave:
for each stub of examples/*.py, N samples (seeds 0..N-1, temperature 0.7, concurrently, empty
cache) with today's prompt, with the prefilled prompt as the engine sends it, and with a variant
whose prefix keeps the header's final newline; each sample is tested on the public examples in
the sandbox exactly as the engine tests it.

    .venv/bin/python benchmarks/prefill_samples_bench.py [--samples 8] [--only NAME]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(_ROOT))

from sandbox import SandboxPool  # noqa: E402
from sstar.cache import Cache  # noqa: E402
from sstar.candidates import make_candidate, run_public  # noqa: E402
from sstar.config import Config  # noqa: E402
from sstar.context import SolveContext  # noqa: E402
from sstar.events import Stage  # noqa: E402
from sstar.llm import LLMClient  # noqa: E402
from sstar.localmodel import DEFAULT_MODEL, LocalModelServer  # noqa: E402
from sstar.prefill import STOP, OPEN, answer_snippet, header  # noqa: E402
from sstar.problem import Problem  # noqa: E402
from sstar.prompts import sample_messages  # noqa: E402

sys.path.insert(0, str(_ROOT / "benchmarks"))
from solve_latency_bench import example_problems  # noqa: E402

_OUT = _ROOT / "benchmarks" / "results" / "prefill_samples.json"


def starts(problem: Problem) -> dict[str, str | None]:
    head = header(problem)
    return {
        "today": None,
        "prefill": None if head is None else OPEN + head.rstrip("\n"),  # what the engine sends
        "prefill+newline": None if head is None else OPEN + head,
    }


async def one_variant(ctx: SolveContext, start: str | None, count: int) -> dict:
    problem = ctx.problem

    async def sample(seed: int) -> tuple[int, bool, bool]:
        answer = await ctx.complete(
            sample_messages(problem, prefill=start),
            stage=Stage.SAMPLING,
            temperature=0.7,
            seed=seed,
            stop=STOP if start is not None else None,
        )
        found = answer_snippet(answer.text, problem.name, start)
        candidate = make_candidate(problem, found.snippet, seed, 0) if found.snippet else None
        if candidate is None:
            return answer.completion_tokens, False, False
        run = await run_public(ctx, candidate)
        return answer.completion_tokens, True, run.passes

    started = time.perf_counter()
    results = await asyncio.gather(*(sample(seed) for seed in range(count)))
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "completion_tokens": [r[0] for r in results],
        "usable": sum(1 for r in results if r[1]),
        "passing": sum(1 for r in results if r[2]),
    }


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=8)
    parser.add_argument("--only", default="")
    parser.add_argument("--out", type=Path, default=_OUT)
    args = parser.parse_args(argv)
    rows = []
    async with SandboxPool(workers=2) as pool, LocalModelServer.shared(DEFAULT_MODEL) as server:
        llm = LLMClient(
            base_url=server.base_url, api_key=server.api_key, model=server.model_name, timeout=600
        )
        for name, problem in example_problems():
            if args.only not in name:
                continue
            for variant, start in starts(problem).items():
                with tempfile.TemporaryDirectory() as cold:
                    ctx = SolveContext(
                        problem, Config(), llm=llm, sandbox=pool, cache=Cache(Path(cold)),
                        on_event=None, fingerprint={"base_url": server.base_url},
                    )
                    row = {"problem": name, "variant": variant,
                           **await one_variant(ctx, start, args.samples)}
                rows.append(row)
                print(json.dumps(row), flush=True)
        await llm.aclose()
    await LocalModelServer.stop_all()
    summary = {}
    for variant in ("today", "prefill", "prefill+newline"):
        mine = [r for r in rows if r["variant"] == variant]
        if mine:
            summary[variant] = {
                "seconds_total": round(sum(r["seconds"] for r in mine), 1),
                "tokens_median": statistics.median(t for r in mine for t in r["completion_tokens"]),
                "tokens_total": sum(sum(r["completion_tokens"]) for r in mine),
                "usable": sum(r["usable"] for r in mine),
                "passing": sum(r["passing"] for r in mine),
                "samples": args.samples * len(mine),
            }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "rows": rows}, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
