"""Exceptions raised by the sandbox package.

    SandboxError                 base of everything raised here
    ├── IsolationUnavailable     a layer named in `require` cannot be applied on this host
    └── SandboxClosed            run() on a pool that was closed (or never started)

Untrusted code failing (timeouts, crashes, ...) is never an exception: it is a StepOutcome.
"""

from __future__ import annotations

__all__ = ["SandboxError", "IsolationUnavailable", "SandboxClosed"]


class SandboxError(Exception):
    """Base class for sandbox errors."""


class IsolationUnavailable(SandboxError):
    """A required isolation layer is missing; the message names it and says why."""


class SandboxClosed(SandboxError):
    """The pool is closed; create a new SandboxPool (or use `async with SandboxPool()`)."""
