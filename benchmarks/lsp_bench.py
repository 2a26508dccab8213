"""Language-server latency as an editor sees it, over stdio with a real server subprocess.

1. `textDocument/codeAction` on a generated 5,000-line Python file full of stubs, at random lines
   (a few hundred requests, one at a time): with the document unchanged between requests (cursor
   moves), and with an incremental `didChange` before every request (typing, then asking for
   actions; the server re-indexes the new version). Target: p99 < 20 ms.
   Also the server's CPU time per request, which the machine's load does not inflate.
2. Time from sending `workspace/executeCommand sstar.solve` to the first `$/progress` of its job
   (`begin`) and to the first `report`, against a scripted OpenAI-compatible model running as its
   own process. Target: < 100 ms.
3. `textDocument/codeAction` on the same file WHILE a 32-sample solve of one of its stubs runs
   (the scripted model answers at once, so the server is as busy as it gets: every sample becomes
   a candidate against the 5,000-line module). Target: p99 < 50 ms, printed beside case 1.

The client is pytest-lsp's (pygls) with Neovim 0.11's capabilities (workDoneProgress, no
documentChanges); settings come through `workspace/configuration`. Applied edits are refused so
the stub stays a stub for the next solve. Figures are printed; `--json PATH` also writes them.

    .venv/bin/python benchmarks/lsp_bench.py [--lines 5000] [--requests 300] [--solves 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lsprotocol import types  # noqa: E402
from pytest_lsp.client import client_capabilities, make_test_lsp_client  # noqa: E402

from tests.support.scripted_llm import fenced  # noqa: E402

CODE_ACTION_TARGET_MS = 20.0
CODE_ACTION_DURING_SOLVE_TARGET_MS = 50.0
FIRST_PROGRESS_TARGET_MS = 100.0
BUSY_SAMPLES = 32


# -- the file ------------------------------------------------------------------------------------
def stub(i: int, indent: str = "") -> list[str]:
    return [
        f"{indent}def stub_{i}(x: int) -> int:",
        f'{indent}    """Return x plus {i}.',
        "",
        f"{indent}    >>> stub_{i}(2)",
        f"{indent}    {2 + i}",
        f'{indent}    """',
        f"{indent}    ...",
        "",
    ]


def plain(i: int) -> list[str]:
    return [
        f"def helper_{i}(values: list[int]) -> int:",
        "    # a function with a real body: no action is offered here",
        "    total = 0",
        "    for value in values:",
        "        if value % 2:",
        "            total += value",
        "        else:",
        "            total -= value",
        "    return total",
        "",
    ]


def klass(i: int) -> list[str]:
    return [
        f"class Box{i}:",
        '    """A class with one stub method."""',
        "",
        "    def __init__(self) -> None:",
        "        self.items: list[int] = []",
        "",
        *stub(10_000 + i, "    "),
    ]


def generate_source(lines: int) -> str:
    """A module of `lines` lines: plain functions, stub functions and classes with stub methods."""
    out = ['"""Generated for the LSP benchmark."""', "", "import math", "", "# filler line", ""]
    i = 0
    while len(out) < lines:
        out += plain(i) + stub(i) + (klass(i) if i % 3 == 0 else [])
        i += 1
    return "\n".join(out[:lines]) + "\n"


def stub_answer(i: int) -> str:
    return fenced(f"def stub_{i}(x: int) -> int:\n    return x + {i}\n")


# -- the scripted model, as its own process ----------------------------------------------------------
def start_llm(folder: Path, stubs: list[int]) -> tuple[subprocess.Popen, str]:
    script = {
        "model": "scripted",
        "rules": [{"match": f"def stub_{i}(", "reply": stub_answer(i)} for i in stubs],
        "default": "Answer: A",
    }
    path = folder / "script.json"
    path.write_text(json.dumps(script))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.scripted_llm", "--port", "0", "--script", str(path)],
        cwd=ROOT, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
    )
    line = proc.stdout.readline()  # blocks until it listens (or dies)
    if not line.startswith("LISTENING "):
        proc.kill()
        raise RuntimeError(f"the scripted model did not start: {line!r}")
    return proc, line.split()[1]


