"""Fake S* language server (pygls 2.1) for the VS Code client e2e; see __init__.py."""

from __future__ import annotations

import ast
import asyncio
import json
import os
import uuid

from lsprotocol import types
from pygls.lsp.server import LanguageServer

server = LanguageServer("fake-sstar", "0.0.1")
LOG = os.environ.get("SSTAR_FAKE_LOG", "")
JOBS: dict[str, asyncio.Task] = {}
BODIES = {
    "is_palindrome": "    letters = [c.lower() for c in text if c.isalpha()]\n"
    "    return letters == letters[::-1]\n",
    "word_counts": "    import re\n    counts: dict[str, int] = {}\n"
    "    for word in re.findall(r\"[a-z]+\", text.lower()):\n"
    "        counts[word] = counts.get(word, 0) + 1\n    return counts\n",
}


def record(event: str, **data) -> None:
    if LOG:
        with open(LOG, "a", encoding="utf-8") as f:
            f.write(json.dumps({"event": event, **data}) + "\n")


def stubs(source: str):
    """(qualname, def node, body start line 0-based, body end line exclusive) of each stub."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            body = body[1:]
        if len(body) != 1:
            continue
        stmt = body[0]
        is_stub = isinstance(stmt, ast.Pass) or isinstance(stmt, ast.Raise) or (
            isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
            and stmt.value.value is Ellipsis)
        if is_stub:
            yield node.name, node, stmt.lineno - 1, stmt.end_lineno


def stub_at(source: str, line: int):
    for name, node, start, end in stubs(source):
        if node.lineno - 1 <= line < end:
            return name, start, end
    return None


@server.feature(types.INITIALIZE)
def on_initialize(params: types.InitializeParams) -> None:
    options = params.initialization_options or {}
    record("initialize", options=options)


@server.feature(types.INITIALIZED)
async def on_initialized(params: types.InitializedParams) -> None:
    config = await server.workspace_configuration_async(
        types.ConfigurationParams(items=[types.ConfigurationItem(section="sstar")]))
    record("configuration", value=config[0])
    server.protocol.notify("sstar/status", {"backend": "fake", "running": 0, "jobs": []})


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.RefactorRewrite]),
)
def code_action(params: types.CodeActionParams):
    doc = server.workspace.get_text_document(params.text_document.uri)
    found = stub_at(doc.source, params.range.start.line)
    if found is None:
        return []
    name = found[0]
    args = {"uri": doc.uri, "version": doc.version, "qualname": name}
    return [types.CodeAction(
        title="Solve with S*", kind=types.CodeActionKind.RefactorRewrite,
        command=types.Command(title="Solve with S*", command="sstar.solve", arguments=[args]))]


def status() -> None:
    jobs = [{"jobId": j, "qualname": t.get_name(), "stage": "sampling"} for j, t in JOBS.items()]
    server.protocol.notify("sstar/status", {"backend": "fake", "running": len(jobs), "jobs": jobs})


async def run_job(job_id: str, uri: str, qualname: str) -> None:
    token = str(uuid.uuid4())
    await server.work_done_progress.create_async(token)
    cancelled_by_client = server.work_done_progress.tokens[token]
    server.work_done_progress.begin(token, types.WorkDoneProgressBegin(
        title=f"S*: solving {qualname}", cancellable=True, message="sampling 0/2", percentage=0))
    try:
        steps = 600 if qualname.startswith("slow_") else 3
        for i in range(steps):
            if cancelled_by_client.cancelled():
                record("progress_cancel", jobId=job_id, qualname=qualname)
                raise asyncio.CancelledError
            server.work_done_progress.report(token, types.WorkDoneProgressReport(
                message=f"sampling {min(i + 1, 2)}/2", percentage=min(99, (i + 1) * 30)))
            await asyncio.sleep(0.4)
        doc = server.workspace.get_text_document(uri)
        found = next(((s, e) for n, _, s, e in stubs(doc.source) if n == qualname), None)
        if found is None:
            raise RuntimeError("stub vanished")
        start, end = found
        body = BODIES.get(qualname, "    return None  # written by fake S*\n")
        edit = types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=doc.version),
            edits=[types.TextEdit(range=types.Range(types.Position(start, 0), types.Position(end, 0)),
                                  new_text=body)])])
        result = await server.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=edit))
        record("applied", jobId=job_id, qualname=qualname, applied=result.applied)
        server.work_done_progress.end(token, types.WorkDoneProgressEnd(message="2/2 pass"))
    except asyncio.CancelledError:
        record("cancelled", jobId=job_id, qualname=qualname)
        server.work_done_progress.end(token, types.WorkDoneProgressEnd(message="cancelled"))
    finally:
        JOBS.pop(job_id, None)
        status()


@server.command("sstar.solve")
async def solve(ls: LanguageServer, args: dict):
    args = args if isinstance(args, dict) else {}
    record("solve", args=args)
    uri = args["uri"]
    qualname = args.get("qualname")
    if qualname is None and "position" in args:
        found = stub_at(server.workspace.get_text_document(uri).source, args["position"]["line"])
        qualname = found[0] if found else None
    if qualname is None:
        return {"error": "no stub at cursor"}
    job_id = uuid.uuid4().hex[:8]
    JOBS[job_id] = asyncio.get_running_loop().create_task(run_job(job_id, uri, qualname), name=qualname)
    status()
    return {"jobId": job_id}


@server.command("sstar.cancel")
def cancel(ls: LanguageServer, args: dict | None = None):
    record("cancel_command", args=args)
    ids = list(JOBS)
    for job in list(JOBS.values()):
        job.cancel()
    return {"cancelled": ids}


@server.command("sstar.regenerate")
def regenerate(ls: LanguageServer, args: dict):
    record("regenerate", args=args)
    return {"jobId": uuid.uuid4().hex[:8]}


@server.command("sstar.showCandidates")
def show_candidates(ls: LanguageServer, args: dict):
    record("show_candidates", args=args)
    return {"qualname": "is_palindrome", "candidates": [
        {"id": 0, "code": "def is_palindrome(text):\n    return text == text[::-1]", "passed": 2,
         "total": 3, "group": 0, "chosen": False},
        {"id": 1, "code": "def is_palindrome(text):\n    return True", "passed": 1, "total": 3,
         "group": 1, "chosen": False}]}


@server.command("sstar.applyCandidate")
def apply_candidate(ls: LanguageServer, args: dict):
    record("apply_candidate", args=args)
    return {"applied": True}


if __name__ == "__main__":
    server.start_io()
