"""The hook for real: ``pre-commit try-repo`` against a git repo holding a Salt tree.

pre-commit builds the hook's environment the way a user's machine would (a virtualenv,
``pip install`` of this project from a git commit), so this needs the package index;
without it the test is skipped, saying so. The project is snapshotted into a
temporary git repository first, so the test runs what is in the working tree now,
committed or not.

Building that environment takes one to two minutes (mostly the package index), so
the test is ``slow`` (1-2 min): ``SALTSCAN_SKIP_SLOW=1`` skips it in a quick local loop (see
conftest.py).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from hookkit import PILLAR_SECRET, SECRET, WEB_FINDINGS, text_findings, write_tree

PROJECT = Path(__file__).resolve().parents[2]
SNAPSHOT = ("setup.cfg", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "saltscan", "rules", "bin")
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")]


def git_commit_all(path: Path) -> None:
    env = {**os.environ, **GIT_ENV}
    for cmd in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "snapshot"]):
        subprocess.run(cmd, cwd=path, env=env, check=True, capture_output=True)


def snapshot_project(dest: Path) -> Path:
    dest.mkdir()
    for name in SNAPSHOT:
        src = PROJECT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(src, dest / name)
    git_commit_all(dest)
    return dest


def index_reachable(tmp: Path) -> bool:
    probe = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(tmp / "probe"), "--timeout", "15", "looseversion"],
        capture_output=True, text=True,
    )
    return probe.returncode == 0


@pytest.fixture(scope="module")
def tryrepo(tmp_path_factory) -> subprocess.CompletedProcess:
    """One ``try-repo`` run (each builds a fresh hook environment: try-repo ignores
    PRE_COMMIT_HOME), on a web state and the pillar file, not on the db state."""
    tmp = tmp_path_factory.mktemp("tryrepo")
    if not index_reachable(tmp):
        pytest.skip("pip cannot reach the package index: pre-commit cannot build the hook environment")
    project = snapshot_project(tmp / "project")
    salt_repo = write_tree(tmp / "salt-repo")
    git_commit_all(salt_repo)
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp / "pre-commit-home"),
        "SALTSCAN_CACHE_DIR": str(tmp / "saltscan-cache"),
        "NO_COLOR": "1",
        "PRE_COMMIT_COLOR": "never",
        # The hook runs through its daemon, as on a developer's machine, in a runtime
        # directory of this test's (a short path: socket paths are limited), and the
        # daemon exits 5 s after the run instead of outliving the test session.
        "SALTSCAN_RUNTIME_DIR": tempfile.mkdtemp(prefix="ss-tr-", dir="/tmp") + "/d",
        "SALTSCAN_DAEMON_IDLE": "5",
    }
    env.pop("VIRTUAL_ENV", None)
    env.pop("CI", None)
    env.pop("SALTSCAN_DAEMON", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(project), "saltscan", "--verbose",
         "--files", "salt/web/init.sls", "pillar/secrets.sls"],
        cwd=salt_repo, env=env, capture_output=True, text=True, timeout=900,
    )


def test_hook_fails_with_the_findings_of_the_files_passed_only(tryrepo) -> None:
    out = tryrepo.stdout + tryrepo.stderr
    assert tryrepo.returncode == 1, out
    assert re.search(r"^saltscan\.+Failed$", tryrepo.stdout, re.M), out
    assert "- exit code: 1" in tryrepo.stdout
    assert text_findings(tryrepo.stdout) == [PILLAR_SECRET] + WEB_FINDINGS
    assert "salt/db/init.sls" not in tryrepo.stdout


def test_hook_output_never_holds_the_secret_value(tryrepo) -> None:
    assert "db:password" in tryrepo.stdout
    assert SECRET not in tryrepo.stdout + tryrepo.stderr
