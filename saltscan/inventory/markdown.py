"""``to_markdown``: the inventory as the audit document a migration team reads.

A summary table of roles, then per role: blockers, services, env vars, secrets,
packages, files, ports, endpoints, volumes, cron jobs, users and groups, commands;
each item links to its source line. It closes with what must move into container env
or ConfigMaps and what into a secrets manager. Secret values never appear: secrets
are named by pillar key path.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable

from saltscan import __version__
from saltscan.inventory.mdtext import Links, cell, code, codes, minions_note, table
from saltscan.inventory.model import Blocker, Inventory, RoleInventory
from saltscan.inventory.plan import Plan, inventory_plan

TOP_BLOCKERS = 3


def top_blockers(blockers: tuple[Blocker, ...], limit: int = TOP_BLOCKERS) -> list[tuple[str, str, int]]:
    """(rule, name, count) of the worst rules: highest severity first, then most frequent."""
    counts = Counter((b.rule, b.name) for b in blockers)
    worst = {}
    for b in blockers:
        worst[(b.rule, b.name)] = max(worst.get((b.rule, b.name), 0), b.severity_rank)
    ranked = sorted(counts, key=lambda k: (-worst[k], -counts[k], k))
    return [(rule, name, counts[(rule, name)]) for rule, name in ranked[:limit]]


def _severity_counts(blockers: tuple[Blocker, ...]) -> str:
    counts = Counter(b.severity for b in blockers)
    order = ("critical", "high", "medium", "low", "info")
    return ", ".join(f"{counts[s]} {s}" for s in order if counts[s])


def _summary(inventory: Inventory) -> list[str]:
    rows = []
    for r in inventory.roles:
        long_running = sum(1 for s in r.services if s.long_running and not s.host_agent)
        secret_env = sum(1 for e in r.env_vars if e.secret)
        top = "; ".join(f"{rule} {name} ({n})" for rule, name, n in top_blockers(r.blockers))
        rows.append([
            f"[{cell(r.name)}](#role-{_anchor(r.name)})", cell(", ".join(r.minions)),
            cell(", ".join(o.label for o in r.os)), len(r.packages),
            f"{len(r.services)} ({long_running})", f"{len({e.name for e in r.env_vars})} ({secret_env})",
            len(r.secrets), len(r.files), len(r.ports), len(r.endpoints), len(r.volumes), len(r.cron),
            f"{len(r.blockers)}" + (f" ({_severity_counts(r.blockers)})" if r.blockers else ""), cell(top),
        ])
    header = ["role", "minions", "OS", "packages", "services (app, long-running)", "env vars (secret settings)",
              "secrets", "files", "listening ports", "endpoints", "volumes", "cron jobs", "blockers", "top blockers"]
    return ["## Summary", "", *table(header, rows)]


def _anchor(name: str) -> str:
    return "".join(c if c.isalnum() or c == "-" else "" for c in name.lower().replace(" ", "-"))


class RoleSection:
    def __init__(self, role: RoleInventory, link: Links) -> None:
        self.role = role
        self.link = link

    def note(self, minions: tuple[str, ...]) -> str:
        return minions_note(minions, self.role.minions)

    def render(self) -> list[str]:
        r = self.role
        source = {"top": "top file assignment", "minion": "one minion",
                  "untargeted": "SLS files no top file reaches, rendered standalone"}.get(r.role_source,
                                                                                         f"`{r.role_source}`")
        primary = r.primary_os
        os_text = "; ".join(f"{o.label} on {', '.join(o.minions)} (image `{o.base_image}`"
                            + (", the drafts' base)" if o == primary and len(r.os) > 1 else ")") for o in r.os)
        out = [f"## Role `{r.name}`", "", f"<a id=\"role-{_anchor(r.name)}\"></a>", "",
               f"- Minions: {', '.join(r.minions)} (from {source})", f"- OS: {os_text}",
               f"- SLS applied: {codes(r.sls, limit=40)}", ""]
        sections: list[tuple[str, Callable[[], list[str]]]] = [
            ("Environment variables", self.env_vars), ("Secrets", self.secrets), ("Packages", self.packages),
            ("Services", self.services), ("Managed files and templates", self.files),
            ("Listening ports", self.ports), ("Endpoints", self.endpoints),
            ("Mounts and data directories (future volumes)", self.volumes), ("Cron jobs", self.cron),
            ("Users and groups", self.users), ("Commands", self.commands), ("Blockers", self.blockers),
        ]
        for title, fn in sections:
            out += [f"### {title}", "", *fn()]
        return out

    def blockers(self) -> list[str]:
        by_category = Counter(b.category for b in self.role.blockers)
        intro = []
        if by_category:
            intro = [f"{len(self.role.blockers)} findings: "
                     + ", ".join(f"{n} {c}" for c, n in sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0])))
                     + ". Worst first.", ""]
        rows = [[b.severity, f"{b.rule} {b.name}", b.category, self.link(b.location),
                 code(b.state_id or b.pillar_key or ""), cell(b.message) + self.note(b.minions)]
                for b in sorted(self.role.blockers, key=lambda b: (-b.severity_rank, b.location, b.rule))]
        return intro + table(["severity", "rule", "category", "where", "state / key", "what"], rows)

    def services(self) -> list[str]:
        rows = []
        for s in self.role.services:
            kind = "host agent" if s.host_agent else ("application" if s.long_running else "not running")
            rows.append([code(s.name) + self.note(s.minions), kind, "yes" if s.long_running else "no",
                         code(s.command or ""), ", ".join(map(str, s.ports)), codes(s.restarted_by),
                         f"{code(s.state_id)} {self.link(s.location)}"])
        return table(["service", "kind", "long-running", "command (unit ExecStart)", "ports", "restarted on change of",
                      "state"], rows)

    def env_vars(self) -> list[str]:
        rows = []
        for e in self.role.env_vars:
            where = e.via.value + (f" {code(e.target)}" if e.target else "")
            source = e.source.value + (f": {codes(e.pillar_keys)}" if e.pillar_keys else "")
            secret = ("yes: " + codes(e.secret_keys)) if e.secret_keys else ("yes (literal)" if e.secret else "no")
            rows.append([code(e.name) + self.note(e.minions), where, source, secret,
                         f"{code(e.state_id)} {self.link(e.location)}"])
        return table(["name", "set in", "value source", "secret", "source"], rows)

    def secrets(self) -> list[str]:
        rows = []
        for s in self.role.secrets:
            flows = "; ".join(f"{f.kind} {code(f.target)} {self.link(f.location)}" for f in s.flows[:6])
            if len(s.flows) > 6:
                flows += f"; +{len(s.flows) - 6} more"
            rows.append([code(s.key_path) + self.note(s.minions), s.storage, flows or "not used by any state",
                         self.link(s.location)])
        return table(["pillar key", "storage", "flows to", "defined at"], rows)

    def packages(self) -> list[str]:
        rows = [[code(p.name) + self.note(p.minions), ", ".join(p.os), code(p.version or ""),
                 f"{code(p.state_id)} {self.link(p.location)}"] for p in self.role.packages]
        return table(["package", "OS", "version", "state"], rows)

    def files(self) -> list[str]:
        rows = []
        for f in self.role.files:
            template = (f"{f.template} {self.link(f.template_location)}" if f.template_location
                        else code(f.source or ""))
            rows.append([code(f.path) + self.note(f.minions), f.purpose.value, template, codes(f.pillar_keys),
                         codes(f.secret_keys), f"{code(f.state_id)} {self.link(f.location)}"])
        return table(["path", "purpose", "template / source", "pillar keys read", "secrets in it", "state"], rows)

    def ports(self) -> list[str]:
        rows = [[str(p.number) + self.note(p.minions), codes(p.services), self.link.many(u.location for u in p.uses)]
                for p in self.role.ports]
        return table(["port", "services", "found at"], rows)

    def endpoints(self) -> list[str]:
        rows = [[code(e.host) + self.note(e.minions), ", ".join(map(str, e.ports)), ", ".join(e.schemes),
                 ", ".join(e.origins), codes(e.pillar_keys), self.link.many(u.location for u in e.uses)]
                for e in self.role.endpoints]
        return table(["host", "ports", "scheme", "comes from", "pillar keys", "used at"], rows)

    def volumes(self) -> list[str]:
        rows = [[code(v.path) + self.note(v.minions), v.kind.value,
                 code(f"{v.device} ({v.fstype})" if v.device else (v.owner or "")), codes(v.subpaths),
                 f"{code(v.state_id)} {self.link(v.location)}"] for v in self.role.volumes]
        return table(["path", "kind", "device / owner", "also managed under it", "state"], rows)

    def cron(self) -> list[str]:
        rows = [[code(c.identifier) + self.note(c.minions), c.user, code(c.schedule), code(c.command),
                 codes(c.secret_keys), self.link(c.location)] for c in self.role.cron]
        return table(["job", "user", "schedule", "command (secrets masked)", "secrets", "source"], rows)

    def users(self) -> list[str]:
        rows = [[f"user {code(u.name)}" + self.note(u.minions), str(u.uid or ""), code(u.home or ""),
                 "system" if u.system else "", self.link(u.location)] for u in self.role.users]
        rows += [[f"group {code(g.name)}" + self.note(g.minions), str(g.gid or ""), "", "system" if g.system else "",
                  self.link(g.location)] for g in self.role.groups]
        return table(["account", "uid / gid", "home", "", "source"], rows)

    def commands(self) -> list[str]:
        rows = [[c.phase.value, code(c.state_id) + self.note(c.minions), code(c.command), code(c.runas or ""),
                 self.link(c.location)] for c in sorted(self.role.commands, key=lambda c: (c.phase.value, c.location))]
        return table(["phase", "state", "command (secrets masked)", "runs as", "source"], rows)


def _closing(plan: Plan) -> list[str]:
    config_rows = [[item.kind, code(item.name), cell(item.detail), cell(", ".join(item.roles))] for item in plan.config]
    secret_rows = [[item.kind, code(item.name), item.storage, codes(item.manager_keys, limit=3), cell(", ".join(item.roles))]
                   for item in plan.secrets]
    return [
        "## What to externalize", "",
        "### Into container environment and ConfigMaps", "",
        "Non-secret settings, the endpoints of other systems, and configuration files: each becomes an "
        "environment variable or a ConfigMap entry set per environment, not a value baked into the image.", "",
        *table(["kind", "name", "value from", "roles"], config_rows),
        "### Into a secrets manager", "",
        "Every pillar secret (the plaintext ones are in the repository today: rotate them when they "
        "move), env vars whose value is built around a secret, and secrets written in clear in states. "
        "The key is a suggested path in the secrets manager; the draft manifests reference it through "
        "an ExternalSecret.", "",
        *table(["kind", "name", "storage today", "secrets-manager key", "roles"], secret_rows),
    ]


def to_markdown(inventory: Inventory, link_base: str | None = None) -> str:
    """The document. ``link_base``: path from the document's folder to the scanned root
    (links become relative markdown links); None for plain ``file:line`` (stdout)."""
    link = Links(link_base)
    minions = sum(len(r.minions) for r in inventory.roles)
    out = [
        f"# Containerization inventory: `{inventory.root}`", "",
        f"Generated by saltscan {__version__} from the Salt states, pillar and grains of `{inventory.root}`: "
        f"{len(inventory.roles)} roles on {minions} minions (roles from the grain(s) "
        f"{', '.join(code(g) for g in inventory.role_grains)}, else from the top file). "
        "Secret values are never shown; secrets are named by their pillar key path.", "",
        *_summary(inventory),
    ]
    for role in inventory.roles:
        out += RoleSection(role, link).render()
    if inventory.untargeted_sls:
        out += ["## SLS no top file reaches", "",
                "Run by hand (runbooks) or dead: decide whether each becomes a Job or goes away.", "",
                *[f"- {code(s)}" for s in inventory.untargeted_sls], ""]
    if inventory.unassigned_blockers:
        out += ["## Blockers outside any role", ""]
        rows = [[b.severity, f"{b.rule} {b.name}", b.category, link(b.location), cell(b.message)]
                for b in inventory.unassigned_blockers]
        out += table(["severity", "rule", "category", "where", "what"], rows)
    out += _closing(inventory_plan(inventory))
    return "\n".join(out).rstrip() + "\n"


__all__ = ["to_markdown", "top_blockers"]
