"""The hook daemon's wire format and rendezvous: one request, one reply, per connection.

A message is a 4-byte big-endian length and that many bytes of a ``marshal``-ed dict
of plain values. The client imports this module on every commit, so it imports only
modules built into the interpreter: ``json``, ``socket``, ``hashlib`` and
``importlib.util`` would cost 12 ms of a hook run that should take 100. marshal is
safe here because both ends run the same interpreter (the socket's name carries it,
see below) and only the same user can connect (``daemon/server.py``); a message that
is not a dict of plain values is refused, and nothing in one is ever run.

Which daemon a client may talk to is decided by the socket's name: it holds a
fingerprint of the installation (the Python interpreter, saltscan's files and the
packages it renders with), so a client never reaches a daemon running older code; a
daemon whose code was replaced is simply never called again and exits when idle.
"""

from __future__ import annotations

import marshal
import os
import sys

try:  # the interpreter's own SHA-256: hashlib's import loads OpenSSL (2 ms)
    from _sha2 import sha256  # Python 3.12+
except ImportError:  # pragma: no cover - depends on the Python version
    try:
        from _sha256 import sha256  # Python 3.11
    except ImportError:
        from hashlib import sha256

PROTOCOL = 2  # 1 was JSON
MAX_MESSAGE_BYTES = 256 * 1024 * 1024
# The packages whose code decides a render besides saltscan's own.
RENDERING_PACKAGES = ("salt", "jinja2", "yaml", "networkx", "click", "platformdirs", "graphviz")


class ProtocolError(Exception):
    """The other side closed early or sent something that is not a message."""


_PLAIN = (str, int, float, bool, type(None))


def _plain(value: object) -> bool:
    """Whether ``value`` is made of dicts with string keys, lists and scalars only."""
    if isinstance(value, dict):
        return all(type(k) is str and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return type(value) in _PLAIN


def send_message(sock, message: dict[str, object]) -> None:
    """``sock``: a connected ``socket.socket`` (or the client's ``_socket.socket``)."""
    if not _plain(message):
        raise ProtocolError("a message holds dicts, lists and scalars only")
    data = marshal.dumps(message)
    sock.sendall(len(data).to_bytes(4, "big") + data)


def _read_exactly(sock, size: int) -> bytes:
    chunks = []
    while size:
        chunk = sock.recv(min(size, 1 << 20))
        if not chunk:
            raise ProtocolError("connection closed mid-message")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def receive_message(sock) -> dict[str, object]:
    size = int.from_bytes(_read_exactly(sock, 4), "big")
    if size > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {size} bytes is over the limit")
    try:
        message = marshal.loads(_read_exactly(sock, size))
    except (ValueError, EOFError, TypeError) as exc:
        raise ProtocolError("not a message") from exc
    if not isinstance(message, dict) or not _plain(message):
        raise ProtocolError("not a dict of plain values")
    return message


def _package_dirs() -> tuple[list[str], list[str]]:
    """saltscan's own folders (``saltscan.rules`` lives apart in a development
    checkout), and those of the rendering packages, found without importing them."""
    own = [os.path.dirname(os.path.dirname(os.path.realpath(__file__)))]
    others = []
    for name in ("saltscan.rules", *RENDERING_PACKAGES):
        origin = _origin(name)
        if not origin:
            continue
        folder = os.path.dirname(os.path.realpath(origin))
        if name == "saltscan.rules":
            if not folder.startswith(own[0] + os.sep):
                own.append(folder)
        else:
            others.append(folder)
    return own, others


def _origin(name: str) -> str | None:
    """The file a module would be imported from, without importing it: what
    ``importlib.util.find_spec`` answers, asked of the import system's finders
    directly (importing importlib.util costs 3 ms on every hook run)."""
    parent, _, _ = name.rpartition(".")
    path = getattr(sys.modules.get(parent), "__path__", None) if parent else None
    if parent and path is None:
        return None
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        try:
            spec = find(name, path) if find is not None else None
        except (ImportError, ValueError):
            spec = None
        if spec is not None:
            return spec.origin
    return None


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
    h = sha256(f"{PROTOCOL}\0{sys.executable}\0{sys.version}\0".encode())
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
