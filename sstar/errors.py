"""The engine's one exception tree. Adapters (CLI, language server) turn these into messages.

    SStarError                      anything the engine raises on purpose
    ├── ProblemError                the source or location does not describe a solvable stub
    │   ├── NotAStubError           the function has a real body already
    │   ├── StubNotFoundError       no function with that name / at that position
    │   └── SourceSyntaxError       the stub itself (or its class) does not parse
    ├── ConfigError                 a setting has a bad value (message names the key and the fix)
    ├── LLMError                    the model server failed us
    │   ├── LLMUnavailableError     cannot connect / server down
    │   ├── LLMTimeoutError         a request took longer than timeoutSeconds
    │   ├── LLMAuthError            the server refused our API key
    │   └── BudgetExceededError     the solve used up maxCalls or maxTokens
    ├── LocalModelError             the embedded llama.cpp model cannot run (see sstar.localmodel)
    ├── SandboxError                candidates cannot be run (e.g. a required isolation layer is
    │                               missing here); wraps sandbox.SandboxError
    └── CacheError                  the cache directory is unusable

Every message says what to do about it: users read these in their editor.
"""

from __future__ import annotations

__all__ = [
    "SStarError",
    "ProblemError",
    "NotAStubError",
    "StubNotFoundError",
    "SourceSyntaxError",
    "ConfigError",
    "LLMError",
    "LLMUnavailableError",
    "LLMTimeoutError",
    "LLMAuthError",
    "BudgetExceededError",
    "LocalModelError",
    "SandboxError",
    "CacheError",
]


class SStarError(Exception):
    """Base of every error the engine raises on purpose."""


class ProblemError(SStarError):
    """The source or location does not describe a solvable stub."""


class NotAStubError(ProblemError):
    """The function already has a real body."""


class StubNotFoundError(ProblemError):
    """No stub with that name or at that position."""


class SourceSyntaxError(ProblemError):
    """The stub (or the class that holds it) does not parse."""


class ConfigError(SStarError):
    """A setting has a value we cannot use."""


class LLMError(SStarError):
    """The model server failed us."""


class LLMUnavailableError(LLMError):
    """The model server cannot be reached."""


class LLMTimeoutError(LLMError):
    """A request took longer than the configured timeout."""


class LLMAuthError(LLMError):
    """The model server refused the API key."""


class BudgetExceededError(LLMError):
    """The solve used up its budget of calls or tokens."""


class LocalModelError(SStarError):
    """The embedded local model cannot run."""


class SandboxError(SStarError):
    """The sandbox cannot run candidates here; the message says which layer and how to fix it."""


class CacheError(SStarError):
    """The cache directory cannot be used."""
