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
        from saltscan.daemon import client

        if client.wanted(argv[1:], os.environ):
            code = client.run(argv)
            if code is not None:
                return code
    from saltscan.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
