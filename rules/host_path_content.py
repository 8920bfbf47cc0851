"""SS102: host-specific paths in file contents (templates, static files, contents)."""

from __future__ import annotations

from typing import Iterator

from saltscan import api

from . import _paths
from ._appdirs import AppDirOptions, RenderAppDirs
from ._content import content_lines, writes_scratch_file


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

    def __init__(self, options=None) -> None:
        super().__init__(options)
        self._install_dirs = RenderAppDirs()

    def check(self, state: api.State, ctx: api.RuleContext) -> Iterator[api.Finding]:
        if writes_scratch_file(state):
            return
        app_dirs = self._install_dirs.with_options(self.options, ctx)
        by_line: dict[api.SourceLocation, dict[str, _paths.PathKind]] = {}
        for line in content_lines(state, ctx):
            if line.is_comment or api.UNKNOWN_RE.search(line.text):
                continue
            for path in _paths.paths_in(line.text):
                kind = _paths.classify(path, app_dirs, _mount_points(ctx))
                if kind is not None and not ctx.allowlist.allows_path(path):
                    by_line.setdefault(line.location, {}).setdefault(path, kind)
        for location, found in by_line.items():
            (first, kind), *others = found.items()
            if not others:
                message = f"{kind.value} {first} in the contents of {state.name}: {_paths.REMEDY[kind]}"
            else:
                message = f"host paths in the contents of {state.name}: " + "; ".join(
                    f"{k.value} {p} ({_paths.REMEDY[k]})" for p, k in found.items())
            yield self.at(location, message, state=state, subject=" ".join(sorted(found)))


def _mount_points(ctx: api.RuleContext) -> tuple[str, ...]:
    return tuple(sorted(
        st.name for st in ctx.render.states
        if st.fun == "mount.mounted" and st.name.startswith("/")
    ))
