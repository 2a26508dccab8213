"""Aggregate completion throughput of the embedded local model at 1, 4 and 8 concurrent streams.

Starts the real llama-server exactly as the engine does (``sstar.localmodel``, default
``ServerSettings``) and sends real OpenAI-compatible ``/v1/chat/completions`` requests with
``openai.AsyncOpenAI``. The prompt is the engine's own sampling prompt for the
``examples/intervals.py::merge_intervals`` stub. At each level ``c`` concurrent streams each make
``--reps`` requests back to back; every request generates exactly ``--max-tokens`` tokens
(``ignore_eos``) so levels compare like for like. All levels run against one server in one run.

Per level it prints: aggregate completion tokens/s, the ratio to one stream, completion tokens
per CPU-second of the server and its ratio (the batching gain itself, which a busy shared machine
does not blur: wall-clock figures there mostly measure the other processes), the mean tokens/s one
stream sees, and prompt processing (tokens the server actually evaluated, after its prompt cache,
and the milliseconds it took, from llama-server's ``timings``). ``--parallel-baseline`` adds the
same levels against a server with ONE slot, which is how a one-request-at-a-time server
(llama-cpp-python's own) behaves: concurrency buys nothing there.

    .venv/bin/python benchmarks/local_model_bench.py [--model qwen2.5-coder-0.5b] [--parallel-baseline]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from openai import AsyncOpenAI

from sstar.localmodel import DEFAULT_MODEL, MODELS, LocalModelServer, ServerSettings
from sstar.problem import extract_problem
from sstar.prompts import sample_messages

_ROOT = Path(__file__).resolve().parent.parent
_STUB = _ROOT / "examples" / "intervals.py"


def engine_messages() -> list[dict]:
    """The messages the engine sends to sample a candidate for a typical stub."""
    source = _STUB.read_text()
    return sample_messages(extract_problem(source, path=_STUB, qualname="merge_intervals"))


def cpu_seconds(pid: int | None) -> float:
    """CPU time the server has used so far (user + system, all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def one_level(
    srv: LocalModelServer,
    messages: list[dict],
    streams: int,
    reps: int,
    max_tokens: int,
    cache_prompt: bool,
) -> dict:
    client = AsyncOpenAI(base_url=srv.base_url, api_key=srv.api_key, max_retries=0, timeout=900)
    timings: list[dict] = []

    async def stream() -> tuple[int, float]:
        tokens, start = 0, time.perf_counter()
        for _ in range(reps):
            resp = await client.chat.completions.create(
                model=srv.model_name,
                messages=messages,
                max_tokens=max_tokens,
                temperature=0.7,
                extra_body={"ignore_eos": True, "cache_prompt": cache_prompt},
            )
            tokens += resp.usage.completion_tokens
            timings.append((resp.model_extra or {}).get("timings") or {})
        return tokens, time.perf_counter() - start

    cpu0, start = cpu_seconds(srv.pid), time.perf_counter()
    results = await asyncio.gather(*(stream() for _ in range(streams)))
    wall, cpu = time.perf_counter() - start, cpu_seconds(srv.pid) - cpu0
    await client.close()
    tokens = sum(t for t, _ in results)
    return {
        "streams": streams,
        "requests": streams * reps,
        "tokens": tokens,
        "seconds": wall,
        "tok_s": tokens / wall,
        "cpu_seconds": cpu,
        "tok_per_cpu_s": tokens / cpu,
        "per_stream_tok_s": statistics.mean(t / s for t, s in results),
        "prompt_tokens_evaluated": statistics.mean(t.get("prompt_n", 0) for t in timings),
        "prompt_ms": statistics.mean(t.get("prompt_ms", 0.0) for t in timings),
        "prompt_ms_max": max(t.get("prompt_ms", 0.0) for t in timings),
    }


async def run_server(
    model: str,
    settings: ServerSettings,
    levels: list[int],
    reps: int,
    max_tokens: int,
    rounds: int,
    cache_prompt: bool,
) -> tuple[int, list[dict]]:
    messages = engine_messages()
    async with LocalModelServer.shared(model, settings=settings) as srv:
        # Warm-up: page the weights in; also tells us the prompt's size in tokens.
        client = AsyncOpenAI(base_url=srv.base_url, api_key=srv.api_key, max_retries=0)
        warm = await client.chat.completions.create(
            model=srv.model_name, messages=messages, max_tokens=8
        )
        await client.close()
        # Levels are interleaved over `rounds` so that load from other processes on a shared
        # machine spreads over all levels instead of skewing one of them.
        runs: dict[int, list[dict]] = {c: [] for c in levels}
        for _ in range(rounds):
            for c in levels:
                runs[c].append(await one_level(srv, messages, c, reps, max_tokens, cache_prompt))
    await LocalModelServer.stop_all()
    return warm.usage.prompt_tokens, [_merge(runs[c]) for c in levels]


def _merge(rows: list[dict]) -> dict:
    tokens, seconds = sum(r["tokens"] for r in rows), sum(r["seconds"] for r in rows)
    cpu = sum(r["cpu_seconds"] for r in rows)
    return {
        "streams": rows[0]["streams"],
        "requests": sum(r["requests"] for r in rows),
        "tokens": tokens,
        "seconds": seconds,
        "tok_s": tokens / seconds,
        "cpu_seconds": cpu,
        "tok_per_cpu_s": tokens / cpu,
        "per_stream_tok_s": statistics.mean(r["per_stream_tok_s"] for r in rows),
        "prompt_tokens_evaluated": statistics.mean(r["prompt_tokens_evaluated"] for r in rows),
        "prompt_ms": statistics.mean(r["prompt_ms"] for r in rows),
        "prompt_ms_max": max(r["prompt_ms_max"] for r in rows),
    }


def show(title: str, prompt_tokens: int, rows: list[dict]) -> None:
    base, base_cpu = rows[0]["tok_s"], rows[0]["tok_per_cpu_s"]
    out = sys.stdout.write
    out(f"\n{title}\nprompt: {prompt_tokens} tokens (engine sampling prompt)\n")
    out(
        f"{'streams':>7} {'reqs':>5} {'tokens':>7} {'seconds':>8} {'agg tok/s':>10} {'x one':>6} "
        f"{'tok/cpu-s':>9} {'x one':>6} "
        f"{'per-stream tok/s':>17} {'prompt eval tok':>16} {'prompt ms mean/max':>19}\n"
    )
    for r in rows:
        out(
            f"{r['streams']:>7} {r['requests']:>5} {r['tokens']:>7} {r['seconds']:>8.1f} "
            f"{r['tok_s']:>10.1f} {r['tok_s'] / base:>6.2f} "
            f"{r['tok_per_cpu_s']:>9.1f} {r['tok_per_cpu_s'] / base_cpu:>6.2f} "
            f"{r['per_stream_tok_s']:>17.1f} "
            f"{r['prompt_tokens_evaluated']:>16.0f} "
            f"{r['prompt_ms']:>10.0f}/{r['prompt_ms_max']:<8.0f}\n"
        )
    sys.stdout.flush()


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(_ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", choices=sorted(MODELS), default=DEFAULT_MODEL)
    ap.add_argument("--levels", default="1,4,8", help="concurrent streams per level")
    ap.add_argument("--reps", type=int, default=2, help="requests per stream")
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument(
        "--cache-prompt",
        action="store_true",
        help="let a slot reuse its cached prompt (flatters few streams: one stream reuses one slot)",
    )
    ap.add_argument("--rounds", type=int, default=1, help="repeat all levels, interleaved")
    ap.add_argument("--threads", type=int, default=None, help="override (tuning only)")
    ap.add_argument("--server-args", default="", help="extra llama-server flags (tuning only)")
    ap.add_argument("--parallel-baseline", action="store_true", help="also measure 1 slot")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    # The engine's settings, unchanged except that the server stops as soon as we are done.
    engine = dataclasses.replace(ServerSettings(), idle_seconds=0)
    if args.threads or args.server_args:
        engine = dataclasses.replace(
            engine,
            threads=args.threads or engine.threads,
            extra_args=engine.extra_args + tuple(args.server_args.split()),
        )
    runs = {f"llama-server as the engine runs it ({engine.parallel} slots, cont. batching)": engine}
    if args.parallel_baseline:
        runs["llama-server with 1 slot (one request at a time)"] = dataclasses.replace(
            engine, parallel=1
        )
    sys.stdout.write(
        f"model {args.model}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}, "
        f"commit {_commit()}, {args.reps} requests/stream, "
        f"{args.max_tokens} completion tokens/request, {args.rounds} interleaved rounds\n"
        f"settings {engine}\n"
    )
    results = {}
    for title, settings in runs.items():
        prompt_tokens, rows = asyncio.run(
            run_server(
                args.model,
                settings,
                levels,
                args.reps,
                args.max_tokens,
                args.rounds,
                args.cache_prompt,
            )
        )
        results[title] = {"prompt_tokens": prompt_tokens, "rows": rows}
        show(title, prompt_tokens, rows)
    if args.json:
        sys.stdout.write(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