# -- statistics ----------------------------------------------------------------------------------------
def summary(samples_ms: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return {
        "n": len(samples_ms),
        "p50": statistics.median(samples_ms),
        "p90": cuts[89],
        "p95": cuts[94],
        "p99": cuts[98],
        "max": max(samples_ms),
        "mean": statistics.fmean(samples_ms),
    }


def row(name: str, s: dict[str, float], target: float | None) -> str:
    verdict = "" if target is None else ("  ok" if s["p99"] < target else f"  OVER {target:g} ms")
    return (
        f"{name:<44} n={s['n']:<4} p50={s['p50']:7.2f}  p90={s['p90']:7.2f}  p95={s['p95']:7.2f}  p99={s['p99']:7.2f}"
        f"  max={s['max']:7.2f} ms{verdict}"
    )


# -- the client ----------------------------------------------------------------------------------------
class Timed:
    """Arrival times of `$/progress` per token (wraps pytest-lsp's own handler)."""

    def __init__(self, client) -> None:
        self.arrivals: dict[object, list[tuple[str, float]]] = {}
        self.ended: dict[object, asyncio.Event] = {}
        features = client.protocol.fm.features
        original = features[types.PROGRESS]

        def on_progress(*args):  # the registered handler is already bound to the client
            now = time.perf_counter()
            params: types.ProgressParams = args[-1]
            kind = params.value.get("kind") if isinstance(params.value, dict) else getattr(params.value, "kind", None)
            self.arrivals.setdefault(params.token, []).append((kind, now))
            if kind == "end":
                self.ended.setdefault(params.token, asyncio.Event()).set()
            return original(*args)

        features[types.PROGRESS] = on_progress




def machine() -> str:
    return (
        f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f} at the end"
    )

async def stop_server(client) -> None:
    """Shut the language server down; report, but never leave it behind."""
    try:
        await asyncio.wait_for(client.shutdown_session(), 15)
    except (TimeoutError, Exception) as error:
        print(f"warning: the server did not shut down cleanly: {error!r}", file=sys.stderr)
        if client._server is not None and client._server.returncode is None:
            client._server.kill()
            await client._server.wait()

async def start_client(settings: dict, env: dict[str, str], server: list[str]):
    client = make_test_lsp_client()
    client.set_configuration(settings, section="sstar")  # answered to workspace/configuration

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def refuse_edit(ls, params: types.ApplyWorkspaceEditParams):
        return types.ApplyWorkspaceEditResult(applied=False, failure_reason="benchmark keeps the stub")

    @client.feature("sstar/status")
    def status(ls, params):  # the server's job list; not measured here
        return None

    timed = Timed(client)
    await client.start_io(sys.executable, *server, env=env)
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("neovim@v0.11.0"),
            process_id=os.getpid(),
            root_uri=None,
        )
    )
    return client, timed


class Document:
    """The open document as the client knows it (its version grows with every change)."""

    def __init__(self, uri: str, source: str) -> None:
        self.uri, self.source, self.version = uri, source, 1


async def code_actions(client, doc: Document, requests: int, edit: bool, seed: int) -> list[float]:
    rng = random.Random(seed)
    uri, total = doc.uri, doc.source.count("\n")
    filler = doc.source.splitlines().index("# filler line")
    timings = []
    for k in range(requests):
        if edit:  # type one character at the end of a comment line, then delete it again
            doc.version += 1
            version = doc.version
            text, character = ("x", len("# filler line")) if k % 2 == 0 else ("", len("# filler line"))
            end = character if k % 2 == 0 else character + 1
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=[
                        types.TextDocumentContentChangePartial(
                            range=types.Range(
                                types.Position(filler, character), types.Position(filler, end)
                            ),
                            text=text,
                        )
                    ],
                )
            )
        line = rng.randrange(total)
        params = types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(line, 4), types.Position(line, 4)),
            context=types.CodeActionContext(diagnostics=[]),
        )
        started = time.perf_counter()
        await client.text_document_code_action_async(params)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


