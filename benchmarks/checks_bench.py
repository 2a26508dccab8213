"""What checks do the real models write from the docstrings, and how many survive the filters?

For every stub of the realistic set, one checks request (the engine's own prompt, temperature 0,
the engine's token cap), parsed and filtered as the engine does (`sstar.checks`), then validated
against the docstring's examples and run on the engine's typed inputs (`sstar.assess.Evidence`)
for two programs: the stub's reference body and its examples-only ("naive") body. Those two are
used here only to MEASURE the filters (is a surviving check sound: does the reference pass it? is
it useful: does the naive body fail it?); the engine never sees them, and no prompt holds them.

Prints: checks written, dropped by the parser (by reason), dropped by the examples, surviving;
of the survivors, the share the reference passes (sound) and the share the naive body fails
(useful); stubs with at least one sound and useful check. Raw records go to a JSONL file.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/checks_bench.py --base-url URL --model NAME \
        --out checks.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import openai  # noqa: E402

from sandbox import SandboxPool  # noqa: E402
from sstar.assess import Evidence  # noqa: E402
from sstar.cache import Cache  # noqa: E402
from sstar.candidates import make_candidate, run_public  # noqa: E402
from sstar.check_prompts import checks_messages  # noqa: E402
from sstar.checks import Rejection, parse_checks  # noqa: E402
from sstar.config import Config  # noqa: E402
from sstar.context import SolveContext  # noqa: E402
from sstar.extract_code import extract_snippet  # noqa: E402
from sstar.generate import Generation  # noqa: E402
from sstar.pipeline import _CHECKS_TOKENS  # noqa: E402
from sstar.problem import extract_problem  # noqa: E402
from sstar.stubs import find_stubs  # noqa: E402

_GROUND_TRUTH = (Rejection.REJECTS_EXAMPLE, Rejection.CRASHES)


async def one(client, model, pool, root: Path, name: str, stored: dict | None = None) -> dict:
    source = (root / f"{name}.py").read_text()
    (stub,) = find_stubs(source)
    problem = extract_problem(source, qualname=stub.qualname, path=f"{name}.py")
    messages = checks_messages(problem)
    if messages is None:
        return {"stub": name, "written": 0}
    if stored is not None:  # --rescore: the answer as recorded, judged by today's filters
        text, seconds, tokens = stored["answer"], stored["seconds"], stored["tokens"]
    else:
        began = time.time()
        answer = await client.chat.completions.create(
            model=model, messages=messages, temperature=0.0, seed=0, max_tokens=_CHECKS_TOKENS
        )
        seconds = time.time() - began
        text = answer.choices[0].message.content or ""
        tokens = answer.usage.completion_tokens
    parsed = parse_checks(text, problem)
    ctx = SolveContext(problem, Config(), llm=None, sandbox=pool, cache=Cache.disabled(),
                       on_event=None, fingerprint={})
    generation = Generation()
    for index, folder in enumerate(("reference", "naive")):
        body = extract_snippet((root / folder / f"{name}.py").read_text(), problem.name)
        candidate = make_candidate(problem, body.snippet, index, 0)
        generation.candidates.append(candidate)
        generation.samples_of[candidate.id] = [index]
        generation.runs[candidate.id] = await run_public(ctx, candidate)
    reference, naive = generation.candidates
    evidence = Evidence(ctx, parsed)
    await evidence.prepare()
    assessment = await evidence.assess(generation)
    checks = []
    for stat in assessment.checks:
        dropped = stat.rejection in _GROUND_TRUTH
        rejects_both = stat.rejection is Rejection.REJECTS_ALL  # reference and naive fail it
        checks.append({
            "rejects_both": rejects_both,
            "name": stat.check.name, "kind": stat.check.kind.value, "sentence": stat.check.sentence,
            "shown": stat.check.shown, "dropped": stat.rejection.name if dropped else None,
            "applied": stat.passed + stat.failed > 0,
            "sound": not dropped and not rejects_both
            and stat.check.name not in assessment.violations.get(reference.id, ()),
            "useful": not dropped and (rejects_both
                                       or stat.check.name in assessment.violations.get(naive.id, ())),
        })
    return {
        "stub": name, "seconds": round(seconds, 1), "tokens": tokens,
        "written": text.count("def check_"), "parser_dropped": [r.name for _, r in parsed.dropped],
        "calls": len(parsed.calls), "checks": checks, "answer": text,
        "reference_passes_examples": generation.runs[reference.id].passes,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stubs-dir", type=Path, default=ROOT / "benchmarks" / "stubs")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--key-env", default="OPENAI_API_KEY")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--ids", default="", help="comma-separated stub names (default: all)")
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--rescore", type=Path, help="judge the answers recorded in this JSONL again")
    args = parser.parse_args()
    names = [p.stem for p in sorted(args.stubs_dir.glob("*.py"))
             if not p.name.startswith("_") and (args.stubs_dir / "hidden" / p.name).exists()]
    if args.ids:
        names = [n for n in names if n in args.ids.split(",")]
    done = {}
    if args.out.exists():
        for line in args.out.read_text().splitlines():
            record = json.loads(line)
            done[record["stub"]] = record
    if args.report_only:
        report([done[n] for n in names if n in done])
        return
    if args.rescore:
        stored = {json.loads(x)["stub"]: json.loads(x) for x in args.rescore.read_text().splitlines()}
        async with SandboxPool() as pool:
            records = []
            for name in names:
                if name in stored and stored[name].get("answer") is not None:
                    records.append(await one(None, None, pool, args.stubs_dir, name, stored[name]))
        with args.out.open("w") as out:
            out.writelines(json.dumps(r) + "\n" for r in records)
        report(records)
        return
    client = openai.AsyncOpenAI(base_url=args.base_url, api_key=os.environ.get(args.key_env, "none"),
                                timeout=900)
    gate = asyncio.Semaphore(args.concurrency)
    async with SandboxPool() as pool:
        with args.out.open("a") as out:

            async def run(name: str) -> None:
                async with gate:
                    record = await one(client, args.model, pool, args.stubs_dir, name)
                done[name] = record
                out.write(json.dumps(record) + "\n")
                out.flush()
                print(f"[{len(done)}/{len(names)}] {name}", file=sys.stderr)

            await asyncio.gather(*(run(n) for n in names if n not in done))
    report([done[n] for n in names if n in done])


def report(records: list[dict]) -> None:
    written = sum(r.get("written", 0) for r in records)
    parser = Counter(reason for r in records for reason in r.get("parser_dropped", []))
    checks = [c for r in records for c in r.get("checks", [])]
    by_examples = Counter(c["dropped"] for c in checks if c["dropped"])
    agreement = sum(1 for c in checks if not c["dropped"] and c.get("rejects_both"))
    survivors = [c for c in checks if not c["dropped"] and c.get("applied", True)
                 and not c.get("rejects_both")]
    idle = sum(1 for c in checks if not c["dropped"] and not c.get("applied", True))
    sound = [c for c in survivors if c["sound"]]
    useful = [c for c in sound if c["useful"]]
    stubs_useful = sum(1 for r in records if any(c["sound"] and c["useful"] for c in r.get("checks", [])))
    stubs_unsound = sum(1 for r in records if any(not c["dropped"] and not c["sound"] and not c.get("rejects_both") and c.get("applied", True) for c in r.get("checks", [])))
    print(f"{len(records)} stubs; check functions written: {written}")
    print(f"dropped by the parser: {sum(parser.values())} {dict(parser)}")
    print(f"checks after splitting asserts: {len(checks)}; dropped by the examples: "
          f"{sum(by_examples.values())} {dict(by_examples)}")
    print(f"failed by both the reference and the naive body (dual agreement drops it once no "
          f"candidate passes): {agreement}")
    print(f"surviving but never applicable (no plain output to judge): {idle}")
    print(f"surviving: {len(survivors)}; sound (reference passes): {len(sound)} "
          f"({len(sound) / max(1, len(survivors)):.0%}); sound and useful (naive fails): {len(useful)}")
    print(f"stubs with a sound, useful check: {stubs_useful}/{len(records)}; "
          f"stubs with an unsound survivor: {stubs_unsound}/{len(records)}")
    print(f"kinds of survivors: {dict(Counter(c['kind'] for c in survivors))}; "
          f"sound raises checks: {sum(1 for c in sound if c['kind'] == 'raises')}")


if __name__ == "__main__":
    asyncio.run(main())
