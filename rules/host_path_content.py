"""SS102: host-specific paths in file contents (templates, static files, contents)."""

from __future__ import annotations

from typing import Iterator

from saltscan import api

from . import _paths
from ._appdirs import AppDirOptions, app_dirs, mount_points
from ._content import content_lines, per_lines, writes_scratch_file


class HostPathContent(api.StateRule):
    """Host-specific absolute path in a managed file's contents.

    A configuration file the state writes (a rendered template, a static
    ``salt://`` file, or inline ``contents``) points the application at a path
    that holds run-time state on this host: log files, data, upload, spool, cache
    or backup directories, home directories, mount points. One finding per line,
    at the line of the original template or file; comment lines, files written
    under /tmp or /var/tmp, and the OS's own logs (the syslog daemon's files
    such as ``/var/log/messages`` or ``auth.log``, sudo's log, and the login
    accounting files ``wtmp``, ``btmp``, ``lastlog``, ``faillog``) are not
    reported. Nor is the application's own install or instance directory: besides
    the ``app_dirs`` option, what the render sets ``chroot``, ``CATALINA_BASE``,
    ``CATALINA_HOME`` or ``JAVA_HOME`` to (in state arguments or in a file's
    lines) and everything under it.

    Problematic::

        ehr-config:
          file.managed:
            - name: /etc/ehr/app.ini
            - contents: |
                [logging]
                file = /var/log/ehr/app.log

    Correct::

        ehr-config:
          file.managed:
            - name: /etc/ehr/app.ini
            - contents: |
                [logging]
                stream = stdout
    """

    code = "SS102"
    name = "host-path-content"
    category = api.Category.HARDCODED_PATH
    severity = api.Severity.MEDIUM
    tags = ("containerization", "volumes", "templates")
    hint = "make the path an env-configured setting backed by a volume, or log to stdout"

    Options = AppDirOptions

    def check(self, state: api.State, ctx: api.RuleContext) -> Iterator[api.Finding]:
        if writes_scratch_file(state, ctx):
            return
        lines = content_lines(state, ctx)
        if not lines:
            return
        by_line = per_lines(ctx, _host_paths_by_line, lines, app_dirs(self.options, ctx),
                            mount_points(ctx))
        for location, found in by_line:
            (first, kind), *others = found
            if not others:
                message = f"{kind.value} {first} in the contents of {state.name}: {_paths.REMEDY[kind]}"
            else:
                message = f"host paths in the contents of {state.name}: " + "; ".join(
                    f"{k.value} {p} ({_paths.REMEDY[k]})" for p, k in found)
            yield self.at(location, message, state=state, subject=" ".join(sorted(p for p, _ in found)))


PathsAt = tuple[tuple[api.SourceLocation, tuple[tuple[str, _paths.PathKind], ...]], ...]


def _host_paths_by_line(lines, dirs: tuple[str, ...], mounts: tuple[str, ...],
                        ctx: api.RuleContext) -> PathsAt:
    """The host paths (and their kind) the lines write, by source line, in order."""
    by_line: dict[api.SourceLocation, dict[str, _paths.PathKind]] = {}
    for line in lines:
        if line.is_comment:
            continue
        for path, kind in ctx.memo[_paths.host_paths, line.text, dirs, mounts]:
            if not ctx.allowlist.allows_path(path):
                by_line.setdefault(line.location, {}).setdefault(path, kind)
    return tuple((location, tuple(found.items())) for location, found in by_line.items())
