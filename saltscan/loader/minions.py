"""Minions come from grains profiles: ``grains/<minion>.json|yaml`` or ``--grains FILE``.

With none, one documented built-in profile stands in (``saltscan/data/grains``), so a
tree is always analysed in some minion's context.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from saltscan.loader.looks import Looks
from saltscan.model import Minion

GRAINS_DIRS = ("grains", "minions", "test/grains")
GRAINS_SUFFIXES = (".json", ".yaml", ".yml")
BUILTIN_PROFILE = "generic-linux"


def salt_grains() -> dict[str, Any]:
    """Grains Salt itself adds on every minion, whatever the host: its own version."""
    import salt.version

    info = salt.version.__saltstack_version__
    return {
        "saltversion": info.string,
        "saltversioninfo": list(info.info),
    }


def builtin_grains(profile: str = BUILTIN_PROFILE) -> dict[str, Any]:
    text = resources.files("saltscan.data.grains").joinpath(f"{profile}.json").read_text()
    return json.loads(text)


def _read_grains(path: Path, looks: Looks) -> dict[str, Any]:
    text = looks.read_text(path)
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError("grains file is not a mapping")
    # salt-call --local grains.items --out json wraps them as {"local": {...}}
    if set(data) == {"local"} and isinstance(data["local"], dict):
        data = data["local"]
    return data


def _rel(root: Path, path: Path, looks: Looks) -> str:
    try:
        return looks.resolve(path).relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def find_minions(
    root: Path, grains_files: tuple[Path, ...], wanted: tuple[str, ...], looks: Looks | None = None,
) -> tuple[tuple[Minion, ...], tuple[str, ...], tuple[tuple[str, int, str], ...]]:
    looks = looks or Looks()
    notes: list[str] = []
    errors: list[tuple[str, int, str]] = []
    files = list(grains_files)
    if not files:
        for d in GRAINS_DIRS:
            gdir = root / d
            if looks.is_dir(gdir):
                files = sorted(p for p in looks.iterdir(gdir) if p.suffix in GRAINS_SUFFIXES)
                if files:
                    notes.append(f"{len(files)} grains profiles in {d}/")
                    break
    minions: dict[str, Minion] = {}
    for path in files:
        try:
            grains = _read_grains(path, looks)
        except (OSError, ValueError, yaml.YAMLError) as exc:
            errors.append((_rel(root, path, looks), 1, f"cannot read grains: {exc}"))
            continue
        minion_id = str(grains.get("id") or path.stem)
        if len(files) == 1 and len(wanted) == 1:
            # `--grains FILE --minion M`: the profile is M's, whatever id it names.
            minion_id = wanted[0]
        grains = {**salt_grains(), **grains, "id": minion_id}
        minions[minion_id] = Minion(minion_id, grains, _rel(root, path, looks))
    if not minions:
        minion_id = wanted[0] if len(wanted) == 1 else BUILTIN_PROFILE
        grains = {**salt_grains(), **builtin_grains(), "id": minion_id}
        minions[minion_id] = Minion(minion_id, grains, f"builtin:{BUILTIN_PROFILE}")
        notes.append(f"no grains profiles: using the built-in {BUILTIN_PROFILE} minion")
    if wanted:
        missing = [m for m in wanted if m not in minions]
        for m in missing:
            errors.append(("", 1, f"minion {m!r} has no grains profile"))
        minions = {k: v for k, v in minions.items() if k in wanted}
    return tuple(minions[k] for k in sorted(minions)), tuple(notes), tuple(errors)
