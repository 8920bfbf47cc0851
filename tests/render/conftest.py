"""Small Salt trees written by the tests themselves, rendered through the real pipeline."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from saltscan.pipeline import ScanOptions, load_model


class TreeKit:
    def __init__(self, root: Path):
        self.root = root

    def write(self, files: dict[str, str]) -> "TreeKit":
        for rel, text in files.items():
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"))
        return self

    def grains(self, minion: str, **grains) -> "TreeKit":
        base = {"id": minion, "os": "Debian", "os_family": "Debian", "kernel": "Linux", "osmajorrelease": 12, "init": "systemd"}
        base.update(grains)
        path = self.root / "grains" / f"{minion}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(base))
        return self

    def model(self, **kwargs):
        return load_model(ScanOptions(path=self.root, **kwargs))

    def render(self, minion: str | None = None, **kwargs):
        model = self.model(**kwargs)
        renders = [r for r in model.renders if not r.untargeted and (minion is None or r.minion.id == minion)]
        assert renders, f"no render for {minion}"
        return renders[0]


@pytest.fixture
def tree(tmp_path: Path) -> TreeKit:
    return TreeKit(tmp_path)
