"""Sandbox throughput and latency: fork-server workers against a fresh interpreter per run.

Both paths run the same workload (a small candidate module and one expression probe, the shape
of most executions in a solve) with every isolation layer the host offers, `workers` runs in
flight at a time (so latency has no queueing in it). The paths alternate in rounds, so a busy
machine slows both alike. Every result is checked, so failures cannot pass for speed.

Printed: executions per second, median and p90 latency per path, the CPU time per execution
summed over every process involved (parent, zygotes, children) with the rate that CPU cost allows
on otherwise idle CPUs (the machine is shared, so exec/s depends on the load printed too), the
ratio, and the targets (>= 300 executions/s with two workers, >= 5x the fresh-interpreter path).

    .venv/bin/python benchmarks/sandbox_bench.py [--workers 2] [--seconds 3] [--rounds 3]
                                                 [--json benchmarks/results/sandbox_bench.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sandbox import OutcomeKind, PoolMode, Probe, SandboxPool  # noqa: E402

CANDIDATE = """def merge_intervals(intervals):
    out = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
"""
PROBE = Probe.expression("merge_intervals([(1, 3), (2, 6), (8, 10), (15, 18)])")
EXPECTED = [(1, 6), (8, 10), (15, 18)]
PATHS = (PoolMode.FORK_SERVER, PoolMode.FRESH_INTERPRETER)
_TICK = os.sysconf("SC_CLK_TCK")
TARGET_RATE, TARGET_RATIO = 300.0, 5.0


async def _lane(pool: SandboxPool, until: float, latencies: list[float]) -> None:
    while time.perf_counter() < until:
        t0 = time.perf_counter()
        result = await pool.run(CANDIDATE, PROBE)
        latencies.append(time.perf_counter() - t0)
        step = result.steps[0]
        if step.kind is not OutcomeKind.RETURNED or step.value != EXPECTED:
            raise SystemExit(f"wrong result on {pool.mode}: {step}")


async def _measure(pool: SandboxPool, seconds: float, workers: int) -> tuple[int, float, list]:
    latencies: list[float] = []
    start = time.perf_counter()
    await asyncio.gather(*(_lane(pool, start + seconds, latencies) for _ in range(workers)))
    return len(latencies), time.perf_counter() - start, latencies


def _cpu_seconds(pools: dict[str, SandboxPool]) -> float:
    """CPU time so far of this process, its reaped children and the live zygotes (with theirs)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    for pool in pools.values():
        for pid in pool.worker_pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += sum(int(x) for x in fields[11:15]) / _TICK  # utime stime cutime cstime
    return total


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) >= 10 else max(values)


async def bench(workers: int, seconds: float, rounds: int) -> dict:
    pools = {mode: SandboxPool(workers, mode=mode) for mode in PATHS}
    totals: dict[PoolMode, dict] = {mode: {"runs": 0, "wall": 0.0, "cpu": 0.0, "latencies": []}
                                    for mode in PATHS}
    load_before = os.getloadavg()
    try:
        for pool in pools.values():
            await pool.start()
        for pool in pools.values():  # warm both (page cache, first-fork costs)
            await _measure(pool, 0.3, workers)
        for _ in range(rounds):
            for mode, pool in pools.items():
                cpu = _cpu_seconds(pools)
                runs, wall, latencies = await _measure(pool, seconds, workers)
                totals[mode]["cpu"] += _cpu_seconds(pools) - cpu
                totals[mode]["runs"] += runs
                totals[mode]["wall"] += wall
                totals[mode]["latencies"] += latencies
        report = str(pools[PoolMode.FORK_SERVER].report)
    finally:
        for pool in pools.values():
            await pool.close()
    rows = {}
    for mode, t in totals.items():
        lat = t["latencies"]
        rows[mode.value] = {"runs": t["runs"], "per_second": t["runs"] / t["wall"],
                      "median_ms": 1000 * statistics.median(lat), "p90_ms": 1000 * _p90(lat),
                      "cpu_ms": 1000 * t["cpu"] / t["runs"]}
    return {
        "rows": rows, "ratio": rows["fork-server"]["per_second"] / rows["fresh-interpreter"]["per_second"],
        "workers": workers, "seconds": seconds, "rounds": rounds, "cpus": os.cpu_count(),
        "load_before": load_before, "load_after": os.getloadavg(), "isolation": report,
        "python": sys.version.split()[0], "kernel": platform.release(), "commit": _commit(),
    }


def _commit() -> str:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "sandbox"],
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.stdout.strip() + ("+dirty-sandbox" if dirty.stdout.strip() else "")


def render(result: dict) -> str:
    rows, ratio = result["rows"], result["ratio"]
    lines = [
        f"sandbox bench: {result['workers']} workers, {result['rounds']} rounds x "
        f"{result['seconds']} s per path, {result['cpus']} CPUs, load average "
        f"{result['load_before'][0]:.2f} -> {result['load_after'][0]:.2f} "
        f"(commit {result['commit']}, Python {result['python']}, kernel {result['kernel']})",
        "",
        f"{'path':<20}{'runs':>8}{'exec/s':>10}{'median ms':>12}{'p90 ms':>10}"
        f"{'CPU ms/exec':>13}{'idle-CPU bound/s':>18}",
    ]
    for mode, row in rows.items():
        bound = result["cpus"] * 1000 / row["cpu_ms"]
        lines.append(f"{mode:<20}{row['runs']:>8}{row['per_second']:>10.1f}"
                     f"{row['median_ms']:>12.2f}{row['p90_ms']:>10.2f}{row['cpu_ms']:>13.2f}"
                     f"{bound:>18.0f}")
    rate = rows["fork-server"]["per_second"]
    lines += [
        "",
        f"ratio fork-server / fresh-interpreter: {ratio:.1f}x in exec/s, "
        f"{rows['fresh-interpreter']['cpu_ms'] / rows['fork-server']['cpu_ms']:.1f}x in CPU",
        "(CPU ms/exec counts every process involved: parent, zygotes, children; the bound is "
        "the rate if all CPUs were free for the sandbox)",
        f"target >= {TARGET_RATE:.0f} exec/s with two workers: "
        f"{'met' if rate >= TARGET_RATE else 'NOT met'} ({rate:.0f})",
        f"target >= {TARGET_RATIO:.0f}x the fresh path: "
        f"{'met' if ratio >= TARGET_RATIO else 'NOT met'} ({ratio:.1f}x)",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=3.0, help="per path and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    result = asyncio.run(bench(args.workers, args.seconds, args.rounds))
    print(render(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
