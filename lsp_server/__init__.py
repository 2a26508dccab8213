"""S*-LSP: the language server that offers the S* engine to any LSP editor (pygls 2.1).

Modules, each with one job: `server` (the handlers: they translate and call one thing),
`jobs` (solves as our own asyncio tasks), `solving` (one job start to end, writing results),
`progress` (engine events as `$/progress` and log lines), `index` (cheap stub lookup for code
actions), `documents` (pygls documents split into lines as LSP does), `diagnostics`, `store`
(kept results and engines), `settings`, `arguments` (typed command arguments), `convert` (every
engine <-> LSP conversion). Where a body goes is the engine's `sstar.writeback`. Run it with `python -m lsp_server` (see `__main__`).
"""

__all__: list[str] = []
