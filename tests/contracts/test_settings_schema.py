"""One settings schema: the engine validates with it, VS Code's files are generated from it, and
nothing may disagree silently."""

from __future__ import annotations

import json
from dataclasses import fields

import pytest

from sstar.config import Config, SETTING_KEYS
from sstar.settings_schema import CLIENT, SETTINGS, Kind, convert, rendered_files, rule_text


def test_vscode_package_json_and_settings_ts_are_what_the_schema_generates():
    for path, text in rendered_files().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} disagrees with sstar/settings_schema.py: run python -m sstar.settings_schema --write"
        )


def test_every_contributed_server_setting_is_in_the_schema():
    properties = json.loads((CLIENT / "package.json").read_text())["contributes"]["configuration"]["properties"]
    client_only = {"sstar.interpreter", "sstar.trace.server"}
    assert set(properties) - client_only == {f"sstar.{s.key}" for s in SETTINGS if s.vscode}
    assert "sstar.apiKey" not in properties  # secrets never in settings


def test_the_readme_settings_table_names_every_stored_setting():
    readme = (CLIENT.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    missing = [s.key for s in SETTINGS if not s.secret and f"`{s.key}`" not in table]
    assert not missing, f"README.md's settings table lacks {missing}"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.key)
def test_each_default_is_valid_and_the_boundaries_are_where_the_schema_says(setting):
    assert setting.field in {f.name for f in fields(Config)}
    default = getattr(Config(), setting.field)
    if default is not None and setting.key != "apiKey":
        assert convert(setting, list(default) if isinstance(default, tuple) else default) == default
    if setting.kind in (Kind.INT, Kind.NUMBER):
        low, high = setting.minimum, setting.maximum
        _, ok = Config().with_settings({setting.key: low})
        assert ok == []
        _, problems = Config().with_settings({setting.key: low - 1})
        assert problems and rule_text(setting) in problems[0]
        if high is not None:
            assert Config().with_settings({setting.key: high})[1] == []
            assert Config().with_settings({setting.key: high + 1})[1]


def test_keys_are_camel_case_and_unique():
    assert len(set(SETTING_KEYS)) == len(SETTING_KEYS)
    assert all(key[0].islower() and "_" not in key for key in SETTING_KEYS)
