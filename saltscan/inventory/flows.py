"""What flows through one minion: env vars, secrets, endpoints and listening ports.

The graph says which state sets which env var (``sets_env``), where each secret goes
(``flows_to``) and which state connects to which endpoint (``connects_to``). Two
questions it does not answer are settled here:

- *where a value comes from*: pillar when the value holds a pillar leaf's value that is
  not written literally in the file the setting is read from, or when the Jinja
  expression on its source line names a pillar key; unknown when it holds an
  unknown-value token; else literal (the state, the template or a formula default);
- *which secret an env var carries*, per setting rather than per variable name.

Env var values are read from the graph's own fact extraction (``graph.facts``) and
dropped after classification unless they are neither secret nor secret-looking.
"""

from __future__ import annotations

import re
from typing import Any

from saltscan.graph.facts import EnvSetting, state_facts, template_facts
from saltscan.graph.redact import secret_text
from saltscan.graph.textscan import is_env_file
from saltscan.inventory.model import Endpoint, EnvVar, EnvVia, Port, SecretFlow, SecretRef, Use, ValueSource
from saltscan.inventory.resources import UNIT_DIRS
from saltscan.inventory.view import MinionView
from saltscan.model import SourceLocation, State
from saltscan.secret_values import UNKNOWN_TOKEN_RE

_HOSTNAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$|^\[?[0-9a-f:]+\]?$")
MIN_PILLAR_TEXT = 4  # shorter pillar values (ports, "ehr") match everywhere


