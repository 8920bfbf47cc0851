"""Tree loader: roots, SLS files, minions. The first stage of the pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from saltscan.loader.looks import Looks
from saltscan.loader.memo import LoaderMemo
from saltscan.loader.minions import find_minions
from saltscan.loader.roots import find_roots
from saltscan.loader.slsfiles import list_sls_files
from saltscan.model import RenderError, RenderErrorKind, SourceLocation, Tree

if TYPE_CHECKING:
    from saltscan.pipeline import ScanOptions

__all__ = ["LoaderMemo", "load_tree", "load_tree_with_errors"]


def load_tree_with_errors(
    options: "ScanOptions", memo: "LoaderMemo | None" = None
) -> tuple[Tree, tuple[RenderError, ...]]:
    """The tree and the loader's errors. ``memo`` (a long-running process's) hands
    back the last load's result when what it looked at is unchanged."""
    if memo is not None:
        return memo.load(options, _load)
    return _load(options, Looks())


def _load(options: "ScanOptions", looks: Looks) -> tuple[Tree, tuple[RenderError, ...]]:
    root = looks.resolve(Path(options.path))
    roots = find_roots(root, options.state_roots, options.pillar_roots, options.saltenv, looks)
    minions, minion_notes, minion_errors = find_minions(
        root, options.grains_files, options.minions, looks
    )
    skip = {p for paths in roots.pillar_roots.values() for p in paths}
    sls_files = list_sls_files(root, roots.state_roots, skip, looks)
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
