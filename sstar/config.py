"""One typed configuration for a solve, and the only place that reads the environment.

Settings arrive as camelCase keys, the same for every client (`workspace/configuration` section
`sstar`, `initializationOptions`, a JSON file); CLI flags and the environment fill the same fields.
A bad value never fails a caller: `Config.with_settings` keeps the previous value and returns a
message that names the key and says what would be accepted.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

__all__ = ["Config", "LOCAL_MODELS", "cache_dir", "environment_overrides", "SETTING_KEYS"]

LOCAL_MODELS = ("qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b")


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
    max_retries: int = 2
    max_calls: int = 200
    max_tokens: int = 200_000
    max_completion_tokens: int = 1024
    test_inputs: int = 6  # inputs asked for per synthesis call
    local_model: str = "qwen2.5-coder-0.5b"
    model_path: str = ""
    sandbox_timeout_seconds: float = 2.0
    sandbox_memory_mb: int = 512
    sandbox_output_kb: int = 64
    require_isolation: tuple[str, ...] = ()
    # Pipeline stages beyond sampling and repair, each switchable so benchmarks can ablate them
    # (see sstar/bench). Defaults are the product's behaviour.
    greedy_sample: bool = True  # sample 0 is drawn at temperature 0 (the model's best guess)
    judge_selection: bool = True  # S* selection: synthesised inputs, behaviour groups, judge
    typed_inputs: bool = True  # inputs from the signature and the examples' shapes
    prose_checks: bool = True  # executable checks from the docstring's prose
    adaptive_sampling: bool = True  # more samples in waves while too few programs pass
    adaptive_samples: int = 8  # how many samples adaptive sampling may add beyond `samples`

    def with_settings(self, settings: Mapping[str, object]) -> tuple[Config, list[str]]:
        """This config updated from camelCase settings, and a message for every rejected key."""
        problems: list[str] = []
        changes: dict[str, object] = {}
        for key, raw in settings.items():
            spec = _SPECS.get(key)
            if spec is None:
                if key not in _IGNORED_KEYS:
                    problems.append(f"unknown setting sstar.{key} ignored")
                continue
            if raw is None:
                continue
            name, convert, rule = spec
            try:
                value = convert(raw)
                if not rule(value):
                    raise ValueError
            except (TypeError, ValueError):
                default = getattr(Config(), name)
                problems.append(
                    f"setting sstar.{key} = {raw!r} is not valid ({_RULE_TEXT[key]}); "
                    f"using {getattr(self, name)!r} (default {default!r})"
                )
                continue
            changes[name] = value
        return replace(self, **changes), problems

    def resolved_api_key(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The key given directly, else the one in the environment variable `api_key_env`."""
        if self.api_key:
            return self.api_key
        environ = os.environ if environ is None else environ
        return environ.get(self.api_key_env) or None

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


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """$SSTAR_CACHE_DIR, else $XDG_CACHE_HOME/sstar, else ~/.cache/sstar."""
    environ = os.environ if environ is None else environ
    if environ.get("SSTAR_CACHE_DIR"):
        return Path(environ["SSTAR_CACHE_DIR"]).expanduser()
    if environ.get("XDG_CACHE_HOME"):
        return Path(environ["XDG_CACHE_HOME"]).expanduser() / "sstar"
    return Path.home() / ".cache" / "sstar"


def _to_int(raw: object) -> int:
    if isinstance(raw, bool):
        raise TypeError
    if isinstance(raw, float) and not raw.is_integer():
        raise ValueError
    return int(raw)  # type: ignore[arg-type]


def _to_float(raw: object) -> float:
    if isinstance(raw, bool):
        raise TypeError
    return float(raw)  # type: ignore[arg-type]


def _to_bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false", "1", "0", "on", "off"):
        return raw.strip().lower() in ("true", "1", "on")
    raise TypeError


def _to_str(raw: object) -> str:
    if not isinstance(raw, str):
        raise TypeError
    return raw.strip()


def _to_names(raw: object) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = [part for part in raw.split(",") if part.strip()]
    if not isinstance(raw, (list, tuple)) or not all(isinstance(x, str) for x in raw):
        raise TypeError
    return tuple(x.strip() for x in raw)


