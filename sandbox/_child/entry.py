"""Entry points of a sandbox child: fd layout, layers, the refusal check, then the probe."""

from __future__ import annotations

import fcntl
import os

from . import isolate, runner, wire

__all__ = ["child_main", "fresh_main", "place_fds"]

MAX_REQUEST = 64 * 1024 * 1024


def place_fds(mapping: dict[int, int]) -> None:
    """dup2 each source onto its target (sources may collide with targets), close the rest."""
    high = {target: fcntl.fcntl(src, fcntl.F_DUPFD, 100) for target, src in mapping.items()}
    for target, src in high.items():
        os.dup2(src, target)
    os.closerange(max(mapping) + 1, 1 << 16)


def child_main(prepared: isolate.Prepared, request: dict, ruleset_fd: int) -> None:
    """Isolate, then run the probe; never returns. fds 0-4 are in place already.

    The child refuses to run anything when a layer the parent requires is missing, or when a
    layer its zygote set up (and the start-up probe reported) failed to apply in this child.
    """
    try:
        layers = isolate.enter(prepared, request["limits"], ruleset_fd)
        refused = [n for n in request.get("require", ()) if not isolate.applied(layers.get(n))]
        refused += [n for n in isolate.regressed(prepared.layers, layers) if n not in refused]
        if refused:
            frame = {"nonce": request["nonce"], "records": [], "layers": layers,
                     "refused": refused}
            os.write(runner.RESULT_FD, wire.pack_frame(wire.dumps(frame)))
            os._exit(0)
        runner.run_probe(request, layers)
    finally:
        os._exit(70)


def fresh_main() -> None:
    """A fresh interpreter: {config, request} arrives on stdin; fds 1-4 are already placed."""
    chunks, size = [], 0
    while size <= MAX_REQUEST:
        data = os.read(0, 1 << 20)
        if not data:
            break
        chunks.append(data)
        size += len(data)
    message = wire.loads(b"".join(chunks))
    if type(message) is not dict:
        raise wire.WireError("the request is not an object")
    request = message["request"]
    prepared = isolate.prepare(message["config"])
    if prepared.slot is not None:
        try:
            prepared.slot.set_memory(int(request["limits"]["memory"]))
        except OSError as exc:
            prepared.budget_error = f"cannot set the cgroup memory limit ({exc.strerror})"
    prepared.mark_victim()
    if not os.path.isdir(prepared.workdir):
        os.mkdir(prepared.workdir, 0o700)  # the private tmpfs hides the one the parent made
    prepared.adopt_environment()
    devnull = os.open(os.devnull, os.O_RDWR)
    mapping = {0: devnull, 1: 1, 2: 2, runner.RESULT_FD: runner.RESULT_FD,
               runner.PROGRESS_FD: runner.PROGRESS_FD}
    if prepared.ruleset >= 0:
        mapping[isolate.RULESET_FD] = prepared.ruleset
    place_fds(mapping)
    child_main(prepared, request, isolate.RULESET_FD if prepared.ruleset >= 0 else -1)
