"""``saltscan hook FILES...``: what pre-commit runs (see .pre-commit-hooks.yaml).

The whole tree is rendered (graph rules need every state, and a pillar file's
findings come from the minions that read it), and only findings located in the files
pre-commit passed are reported. Renders come from the render cache when none of
their inputs changed, so a commit that touches one file re-renders only the minions
that read it. See docs/pre-commit.md.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

import click

from saltscan.cli.options import scan_options
from saltscan.findings import Severity

SEVERITIES = [s.value for s in Severity]


def find_tree_root(files: tuple[Path, ...], start: Path) -> Path:
    """The git work tree holding the files (pre-commit's own root), else ``start``.

    Walks up from the files' common directory; a ``.git`` file counts too (worktrees,
    submodules).
    """
    start = start.resolve()
    parents = [p.resolve().parent for p in files]
    here = Path(os.path.commonpath([str(p) for p in parents])) if parents else start
    for directory in (here, *here.parents):
        if (directory / ".git").exists():
            return directory
    return start


def relative_files(files: tuple[Path, ...], root: Path) -> tuple[str, ...]:
    """The files as posix paths relative to ``root`` (those outside it are dropped), sorted."""
    out = set()
    for f in files:
        try:
            out.add(f.resolve().relative_to(root).as_posix())
        except ValueError:
            continue
    return tuple(sorted(out))


def open_cache(cache_dir: Path | None, enabled: bool):
    """The render cache, or None (with a warning) when it is off or cannot be used."""
    if not enabled:
        return None
    from saltscan.cache import RenderCache

    try:
        return RenderCache(cache_dir)
    except OSError as exc:
        click.echo(f"saltscan: warning: render cache disabled: {exc}", err=True)
        return None


@click.command("hook")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path), help="The Salt tree to scan (default: the git work tree holding the files).")
@click.option("--state-root", "state_roots", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path), help="A state root; repeat for more, the first wins. Overrides detection.")
@click.option("--pillar-root", "pillar_roots", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path), help="A pillar root; repeat for more. Overrides detection.")
@click.option("--grains", "grains_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="A grains file defining one minion; repeatable.")
@click.option("--minion", "minions", multiple=True, help="Only this minion (repeatable). Default: every minion found.")
@click.option("--saltenv", default="base", show_default=True, help="The saltenv to render.")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help=".saltscan.yml to use (default: found upward from the root).")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None, help="Fail when a finding in the files is at least this severe (default: low).")
@click.option("--baseline", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Report only findings not in this baseline.")
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path), help="Load extra rules from this folder (your own code: it runs).")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), help="Where cached renders live (default: $SALTSCAN_CACHE_DIR, else the user cache dir).")
@click.option("--no-cache", is_flag=True, help="Render everything, read and write no cache.")
@click.option("--no-daemon", is_flag=True, help="Run in this process; do not use or start the hook daemon (docs/pre-commit.md).")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@click.option("-v", "--verbose", count=True, help="Say what was scanned and how many renders came from the cache.")
@click.pass_obj
def hook_command(warm, files, root, state_roots, pillar_roots, grains_files, minions, saltenv, config_file, fail_on,
                 baseline, rules_dirs, cache_dir, no_cache, no_daemon, color, verbose):
    """Scan the whole tree; report only findings in FILES (for pre-commit).

    Served by the hook daemon when one can be used (the daemon passes its WarmState
    as the click object); otherwise everything happens in this process."""
    from saltscan.cli.scan import _use_color
    from saltscan.scan import ScanRequest, run_scan

    root = (root or find_tree_root(tuple(files), Path.cwd())).resolve()
    wanted = relative_files(tuple(files), root)
    if not wanted:
        if verbose:
            click.echo(f"saltscan: none of the files is under {root}; nothing to check", err=True)
        sys.exit(0)
    if warm is not None and not no_cache:
        cache = warm.render_cache(cache_dir)
    else:
        cache = open_cache(cache_dir, not no_cache)
    request = ScanRequest(
        warm=warm,
        options=scan_options(root, state_roots, pillar_roots, grains_files, minions, saltenv),
        config_file=config_file,
        rules_dirs=tuple(rules_dirs),
        baseline=baseline,
        only_files=wanted,
        cache=cache,
    )
    stats_before = dataclasses.replace(cache.stats) if cache is not None else None
    result = run_scan(request)
    if cache is not None:
        cache.prune()
    if verbose:
        for line in result.describe():
            click.echo(line, err=True)
        if cache is not None:
            s = cache.stats.since(stats_before)
            click.echo(f"render cache {cache.directory}: {s.hits} reused, {s.misses} rendered, {s.stored} stored, "
                       f"{s.graphs_reused} graphs reused, {s.cutoffs} reused after re-rendering only changed files", err=True)
    text = result.render("text", color=_use_color(color, sys.stdout))
    click.echo(text, nl=not text.endswith("\n"))
    sys.exit(result.exit_code(Severity(fail_on) if fail_on else None))
