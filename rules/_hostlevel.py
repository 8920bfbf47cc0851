"""Host-level rules share one shape: match a state by module, managed path, service
name or command, and say which part of the host it manages."""

from __future__ import annotations

import fnmatch
import re
from typing import ClassVar, Iterator

from saltscan import api

from ._content import commands


class HostLevelRule(api.StateRule):
    """Base of the host-level rules (not registered itself: it has no code)."""

    category = api.Category.HOST_LEVEL
    severity = api.Severity.MEDIUM
    topic: ClassVar[str] = ""  # "kernel tunables"
    modules: ClassVar[frozenset[str]] = frozenset()
    paths: ClassVar[tuple[str, ...]] = ()  # prefixes (ending in /) or fnmatch patterns
    services: ClassVar[tuple[str, ...]] = ()  # fnmatch patterns of service names
    packages: ClassVar[tuple[str, ...]] = ()  # fnmatch patterns of the daemons' packages
    command_re: ClassVar[re.Pattern[str] | None] = None

    def check(self, state: api.State, ctx: api.RuleContext) -> Iterator[api.Finding]:
        found = self.match(state)
        if found:
            arg, detail = found
            message = f"{state.fun} {state.id} manages {self.topic_of(state)} of the host"
            yield self.at_state(
                state, f"{message}: {detail}" if detail else message,
                arg=arg, subject=detail or state.fun,
            )

    def topic_of(self, state: api.State) -> str:
        """What part of the host ``state`` manages (the message's words)."""
        return self.topic

    def match(self, state: api.State) -> tuple[str | None, str] | None:
        if state.module in self.modules:
            # The name only when it is a plain word (a sysctl key, a path, a host):
            # a cron job's name is its command line, which may hold a secret.
            plain = state.name != state.id and not any(c.isspace() for c in state.name)
            return None, (state.name if plain else "")
        if state.module == "file" and path_matches(state.name, self.paths):
            return None, f"file {state.name}"
        if state.module == "service" and any(
            fnmatch.fnmatchcase(state.name, p) for p in self.services
        ):
            return None, f"service {state.name}"
        if state.module == "pkg" and state.function in ("installed", "latest"):
            hits = [p for p in _package_names(state)
                    if any(fnmatch.fnmatchcase(p, pattern) for pattern in self.packages)]
            if hits:
                return None, f"package {', '.join(hits)}"
        if self.command_re is not None:
            for arg, command in commands(state):
                if arg != "name":
                    continue
                m = self.command_re.search(command)
                if m:
                    return "name", f"command {m.group(0).strip()}"
        return None


def path_matches(path: str, patterns: tuple[str, ...]) -> bool:
    for pattern in patterns:
        if pattern.endswith("/"):
            if path.startswith(pattern) or path == pattern.rstrip("/"):
                return True
        elif fnmatch.fnmatchcase(path, pattern):
            return True
    return False


def _package_names(state: api.State) -> list[str]:
    pkgs = state.args.get("pkgs")
    if not isinstance(pkgs, list):
        return [state.name]
    names = []
    for item in pkgs:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            names.extend(str(k) for k in item)
    return names
