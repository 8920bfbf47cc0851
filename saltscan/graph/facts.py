"""Env vars, endpoints and ports a state sets or uses, from its arguments and templates.

The results are transient: ``EnvSetting.value`` is kept only so that secret flows can
be found, and is never written to the graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping

from saltscan.endpoints import names_self
from saltscan.graph import textscan
from saltscan.graph.textscan import Endpoint, PortUse, TextScans
from saltscan.model import RenderedTemplate, SourceLocation, State

CONTENT_ARGS = ("contents", "content", "text")
_HOST_KEY_SUFFIXES = ("_host", "_server", "_address", "_addr", "_url", "_uri", "_endpoint")
_NETWORK_FSTYPES = ("nfs", "nfs4", "cifs", "smbfs", "glusterfs", "ceph", "sshfs")


@dataclass(frozen=True)
class EnvSetting:
    name: str
    value: str  # transient: searched for secrets, never stored
    location: SourceLocation


@dataclass(frozen=True)
class EndpointUse:
    endpoint: Endpoint
    location: SourceLocation


@dataclass(frozen=True)
class PortFact:
    use: PortUse
    location: SourceLocation


@dataclass
class StateFacts:
    env: list[EnvSetting]
    endpoints: list[EndpointUse]
    ports: list[PortFact]


# Types that are neither a Mapping nor a list or tuple: what most leaves are, told
# apart without the (slow) abstract-class check.
_SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})


def _walk(value: Any, key: str, out: list[tuple[str, Any]]) -> None:
    cls = type(value)
    if cls in _SCALAR_TYPES:
        out.append((key, value))
    elif cls is dict or (cls is not list and cls is not tuple and isinstance(value, Mapping)):
        for k, v in value.items():
            _walk(v, str(k), out)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _walk(item, key, out)
    else:
        out.append((key, value))


def iter_leaves(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """(nearest dict key, scalar) for every scalar under ``value``, depth first."""
    out: list[tuple[str, Any]] = []
    _walk(value, key, out)
    return iter(out)


def _is_host_key(key: str) -> bool:
    key = key.lower()
    return key in textscan.HOST_ARG_KEYS or key.endswith(_HOST_KEY_SUFFIXES)


def _port_value(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        port = int(value)
        return port if 0 < port < 65536 else None
    return None


def _env_pairs(value: Any) -> list[tuple[str, str]]:
    """``cmd.run env:`` and ``environ.setenv value:`` shapes: a dict or a list of dicts."""
    items: list[tuple[str, str]] = []
    if isinstance(value, Mapping):
        items.extend((str(k), "" if v is None else str(v)) for k, v in value.items())
    elif isinstance(value, list):
        for entry in value:
            items.extend(_env_pairs(entry))
    return items


def _text_facts(facts: StateFacts, text: str, env_file: bool, locate, scans: TextScans) -> None:
    hits = scans.hits(text, env_file=env_file)
    for number, name, value in hits.env:
        facts.env.append(EnvSetting(name, value, locate(number)))
    for number, endpoint in hits.endpoints:
        facts.endpoints.append(EndpointUse(endpoint, locate(number)))
    for number, use in hits.ports:
        facts.ports.append(PortFact(use, locate(number)))


def _mount_endpoint(state: State) -> Endpoint | None:
    device = state.args.get("device")
    fstype = str(state.args.get("fstype", ""))
    if not isinstance(device, str) or not fstype.startswith(_NETWORK_FSTYPES):
        return None
    if device.startswith("//"):
        return textscan.host_value(device[2:].split("/", 1)[0])
    host, sep, _ = device.partition(":")
    return textscan.host_value(host) if sep else None


def state_facts(state: State, scans: TextScans | None = None) -> StateFacts:
    """``scans``: a memo shared with other calls (one graph build's), else a fresh one."""
    scans = scans if scans is not None else TextScans()
    facts = StateFacts([], [], [])
    path = state.name
    env_file = textscan.is_env_file(path)

    for _, endpoint in scans.endpoints(state.name):
        facts.endpoints.append(EndpointUse(endpoint, state.location))
    if state.module == "cmd":
        for name, value in textscan.inline_env(state.name):
            facts.env.append(EnvSetting(name, value, state.location))
    if state.fun == "environ.setenv":
        value = state.args.get("value")
        if isinstance(value, Mapping):
            pairs = _env_pairs(value)
        else:
            pairs = [(state.name, "" if value is None else str(value))]
        for name, val in pairs:
            facts.env.append(EnvSetting(name, val, state.location_of("value")))
    if state.fun == "file.keyvalue" and env_file:
        pairs = _env_pairs(state.args.get("key_values") or {})
        if state.args.get("key"):
            pairs.append((str(state.args["key"]), str(state.args.get("value", ""))))
        for name, val in pairs:
            facts.env.append(EnvSetting(name, val, state.location_of("key_values")))
    mount = _mount_endpoint(state) if state.module == "mount" else None
    if mount:
        facts.endpoints.append(EndpointUse(mount, state.location_of("device")))

    for arg in sorted(state.args):
        value = state.args[arg]
        where = state.location_of(arg)
        if arg == "env" and state.module == "cmd":
            for name, val in _env_pairs(value):
                facts.env.append(EnvSetting(name, val, where))
        if arg in CONTENT_ARGS:
            if isinstance(value, str):
                texts = [value]
            elif isinstance(value, list):
                texts = [v for v in value if isinstance(v, str)]
            else:
                texts = []
            for text in texts:
                _text_facts(facts, text, env_file, lambda _n, w=where: w, scans)
            continue
        for key, leaf in iter_leaves(value, arg):
            port = _port_value(leaf)
            lowered = key.lower()
            if port and lowered in textscan.LISTENING_ARG_KEYS:
                facts.ports.append(PortFact(PortUse(port, True), where))
            elif port and lowered.endswith("_port"):
                facts.ports.append(PortFact(PortUse(port, False), where))
            if not isinstance(leaf, str):
                continue
            if names_self(key):
                continue  # server_name, hostname, domain: the machine itself, not a peer
            if _is_host_key(key):
                endpoint = textscan.host_value(leaf)
                if endpoint:
                    facts.endpoints.append(EndpointUse(endpoint, where))
                    continue
            for _, endpoint in scans.endpoints(leaf):
                facts.endpoints.append(EndpointUse(endpoint, where))
    return facts


def template_facts(template: RenderedTemplate, target_path: str, scans: TextScans | None = None) -> StateFacts:
    """The facts of ``template`` rendered to ``target_path``: they depend on the path only
    through ``is_env_file(target_path)``. ``scans`` as for ``state_facts``."""
    facts = StateFacts([], [], [])

    def locate(number: int) -> SourceLocation:
        return SourceLocation(template.location.file, template.source_line(number))

    _text_facts(facts, template.text, textscan.is_env_file(target_path), locate,
                scans if scans is not None else TextScans())
    return facts


def remote_ports(endpoints: Iterable[EndpointUse]) -> list[PortFact]:
    """Ports named by the endpoints a state connects to (``db01:5432``, URLs)."""
    return [
        PortFact(PortUse(use.endpoint.port, False), use.location)
        for use in endpoints
        if use.endpoint.port
    ]
