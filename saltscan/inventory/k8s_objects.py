"""Kubernetes objects as plain dicts (core kinds, batch, apps, external-secrets.io).

Builders only: no inventory logic here, so each shape can be checked against the
Kubernetes schemas on its own.
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

import yaml

from saltscan.inventory.plan import k8s_name

EXTERNAL_SECRETS_API = "external-secrets.io/v1beta1"
SECRET_STORE = {"name": "aws-secrets-manager", "kind": "ClusterSecretStore"}
DRAFT_IMAGE = "registry.example.invalid/{role}:draft"
_CRON_FIELD = re.compile(r"^[0-9*/,\-]+$|^[A-Za-z]{3}(?:-[A-Za-z]{3})?$")


def labels(role: str, component: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": k8s_name(component),
        "app.kubernetes.io/part-of": k8s_name(role),
        "app.kubernetes.io/managed-by": "saltscan-draft",
    }


def selector(role: str, component: str) -> dict[str, str]:
    return {k: v for k, v in labels(role, component).items() if k != "app.kubernetes.io/managed-by"}


def metadata(name: str, role: str, component: str) -> dict[str, Any]:
    return {"name": name, "labels": labels(role, component)}


def container(name: str, image: str, command: Sequence[str] | None = None, *, workdir: str | None = None,
              ports: Sequence[int] = (), env: Sequence[Mapping] = (), mounts: Sequence[Mapping] = ()) -> dict:
    out: dict[str, Any] = {"name": k8s_name(name), "image": image}
    if command:
        out["command"] = list(command)
    if workdir:
        out["workingDir"] = workdir
    if ports:
        out["ports"] = [{"containerPort": p, "protocol": "TCP"} for p in ports]
    if env:
        out["env"] = [dict(e) for e in env]
    if mounts:
        out["volumeMounts"] = [dict(m) for m in mounts]
    return out


def pod_spec(containers: Sequence[dict], volumes: Sequence[Mapping] = (), *, restart: str | None = None,
             run_as: int | None = None) -> dict:
    spec: dict[str, Any] = {}
    if restart:
        spec["restartPolicy"] = restart
    if run_as is not None:
        spec["securityContext"] = {"runAsUser": run_as}
    spec["containers"] = list(containers)
    if volumes:
        spec["volumes"] = [dict(v) for v in volumes]
    return spec


def deployment(name: str, role: str, component: str, replicas: int, pod: dict) -> dict:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": metadata(name, role, component),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": selector(role, component)},
            "template": {"metadata": {"labels": labels(role, component)}, "spec": pod},
        },
    }


def service(name: str, role: str, component: str, port: int) -> dict:
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": metadata(name, role, component),
        "spec": {
            "selector": selector(role, component),
            "ports": [{"name": f"tcp-{port}", "port": port, "targetPort": port, "protocol": "TCP"}],
        },
    }


def config_map(name: str, role: str, data: Mapping[str, str]) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata(name, role, "config"),
            "data": {k: str(v) for k, v in sorted(data.items())}}


def external_secret(name: str, role: str, entries: Sequence[tuple[str, str]]) -> dict:
    """``entries``: (key in the Kubernetes Secret, key in the secrets manager)."""
    return {
        "apiVersion": EXTERNAL_SECRETS_API, "kind": "ExternalSecret",
        "metadata": metadata(name, role, "secrets"),
        "spec": {
            "refreshInterval": "1h",
            "secretStoreRef": dict(SECRET_STORE),
            "target": {"name": name, "creationPolicy": "Owner"},
            "data": [{"secretKey": key, "remoteRef": {"key": remote}} for key, remote in entries],
        },
    }


def cron_schedule(schedule: str) -> tuple[str, bool]:
    """A schedule Kubernetes accepts, and whether it had to be changed (Salt's ``random``)."""
    if schedule.startswith("@"):
        return schedule, False
    fields = schedule.split()
    if len(fields) == 5 and all(_CRON_FIELD.match(f) for f in fields):
        return schedule, False
    fixed = [f if _CRON_FIELD.match(f) else "0" for f in (fields + ["*"] * 5)[:5]]
    return " ".join(fixed), True


def cron_job(name: str, role: str, component: str, schedule: str, pod: dict) -> dict:
    return {
        "apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": metadata(name, role, component),
        "spec": {
            "schedule": schedule,
            "concurrencyPolicy": "Forbid",
            "jobTemplate": {"spec": {"template": {"metadata": {"labels": labels(role, component)}, "spec": pod}}},
        },
    }


def job(name: str, role: str, component: str, pod: dict) -> dict:
    return {
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": metadata(name, role, component),
        "spec": {"backoffLimit": 1,
                 "template": {"metadata": {"labels": labels(role, component)}, "spec": pod}},
    }


def pvc(name: str, role: str, component: str, shared: bool, size: str = "10Gi") -> dict:
    return {
        "apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": metadata(name, role, component),
        "spec": {
            "accessModes": ["ReadWriteMany" if shared else "ReadWriteOnce"],
            "resources": {"requests": {"storage": size}},
        },
    }


def kustomization(resources: Sequence[str]) -> dict:
    return {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
            "resources": list(resources)}


def document(obj: Mapping, comments: Sequence[str]) -> str:
    """YAML text with ``comments`` as a leading comment block."""
    head = "".join(f"# {line}".rstrip() + "\n" for c in comments for line in (c.splitlines() or [""]))
    body = yaml.safe_dump(dict(obj), sort_keys=False, default_flow_style=False, width=4096, allow_unicode=True)
    return head + body
