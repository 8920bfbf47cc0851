"""SS803: includes of SLS files that do not exist."""

from __future__ import annotations

from saltscan import api

from ._errors import RenderErrorRule


class MissingInclude(RenderErrorRule):
    """``include:`` names an SLS that no state root has.

    Salt fails the highstate with "Specified SLS ... is not available on the
    salt master"; usually a formula the tree depends on but does not vendor.

    Problematic::

        include:
          - ehr.does_not_exist

        ehr-app:
          pkg.installed: []

    Correct::

        ehr-app:
          pkg.installed: []
    """

    code = "SS803"
    name = "missing-include"
    tags = ("salt",)
    hint = "add the SLS (or the formula that provides it) to the state roots, or drop the include"
    kinds = frozenset({api.RenderErrorKind.MISSING_INCLUDE})