async def solves(client, timed: Timed, uri: str, count: int, stubs: list[int]) -> dict[str, list[float]]:
    to_begin, to_report, to_answer, to_end = [], [], [], []
    for k in range(count):
        qualname = f"stub_{stubs[k % len(stubs)]}"
        params = types.ExecuteCommandParams(command="sstar.solve", arguments=[{"uri": uri, "qualname": qualname}])
        started = time.perf_counter()
        answer = await client.workspace_execute_command_async(params)
        answered = time.perf_counter()
        job = answer["jobId"] if isinstance(answer, dict) else getattr(answer, "jobId", None)
        if not job:
            raise RuntimeError(f"sstar.solve refused: {answer!r}")
        token = f"sstar/{job}"
        ended = timed.ended.setdefault(token, asyncio.Event())
        await asyncio.wait_for(ended.wait(), 60)
        arrivals = timed.arrivals[token]
        begin = next(t for kind, t in arrivals if kind == "begin")
        report = next((t for kind, t in arrivals if kind == "report"), None)
        end = next(t for kind, t in arrivals if kind == "end")
        to_answer.append((answered - started) * 1000)
        to_begin.append((begin - started) * 1000)
        if report is not None:
            to_report.append((report - started) * 1000)
        to_end.append((end - started) * 1000)
    return {"answer": to_answer, "begin": to_begin, "report": to_report, "end": to_end}


async def code_actions_during_solve(
    client, timed: Timed, doc: Document, qualname: str, samples: int, seed: int
) -> tuple[list[float], float]:
    """Code actions, one after another, from the start of a `samples`-sample solve to its end;
    and how long the solve took (ms)."""
    params = types.ExecuteCommandParams(
        command="sstar.regenerate", arguments=[{"uri": doc.uri, "qualname": qualname, "samples": samples}]
    )
    started = time.perf_counter()
    answer = await client.workspace_execute_command_async(params)
    job = answer["jobId"] if isinstance(answer, dict) else getattr(answer, "jobId", None)
    if not job:
        raise RuntimeError(f"sstar.regenerate refused: {answer!r}")
    ended = timed.ended.setdefault(f"sstar/{job}", asyncio.Event())
    timings: list[float] = []
    k = 0
    while not ended.is_set() or len(timings) < 20:
        timings += await code_actions(client, doc, 1, edit=False, seed=seed + k)
        k += 1
    await asyncio.wait_for(ended.wait(), 120)
    finished = next(t for kind, t in timed.arrivals[f"sstar/{job}"] if kind == "end")
    return timings, (finished - started) * 1000


