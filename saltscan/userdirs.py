"""Where saltscan keeps per-user files: the render cache and the hook daemon's socket.

Kept free of saltscan's heavy imports: the pre-commit hook's client reads it before
anything else is loaded (see ``saltscan.daemon.client``).
"""

from __future__ import annotations

import os
import stat

TYPE_CHECKING = False  # typing's import costs 2 ms of every hook run (type checkers know this name)
if TYPE_CHECKING:
    from pathlib import Path

CACHE_DIR_ENV = "SALTSCAN_CACHE_DIR"
RUNTIME_DIR_ENV = "SALTSCAN_RUNTIME_DIR"


def default_cache_dir() -> Path:
    """``$SALTSCAN_CACHE_DIR``, else the per-user cache directory (platformdirs)."""
    from pathlib import Path

    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("saltscan", appauthor=False))


def runtime_dir() -> str:
    """Where the hook daemon's socket lives: ``$SALTSCAN_RUNTIME_DIR``, else
    ``$XDG_RUNTIME_DIR/saltscan``, else ``/tmp/saltscan-<uid>``.

    Not the cache directory: a Unix socket path is limited to ~107 bytes, and a
    runtime directory is per user and private by definition. (Strings, not pathlib:
    the hook's client imports this module on every commit.)
    """
    override = os.environ.get(RUNTIME_DIR_ENV)
    if override:
        return override
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg and os.path.isdir(xdg):
        return os.path.join(xdg, "saltscan")
    return os.path.join("/tmp", f"saltscan-{os.getuid()}")


def private_dir(path: str) -> str | None:
    """``path``, created 0700 if missing, when it is a directory only this user can
    enter; ``None`` otherwise (then nothing of ours may be put there)."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None
    return path
