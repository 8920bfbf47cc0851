"""JSON and markdown outputs; no secret value anywhere; same input, same bytes."""

from __future__ import annotations

import json
import re

import pytest

from saltscan.inventory import build_inventory, select, to_json, to_markdown


def secret_needles(model) -> list[str]:
    """Every secret value of the model, and each line of a multi-line one (the way a
    value can show up once re-indented in a template)."""
    needles = set()
    for render in model.renders:
        for pv in render.pillar_values:
            if not pv.secret or isinstance(pv.value, bool) or not isinstance(pv.value, (str, int)):
                continue
            text = str(pv.value)
            needles.add(text.strip())
            needles.update(line.strip() for line in text.splitlines() if len(line.strip()) >= 12
                           and not line.strip().startswith("-----"))  # PEM/PGP armour lines are not secret
    return sorted(n for n in needles if len(n) >= 6)


def test_the_fixture_has_secrets_to_look_for(scan):
    needles = secret_needles(scan.model)
    assert "Ehr-prod-FAKE-pw-2019" in needles and "r3dis-FAKE-8c1f0e9a77b2" in needles
    assert len(needles) > 30


def test_no_secret_value_in_any_output(scan, outputs):
    needles = secret_needles(scan.model)
    # plus a key written in clear in a state (salt/monitoring/agent.sls:32), not in pillar
    needles.append("4b7e9c2d1f8a4e6b9d3c5a7f0e2b8d41")
    leaks = [(where, n) for where, text in outputs.all_texts() for n in needles if n in text]
    assert leaks == []
    # and the masked forms are really there: the drafts did meet the secrets
    assert "PGPASSWORD='****'" in outputs.manifests["scheduler"]["cronjob-scheduler-cron-ehr-cron-pg-dump.yaml"]


def test_json_document(outputs):
    data = json.loads(outputs.json)
    assert data["schema_version"] == 1 and data["tool"]["name"] == "saltscan"
    assert data["role_grains"] == ["roles", "role"]
    assert [r["name"] for r in data["roles"]] == [
        "app", "billing", "cache", "db", "media", "monitoring", "scheduler", "search", "web", "worker"]
    worker = next(r for r in data["roles"] if r["name"] == "worker")
    assert worker["primary_os"] == "Ubuntu 22.04" and worker["counts"]["cron"] == 0
    broker = next(e for e in worker["env_vars"] if e["name"] == "CELERY_BROKER_URL")
    assert broker == {
        "name": "CELERY_BROKER_URL", "via": "environ.setenv", "state_id": "celery-broker-url",
        "location": {"file": "salt/ehr/worker.sls", "line": 11}, "source": "pillar", "secret": True,
        "target": None, "pillar_keys": ["ehr:redis:password"], "secret_keys": ["ehr:redis:password"],
        "whole_secret": None, "value": None, "minions": ["worker01", "worker02"],
    }
    secrets = {s["name"]: s for s in data["externalize"]["secrets"]}
    assert secrets["ehr:db:password"]["manager_keys"] == ["ehr/db/password"]
    assert secrets["DATABASE_URL"]["kind"] == "env"
    config = {(c["kind"], c["name"]) for c in data["externalize"]["config"]}
    assert ("env", "AWS_DEFAULT_REGION") in config and ("endpoint", "cache01.ehr.internal") in config


def test_same_input_same_bytes(scan, inventory, outputs):
    again = build_inventory(scan.model, None, tuple(reversed(scan.findings)), root_label="fixtures/ehr-platform")
    assert again == inventory
    assert to_json(again) == outputs.json
    assert to_markdown(again) == outputs.markdown_stdout


def test_markdown_summary_and_sections(outputs):
    md = outputs.markdown_stdout
    assert md.startswith("# Containerization inventory: `fixtures/ehr-platform`\n")
    summary = md.split("## Summary", 1)[1].split("## Role", 1)[0]
    rows = [line for line in summary.splitlines() if line.startswith("| [")]
    assert [re.match(r"\| \[(\w+)\]", r).group(1) for r in rows] == [
        "app", "billing", "cache", "db", "media", "monitoring", "scheduler", "search", "web", "worker"]
    app_row = rows[0]
    assert "| app01, app02 | Ubuntu 22.04 |" in app_row and "SS301 pillar-plaintext-secret" in app_row
    app = md.split("## Role `app`", 1)[1].split("## Role `billing`", 1)[0]
    for section in ("Blockers", "Services", "Environment variables", "Secrets", "Packages",
                    "Managed files and templates", "Listening ports", "Endpoints",
                    "Mounts and data directories (future volumes)", "Cron jobs", "Users and groups", "Commands"):
        assert f"\n### {section}\n" in app
    assert "| `SECRET_KEY` | env file `/etc/ehr/ehr.env` | pillar: `ehr:secret_key` | yes: `ehr:secret_key` |" in app
    assert md.index("## What to externalize") > md.index("## Role `worker`")
    assert "### Into a secrets manager" in md and "| pillar | `ehr:db:password` | plaintext | `ehr/db/password` |" in md


def test_markdown_links_relative_to_the_document(outputs):
    linked = outputs.markdown_linked
    assert "[salt/ehr/app.sls:43](../../fixtures/ehr-platform/salt/ehr/app.sls#L43)" in linked
    assert "[pillar/ehr/db.sls:8](../../fixtures/ehr-platform/pillar/ehr/db.sls#L8)" in linked
    plain = outputs.markdown_stdout
    assert "`salt/ehr/app.sls:43`" in plain and "](../" not in plain and ".sls#L" not in plain


def test_select_one_role(inventory):
    web = select(inventory, "web")
    assert [r.name for r in web.roles] == ["web"] and web.unassigned_blockers == ()
    with pytest.raises(KeyError):
        select(inventory, "nope")
