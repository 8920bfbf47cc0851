"""Render stage: a Tree in, one MinionRender per minion out (no code from the tree runs).

Importing Salt has two side effects saltscan undoes here, once: Salt installs its own
``sys.excepthook`` and a console log handler. saltscan reports problems as findings,
and Salt's log lines could carry rendered values (secrets among them), so Salt's
loggers are silenced and Python's hook is put back.
"""

import logging
import sys

_hook = sys.excepthook
import salt.utils.jinja  # noqa: E402,F401 - the import whose side effects are undone
import salt.state  # noqa: E402,F401

sys.excepthook = _hook
logging.getLogger("salt").setLevel(logging.CRITICAL + 1)
