"""Tree loader: roots, SLS files, minions. The first stage of the pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from saltscan.loader.minions import find_minions
from saltscan.loader.roots import find_roots
from saltscan.loader.slsfiles import list_sls_files
from saltscan.model import RenderError, RenderErrorKind, SourceLocation, Tree

if TYPE_CHECKING:
    from saltscan.pipeline import ScanOptions

__all__ = ["load_tree", "load_tree_with_errors"]


def load_tree_with_errors(options: "ScanOptions") -> tuple[Tree, tuple[RenderError, ...]]:
    root = Path(options.path).resolve()
    roots = find_roots(root, options.state_roots, options.pillar_roots, options.saltenv)
    minions, minion_notes, minion_errors = find_minions(
        root, options.grains_files, options.minions
    )
    skip = {p for paths in roots.pillar_roots.values() for p in paths}
    sls_files = list_sls_files(root, roots.state_roots, skip)
    tree = Tree(
        root=root,
        state_roots=roots.state_roots,
        pillar_roots=roots.pillar_roots,
        minions=minions,
        sls_files=sls_files,
        master_opts=roots.master_opts,
        detection=roots.reasons + minion_notes,
    )
    errors = tuple(
        RenderError(RenderErrorKind.IO, msg, SourceLocation(file, line))
        for file, line, msg in roots.config_errors + minion_errors
    )
    return tree, errors


def load_tree(options: "ScanOptions") -> Tree:
    return load_tree_with_errors(options)[0]
