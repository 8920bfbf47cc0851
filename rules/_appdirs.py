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

from ._content import content_lines, per_lines

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
        pairs: list[tuple[str, str]] = []
        _keyed_strings(state.args, pairs)
        for key, value in pairs:
            if key.lower() in INSTALL_KEYS:
                found.update(_usable(value))
        if state.module == "file":
            lines = content_lines(state, ctx)
            if lines:
                found.update(per_lines(ctx, _lines_install_dirs, lines))
    return tuple(sorted(found))


def _lines_install_dirs(lines, ctx: api.RuleContext) -> frozenset[str]:
    """The install directories content lines set (not in comments)."""
    found: set[str] = set()
    for line in lines:
        dirs = ctx.memo[_line_install_dirs, line.text]
        if dirs and not line.is_comment:
            found.update(dirs)
    return frozenset(found)


def _line_install_dirs(text: str) -> tuple[str, ...]:
    """The install directory a content line sets, if any (pure: memoised per scan)."""
    m = INSTALL_LINE_RE.match(text)
    return tuple(_usable(m.group("path"))) if m else ()


@dataclass(frozen=True)
class AppDirOptions:
    """The options of the host-path rules (SS101, SS102), declared once for both."""

    app_dirs: tuple[str, ...] = api.option(
        ("/opt/*",), "The application's own install directories (prefixes or "
        "one-level globs): paths under them belong in the image.")


def app_dirs(options: AppDirOptions, ctx: api.RuleContext) -> tuple[str, ...]:
    """The configured ``app_dirs`` plus the render's own install dirs (a chroot,
    CATALINA_BASE): both are the application's, so they belong in the image. The
    render's are found once per render, for both rules."""
    return ctx.once(
        (app_dirs, options.app_dirs),
        lambda: options.app_dirs + ctx.once(install_dirs, lambda: install_dirs(ctx)),
    )


def mount_points(ctx: api.RuleContext) -> tuple[str, ...]:
    """What the render's ``mount.mounted`` states mount (absolute paths, sorted)."""
    return ctx.once(mount_points, lambda: tuple(sorted(
        st.name for st in ctx.render.states
        if st.fun == "mount.mounted" and st.name.startswith("/")
    )))


def _keyed_strings(value: object, out: list[tuple[str, str]]) -> None:
    """``(key, string value)`` for every dict entry with a string value, nested, in order."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and isinstance(item, str):
                out.append((key, item))
            elif isinstance(item, (dict, list, tuple)):
                _keyed_strings(item, out)
    elif isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, (dict, list, tuple)):
                _keyed_strings(item, out)


def _usable(path: str) -> Iterator[str]:
    """``path`` normalised, when it names a directory at least two levels deep (a
    chroot of ``/`` or ``/var`` would make the whole host the application's)."""
    path = path.strip().rstrip("/")
    if not path.startswith("/") or api.UNKNOWN_RE.search(path) or "{" in path:
        return
    path = posixpath.normpath(path)
    if len([s for s in path.split("/") if s]) >= 2:
        yield path
