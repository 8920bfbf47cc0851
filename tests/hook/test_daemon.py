"""The hook daemon: same output as an in-process run, private socket, fallbacks."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from saltscan.daemon import client, protocol
from saltscan.daemon.inotify import Inotify
from saltscan.daemon.server import handle
from saltscan.warm import WarmState

from hookkit import DB_FINDINGS, SECRET, WEB_FINDINGS, text_findings, write_tree

pytestmark = pytest.mark.skipif(not hasattr(os, "getuid"), reason="Unix sockets")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "repo")
    (root / ".git").mkdir()
    return root


@pytest.fixture
def env(tmp_path: Path, repo: Path):
    # A short runtime path: a Unix socket path is limited to ~107 bytes.
    runtime = Path(tempfile.mkdtemp(prefix="ss-run-", dir="/tmp"))
    environ = {k: v for k, v in os.environ.items() if k not in ("CI", client.DISABLE_ENV)}
    environ.update(
        SALTSCAN_RUNTIME_DIR=str(runtime / "d"), SALTSCAN_CACHE_DIR=str(tmp_path / "cache"),
        SALTSCAN_DAEMON_IDLE="30", NO_COLOR="1",  # a daemon a failed test leaves behind exits soon
    )
    yield environ
    # From the repo, as the runs were: from a checkout's root, `python -m` would
    # import the checkout's saltscan, another installation with another daemon.
    subprocess.run([sys.executable, "-m", "saltscan.launcher", "daemon", "stop"], cwd=repo, env=environ, capture_output=True)
    shutil.rmtree(runtime, ignore_errors=True)


def saltscan(repo: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "saltscan.launcher", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=300)


def sockets(env: dict) -> list[str]:
    runtime = Path(env["SALTSCAN_RUNTIME_DIR"])
    return sorted(p.name for p in runtime.glob("*.sock")) if runtime.is_dir() else []


def edit_db_and_wait_for_the_run_ahead(repo: Path, env: dict) -> None:
    """Append a state to salt/db/init.sls, then wait until the daemon rendered it ahead."""
    db = repo / "salt/db/init.sls"
    db.write_text(db.read_text() + "db-extra-check:\n  cmd.run:\n    - name: nc -z 10.9.9.9 6379\n")
    deadline = time.monotonic() + 60
    while "1 rendered ahead" not in saltscan(repo, env, "daemon", "status").stdout:
        assert time.monotonic() < deadline, "the daemon did not render the edit ahead"
        time.sleep(0.1)


def test_daemon_answers_like_an_in_process_run_before_and_after_an_edit(repo: Path, env: dict) -> None:
    cold = saltscan(repo, env, "hook", "salt/web/init.sls", "salt/db/init.sls")
    assert len(sockets(env)) == 1  # the first run started it
    assert cold.returncode == 1 and text_findings(cold.stdout) == DB_FINDINGS + WEB_FINDINGS
    assert cold.stdout == saltscan(repo, env, "hook", "--no-daemon", "salt/web/init.sls", "salt/db/init.sls").stdout

    db = repo / "salt/db/init.sls"
    db.write_text(db.read_text() + "db-extra-check:\n  cmd.run:\n    - name: nc -z 10.9.9.9 6379\n")
    warm = saltscan(repo, env, "hook", "salt/db/init.sls")
    in_process = saltscan(repo, env, "hook", "--no-daemon", "salt/db/init.sls")
    assert (warm.returncode, warm.stdout, warm.stderr) == (in_process.returncode, in_process.stdout, in_process.stderr)
    assert text_findings(warm.stdout) == DB_FINDINGS + [("SS401", "salt/db/init.sls", 8), ("SS503", "salt/db/init.sls", 8)]
    status = saltscan(repo, env, "daemon", "status")
    assert status.returncode == 0 and "2 hook runs served" in status.stdout


def test_an_edit_is_rendered_ahead_of_the_next_run(repo: Path, env: dict) -> None:
    saltscan(repo, env, "hook", "salt/db/init.sls")
    edit_db_and_wait_for_the_run_ahead(repo, env)
    warm = saltscan(repo, env, "hook", "-v", "salt/db/init.sls")
    assert re.search(r"render cache .*: 2 reused, 0 rendered", warm.stderr)  # all done ahead
    in_process = saltscan(repo, env, "hook", "--no-daemon", "salt/db/init.sls")
    assert (warm.returncode, warm.stdout) == (in_process.returncode, in_process.stdout)


@pytest.mark.skipif(Inotify.open() is None, reason="replies are given again only where inotify says nothing changed")
def test_a_request_whose_inputs_did_not_change_gets_the_kept_reply(repo: Path, env: dict) -> None:
    runs = [saltscan(repo, env, "hook", "salt/db/init.sls") for _ in range(3)]
    assert len({(r.returncode, r.stdout, r.stderr) for r in runs}) == 1
    # The first run's directories were not watched yet while it ran: the third is the first given again.
    assert "3 hook runs served, 0 rendered ahead after an edit, 1 answered again" in saltscan(repo, env, "daemon", "status").stdout

    edit_db_and_wait_for_the_run_ahead(repo, env)
    warm = saltscan(repo, env, "hook", "salt/db/init.sls")
    assert "2 answered again" in saltscan(repo, env, "daemon", "status").stdout  # the run made ahead
    in_process = saltscan(repo, env, "hook", "--no-daemon", "salt/db/init.sls")
    assert (warm.returncode, warm.stdout, warm.stderr) == (in_process.returncode, in_process.stdout, in_process.stderr)
    assert text_findings(warm.stdout) == DB_FINDINGS + [("SS401", "salt/db/init.sls", 8), ("SS503", "salt/db/init.sls", 8)]


def test_the_pre_commit_entry_is_saltscan_hook(repo: Path, env: dict) -> None:
    script = Path(__file__).resolve().parents[2] / "bin" / "saltscan-hook"
    expected = saltscan(repo, env, "hook", "--no-daemon", "salt/web/init.sls")
    for extra in (["--no-daemon"], []):  # in this process, and through the daemon
        run = subprocess.run([sys.executable, str(script), *extra, "salt/web/init.sls"], cwd=repo, env=env,
                             capture_output=True, text=True, timeout=300)
        assert (run.returncode, run.stdout) == (expected.returncode, expected.stdout)
    assert text_findings(expected.stdout) == WEB_FINDINGS and len(sockets(env)) == 1


def test_stop_removes_the_socket(repo: Path, env: dict) -> None:
    saltscan(repo, env, "hook", "salt/web/init.sls")
    assert sockets(env)
    assert "stopped" in saltscan(repo, env, "daemon", "stop").stdout
    assert sockets(env) == []
    status = saltscan(repo, env, "daemon", "status")
    assert status.returncode == 1 and "not running" in status.stdout


@pytest.mark.parametrize("setting", [{"CI": "true"}, {"SALTSCAN_DAEMON": "0"}])
def test_ci_and_opt_out_run_in_process(repo: Path, env: dict, setting: dict) -> None:
    result = saltscan(repo, {**env, **setting}, "hook", "salt/web/init.sls")
    assert text_findings(result.stdout) == WEB_FINDINGS
    assert sockets(env) == []


def test_a_runtime_dir_others_can_enter_is_not_used(repo: Path, env: dict) -> None:
    runtime = Path(env["SALTSCAN_RUNTIME_DIR"])
    runtime.mkdir(mode=0o755)
    runtime.chmod(0o755)
    result = saltscan(repo, env, "hook", "salt/web/init.sls")
    assert text_findings(result.stdout) == WEB_FINDINGS
    assert sockets(env) == []


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        (["salt/a.sls"], {}, True),
        (["--rules-dir", "x", "salt/a.sls"], {}, False),  # user rule code is never kept warm
        (["--rules-dir=x", "salt/a.sls"], {}, False),
        (["--no-cache", "salt/a.sls"], {}, False),
        (["--no-daemon", "salt/a.sls"], {}, False),
        (["--help"], {}, False),
        (["salt/a.sls"], {"CI": "1"}, False),
        (["salt/a.sls"], {"SALTSCAN_DAEMON": "0"}, False),
        (["salt/a.sls"], {"SALTSCAN_DAEMON": "1"}, True),
    ],
)
def test_which_runs_go_to_the_daemon(argv: list[str], environ: dict, expected: bool) -> None:
    assert client.wanted(argv, environ) is expected


def _request(repo: Path, *args: str, tty: bool = False, env: dict | None = None) -> dict:
    return {"protocol": protocol.PROTOCOL, "command": "hook", "argv": ["hook", *args], "cwd": str(repo),
            "env": env or {}, "stdout_tty": tty}


def test_handle_runs_the_hook_with_the_clients_terminal_and_environment(repo: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SALTSCAN_CACHE_DIR", str(tmp_path / "server-cache"))
    warm = WarmState()
    env = {"SALTSCAN_CACHE_DIR": str(tmp_path / "client-cache")}
    plain = handle(_request(repo, "pillar/secrets.sls", env=env), warm)
    coloured = handle(_request(repo, "pillar/secrets.sls", tty=True, env=env), warm)
    no_color = handle(_request(repo, "pillar/secrets.sls", tty=True, env={**env, "NO_COLOR": "1"}), warm)
    assert plain["status"] == "ok" and plain["exit_code"] == 1
    assert "\x1b[" not in plain["stdout"] and "\x1b[" in coloured["stdout"] and no_color["stdout"] == plain["stdout"]
    assert SECRET not in plain["stdout"] + plain["stderr"] + coloured["stdout"]
    assert list(warm.render_caches) == [str(tmp_path / "client-cache")]  # the client's, not the server's
    assert os.environ["SALTSCAN_CACHE_DIR"] == str(tmp_path / "server-cache")  # restored


def test_handle_refuses_other_protocols_and_commands(repo: Path) -> None:
    warm = WarmState()
    assert handle({**_request(repo, "x.sls"), "protocol": 999}, warm) == {"status": "refused"}
    assert handle({**_request(repo), "argv": ["scan", "."]}, warm) == {"status": "refused"}
    assert handle({**_request(repo), "command": "rm"}, warm) == {"status": "refused"}


def test_the_daemons_renders_reach_the_disk_cache_after_its_queued_work(repo: Path, tmp_path: Path, monkeypatch) -> None:
    from saltscan.cache import RenderCache
    from saltscan.pipeline import ScanOptions, load_model

    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("SALTSCAN_CACHE_DIR", str(cache_dir))  # the signing key lives here too
    entries = lambda: sorted(p.name for p in cache_dir.rglob("*") if p.is_file() and p.name != "key")  # noqa: E731
    warm = WarmState()
    assert handle(_request(repo, "salt/web/init.sls", env={"SALTSCAN_CACHE_DIR": str(cache_dir)}), warm)["exit_code"] == 1
    warm.end_request()
    assert entries() == []  # the reply did not wait for disk writes
    while warm.has_idle_work():
        warm.idle_step()  # what the daemon does between requests
    assert len(entries()) == 2  # web01 and db01
    disk = RenderCache(cache_dir)  # a later --no-daemon run
    load_model(ScanOptions(path=repo), cache=disk)
    assert (disk.stats.hits, disk.stats.misses) == (2, 0)
