"""Find a tree's state and pillar roots the way a Salt master would.

Order of precedence: explicit ``--state-root``/``--pillar-root`` options, then a
master config in the repo (``master``, ``master.d/*.conf``, also under ``etc/salt/``),
then the common layouts. Every decision is recorded as a sentence for ``scan -v``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from saltscan.loader.looks import Looks

MASTER_CONFIG_CANDIDATES = ("master", "etc/salt/master", "salt/master", "config/master")
MASTER_D_CANDIDATES = ("master.d", "etc/salt/master.d", "config/master.d")

# (state root, pillar root) pairs, most specific first.
COMMON_LAYOUTS = (
    ("srv/salt", "srv/pillar"),
    ("salt/states", "salt/pillar"),
    ("states", "pillar"),
    ("salt", "pillar"),
    ("salt", "pillars"),
    ("state", "pillar"),
)


@dataclass(frozen=True)
class Roots:
    state_roots: Mapping[str, tuple[Path, ...]]
    pillar_roots: Mapping[str, tuple[Path, ...]]
    master_opts: Mapping[str, Any]
    reasons: tuple[str, ...]
    config_errors: tuple[tuple[str, int, str], ...] = field(default=())  # (file, line, message)


def _read_master_config(root: Path, looks: Looks) -> tuple[dict[str, Any], list[str], list[tuple[str, int, str]]]:
    """Merge ``master`` and ``master.d/*.conf`` like Salt's config loader (later wins)."""
    opts: dict[str, Any] = {}
    reasons: list[str] = []
    errors: list[tuple[str, int, str]] = []
    files: list[Path] = []
    for cand in MASTER_CONFIG_CANDIDATES:
        p = root / cand
        if looks.is_file(p):
            files.append(p)
            break
    for cand in MASTER_D_CANDIDATES:
        d = root / cand
        if looks.is_dir(d):
            files.extend(sorted(looks.glob(d, "*.conf")))
            break
    for path in files:
        rel = path.relative_to(root).as_posix()
        try:
            data = yaml.safe_load(looks.read_text(path))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            errors.append((rel, (mark.line + 1) if mark else 1, f"invalid master config: {exc}"))
            continue
        if data is None:
            continue
        if not isinstance(data, dict):
            errors.append((rel, 1, "master config is not a mapping"))
            continue
        opts.update(data)
        reasons.append(f"read master config {rel}")
    return opts, reasons, errors


def _roots_from_opts(
    value: Any, base: Path, key: str, looks: Looks
) -> tuple[dict[str, tuple[Path, ...]], list[str]]:
    """``file_roots: {base: [/srv/salt]}``: absolute paths that do not exist are re-rooted.

    A repo's master config names deployment paths (``/srv/salt``); the repo holds them
    relative to itself (``srv/salt`` or just ``salt``). Try the path as written, then
    under the repo, then its last component under the repo.
    """
    out: dict[str, tuple[Path, ...]] = {}
    notes: list[str] = []
    if not isinstance(value, dict):
        return out, notes
    for env, dirs in value.items():
        if isinstance(dirs, str):
            dirs = [dirs]
        if not isinstance(dirs, list):
            continue
        resolved: list[Path] = []
        for d in dirs:
            if not isinstance(d, str):
                continue
            candidates = [base / d.lstrip("/"), base / Path(d).name]
            if not Path(d).is_absolute():
                candidates.insert(0, base / d)
            hit = next((c for c in candidates if looks.is_dir(c)), None)
            if hit is None:
                notes.append(f"{key}[{env}]: {d} not found in the repo, skipped")
                continue
            resolved.append(hit)
        if resolved:
            out[str(env)] = tuple(resolved)
    return out, notes


def _looks_like_formula_root(root: Path, looks: Looks) -> bool:
    return any(
        looks.is_dir(p) and (looks.is_file(p / "init.sls") or looks.is_file(p / "map.jinja"))
        for p in looks.iterdir(root)
        if not p.name.startswith(".")
    )


def find_roots(
    root: Path,
    state_roots: tuple[Path, ...] = (),
    pillar_roots: tuple[Path, ...] = (),
    saltenv: str = "base",
    looks: Looks | None = None,
) -> Roots:
    looks = looks or Looks()
    root = looks.resolve(root)
    opts, reasons, errors = _read_master_config(root, looks)
    states: dict[str, tuple[Path, ...]] = {}
    pillars: dict[str, tuple[Path, ...]] = {}

    if state_roots:
        states = {saltenv: tuple(looks.resolve(p) for p in state_roots)}
        reasons.append("state roots given on the command line: " + ", ".join(map(str, state_roots)))
    elif "file_roots" in opts:
        states, notes = _roots_from_opts(opts["file_roots"], root, "file_roots", looks)
        reasons.extend(notes)
        reasons.append("state roots from master config file_roots")
    if pillar_roots:
        pillars = {saltenv: tuple(looks.resolve(p) for p in pillar_roots)}
        reasons.append("pillar roots given on the command line")
    elif "pillar_roots" in opts:
        pillars, notes = _roots_from_opts(opts["pillar_roots"], root, "pillar_roots", looks)
        reasons.extend(notes)
        reasons.append("pillar roots from master config pillar_roots")

    if not states:
        for s, p in COMMON_LAYOUTS:
            if looks.is_dir(root / s) and looks.has_sls(root / s):
                states = {saltenv: (looks.resolve(root / s),)}
                reasons.append(f"state root {s}/ (common layout)")
                if not pillars and looks.is_dir(root / p):
                    pillars = {saltenv: (looks.resolve(root / p),)}
                    reasons.append(f"pillar root {p}/ (common layout)")
                break
    if not states:
        if looks.is_file(root / "top.sls") or _looks_like_formula_root(root, looks):
            states = {saltenv: (root,)}
            reasons.append("the path itself is a state root (top.sls or formula layout)")
        else:
            states = {saltenv: (root,)}
            reasons.append("no known layout: the path itself is used as the state root")
    if not pillars:
        for p in ("pillar", "pillars", "srv/pillar"):
            if looks.is_dir(root / p):
                pillars = {saltenv: (looks.resolve(root / p),)}
                reasons.append(f"pillar root {p}/")
                break
    if not pillars and looks.is_file(root / "pillar.example"):
        reasons.append("formula repo: pillar.example is used as the pillar")
    return Roots(states, pillars, opts, tuple(reasons), tuple(errors))
