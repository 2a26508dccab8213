"""The `sstar.*` commands (`workspace/executeCommand`). Each one parses its typed arguments
(`arguments`), calls one thing on the server (start a job, cancel, write a kept body) and answers
with a small JSON object; refusals are messages, never errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pygls.lsp.server import LanguageServer

from . import arguments as a
from .convert import MessageLevel, candidates_json
from .writing import When, apply_body

if TYPE_CHECKING:
    from .server import SStarServer

__all__ = ["register_commands"]


def register_commands(server: SStarServer) -> None:
    # pygls reads the handlers' annotations at runtime: they name its own LanguageServer, and
    # the bodies use `server` (the same object, typed as ours)
    @server.command("sstar.solve")
    async def solve(_: LanguageServer, *arguments) -> dict:
        args = a.parse(a.SolveArgs, arguments)
        return await server.start_solve(args.uri, args.qualname, args.position, samples=None, force=args.force)

    @server.command("sstar.regenerate")
    async def regenerate(_: LanguageServer, *arguments) -> dict:
        args = a.parse(a.RegenerateArgs, arguments)
        qualname = server.target(args.uri, args.qualname, args.position, any_function=args.force)
        samples = args.samples or (server.regenerate_samples(args.uri, qualname) if qualname else None)
        return await server.start_solve(args.uri, qualname, args.position, samples=samples, force=args.force)

    @server.command("sstar.cancel")
    def cancel(_: LanguageServer, *arguments) -> dict:
        args = a.parse(a.CancelArgs, arguments)
        return {"cancelled": server.jobs.cancel(args.job_id, reason="cancelled (sstar.cancel)")}

    @server.command("sstar.applyLast")
    async def apply_last(_: LanguageServer, *arguments) -> dict:
        args = a.parse(a.ApplyLastArgs, arguments)
        kept = server.results.last_unapplied(args.uri)
        if kept is None or kept.result.body is None:
            server.show("S*: no kept result waiting to be written.", MessageLevel.INFO)
            return {"applied": False, "qualname": None}
        outcome = await apply_body(server, kept.placement, kept.result.body, when=When.ASKED, result=kept.result)
        kept.applied = kept.applied or outcome.written
        return {"applied": outcome.written, "qualname": kept.qualname, "outcome": str(outcome)}

    @server.command("sstar.showCandidates")
    def show_candidates(_: LanguageServer, *arguments) -> dict:
        args = a.parse(a.TargetArgs, arguments)
        qualname = server.target(args.uri, args.qualname, args.position)
        kept = server.results.get(args.uri, qualname) if qualname else None
        if kept is None:
            server.show("S*: no solve result for this function yet; run Solve with S* first.", MessageLevel.INFO)
            return {"qualname": qualname, "candidates": []}
        return {"qualname": kept.qualname, "candidates": candidates_json(kept.result.candidates)}

    @server.command("sstar.applyCandidate")
    async def apply_candidate(_: LanguageServer, *arguments) -> dict:
        args = a.parse(a.ApplyCandidateArgs, arguments)
        kept = server.results.get(args.uri, args.qualname)
        candidate = next((c for c in kept.result.candidates if c.id == args.candidate_id), None) if kept else None
        if kept is None or candidate is None:
            server.show(f"S*: no candidate {args.candidate_id} for {args.qualname}; list them with sstar.showCandidates.", MessageLevel.WARNING)
            return {"applied": False}
        outcome = await apply_body(server, kept.placement, candidate.body, when=When.ASKED, result=kept.result)
        return {"applied": outcome.written, "outcome": str(outcome)}

    @server.command("sstar.acceptPreview")
    async def accept_preview(_: LanguageServer, *arguments) -> dict:
        args = a.parse(a.AcceptPreviewArgs, arguments)
        job = server.jobs.with_preview(args.job_id, args.uri)
        preview = job.preview if job is not None else None
        if job is None or preview is None or job.placement is None:
            server.show("S*: no preview waiting: the solve it came from has ended (its result is in place or kept).", MessageLevel.INFO)
            return {"applied": False}
        if preview.accepted:
            return {"applied": True, "outcome": "already written"}
        outcome = await apply_body(server, job.placement, preview.body, when=When.ASKED)
        preview.accepted = outcome.written
        return {"applied": outcome.written, "outcome": str(outcome)}
