"""The ``saltscan`` command line (click). Each command lives in its own module."""

from __future__ import annotations

import sys

import click

from saltscan import __version__


class _Main(click.Group):
    """Usage and input errors exit 2 (DESIGN.md section 3), with a clear message."""

    def invoke(self, ctx):
        from saltscan.engine.config import ConfigError
        from saltscan.render.host_facts import HostFactsError
        from saltscan.report.baseline import BaselineError

        try:
            return super().invoke(ctx)
        except (ConfigError, BaselineError, HostFactsError) as exc:
            click.echo(f"saltscan: error: {exc}", err=True)
            sys.exit(2)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="saltscan")
def main() -> None:
    """Static analysis of SaltStack trees: render them like Salt does, graph them, and
    find what stands between a Salt-deployed application and containers."""


def _register() -> None:
    from saltscan.cli.graph import graph_command
    from saltscan.cli.hook import hook_command
    from saltscan.cli.inventory import inventory_command
    from saltscan.cli.render import render_command
    from saltscan.cli.rules import explain_command, rules_command
    from saltscan.cli.scan import scan_command

    for command in (scan_command, render_command, graph_command, inventory_command, rules_command, explain_command, hook_command):
        main.add_command(command)


_register()