def _is_url(value: str) -> bool:
    return value == "" or value.startswith(("http://", "https://"))


_SPECS = {
    "baseUrl": ("base_url", _to_str, _is_url),
    "model": ("model", _to_str, lambda v: True),
    "apiKeyEnv": ("api_key_env", _to_str, lambda v: v.replace("_", "").isalnum()),
    "apiKey": ("api_key", _to_str, lambda v: True),
    "samples": ("samples", _to_int, lambda v: 1 <= v <= 128),
    "rounds": ("rounds", _to_int, lambda v: 0 <= v <= 10),
    "temperature": ("temperature", _to_float, lambda v: 0.0 <= v <= 2.0),
    "maxConcurrency": ("max_concurrency", _to_int, lambda v: 1 <= v <= 64),
    "timeoutSeconds": ("timeout_seconds", _to_float, lambda v: 0 < v <= 3600),
    "maxRetries": ("max_retries", _to_int, lambda v: 0 <= v <= 10),
    "maxCalls": ("max_calls", _to_int, lambda v: v >= 1),
    "maxTokens": ("max_tokens", _to_int, lambda v: v >= 1),
    "maxCompletionTokens": ("max_completion_tokens", _to_int, lambda v: 16 <= v <= 32768),
    "testInputs": ("test_inputs", _to_int, lambda v: 1 <= v <= 32),
    "localModel": ("local_model", _to_str, lambda v: v in LOCAL_MODELS),
    "modelPath": ("model_path", _to_str, lambda v: True),
    "sandboxTimeoutSeconds": ("sandbox_timeout_seconds", _to_float, lambda v: 0 < v <= 600),
    "sandboxMemoryMb": ("sandbox_memory_mb", _to_int, lambda v: 32 <= v <= 65536),
    "sandboxOutputKb": ("sandbox_output_kb", _to_int, lambda v: 1 <= v <= 65536),
    "requireIsolation": ("require_isolation", _to_names, lambda v: True),
    "greedySample": ("greedy_sample", _to_bool, lambda v: True),
    "judgeSelection": ("judge_selection", _to_bool, lambda v: True),
    "typedInputs": ("typed_inputs", _to_bool, lambda v: True),
    "proseChecks": ("prose_checks", _to_bool, lambda v: True),
    "adaptiveSampling": ("adaptive_sampling", _to_bool, lambda v: True),
    "adaptiveSamples": ("adaptive_samples", _to_int, lambda v: 0 <= v <= 128),
}
_RULE_TEXT = {
    "baseUrl": "an http(s) URL, or empty for the embedded model",
    "model": "a model name",
    "apiKeyEnv": "an environment variable name",
    "apiKey": "a string",
    "samples": "a whole number from 1 to 128",
    "rounds": "a whole number from 0 to 10",
    "temperature": "a number from 0 to 2",
    "maxConcurrency": "a whole number from 1 to 64",
    "timeoutSeconds": "seconds, above 0",
    "maxRetries": "a whole number from 0 to 10",
    "maxCalls": "a whole number, at least 1",
    "maxTokens": "a whole number, at least 1",
    "maxCompletionTokens": "a whole number from 16 to 32768",
    "testInputs": "a whole number from 1 to 32",
    "localModel": "one of " + ", ".join(LOCAL_MODELS),
    "modelPath": "a path to a .gguf file",
    "sandboxTimeoutSeconds": "seconds, above 0",
    "sandboxMemoryMb": "MiB from 32 to 65536",
    "sandboxOutputKb": "KiB from 1 to 65536",
    "requireIsolation": "a list of isolation layer names",
    "greedySample": "true or false",
    "judgeSelection": "true or false",
    "typedInputs": "true or false",
    "proseChecks": "true or false",
    "adaptiveSampling": "true or false",
    "adaptiveSamples": "a whole number from 0 to 128",
}
# Keys that clients send in the same section but that are not engine settings.
_IGNORED_KEYS = {"interpreter", "trace", "logLevel"}
SETTING_KEYS = tuple(_SPECS)
assert set(_SPECS) == set(_RULE_TEXT)
assert {spec[0] for spec in _SPECS.values()} <= {f.name for f in fields(Config)}
