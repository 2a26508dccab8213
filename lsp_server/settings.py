"""Build the engine's `Config` from what the client sends: defaults, then the SSTAR_* environment,
then `initializationOptions`, then the `sstar` section of `workspace/configuration`.

Nothing here fails: a bad value becomes a message (shown once as a warning) and the previous value
stays. The API key arrives only as `initializationOptions.apiKey` (VS Code's SecretStorage); it is
kept in the config (never in its repr) and registered with `redact` so no log line can carry it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from sstar.config import Config, environment_overrides
from sstar.settings_schema import SETTINGS

__all__ = ["build_config", "split_init_options", "Redactor"]

_SECRET_KEYS = tuple(setting.key for setting in SETTINGS if setting.secret)  # ("apiKey",)
_KEY_FIELD = re.compile(r"""(apiKey['"]?\s*[:=]\s*)(['"])(?:(?!\2)[^\\]|\\.)*\2""")


def split_init_options(options: object) -> tuple[dict[str, object], str | None, list[str]]:
    """(settings, api key, messages) from `initializationOptions`: flat camelCase keys, or the same
    keys nested under `sstar` (both are accepted; flat wins)."""
    if options is None:
        return {}, None, []
    if not isinstance(options, Mapping):
        return {}, None, [f"initializationOptions should be an object of sstar settings, got {type(options).__name__}; using defaults"]
    settings = dict(options.get("sstar") or {}) if isinstance(options.get("sstar"), Mapping) else {}
    settings.update({k: v for k, v in options.items() if k != "sstar"})
    key = settings.pop("apiKey", None)
    messages = []
    if key is not None and not isinstance(key, str):
        messages.append("initializationOptions.apiKey should be a string; ignored")
        key = None
    return settings, key or None, messages


def build_config(
    init_settings: Mapping[str, object],
    section: object,
    api_key: str | None,
    environ: Mapping[str, str] | None = None,
) -> tuple[Config, list[str]]:
    """The config for new solves and every message about rejected settings."""
    messages: list[str] = []
    config, problems = Config().with_settings(environment_overrides(environ))
    messages += [f"environment: {p}" for p in problems]
    config, problems = config.with_settings(init_settings)
    messages += problems
    if isinstance(section, list) and not section:
        section = None  # Lua cannot tell `{}` from `[]`: Neovim sends an empty table as a list
    if section is not None and not isinstance(section, Mapping):
        messages.append(
            f"the sstar settings should be an object of keys, got {type(section).__name__}; ignored"
        )
        section = None
    if section:
        leaked = [k for k in _SECRET_KEYS if k in section]
        if leaked:
            messages.append(
                "sstar.apiKey does not belong in settings (they are stored in plain text); "
                "put the key in the environment variable named by sstar.apiKeyEnv; ignored"
            )
        config, problems = config.with_settings({k: v for k, v in section.items() if k not in _SECRET_KEYS})
        messages += problems
    if api_key:
        config, _ = config.with_settings({"apiKey": api_key})
    return config, messages


class Redactor(logging.Filter):
    """Replaces registered secrets in every log record with `***`."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def add(self, secret: str | None) -> None:
        if secret:
            self.secrets.add(secret)

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        redacted = text
        if "apiKey" in redacted:  # pygls logs the `initialize` params before we learn the key
            redacted = _KEY_FIELD.sub(r"\1\2***\2", redacted)
        for secret in self.secrets:
            redacted = redacted.replace(secret, "***")
        if redacted != text:
            record.msg, record.args = redacted, None
        return True
