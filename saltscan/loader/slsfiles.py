"""Every SLS file a state root offers, as Salt's fileserver would list it."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from saltscan.loader.looks import Looks
from saltscan.model import SlsFile

DEFAULT_RENDERER = "jinja|yaml"

# Folders of a formula repo that hold test harnesses, pillars or docs, not states.
NON_STATE_DIRS = frozenset({".git", ".github", "test", "tests", "docs", "node_modules", "_build"})


def sls_name(rel: Path) -> str:
    """``ehr/init.sls`` -> ``ehr``; ``ehr/web.sls`` -> ``ehr.web``."""
    parts = list(rel.with_suffix("").parts)
    if parts and parts[-1] == "init" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def list_sls_files(
    root: Path, state_roots: Mapping[str, tuple[Path, ...]], skip: set[Path],
    looks: Looks | None = None,
) -> tuple[SlsFile, ...]:
    looks = looks or Looks()
    out: dict[tuple[str, str], SlsFile] = {}
    for env in sorted(state_roots):
        for sroot in state_roots[env]:
            for dirpath, dirnames, filenames in looks.walk(sroot):
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
                        rel = looks.resolve(path).relative_to(root).as_posix()
                    except ValueError:
                        rel = path.as_posix()
                    out[(env, name)] = SlsFile(
                        name, env, rel, looks.shebang(path) or DEFAULT_RENDERER
                    )
    return tuple(out[k] for k in sorted(out))
