"""The settings schema, in one place: every `sstar.*` key with its type, default, range and text.

`Config.with_settings` validates with it; VS Code's `package.json` contributions and the
`ServerSettings`/`DEFAULTS`/`RULES` block of `vscode-client/src/settings.ts` are generated from it,
and a test fails when either file disagrees:

    python -m sstar.settings_schema --write     # regenerate both files
    python -m sstar.settings_schema --check     # exit 1 and say what differs

Adding a setting is one `Setting(...)` entry below (plus the `Config` field it fills; its default
is read from `Config`). `vscode=False` keeps a key out of VS Code's settings UI (it still works
from `initializationOptions`, Neovim's settings, the CLI's environment).
"""

from __future__ import annotations

import enum
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Kind", "Setting", "SETTINGS", "by_key", "rule_text", "convert", "vscode_properties", "typescript_block"]

LOCAL_MODELS = ("qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b")


class Kind(enum.Enum):
    STRING = "string"
    INT = "int"
    NUMBER = "number"
    CHOICE = "enum"
    NAMES = "strings"  # a list of names (a comma-separated string is accepted too)
    BOOL = "bool"  # true or false ("true"/"false"/"on"/"off"/"1"/"0" are accepted too)


@dataclass(frozen=True)
class Setting:
    key: str  # camelCase, the same for every client
    field: str  # the `Config` field it sets
    kind: Kind
    description: str  # Markdown, as VS Code shows it
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    choice_descriptions: tuple[str, ...] = ()
    check: Callable[[object], bool] | None = None  # a rule beyond type and range
    rule: str = ""  # what is accepted, when the type and range do not say it
    vscode: bool = True  # contributed to VS Code's settings UI
    secret: bool = False  # never accepted from stored settings (only initializationOptions)


def _is_url(value: object) -> bool:
    return value == "" or (isinstance(value, str) and value.startswith(("http://", "https://")))


def _is_variable(value: object) -> bool:
    return isinstance(value, str) and value.replace("_", "").isalnum()


SETTINGS: tuple[Setting, ...] = (
    Setting("baseUrl", "base_url", Kind.STRING,
            "Base URL of an OpenAI-compatible API, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:8080/v1`. Empty: the embedded local model (see `#sstar.localModel#`).",
            check=_is_url, rule="an http(s) URL, or empty for the embedded model"),
    Setting("model", "model", Kind.STRING,
            "Model name sent to `#sstar.baseUrl#`. Empty: the server's default for that backend.", rule="a model name"),
    Setting("apiKeyEnv", "api_key_env", Kind.STRING,
            "Environment variable the server reads the API key from when no key was stored with **S\\*: Set API Key** (the stored key is kept in VS Code's secret storage, never in settings).",
            check=_is_variable, rule="an environment variable name"),
    Setting("apiKey", "api_key", Kind.STRING, "The API key itself (initializationOptions only; never a stored setting).",
            rule="a string", vscode=False, secret=True),
    Setting("samples", "samples", Kind.INT, "Candidates sampled in parallel per solve.", 1, 128),
    Setting("rounds", "rounds", Kind.INT, "Rounds of execution-guided debugging per candidate.", 0, 10),
    Setting("temperature", "temperature", Kind.NUMBER, "Sampling temperature.", 0, 2),
    Setting("maxConcurrency", "max_concurrency", Kind.INT, "Most LLM requests in flight at once.", 1, 64),
    Setting("timeoutSeconds", "timeout_seconds", Kind.NUMBER, "Timeout of one LLM request, in seconds.", 1, 3600),
    Setting("solveTimeoutSeconds", "solve_timeout_seconds", Kind.NUMBER,
            "Deadline of a whole solve, in seconds: model requests still outstanding then are abandoned and the solve ends with its best result so far (the editor shows how long it has been waiting meanwhile).",
            5, 86400),
    Setting("maxRetries", "max_retries", Kind.INT, "Retries of a failed LLM request.", 0, 10, vscode=False),
    Setting("maxCalls", "max_calls", Kind.INT, "Budget: most LLM calls per solve.", 1, 100_000),
    Setting("maxTokens", "max_tokens", Kind.INT, "Budget: most tokens (prompt + completion) per solve.", 1000, 100_000_000),
    Setting("maxCompletionTokens", "max_completion_tokens", Kind.INT, "Most tokens in one answer of the model.", 16, 32768, vscode=False),
    Setting("testInputs", "test_inputs", Kind.INT, "Test inputs asked for per input-synthesis call.", 1, 32, vscode=False),
    Setting("localModel", "local_model", Kind.CHOICE, "Embedded local model used when `#sstar.baseUrl#` is empty.",
            choices=LOCAL_MODELS,
            choice_descriptions=("Qwen2.5-Coder-0.5B-Instruct: twice as fast, rarely right on realistic stubs (~0.5 GB).",
                                 "Qwen2.5-Coder-1.5B-Instruct (default): half the speed, right far more often (~1.1 GB).")),
    Setting("modelPath", "model_path", Kind.STRING,
            "Path of a GGUF file for the local model. Empty: the installed weights of `#sstar.localModel#`.", rule="a path to a .gguf file"),
    Setting("sandboxTimeoutSeconds", "sandbox_timeout_seconds", Kind.NUMBER, "Wall-clock limit of one sandboxed test run, in seconds.", 0.1, 600),
    Setting("sandboxMemoryMb", "sandbox_memory_mb", Kind.INT, "Memory limit of one sandboxed test run, in MiB.", 32, 65536),
    Setting("sandboxOutputKb", "sandbox_output_kb", Kind.INT, "Output limit of one sandboxed test run, in KiB.", 1, 65536),
    Setting("requireIsolation", "require_isolation", Kind.NAMES,
            "Sandbox isolation layers that must be active (e.g. `seccomp`, `landlock`); the server refuses to run candidate code with weaker isolation. Empty: use what is available and warn about what is missing.",
            rule="a list of isolation layer names"),
    Setting("sandboxHiddenFiles", "sandbox_hidden", Kind.NAMES,
            "Glob patterns of workspace files and folders that generated code cannot read (matched against each name). The default hides dot-files and dot-folders and files that look like secrets (`*.pem`, `*.key`, `id_*`, ...); `[]` hides nothing.",
            check=lambda v: all(p and "\0" not in p for p in v),  # type: ignore[attr-defined]
            rule="a list of glob patterns such as \".*\" or \"*.pem\" ([] hides nothing)"),
    # The stages beyond sampling and repair (see sstar/pipeline.py); benchmarks switch them off
    # one by one (sstar/bench), users rarely need to, so VS Code does not show them.
    Setting("greedySample", "greedy_sample", Kind.BOOL,
            "Draw sample 0 at temperature 0 (the model's best guess).", vscode=False),
    Setting("judgeSelection", "judge_selection", Kind.BOOL,
            "Select among candidates that pass the examples with synthesised inputs, behaviour groups and a judge.", vscode=False),
    Setting("typedInputs", "typed_inputs", Kind.BOOL,
            "Test candidates on inputs built from the signature's types and the examples' shapes.", vscode=False),
    Setting("proseChecks", "prose_checks", Kind.BOOL,
            "Turn the docstring's prose into executable checks and use them to rank and repair.", vscode=False),
    Setting("adaptiveSampling", "adaptive_sampling", Kind.BOOL,
            "Draw more samples in waves while too few programs pass the examples or agree.", vscode=False),
    Setting("adaptiveSamples", "adaptive_samples", Kind.INT,
            "Most samples adaptive sampling may add to `#sstar.samples#` in one solve.", 0, 128),
)
_BY_KEY = {setting.key: setting for setting in SETTINGS}


