"""The progress line: on a terminal only, after a delay, erased at the end, no secret."""

from __future__ import annotations

import io
from pathlib import Path

from saltscan.pipeline import ScanOptions
from saltscan.progress import Progress
from saltscan.scan import ScanRequest, run_scan

EHR = Path(__file__).resolve().parents[2] / "fixtures" / "ehr-platform"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    """A clock that moves one second per reading: every draw is due."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def test_only_a_terminal_gets_a_progress_line() -> None:
    assert Progress.for_stream(io.StringIO()) is None
    assert isinstance(Progress.for_stream(Terminal()), Progress)


def test_a_quick_scan_draws_nothing() -> None:
    out = Terminal()
    progress = Progress(out, clock=lambda: 0.0)  # never half a second in
    progress.stage("rendering minions", 3)
    progress.advance(3)
    progress.close()
    assert out.getvalue() == ""


def test_a_long_scan_shows_stages_and_counts_then_erases_them() -> None:
    out = Terminal()
    progress = Progress(out, clock=Clock())
    result = run_scan(ScanRequest(options=ScanOptions(path=EHR)), progress=progress)
    progress.close()
    shown = out.getvalue()
    lines = [part.strip() for part in shown.split("\r") if part.strip()]
    assert lines[0] == "saltscan: rendering minions [....................] 0/14"
    assert "saltscan: rendering minions [####################] 14/14" in lines
    renders = len(result.model.renders)
    assert lines[-1] == f"saltscan: graphing and checking [####################] {2 * renders}/{2 * renders}"
    assert shown.endswith("\r" + " " * len(lines[-1]) + "\r")  # erased: the report starts on a clean line
    for secret in result.secret_values:
        assert secret not in shown
