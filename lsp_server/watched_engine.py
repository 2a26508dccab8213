"""The engine the language server runs: `sstar.engine.Engine`, with each solve's model client
wrapped in the watch of the job that runs it (`lsp_server.watch`: heartbeat, failed requests,
the solve's deadline). Imported on the first solve (it pulls in `openai`).
"""

from __future__ import annotations

import contextlib

from sstar.engine import Engine

from .watch import WatchedModel, current_watch

__all__ = ["WatchedEngine"]


class WatchedEngine(Engine):
    @contextlib.asynccontextmanager
    async def _model(self, on_event):
        async with super()._model(on_event) as (llm, backend, fingerprint):
            watch = current_watch()
            yield (llm if watch is None else WatchedModel(llm, watch)), backend, fingerprint
