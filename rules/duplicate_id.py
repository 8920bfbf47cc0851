"""SS806: duplicate state IDs and keys."""

from __future__ import annotations

from saltscan import api

from ._errors import RenderErrorRule


class DuplicateId(RenderErrorRule):
    """State ID declared twice (in one file, or in two files of one highstate).

    Salt refuses the highstate: "Detected conflicting IDs, SLS IDs need to be
    globally unique". A YAML mapping with the same key twice is the same
    mistake inside one file.

    Problematic::

        ehr-app:
          pkg.installed: []

        ehr-app:
          service.running: []

    Correct::

        ehr-app-pkg:
          pkg.installed:
            - name: ehr-app

        ehr-app:
          service.running: []
    """

    code = "SS806"
    name = "duplicate-id"
    tags = ("salt",)
    hint = "give each state a unique ID (use name: for the managed thing)"
    kinds = frozenset({api.RenderErrorKind.DUPLICATE_ID, api.RenderErrorKind.DUPLICATE_KEY})
