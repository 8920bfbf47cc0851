"""Paths the inventory tests share (a module of its own: every test folder has a conftest)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "fixtures" / "ehr-platform"
LINK_BASE = "../../fixtures/ehr-platform"  # from docs/examples/ to the fixture
