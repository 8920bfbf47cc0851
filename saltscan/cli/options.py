"""Options every command shares: what tree, which roots, which minions."""

from __future__ import annotations

from pathlib import Path

import click

from saltscan.pipeline import ScanOptions


def tree_options(func):
    """PATH plus root/grains/minion overrides, in the order users read them in --help."""
    decorators = [
        click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path), default=".", required=False),
        click.option("--state-root", "state_roots", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path), help="A state root (file_roots); repeat for more, the first wins. Overrides detection."),
        click.option("--pillar-root", "pillar_roots", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path), help="A pillar root; repeat for more. Overrides detection."),
        click.option("--grains", "grains_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="A grains file (JSON or YAML) defining one minion; repeatable."),
        click.option("--minion", "minions", multiple=True, help="Only this minion (repeatable). Default: every minion found."),
        click.option("--saltenv", default="base", show_default=True, help="The saltenv to render."),
        click.option("--host-facts", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None, help="YAML of what the minions' machines contain (files, executables, users): answers host queries like file.file_exists instead of assuming a new host."),
    ]
    for deco in reversed(decorators):
        func = deco(func)
    return func


def scan_options(path: Path, state_roots, pillar_roots, grains_files, minions, saltenv: str = "base", sls: tuple[str, ...] = (), host_facts: Path | None = None, jobs: int = 1) -> ScanOptions:
    return ScanOptions(
        path=path,
        state_roots=tuple(state_roots),
        pillar_roots=tuple(pillar_roots),
        grains_files=tuple(grains_files),
        minions=tuple(minions),
        saltenv=saltenv,
        sls=tuple(sls),
        host_facts=host_facts,
        jobs=max(1, jobs),
    )
