"""One typed configuration for a solve, and the only place that reads the environment.

Settings arrive as camelCase keys, the same for every client (`workspace/configuration` section
`sstar`, `initializationOptions`, a JSON file); CLI flags and the environment fill the same fields.
Their types, ranges and descriptions are in `sstar.settings_schema` (the one schema; VS Code's
files are generated from it). A bad value never fails a caller: `Config.with_settings` keeps the
previous value and returns a message that names the key and says what would be accepted.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from sandbox.policy import HIDDEN_DEFAULT

from .settings_schema import LOCAL_MODELS, SETTINGS, by_key, convert, rule_text

__all__ = [
    "Config",
    "LOCAL_MODELS",
    "cache_dir",
    "environment_overrides",
    "model_thread",
    "SETTING_KEYS",
]


@dataclass(frozen=True)
class Config:
    base_url: str = ""  # "" = the embedded local model
    model: str = ""  # "" = the local model's name / the server's only model
    api_key_env: str = "OPENAI_API_KEY"
    api_key: str | None = field(default=None, repr=False, compare=False)
    samples: int = 8
    rounds: int = 2
    temperature: float = 0.7
    max_concurrency: int = 8
    timeout_seconds: float = 120.0
    solve_timeout_seconds: float = 300.0  # the whole solve (the language server holds it to this)
    max_retries: int = 2
    max_calls: int = 200
    max_tokens: int = 200_000
    max_completion_tokens: int = 1024
    test_inputs: int = 6  # inputs asked for per synthesis call
    local_model: str = "qwen2.5-coder-1.5b"  # = localmodel.DEFAULT_MODEL (a test holds them equal)
    model_path: str = ""
    sandbox_timeout_seconds: float = 2.0
    sandbox_memory_mb: int = 512
    sandbox_output_kb: int = 64
    require_isolation: tuple[str, ...] = ()
    # Workspace entries generated code cannot read (glob patterns on names, or on paths relative
    # to the workspace when they contain a "/"). What it reads can reach the model server.
    sandbox_hidden: tuple[str, ...] = HIDDEN_DEFAULT
    # Pipeline stages beyond sampling and repair, each switchable so benchmarks can ablate them
    # (see sstar/bench). Defaults are the product's behaviour.
    greedy_sample: bool = True  # sample 0 is drawn at temperature 0 (the model's best guess)
    judge_selection: bool = True  # S* selection: synthesised inputs, behaviour groups, judge
    typed_inputs: bool = True  # inputs from the signature and the examples' shapes
    prose_checks: bool = True  # executable checks from the docstring's prose
    adaptive_sampling: bool = True  # more samples in waves while too few programs pass
    adaptive_samples: int = 8  # how many samples adaptive sampling may add beyond `samples`
    # Samples and repairs start the answer with the stub's header, so the model writes only the
    # body (sstar/prefill.py); off: today's prompts, for the latency bench to compare.
    prefill_answers: bool = True

    def with_settings(self, settings: Mapping[str, object]) -> tuple[Config, list[str]]:
        """This config updated from camelCase settings, and a message for every rejected key."""
        problems: list[str] = []
        changes: dict[str, object] = {}
        for key, raw in settings.items():
            setting = by_key(key)
            if setting is None:
                if key not in _IGNORED_KEYS:
                    problems.append(f"unknown setting sstar.{key} ignored")
                continue
            if raw is None:
                continue
            try:
                value = convert(setting, raw)
            except (TypeError, ValueError):
                default = getattr(Config(), setting.field)
                problems.append(
                    f"setting sstar.{key} = {raw!r} is not valid ({rule_text(setting)}); "
                    f"using {getattr(self, setting.field)!r} (default {default!r})"
                )
                continue
            changes[setting.field] = value
        return replace(self, **changes), problems  # type: ignore[arg-type]  # values typed by the schema

    def resolved_api_key(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The key given directly, else the one in the environment variable `api_key_env`."""
        if self.api_key:
            return self.api_key
        environ = os.environ if environ is None else environ
        return environ.get(self.api_key_env) or None

    def client_options(self) -> dict[str, Any]:
        """The model client's keyword arguments that come from these settings."""
        return {
            "timeout": self.timeout_seconds,
            "max_retries": self.max_retries,
            "max_concurrency": self.max_concurrency,
            "max_completion_tokens": self.max_completion_tokens,
        }

    def fingerprint(self) -> dict[str, object]:
        """What changes the model's answers (for cache keys). Never includes the key."""
        return {
            "base_url": self.base_url,
            "model": self.model or self.local_model,
            "model_path": self.model_path,
            "temperature": self.temperature,
            "max_completion_tokens": self.max_completion_tokens,
        }


def environment_overrides(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """Settings taken from SSTAR_* variables, as camelCase keys for `Config.with_settings`."""
    environ = os.environ if environ is None else environ
    names = {"SSTAR_BASE_URL": "baseUrl", "SSTAR_MODEL": "model", "SSTAR_MODEL_PATH": "modelPath"}
    names |= {"SSTAR_LOCAL_MODEL": "localModel", "SSTAR_SAMPLES": "samples", "SSTAR_ROUNDS": "rounds"}
    return {key: environ[var] for var, key in names.items() if environ.get(var)}


def model_thread(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the engine runs its model client on a thread of its own (`sstar.llm_thread`).
    `SSTAR_MODEL_THREAD=0` keeps it on the caller's event loop: the old path, kept so a
    benchmark can compare the two in one run."""
    environ = os.environ if environ is None else environ
    return environ.get("SSTAR_MODEL_THREAD", "1").strip() != "0"


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """$SSTAR_CACHE_DIR, else $XDG_CACHE_HOME/sstar, else ~/.cache/sstar."""
    environ = os.environ if environ is None else environ
    if environ.get("SSTAR_CACHE_DIR"):
        return Path(environ["SSTAR_CACHE_DIR"]).expanduser()
    if environ.get("XDG_CACHE_HOME"):
        return Path(environ["XDG_CACHE_HOME"]).expanduser() / "sstar"
    return Path.home() / ".cache" / "sstar"


# Keys that clients send in the same section but that are not engine settings.
_IGNORED_KEYS = {"interpreter", "trace", "logLevel"}
SETTING_KEYS = tuple(setting.key for setting in SETTINGS)
assert {setting.field for setting in SETTINGS} <= {f.name for f in fields(Config)}
