"""Fixtures for the real-model tests: they need the built runtime and installed weights.

They run ``TEST_MODEL`` (tests/support/models.py: the 0.5B, not the product's default). The
suite's setup (``make test``: ``python -m sstar.localmodel install`` for the runtime, its
``test-model`` target for these weights) provides both; if missing, the tests FAIL with the
fix, they are never skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sstar.localmodel import LocalModelError, LocalModelServer, ServerSettings, resolve_local_model
from tests.support.models import TEST_MODEL

# Small and quick: two slots are enough to show sharing, and a short context loads fast.
REAL_SETTINGS = ServerSettings(parallel=2, ctx_per_slot=1024, idle_seconds=None)


@pytest.fixture(scope="session")
def real_model():
    try:
        return resolve_local_model(TEST_MODEL)
    except LocalModelError as exc:
        pytest.fail(
            f"The real local-model tests need the llama-server runtime and the {TEST_MODEL} "
            f"weights, which the suite's setup installs. {exc}",
            pytrace=False,
        )


@pytest.fixture
async def stop_servers():
    """Every test that starts a server leaves none behind, even when it fails."""
    yield
    await LocalModelServer.stop_all()


def live_processes_of(binary: Path) -> set[int]:
    """PIDs of running (not zombie) processes executing ``binary``."""
    pids = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if Path(f"/proc/{entry}/exe").resolve() != binary.resolve():
                continue
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            pids.add(int(entry))
    return pids
