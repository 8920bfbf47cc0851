"""SS802: pillar keys read but not defined."""

from __future__ import annotations

from saltscan import api

from ._errors import RenderErrorRule


class UndefinedPillar(RenderErrorRule):
    """Pillar key read without a default and not defined for the minion.

    ``pillar['ehr']['db']['host']`` (or ``pillar.ehr.db.host``) names a key the
    minion's pillar does not have: Salt fails the render. When the production
    pillar lives elsewhere this may be expected; the finding names the key and
    the minions, and the rest of the file is still analysed with an unknown value.

    Problematic::

        ehr-db-config:
          file.managed:
            - name: /etc/ehr/db.conf
            - contents: "host = {{ pillar['ehr']['db']['host'] }}"

    Correct::

        ehr-db-config:
          file.managed:
            - name: /etc/ehr/db.conf
            - contents: "host = {{ salt['pillar.get']('ehr:db:host', 'db') }}"
    """

    code = "SS802"
    name = "undefined-pillar"
    severity = api.Severity.MEDIUM
    tags = ("salt", "pillar")
    hint = "define the key in pillar, or read it with pillar.get and a default"
    kinds = frozenset({api.RenderErrorKind.UNDEFINED_PILLAR})

    def report(self, error: api.RenderError, ctx) -> api.Finding:
        finding = super().report(error, ctx)
        if not error.pillar_key:
            return finding
        return self.at_error(
            error, f"pillar key {error.pillar_key} is not defined for this minion: Salt fails "
            "rendering this file", state=finding.state, subject=error.pillar_key,
        )
