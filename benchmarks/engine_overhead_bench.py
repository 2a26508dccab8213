"""Engine overhead: the share of a solve's wall time spent outside model calls and sandbox runs.

A scripted OpenAI-compatible server runs as its own process and answers with small, realistic
latencies; the engine runs a full S* solve of `examples/intervals.py::merge_intervals` (8 samples,
2 repair rounds, a mix of right, wrong and subtly different programs, so every stage runs: repair,
input synthesis, behaviour groups and the judged tournament) on the real sandbox, with a fresh
on-disk cache and an event sink that renders every event (the CLI's set-up), then once more with
everything cached.

Printed: per solve, wall time (taken around `Engine.solve`), the union of model-call time, the union of model-call and sandbox
time ("external"), the engine's own time on the critical path (wall - external) as a share of the
wall time (target < 5 %), and the parent process's CPU time as a share of wall time (an upper bound
that also counts the openai client, HTTP and the sandbox's parent side), and the wall time of the
fully cached second solve.

    .venv/bin/python benchmarks/engine_overhead_bench.py [--solves 3] [--latency 0.4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sandbox import SandboxPool  # noqa: E402

from sstar.cache import Cache  # noqa: E402
from sstar.config import Config  # noqa: E402
from sstar.engine import Engine  # noqa: E402
from sstar.events import describe  # noqa: E402
from sstar.problem import extract_problem  # noqa: E402

RIGHT = """def merge_intervals(intervals):
    out = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
"""
RIGHT_TOO = """def merge_intervals(intervals):
    merged = []
    for s, e in sorted(intervals, key=lambda p: p[0]):
        if merged and merged[-1][1] >= s:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged
"""
NO_SORT = """def merge_intervals(intervals):
    out = []
    for start, end in intervals:
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
"""
STRICT = RIGHT.replace("start <= out[-1][1]", "start < out[-1][1]")  # fails the touching example


def fenced(code: str) -> str:
    return f"Here is the function:\n```python\n{code}```\n"


def script(latency: float) -> dict:
    def reply(text: str, scale: float = 1.0) -> dict:
        return {
            "text": text,
            "delay": round(latency * scale, 3),
            "completion_tokens": len(text) // 4,
        }

    samples = [RIGHT, STRICT, NO_SORT, RIGHT_TOO, STRICT, RIGHT, NO_SORT, "I would sort first."]
    return {
        "model": "bench",
        "rules": [
            {"match": "Your function fails these tests", "replies": [reply(fenced(RIGHT_TOO))]},
            {
                "match": "Version 2:",
                "replies": [reply(fenced("merge_intervals([(5, 6), (1, 2)])"), 0.5)],
            },
            {"match": "Program A:", "replies": [reply("The sorted one is right.\nAnswer: A", 0.5)]},
            {
                "match": "that test edge cases",
                "replies": [
                    reply(
                        fenced(
                            "merge_intervals([(3, 4), (1, 2)])\nmerge_intervals([(1, 1)])\n"
                            "merge_intervals([(0, 0), (0, 0)])"
                        ),
                        0.5,
                    )
                ],
            },
            {
                "match": "Reply with the complete function",
                "replies": [reply(fenced(s)) for s in samples],
            },
        ],
    }


def _renderer(lines: list[str]):
    def sink(event) -> None:
        line = describe(event)
        if line is not None:
            lines.append(line)

    return sink


async def bench(solves: int, latency: float) -> list[dict]:
    source = (ROOT / "examples" / "intervals.py").read_text()
    problem = extract_problem(source, qualname="merge_intervals")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        script_path = Path(tmp) / "script.json"
        script_path.write_text(json.dumps(script(latency)))
        async with SandboxPool() as pool:
            for number in range(solves):
                server = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "tests.support.scripted_llm",
                        "--script",
                        str(script_path),
                    ],
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                try:
                    base_url = server.stdout.readline().split()[1]
                    config = Config(
                        base_url=base_url, model="bench", api_key="bench", samples=8, rounds=2
                    )
                    # The default set-up: a (fresh, so cold) on-disk cache and an event sink that
                    # renders every event, as the CLI does; both are part of the engine's cost.
                    cache = Cache(Path(tmp) / f"cache-{number}")
                    engine = Engine(config, sandbox=pool, cache=cache)
                    lines: list[str] = []
                    sink = _renderer(lines)
                    cpu = time.process_time()
                    started = time.perf_counter()
                    result = await engine.solve(problem, on_event=sink)
                    wall = time.perf_counter() - started
                    cpu = time.process_time() - cpu
                    timing = engine.last_timing
                    # The same solve again: every answer and run comes from the cache.
                    started = time.perf_counter()
                    await engine.solve(problem, on_event=sink)
                    cached_wall = time.perf_counter() - started
                    await engine.aclose()
                finally:
                    server.terminate()
                    server.wait(10)
                usage = result.usage.total
                # Wall time is taken around `solve` itself (set-up and the report included);
                # external time is the union of model-call and sandbox intervals inside it.
                overhead = max(0.0, wall - timing.external_seconds)
                rows.append(
                    {
                        "status": result.status.value,
                        "calls": usage.calls,
                        "sandbox_runs": result.usage.sandbox_runs,
                        "wall": wall,
                        "llm": timing.llm_seconds,
                        "external": timing.external_seconds,
                        "overhead": overhead,
                        "share": overhead / wall,
                        "cpu_share": cpu / wall,
                        "cached_wall": cached_wall,
                    }
                )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--solves", type=int, default=3)
    parser.add_argument(
        "--latency", type=float, default=0.4, help="seconds per sample/repair reply"
    )
    args = parser.parse_args()
    rows = asyncio.run(bench(args.solves, args.latency))
    print(
        f"engine overhead, merge_intervals, 8 samples x 2 rounds, reply latency {args.latency:g} s"
    )
    print(
        "status       calls  runs  wall_s  llm_s  external_s  overhead_s  overhead%  cpu%  "
        "cached_s"
    )
    for r in rows:
        print(
            f"{r['status']:<12} {r['calls']:>5} {r['sandbox_runs']:>5} {r['wall']:>7.3f} "
            f"{r['llm']:>6.3f} {r['external']:>11.3f} {r['overhead']:>11.3f} "
            f"{100 * r['share']:>9.2f} {100 * r['cpu_share']:>5.1f} {r['cached_wall']:>9.3f}"
        )
    shares = sorted(r["share"] for r in rows)
    print(f"median overhead share: {100 * shares[len(shares) // 2]:.2f} % (target < 5 %)")


if __name__ == "__main__":
    main()
