"""``saltscan inventory``: what each role runs and configures, and what must be externalized.

``--format json|markdown`` writes the inventory (standard output, or ``-o FILE``);
``--emit dockerfile|kubernetes -o DIR`` writes draft Dockerfiles or manifests per role.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from saltscan.cli.options import scan_options, tree_options


class InventoryUsageError(click.ClickException):
    """A usage or input error: exit code 2, one clear line."""

    exit_code = 2


def _root_label(path: Path) -> str:
    """The scanned root as titles show it: as given when relative (stable across machines)."""
    return path.name or "." if path.is_absolute() else (path.as_posix() or ".")


def _link_base(tree_root: Path, output: Path | None) -> str | None:
    if output is None:
        return None
    return Path(os.path.relpath(tree_root.resolve(), output.resolve().parent)).as_posix()


@click.command("inventory")
@tree_options
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True,
              help="The inventory document (ignored with --emit).")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the document to this file (default: stdout); with --emit, the folder for the drafts.")
@click.option("--sls", "sls", default="", help="Comma-separated SLS to render like state.show_sls (default: the top file).")
@click.option("--role", help="Only this role (a role name, or one part of a combined name such as app+web).")
@click.option("--role-grain", "role_grains", multiple=True, default=("roles", "role"), show_default=True,
              help="Grain naming a minion's role; repeat for several. Minions without it are grouped by top file.")
@click.option("--emit", "emits", multiple=True, type=click.Choice(["dockerfile", "kubernetes"]),
              help="Write draft Dockerfiles or Kubernetes manifests per role into -o DIR (repeatable).")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help=".saltscan.yml to use for the blockers (default: found upward from PATH).")
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Load extra rules from this folder (your own code: it runs).")
def inventory_command(fmt, output, sls, role, role_grains, emits, config_file, rules_dirs, **tree):
    """Inventory what each role needs in a container: env vars, secrets, packages, services,
    files, ports, endpoints, volumes, cron jobs, accounts, and the blockers."""
    from saltscan.inventory import build_inventory, emit_dockerfiles, emit_kubernetes, select, to_json, to_markdown
    from saltscan.scan import ScanRequest, run_scan

    # ``tree`` holds the shared tree options (PATH, roots, grains, minions, ...): passed on
    # as they are, so options added to ``tree_options`` reach the scan here too.
    path, minions = tree["path"], tuple(tree["minions"])
    if role and minions:
        raise InventoryUsageError("use --minion or --role, not both")
    if emits and output is None:
        raise InventoryUsageError("--emit needs -o/--output DIR")
    if emits and output.exists() and not output.is_dir():
        raise InventoryUsageError(f"--emit writes into a folder, and {output} is a file")
    if not emits and output is not None and output.is_dir():
        raise InventoryUsageError(f"-o {output} is a folder; give a file name for --format {fmt}")
    options = scan_options(sls=tuple(s for s in sls.split(",") if s), **tree)
    result = run_scan(ScanRequest(options=options, config_file=config_file, rules_dirs=tuple(rules_dirs)))
    inventory = build_inventory(result.model, None, result.findings, tuple(role_grains), by_minion=bool(minions),
                                root_label=_root_label(path))
    if minions:
        found = {r.name for r in inventory.roles}
        missing = sorted(set(minions) - found)
        if missing:
            known = ", ".join(sorted(m.id for m in result.model.tree.minions)) or "none"
            raise InventoryUsageError(f"no minion {', '.join(missing)} in this tree (minions found: {known})")
    try:
        inventory = select(inventory, role)
    except KeyError:
        known = ", ".join(r.name for r in inventory.roles) or "none"
        raise InventoryUsageError(f"no role {role!r} (roles found: {known})") from None
    if emits:
        written = []
        for emit in emits:
            target = output / emit if len(emits) > 1 else output
            fn = emit_dockerfiles if emit == "dockerfile" else emit_kubernetes
            written += fn(inventory, target)
        click.echo(f"{len(written)} files written under {output}", err=True)
        return
    text = to_json(inventory) if fmt == "json" else to_markdown(inventory, _link_base(Path(path), output))
    if output is None:
        click.echo(text, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
