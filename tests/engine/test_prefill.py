"""Prefilled answers (sstar/prefill.py): the model continues the stub's header and stops at the
fence; a server that ignores the prefix is found out and asked today's prompt from then on."""

from __future__ import annotations

import ast

import openai
import pytest

from sstar.cache import Cache
from sstar.config import Config
from sstar.context import SolveContext
from sstar.engine import Engine
from sstar.events import Stage
from sstar.llm import LLMClient
from sstar.prefill import STOP, answer_snippet, continued, header, prefix, verdict
from sstar.problem import extract_problem
from sstar.prompts import Failure, debug_messages, sample_messages
from sstar.results import SolveStatus
from sstar.writeback import BodyEdit, write_body
from tests.support.scripted_llm import Reply, ScriptedLLM, fenced

from .conftest import ADD_ONE, KEY, OLD_PIPELINE, ModelScript

HEADER = '''def add_one(xs: list[int]) -> list[int]:
    """Add one to every number.

    >>> add_one([1, 2])
    [2, 3]
    >>> add_one([])
    []
    """
'''
BODY = "\n    return [x + 1 for x in xs]\n```\n"
WRONG_BODY = "\n    return [x + 2 for x in xs]\n```\n"

COUNTER = '''class Counter:
    """Counts."""

    def __init__(self, start: int) -> None:
        self.start = start

    def plus(self, k: int) -> int:
        """The start plus k.

        >>> Counter(2).plus(3)
        5
        """
        raise NotImplementedError
'''


def last_message(body: dict) -> dict:
    return body["messages"][-1]


def sample_requests(server: ScriptedLLM) -> list[dict]:
    return [b for b in server.requests if "Reply with the complete function" in str(b)]


# -- the header -----------------------------------------------------------------------------


def test_header_is_the_stub_without_its_placeholder(tmp_path):
    problem = extract_problem(ADD_ONE, path=tmp_path / "m.py")
    assert header(problem) == HEADER
    assert prefix(problem) == "```python\n" + HEADER.rstrip("\n")  # the model writes the newline


def test_a_method_header_is_dedented_as_the_prompt_shows_it(tmp_path):
    problem = extract_problem(COUNTER, path=tmp_path / "m.py", qualname="Counter.plus")
    head = header(problem)
    assert head is not None and head.startswith("def plus(self, k: int) -> int:\n    \"\"\"The start")
    assert head in problem.stub_text and "NotImplementedError" not in head


def test_docstring_only_and_inline_stubs(tmp_path):
    only = 'def f(x):\n    """Twice x.\n\n    >>> f(2)\n    4\n    """\n'
    assert header(extract_problem(only, path=tmp_path / "a.py")) == only
    inline = 'def f(x): ...\n'
    assert header(extract_problem(inline, path=tmp_path / "b.py")) is None
    one_line = 'def f(x):\n    """Twice x."""; ...\n'
    assert header(extract_problem(one_line, path=tmp_path / "c.py")) is None


def test_continued_and_verdict():
    start = "```python\ndef f(x):"
    assert continued("    return 1\n") and verdict("\n    return 1", "f", start) is True
    assert verdict(start + "\n    return 1", "f", start) is True  # the prefix echoed back
    assert not continued("```python\ndef f(x):\n    return 1\n```")
    assert verdict("```python\ndef f(y):\n    return 1\n```", "f", start) is False
    fresh = "Here:\n```python\nclass A:\n    def f(self):\n        return 1\n```"
    assert verdict(fresh, "f", start) is False
    assert verdict("I cannot do that.", "f", start) is None  # no verdict from an odd answer


def test_answer_snippet_joins_then_falls_back():
    start = "```python\n" + HEADER.rstrip("\n")
    joined = answer_snippet(BODY, "add_one", start)
    assert joined.ok and "return [x + 1" in (joined.snippet or "") and "Add one" in (joined.snippet or "")
    whole = answer_snippet(fenced("def add_one(xs):\n    return xs"), "add_one", start)
    assert whole.ok and "return xs" in (whole.snippet or "")
    # A continuation that does not parse must not leave the bare header as a candidate.
    broken = answer_snippet("    return [x +\n", "add_one", start)
    assert not broken.ok


