"""``only_files`` (the hook): the findings of the given files are finished on their
own, and come out exactly as in a whole scan filtered afterwards."""

from __future__ import annotations

import shutil
from pathlib import Path

from saltscan.pipeline import ScanOptions
from saltscan.scan import ScanRequest, run_scan

EHR = Path(__file__).resolve().parents[2] / "fixtures" / "ehr-platform"
FILES = ("salt/ehr/code.sls", "pillar/ehr/secrets.sls", "salt/billing/spool.sls", "salt/top.sls")


def test_findings_of_the_given_files_are_those_of_a_whole_scan(tmp_path: Path) -> None:
    root = tmp_path / "ehr"
    shutil.copytree(EHR, root)
    code = root / "salt/ehr/code.sls"
    # A suppression in one of the files, so that finishing them alone is tested with one.
    code.write_text(code.read_text().replace("ehr-code:\n", "# saltscan: disable=all -- reviewed\nehr-code:\n", 1))
    whole = run_scan(ScanRequest(options=ScanOptions(root))).findings
    for files in [FILES[:1], FILES]:
        hook = run_scan(ScanRequest(options=ScanOptions(root), only_files=files)).findings
        assert hook == tuple(f for f in whole if f.location.file in files)
    code_findings = [f for f in whole if f.location.file == FILES[0]]
    assert any(f.suppressed and f.state is not None and f.state.id == "ehr-code" for f in code_findings)
    assert any(f.location.file == "pillar/ehr/secrets.sls" for f in whole)
