"""Which sampling temperature? Per-sample correctness and diversity on the realistic stub set.

For every stub of the set (default `benchmarks/stubs`, or --stubs-dir) and every temperature,
draw k samples with the engine's own sampling prompt (seeds 1..k) plus the greedy answer
(temperature 0), turn each into a candidate as the engine does, and score it with the stub's
hidden tests in the sandbox (module, then `hidden/_prelude.py`, then the hidden tests; each
`test_*` its own probe). Hidden tests and reference bodies never reach a prompt: only the stub
file is read to build the request.

Prints, per temperature: the share of samples that pass the examples and that are right (hidden
tests), the share of stubs with at least one right sample among k ("any of k"), distinct programs
per stub, and the share of right answers that the greedy answer did not already have. Raw records
go to a JSONL file (resumable: records already there are not asked again).

    PYTHONPATH=$PWD .venv/bin/python benchmarks/sampling_bench.py --base-url URL --model NAME \
        --key-env OPENAI_API_KEY --temperatures 0.3,0.6,0.9 --k 3 --out results.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import openai  # noqa: E402

from sandbox import Limits, OutcomeKind, Probe, SandboxPool  # noqa: E402
from sstar.candidates import judge_public, make_candidate, public_probes  # noqa: E402
from sstar.extract_code import extract_snippet  # noqa: E402
from sstar.problem import extract_problem  # noqa: E402
from sstar.prompts import sample_messages  # noqa: E402
from sstar.stubs import find_stubs  # noqa: E402

_TEST_LIMITS = Limits(wall_seconds=5.0)


def load_stubs(root: Path) -> list[tuple[str, object, str, str]]:
    """(name, problem, hidden tests, prelude) for every stub file with hidden tests."""
    prelude_path = root / "hidden" / "_prelude.py"
    prelude = prelude_path.read_text() if prelude_path.exists() else ""
    out = []
    for path in sorted(root.glob("*.py")):
        hidden = root / "hidden" / path.name
        if path.name.startswith("_") or not hidden.exists():
            continue
        source = path.read_text()
        (stub,) = find_stubs(source)
        problem = extract_problem(source, qualname=stub.qualname, path=path.name)
        out.append((path.stem, problem, hidden.read_text(), prelude))
    return out


async def score(pool: SandboxPool, problem, module: str, hidden: str, prelude: str) -> dict:
    public = judge_public(problem, await pool.run_many(module, public_probes(problem), Limits()))
    names = [line.split("(")[0][4:] for line in hidden.splitlines() if line.startswith("def test_")]
    program = f"{module.rstrip()}\n\n\n{prelude.rstrip()}\n\n\n{hidden}"
    results = await pool.run_many(program, [Probe.expression(f"{n}()") for n in names], _TEST_LIMITS)
    failed = [
        n
        for n, r in zip(names, results, strict=True)
        if r.setup.kind is not OutcomeKind.RETURNED
        or not r.steps
        or r.steps[0].kind is not OutcomeKind.RETURNED
    ]
    return {"examples": public.passes, "right": not failed, "failed": failed}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stubs-dir", type=Path, default=ROOT / "benchmarks" / "stubs")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--key-env", default="OPENAI_API_KEY")
    parser.add_argument("--temperatures", default="0.3,0.6,0.9")
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=6)
    parser.add_argument("--max-tokens", type=int, default=1024)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--every", type=int, default=1, help="take every n-th stub (a subset)")
    args = parser.parse_args()
    temperatures = [float(t) for t in args.temperatures.split(",")]
    stubs = load_stubs(args.stubs_dir)[:: args.every]
    done = {}
    if args.out.exists():
        for line in args.out.read_text().splitlines():
            record = json.loads(line)
            done[(record["stub"], record["temperature"], record["seed"])] = record
    jobs = [(name, 0.0, 0) for name, *_ in stubs]
    jobs += [(name, t, seed) for name, *_ in stubs for t in temperatures for seed in range(1, args.k + 1)]
    todo = [job for job in jobs if job not in done]
    if todo and not args.report_only:
        client = openai.AsyncOpenAI(
            base_url=args.base_url, api_key=os.environ.get(args.key_env, "none"), timeout=900
        )
        by_name = {name: (problem, hidden, prelude) for name, problem, hidden, prelude in stubs}
        gate = asyncio.Semaphore(args.concurrency)
        started = time.time()
        async with SandboxPool() as pool:
            with args.out.open("a") as out:

                async def one(name: str, temperature: float, seed: int) -> None:
                    problem, hidden, prelude = by_name[name]
                    async with gate:
                        began = time.time()
                        answer = await client.chat.completions.create(
                            model=args.model,
                            messages=sample_messages(problem),
                            temperature=temperature,
                            seed=seed,
                            max_tokens=args.max_tokens,
                        )
                        seconds = time.time() - began
                    text = answer.choices[0].message.content or ""
                    extraction = extract_snippet(text, problem.name)
                    candidate = (
                        make_candidate(problem, extraction.snippet, seed, 0) if extraction.ok else None
                    )
                    record = {"stub": name, "temperature": temperature, "seed": seed,
                              "usable": candidate is not None, "key": candidate.key if candidate else None,
                              "tokens": answer.usage.completion_tokens if answer.usage else None,
                              "seconds": round(seconds, 2)}
                    if candidate is not None:
                        record.update(await score(pool, problem, candidate.module, hidden, prelude))
                    else:
                        record.update({"examples": False, "right": False, "failed": []})
                    done[(name, temperature, seed)] = record
                    out.write(json.dumps(record) + "\n")
                    out.flush()
                    print(f"[{len(done)}/{len(jobs)} {time.time() - started:.0f}s] {name} T={temperature} "
                          f"seed={seed} right={record['right']}", file=sys.stderr)

                await asyncio.gather(*(one(*job) for job in todo))
    report(done, [name for name, *_ in stubs], temperatures, args.k)


def report(done: dict, names: list[str], temperatures: list[float], k: int) -> None:
    greedy = {n: done.get((n, 0.0, 0)) for n in names}
    right_greedy = sum(1 for r in greedy.values() if r and r["right"])
    print(f"\n{len(names)} stubs, k={k}")
    print(f"greedy (T=0): right {right_greedy}/{len(names)} = {right_greedy / len(names):.0%}, "
          f"passes examples {sum(1 for r in greedy.values() if r and r['examples'])}/{len(names)}")
    print("T     per-sample right  passes examples  any of k right  distinct/stub  right beyond greedy")
    for t in temperatures:
        records = [done[(n, t, s)] for n in names for s in range(1, k + 1) if (n, t, s) in done]
        if not records:
            continue
        by_stub = defaultdict(list)
        for r in records:
            by_stub[r["stub"]].append(r)
        any_right = sum(1 for rs in by_stub.values() if any(r["right"] for r in rs))
        beyond = sum(1 for n, rs in by_stub.items() if any(r["right"] for r in rs)
                     and not (greedy.get(n) or {}).get("right"))
        distinct = statistics.mean(len({r["key"] for r in rs if r["key"]}) for rs in by_stub.values())
        right = sum(r["right"] for r in records) / len(records)
        examples = sum(r["examples"] for r in records) / len(records)
        print(f"{t:<5} {right:>16.0%}  {examples:>15.0%}  {any_right:>6}/{len(by_stub):<7}  "
              f"{distinct:>13.2f}  {beyond:>19}")


if __name__ == "__main__":
    asyncio.run(main())
