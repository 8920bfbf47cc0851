"""The hook daemon: serves ``saltscan hook`` requests on a private Unix socket.

One request at a time, in this process, through the same click command an ordinary
run uses, with a ``WarmState`` kept between requests. Exits after ``--idle`` seconds
without a request. Started by the client (``python -m saltscan.daemon.server``);
``saltscan daemon stop`` asks it to exit.

Who may connect: the socket lives in a 0700 directory of the user's, is itself 0600,
and on Linux the peer's uid is checked as well. The daemon writes no log: what it
would say about a scan could quote scanned data.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import io
import os
import socket
import struct
import sys
from pathlib import Path
from typing import Any, Iterator

from saltscan.daemon import protocol
from saltscan.daemon.client import FORWARDED_ENV

REQUEST_READ_TIMEOUT = 30.0


class _Output(io.StringIO):
    """Captured stdout that answers ``isatty`` the way the client's stdout does."""

    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@contextlib.contextmanager
def _as_client(request: dict[str, Any]) -> Iterator[None]:
    """Run in the client's directory with its forwarded environment, then restore both."""
    saved_env = {k: os.environ.get(k) for k in FORWARDED_ENV}
    saved_cwd = os.getcwd()
    try:
        for k in FORWARDED_ENV:
            value = request.get("env", {}).get(k)
            if value is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = str(value)
        os.chdir(str(request["cwd"]))
        yield
    finally:
        os.chdir(saved_cwd)
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def handle(request: dict[str, Any], warm) -> dict[str, Any]:
    """Run one hook request; the reply holds its stdout, stderr and exit code."""
    from saltscan.cli import main as cli

    argv = request.get("argv")
    if request.get("protocol") != protocol.PROTOCOL:
        return {"status": "refused"}
    if request.get("command") == "stop":
        return {"status": "stopping", "pid": os.getpid()}
    if request.get("command") == "status":
        return {"status": "ok", "pid": os.getpid(), "served": warm.served}
    if request.get("command") != "hook" or not isinstance(argv, list) or argv[:1] != ["hook"]:
        return {"status": "refused"}
    warm.served += 1
    out, err = _Output(bool(request.get("stdout_tty"))), _Output(False)
    code = 0
    with _as_client(request), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            cli.main(args=[str(a) for a in argv], prog_name="saltscan", obj=warm)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    return {"status": "ok", "stdout": out.getvalue(), "stderr": err.getvalue(), "exit_code": code}


def _same_user(conn: socket.socket) -> bool:
    peercred = getattr(socket, "SO_PEERCRED", None)
    if peercred is None:
        return True  # the 0700 directory is the guard
    _pid, uid, _gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, peercred, struct.calcsize("3i")))
    return uid == os.getuid()


def serve(path: Path, idle_seconds: float) -> int:
    from saltscan.warm import WarmState

    lock = os.fdopen(os.open(str(path) + ".lock", os.O_WRONLY | os.O_CREAT, 0o600), "w")  # held for the daemon's life
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return 0  # another daemon for this socket is starting or serving
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # left by a daemon that was killed
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_umask = os.umask(0o177)
    try:
        server.bind(str(path))
    finally:
        os.umask(old_umask)
    server.listen(16)
    server.settimeout(idle_seconds)
    warm = WarmState()
    try:
        while True:
            try:
                conn, _ = server.accept()
            except socket.timeout:
                return 0
            with conn:
                if not _same_user(conn):
                    continue
                try:
                    conn.settimeout(REQUEST_READ_TIMEOUT)
                    request = protocol.receive_message(conn)
                    conn.settimeout(None)
                except (OSError, protocol.ProtocolError):
                    continue
                try:
                    reply = handle(request, warm)
                except Exception:  # noqa: BLE001 - the client then runs the hook itself
                    reply = {"status": "error"}
                with contextlib.suppress(OSError):
                    protocol.send_message(conn, reply)
            if reply.get("status") == "stopping":
                return 0
            warm.flush()  # after the reply: the client is not kept waiting for disk writes
    finally:
        server.close()
        with contextlib.suppress(OSError):
            path.unlink()
        lock.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m saltscan.daemon.server", description=__doc__.split("\n\n")[0])
    parser.add_argument("--socket", type=Path, required=True)
    parser.add_argument("--idle", type=float, default=900.0, help="exit after this many seconds without a request")
    args = parser.parse_args(argv)
    return serve(args.socket, max(1.0, args.idle))


if __name__ == "__main__":
    sys.exit(main())