def by_key(key: str) -> Setting | None:
    return _BY_KEY.get(key)


_BOOL_WORDS = {"true": True, "on": True, "1": True, "false": False, "off": False, "0": False}


def rule_text(setting: Setting) -> str:
    """What the setting accepts, for a message about a rejected value."""
    if setting.rule:
        return setting.rule
    if setting.kind is Kind.CHOICE:
        return "one of " + ", ".join(setting.choices)
    if setting.kind is Kind.BOOL:
        return "true or false"
    what = "a whole number" if setting.kind is Kind.INT else "a number"
    low, high = _number(setting.minimum), _number(setting.maximum)
    if low is not None and high is not None:
        return f"{what} from {low} to {high}"
    return f"{what}, at least {low}" if low is not None else what


def convert(setting: Setting, raw: object) -> object:
    """The typed value of `raw`, or TypeError/ValueError when it is not acceptable."""
    value: object
    if setting.kind in (Kind.STRING, Kind.CHOICE):
        if not isinstance(raw, str):
            raise TypeError
        value = raw.strip()
        if setting.choices and value not in setting.choices:
            raise ValueError
    elif setting.kind is Kind.BOOL:
        if isinstance(raw, str) and raw.strip().lower() in _BOOL_WORDS:
            value = _BOOL_WORDS[raw.strip().lower()]
        elif isinstance(raw, bool):
            value = raw
        else:
            raise TypeError
    elif setting.kind is Kind.NAMES:
        names = [part for part in raw.split(",") if part.strip()] if isinstance(raw, str) else raw
        if not isinstance(names, (list, tuple)) or not all(isinstance(x, str) for x in names):
            raise TypeError
        value = tuple(x.strip() for x in names)
    else:
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise TypeError
        number = float(raw)
        if setting.kind is Kind.INT:
            if not number.is_integer():
                raise ValueError
            value = int(number)
        else:
            value = number
        if (setting.minimum is not None and number < setting.minimum) or (
            setting.maximum is not None and number > setting.maximum
        ):
            raise ValueError
    if setting.check is not None and not setting.check(value):
        raise ValueError
    return value


def _default(setting: Setting) -> object:
    from .config import Config  # the defaults live with the fields they fill

    value = getattr(Config(), setting.field)
    if isinstance(value, tuple):
        return list(value)
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _number(value: float | None) -> int | float | None:
    return int(value) if value is not None and float(value).is_integer() else value


