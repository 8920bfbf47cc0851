"""The ``saltscan`` command line (click). Each command lives in its own module."""

from __future__ import annotations

import os
import sys
import traceback

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
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - a bug must not look like "findings" (exit 1)
            if os.environ.get("SALTSCAN_DEBUG"):
                raise
            # The exception text could quote scanned data (secrets among it): say where, not what.
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{os.path.basename(frame.filename)}:{frame.lineno}"
            click.echo(f"saltscan: internal error ({type(exc).__name__} at {where}); "
                       "set SALTSCAN_DEBUG=1 for the traceback and please report it", err=True)
            sys.exit(2)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="saltscan")
def main() -> None:
    """Static analysis of SaltStack trees: render them like Salt does, graph them, and
    find what stands between a Salt-deployed application and containers."""


def _register() -> None:
    from saltscan.cli.daemon import daemon_command
    from saltscan.cli.graph import graph_command
    from saltscan.cli.hook import hook_command
    from saltscan.cli.inventory import inventory_command
    from saltscan.cli.render import render_command
    from saltscan.cli.rules import explain_command, rules_command
    from saltscan.cli.scan import scan_command

    for command in (scan_command, render_command, graph_command, inventory_command, rules_command, explain_command, hook_command,
                    daemon_command):
        main.add_command(command)


_register()