def _leaf_text(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    text = str(value)
    return text if len(text) >= MIN_PILLAR_TEXT else None


def _bounded(needle: str, hay: str) -> bool:
    pattern = r"(?<![A-Za-z0-9])" + re.escape(needle) + r"(?![A-Za-z0-9])"
    return re.search(pattern, hay) is not None


def pillar_keys_in(view: MinionView, value: str, location: SourceLocation) -> tuple[str, ...]:
    """Key paths of the pillar leaves whose value ``value`` holds and that the source at
    ``location`` does not write literally."""
    keys = set()
    for pv in view.render.pillar_values:
        text = _leaf_text(pv.value)
        if text and text in value and _bounded(text, value) and not view.literal_in_source(text, location):
            keys.add(pv.key_path)
    return tuple(sorted(keys))


_EXPRESSION = re.compile(r"\{\{(.*?)\}\}")
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\s*['\"][\w.-]+['\"]\s*\])+")
_PART = re.compile(r"[A-Za-z_][\w-]*")
_COLON_KEY = re.compile(r"['\"]([\w.-]+(?::[\w.-]+)+)['\"]")


def _line(view: MinionView, location: SourceLocation) -> str:
    lines = view.sources.text(location.file).splitlines()
    return lines[location.line - 1] if 0 < location.line <= len(lines) else ""


def expression_keys(view: MinionView, location: SourceLocation) -> tuple[str, ...]:
    """Pillar keys named by the Jinja expressions on the source line at ``location``:
    ``{{ ehr.db.password }}``, ``{{ pillar['ehr']['x'] }}``, ``pillar.get('a:b')``. Catches
    values the text search cannot (multi-line secrets, values that are unknown)."""
    paths: list[tuple[str, ...]] = []
    for expr in _EXPRESSION.findall(_line(view, location)):
        paths += [tuple(_PART.findall(m)) for m in _DOTTED.findall(expr)]
        paths += [tuple(m.split(":")) for m in _COLON_KEY.findall(expr)]
    keys = set()
    for pv in view.render.pillar_values:
        parts = tuple(pv.key_path.split(":"))
        if len(parts) >= 2 and any(path[-len(parts):] == parts for path in paths if len(path) >= len(parts)):
            keys.add(pv.key_path)
    return tuple(sorted(keys))


def _whole_expression(view: MinionView, location: SourceLocation, name: str) -> bool:
    """``NAME={{ expr }}`` (maybe quoted): the whole value is one expression."""
    pattern = re.escape(name) + r"""\s*[=:]\s*["']?\{\{[^{}]*\}\}["']?\s*$"""
    return re.search(pattern, _line(view, location)) is not None


# -- env vars ----------------------------------------------------------------------

def _via(state: State, setting: EnvSetting) -> EnvVia:
    if state.fun == "environ.setenv":
        return EnvVia.ENVIRON
    if state.module == "cmd":
        return EnvVia.COMMAND_ENV if "env" in state.args and setting.location == state.location_of("env") else EnvVia.COMMAND_LINE
    if state.name.startswith(UNIT_DIRS) or state.name.endswith(".service"):
        return EnvVia.SYSTEMD
    if is_env_file(state.name) and not state.name.startswith("/etc/profile.d/"):
        return EnvVia.ENV_FILE
    return EnvVia.SHELL


def _settings(view: MinionView, state: State) -> list[EnvSetting]:
    found = list(state_facts(state).env)
    tpl = view.template_of(state)
    if tpl is not None:
        found.extend(template_facts(tpl, state.name).env)
    return found


def _secret_keys(view: MinionView, value: str) -> tuple[tuple[str, ...], str | None]:
    keys, whole = set(), None
    for pv in view.render.pillar_values:
        if not pv.secret:
            continue
        text = secret_text(pv.value)
        if text and text in value:
            keys.add(pv.key_path)
            if value.strip() == text.strip():
                whole = pv.key_path
    return tuple(sorted(keys)), whole


def env_vars(view: MinionView) -> list[EnvVar]:
    out = []
    for node, st in sorted(view.states.items()):
        for setting in _settings(view, st):
            env_node = f"env_var:{setting.name}"
            if env_node not in view.graph or not view.graph.has_edge(node, env_node, "sets_env"):
                continue
            value = setting.value
            named = expression_keys(view, setting.location)
            keys = tuple(sorted(set(pillar_keys_in(view, value, setting.location)) | set(named)))
            secret_keys, whole = _secret_keys(view, value)
            named_secrets = {pv.key_path for pv in view.render.pillar_values if pv.secret and pv.key_path in named}
            if named_secrets:
                secret_keys = tuple(sorted(set(secret_keys) | named_secrets))
                if whole is None and len(named_secrets) == 1 and _whole_expression(view, setting.location, setting.name):
                    whole = next(iter(named_secrets))
            unknown = UNKNOWN_TOKEN_RE.search(value) is not None
            source = ValueSource.UNKNOWN if unknown else (ValueSource.PILLAR if keys else ValueSource.LITERAL)
            secret = bool(secret_keys) or not view.clean.is_clean(value)
            out.append(EnvVar(
                name=setting.name, via=_via(st, setting), state_id=st.id, location=setting.location,
                source=source, secret=secret, target=st.name if st.module == "file" else None,
                pillar_keys=keys, secret_keys=secret_keys, whole_secret=whole if len(secret_keys) == 1 else None,
                value=None if secret or unknown else value, minions=(view.minion,),
            ))
    return out


# -- secrets -----------------------------------------------------------------------

def _flow(view: MinionView, target: str, data: dict) -> SecretFlow | None:
    attrs = view.graph.nodes[target]
    where = SourceLocation(str(data.get("file", "")), int(data.get("line", 1)))
    kind = attrs.get("kind")
    if kind == "state":
        return SecretFlow("state", view.state_id(target), where, str(attrs.get("fun", "")))
    if kind in ("file", "directory"):
        return SecretFlow("file", str(attrs.get("path", attrs.get("label"))), where)
    if kind == "env_var":
        return SecretFlow("env_var", str(attrs.get("name", attrs.get("label"))), where)
    return None


def _contents_pillar_flows(view: MinionView) -> dict[str, list[SecretFlow]]:
    flows: dict[str, list[SecretFlow]] = {}
    for st in view.states.values():
        for key in view.contents_pillar_secrets(st):
            flows.setdefault(key, []).append(SecretFlow("file", st.name, st.location_of("contents_pillar")))
    return flows


def secrets(view: MinionView) -> list[SecretRef]:
    out = []
    extra = _contents_pillar_flows(view)
    for node, data in view.nodes("secret"):
        flows = [f for target, edge in view.out_edges(node, "flows_to") for f in [_flow(view, target, edge)] if f]
        flows += extra.get(str(data.get("key_path", data["label"])), [])
        out.append(SecretRef(
            key_path=str(data.get("key_path", data["label"])), storage=str(data.get("storage", "plaintext")),
            location=SourceLocation(str(data.get("file", "")), int(data.get("line", 1))),
            reason=data.get("reason"), flows=tuple(sorted(set(flows))), minions=(view.minion,),
        ))
    return out


# -- endpoints and ports -----------------------------------------------------------

def _origin(view: MinionView, host: str, where: SourceLocation, template_files: set[str]) -> tuple[str, tuple[str, ...]]:
    kind = "template" if where.file in template_files else "state"
    if view.literal_in_source(host, where):
        return kind, ()
    keys = tuple(sorted(pv.key_path for pv in view.render.pillar_values
                        if isinstance(pv.value, str) and host in pv.value.lower()))
    if keys:
        return "pillar", keys
    return kind, ()


def endpoints(view: MinionView) -> list[Endpoint]:
    template_files = {t.location.file for t in view.render.templates}
    out = []
    for node, data in view.nodes("endpoint"):
        host = str(data.get("host", data["label"]))
        if not _HOSTNAME.match(host) or ("." not in host and not data.get("schemes") and not data.get("ports")):
            continue  # ``$host``, an nginx upstream, a git remote name: not another system
        uses, origins, keys = [], set(), set()
        for state_node, edge in view.in_edges(node, "connects_to"):
            if state_node not in view.states:
                continue
            where = SourceLocation(str(edge.get("file", "")), int(edge.get("line", 1)))
            origin, pillar_keys = _origin(view, host, where, template_files)
            uses.append(Use(where, view.state_id(state_node), origin))
            origins.add(origin)
            keys.update(pillar_keys)
        if not uses:
            continue
        ports = tuple(sorted({int(p) for p in data.get("ports", ())}))
        schemes = tuple(sorted({str(s) for s in data.get("schemes", ())}))
        out.append(Endpoint(host, ports, schemes, tuple(sorted(origins)), tuple(sorted(set(uses))),
                            tuple(sorted(keys)), (view.minion,)))
    return out


def listening_ports(view: MinionView) -> list[Port]:
    out = []
    for node, data in view.nodes("port"):
        uses = []
        for state_node, edge in view.in_edges(node, "manages"):
            if state_node in view.states:
                where = SourceLocation(str(edge.get("file", "")), int(edge.get("line", 1)))
                uses.append(Use(where, view.state_id(state_node)))
        if uses:
            out.append(Port(int(data["port"]), tuple(sorted(set(uses))), (), (view.minion,)))
    return out
