"""The embedded model every real-model test runs, named once: the 0.5B, not the product's default.

The default (`sstar.localmodel.DEFAULT_MODEL`) is the 1.5B, chosen for right answers. These tests
check that servers start, are shared, stop and leave nothing behind, and that a solve makes the
round trip; none of that needs right answers, and the 0.5B loads and answers about twice as fast
on the 2-core CI machine. `make test` installs it (the Makefile's `test-model` target; a test in
tests/localmodel/test_models.py holds the two to the same name). Each test names it explicitly:
`resolve_local_model(TEST_MODEL)`, the `localModel` setting, or `SSTAR_LOCAL_MODEL` for a CLI.
"""

from __future__ import annotations

__all__ = ["TEST_MODEL"]

TEST_MODEL = "qwen2.5-coder-0.5b"
