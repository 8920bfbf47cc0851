"""SS101: host-specific paths in state arguments."""

from __future__ import annotations

from typing import Iterator

from saltscan import api

from . import _paths
from ._appdirs import AppDirOptions, app_dirs, mount_points
from ._content import CONTENT_ARGS, template_inputs, value_location, writes_scratch_file

# Arguments that name where Salt gets a file from, not where the application runs.
SKIPPED_ARGS = frozenset({"source", "sources", "source_hash", "template", "device",
                          "fstype", "opts", "dump", "pass_num"})


class HostPathArgument(api.StateRule):
    """Host-specific absolute path in a state argument.

    A state creates or uses a path that holds the application's run-time state on
    this host: a user's home, a mount point, a data, log, spool, upload, cache or
    backup directory outside the application's own install directory. In a
    container such a path is either a volume (data that must survive the
    container), an ephemeral volume (caches), or goes away (logs go to stdout).
    Each finding names the container equivalent.

    Paths that belong in the image are not reported: ``/etc``, ``/usr``, ``/opt``
    (the default ``app_dirs``), ``/tmp``, ``/run``, the host's own bookkeeping
    (``/var/lib/dpkg``, ``/var/cache/apt``...), the application's install or
    instance directory as the render sets it (``chroot``, ``CATALINA_BASE``,
    ``CATALINA_HOME``, ``JAVA_HOME``, in state arguments or a file's lines),
    nor anything a file state writes under /tmp or /var/tmp (a scratch file such
    as a formula's ``_mapdata`` dump), nor the OS's own logs (syslog, auth, sudo
    and login accounting files). What only feeds a template (``context``, ``defaults``,
    extra keyword arguments) is left to SS102 when the template rendered: SS102
    reports the paths that reach the file. One finding per state lists every host
    path its arguments use; file contents are SS102's.

    Problematic::

        ehr-uploads:
          file.directory:
            - name: /srv/ehr/uploads
            - user: ehr

    Correct::

        ehr-app:
          file.directory:
            - name: /opt/ehr/app
            - user: ehr
    """

    code = "SS101"
    name = "host-path-argument"
    category = api.Category.HARDCODED_PATH
    severity = api.Severity.MEDIUM
    tags = ("containerization", "volumes")
    hint = "mount a volume at the path (or log to stdout) and make the path configurable"

    Options = AppDirOptions

    def check(self, state: api.State, ctx: api.RuleContext) -> Iterator[api.Finding]:
        if writes_scratch_file(state, ctx):
            return
        dirs = app_dirs(self.options, ctx)
        mounts = mount_points(ctx)
        found: dict[str, tuple[str, _paths.PathKind]] = {}  # path -> (arg, kind)
        # What only feeds a template that rendered is judged in the rendered file
        # (SS102): a path the template never writes is no dependency of the state.
        feeds_template = template_inputs(state) if ctx.template_of(state) is not None else frozenset()
        for arg in ("name", *sorted(state.args)):
            if arg in SKIPPED_ARGS or arg in CONTENT_ARGS or arg in feeds_template:
                continue
            value = state.name if arg == "name" else state.args[arg]
            for text in api.iter_texts(value):
                for path, kind in ctx.memo[_paths.host_paths, text, dirs, mounts]:
                    if path not in found and not ctx.allowlist.allows_path(path):
                        found[path] = (arg, kind)
        if not found:
            return
        (first, (arg, kind)), *others = found.items()
        where = ", ".join(sorted({a for a, _ in found.values()}))
        if not others:
            message = f"{kind.value} {first} in {state.fun} {where}: {_paths.REMEDY[kind]}"
        else:
            message = f"host paths in {state.fun} {where}: " + "; ".join(
                f"{k.value} {p} ({_paths.REMEDY[k]})" for p, (_, k) in found.items())
        yield self.at(
            value_location(state, ctx, arg, first), message,
            state=state, subject=" ".join(sorted(found)),
        )

