"""``saltscan render``: high data or low chunks as Salt shows them, to diff against Salt."""

from __future__ import annotations

import json
import sys

import click
import yaml

from saltscan.cli.options import scan_options, tree_options
from saltscan.pipeline import load_model


@click.command("render")
@tree_options
@click.option("--sls", "sls", default="", help="Comma-separated SLS to render like state.show_sls (default: the top file).")
@click.option("--low", is_flag=True, help="Low chunks (state.show_lowstate) instead of high data.")
@click.option("--pillar", "show_pillar", is_flag=True, help="The rendered pillar instead of states (secret values masked).")
@click.option("--format", "fmt", type=click.Choice(["json", "yaml"]), default="json", show_default=True)
def render_command(path, state_roots, pillar_roots, grains_files, minions, saltenv, host_facts, sls, low, show_pillar, fmt):
    """Render PATH for one minion the way Salt would, without running anything."""
    if len(minions) > 1:
        raise click.UsageError("render takes at most one --minion")
    options = scan_options(path, state_roots, pillar_roots, grains_files, minions, saltenv, tuple(s for s in sls.split(",") if s), host_facts)
    model = load_model(options)
    render = next((r for r in model.renders if not r.untargeted), None)
    if render is None:
        raise click.UsageError("no minion to render (see `saltscan scan -v`)")
    from saltscan.scan import secret_values
    from saltscan.secrets import Redactor

    data = render.pillar if show_pillar else (list(render.low) if low else render.high)
    # Rendered data holds secret values wherever states use them: mask every one.
    redactor = Redactor(secret_values(model))
    for err in render.errors:
        click.echo(redactor.redact(f"{err.location}: {err.kind.value}: {err.message}"), err=True)
    if fmt == "json":
        text = json.dumps(data, indent=2, sort_keys=not low, default=str) + "\n"
    else:
        text = yaml.safe_dump(json.loads(json.dumps(data, default=str)), sort_keys=False, default_flow_style=False)
    click.echo(redactor.redact(text), nl=False)
    sys.exit(0)
