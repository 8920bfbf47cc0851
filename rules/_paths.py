"""Host-specific paths: which absolute paths an application depends on at run time.

A path is host-specific when it holds state the host keeps for the application: a
user's home, a mount point, data, logs, spool, uploads, caches, backups, outside the
application's own install dir. Paths that belong in the image (``/etc``, ``/usr``,
``/opt/<app>``, ...) and the host's own bookkeeping (``/var/lib/dpkg``) are not.
"""

from __future__ import annotations

import enum
import fnmatch
import posixpath
import re
from typing import Iterable, Iterator

from saltscan import api

PATH_RE = re.compile(r"/[A-Za-z0-9_.@+%-]+(?:/[A-Za-z0-9_.@+%-]*)*")
# Characters that may stand right before a path in a command line or a config file.
_PATH_PRECEDERS = frozenset(" \t\n\"'=:,([{<>;|&`")


class PathKind(enum.Enum):
    HOME = "home directory"
    MOUNT = "mount point"
    UPLOAD = "upload directory"
    LOG = "log path"
    SPOOL = "spool directory"
    CACHE = "cache directory"
    BACKUP = "backup directory"
    DATA = "data directory"


# The container-world equivalent, named in every message.
REMEDY: dict[PathKind, str] = {
    PathKind.HOME: "set HOME and WORKDIR in the image instead of relying on a host "
    "user's home",
    PathKind.MOUNT: "mount a volume there (a PersistentVolumeClaim or a bind mount)",
    PathKind.UPLOAD: "keep uploads on a volume or in object storage, path set by an "
    "env var",
    PathKind.LOG: "log to stdout/stderr and let the platform collect the logs",
    PathKind.SPOOL: "put the spool on a volume or replace it with a queue service",
    PathKind.CACHE: "use an ephemeral volume (emptyDir/tmpfs) for the cache",
    PathKind.BACKUP: "back up the volume from outside the container",
    PathKind.DATA: "keep the data on a volume, path set by an env var",
}

# Top-level directories whose content belongs in the image or is the kernel's.
_IMAGE_TOPS = frozenset({
    "etc", "usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "boot", "dev",
    "proc", "sys", "run", "tmp", "snap", "salt",
})
_MOUNT_TOPS = frozenset({"mnt", "media", "net", "nfs", "export", "exports", "nas", "san",
                         "cifs", "smb", "shared"})
_DATA_TOPS = frozenset({"srv", "data", "storage", "archive", "archives", "var"})
# The host's own bookkeeping under /var: packages, init, Salt itself.
_SYSTEM_VAR = (
    "/var/lib/apt", "/var/lib/dpkg", "/var/lib/yum", "/var/lib/dnf", "/var/lib/rpm",
    "/var/lib/systemd", "/var/lib/ucf", "/var/lib/polkit-1", "/var/lib/dbus",
    "/var/lib/pam", "/var/lib/sss", "/var/lib/salt", "/var/lib/misc", "/var/lib/dhcp",
    "/var/lib/logrotate", "/var/lib/os-prober", "/var/lib/ntp", "/var/lib/chrony",
    "/var/cache/apt", "/var/cache/yum", "/var/cache/dnf", "/var/cache/debconf",
    "/var/cache/man", "/var/cache/ldconfig", "/var/cache/fontconfig", "/var/cache/salt",
    "/var/log/salt", "/var/spool/cron", "/var/spool/anacron", "/var/run", "/var/lock",
    "/var/tmp", "/var/mail", "/var/www",
    # login accounting the OS keeps (logrotate.conf rotates them): not application logs
    "/var/log/wtmp", "/var/log/btmp", "/var/log/lastlog", "/var/log/faillog",
    # the syslog daemon's, the journal's and sudo's own files: the host's logs (a
    # logrotate syslog job, a fail2ban jail reading auth.log), not an application's
    "/var/log/syslog", "/var/log/messages", "/var/log/secure", "/var/log/auth.log",
    "/var/log/kern.log", "/var/log/daemon.log", "/var/log/user.log", "/var/log/debug",
    "/var/log/cron", "/var/log/maillog", "/var/log/mail.log", "/var/log/mail.err",
    "/var/log/mail.warn", "/var/log/mail.info", "/var/log/spooler", "/var/log/boot.log",
    "/var/log/dmesg", "/var/log/journal", "/var/log/sudo.log",
)
_UPLOAD_SEGMENT = re.compile(r"^(uploads?|attachments?|media_uploads?)$", re.I)
_LOG_SEGMENT = re.compile(r"^(log|logs)$", re.I)
_BACKUP_SEGMENT = re.compile(r"^(backups?)$", re.I)


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


