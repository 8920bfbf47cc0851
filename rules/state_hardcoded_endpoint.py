"""SS401: endpoints of other systems hardcoded in state arguments."""

from __future__ import annotations

import re

from dataclasses import dataclass
from typing import Iterator

from saltscan import api

from . import _endpoints
from ._content import (
    CONTENT_ARGS,
    block_range,
    first_line_with,
    template_inputs,
    value_location,
    writes_scratch_file,
)

# Arguments naming where Salt downloads a file from (fetched once, at image build in
# a container world); a package repository (``pkgrepo``) is still reported: it is an
# internal system the build depends on.
BUILD_ARGS = frozenset({
    "source", "source_hash", "sources", "index_url", "extra_index_url", "find_links",
    "template", "skip_verify", "key_url", "gpgkey",
})
# Arguments that name or describe a state, never an address it connects to: a cron
# job's ``identifier`` (``letsencrypt-www.example.com``), a ``comment``.
LABEL_ARGS = frozenset({"identifier", "comment"})
NOT_ENDPOINT_ARGS = BUILD_ARGS | LABEL_ARGS | frozenset(CONTENT_ARGS)


class StateHardcodedEndpoint(api.GraphRule):
    """Endpoint of another system hardcoded in a state argument.

    A literal IP address, host name or URL of another system (a database, a
    cache, a message broker, an NFS server, a git server, a package repository,
    a partner API) in a state argument or a command line, instead of
    configuration injected at run time. In a cluster those systems are services
    found by name, and their addresses come from the environment.

    Not reported: ``localhost``, loopback, ``0.0.0.0``, CIDR networks; the
    minion's own names and addresses (from grains); values, and dict keys,
    that come from pillar (the inventory lists them); the site's own names (``server_name``,
    ``ALLOWED_HOSTS``...); download sources (``source:``, ``source_hash``,
    ``index_url``: fetched at image build); what only feeds a template
    (``context``, ``defaults``, extra keyword arguments: SS402 reports what the
    template renders into the file); dict keys (names, not addresses); labels
    (a cron ``identifier``, a ``comment``); ``test.*`` states, which do nothing;
    files written under /tmp or /var/tmp. One finding per state lists every
    endpoint. A literal written once in a Jinja variable (``{% set %}``) and used
    by several states is reported once, at the line where it is written.
    File contents are SS402's.

    Problematic::

        ehr-db-check:
          cmd.run:
            - name: pg_isready -h db01.ehr.internal -p 5432

    Correct::

        ehr-db-check:
          cmd.run:
            - name: pg_isready -h "$DB_HOST" -p 5432
    """

    code = "SS401"
    name = "state-hardcoded-endpoint"
    category = api.Category.HARDCODED_ENDPOINT
    severity = api.Severity.MEDIUM
    tags = ("containerization", "configuration")
    hint = "inject the address as configuration (env var, ConfigMap) and reach the service by name"
    needs_graph = False

    @dataclass(frozen=True)
    class Options:
        skipped_modules: tuple[str, ...] = api.option(
            ("network", "iptables", "nftables", "firewalld", "selinux"),
            "State modules whose addresses are the host's own network configuration.")

    def check(self, graph, ctx: api.RuleContext) -> Iterator[api.Finding]:
        per_state: list[tuple[api.State, dict[str, tuple[api.SourceLocation, str, tuple]]]] = []
        # (file, line, host) -> the states using a literal written there, outside them
        shared: dict[tuple[str, int, str], list[tuple[api.State, str]]] = {}
        memo = ctx.memo  # the same arguments recur for every minion
        for state in ctx.render.states:
            if state.module in self.options.skipped_modules or state.module == "test":
                continue
            if writes_scratch_file(state, ctx):
                continue
            found: dict[str, tuple[api.SourceLocation, str, tuple]] = {}
            for arg, text in _strings(state):
                for ep in memo[_endpoints_named, arg, text]:
                    if ep.label in found or _excluded(ep, ctx):
                        continue
                    where = _literal_place(ep, state, ctx)
                    if where == "block":
                        found[ep.label] = (value_location(state, ctx, arg, ep.written), ep.what, ())
                    elif isinstance(where, int):
                        key = (state.location.file, where, ep.host)
                        shared.setdefault(key, []).append((state, ep.what))
                        found[ep.label] = (value_location(state, ctx, arg, ep.written), ep.what, key)
                    elif where == "elsewhere":
                        found[ep.label] = (state.location_of(arg), ep.what, ())
            per_state.append((state, found))
        jinja_level = {key for key, users in shared.items() if len({u[0].id for u in users}) > 1}
        for state, found in per_state:
            kept = {label: v for label, v in found.items() if v[2] not in jinja_level}
            if kept:
                labels = sorted(kept)
                location = min(v[0] for v in kept.values())
                what = ", ".join(f"{kept[label][1]} {label}" for label in labels)
                yield self.at(
                    location, f"hardcoded {what} in {state.fun} {state.id}",
                    state=state, subject=" ".join(labels),
                )
        for (file, line, host), users in sorted(shared.items()):
            if (file, line, host) in jinja_level:
                names = ", ".join(sorted({u[0].id for u in users}))
                kinds = sorted({u[1] for u in users if u[1] != "endpoint"})
                what = kinds[0] if len(kinds) == 1 else "endpoint"
                yield self.at(
                    api.SourceLocation(file, line),
                    f"hardcoded {what} {host} in a Jinja variable used by {names}",
                    subject=host,
                )


