"""``saltscan hook``'s fast path: ask the daemon, print its answer.

Imports nothing but modules built into the interpreter and ``protocol``, so a warm
hook run costs an interpreter start, a socket round trip and the daemon's own work.
(The low-level ``_socket`` is used directly: the ``socket`` module's import, with
its enums and selectors, cost 6 ms of every run.) Anything going wrong here falls
back to running the hook in this process (``None`` from ``run``).
"""

from __future__ import annotations

import _socket
import os
import sys
import time

from saltscan.daemon import protocol
from saltscan.userdirs import private_dir, runtime_dir

DISABLE_ENV = "SALTSCAN_DAEMON"  # "0": never use or start the daemon
IDLE_ENV = "SALTSCAN_DAEMON_IDLE"  # seconds a daemon waits for work before it exits
DEFAULT_IDLE_SECONDS = 900
START_TIMEOUT_SECONDS = 15.0
# Hook options that need the in-process run: user rule code cannot be reloaded in a
# live process, and --no-cache asks for a from-scratch render.
IN_PROCESS_OPTIONS = ("--rules-dir", "--no-cache", "--no-daemon", "-h", "--help")
# The environment a hook run reads besides its arguments, forwarded to the daemon.
FORWARDED_ENV = ("NO_COLOR", "SALTSCAN_CACHE_DIR", "SALTSCAN_DEBUG", "HOME", "XDG_CACHE_HOME")


def wanted(argv: list[str], environ: os._Environ | dict[str, str]) -> bool:
    """Whether this hook run should go through the daemon."""
    if environ.get(DISABLE_ENV, "1") == "0" or environ.get("CI"):
        return False  # CI runs once: a daemon would only outlive the job
    if not hasattr(_socket, "AF_UNIX") or not hasattr(os, "getuid"):
        return False
    return not any(a == opt or a.startswith(opt + "=") for a in argv for opt in IN_PROCESS_OPTIONS)


def request_for(argv: list[str]) -> dict:
    return {
        "protocol": protocol.PROTOCOL,
        "command": "hook",
        "argv": argv,
        "cwd": os.getcwd(),
        "env": {k: os.environ[k] for k in FORWARDED_ENV if k in os.environ},
        "stdout_tty": sys.stdout.isatty(),
    }


def _connect(path: str) -> "_socket.socket | None":
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError:
        sock.close()
        return None
    return sock


def _exchange(sock: "_socket.socket", message: dict) -> dict:
    """Send ``message``, return the reply, close the connection."""
    try:
        protocol.send_message(sock, message)
        return protocol.receive_message(sock)
    finally:
        sock.close()


def _start_daemon(path: str) -> None:
    import subprocess  # only here: most runs find a daemon

    idle = os.environ.get(IDLE_ENV, str(DEFAULT_IDLE_SECONDS))
    subprocess.Popen(
        [sys.executable, "-m", "saltscan.daemon.server", "--socket", path, "--idle", idle],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, close_fds=True,  # not killed with the hook; no terminal
    )


def connect(start: bool = True) -> "_socket.socket | None":
    """A connection to this installation's daemon, starting one if asked and needed."""
    directory = private_dir(runtime_dir())
    if directory is None:
        return None
    path = protocol.socket_path(directory, protocol.install_fingerprint())
    sock = _connect(path)
    if sock is not None or not start:
        return sock
    _start_daemon(path)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.02)
        sock = _connect(path)
        if sock is not None:
            return sock
    return None


def ask(command: str) -> dict | None:
    """Send a control request (``status``, ``stop``) to a running daemon, starting none."""
    sock = connect(start=False)
    if sock is None:
        return None
    try:
        return _exchange(sock, {"protocol": protocol.PROTOCOL, "command": command})
    except (OSError, protocol.ProtocolError):
        return None


def run(argv: list[str]) -> int | None:
    """The hook's exit code after printing the daemon's output; ``None`` when the
    daemon could not serve the request (the caller then runs it in-process)."""
    try:
        request = request_for(argv)  # os.getcwd() fails in a removed directory
        sock = connect()
        if sock is None:
            return None
        reply = _exchange(sock, request)
    except (OSError, ValueError, protocol.ProtocolError):
        return None
    if reply.get("status") != "ok" or not isinstance(reply.get("stdout", ""), str):
        return None
    sys.stderr.write(reply.get("stderr", ""))
    sys.stdout.write(reply.get("stdout", ""))
    sys.stdout.flush()
    return int(reply.get("exit_code", 2))