def in_dirs(path: str, patterns: Iterable[str]) -> bool:
    """Under one of ``patterns`` (directory prefixes; ``/opt/*`` globs one level)."""
    for pattern in patterns:
        if any(c in pattern for c in "*?["):
            depth = pattern.rstrip("/").count("/")
            head = "/".join(path.split("/")[: depth + 1])
            if fnmatch.fnmatchcase(head, pattern.rstrip("/")):
                return True
        elif _under(path, pattern):
            return True
    return False


def classify(path: str, app_dirs: Iterable[str] = (), mounts: Iterable[str] = ()) -> PathKind | None:
    """The kind of host-specific path ``path`` is, or None when it is not one."""
    path = posixpath.normpath(path) if path != "/" else path
    if path in ("/", "//") or in_dirs(path, app_dirs):
        return None
    segments = [s for s in path.split("/") if s]
    if not segments:
        return None
    top = segments[0]
    if top == "home" and len(segments) >= 2 or top == "root" or top == "Users":
        return PathKind.HOME
    if top in _MOUNT_TOPS or any(_under(path, m) for m in mounts if m and m != "/"):
        return PathKind.MOUNT
    if top in _IMAGE_TOPS or top == "opt" or any(_under(path, p) for p in _SYSTEM_VAR):
        return None
    if top not in _DATA_TOPS and not top.startswith("data"):
        return None
    if top == "var" and len(segments) == 1:
        return None
    if any(_UPLOAD_SEGMENT.match(s) for s in segments):
        return PathKind.UPLOAD
    if _under(path, "/var/log") or any(_LOG_SEGMENT.match(s) for s in segments) or (
        segments[-1].endswith(".log")
    ):
        return PathKind.LOG
    if _under(path, "/var/spool") or "spool" in segments:
        return PathKind.SPOOL
    if _under(path, "/var/cache") or "cache" in segments:
        return PathKind.CACHE
    if _under(path, "/var/backups") or any(_BACKUP_SEGMENT.match(s) for s in segments):
        return PathKind.BACKUP
    return PathKind.DATA


def paths_in(text: str) -> Iterator[str]:
    """Absolute paths written in ``text`` (a command line, a config line, a value).

    A path inside a URL (``http://h/var/x``) or a relative one is not yielded."""
    for m in PATH_RE.finditer(text):
        start = m.start()
        if start > 0 and text[start - 1] not in _PATH_PRECEDERS:
            continue
        if start > 1 and text[start - 1] == ":" and re.match(r"[\w.-]", text[start - 2]):
            continue  # host:/export (an NFS device), scheme:/x, PATH-style lists
        path = m.group(0).rstrip(".,;:-_")  # "/x/ehr-$(date).dump" names /x/ehr
        if len(path) > 1:
            yield path


def host_paths(
    text: str, app_dirs: tuple[str, ...], mounts: tuple[str, ...]
) -> tuple[tuple[str, PathKind], ...]:
    """``(path, kind)`` for the host-specific paths written in ``text``, in order (a
    path may repeat); none in a text that holds an unknown value. Pure: the rules
    memoise it per scan, as the same lines and values recur across states and minions."""
    if api.UNKNOWN_RE.search(text):
        return ()
    found = []
    for path in paths_in(text):
        kind = classify(path, app_dirs, mounts)
        if kind is not None:
            found.append((path, kind))
    return tuple(found)
