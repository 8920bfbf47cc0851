"""The hook daemon's wire format, and what the client costs to start."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from saltscan.daemon import protocol

ROOT = Path(__file__).resolve().parents[2]


def _pair() -> tuple[socket.socket, socket.socket]:
    return socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)


def test_a_message_comes_back_as_it_was_sent() -> None:
    a, b = _pair()
    with a, b:
        message = {"argv": ["hook", "salt/é.sls"], "env": {"NO_COLOR": "1"}, "exit_code": 1, "tty": False, "x": None}
        protocol.send_message(a, message)
        assert protocol.receive_message(b) == message


@pytest.mark.parametrize("payload", [
    b"not marshal at all",
    __import__("marshal").dumps(["a", "list"]),
    __import__("marshal").dumps({"code": compile("1", "x", "eval")}),  # a code object is never accepted
    __import__("marshal").dumps({1: "non-string key"}),
    __import__("marshal").dumps({"set": {1, 2}}),
])
def test_anything_but_a_dict_of_plain_values_is_refused(payload: bytes) -> None:
    a, b = _pair()
    with a, b:
        a.sendall(len(payload).to_bytes(4, "big") + payload)
        with pytest.raises(protocol.ProtocolError):
            protocol.receive_message(b)


def test_a_message_with_other_values_is_not_sent() -> None:
    a, b = _pair()
    with a, b, pytest.raises(protocol.ProtocolError):
        protocol.send_message(a, {"path": Path("/x")})


def test_an_oversized_length_is_refused_before_reading() -> None:
    a, b = _pair()
    with a, b:
        a.sendall((protocol.MAX_MESSAGE_BYTES + 1).to_bytes(4, "big"))
        with pytest.raises(protocol.ProtocolError, match="over the limit"):
            protocol.receive_message(b)


def test_the_client_imports_only_what_the_interpreter_has_built_in() -> None:
    # Every warm hook run starts a Python: json, socket, hashlib, typing, re,
    # pathlib or importlib.util would add 12 ms to a run that should take 100.
    code = (
        "import sys; import saltscan.launcher, saltscan.daemon.client as c; c.protocol.install_fingerprint(); "
        "heavy = ('json', 'socket', 'hashlib', 'typing', 're', 'pathlib', 'importlib.util', 'enum', 'click', 'salt'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-S", "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
