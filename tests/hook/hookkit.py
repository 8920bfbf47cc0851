"""A small Salt tree for the hook tests: two roles, a hardcoded IP in each, a plaintext
secret in pillar. Every secret here is fake."""

from __future__ import annotations

import json
import re
from pathlib import Path

SECRET = "Xq7-fake-db-password-91"

FILES = {
    "salt/top.sls": "base:\n  web01:\n    - web\n  db01:\n    - db\n",
    "salt/web/init.sls": (
        "{% from 'web/map.jinja' import web with context %}\n"
        "nginx:\n"
        "  pkg.installed: []\n"
        "web-db-check:\n"
        "  cmd.run:\n"
        "    - name: nc -z 10.20.30.40 {{ web.db_port }}\n"
    ),
    "salt/web/map.jinja": "{% set web = {'db_port': 5432} %}\n",
    "salt/db/init.sls": (
        "postgresql:\n"
        "  pkg.installed: []\n"
        "db-replica-check:\n"
        "  cmd.run:\n"
        "    - name: nc -z 10.20.30.41 5432\n"
    ),
    "pillar/top.sls": "base:\n  '*':\n    - secrets\n",
    "pillar/secrets.sls": f"db:\n  user: ehr\n  password: {SECRET}\n",
}

GRAINS = {
    "web01": {"id": "web01", "os": "Ubuntu", "os_family": "Debian", "kernel": "Linux", "osmajorrelease": 22, "init": "systemd", "role": "web"},
    "db01": {"id": "db01", "os": "Ubuntu", "os_family": "Debian", "kernel": "Linux", "osmajorrelease": 22, "init": "systemd", "role": "db"},
}

# The findings this tree must produce, as (rule, file, line), in text-report order:
# the hardcoded IP (SS401) and the deploy-time wait on another service (SS503).
WEB_FINDINGS = [("SS401", "salt/web/init.sls", 6), ("SS503", "salt/web/init.sls", 6)]
DB_FINDINGS = [("SS401", "salt/db/init.sls", 5), ("SS503", "salt/db/init.sls", 5)]
PILLAR_SECRET = ("SS301", "pillar/secrets.sls", 3)


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Each text at its path under ``root`` (folders made as needed)."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def write_tree(root: Path) -> Path:
    write_files(root, FILES)
    for minion, grains in GRAINS.items():
        path = root / "grains" / f"{minion}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(grains))
    return root


_HEAD = re.compile(r"^(?:critical|high|medium|low|info) (SS\d+) ")
_WHERE = re.compile(r"^\s*--> (\S+):(\d+):\d+")


def text_findings(report: str) -> list[tuple[str, str, int]]:
    """(rule, file, line) of every finding in a text report, in report order."""
    out, rule = [], None
    for line in report.splitlines():
        head = _HEAD.match(line)
        if head:
            rule = head.group(1)
            continue
        where = _WHERE.match(line)
        if where and rule:
            out.append((rule, where.group(1), int(where.group(2))))
            rule = None
    return out
