"""Attack class 5: what a candidate can read is what can reach the model server, so secrets in
the workspace are hidden, the home folder is never the readable root, and nothing outside the
readable set can even be stat'ed or listed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import pytest_asyncio

import sandbox.host
from sandbox import Probe, SandboxPool, policy

from .conftest import DENIED, FAST

aio = pytest.mark.asyncio(loop_scope="module")
CANARY = "CANARY-7f3a9"
SECRETS = [".env", ".env.local", ".git/config", ".ssh/id_rsa", "keys/server.pem",
           "keys/id_ed25519", "config/.netrc", ".pypirc", "notes/my_secret.txt",
           "aws_credentials.ini", "deploy/prod.key"]
VISIBLE = {"helpers.py": "def double(x):\n    return 2 * x\n", "data/table.csv": "a,b\n1,2\n",
           "src/app.py": "APP = 'visible'\n"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("proj")
    for rel in SECRETS:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f"{CANARY} {rel}\n")
    for rel, text in VISIBLE.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    outside = tmp_path_factory.mktemp("outside") / "token.txt"
    outside.write_text(f"{CANARY} outside\n")
    (root / "link_to_outside.txt").symlink_to(outside)
    (root / "innocent_name.txt").symlink_to(root / ".env")
    return root


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def pool(project: Path):
    async with SandboxPool(2, workspace=project, limits=FAST) as p:
        yield p


READ = ("def read(path):\n    try:\n        with open(path) as f:\n            return f.read()\n"
        "    except OSError as exc:\n        return type(exc).__name__\n")


@aio
async def test_secret_looking_files_are_hidden_and_the_rest_is_readable(pool, project: Path):
    paths = [str(project / rel) for rel in [*SECRETS, "link_to_outside.txt", "innocent_name.txt"]]
    r = await pool.run(READ, Probe(tuple(f"read({p!r})" for p in paths)))
    assert CANARY not in repr(r)
    for path, step in zip(paths, r.steps, strict=True):
        assert step.value in ("", *DENIED), (path, step.value)  # empty cover, or not there
    visible = await pool.run(READ + "import helpers\n", Probe((
        *(f"read({str(project / rel)!r})" for rel in VISIBLE), "helpers.double(4)")))
    assert [s.value for s in visible.steps] == [*VISIBLE.values(), 8]
    assert "hidden entries" in pool.report.state("read_policy").detail


@aio
async def test_listing_and_stat_reveal_nothing_outside(pool, project: Path, tmp_path: Path):
    host_file = tmp_path / "elsewhere.txt"
    host_file.write_text("x" * 1234)
    r = await pool.run("import os", Probe((
        f"os.stat({str(host_file)!r})",
        f"os.listdir({str(tmp_path)!r})",
        "os.path.exists('/etc/passwd'), os.path.exists('/root/.ssh'), os.path.exists('/home')",
        "os.path.exists('/proc/1'), os.path.exists('/sys/fs/cgroup')",
        f"sorted(os.listdir({str(project / '.git')!r}))",  # a hidden folder: empty
        f"os.stat({str(project / '.env')!r}).st_size",  # a hidden file: no size either
    )))
    assert r.steps[0].exception_type == "FileNotFoundError"
    assert r.steps[1].exception_type == "FileNotFoundError"
    assert r.steps[2].value == (False, False, False)
    assert r.steps[3].value == (False, False)
    assert r.steps[4].value == [] and r.steps[5].value == 0


def test_the_home_folder_and_its_parents_are_never_the_readable_root(tmp_path: Path):
    home = tmp_path / "home" / "me"
    project = home / "proj"
    project.mkdir(parents=True)
    homes = {str(home)}
    for root in (home, home.parent, Path("/")):
        assert policy.is_unsafe_root(root, homes)
    assert not policy.is_unsafe_root(project, homes)
    root, notice = policy.readable_root(home, project / "stub.py", homes)  # a dotfile repo
    assert root == project and "home folder" in notice and str(project) in notice
    root, notice = policy.readable_root(home, home / "stub.py", homes)  # a stub in ~
    assert root is None and "none of your files" in notice
    assert policy.readable_root(project, project / "stub.py", homes) == (project, None)


@aio
async def test_a_pool_given_the_home_folder_reads_none_of_it(monkeypatch, tmp_path: Path):
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text(CANARY)
    (home / "notes.txt").write_text(CANARY)
    monkeypatch.setenv("HOME", str(home))
    async with SandboxPool(1, workspace=home, limits=FAST) as p:
        detail = p.report.state("read_policy").detail
        r = await p.run(READ, Probe((f"read({str(home / 'notes.txt')!r})",
                                     f"read({str(home / '.ssh' / 'id_rsa')!r})")))
    assert "home folder" in detail and "none of your files" in detail
    assert CANARY not in repr(r)


@aio
async def test_without_a_private_mount_namespace_the_workspace_is_not_offered(
        monkeypatch, project: Path):
    monkeypatch.setattr(sandbox.host, "_probe_unshare", lambda: ((), "switched off by this test"))
    async with SandboxPool(1, workspace=project, limits=FAST) as p:
        detail = p.report.state("read_policy").detail
        r = await p.run(READ, Probe((f"read({str(project / '.env')!r})",
                                     f"read({str(project / 'src' / 'app.py')!r})")))
    assert "cannot be hidden" in detail
    assert CANARY not in repr(r) and r.steps[1].value == "PermissionError"  # Landlock: not granted
    async with SandboxPool(1, workspace=project, limits=FAST, hidden=()) as p:  # widened
        wide = await p.run(READ, Probe((f"read({str(project / 'src' / 'app.py')!r})",)))
    assert wide.steps[0].value == VISIBLE["src/app.py"]


def test_scan_matches_names_and_paths_and_does_not_enter_hidden_folders(tmp_path: Path):
    for rel in ("a/.hidden/deep/x.txt", "a/b/ID_RSA", "a/b/ok.py", "c/deploy/keys.txt", "top.PEM"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    (tmp_path / "loop").symlink_to(tmp_path)
    found = policy.scan(tmp_path, (".*", "id_*", "*.pem", "c/deploy/*"))
    rel = sorted(os.path.relpath(p, tmp_path) for p in found.hidden)
    assert rel == ["a/.hidden", "a/b/ID_RSA", "c/deploy/keys.txt", "top.PEM"]
    assert found.refused is None and found.scanned < 20  # .hidden was not walked, nor the link


def test_scan_refuses_a_workspace_too_big_to_vet(monkeypatch, tmp_path: Path):
    for i in range(30):
        (tmp_path / f".f{i}").write_text("x")
    monkeypatch.setattr(policy, "MAX_HIDDEN", 10)
    assert policy.scan(tmp_path, (".*",)).refused
    monkeypatch.setattr(policy, "MAX_SCANNED", 5)
    assert "more than 5 entries" in policy.scan(tmp_path, ("zzz",)).refused


def test_the_default_patterns_cover_the_usual_secrets():
    for name in (".env", ".env.production", ".netrc", ".pypirc", ".ssh", ".aws", "server.pem",
                 "tls.key", "id_rsa", "id_ed25519.pub", "client_secret.json",
                 "gcloud-credentials.json", "keystore.jks", "vault.kdbx"):
        assert policy._matches(name, name, policy.HIDDEN_DEFAULT), name
    for name in ("main.py", "README.md", "data.csv", "keyboard.py", "identity.py"):
        assert not policy._matches(name, name, policy.HIDDEN_DEFAULT), name


@aio
async def test_a_secret_created_after_start_is_hidden_once_the_pool_refreshes(tmp_path: Path):
    root = tmp_path / "live"
    root.mkdir()
    (root / "app.py").write_text("X = 1\n")
    async with SandboxPool(1, workspace=root, limits=FAST) as p:
        (root / ".env").write_text(CANARY)
        (root / "late_secret.txt").write_text(CANARY)
        before = await p.run(READ, Probe((f"read({str(root / '.env')!r})",)))
        await p.refresh()  # the engine does this before every solve
        after = await p.run(READ, Probe((f"read({str(root / '.env')!r})",
                                         f"read({str(root / 'late_secret.txt')!r})",
                                         f"read({str(root / 'app.py')!r})")))
    # The view of a running zygote is fixed: it showed the new file until the refresh.
    assert before.steps[0].value == CANARY
    assert CANARY not in repr(after) and after.steps[2].value == "X = 1\n"
