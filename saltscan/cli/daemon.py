"""``saltscan daemon status|stop``: the hook daemon of this installation.

The daemon starts itself on the first ``saltscan hook`` run and exits after
``$SALTSCAN_DAEMON_IDLE`` seconds (default 900) without a request; these commands
are for looking at it and stopping it early (docs/pre-commit.md).
"""

from __future__ import annotations

import sys

import click


@click.group("daemon")
def daemon_command() -> None:
    """The pre-commit hook's daemon (it starts itself; see docs/pre-commit.md)."""


@daemon_command.command("status")
def status_command() -> None:
    """Say whether this installation's daemon is running. Exit 0 if it is, 1 if not."""
    from saltscan.daemon.client import ask

    reply = ask("status")
    if reply is None or reply.get("status") != "ok":
        click.echo("saltscan daemon: not running")
        sys.exit(1)
    click.echo(f"saltscan daemon: running (pid {reply.get('pid')}, {reply.get('served', 0)} hook runs served, "
               f"{reply.get('ahead', 0)} rendered ahead after an edit, {reply.get('repeated', 0)} answered again unchanged)")


@daemon_command.command("stop")
def stop_command() -> None:
    """Stop this installation's daemon, if one is running."""
    from saltscan.daemon.client import ask

    reply = ask("stop")
    if reply is None:
        click.echo("saltscan daemon: not running")
        return
    click.echo(f"saltscan daemon: stopped (pid {reply.get('pid')})")