# -- VS Code ----------------------------------------------------------------------------------------
_JSON_TYPES = {Kind.STRING: "string", Kind.INT: "integer", Kind.NUMBER: "number", Kind.CHOICE: "string", Kind.NAMES: "array", Kind.BOOL: "boolean"}


def vscode_properties() -> dict[str, dict[str, object]]:
    """`contributes.configuration.properties` entries of the server settings VS Code shows."""
    properties: dict[str, dict[str, object]] = {}
    for setting in SETTINGS:
        if not setting.vscode:
            continue
        entry: dict[str, object] = {"type": _JSON_TYPES[setting.kind]}
        if setting.kind is Kind.NAMES:
            entry["items"] = {"type": "string"}
        entry["default"] = _default(setting)
        if setting.choices:
            entry["enum"] = list(setting.choices)
            entry["enumDescriptions"] = list(setting.choice_descriptions)
        if setting.minimum is not None:
            entry["minimum"] = _number(setting.minimum)
        if setting.maximum is not None:
            entry["maximum"] = _number(setting.maximum)
        entry["scope"] = "resource"
        entry["markdownDescription"] = setting.description
        properties[f"sstar.{setting.key}"] = entry
    return properties


_TS_TYPES = {Kind.STRING: "string", Kind.INT: "number", Kind.NUMBER: "number", Kind.CHOICE: "LocalModel", Kind.NAMES: "string[]", Kind.BOOL: "boolean"}
BEGIN = "// BEGIN GENERATED by `python -m sstar.settings_schema --write`: edit sstar/settings_schema.py"
END = "// END GENERATED"


def typescript_block() -> str:
    """The `ServerSettings`, `DEFAULTS` and `RULES` of settings.ts, between the markers."""
    shown = [s for s in SETTINGS if s.vscode]
    lines = [BEGIN, "export type LocalModel = " + " | ".join(f"'{m}'" for m in LOCAL_MODELS) + ";"]
    lines.append("export const LOCAL_MODELS: readonly LocalModel[] = [" + ", ".join(f"'{m}'" for m in LOCAL_MODELS) + "];")
    lines += ["", "/** What the server reads from workspace/configuration (section `sstar`) and initializationOptions. */"]
    lines += ["export interface ServerSettings {"] + [f"    {s.key}: {_TS_TYPES[s.kind]};" for s in shown] + ["}", ""]
    lines.append("export const DEFAULTS: Readonly<ServerSettings> = Object.freeze({")
    lines += [f"    {s.key}: {_ts_value(_default(s))}," for s in shown] + ["});", ""]
    lines += ["type Kind = 'string' | 'int' | 'number' | 'enum' | 'strings' | 'bool';"]
    lines += ["interface Rule { kind: Kind; min?: number; max?: number; values?: readonly string[] }", ""]
    lines.append("const RULES: { [K in keyof ServerSettings]: Rule } = {")
    for s in shown:
        parts = [f"kind: '{s.kind.value}'"]
        if s.minimum is not None:
            parts.append(f"min: {_number(s.minimum)}")
        if s.maximum is not None:
            parts.append(f"max: {_number(s.maximum)}")
        if s.choices:
            parts.append("values: LOCAL_MODELS")
        lines.append(f"    {s.key}: {{ {', '.join(parts)} }},")
    lines += ["};", END]
    return "\n".join(lines)


def _ts_value(value: object) -> str:
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value)


# -- the generated files --------------------------------------------------------------------------
CLIENT = Path(__file__).resolve().parents[1] / "vscode-client"


def rendered_files(client: Path = CLIENT) -> dict[Path, str]:
    """package.json and settings.ts as the schema makes them (from their current text)."""
    manifest_path, settings_path = client / "package.json", client / "src" / "settings.ts"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    old = manifest["contributes"]["configuration"]["properties"]
    server_keys = {f"sstar.{s.key}" for s in SETTINGS}
    generated = vscode_properties()
    properties: dict[str, object] = {}
    for name, value in old.items():  # client-only keys keep their place; server keys come from here
        if name not in server_keys:
            properties[name] = value
        if name == "sstar.interpreter":
            properties.update(generated)
    properties.update({k: v for k, v in generated.items() if k not in properties})
    manifest["contributes"]["configuration"]["properties"] = properties
    text = settings_path.read_text(encoding="utf-8")
    head, found, rest = text.partition("// BEGIN GENERATED")
    if not found:
        raise ValueError(f"{settings_path} has no '// BEGIN GENERATED' line")
    _, _, tail = rest.partition(END)
    return {
        manifest_path: json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
        settings_path: head + typescript_block() + tail,
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    stale = [path for path, text in rendered_files().items() if path.read_text(encoding="utf-8") != text]
    if argv == ["--write"]:
        for path, text in rendered_files().items():
            path.write_text(text, encoding="utf-8")
        return 0
    if argv == ["--check"]:
        for path in stale:
            sys.stderr.write(f"{path} disagrees with sstar/settings_schema.py: run python -m sstar.settings_schema --write\n")
        return 1 if stale else 0
    sys.stderr.write("usage: python -m sstar.settings_schema --write | --check\n")
    return 2


if __name__ == "__main__":
    sys.exit(main())
