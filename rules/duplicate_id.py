"""SS806: duplicate state IDs and keys."""

from __future__ import annotations

from saltscan import api

from ._errors import RenderErrorRule, in_pillar_roots, yaml_key_path


class DuplicateId(RenderErrorRule):
    """State ID declared twice (in one file, or in two files of one highstate).

    Salt refuses the highstate: "Detected conflicting IDs, SLS IDs need to be
    globally unique". A YAML mapping with the same key twice is the same
    mistake inside one file. In a pillar file the key is a pillar key, not a
    state ID: Salt fails rendering that pillar ("found conflicting ID"), and
    the finding names the pillar key.

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

    def report(self, error: api.RenderError, ctx) -> api.Finding:
        if error.kind is api.RenderErrorKind.DUPLICATE_KEY and in_pillar_roots(error.location.file, ctx):
            key = error.pillar_key or yaml_key_path(error, ctx)
            what = f"pillar key {key}" if key else "a pillar key"
            return self.at_error(
                error, f"{what} is defined twice in one pillar file: Salt fails rendering it "
                f"({error.message})", pillar_key=key, subject=error.kind.value,
                hint="merge the blocks of the key into one: Salt refuses a pillar file that defines a key twice",
            )
        return super().report(error, ctx)
