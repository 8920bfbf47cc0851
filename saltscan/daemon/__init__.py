"""The hook daemon: a long-running process that keeps a scan warm between commits.

A pre-commit run pays for starting Python, importing Salt, loading every render
from the cache and running every rule, before it looks at the one file that
changed. The daemon pays that once: ``saltscan hook`` (see ``client``) hands its
arguments to a per-user daemon over a private Unix socket and prints the reply; the
daemon (``server``) runs the very same hook command in-process with state it keeps
between runs (``warm``): renders, graphs and findings in memory, revalidated against
the files on every request, so a re-run does only the work the change calls for.

Everything is a fallback away from the ordinary in-process run: no socket, a
refused connection, a daemon that dies mid-request, ``--no-daemon``,
``SALTSCAN_DAEMON=0``, a ``CI`` environment, or options the daemon does not serve
(``--rules-dir``: user code cannot be reloaded safely in a live process). The output
is the same either way, byte for byte (tests/hook/test_daemon.py).
"""