def test_prompts_end_with_the_started_answer_and_the_repair_is_shorter(tmp_path):
    problem = extract_problem(ADD_ONE, path=tmp_path / "m.py")
    start = prefix(problem)
    plain = sample_messages(problem)
    started = sample_messages(problem, prefill=start)
    assert started[:-1] == plain and started[-1] == {"role": "assistant", "content": start}
    code = "def add_one(xs):\n    return xs\n"
    failures = [Failure("add_one([1, 2])", "[2, 3]", "[1, 2]", detail="line 2: return xs")]
    repair = debug_messages(problem, code, failures, prefill=start)
    assert repair[-1] == {"role": "assistant", "content": start}
    assert [m["role"] for m in repair] == ["system", "user", "assistant", "user", "assistant"]
    unstarted = debug_messages(problem, code, failures)
    shown = str(unstarted)
    assert "line 2: return xs" in shown and "expected: [2, 3]" in shown
    assert problem.stub_text not in shown  # the candidate already shows signature and docstring
    before = [*plain, *unstarted[2:]]  # the repair as it was: the whole sampling conversation first
    assert len(shown) < len(str(before)) - len(problem.stub_text) // 2


# -- the scripted server honours what the client asks ---------------------------------------


async def test_scripted_server_cuts_at_stop_and_continues_a_prefix():
    start = "```python\n" + HEADER.rstrip("\n")
    reply = Reply(start + BODY + "\nMore prose.\n", continuation=True)
    async with ScriptedLLM(default=reply) as server:
        client = openai.AsyncOpenAI(base_url=server.base_url, api_key="k", max_retries=0)
        messages = [{"role": "user", "content": "go"}, {"role": "assistant", "content": start}]
        done = await client.chat.completions.create(
            model="m", messages=messages, stop=list(STOP)  # type: ignore[arg-type]
        )
        assert done.choices[0].message.content == BODY.removesuffix("\n```\n")
        assert done.choices[0].finish_reason == "stop"
        fresh = await client.chat.completions.create(model="m", messages=messages[:1])  # type: ignore[arg-type]
        assert fresh.choices[0].message.content == reply.text  # not prefilled: sent as scripted
        await client.close()
    async with ScriptedLLM(default=reply, continues_prefill=False) as server:
        client = openai.AsyncOpenAI(base_url=server.base_url, api_key="k", max_retries=0)
        done = await client.chat.completions.create(model="m", messages=messages)  # type: ignore[arg-type]
        assert done.choices[0].message.content == "Here is the function:\n" + reply.text  # afresh
        await client.close()
    async with ScriptedLLM(default=reply, echoes_prefill=True) as server:
        client = openai.AsyncOpenAI(base_url=server.base_url, api_key="k", max_retries=0)
        done = await client.chat.completions.create(
            model="m", messages=messages, stop=list(STOP)  # type: ignore[arg-type]
        )
        assert done.choices[0].message.content == start + BODY.removesuffix("\n```\n")
        await client.close()


# -- the engine -----------------------------------------------------------------------------


@pytest.fixture
async def servers():
    """A continuing and a non-continuing scripted server, both answering samples with `BODY`."""
    made: list[ScriptedLLM] = []

    async def make(continues: bool = True, samples=None, echoes: bool = False) -> ScriptedLLM:
        # The whole answer, prefix included: a continuing server sends what follows the prefix,
        # another sends it all, and a request that is not prefilled gets it all too.
        whole = Reply("```python\n" + HEADER.rstrip("\n") + BODY, continuation=True)
        script = ModelScript(samples=samples or whole)
        script.debug = whole
        server = await ScriptedLLM(
            script, continues_prefill=continues, echoes_prefill=echoes
        ).start()
        server.script = script  # type: ignore[attr-defined]
        made.append(server)
        return server

    yield make
    for server in made:
        await server.close()


