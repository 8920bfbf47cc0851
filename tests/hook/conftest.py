"""Shared set-up for the render cache and pre-commit hook tests."""

from __future__ import annotations

import os

import pytest

SKIP_SLOW_ENV = "SALTSCAN_SKIP_SLOW"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: builds a pre-commit hook environment with pip (network, 1-2 minutes)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``slow`` tests run by default (CI has the time); SALTSCAN_SKIP_SLOW=1 skips them
    in a quick local loop."""
    if os.environ.get(SKIP_SLOW_ENV) != "1":
        return
    skip = pytest.mark.skip(reason=f"slow (pip builds a pre-commit environment, 1-2 min) and {SKIP_SLOW_ENV}=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
