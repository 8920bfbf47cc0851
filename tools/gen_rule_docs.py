#!/usr/bin/env python3
"""Write docs/rules/<code>.md, docs/rules/README.md and docs/schemas/config.schema.json
from the built-in rules' metadata.

    python tools/gen_rule_docs.py          # write the files
    python tools/gen_rule_docs.py --check  # exit 1 and list the files that are out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from saltscan.engine.docs import generated_files  # noqa: E402
from saltscan.engine.registry import builtin_rules  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args(argv)
    files = generated_files(builtin_rules())
    stale = []
    for rel, text in sorted(files.items()):
        path = ROOT / rel
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != text:
            stale.append(rel)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    # Pages of rules that no longer exist.
    expected = {ROOT / rel for rel in files}
    for page in sorted((ROOT / "docs/rules").glob("SS*.md")):
        if page not in expected:
            stale.append(page.relative_to(ROOT).as_posix())
            if not args.check:
                page.unlink()
    for rel in stale:
        print(("stale: " if args.check else "wrote: ") + rel)
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
