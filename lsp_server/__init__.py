"""S*-LSP: the language server that offers the S* engine to any LSP editor (pygls 2.1).

Modules, each with one job:
- `server`: the server's state and the LSP handlers (they translate and call one thing);
  `commands`: the `sstar.*` commands; `arguments`: their typed arguments.
- `jobs`: solves as our own asyncio tasks; `solving`: one job from start to end (what it starts
  from, the solve, its outcome); `progress`: engine events as `$/progress` and log lines, the
  heartbeat and the early preview; `watch`: a solve's model requests and its deadline
  (`watched_engine` wraps the engine's model client in it).
- `writing`: bodies into documents (versioned, rebuilt when rejected, never over the user's code);
  `ownership`: whether a function still holds what S* wrote; `store`: placements, kept results,
  what S* wrote, engines; `diagnostics`.
- `documents`: pygls documents split into lines as LSP does, found by normalised URI; `index`:
  cheap stub lookup for code actions; `differences`: how candidates are told apart; `settings`;
  `convert`: every engine <-> LSP conversion.
Where a body goes is the engine's `sstar.writeback`. Run it with `python -m lsp_server`.
"""

__all__: list[str] = []
