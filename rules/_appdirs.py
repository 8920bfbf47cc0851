"""The application's own install and instance directories, as one render sets them.

A package's chroot jail (``chroot /var/lib/haproxy`` in haproxy.cfg) or an
application server's instance directory (``CATALINA_BASE="/var/lib/tomcat9"`` in
/etc/default/tomcat9) ships with the package or holds the application's code: the
image carries it, and "keep the data on a volume" would be wrong advice. What a
render sets those keys to, in state arguments (``catalina_base: ...`` in a
``context``) or in the lines a file state writes, counts as the application's own
directory for that render, next to the ``app_dirs`` option.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Iterator

from saltscan import api

from ._content import content_lines

# Keys that name where an application is installed or runs from (compared in lower case).
INSTALL_KEYS = frozenset({"chroot", "catalina_base", "catalina_home", "java_home"})
# ``chroot  /var/lib/haproxy``, ``CATALINA_BASE="/var/lib/tomcat9"``, ``export JAVA_HOME=/x``
INSTALL_LINE_RE = re.compile(
    r"""^\s*(?:export\s+)?(?P<key>chroot|CATALINA_BASE|CATALINA_HOME|JAVA_HOME)"""
    r"""(?:\s*=\s*|\s+)["']?(?P<path>/[^"'\s;]*)""",
    re.IGNORECASE,
)


def install_dirs(ctx: api.RuleContext) -> tuple[str, ...]:
    """The directories ``ctx.render`` installs an application in (sorted, unique)."""
    found: set[str] = set()
    for state in ctx.render.states:
        for key, value in _keyed_strings(state.args):
            if key.lower() in INSTALL_KEYS:
                found.update(_usable(value))
        if state.module == "file":
            for line in content_lines(state, ctx):
                m = INSTALL_LINE_RE.match(line.text)
                if m and not line.is_comment:
                    found.update(_usable(m.group("path")))
    return tuple(sorted(found))


@dataclass(frozen=True)
class AppDirOptions:
    """The options of the host-path rules (SS101, SS102), declared once for both."""

    app_dirs: tuple[str, ...] = api.option(
        ("/opt/*",), "The application's own install directories (prefixes or "
        "one-level globs): paths under them belong in the image.")


class RenderAppDirs:
    """``install_dirs`` of the render a rule is looking at, computed once per render
    (a rule instance sees one render's states one after the other)."""

    def __init__(self) -> None:
        self._last: tuple[api.MinionRender, tuple[str, ...]] | None = None

    def of(self, ctx: api.RuleContext) -> tuple[str, ...]:
        if self._last is None or self._last[0] is not ctx.render:
            self._last = (ctx.render, install_dirs(ctx))
        return self._last[1]

    def with_options(self, options: AppDirOptions, ctx: api.RuleContext) -> tuple[str, ...]:
        """The configured ``app_dirs`` plus the render's own install dirs (a chroot,
        CATALINA_BASE): both are the application's, so they belong in the image."""
        return options.app_dirs + self.of(ctx)


def _keyed_strings(value: object) -> Iterator[tuple[str, str]]:
    """``(key, string value)`` for every dict entry with a string value, nested."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and isinstance(item, str):
                yield key, item
            else:
                yield from _keyed_strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _keyed_strings(item)


def _usable(path: str) -> Iterator[str]:
    """``path`` normalised, when it names a directory at least two levels deep (a
    chroot of ``/`` or ``/var`` would make the whole host the application's)."""
    path = path.strip().rstrip("/")
    if not path.startswith("/") or api.UNKNOWN_RE.search(path) or "{" in path:
        return
    path = posixpath.normpath(path)
    if len([s for s in path.split("/") if s]) >= 2:
        yield path
