"""The hook daemon: serves ``saltscan hook`` requests on a private Unix socket.

One request at a time, in this process, through the same click command an ordinary
run uses, with a ``WarmState`` kept between requests. Exits after ``--idle`` seconds
without a request. Started by the client (``python -m saltscan.daemon.server``);
``saltscan daemon stop`` asks it to exit. Between requests it watches what the last
one used (``saltscan.daemon.watch``): an edit is rendered ahead of the next request,
and a request whose answer cannot have changed gets the kept reply.

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
import select
import socket
import struct
import sys
import time
from pathlib import Path
from typing import Any, Iterator

from saltscan.daemon import protocol
from saltscan.daemon.client import FORWARDED_ENV

REQUEST_READ_TIMEOUT = 30.0
POLL_SECONDS = 0.5  # how often an idle daemon polls for edits where inotify is missing
# After a change event, the run ahead waits for the written files to be closed, in
# rounds of this many seconds, at most this many rounds.
SETTLE_SECONDS = 0.01
SETTLE_ROUNDS = 10
IDLE_WORK_AFTER = 1.0  # seconds of quiet after a reply before queued work starts


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


def handle(request: dict[str, Any], warm, *, ahead: bool = False) -> dict[str, Any]:
    """Run one hook request; the reply holds its stdout, stderr and exit code.
    ``ahead``: nobody asked (rendering ahead of an edit), so it is not counted."""
    from saltscan.cli import main as cli

    argv = request.get("argv")
    if request.get("protocol") != protocol.PROTOCOL:
        return {"status": "refused"}
    if request.get("command") == "stop":
        return {"status": "stopping", "pid": os.getpid()}
    if request.get("command") == "status":
        return {"status": "ok", "pid": os.getpid(), "served": warm.served, "ahead": warm.ahead, "repeated": warm.repeated}
    if request.get("command") != "hook" or not isinstance(argv, list) or argv[:1] != ["hook"]:
        return {"status": "refused"}
    if not ahead:
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


def serve(path: Path, idle_seconds: float, poll_seconds: float = POLL_SECONDS) -> int:
    from saltscan.daemon.inotify import Inotify
    from saltscan.daemon.watch import Watch
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
    warm = WarmState()
    watch = Watch(Inotify.open())
    events = [watch.fileno()] if watch.fileno() is not None else []
    deadline = time.monotonic() + idle_seconds
    replied_at = 0.0
    try:
        while True:
            # Between requests: renders ahead of an edit as soon as one is seen, then
            # queued work one step at a time; a request waiting is always served first.
            # Queued work starts after a quiet spell: a step (a large render's pickle, a
            # collection) cannot be interrupted, and a re-run right after a reply should
            # not wait for it.
            busy = warm.has_idle_work()
            wait = max(0.0, IDLE_WORK_AFTER - (time.monotonic() - replied_at)) if busy else poll_seconds
            ready, _, _ = select.select([server, *events], [], [], wait)
            if server not in ready:
                if watch.changed() and not _settle(server, watch):
                    _run_ahead(watch, warm)
                    replied_at = time.monotonic()  # its queued work waits too: the commit may come next
                elif busy:
                    if time.monotonic() - replied_at >= IDLE_WORK_AFTER:
                        warm.idle_step()
                elif time.monotonic() > deadline:
                    return 0
                continue
            conn, _ = server.accept()
            with conn:
                reply = _serve_one(conn, warm, watch)
            if reply is None:
                continue
            if reply.get("status") == "stopping":
                return 0
            request, started = reply.pop("_request"), reply.pop("_started")
            if request.get("command") == "hook":
                replied_at = time.monotonic()
                deadline = replied_at + idle_seconds
                if started is not None:  # not a reply given again
                    warm.end_request()
                    watch.finished(request, reply, started, warm)
    finally:
        server.close()
        with contextlib.suppress(OSError):
            path.unlink()
        lock.close()
        if watch.notify is not None:
            watch.notify.close()


def _settle(server: socket.socket, watch) -> bool:
    """Wait until the files being written are closed (an editor's save is a burst of
    writes); True when a request came meanwhile (it is served instead: it would do
    the same work)."""
    fd = watch.fileno()
    for _ in range(SETTLE_ROUNDS):
        if watch.settled():
            return False
        ready, _, _ = select.select([server] + ([fd] if fd is not None else []), [], [], SETTLE_SECONDS)
        if server in ready:
            return True
        watch.drain()
    return False


def _run_ahead(watch, warm) -> None:
    """The last request again, while nobody waits: its reply is kept for that request."""
    started = watch.start()
    reply: dict[str, Any] = {"status": "error"}
    with contextlib.suppress(Exception):  # ahead of time only: a request redoes it
        reply = handle(watch.request, warm, ahead=True)
    warm.ahead += 1
    warm.end_request()
    watch.finished(watch.request, reply, started, warm)


def _serve_one(conn: socket.socket, warm, watch) -> dict[str, Any] | None:
    """Read one request, answer it; the reply (with the request under ``_request``
    and the watch's generation it was computed for under ``_started``, None when it
    was a kept reply; neither is sent), or None when there was nothing to answer."""
    if not _same_user(conn):
        return None
    try:
        conn.settimeout(REQUEST_READ_TIMEOUT)
        request = protocol.receive_message(conn)
        conn.settimeout(None)
    except (OSError, protocol.ProtocolError):
        return None
    started = None
    reply = watch.reply_for(request) if request.get("command") == "hook" and request.get("protocol") == protocol.PROTOCOL else None
    if reply is not None:
        warm.served += 1
        warm.repeated += 1
    else:
        started = watch.start()
        try:
            reply = handle(request, warm)
        except Exception:  # noqa: BLE001 - the client then runs the hook itself
            reply = {"status": "error"}
    with contextlib.suppress(OSError):
        protocol.send_message(conn, reply)
    return {**reply, "_request": request, "_started": started}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m saltscan.daemon.server", description=__doc__.split("\n\n")[0])
    parser.add_argument("--socket", type=Path, required=True)
    parser.add_argument("--idle", type=float, default=900.0, help="exit after this many seconds without a request")
    args = parser.parse_args(argv)
    return serve(args.socket, max(1.0, args.idle))


if __name__ == "__main__":
    sys.exit(main())
