"""Run one probe inside the child: the module source, then each step, then write one frame.

The child only reports what happened (values, reprs, exception lines, captured stdout); it never
sees expected values and the parent recomputes every verdict from this report. After each step a
checkpoint frame with that step's record goes to PROGRESS_FD, so that a child killed later keeps
the steps it finished; the result frame on RESULT_FD, written last, is the full report. Output
goes to a capped in-process buffer; going over the cap ends the child at once with a final frame.
"""

from __future__ import annotations

import ast
import os
import re
import reprlib
import signal
import sys
import time
import traceback
import types

from . import wire

__all__ = ["run_probe", "RESULT_FD", "PROGRESS_FD", "MODULE_NAME"]

RESULT_FD = 3
PROGRESS_FD = 4
MODULE_NAME = "candidate"
MODULE_FILE = f"<{MODULE_NAME}>"
_TEXT_CAP = 4096  # exception messages and traceback lines
DETAIL_FRAMES, DETAIL_LOCALS = 5, 10
LINE_CAP, NAME_CAP, REPR_CAP = 160, 100, 100
_LINES = re.compile(r"\r\n|\r|\n")  # how compile() counts lines (not str.splitlines)


class _Repr(reprlib.Repr):
    def repr_instance(self, obj: object, level: int) -> str:
        try:
            text = repr(obj)
        except Exception:  # noqa: BLE001 - a hostile __repr__ must not kill the report
            return f"<{type(obj).__name__} object, unprintable>"
        return text if len(text) <= self.maxother else text[: self.maxother - 3] + "..."


_REPR = _Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother = 2, REPR_CAP, REPR_CAP
_REPR.maxlist = _REPR.maxtuple = _REPR.maxset = _REPR.maxfrozenset = _REPR.maxdeque = 8
_REPR.maxdict, _REPR.maxarray, _REPR.maxlong = 6, 8, 60


class _Timeout(BaseException):
    """Raised by SIGALRM; BaseException so that `except Exception` in candidates lets it pass."""


class _Budget:
    """Shared output budget for one probe (stdout, stderr and doctest display)."""

    def __init__(self, cap: int, on_exceeded) -> None:
        self.cap, self.used, self.on_exceeded = cap, 0, on_exceeded

    def take(self, n: int) -> None:
        self.used += n
        if self.used > self.cap:
            self.on_exceeded()


class _Capture:
    """A minimal text stream: appends to the step's stdout and display, within the budget."""

    encoding = "utf-8"
    errors = "strict"

    def __init__(self, budget: _Budget, into_stdout: bool) -> None:
        self.budget, self.into_stdout = budget, into_stdout
        self.stdout: list[str] = []
        self.display: list[str] = []

    def write(self, s: str) -> int:
        if type(s) is not str:
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        self.budget.take(len(s))
        if self.into_stdout:
            self.stdout.append(s)
            self.display.append(s)
        return len(s)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True


def _cut(text: str, cap: int = _TEXT_CAP) -> str:
    return text if len(text) <= cap else text[:cap] + "...[truncated]"


def _safe_repr(value: object) -> str:
    try:
        text = _REPR.repr(value)
    except _Timeout:
        raise
    except BaseException:  # noqa: BLE001 - a hostile __repr__ must not kill the report
        text = f"<{type(value).__name__} object, unprintable>"
    return text if len(text) <= REPR_CAP else text[: REPR_CAP - 3] + "..."


def _error_detail(exc: BaseException, source: str) -> dict | None:
    """Frames of the module under test the traceback passes through, and the innermost's locals."""
    tbs, tb = [], exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == MODULE_FILE:
            tbs.append(tb)
        tb = tb.tb_next
    if not tbs:
        return None
    lines = _LINES.split(source)
    frames = []
    for tb in tbs[-DETAIL_FRAMES:]:
        number = tb.tb_lineno or 0
        text = lines[number - 1].strip() if 0 < number <= len(lines) else ""
        frames.append([number, tb.tb_frame.f_code.co_name[:NAME_CAP], text[:LINE_CAP]])
    inner = tbs[-1].tb_frame
    local_vars = []
    if inner.f_code.co_name != "<module>":  # a module's "locals" are its globals: not useful
        for name, value in list(inner.f_locals.items())[:DETAIL_LOCALS]:
            local_vars.append([str(name)[:NAME_CAP], _safe_repr(value)])
    return {"f": frames, "l": local_vars}


def _exc_record(exc: BaseException, source: str | None = None) -> dict:
    try:
        message = str(exc)
    except BaseException:  # noqa: BLE001 - a hostile __str__ must not kill the report
        message = "<unprintable exception message>"
    try:
        line = traceback.format_exception_only(type(exc), exc)[-1].rstrip("\n")
    except BaseException:  # noqa: BLE001
        line = type(exc).__name__
    record: dict[str, object] = {"st": "exc", "et": type(exc).__name__[:NAME_CAP],
                                 "em": _cut(message), "tl": _cut(line)}
    if source is not None:
        try:
            detail = _error_detail(exc, source)
        except _Timeout:
            raise
        except BaseException:  # noqa: BLE001 - e.g. MemoryError: report without the detail
            detail = None
        if detail:
            record["err"] = detail
    return record