def _endpoints_named(arg: str, text: str) -> tuple[_endpoints.Endpoint, ...]:
    """The endpoints in ``text`` of argument ``arg``; none when either names the
    site itself (pure: memoised per scan)."""
    if _endpoints.names_self(arg) or _endpoints.names_self(text):
        return ()
    return _endpoints.endpoints_of(text)


def _excluded(ep: _endpoints.Endpoint, ctx: api.RuleContext) -> bool:
    return "__unknown_" in ep.host or ctx.allowlist.allows_host(ep.host) or \
        ep.host in ctx.minion_names


def _literal_place(ep: _endpoints.Endpoint, state: api.State, ctx: api.RuleContext):
    """Where the endpoint is written: ``"block"`` (in the state), a line number
    (elsewhere in the SLS file, e.g. a ``{% set %}``), ``"elsewhere"`` (a map or
    defaults file), or None (injected from pillar: not hardcoded here)."""
    src = ctx.source(state.location.file)
    if src is not None:
        block = block_range(state, ctx)
        if any(ep.written in src.line(n) for n in block):
            return "block"
        number = ctx.memo[first_line_with, src, ep.written]
        if number is not None:
            return number
    return None if ctx.from_pillar(ep.written) else "elsewhere"


# A command that only downloads a file (curl -o/-O, wget): a build-time input like
# ``source:``, fetched once into the image, not a system the application talks to.
_DOWNLOAD_CMD = re.compile(r"^\s*(?:curl\b(?=[^|;&]*\s(?:-[a-zA-Z]*[oO]\b|--output\b|--remote-name\b))|wget\b)")


def _strings(state: api.State) -> Iterator[tuple[str, str]]:
    if not (state.module == "cmd" and _DOWNLOAD_CMD.match(state.name)):
        yield "name", state.name
    inputs = template_inputs(state)
    skipped = NOT_ENDPOINT_ARGS | inputs if inputs else NOT_ENDPOINT_ARGS
    for arg in sorted(state.args):
        if arg in skipped:
            continue
        value = state.args[arg]
        if arg == "device" and state.module == "mount" and isinstance(value, str):
            value = _nfs_url(value)
        for text in _values(value):
            yield arg, text


def _values(value: object) -> Iterator[str]:
    """The string values in nested argument data, in document order. Dict keys are
    left out: they name things (a vhost, an env var), the values are what connects."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _values(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _values(item)


def _nfs_url(device: str) -> str:
    """``nfs01:/export/scans`` and ``//smb01/share`` as URLs, so their host is found."""
    if device.startswith("//"):
        return f"smb:{device}"
    host, sep, path = device.partition(":")
    return f"nfs://{host}{path}" if sep and path.startswith("/") else device
