"""What the embedded llama-server reuses of the prompt the N samples share (issue 13, "prefill once").

The N sample requests of a solve carry the same prompt (they differ only in seed). llama-server
reports per answer how many prompt tokens it evaluated (`timings.prompt_n`) and how many it took
from a cache (`timings.cache_n`). Three ways of sending the same N requests, each on a fresh
server (so no earlier run's cache is there), are compared:

- `together`: all N at once (what the engine does today);
- `one-first`: one request, then the other N-1 at once (a slot's cache, or `--cache-ram`'s host
  cache, may then serve the others);
- `again`: the `together` batch sent a second time (a "Regenerate" of the same stub).

    .venv/bin/python benchmarks/prompt_reuse_bench.py [--samples 8] [--max-tokens 16] [--json F]

Only token counts are compared (they do not depend on the machine's load); wall times are
printed for reference.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sstar.localmodel import DEFAULT_MODEL, LocalModelServer  # noqa: E402
from sstar.prefill import STOP, prefix  # noqa: E402
from sstar.problem import extract_problem  # noqa: E402
from sstar.prompts import sample_messages  # noqa: E402

STUB = ROOT / "examples" / "intervals.py"


def _post(server: LocalModelServer, body: dict) -> dict:
    # Plain HTTP, not the SDK: llama-server's `timings` are not part of the OpenAI types.
    request = urllib.request.Request(
        f"{server.base_url}/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {server.api_key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=900) as response:
        return json.loads(response.read())


async def ask(server: LocalModelServer, body: dict, seed: int) -> dict:
    started = time.perf_counter()
    data = await asyncio.to_thread(_post, server, {**body, "seed": seed})
    timings = data.get("timings") or {}
    return {
        "seed": seed,
        "prompt_tokens": (data.get("usage") or {}).get("prompt_tokens"),
        "evaluated": timings.get("prompt_n"),
        "reused": timings.get("cache_n"),
        "seconds": round(time.perf_counter() - started, 3),
    }


async def batch(server, body, seeds) -> list[dict]:
    return list(await asyncio.gather(*(ask(server, body, s) for s in seeds)))


async def mode(name: str, model: str, body: dict, samples: int) -> dict:
    # A fresh server per mode: what one mode cached must not serve the next.
    server = LocalModelServer.shared(model)
    await server.stop()
    async with server:
        seeds = list(range(samples))
        if name == "together":
            rows = await batch(server, body, seeds)
        elif name == "one-first":
            rows = [await ask(server, body, seeds[0])]
            rows += await batch(server, body, seeds[1:])
        else:  # again
            await batch(server, body, seeds)
            rows = await batch(server, body, seeds)
    await server.stop()
    evaluated = sum(r["evaluated"] or 0 for r in rows)
    reused = sum(r["reused"] or 0 for r in rows)
    return {"mode": name, "rows": rows, "evaluated": evaluated, "reused": reused}


def commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=16, help="tokens per answer (prompt reuse is the point)")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--json", help="write the rows here")
    args = parser.parse_args(argv)
    problem = extract_problem(STUB.read_text(encoding="utf-8"), qualname="merge_intervals", path=STUB)
    messages = sample_messages(problem, prefill=prefix(problem))
    body = {
        "model": args.model,
        "messages": messages,
        "temperature": 0.7,
        "max_tokens": args.max_tokens,
        "stop": list(STOP),
    }
    results = [await mode(name, args.model, body, args.samples) for name in ("together", "one-first", "again")]
    print(f"prompt reuse on the embedded llama-server, {args.samples} sample requests of "
          f"merge_intervals (commit {commit()}, model {args.model})")
    for result in results:
        total = result["evaluated"] + result["reused"]
        share = result["reused"] / total if total else 0.0
        slowest = max(r["seconds"] for r in result["rows"])
        print(f"{result['mode']:>10}: prompt tokens evaluated {result['evaluated']:6d}, reused "
              f"{result['reused']:6d} ({share:.0%}); slowest answer {slowest:.1f} s")
    if args.json:
        Path(args.json).write_text(json.dumps({"commit": commit(), "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
