"""One scan of fixtures/ehr-platform, its inventory and every output made from it.

Scanning the fixture takes a few seconds, so it is done once per session; the tests
only read the results.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from invkit import FIXTURE, LINK_BASE

from saltscan.inventory import (
    Inventory,
    build_inventory,
    dockerfile_for,
    manifests_for,
    to_json,
    to_markdown,
)
from saltscan.pipeline import ScanOptions
from saltscan.scan import ScanRequest, ScanResult, run_scan


@dataclass(frozen=True)
class Outputs:
    json: str
    markdown_stdout: str
    markdown_linked: str
    dockerfiles: dict[str, str]  # role -> Dockerfile
    manifests: dict[str, dict[str, str]]  # role -> file name -> YAML

    def all_texts(self) -> list[tuple[str, str]]:
        texts = [("json", self.json), ("markdown", self.markdown_stdout), ("markdown-linked", self.markdown_linked)]
        texts += [(f"{role}/Dockerfile", text) for role, text in self.dockerfiles.items()]
        texts += [(f"{role}/{name}", text) for role, files in self.manifests.items() for name, text in files.items()]
        return texts


@pytest.fixture(scope="session")
def scan() -> ScanResult:
    return run_scan(ScanRequest(options=ScanOptions(FIXTURE)))


@pytest.fixture(scope="session")
def inventory(scan: ScanResult) -> Inventory:
    return build_inventory(scan.model, None, scan.findings, root_label="fixtures/ehr-platform")


@pytest.fixture(scope="session")
def outputs(inventory: Inventory) -> Outputs:
    return Outputs(
        json=to_json(inventory),
        markdown_stdout=to_markdown(inventory),
        markdown_linked=to_markdown(inventory, LINK_BASE),
        dockerfiles={r.name: dockerfile_for(inventory, r) for r in inventory.roles},
        manifests={r.name: manifests_for(inventory, r) for r in inventory.roles},
    )


@pytest.fixture(scope="session")
def role(inventory: Inventory):
    def get(name: str):
        found = inventory.role(name)
        assert found is not None, f"no role {name}"
        return found
    return get
