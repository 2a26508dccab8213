"""Runs the repository's scripted OpenAI-compatible server (tests/support/scripted_llm.py) with this
directory's script.json, for the VS Code e2e and electron suites.

Usage: python serve.py --log requests.jsonl [--script other.json]
Prints `LISTENING <base_url>` once it accepts connections and runs until killed. The repository
root is put on sys.path here, so any cwd works with the repository's venv python.

Each chat request appends one JSON line to the log: the model, temperature, n, the first 200
characters of the last message, `rule` (the match of the script rule that answered it, or null),
and `auth`, the SHA-256 (first 16 hex digits) of the request's
bearer token, so a test can check which API key the language server used without the key itself
ever being written anywhere.
"""

import argparse
import asyncio
import hashlib
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]  # vscode-client/test-fixtures/scripted-llm -> repository root
sys.path.insert(0, str(REPO))

from tests.support.scripted_llm import Reply, Rule, ScriptedLLM, prompt_text  # noqa: E402


def fingerprint(authorization: str) -> str:
    token = authorization.removeprefix("Bearer ").strip()
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def load(path: Path) -> tuple[str, list[Rule], Reply]:
    script = json.loads(path.read_text(encoding="utf-8"))
    rules = [
        Rule(re.compile(spec["regex"]) if "regex" in spec else spec["match"], spec["reply"])
        for spec in script["rules"]
    ]
    return script.get("model", "scripted"), rules, Reply.coerce(script["default"])


async def serve(script: Path, log: Path) -> None:
    model, rules, default = load(script)
    server: ScriptedLLM

    def answer(body: dict) -> Reply:
        # Called right after the server recorded this request's headers (no await in between).
        auth = server.headers[-1].get("authorization", "")
        messages = body.get("messages") or [{}]
        entry = {
            "model": body.get("model"),
            "temperature": body.get("temperature"),
            "n": body.get("n"),
            "auth": fingerprint(auth),
            "last": str(messages[-1].get("content", ""))[:200],
        }
        text = prompt_text(body)
        chosen = next((rule for rule in rules if rule.matches(body, text)), None)
        entry["rule"] = None if chosen is None else getattr(chosen.match, "pattern", chosen.match)
        with log.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")
        return default if chosen is None else chosen.take()

    server = ScriptedLLM(handler=answer, model=model)
    await server.serve_forever()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--script", type=Path, default=HERE / "script.json")
    parser.add_argument("--log", type=Path, required=True)
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.script, args.log))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
