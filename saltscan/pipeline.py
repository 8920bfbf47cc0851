"""The pipeline, one pure function per stage: load tree -> render -> model.

``load_model`` is what every command calls first; graph, rules, reporters and the
inventory take its ``Model``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from saltscan.model import Model

if TYPE_CHECKING:
    from saltscan.cache import RenderCache
    from saltscan.loader import LoaderMemo


@dataclass(frozen=True)
class ScanOptions:
    path: Path
    state_roots: tuple[Path, ...] = ()  # override detection; first root wins
    pillar_roots: tuple[Path, ...] = ()
    grains_files: tuple[Path, ...] = ()
    minions: tuple[str, ...] = ()  # only these minions (default: every one found)
    saltenv: str = "base"
    sls: tuple[str, ...] = ()  # render these SLS like state.show_sls instead of the top
    jobs: int = 1
    host_facts: Path | None = None  # what is known about the minions' machines (host_facts.py)
    # Also render, standalone, every SLS no top file reaches (DESIGN.md "Coverage").
    coverage: bool = True


def load_model(options: ScanOptions, *, compiled_templates=None, cache: "RenderCache | None" = None, progress=None,
               loader: "LoaderMemo | None" = None) -> Model:
    """Load the tree and render every minion. ``compiled_templates`` (a
    ``saltscan.render.context.CompiledTemplateCache``) and ``loader`` (the last
    load, reused while the files it looked at hold) may be shared across calls;
    ``progress`` is a ``saltscan.progress.Progress``."""
    from saltscan.loader import load_tree_with_errors
    from saltscan.render.tree import render_tree

    tree, errors = load_tree_with_errors(options, loader)
    return render_tree(tree, options, errors, compiled_templates=compiled_templates, cache=cache, progress=progress)
