"""`python -m lsp_server`: run the S* language server on stdio (or `--tcp HOST:PORT` to debug).

stdout belongs to the LSP transport; our own log lines go to stderr (editors show it in their
server log), with every registered secret replaced by `***`.
"""

from __future__ import annotations

import argparse
import logging
import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lsp_server", description=__doc__.splitlines()[0])
    parser.add_argument("--stdio", action="store_true", help="talk LSP on stdin/stdout (the default)")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP socket instead (debugging)")
    parser.add_argument(
        "--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="level of the log written to stderr (default INFO)",
    )
    parser.add_argument("--log-file", metavar="PATH", help="append the log to PATH instead of stderr")
    args = parser.parse_args(argv)
    address = _address(parser, args.tcp) if args.tcp else None

    from .server import REDACTOR, server  # after argparse: `--help` stays fast

    handler = logging.FileHandler(args.log_file) if args.log_file else logging.StreamHandler(sys.stderr)
    handler.addFilter(REDACTOR)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=args.log_level, handlers=[handler], force=True)
    if args.log_level != "DEBUG":  # pygls logs every message it sends at INFO
        logging.getLogger("pygls").setLevel(logging.WARNING)
    if address is None:
        server.start_io()
    else:
        server.start_tcp(*address)
    return 0


def _address(parser: argparse.ArgumentParser, text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        parser.error(f"--tcp wants HOST:PORT (e.g. 127.0.0.1:2087), got {text!r}")
    return host, int(port)


if __name__ == "__main__":
    sys.exit(main())
