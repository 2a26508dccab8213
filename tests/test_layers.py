"""Imports flow one way: lsp_server -> sstar -> sandbox. Checked on the source, so it cannot drift."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "sandbox": {"sstar", "lsp_server", "openai", "pygls", "lsprotocol", "httpx", "httpx2"},
    "sstar": {"lsp_server", "pygls", "lsprotocol"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_upward(package):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package} has no modules"
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & FORBIDDEN[package]) for path in files
    }
    assert {path: bad for path, bad in offenders.items() if bad} == {}


def test_engine_never_prints():
    """stdout belongs to the LSP transport."""
    printing = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "sstar").rglob("*.py"))
        if path.name not in {"cli.py", "__main__.py"} and "bench" not in path.parts
        and any(
            isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print"
            for node in ast.walk(ast.parse(path.read_text()))
        )
    ]
    assert printing == []
