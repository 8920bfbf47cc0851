"""Regressions from docs/corpus-review.md, pattern 12: noise, not wrong findings.

SS805 does not restate what SS803 reports; SS902 names the state it is in.
"""

from __future__ import annotations

from dataclasses import replace

from rulekit import brief, model, render, run

from saltscan.engine.config import Config
from saltscan.engine.runner import run_rules
from saltscan.model import RenderError, RenderErrorKind, SlsFile, SourceLocation
from saltscan.rules.missing_requisite import MissingRequisite
from saltscan.rules.unquoted_file_mode import UnquotedFileMode


def _run_all(m, rules):
    return run_rules(m, None, Config(), rules=rules, strict=True)


# -- pattern 12: SS805 does not restate SS803; SS902 names its state ---------------

def test_pattern12_ss805_leaves_requisites_on_a_missing_include_to_ss803(tmp_path):
    sls = """\
packages pips install attrs:
  pip.installed:
    - name: attrs
    - require:
      - sls: epel
      - pkg: python3-pip
"""
    errors = [RenderError(RenderErrorKind.MISSING_INCLUDE,
                          "Specified SLS epel in saltenv base is not available on the salt master "
                          "or through a configured fileserver",
                          SourceLocation("salt/packages/pips.sls", 19), sls="epel")]
    r = render(tmp_path, {"salt/packages/pips.sls": sls}, errors=errors)
    assert brief(run(MissingRequisite, model(tmp_path, [r]))) == [
        ("salt/packages/pips.sls", 6, "packages pips install attrs",
         "pip.installed packages pips install attrs has a require on pkg: python3-pip, "
         "which is not in the highstate"),
    ]


def test_pattern12_ss805_reports_the_sls_requisite_when_no_include_failed(tmp_path):
    sls = "attrs:\n  pip.installed:\n    - require:\n      - sls: epel\n"
    r = render(tmp_path, {"salt/packages/pips.sls": sls})
    assert [f.message for f in run(MissingRequisite, model(tmp_path, [r]))] == [
        "pip.installed attrs has a require on sls: epel, which is not in the highstate"]


def test_pattern12_ss902_names_the_enclosing_state(tmp_path):
    original = ("haproxy.config:\n  file.managed:\n    - name: /etc/haproxy/haproxy.cfg\n    - mode: 644\n"
                "{{ name }}-dir:\n  file.directory:\n    - name: /srv/x\n    - mode: 755\n"
                "{{ loop }}-file:\n  file.managed:\n    - name: /srv/y\n    - mode: 600\n")
    rendered = (original.replace("{{ name }}-dir", "haproxy-dir")
                .replace("{{ loop }}-file", "haproxy-a")
                + "haproxy-b:\n  file.managed:\n    - name: /srv/z\n")
    r = render(tmp_path, {"salt/haproxy/config.sls": rendered})
    # a loop renders haproxy-a and haproxy-b from the same ID line 9
    states = tuple(replace(st, location=replace(st.location, line=9)) if st.id == "haproxy-b" else st
                   for st in r.states)
    r = replace(r, states=states)
    (tmp_path / "salt/haproxy/config.sls").write_text(original)
    m = model(tmp_path, [r])
    m = replace(m, tree=replace(m.tree, sls_files=(
        SlsFile("haproxy.config", "base", "salt/haproxy/config.sls", "jinja|yaml"),)))
    found = _run_all(m, [UnquotedFileMode])
    assert [(f.location.line, f.state.id if f.state else None, f.state.function if f.state else None)
            for f in found] == [
        (4, "haproxy.config", "file.managed"),
        (8, "haproxy-dir", "file.directory"),
        (12, None, None),
    ]
    assert found[0].state.sls == "haproxy.config"