@pytest.fixture
async def engine_for(pool, tmp_path):
    engines: list[Engine] = []

    def make(server: ScriptedLLM, cache: Cache | None = None, **overrides) -> Engine:
        settings = dict(
            base_url=server.base_url, model="scripted", api_key=KEY, max_retries=0,
            timeout_seconds=10.0, samples=2, rounds=1, judge_selection=False, **OLD_PIPELINE,
        )
        settings.update(overrides)
        engine = Engine(Config(**settings), sandbox=pool, cache=cache or Cache(tmp_path / "c"))
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        await engine.aclose()


async def test_the_prefix_is_joined_with_the_body_the_model_wrote(servers, engine_for, tmp_path):
    server = await servers()
    problem = extract_problem(ADD_ONE, path=tmp_path / "m.py")
    engine = engine_for(server)
    result = await engine.solve(problem)
    assert result.status is SolveStatus.SOLVED and result.passed_public
    assert result.body == "return [x + 1 for x in xs]\n"
    for body in sample_requests(server):
        assert last_message(body) == {"role": "assistant", "content": prefix(problem)}
        assert body["stop"] == list(STOP)
    assert engine._llm is not None and engine._llm.continues_prefill is True


async def test_a_server_that_echoes_the_prefix_is_a_continuing_one(servers, engine_for, tmp_path):
    # llama-server sends the prefilled part again in the content (found on the real model).
    server = await servers(echoes=True)
    engine = engine_for(server)
    result = await engine.solve(extract_problem(ADD_ONE, path=tmp_path / "m.py"))
    assert result.passed_public and result.body == "return [x + 1 for x in xs]\n"
    assert engine._llm is not None and engine._llm.continues_prefill is True


async def test_generation_stops_at_the_end_of_the_block(servers, engine_for, tmp_path):
    # Without the stop string the later block (a wrong function) would be read as the answer.
    tail = "\nA wrong variant:\n```python\ndef add_one(xs):\n    return [x + 2 for x in xs]\n```\n"
    server = await servers(samples=Reply(BODY + tail, continuation=True))
    result = await engine_for(server).solve(extract_problem(ADD_ONE, path=tmp_path / "m.py"))
    assert result.body == "return [x + 1 for x in xs]\n"


async def test_a_server_that_ignores_the_prefix_gets_todays_prompt(servers, engine_for, tmp_path):
    server = await servers(continues=False)
    problem = extract_problem(ADD_ONE, path=tmp_path / "m.py")
    engine = engine_for(server)
    first = await engine.solve(problem)  # answers restart with the whole function: still read
    assert first.status is SolveStatus.SOLVED and first.body == "return [x + 1 for x in xs]\n"
    assert all(last_message(b)["role"] == "assistant" for b in sample_requests(server))
    assert engine._llm is not None and engine._llm.continues_prefill is False
    asked = len(server.requests)
    again = await engine.solve(extract_problem(ADD_ONE.replace("every", "each"), path=tmp_path / "n.py"))
    assert again.status is SolveStatus.SOLVED
    later = server.requests[asked:]
    assert later and all(last_message(b)["role"] == "user" for b in later)
    assert all("stop" not in b for b in later)


async def test_after_the_fallback_a_solve_again_reuses_the_prefilled_answers(
    servers, engine_for, tmp_path
):
    # The first solve's prefilled requests were answered in full; asked plainly now, the same
    # samples come from the cache instead of being paid for again ("regenerate").
    server = await servers(continues=False)
    problem = extract_problem(ADD_ONE, path=tmp_path / "m.py")
    engine = engine_for(server)
    first = await engine.solve(problem)
    asked = len(server.requests)
    again = await engine.solve(problem)
    assert len(server.requests) == asked and again.body == first.body
    assert again.usage.stages["sampling"].cached_calls == 2


async def test_a_wrong_continuation_is_repaired_with_a_plain_repair(servers, engine_for, tmp_path):
    """Samples are prefilled, repairs ask for the whole corrected function (a prefilled repair
    made the model write the same body again)."""
    server = await servers(samples=Reply(WRONG_BODY, continuation=True))
    result = await engine_for(server, samples=1).solve(extract_problem(ADD_ONE, path=tmp_path / "m.py"))
    assert result.body == "return [x + 1 for x in xs]\n"
    repairs = [b for b in server.requests if "Your function fails these tests" in str(b)]
    assert repairs and all(last_message(b)["role"] == "user" for b in repairs)
    assert all("stop" not in b for b in repairs)
    samples = [b for b in server.requests if b not in repairs and "Reply with the complete" in str(b)]
    assert samples and all(last_message(b)["role"] == "assistant" for b in samples)
    assert "[x + 2 for x in xs]" in str(repairs[0]["messages"][2])  # the candidate shown


