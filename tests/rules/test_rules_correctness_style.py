"""correctness (SS801-SS806) and style (SS901, SS902) rules."""

from __future__ import annotations

from rulekit import brief, model, render, run

from saltscan.engine.config import Config, parse_config
from saltscan.engine.runner import run_rules
from saltscan.model import RenderError, RenderErrorKind, SourceLocation
from saltscan.rules.duplicate_id import DuplicateId
from saltscan.rules.missing_include import MissingInclude
from saltscan.rules.missing_requisite import MissingRequisite
from saltscan.rules.missing_source import MissingSource
from saltscan.rules.render_error import RenderFailure
from saltscan.rules.undefined_pillar import UndefinedPillar

SENTRY = """\
include:
  - ehr.config

ehr-sentry-config:
  file.managed:
    - name: /etc/ehr/sentry.ini
    - contents: |
        dsn = {{ pillar['ehr']['sentry_dsn'] }}
"""
SERVER = "include:\n  - monitoring.alertmanager\n\nnode-exporter:\n  pkg.installed: []\n"


def test_render_errors_become_findings_on_the_state_they_sit_in(tmp_path):
    errors = [
        RenderError(RenderErrorKind.UNDEFINED_PILLAR, "undefined pillar key ehr:sentry_dsn",
                    SourceLocation("salt/ehr/sentry.sls", 8), sls="ehr.sentry", pillar_key="ehr:sentry_dsn"),
        RenderError(RenderErrorKind.MISSING_INCLUDE, "SLS monitoring.alertmanager is not available",
                    SourceLocation("salt/monitoring/server.sls", 2), sls="monitoring.server"),
        RenderError(RenderErrorKind.DUPLICATE_ID, "ID node-exporter also in monitoring.agent",
                    SourceLocation("salt/monitoring/server.sls", 4), sls="monitoring.server"),
        RenderError(RenderErrorKind.JINJA_SYNTAX, "unexpected '}'", SourceLocation("salt/x.sls", 1), sls="x"),
    ]
    r = render(tmp_path, {"salt/a.sls": "x:\n  test.nop: []\n"}, errors=errors,
               extra_files={"salt/ehr/sentry.sls": SENTRY, "salt/monitoring/server.sls": SERVER,
                            "salt/x.sls": "{{ x }\n"})
    m = model(tmp_path, [r])
    found = run_rules(m, None, Config(), rules=[UndefinedPillar, MissingInclude, DuplicateId, RenderFailure],
                      strict=True)
    assert [(f.rule, f.location.file, f.location.line, f.state.id if f.state else None,
             f.state.function if f.state else None, f.pillar_key, f.minions) for f in found] == [
        ("SS802", "salt/ehr/sentry.sls", 8, "ehr-sentry-config", "file.managed", "ehr:sentry_dsn", ("app01",)),
        ("SS803", "salt/monitoring/server.sls", 2, None, None, None, ("app01",)),
        ("SS806", "salt/monitoring/server.sls", 4, "node-exporter", "pkg.installed", None, ("app01",)),
        ("SS801", "salt/x.sls", 1, None, None, None, ("app01",)),
    ]
    assert found[0].message == ("pillar key ehr:sentry_dsn is not defined for this minion: "
                                "Salt fails rendering this file")


def test_missing_requisite_from_the_graph(tmp_path):
    sls = "ehr-venv:\n  virtualenv.managed:\n    - name: /opt/ehr/venv\n    - require:\n      - pkg: ehr-python-deps\n"
    r = render(tmp_path, {"salt/ehr/code.sls": sls})
    assert brief(run(MissingRequisite, model(tmp_path, [r]))) == [
        ("salt/ehr/code.sls", 5, "ehr-venv",
         "virtualenv.managed ehr-venv has a require on pkg: ehr-python-deps, which is not in the highstate"),
    ]


def test_missing_salt_sources(tmp_path):
    sls = ("page:\n  file.managed:\n    - name: /opt/ehr/index.html\n    - source: salt://ehr/files/missing.html\n"
           "ok:\n  file.managed:\n    - name: /opt/ehr/ok.html\n    - source: salt://ehr/files/ok.html\n"
           "fallback:\n  file.managed:\n    - name: /opt/ehr/f.html\n    - source:\n"
           "      - salt://ehr/files/missing.html\n      - salt://ehr/files/ok.html\n"
           "tree:\n  file.recurse:\n    - name: /opt/ehr/static\n    - source: salt://ehr/files\n"
           "remote:\n  file.managed:\n    - name: /opt/x\n    - source: https://example.com/x\n")
    r = render(tmp_path, {"salt/ehr/web.sls": sls}, extra_files={"salt/ehr/files/ok.html": "ok\n"})
    assert brief(run(MissingSource, model(tmp_path, [r]))) == [
        ("salt/ehr/web.sls", 4, "page",
         "source salt://ehr/files/missing.html of file.managed page is not in the state roots"),
    ]


def test_style_rules_and_noqa(tmp_path):
    sls = ("reindex:\n  cmd.wait:\n    - name: /opt/ehr/bin/reindex\n"
           "/etc/ehr/a.ini:\n  file.managed:\n    - mode: 0644\n"
           "/etc/ehr/b.ini:\n  file.managed:\n    - mode: 644  # noqa: 207\n"
           "/etc/ehr/c.ini:\n  file.managed:\n    - mode: '0644'\n")
    r = render(tmp_path, {"salt/ehr/files.sls": sls})
    m = model(tmp_path, [r])
    from saltscan.model import SlsFile
    from dataclasses import replace

    m = replace(m, tree=replace(m.tree, sls_files=(SlsFile("ehr.files", "base", "salt/ehr/files.sls", "jinja|yaml"),)))
    found = run_rules(m, None, parse_config({"disable": ["all"], "enable": ["style"]}), strict=True)
    assert [(f.rule, f.location.line, f.location.column, f.message, f.suppressed) for f in found] == [
        ("SS901", 2, 1, "reindex uses cmd.wait", False),
        ("SS902", 6, 13, "mode 0644 is not quoted", False),
        ("SS902", 9, 13, "mode 644 is not quoted", True),
    ]
    assert found[2].suppression_reason == "noqa: 207 at line 9"
