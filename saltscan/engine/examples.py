"""The examples in a rule's docstring: parsed, and rendered through the real pipeline.

A docstring holds sections, each a header line followed by an indented block:

- ``Problematic::`` / ``Correct::``: the SLS of each example (``salt/example.sls``,
  assigned to every minion by ``salt/top.sls``);
- ``Problematic pillar::`` / ``Correct pillar::``, or ``Pillar::`` for both: pillar
  YAML (``pillar/example.sls``, assigned to every minion);
- ``Problematic file PATH::`` / ``Correct file PATH::``, or ``File PATH::`` for both:
  any other file, ``PATH`` relative to the example tree (``salt/app/app.conf``);
- ``Grains::``: grains YAML of the example minion (``example01``).

The problematic example must trigger its rule and the correct one must not
(tests/rules/test_examples.py runs every one).
"""

from __future__ import annotations

import inspect
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from saltscan.engine.rule import EXAMPLE_HEADER_RE

if TYPE_CHECKING:
    from saltscan.engine.rule import Rule
    from saltscan.findings import Finding

EXAMPLE_SLS = "example"
EXAMPLE_MINION = "example01"


@dataclass(frozen=True)
class Example:
    kind: str  # "problematic" | "correct"
    sls: str
    pillar: str | None = None
    files: tuple[tuple[str, str], ...] = ()  # (path relative to the tree, text)
    grains: str | None = None


def parse_sections(doc: str) -> tuple[tuple[str, str | None, str | None, str], ...]:
    """``(head, sub, path, block)`` for every example section of a docstring."""
    lines = inspect.cleandoc(doc or "").splitlines()
    out = []
    i = 0
    while i < len(lines):
        m = EXAMPLE_HEADER_RE.match(lines[i])
        i += 1
        if not m:
            continue
        block: list[str] = []
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith((" ", "\t"))):
            block.append(lines[i])
            i += 1
        text = textwrap.dedent("\n".join(block)).strip("\n") + "\n"
        out.append((m.group("head"), m.group("sub"), m.group("path"), text))
    return tuple(out)


def parse_examples(rule: type["Rule"]) -> tuple[Example, ...]:
    sls: dict[str, str] = {}
    pillar: dict[str, str] = {}
    files: dict[str, list[tuple[str, str]]] = {"problematic": [], "correct": [], "*": []}
    grains: str | None = None
    for head, sub, path, text in parse_sections(rule.__doc__ or ""):
        kind = head.lower() if head in ("Problematic", "Correct") else "*"
        if head == "Grains":
            grains = text
        elif head == "Pillar" or sub == "pillar":
            pillar[kind] = text
        elif head == "File" or sub == "file":
            files[kind].append((path or "", text))
        else:
            sls[kind] = text
    return tuple(
        Example(
            kind=kind,
            sls=sls[kind],
            pillar=pillar.get(kind, pillar.get("*")),
            files=tuple(files["*"] + files[kind]),
            grains=grains,
        )
        for kind in ("problematic", "correct")
        if kind in sls
    )


def write_example(example: Example, root: Path) -> None:
    """Lay the example out as a small Salt tree under ``root``."""
    files: dict[str, str] = {
        "salt/top.sls": f"base:\n  '*':\n    - {EXAMPLE_SLS}\n",
        f"salt/{EXAMPLE_SLS}.sls": example.sls,
    }
    if example.pillar is not None:
        files["pillar/top.sls"] = f"base:\n  '*':\n    - {EXAMPLE_SLS}\n"
        files[f"pillar/{EXAMPLE_SLS}.sls"] = example.pillar
    if example.grains is not None:
        files[f"grains/{EXAMPLE_MINION}.yaml"] = example.grains
    files.update(dict(example.files))
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def run_example(rule: type["Rule"], example: Example, root: Path) -> tuple["Finding", ...]:
    """Render the example through the pipeline and run ``rule`` alone on it."""
    from saltscan.engine.config import Config
    from saltscan.engine.runner import run_rules
    from saltscan.pipeline import ScanOptions, load_model

    write_example(example, root)
    model = load_model(ScanOptions(path=root))
    findings = run_rules(model, None, Config(), rules=(rule,), strict=True)
    return tuple(f for f in findings if f.rule == rule.code)