def cpu_ms(pid: int) -> float:
    """User + system CPU time of process `pid` so far, in ms."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "lsp_server", "sstar", "sandbox"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        return head + (" (+ uncommitted changes in lsp_server/sstar/sandbox)" if dirty else "")
    except OSError:
        return "unknown"


def server_command(args: argparse.Namespace) -> list[str]:
    """How the server is started: `python -m lsp_server`, or `--server-wrapper` (a script that
    sets up profiling, then runs the server with the arguments it is given)."""
    start = [str(args.server_wrapper)] if args.server_wrapper else ["-m", "lsp_server"]
    log = ["--log-file", str(args.server_log)] if args.server_log else []
    return [*start, "--log-level", "WARNING", *log]


# The model client's two paths, compared side by side (SSTAR_MODEL_THREAD, read by sstar.config).
PATHS = {"loop": "0", "thread": "1"}


async def run_during_solve(args: argparse.Namespace) -> dict:
    """Only case 3, on one server per model-client path, the paths taking turns: each round
    solves a fresh stub with 32 samples on every server (each server has its own cache)."""
    source = generate_source(args.lines)
    paths = args.paths.split(",")
    busy_stubs = [5 + k for k in range(args.busy_solves)]
    with tempfile.TemporaryDirectory(prefix="sstar-lsp-bench-") as tmp:
        folder = Path(tmp)
        (folder / "project").mkdir()
        path = folder / "project" / "big_module.py"
        path.write_text(source)
        uri = path.as_uri()
        llm, base_url = start_llm(folder, [0, *busy_stubs])
        settings = {"baseUrl": base_url, "model": "scripted", "samples": 2, "rounds": 1}
        servers = {}
        timings: dict[str, list[float]] = {name: [] for name in paths}
        solve_ms: dict[str, list[float]] = {name: [] for name in paths}
        try:
            for name in paths:
                env = {k: v for k, v in os.environ.items() if not k.startswith("SSTAR_")}
                env.update(
                    SSTAR_CACHE_DIR=str(folder / f"cache-{name}"),
                    OPENAI_API_KEY="sk-bench",
                    SSTAR_MODEL_THREAD=PATHS[name],
                )
                client, timed = await start_client(settings, env, server_command(args))
                servers[name] = (client, timed)
                client.text_document_did_open(
                    types.DidOpenTextDocumentParams(
                        types.TextDocumentItem(uri=uri, language_id="python", version=1, text=source)
                    )
                )
                await code_actions(client, Document(uri, source), 20, edit=False, seed=args.seed)
                await solves(client, timed, uri, 1, [0])  # warm: the sandbox pool starts here
            for k, number in enumerate(busy_stubs):
                for name in paths:
                    client, timed = servers[name]
                    busy, took = await code_actions_during_solve(
                        client, timed, Document(uri, source), f"stub_{number}", BUSY_SAMPLES,
                        args.seed + 100 * k,
                    )
                    timings[name] += busy
                    solve_ms[name].append(took)
        finally:
            for client, _ in servers.values():
                await stop_server(client)
            llm.kill()
            llm.wait()
    return {
        "commit": commit(),
        "machine": machine(),
        "lines": args.lines,
        "busy_solve_samples": BUSY_SAMPLES,
        "busy_solves": args.busy_solves,
        "paths": {
            name: {"code_action_during_solve": summary(timings[name]), "solve_ms": solve_ms[name]}
            for name in paths
        },
    }


async def run(args: argparse.Namespace) -> dict:
    source = generate_source(args.lines)
    stubs = [0, 1, 2, 3, 4]  # solved one by one; stub_5 is the one solved with 32 samples
    with tempfile.TemporaryDirectory(prefix="sstar-lsp-bench-") as tmp:
        folder = Path(tmp)
        (folder / "project").mkdir()  # the workspace the server scans for tests: only the file
        path = folder / "project" / "big_module.py"
        path.write_text(source)
        uri = path.as_uri()
        llm, base_url = start_llm(folder, stubs + [stubs[-1] + 1])
        env = {k: v for k, v in os.environ.items() if not k.startswith("SSTAR_")}
        env.update(SSTAR_CACHE_DIR=str(folder / "cache"), OPENAI_API_KEY="sk-bench")
        settings = {"baseUrl": base_url, "model": "scripted", "samples": 2, "rounds": 1}
        client, timed = await start_client(settings, env, server_command(args))
        try:
            client.text_document_did_open(
                types.DidOpenTextDocumentParams(
                    types.TextDocumentItem(uri=uri, language_id="python", version=1, text=source)
                )
            )
            doc = Document(uri, source)
            first = await code_actions(client, doc, 1, edit=False, seed=args.seed)
            pid = client._server.pid  # pytest-lsp keeps the subprocess here
            cpu = cpu_ms(pid)
            steady = await code_actions(client, doc, args.requests, edit=False, seed=args.seed + 1)
            cpu_steady, cpu = (cpu_ms(pid) - cpu) / args.requests, cpu_ms(pid)
            edited = await code_actions(client, doc, args.requests, edit=True, seed=args.seed + 2)
            cpu_edited = (cpu_ms(pid) - cpu) / args.requests
            solve_times = await solves(client, timed, uri, args.solves, stubs)
            busy, busy_solve_ms = await code_actions_during_solve(
                client, timed, doc, f"stub_{stubs[-1] + 1}", BUSY_SAMPLES, args.seed + 3
            )
        finally:
            await stop_server(client)
            llm.kill()
            llm.wait()
    return {
        "commit": commit(),
        "machine": machine(),
        "lines": args.lines,
        "stubs_in_file": source.count("    ...\n"),
        "code_action_first_ms": first[0],
        "code_action_steady": summary(steady),
        "code_action_after_edit": summary(edited),
        "code_action_during_solve": summary(busy),
        "busy_solve_samples": BUSY_SAMPLES,
        "busy_solve_ms": busy_solve_ms,
        # server CPU per request: what the machine's load does not inflate (10 ms resolution, summed)
        "server_cpu_ms_per_code_action_steady": cpu_steady,
        "server_cpu_ms_per_code_action_after_edit": cpu_edited,
        "solve_answer": summary(solve_times["answer"]),
        "solve_first_progress_begin": summary(solve_times["begin"]),
        "solve_first_progress_report": summary(solve_times["report"]) if len(solve_times["report"]) > 1 else None,
        "solve_end": summary(solve_times["end"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=300, help="code actions per variant")
    parser.add_argument("--solves", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--only-during-solve", action="store_true",
        help="only case 3, once per model-client path in --paths, the paths taking turns",
    )
    parser.add_argument("--paths", default="loop,thread", help="with --only-during-solve: loop, thread or both")
    parser.add_argument("--busy-solves", type=int, default=3, help="with --only-during-solve: 32-sample solves per path")
    parser.add_argument("--server-wrapper", type=Path, help="a script run instead of `-m lsp_server` (profiling)")
    parser.add_argument("--server-log", type=Path, help="the server's log file (--log-file)")
    args = parser.parse_args(argv)
    if args.only_during_solve:
        figures = asyncio.run(run_during_solve(args))
        print(f"S* LSP benchmark, codeAction during a {BUSY_SAMPLES}-sample solve  commit {figures['commit']}  "
              f"({figures['machine']}); {figures['lines']} lines, {figures['busy_solves']} solves per path")
        for name, result in figures["paths"].items():
            print(row(f"model client on the {name}", result["code_action_during_solve"], CODE_ACTION_DURING_SOLVE_TARGET_MS))
            print(f"{'  (those solves took)':<44} " + ", ".join(f"{ms:.0f}" for ms in result["solve_ms"]) + " ms")
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(figures, indent=2) + "\n")
        return 0
    figures = asyncio.run(run(args))
    print(f"S* LSP benchmark  commit {figures['commit']}  ({figures['machine']})")
    print(f"file: {figures['lines']} lines, {figures['stubs_in_file']} stubs; first code action (cold index) "
          f"{figures['code_action_first_ms']:.2f} ms")
    print(row("codeAction, unchanged document", figures["code_action_steady"], CODE_ACTION_TARGET_MS))
    print(row("codeAction after an incremental didChange", figures["code_action_after_edit"], CODE_ACTION_TARGET_MS))
    print(row(f"codeAction during a {figures['busy_solve_samples']}-sample solve", figures["code_action_during_solve"], CODE_ACTION_DURING_SOLVE_TARGET_MS))
    print(f"{'  (that solve took)':<44} {figures['busy_solve_ms']:.0f} ms")
    print(f"{'server CPU per codeAction (unchanged / after didChange)':<44} "
          f"{figures['server_cpu_ms_per_code_action_steady']:.2f} / "
          f"{figures['server_cpu_ms_per_code_action_after_edit']:.2f} ms")
    print(row("sstar.solve -> command answered", figures["solve_answer"], None))
    print(row("sstar.solve -> first $/progress (begin)", figures["solve_first_progress_begin"], FIRST_PROGRESS_TARGET_MS))
    if figures["solve_first_progress_report"]:
        print(row("sstar.solve -> first $/progress report", figures["solve_first_progress_report"], FIRST_PROGRESS_TARGET_MS))
    print(row("sstar.solve -> progress end (scripted model)", figures["solve_end"], None))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
