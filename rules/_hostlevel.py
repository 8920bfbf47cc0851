"""Host-level rules share one shape: match a state by module, managed path, service
name or command, and say which part of the host it manages."""

from __future__ import annotations

import fnmatch
import re
from typing import ClassVar

from saltscan import api

from ._content import COMMAND_FUNS

# The modules of COMMAND_FUNS: a cheap test before building ``state.fun``.
COMMAND_MODULES = frozenset(fun.partition(".")[0] for fun in COMMAND_FUNS)


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

    def check(self, state: api.State, ctx: api.RuleContext) -> list[api.Finding]:
        # A list, not a generator: most states match nothing, and eight rules ask.
        found = self.match(state, ctx.memo)
        if not found:
            return []
        arg, detail = found
        message = f"{state.fun} {state.id} manages {self.topic_of(state)} of the host"
        return [self.at_state(
            state, f"{message}: {detail}" if detail else message,
            arg=arg, subject=detail or state.fun,
        )]

    def topic_of(self, state: api.State) -> str:
        """What part of the host ``state`` manages (the message's words)."""
        return self.topic

    def match(self, state: api.State, memo: api.ScanMemo) -> tuple[str | None, str] | None:
        """What of the host ``state`` manages: ``(argument, detail)``, or None.
        ``memo`` (the scan's ``ctx.memo``) answers the pattern questions once per name."""
        if state.module in self.modules:
            # The name only when it is a plain word (a sysctl key, a path, a host):
            # a cron job's name is its command line, which may hold a secret.
            plain = state.name != state.id and not any(c.isspace() for c in state.name)
            return None, (state.name if plain else "")
        if state.module == "file" and memo[path_matches, state.name, self.paths]:
            return None, f"file {state.name}"
        if state.module == "service" and memo[any_glob, state.name, self.services]:
            return None, f"service {state.name}"
        if state.module == "pkg" and state.function in ("installed", "latest"):
            hits = [p for p in _package_names(state) if memo[any_glob, p, self.packages]]
            if hits:
                return None, f"package {', '.join(hits)}"
        # Only the command in ``name`` counts (the first one ``commands`` yields, when
        # the state runs its name): not ``unless``/``onlyif`` checks.
        if self.command_re is not None and state.module in COMMAND_MODULES \
                and state.fun in COMMAND_FUNS and isinstance(state.name, str):
            m = self.command_re.search(state.name)
            if m:
                return "name", f"command {m.group(0).strip()}"
        return None


def any_glob(name: str, patterns: tuple[str, ...]) -> bool:
    """``name`` matches one of the fnmatch ``patterns`` (case-sensitive)."""
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


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
