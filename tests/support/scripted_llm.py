"""A scripted OpenAI-compatible HTTP server for deterministic tests.

It listens on a real socket (127.0.0.1, port 0 by default) and answers
`POST /v1/chat/completions` (plain and streaming) and `GET /v1/models`, so tests
drive the real `openai` client end to end. Replies come from, in this order:
a handler function, a FIFO queue (`enqueue`), rules matched on the prompt text,
then a default. Any reply can be an error status (500, 429...), delayed, or a
hang that only ends when the client disconnects (timeout and cancellation tests).
Every received request body is kept in `requests`, so tests can assert on prompts. Like a real
server, a reply longer than the request's `max_tokens` is cut short (finish_reason "length"), and a
reply is cut before the first of the request's `stop` strings (finish_reason "stop").

A request whose last message is the assistant's is a *prefilled* one (the answer already begun).
A reply scripted with `continuation=True` is then the model continuing it: the server sends only
what follows the prefix (the reply's text may be the whole answer, prefix included, or just the
continuation). With `echoes_prefill=True` it sends the prefix again before the continuation, as
llama-server does. With `continues_prefill=False` it behaves like OpenAI's API, which ignores the
prefix and answers afresh: a line of prose, then the whole answer. Other replies go as scripted.

In-process use (same event loop):

    async with ScriptedLLM(rules=[Rule("stub", fenced("def f(): return 1"))]) as llm:
        client = openai.AsyncOpenAI(base_url=llm.base_url, api_key="k")
        ...
        assert "stub" in llm.prompts()[0]

From synchronous code (own loop in a thread): `llm.start_in_thread()` / `llm.stop_in_thread()`.
As a process: `python -m tests.support.scripted_llm --port 0 --script script.json
[--log requests.jsonl]`; it prints `LISTENING <base_url>` on stdout once ready. The script
file is `{"model": str, "default": reply, "rules": [rule...], "queue": [reply...]}` where a
reply is a string or `{"text", "status", "delay", "hang", "error"}` and a rule is
`{"match": substring | "regex": pattern, "reply": reply | "replies": [reply...], "times": n}`;
`"continues_prefill": false` makes it a server that ignores prefixes.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import json
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Self, Union

__all__ = [
    "Reply",
    "Rule",
    "ScriptedLLM",
    "fenced",
    "main",
    "prefilled",
    "prompt_text",
]


def fenced(code: str, prose: str = "Here is the function:") -> str:
    """A typical model answer: some prose and one ```python fenced block."""
    return f"{prose}\n```python\n{code.strip()}\n```\n"


def prompt_text(body: dict) -> str:
    """All message contents of a chat request, joined by blank lines."""
    parts = []
    for message in body.get("messages", []):
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):  # content parts
            parts.extend(p.get("text", "") for p in content if isinstance(p, dict))
    return "\n\n".join(parts)


@dataclass(frozen=True)
class Reply:
    """One scripted answer. `hang=True` never answers (until the client goes away)."""

    text: str = ""
    status: int = 200
    delay: float = 0.0
    hang: bool = False
    error: str = "scripted error"
    finish_reason: str = "stop"
    chunk_delay: float = 0.0  # seconds between streamed pieces (a slow model); unstreamed: in total
    prompt_tokens: int | None = None  # None = estimated from the prompt length
    completion_tokens: int | None = None
    continuation: bool = False  # the model continues a prefilled answer (see the module docstring)

    @classmethod
    def coerce(cls, value: ReplyLike) -> Reply:
        if isinstance(value, Reply):
            return value
        if isinstance(value, str):
            return cls(text=value)
        if isinstance(value, dict):
            return cls(**value)
        raise TypeError(f"not a reply: {value!r}")


ReplyLike = Reply | str | dict
Matcher = Union[str, "re.Pattern[str]", Callable[[dict], bool]]


@dataclass
class Rule:
    """Answer requests whose prompt matches. Several replies are used in turn, the last repeats.

    `match` is a substring of the prompt text, a compiled regex searched in it, or a predicate
    on the request body. `times` limits how often the rule fires (None = always).
    """

    match: Matcher
    reply: ReplyLike | list[ReplyLike]
    times: int | None = None
    used: int = field(default=0, init=False)

    def matches(self, body: dict, text: str) -> bool:
        if self.times is not None and self.used >= self.times:
            return False
        if isinstance(self.match, str):
            return self.match in text
        if isinstance(self.match, re.Pattern):
            return self.match.search(text) is not None
        return bool(self.match(body))

    def take(self) -> Reply:
        replies = self.reply if isinstance(self.reply, list) else [self.reply]
        chosen = replies[min(self.used, len(replies) - 1)]
        self.used += 1
        return Reply.coerce(chosen)


Handler = Callable[[dict], ReplyLike]
_NO_REPLY = Reply(status=500, error="scripted LLM: no rule matched this request")


class ScriptedLLM:
    """The server. See the module docstring."""

    def __init__(
        self,
        handler: Handler | None = None,
        *,
        rules: Iterable[Rule] = (),
        default: ReplyLike | None = None,
        model: str = "scripted-model",
        host: str = "127.0.0.1",
        port: int = 0,
        log_path: str | None = None,
        continues_prefill: bool = True,
        echoes_prefill: bool = False,
    ) -> None:
        self.handler = handler
        self.continues_prefill = continues_prefill
        self.echoes_prefill = echoes_prefill
        self.rules: list[Rule] = list(rules)
        self.default = Reply.coerce(default) if default is not None else _NO_REPLY
        self.model = model
        self.host, self.port = host, port
        self.log_path = log_path
        self.queue: collections.deque[Reply] = collections.deque()
        self.requests: list[dict] = []  # every chat request body, in arrival order
        self.headers: list[dict[str, str]] = []  # their headers (lower-case names)
        self.answered = 0  # replies fully sent
        self.abandoned = 0  # requests whose client went away before the reply
        self._open = 0  # requests being handled right now
        self._server: asyncio.AbstractServer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changed = threading.Condition()
        self._async_waiters: list[tuple[Callable[[], bool], asyncio.Future]] = []
        self._thread: threading.Thread | None = None
        self._tasks: set[asyncio.Task] = set()

    # -- scripting -------------------------------------------------------------------------
    def enqueue(self, *replies: ReplyLike) -> None:
        """Replies used first-in first-out before any rule."""
        self.queue.extend(Reply.coerce(r) for r in replies)

    def add_rule(
        self, match: Matcher, reply: ReplyLike | list[ReplyLike], times: int | None = None
    ) -> Rule:
        rule = Rule(match, reply, times)
        self.rules.append(rule)
        return rule

    def prompts(self) -> list[str]:
        """The prompt text of every chat request received so far."""
        return [prompt_text(body) for body in self.requests]

    @property
    def open_requests(self) -> int:
        return self._open

    def _choose(self, body: dict) -> Reply:
        if self.handler is not None:
            return Reply.coerce(self.handler(body))
        if self.queue:
            return self.queue.popleft()
        text = prompt_text(body)
        for rule in self.rules:
            if rule.matches(body, text):
                return rule.take()
        return self.default

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    async def start(self) -> ScriptedLLM:
        self._loop = asyncio.get_running_loop()
        self._server = await asyncio.start_server(self._serve_connection, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def serve_forever(self) -> None:
        """Start, announce `LISTENING <base_url>` on stdout (what a parent process waits for), and
        serve until cancelled."""
        await self.start()
        sys.stdout.write(f"LISTENING {self.base_url}\n")
        sys.stdout.flush()
        try:
            await asyncio.Event().wait()
        finally:
            await self.close()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def start_in_thread(self) -> ScriptedLLM:
        """Run on a private event loop in a daemon thread (for synchronous tests)."""
        ready = threading.Event()
        loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.close())
            loop.close()

        self._thread = threading.Thread(target=run, name="scripted-llm", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("scripted LLM did not start")
        return self

    def stop_in_thread(self) -> None:
        if self._thread is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = None

    # -- waiting (no sleeps) -----------------------------------------------------------------
    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()
        for predicate, future in list(self._async_waiters):
            if not future.done() and predicate():
                future.set_result(None)

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait (on the server's loop) until `predicate()` holds; TimeoutError otherwise."""
        if predicate():
            return
        future = asyncio.get_running_loop().create_future()
        entry = (predicate, future)
        self._async_waiters.append(entry)
        try:
            await asyncio.wait_for(future, timeout)
        finally:
            self._async_waiters.remove(entry)

    async def wait_for_requests(self, count: int, timeout: float = 10.0) -> None:
        await self.wait_until(lambda: len(self.requests) >= count, timeout)

    def wait_sync(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Thread-mode variant of `wait_until`; returns whether the predicate came true."""
        with self._changed:
            return self._changed.wait_for(predicate, timeout)

    # -- HTTP ------------------------------------------------------------------------------
    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    return
                method, path, headers, raw = request
                keep_open = await self._dispatch(method, path, headers, raw, reader, writer)
                if not keep_open:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        except asyncio.CancelledError:
            # close() cancels connection tasks on purpose; asyncio's stream callback would log a
            # cancelled task's exception as an error, so end quietly (this task is ours to end).
            return
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _dispatch(self, method, path, headers, raw, reader, writer) -> bool:
        path = path.split("?", 1)[0].rstrip("/")
        if method == "GET" and path.endswith("/models"):
            body = {
                "object": "list",
                "data": [
                    {"id": self.model, "object": "model", "created": 0, "owned_by": "scripted"}
                ],
            }
            await _send_json(writer, 200, body)
            return True
        if method != "POST" or not path.endswith("/chat/completions"):
            await _send_json(writer, 404, {"error": {"message": f"no route {method} {path}"}})
            return True
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            await _send_json(writer, 400, {"error": {"message": "body is not JSON"}})
            return True
        self.requests.append(body)
        self.headers.append(headers)
        if self.log_path:
            _append_line(self.log_path, json.dumps(body))
        self._open += 1
        self._notify()
        try:
            replies = [
                _capped(_stopped(self._continued(self._choose(body), body), body), body)
                for _ in range(max(1, int(body.get("n") or 1)))
            ]
            first = replies[0]
            if first.hang or first.delay:
                gone = await _wait_for_disconnect(reader, None if first.hang else first.delay)
                if gone:
                    self.abandoned += 1
                    return False
            if first.status != 200:
                extra = {"retry-after-ms": "1"} if first.status in (429, 500, 502, 503) else {}
                await _send_json(
                    writer,
                    first.status,
                    {"error": {"message": first.error, "type": "scripted"}},
                    extra,
                )
            elif body.get("stream"):
                await self._send_stream(writer, body, replies)
            else:
                pieces = max(1, -(-len(first.text) // 16))
                if first.chunk_delay and await _wait_for_disconnect(
                    reader, first.chunk_delay * pieces
                ):
                    self.abandoned += 1
                    return False
                await _send_json(writer, 200, self._completion(body, replies))
            self.answered += 1
            return True
        finally:
            self._open -= 1
            self._notify()

    def _continued(self, reply: Reply, body: dict) -> Reply:
        """A `continuation` reply to a prefilled request, as this server sends it: only what
        follows the prefix, or (a server that ignores prefixes) the whole answer."""
        start = prefilled(body)
        if not reply.continuation or start is None:
            return reply
        whole = reply.text if reply.text.startswith(start) else start + reply.text
        if not self.continues_prefill:
            text = "Here is the function:\n" + whole
        else:
            text = whole if self.echoes_prefill else whole[len(start) :]
        return dataclasses.replace(reply, text=text)

    def _usage(self, body: dict, replies: list[Reply]) -> dict:
        prompt = replies[0].prompt_tokens
        if prompt is None:
            prompt = max(1, len(prompt_text(body)) // 4)
        completion = sum(
            r.completion_tokens if r.completion_tokens is not None else max(1, len(r.text) // 4)
            for r in replies
        )
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }

    def _completion(self, body: dict, replies: list[Reply]) -> dict:
        choices = [
            {
                "index": i,
                "message": {"role": "assistant", "content": r.text},
                "finish_reason": r.finish_reason,
                "logprobs": None,
            }
            for i, r in enumerate(replies)
        ]
        return {
            "id": f"chatcmpl-scripted-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model") or self.model,
            "choices": choices,
            "usage": self._usage(body, replies),
        }

    async def _send_stream(
        self, writer: asyncio.StreamWriter, body: dict, replies: list[Reply]
    ) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
        )
        base = {
            "id": f"chatcmpl-scripted-{len(self.requests)}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body.get("model") or self.model,
        }

        async def event(payload: object) -> None:
            data = (
                "data: " + (payload if isinstance(payload, str) else json.dumps(payload)) + "\n\n"
            ).encode()
            writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            await writer.drain()

        for i, reply in enumerate(replies):
            text = reply.text
            pieces = [text[k : k + 16] for k in range(0, len(text), 16)] or [""]
            await event(
                {
                    **base,
                    "choices": [
                        {
                            "index": i,
                            "delta": {"role": "assistant", "content": ""},
                            "finish_reason": None,
                        }
                    ],
                }
            )
            for piece in pieces:
                if reply.chunk_delay:
                    await asyncio.sleep(reply.chunk_delay)  # pacing the reply, not synchronising
                await event(
                    {
                        **base,
                        "choices": [
                            {"index": i, "delta": {"content": piece}, "finish_reason": None}
                        ],
                    }
                )
            await event(
                {
                    **base,
                    "choices": [{"index": i, "delta": {}, "finish_reason": reply.finish_reason}],
                }
            )
        if (body.get("stream_options") or {}).get("include_usage"):
            await event({**base, "choices": [], "usage": self._usage(body, replies)})
        await event("[DONE]")
        writer.write(b"0\r\n\r\n")
        await writer.drain()


def prefilled(body: dict) -> str | None:
    """The answer a request has already begun: its last message's content when that message is
    the assistant's, else None."""
    messages = body.get("messages") or []
    last = messages[-1] if messages else None
    if isinstance(last, dict) and last.get("role") == "assistant":
        content = last.get("content")
        return content if isinstance(content, str) else None
    return None


def _stopped(reply: Reply, body: dict) -> Reply:
    """The reply cut before the first of the request's `stop` strings, as a real server does."""
    stop = body.get("stop")
    strings = [stop] if isinstance(stop, str) else list(stop or [])
    cuts = [reply.text.find(s) for s in strings if s and s in reply.text]
    if not cuts:
        return reply
    return dataclasses.replace(reply, text=reply.text[: min(cuts)], finish_reason="stop")


def _capped(reply: Reply, body: dict) -> Reply:
    """The reply as a real server would send it under the request's `max_tokens`: cut short, with
    finish_reason "length" (tokens are counted as 4 characters when not scripted)."""
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    tokens = reply.completion_tokens
    if tokens is None:
        tokens = max(1, len(reply.text) // 4)
    if not limit or tokens <= limit:
        return reply
    return dataclasses.replace(
        reply, text=reply.text[: 4 * limit], completion_tokens=limit, finish_reason="length"
    )


async def _read_request(reader: asyncio.StreamReader):
    line = await reader.readline()
    if not line:
        return None
    parts = line.decode("latin-1").split()
    if len(parts) < 2:
        return None
    method, path = parts[0], parts[1]
    headers: dict[str, str] = {}
    while True:
        header = await reader.readline()
        if header in (b"\r\n", b"\n", b""):
            break
        name, _, value = header.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                await reader.readline()
                break
            chunks.append(await reader.readexactly(size))
            await reader.readline()
        raw = b"".join(chunks)
    else:
        raw = await reader.readexactly(int(headers.get("content-length", "0") or 0))
    return method, path, headers, raw


async def _wait_for_disconnect(reader: asyncio.StreamReader, seconds: float | None) -> bool:
    """Sleep `seconds` (forever if None) unless the client disconnects first; True if it did."""
    try:
        data = await asyncio.wait_for(reader.read(1), seconds)
    except TimeoutError:
        return False
    # An HTTP/1.1 client does not send while waiting for its answer: any read means it is gone
    # (EOF) or is misbehaving; either way the reply is abandoned.
    del data
    return True


async def _send_json(
    writer: asyncio.StreamWriter, status: int, body: dict, extra: dict | None = None
) -> None:
    data = json.dumps(body).encode()
    reason = {
        200: "OK",
        400: "Bad Request",
        404: "Not Found",
        429: "Too Many Requests",
        500: "Internal Server Error",
        503: "Service Unavailable",
    }.get(status, "Status")
    head = [
        f"HTTP/1.1 {status} {reason}",
        "content-type: application/json",
        f"content-length: {len(data)}",
    ]
    head += [f"{k}: {v}" for k, v in (extra or {}).items()]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
    await writer.drain()


def _append_line(path: str, line: str) -> None:
    # Tiny local file appends; blocking the test server's loop for them is harmless.
    with open(path, "a", encoding="utf-8") as log:
        log.write(line + "\n")


def _load_script(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        script = json.load(handle)
    rules = []
    for spec in script.get("rules", []):
        match: Matcher = re.compile(spec["regex"]) if "regex" in spec else spec.get("match", "")
        reply = spec["replies"] if "replies" in spec else spec.get("reply", "")
        rules.append(Rule(match, reply, spec.get("times")))
    return {
        "rules": rules,
        "default": script.get("default"),
        "model": script.get("model", "scripted-model"),
        "queue": script.get("queue", []),
        "continues_prefill": bool(script.get("continues_prefill", True)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.support.scripted_llm", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--script", help="JSON script file (see module docstring)")
    parser.add_argument("--log", help="append every request body as one JSON line to this file")
    args = parser.parse_args(argv)
    script = (
        _load_script(args.script)
        if args.script
        else {
            "rules": [],
            "default": None,
            "model": "scripted-model",
            "queue": [],
            "continues_prefill": True,
        }
    )

    async def run() -> None:
        server = ScriptedLLM(
            rules=script["rules"],
            default=script["default"],
            model=script["model"],
            host=args.host,
            port=args.port,
            log_path=args.log,
            continues_prefill=script["continues_prefill"],
        )
        server.enqueue(*script["queue"])
        await server.serve_forever()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