async def test_prefill_off_is_todays_prompt_and_another_cache_key(servers, engine_for, tmp_path):
    server = await servers(samples=fenced("def add_one(xs):\n    return [x + 1 for x in xs]"))
    problem = extract_problem(ADD_ONE, path=tmp_path / "m.py")
    cache = Cache(tmp_path / "shared")
    await engine_for(server, cache=cache, prefill_answers=False).solve(problem)
    plain = len(server.requests)
    assert all(last_message(b)["role"] == "user" for b in server.requests)
    await engine_for(server, cache=cache, prefill_answers=False).solve(problem)
    assert len(server.requests) == plain  # same prompt: cached
    await engine_for(server, cache=cache).solve(problem)
    assert len(server.requests) > plain  # prefilled: another request, not the plain answer


async def test_the_stop_strings_are_part_of_the_cache_key(tmp_path, pool):
    problem = extract_problem(ADD_ONE, path=tmp_path / "m.py")
    async with ScriptedLLM(default="fine") as server:
        llm = LLMClient(base_url=server.base_url, api_key="k", model="m", max_retries=0)
        ctx = SolveContext(problem, Config(), llm=llm, sandbox=pool, cache=Cache(tmp_path / "c"),
                           on_event=None, fingerprint={"base_url": server.base_url})
        messages = [{"role": "user", "content": "hi"}]
        await ctx.complete(messages, stage=Stage.SAMPLING, temperature=0.0)
        assert (await ctx.complete(messages, stage=Stage.SAMPLING, temperature=0.0)).cached
        stopped = await ctx.complete(messages, stage=Stage.SAMPLING, temperature=0.0, stop=STOP)
        assert not stopped.cached and server.requests[-1]["stop"] == list(STOP)
        assert len(server.requests) == 2
        await llm.aclose()


async def test_a_method_stub_is_continued(servers, engine_for, tmp_path):
    server = await servers(samples=Reply("        return self.start + k\n```\n", continuation=True))
    problem = extract_problem(COUNTER, path=tmp_path / "m.py", qualname="Counter.plus")
    result = await engine_for(server).solve(problem)
    assert result.status is SolveStatus.SOLVED and result.passed_public
    assert result.body == "return self.start + k\n"
    assert last_message(sample_requests(server)[0])["content"].startswith("```python\ndef plus(self")


async def test_a_method_stub_continued_at_the_dedented_indent(servers, engine_for, tmp_path):
    server = await servers(samples=Reply("    return self.start + k\n```\n", continuation=True))
    problem = extract_problem(COUNTER, path=tmp_path / "m.py", qualname="Counter.plus")
    result = await engine_for(server).solve(problem)
    assert result.passed_public and result.body == "return self.start + k\n"


@pytest.mark.parametrize("body", ["    return [x + 1 for x in xs]\n```\n", "\treturn [x + 1 for x in xs]\n```\n"])
async def test_a_tab_indented_crlf_file_writes_back(servers, engine_for, tmp_path, body):
    source = ADD_ONE.replace("    ", "\t").replace("\n", "\r\n")
    path = tmp_path / "tabs.py"
    path.write_bytes(source.encode())
    problem = extract_problem(source, path=path)
    assert "\t" in (prefix(problem) or "")  # the header exactly as written
    server = await servers(samples=Reply(body, continuation=True))
    result = await engine_for(server).solve(problem)
    assert result.passed_public and result.body == "return [x + 1 for x in xs]\n"
    edit = write_body(source, problem.target, result.body)
    assert isinstance(edit, BodyEdit)
    assert "\r\n\treturn [x + 1 for x in xs]\r\n" in edit.new_text
    assert "\n" not in edit.new_text.replace("\r\n", "")
    ast.parse(edit.new_text)
