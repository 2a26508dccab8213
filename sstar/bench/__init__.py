"""Benchmarks of S* against its baselines on HumanEval (`sstar bench`; see `__main__`).

Modules: `humaneval` (tasks and the hidden-test scorer), `methods` (the baselines), `metering`
(what each method costs), `runner` (resumable per-task records), `report` (JSON, Markdown, PNG).
"""

__all__: list[str] = []
