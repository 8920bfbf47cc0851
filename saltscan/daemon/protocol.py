"""The hook daemon's wire format and rendezvous: one request, one reply, per connection.

A message is a 4-byte big-endian length and that many bytes of UTF-8 JSON. Stdlib
only: the client imports this before anything heavy.

Which daemon a client may talk to is decided by the socket's name: it holds a
fingerprint of the installation (the Python interpreter, saltscan's files and the
packages it renders with), so a client never reaches a daemon running older code; a
daemon whose code was replaced is simply never called again and exits when idle.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import socket
import struct
import sys

PROTOCOL = 1
MAX_MESSAGE_BYTES = 256 * 1024 * 1024
# The packages whose code decides a render besides saltscan's own.
RENDERING_PACKAGES = ("salt", "jinja2", "yaml", "networkx", "click", "platformdirs", "graphviz")


class ProtocolError(Exception):
    """The other side closed early or sent something that is not a message."""


def send_message(sock: socket.socket, message: dict[str, object]) -> None:
    data = json.dumps(message, sort_keys=True, ensure_ascii=False).encode("utf-8")
    sock.sendall(struct.pack(">I", len(data)) + data)


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = []
    while size:
        chunk = sock.recv(min(size, 1 << 20))
        if not chunk:
            raise ProtocolError("connection closed mid-message")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def receive_message(sock: socket.socket) -> dict[str, object]:
    (size,) = struct.unpack(">I", _read_exactly(sock, 4))
    if size > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {size} bytes is over the limit")
    try:
        message = json.loads(_read_exactly(sock, size).decode("utf-8"))
    except ValueError as exc:
        raise ProtocolError("not a JSON message") from exc
    if not isinstance(message, dict):
        raise ProtocolError("not a JSON object")
    return message


def _package_dirs() -> tuple[list[str], list[str]]:
    """saltscan's own folders (``saltscan.rules`` lives apart in a development
    checkout), and those of the rendering packages, found without importing them."""
    own = [os.path.dirname(os.path.dirname(os.path.realpath(__file__)))]
    others = []
    for name in ("saltscan.rules", *RENDERING_PACKAGES):
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.origin:
            continue
        folder = os.path.dirname(os.path.realpath(spec.origin))
        if name == "saltscan.rules":
            if not folder.startswith(own[0] + os.sep):
                own.append(folder)
        else:
            others.append(folder)
    return own, others


def _python_files(directory: str, recursive: bool) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__") if recursive else []
        found += [os.path.join(dirpath, f) for f in sorted(filenames) if f.endswith(".py")]
    return found


def install_fingerprint() -> str:
    """sha256 over the interpreter, and the name, size and mtime of every Python file
    of saltscan and of the top folder of each rendering package (an upgrade rewrites
    those). Stat only, no reads: this runs on every hook call. Folders themselves are
    not stamped: Python writing ``__pycache__`` into one would change its mtime."""
    h = hashlib.sha256(f"{PROTOCOL}\0{sys.executable}\0{sys.version}\0".encode())
    own, others = _package_dirs()
    files = [f for d in own for f in _python_files(d, recursive=True)]
    files += [f for d in others for f in _python_files(d, recursive=False)]
    for path in files:
        try:
            st = os.stat(path)
        except OSError:
            continue
        h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


def socket_path(runtime: str, fingerprint: str) -> str:
    return os.path.join(runtime, f"hookd-{fingerprint[:20]}.sock")
