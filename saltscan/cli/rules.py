"""``saltscan rules`` (list the rules) and ``saltscan explain RULE`` (one rule's page)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from saltscan.engine.docs import rule_markdown
from saltscan.engine.registry import RegistryError, load_registry

_RULES_DIR = click.option(
    "--rules-dir", "rules_dirs", multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Load extra rules from this folder (your own Python code: it runs).",
)


def _registry(rules_dirs):
    try:
        return load_registry(rules_dirs)
    except RegistryError as exc:
        raise click.UsageError(str(exc)) from None


@click.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_RULES_DIR
def rules_command(fmt: str, rules_dirs: tuple[Path, ...]) -> None:
    """List every rule: code, name, category, default severity, summary."""
    registry = _registry(rules_dirs)
    if fmt == "json":
        rows = [
            {
                "code": info.code, "name": info.name, "category": info.category.value,
                "severity": info.severity.value, "summary": info.summary,
                "tags": list(info.tags), "help_uri": info.help_uri,
            }
            for info in registry.infos()
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    infos = registry.infos()
    width = max((len(i.name) for i in infos), default=0)
    cat_width = max((len(i.category.value) for i in infos), default=0)
    for info in infos:
        click.echo(
            f"{info.code}  {info.name:<{width}}  {info.category.value:<{cat_width}}  "
            f"{info.severity.value:<8}  {info.summary}"
        )


@click.command("explain")
@click.argument("rule")
@_RULES_DIR
def explain_command(rule: str, rules_dirs: tuple[Path, ...]) -> None:
    """Print the documentation of RULE (a code such as SS201, or a rule name)."""
    registry = _registry(rules_dirs)
    found = registry.get(rule)
    if found is None:
        raise click.UsageError(f"no rule {rule!r}; `saltscan rules` lists them")
    # The page without its "generated" comment line.
    click.echo(rule_markdown(found).split("\n", 1)[1])
