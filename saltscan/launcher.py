"""The ``saltscan`` console script.

``saltscan hook`` first tries the hook daemon (``saltscan.daemon.client``), before
click, Salt or any of saltscan's pipeline is imported: that import time is most of
what a warm pre-commit run would otherwise cost. Every other command, and the hook
whenever the daemon cannot serve it, is the ordinary click command line.
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    argv = sys.argv[1:]
    if argv[:1] == ["hook"]:
        _hook_through_daemon(argv)
    from saltscan.cli import main as cli_main

    return cli_main()


def hook_main() -> int:
    """``saltscan-hook FILES...``, the entry of ``.pre-commit-hooks.yaml``: the same as
    ``saltscan hook FILES...``. Its script (``bin/saltscan-hook``) is a plain one: the
    wrapper pip writes for a console script imports ``re``, which takes longer than the
    rest of a warm hook run's client."""
    argv = ["hook", *sys.argv[1:]]
    _hook_through_daemon(argv)
    from saltscan.cli import main as cli_main

    return cli_main(args=argv, prog_name="saltscan")


def _hook_through_daemon(argv: list[str]) -> None:
    """Exit with the daemon's answer, if it gave one (else return: run in-process)."""
    from saltscan.daemon import client

    if not client.wanted(argv[1:], os.environ):
        return
    code = client.run(argv)
    if code is None:
        return
    # Nothing is left to clean up: skip the interpreter's teardown (a millisecond or two).
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        code = code or 1  # the reader went away: what it missed cannot be a pass
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