def _run_source(source: str, glb: dict, cap: _Capture, output_cap: int) -> dict:
    """Execute one step like doctest ('single' mode, every expression statement is shown)."""
    if not source.endswith("\n"):
        source += "\n"
    shown: list[tuple[object]] = []

    def hook(value: object) -> None:
        shown.append((value,))
        if value is not None:
            text = repr(value)
            cap.budget.take(len(text) + 1)
            cap.display.append(text + "\n")

    tree = ast.parse(source, "<probe>", "exec")
    final_expr = bool(tree.body) and isinstance(tree.body[-1], ast.Expr)
    sys.displayhook = hook
    try:
        try:
            code = compile(source, "<probe>", "single", dont_inherit=True)
        except SyntaxError:  # several statements: run them, show only the final expression
            body = ast.Module(body=tree.body[:-1] if final_expr else tree.body, type_ignores=[])
            exec(compile(body, "<probe>", "exec", dont_inherit=True), glb)
            if final_expr:
                expr = ast.Expression(body=tree.body[-1].value)  # type: ignore[attr-defined]
                hook(eval(compile(expr, "<probe>", "eval", dont_inherit=True), glb))
        else:
            exec(code, glb)
    finally:
        sys.displayhook = sys.__displayhook__
    value = shown[-1][0] if final_expr and shown else None
    record = {"st": "ok", "plain": False, "v": None, "r": None}
    text = repr(value)
    if len(text) > output_cap:
        return {"st": "output", "em": f"repr of the value has {len(text)} characters"}
    plain, enc = wire.to_plain(value)
    record.update(plain=plain, v=enc, r=text)
    return record


class _Run:
    def __init__(self, request: dict, nonce: str) -> None:
        self.request, self.nonce = request, nonce
        self.records: list[dict] = []
        self.budget = _Budget(int(request["limits"]["output"]), self._output_exceeded)
        self.cap: _Capture | None = None
        self.started = 0.0
        self.layers: dict = {}

    def _output_exceeded(self) -> None:
        # Called from inside a write: report now and leave, candidates cannot swallow this.
        self._record({"st": "output", "em": "output limit exceeded"})
        self.finish()

    def _record(self, record: dict) -> None:
        cap = self.cap
        if cap is not None:
            record.setdefault("out", "".join(cap.stdout)[: self.budget.cap])
            record.setdefault("disp", "".join(cap.display)[: self.budget.cap])
        record["dt"] = time.perf_counter() - self.started
        self.records.append(record)
        # A checkpoint, so that steps finished before a crash or a hard kill keep their results.
        checkpoint = wire.pack_frame(wire.dumps({"nonce": self.nonce, "record": record}))
        try:
            os.write(PROGRESS_FD, checkpoint)
        except OSError:
            pass

    def step(self, index: int, source: str, glb: dict) -> bool:
        """Run one source (index 0 = module); False when the child must stop after it."""
        self.cap = cap = _Capture(self.budget, True)
        sys.stdout = cap
        sys.stderr = _Capture(self.budget, False)
        self.started = time.perf_counter()
        go_on = True
        try:
            if index == 0:
                exec(compile(source, MODULE_FILE, "exec", dont_inherit=True), glb)
                record = {"st": "ok", "plain": True, "v": None, "r": "None"}
            else:
                record = _run_source(source, glb, cap, self.budget.cap)
        except _Timeout:
            record, go_on = {"st": "timeout"}, False
        except SystemExit as exc:
            record, go_on = {"st": "exit", "em": _cut(repr(exc.code))}, False
        except BaseException as exc:  # noqa: BLE001 - every failure is reported, not raised
            record = _exc_record(exc, self.request["source"])
            go_on = index > 0  # a module that fails to import leaves nothing to probe
        self._record(record)
        return go_on and record["st"] != "output"

    def finish(self) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        sys.stdout = sys.stderr = None
        frame = {"nonce": self.nonce, "records": self.records, "layers": self.layers}
        data = wire.pack_frame(wire.dumps(frame))
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(RESULT_FD, view) :]
        finally:
            os._exit(0)


def run_probe(request: dict, layers: dict) -> None:
    """Run module + steps, write the frame to RESULT_FD and exit; never returns."""
    run = _Run(request, request["nonce"])
    run.layers = layers

    def on_alarm(signum, frame):
        raise _Timeout()

    try:
        module = types.ModuleType(MODULE_NAME)
        module.__file__ = MODULE_FILE
        sys.modules[MODULE_NAME] = module
        glb = module.__dict__
        signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, float(request["limits"]["wall"]))
        if run.step(0, request["source"], glb):
            for i, source in enumerate(request["steps"], start=1):
                if not run.step(i, source, glb):
                    break
    except _Timeout:  # the alarm fired between steps
        run._record({"st": "timeout"})
    except BaseException as exc:  # noqa: BLE001
        run._record(_exc_record(exc))
    run.finish()
