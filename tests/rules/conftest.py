"""Make ``saltscan.rules`` importable in a source checkout (setup.cfg maps it to rules/)."""

from saltscan.engine.registry import import_builtin_package

import_builtin_package()
