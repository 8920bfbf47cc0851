"""Every SLS file a state root offers, as Salt's fileserver would list it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from saltscan.model import SlsFile

DEFAULT_RENDERER = "jinja|yaml"

# Folders of a formula repo that hold test harnesses, pillars or docs, not states.
NON_STATE_DIRS = frozenset({".git", ".github", "test", "tests", "docs", "node_modules", "_build"})


def read_shebang(path: Path) -> str | None:
    """The renderer pipe from a ``#!jinja|yaml`` first line, if any."""
    try:
        with path.open("r", encoding="utf-8", errors="replace") as fh:
            first = fh.readline(4096)
    except OSError:
        return None
    if first.startswith("#!") and not first.startswith("#!/"):
        return first[2:].strip()
    return None


def sls_name(rel: Path) -> str:
    """``ehr/init.sls`` -> ``ehr``; ``ehr/web.sls`` -> ``ehr.web``."""
    parts = list(rel.with_suffix("").parts)
    if parts and parts[-1] == "init" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def list_sls_files(
    root: Path, state_roots: Mapping[str, tuple[Path, ...]], skip: set[Path]
) -> tuple[SlsFile, ...]:
    out: dict[tuple[str, str], SlsFile] = {}
    for env in sorted(state_roots):
        for sroot in state_roots[env]:
            for dirpath, dirnames, filenames in os.walk(sroot):
                here = Path(dirpath)
                dirnames[:] = sorted(
                    d for d in dirnames
                    if d not in NON_STATE_DIRS and not d.startswith(".") and (here / d) not in skip
                )
                for fn in sorted(filenames):
                    if not fn.endswith(".sls") or fn == "top.sls" and here == sroot:
                        continue
                    path = here / fn
                    name = sls_name(path.relative_to(sroot))
                    if (env, name) in out:
                        continue  # first root wins, as in Salt's fileserver
                    try:
                        rel = path.resolve().relative_to(root).as_posix()
                    except ValueError:
                        rel = path.as_posix()
                    out[(env, name)] = SlsFile(
                        name, env, rel, read_shebang(path) or DEFAULT_RENDERER
                    )
    return tuple(out[k] for k in sorted(out))
