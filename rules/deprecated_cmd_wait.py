"""SS901: ``cmd.wait`` (salt-lint 213)."""

from __future__ import annotations

from typing import Iterator

from saltscan import api

from ._content import value_location


class DeprecatedCmdWait(api.StateRule):
    """``cmd.wait`` instead of ``cmd.run`` with ``onchanges``.

    ``cmd.wait`` only runs when a watched state changes, which ``cmd.run`` with
    ``onchanges`` says explicitly; Salt's documentation recommends the latter.
    salt-lint reports it as rule 213, so ``# noqa: 213`` suppresses it too.

    Problematic::

        ehr-reindex:
          cmd.wait:
            - name: /opt/ehr/bin/reindex
            - watch:
              - file: /etc/ehr/index.conf

        /etc/ehr/index.conf:
          file.managed:
            - contents: "[index]"

    Correct::

        ehr-reindex:
          cmd.run:
            - name: /opt/ehr/bin/reindex
            - onchanges:
              - file: /etc/ehr/index.conf

        /etc/ehr/index.conf:
          file.managed:
            - contents: "[index]"
    """

    code = "SS901"
    name = "deprecated-cmd-wait"
    category = api.Category.STYLE
    severity = api.Severity.INFO
    tags = ("style",)
    hint = "use cmd.run with onchanges"
    salt_lint = ("213",)

    def check(self, state: api.State, ctx: api.RuleContext) -> Iterator[api.Finding]:
        if state.fun == "cmd.wait":
            # At the ``cmd.wait:`` line, where salt-lint reports it (and its noqa is).
            where = value_location(state, ctx, "", "cmd.wait")
            yield self.at(where, f"{state.id} uses cmd.wait", state=state, subject=state.id)
