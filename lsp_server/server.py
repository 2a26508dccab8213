"""The S* language server: a pygls `LanguageServer` with S*'s state, and its LSP handlers.

Handlers only translate: they read the document, call one thing (the stub index, the job
registry, `solving`), convert with `convert`, and return. Long work runs in jobs (`jobs`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from lsprotocol import types
from pygls import uris
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from sstar.config import Config

from .convert import MessageLevel, force_action, message_type, regenerate_action, solve_action
from .diagnostics import DiagnosticStore
from .documents import lookup, uri_key, use_lsp_lines
from .index import DocumentIndex, index_source, offers_solves
from .jobs import Job, JobRegistry
from .ownership import body_is_written
from .settings import Redactor, build_config, split_init_options
from .solving import SolveRequest, plan_solve, run_solve
from .store import Engines, ResultStore
from .commands import register_commands

__all__ = ["SStarServer", "server", "REDACTOR"]

log = logging.getLogger(__name__)
REDACTOR = Redactor()
_MAX_SAMPLES = 128


class SStarServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("sstar-lsp", "0.1.0")
        self.jobs = JobRegistry(on_change=self.send_status)
        self.results = ResultStore()
        self.diagnostics = DiagnosticStore()
        self.engines = Engines(Config())
        self.init_settings: dict[str, object] = {}
        self.api_key: str | None = None
        self.pending_messages: list[str] = []
        self._indexes: dict[str, tuple[int | None, DocumentIndex]] = {}
        self._stopped = False
        self.connected = True  # False once the client said `exit`: nothing more may be sent
        self._reporting = False
        self.edit_lock = asyncio.Lock()  # one workspace/applyEdit at a time
        self._change_waiters: dict[str, list[asyncio.Future]] = {}

    # -- client capabilities -------------------------------------------------------------------
    @property
    def supports_progress(self) -> bool:
        window = self.client_capabilities.window
        return bool(window and window.work_done_progress)

    @property
    def supports_document_changes(self) -> bool:
        workspace = self.client_capabilities.workspace
        return bool(workspace and workspace.workspace_edit and workspace.workspace_edit.document_changes)

    @property
    def encoding(self) -> str:
        return self.workspace.position_encoding or types.PositionEncodingKind.Utf16

    # -- documents (looked up by normalised URI: `documents.lookup`) -----------------------------
    def document(self, uri: str) -> TextDocument | None:
        return lookup(self.workspace, uri)

    def index(self, uri: str) -> DocumentIndex:
        """Stubs and functions of the open document, cached per version."""
        document = self.workspace.get_text_document(uri)
        cached = self._indexes.get(uri_key(uri))
        if cached is None or cached[0] != document.version or document.version is None:
            cached = (document.version, index_source(document.source))
            self._indexes[uri_key(uri)] = cached
        return cached[1]

    def document_changed(self, uri: str) -> None:
        for future in self._change_waiters.pop(uri_key(uri), []):
            if not future.done():
                future.set_result(None)

    async def wait_for_change(
        self, uri: str, version: int | None, timeout: float = 2.0, *, expected: bool = True
    ) -> None:
        """Until the document is past `version` (our edit's `didChange` arrived), at most `timeout`;
        `expected=False`: no change is fine (waiting for a pause in the user's typing)."""
        document = self.document(uri)
        if document is None or document.version != version:
            return
        future = asyncio.get_running_loop().create_future()
        self._change_waiters.setdefault(uri_key(uri), []).append(future)
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            if expected:
                log.warning("no didChange for our edit of %s within %.1f s", uri, timeout)

    def forget(self, uri: str) -> None:
        self._indexes.pop(uri_key(uri), None)
        if self.diagnostics.discard(uri):
            self.publish_diagnostics(uri)

    # -- talking to the client -----------------------------------------------------------------
    def report_server_error(self, error: Exception, source) -> None:
        # pygls reports a failed send by sending a message, which fails again, recursively (for
        # ~30 s of tracebacks) once the transport is closed: report once, and never after `exit`.
        if not self.connected or self._reporting:
            log.warning("not reported to the client (%s): %s", source.__name__, error)
            return
        self._reporting = True
        try:
            super().report_server_error(error, source)
        finally:
            self._reporting = False

    def show(self, message: str, level: MessageLevel = MessageLevel.INFO) -> None:
        if not self.connected:
            log.info("%s", message)
            return
        self.window_show_message(types.ShowMessageParams(type=message_type(level), message=message))
        self.log(message, level)

    def log(self, message: str, level: MessageLevel = MessageLevel.INFO) -> None:
        if not self.connected:
            log.info("%s", message)
            return
        self.window_log_message(types.LogMessageParams(type=message_type(level), message=message))

    def publish_diagnostics(self, uri: str) -> None:
        if not self.connected:
            return
        document = self.document(uri)
        spelled = document.uri if document is not None else uri  # as the client spells it
        params = types.PublishDiagnosticsParams(uri=spelled, diagnostics=self.diagnostics.diagnostics(uri))
        self.text_document_publish_diagnostics(params)

    def send_preview(self, job: Job) -> None:
        """`sstar/preview`: a candidate that passes every public test, while selection goes on;
        `sstar.acceptPreview` writes it."""
        preview = job.preview
        if preview is None or not self.connected:
            return
        document = self.document(job.uri)
        self.protocol.notify("sstar/preview", {
            "jobId": job.id,
            "uri": document.uri if document is not None else job.uri,
            "qualname": job.qualname,
            "candidateId": preview.candidate_id,
            "code": preview.code,
            "passed": preview.passed,
            "total": preview.total,
            "message": (
                f"a candidate passes {preview.passed}/{preview.total} public tests; selection goes "
                "on (accept it to write it now: the final result replaces it only if you leave it "
                "as it is)"
            ),
        })

    def send_status(self) -> None:
        if not self.connected:
            return
        jobs = [job.status() for job in self.jobs.running]
        status = {"backend": backend_name(self.engines.config), "running": len(jobs), "jobs": jobs}
        self.protocol.notify("sstar/status", status)

    # -- settings ------------------------------------------------------------------------------
    async def pull_settings(self, pushed: object = None) -> None:
        """Rebuild the config from the client's `sstar` section; warn once about bad values."""
        section = pushed
        workspace = self.client_capabilities.workspace
        if workspace and workspace.configuration:
            params = types.ConfigurationParams(items=[types.ConfigurationItem(section="sstar")])
            try:
                section = (await self.workspace_configuration_async(params))[0]
            except Exception as error:  # a client that cannot answer: keep what we have
                log.warning("workspace/configuration failed: %s", error)
        config, messages = build_config(self.init_settings, section, self.api_key)
        self.engines.reconfigure(config)
        messages = self.pending_messages + messages
        self.pending_messages = []
        if messages:
            self.show("S* settings: " + "; ".join(messages), MessageLevel.WARNING)
        self.send_status()

    async def stop_everything(self) -> None:
        """Cancel every job, close the engines (sandbox pools) and stop the embedded model; once."""
        if self._stopped:
            return
        self._stopped = True
        await self.jobs.cancel_all_and_wait()
        await self.engines.aclose()
        try:
            from sstar.localmodel import LocalModelServer

            await LocalModelServer.stop_all()
        except Exception as error:  # nothing may keep the editor from shutting us down
            log.warning("stopping the local model failed: %s", error)

    # -- starting solves -----------------------------------------------------------------------
    async def start_solve(
        self, uri: str, qualname: str | None, position: types.Position | None, samples: int | None, force: bool = False
    ) -> dict:
        if self._stopped:  # after `shutdown` a new job would start processes nobody stops
            return self._refuse("S*: the language server is shutting down; nothing was started.")
        document = self.document(uri)
        if document is None:
            return self._refuse(f"S*: {uri} is not open in the editor; open it and try again.")
        index = self.index(uri)
        qualname = qualname or self.qualname_at(uri, index, position, any_function=force)
        if qualname is None:
            return self._refuse(
                "S*: no stub here. Put the cursor in a function whose body is `...`, `pass` or "
                "`raise NotImplementedError` (after an optional docstring)."
            )
        text = document.source
        if any(stub.qualname == qualname for stub in index.stubs):
            planned: tuple[str, str | None] | str = (text, None)
        else:  # parsing the whole file: not on the event loop
            planned = await asyncio.to_thread(plan_solve, self, uri, text, qualname, index, force)
        if isinstance(planned, str):
            return self._refuse(planned)
        source, written = planned
        path = uris.to_fs_path(document.uri)
        request = SolveRequest(document.uri, qualname, source, path, self._workspace_root(path), samples, written)
        job = self.jobs.start(document.uri, qualname, lambda job: run_solve(self, job, request))
        return {"jobId": job.id}

    def regenerate_samples(self, uri: str, qualname: str) -> int:
        kept = self.results.get(uri, qualname)
        last = kept.samples if kept else self.engines.config.samples
        return min(2 * last, _MAX_SAMPLES)

    def body_is_ours(self, uri: str, qualname: str, index: DocumentIndex) -> bool:
        """The function (not a stub) still holds the body S* last wrote (cheap: for code
        actions). A function S* never wrote into holds the user's body."""
        written = self.results.written(uri, qualname)
        function = index.function(qualname)
        document = self.document(uri)
        if written is None or function is None or document is None:
            return False
        return body_is_written(document.lines, function, written)

    def target(
        self, uri: str, qualname: str | None, position: types.Position | None, any_function: bool = False
    ) -> str | None:
        """The function a command means: named, else the one at `position` in the open document."""
        if qualname or self.document(uri) is None:
            return qualname
        return self.qualname_at(uri, self.index(uri), position, any_function)

    def qualname_at(
        self, uri: str, index: DocumentIndex, position: types.Position | None, any_function: bool = False
    ) -> str | None:
        """The stub at `position`, else the innermost function S* solved there (any function when
        the user asked to solve whatever is there)."""
        if position is None:
            return index.stubs[0].qualname if len(index.stubs) == 1 else None
        stubs = index.stubs_in(position.line, position.line)
        if stubs:
            return stubs[0].qualname
        function = index.function_at(position.line, None if any_function else self.results.qualnames(uri))
        return function.qualname if function else None

    def _workspace_root(self, path: str | None) -> str | None:
        # `vscode-notebook-cell:` and `untitled:` documents have no path: no workspace tests
        if path is None:
            return None
        root = self.workspace.root_path
        if root and Path(path).is_relative_to(root):
            return root
        return str(Path(path).parent)

    def _refuse(self, message: str) -> dict:
        self.show(message, MessageLevel.WARNING)
        return {"jobId": None, "message": message}


def backend_name(config: Config) -> str:
    if not config.base_url:
        return f"embedded {config.local_model}"
    host = urlsplit(config.base_url).netloc or config.base_url
    return f"{config.model} at {host}" if config.model else host


server = SStarServer()


# -- lifecycle and settings ------------------------------------------------------------------------
@server.feature(types.INITIALIZE)
def initialize(ls: SStarServer, params: types.InitializeParams) -> None:
    use_lsp_lines(ls.workspace)  # before any didOpen: documents split as LSP splits them
    ls.init_settings, ls.api_key, messages = split_init_options(params.initialization_options)
    REDACTOR.add(ls.api_key)
    config, problems = build_config(ls.init_settings, None, ls.api_key)
    ls.engines.reconfigure(config)
    ls.pending_messages = messages + problems  # shown after `initialized`, with the pulled ones


@server.feature(types.INITIALIZED)
async def initialized(ls: SStarServer, params: types.InitializedParams) -> None:
    await ls.pull_settings()


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(ls: SStarServer, params: types.DidChangeConfigurationParams) -> None:
    pushed = params.settings.get("sstar") if isinstance(params.settings, dict) else None
    await ls.pull_settings(pushed)


@server.feature(types.SHUTDOWN)
async def shutdown(ls: SStarServer, params: None) -> None:
    await ls.stop_everything()


@server.feature(types.EXIT)
def exit_(ls: SStarServer, params: None) -> None:
    # Sync on purpose: pygls 2.1 never exits after an async `exit` handler. Without a `shutdown`
    # first, cancelling the jobs is all we can start here; asyncio.run's teardown then lets them
    # kill their sandbox children, the sandbox workers end with their pipes, and llama-server
    # dies with us (PR_SET_PDEATHSIG).
    ls.connected = False
    if not ls._stopped:
        ls.jobs.cancel(reason="the editor closed the language server")


# -- documents ---------------------------------------------------------------------------------------
@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: SStarServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    document = ls.workspace.get_text_document(uri)
    if ls.diagnostics.changed(uri, params.content_changes, document.source):
        ls.publish_diagnostics(uri)
    ls.document_changed(uri)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: SStarServer, params: types.DidOpenTextDocumentParams) -> None:
    document = ls.document(params.text_document.uri)
    if document is not None and offers_solves(document.uri, document.language_id):
        ls.index(document.uri)  # the first parse of a big file here, not in the first code action


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: SStarServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.forget(params.text_document.uri)


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.RefactorRewrite]),
)
def code_action(ls: SStarServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    uri, only = params.text_document.uri, params.context.only
    document = ls.document(uri)
    if document is None or not offers_solves(document.uri, document.language_id) or (only and not _wants_rewrite(only)):
        return None
    first, last = _selected_lines(params.range)
    index = ls.index(uri)
    actions = [solve_action(document.uri, document.version, stub) for stub in index.stubs_in(first, last)]
    kept = ls.results.qualnames(uri)
    targets = {s.qualname for s in index.stubs_in(first, last)} & kept
    if (function := index.function_at(first, kept)) is not None:
        targets.add(function.qualname)
    for qualname in sorted(targets):
        samples = ls.regenerate_samples(uri, qualname)
        is_stub = any(s.qualname == qualname for s in index.stubs)
        if is_stub or ls.body_is_ours(uri, qualname, index):
            actions.append(regenerate_action(document.uri, qualname, samples))
        else:
            actions.append(force_action(document.uri, qualname, samples))
    return actions or None


@server.feature(types.WINDOW_WORK_DONE_PROGRESS_CANCEL)
def progress_cancel(ls: SStarServer, params: types.WorkDoneProgressCancelParams) -> None:
    job = ls.jobs.for_token(params.token)
    if job is not None:
        ls.jobs.cancel(job.id, reason="cancelled from the editor")


# -- commands (sstar.*) ------------------------------------------------------------------------------
register_commands(server)


def _wants_rewrite(only: Sequence[str]) -> bool:
    kind = types.CodeActionKind.RefactorRewrite.value
    return any(kind == k or kind.startswith(k + ".") or k == "" for k in only)


def _selected_lines(selection: types.Range) -> tuple[int, int]:
    """A selection ending at the start of a line does not include that line."""
    first, last = selection.start.line, selection.end.line
    if last > first and selection.end.character == 0:
        last -= 1
    return first, last
