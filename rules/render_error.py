"""SS801: files Salt cannot render."""

from __future__ import annotations

from saltscan import api

from ._errors import RenderErrorRule


class RenderFailure(RenderErrorRule):
    """File that Salt cannot render: Jinja or YAML error, invalid state data.

    The SLS (or pillar, or top file) fails to render the way Salt renders it: a
    Jinja syntax or runtime error, invalid YAML, data that is not a mapping of
    states, an unknown renderer; or saltscan refused to evaluate it (a Python
    renderer, a sandbox violation). Salt would stop the highstate here; saltscan
    reports it at the file and line and analyses the rest.

    Problematic::

        ehr-app:
          pkg.installed:
            - name: {{ pillar.get('ehr_package', 'ehr' }}

    Correct::

        ehr-app:
          pkg.installed:
            - name: {{ pillar.get('ehr_package', 'ehr') }}
    """

    code = "SS801"
    name = "render-error"
    tags = ("salt",)
    hint = "fix the file so that Salt renders it (the message says where)"
    kinds = frozenset({
        api.RenderErrorKind.JINJA_SYNTAX, api.RenderErrorKind.JINJA_RUNTIME,
        api.RenderErrorKind.UNDEFINED_VARIABLE, api.RenderErrorKind.YAML,
        api.RenderErrorKind.NOT_A_DICT, api.RenderErrorKind.INVALID_STATE,
        api.RenderErrorKind.UNSAFE_RENDERER, api.RenderErrorKind.UNKNOWN_RENDERER,
        api.RenderErrorKind.SANDBOX, api.RenderErrorKind.LIMIT, api.RenderErrorKind.TOP_FILE,
        api.RenderErrorKind.IO,
    })
