"""Draft Dockerfiles and Kubernetes manifests: they parse, validate, and say what they skip."""

from __future__ import annotations

import io
import json
import re

import kubernetes_validate
import pytest
import yaml
from dockerfile_parse import DockerfileParser

from saltscan.inventory import emit_dockerfiles, emit_kubernetes
from saltscan.inventory.drafts import todo
from saltscan.inventory.plan import k8s_name

K8S_VERSION = "1.30.0"
CORE_KINDS = {"Deployment", "Service", "ConfigMap", "CronJob", "Job", "PersistentVolumeClaim"}
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def parse_dockerfile(text: str) -> DockerfileParser:
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")))
    assert parser.structure, "empty Dockerfile"
    return parser


def instructions(parser: DockerfileParser, name: str) -> list[str]:
    return [i["value"] for i in parser.structure if i["instruction"] == name]


@pytest.mark.parametrize("name, image", [("app", "ubuntu:22.04"), ("db", "rockylinux:9"), ("billing", "rockylinux:8")])
def test_dockerfiles_parse_with_the_os_base_image(outputs, name, image):
    parser = parse_dockerfile(outputs.dockerfiles[name])
    assert parser.baseimage == image


def test_every_dockerfile_parses(outputs):
    for name, text in outputs.dockerfiles.items():
        parser = parse_dockerfile(text)
        assert len(instructions(parser, "FROM")) == 1, name
        assert len(instructions(parser, "CMD")) == 1, name


def test_app_dockerfile(outputs):
    text = outputs.dockerfiles["app"]
    parser = parse_dockerfile(text)
    run = instructions(parser, "RUN")
    packages = next(r for r in run if "apt-get install" in r)
    assert "nginx" in packages and "libpq-dev" in packages and "python3.10-venv" in packages
    assert "chrony" not in packages.split() and "datadog-agent" not in packages  # host agents
    assert any(r.startswith("groupadd --gid 3100 ehr") and "useradd --uid 3100 --gid 3100" in r for r in run)
    assert "jmercer" not in " ".join(run)  # ops login accounts are not created
    assert "files/etc/ehr/settings.ini /etc/ehr/settings.ini" in instructions(parser, "COPY")
    assert not any("ehr.env" in c or "id_rsa" in c for c in instructions(parser, "COPY"))
    env = parser.envs
    assert env["AWS_DEFAULT_REGION"] == "us-east-2" and env["DJANGO_SETTINGS_MODULE"] == "ehr.settings.production"
    assert not {"DATABASE_URL", "SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "FHIR_CLIENT_SECRET"} & set(env)
    assert instructions(parser, "USER") == ["ehr"] and instructions(parser, "WORKDIR") == ["/opt/ehr/app"]
    assert instructions(parser, "EXPOSE") == ["8000"]
    cmd = json.loads(instructions(parser, "CMD")[0])
    assert cmd[:2] == ["/opt/ehr/venv/bin/gunicorn", "ehr.wsgi:application"]
    assert "# COPY from salt" not in text and "# ehr-settings (salt/ehr/config.sls:29): salt://ehr/templates/settings.ini.j2" in text
    assert "#   nginx (salt/ehr/web.sls:43): CMD [\"nginx\", \"-g\", \"daemon off;\"]" in text


def test_dockerfiles_carry_every_blocker_as_a_todo(inventory, outputs):
    for role in inventory.roles:
        text = outputs.dockerfiles[role.name]
        missing = [todo(b) for b in role.blockers if f"# {todo(b)}" not in text]
        assert missing == [], role.name
    assert "# TODO SS601 restart-on-change (medium) salt/ehr/app.sls:43 [ehr-gunicorn]:" in outputs.dockerfiles["app"]


def test_mixed_os_role_follows_its_main_os(outputs):
    db = outputs.dockerfiles["db"]
    parser = parse_dockerfile(db)
    install = next(r for r in instructions(parser, "RUN") if "dnf install" in r)
    assert "postgresql15-server" in install and "postgresql-15 " not in install
    assert "# TODO: Ubuntu 22.04 on db02; these drafts follow Rocky 9 (db01)" in db
    assert "# Consider the official image postgres" in db


def documents(manifests: dict[str, str]):
    for name, text in manifests.items():
        docs = list(yaml.safe_load_all(text))
        assert len(docs) == 1, name
        yield name, docs[0]


def test_core_manifests_validate_against_the_kubernetes_schemas(outputs):
    kinds = set()
    for role, manifests in outputs.manifests.items():
        for name, doc in documents(manifests):
            kinds.add(doc["kind"])
            if doc["kind"] in CORE_KINDS:
                kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
            assert name.endswith(".yaml") and name.islower(), name
    assert CORE_KINDS | {"ExternalSecret", "Kustomization"} == kinds


def test_external_secrets_have_the_operator_structure(outputs):
    seen = 0
    for manifests in outputs.manifests.values():
        for _, doc in documents(manifests):
            if doc["kind"] != "ExternalSecret":
                continue
            seen += 1
            assert doc["apiVersion"] == "external-secrets.io/v1beta1"
            assert DNS_LABEL.match(doc["metadata"]["name"])
            spec = doc["spec"]
            assert set(spec) == {"refreshInterval", "secretStoreRef", "target", "data"}
            assert spec["secretStoreRef"] == {"name": "aws-secrets-manager", "kind": "ClusterSecretStore"}
            assert spec["target"] == {"name": doc["metadata"]["name"], "creationPolicy": "Owner"}
            assert spec["data"] and all(set(d) == {"secretKey", "remoteRef"} and set(d["remoteRef"]) == {"key"}
                                        for d in spec["data"])
    assert seen > 20


def test_manifests_of_the_app_role(outputs):
    app = dict(documents(outputs.manifests["app"]))
    assert {n for n in app if n.startswith("deployment-")} == {
        "deployment-app-ehr-celerybeat.yaml", "deployment-app-ehr-gunicorn.yaml", "deployment-app-nginx.yaml"}
    assert {n for n in app if n.startswith("service-")} == {
        "service-app-nginx-80.yaml", "service-app-nginx-443.yaml", "service-app-ehr-gunicorn-8000.yaml"}
    assert {n for n in app if n.startswith("job-")} == {
        "job-app-ehr-deploy-notify.yaml", "job-app-ehr-migrate.yaml", "job-app-ehr-wait-for-db.yaml"}
    gunicorn = app["deployment-app-ehr-gunicorn.yaml"]["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e["valueFrom"] for e in gunicorn["env"]}
    assert env["SECRET_KEY"] == {"secretKeyRef": {"name": "app-ehr-secret-key", "key": "value"}}
    assert env["DATABASE_URL"] == {"secretKeyRef": {"name": "app-env-secrets", "key": "DATABASE_URL"}}
    assert env["AWS_DEFAULT_REGION"] == {"configMapKeyRef": {"name": "app-env", "key": "AWS_DEFAULT_REGION"}}
    assert {"name": "v-var-lib-ehr-uploads", "mountPath": "/var/lib/ehr/uploads"} in gunicorn["volumeMounts"]
    assert app["configmap-app-env.yaml"]["data"]["DJANGO_SETTINGS_MODULE"] == "ehr.settings.production"
    assert "DATABASE_URL" not in app["configmap-app-env.yaml"]["data"]
    # every pillar secret of the role gets an ExternalSecret; the unused ones say so
    assert app["externalsecret-app-ehr-db-password.yaml"]["spec"]["data"] == [
        {"secretKey": "value", "remoteRef": {"key": "ehr/db/password"}}]
    assert "# TODO: no state uses this secret" in outputs.manifests["app"]["externalsecret-app-ehr-github-token.yaml"]
    text = outputs.manifests["app"]["deployment-app-ehr-gunicorn.yaml"]
    assert "# TODO: ehr-gunicorn listens on loopback only" in text
    kustomization = app["kustomization.yaml"]
    assert kustomization["resources"] == sorted(n for n in app if n != "kustomization.yaml")


def test_cron_jobs_volumes_and_jobs(outputs):
    scheduler = dict(documents(outputs.manifests["scheduler"]))
    cron = {n: d for n, d in scheduler.items() if d["kind"] == "CronJob"}
    assert {d["metadata"]["name"] for d in cron.values()} == {
        "scheduler-cron-ehr-cron-appointment-reminders", "scheduler-cron-ehr-cron-clear-sessions",
        "scheduler-cron-ehr-cron-pg-dump", "scheduler-cron-ehr-cron-quality-measures"}
    dump = cron["cronjob-scheduler-cron-ehr-cron-pg-dump.yaml"]
    assert dump["spec"]["schedule"] == "15 1 * * *"
    box = dump["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert box["env"] == [{"name": "EHR_DB_PASSWORD", "valueFrom": {"secretKeyRef": {
        "name": "scheduler-ehr-db-password", "key": "value"}}}]
    media = dict(documents(outputs.manifests["media"]))
    claim = media["pvc-media-data-srv-telehealth-recordings.yaml"]
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    assert "ReadWriteMany volume (EFS" in outputs.manifests["media"]["pvc-media-data-srv-telehealth-recordings.yaml"]
    db = dict(documents(outputs.manifests["db"]))
    # db01 (Rocky 9) is drafted; db02's replica bootstrap is named, not drafted
    assert {n for n in db if n.startswith(("job-", "pvc-", "deployment-"))} == {
        "job-db-ehr-createdb.yaml", "pvc-db-data-var-lib-pgsql-15-data.yaml", "deployment-db-postgresql-15.yaml"}
    assert ("# TODO: Ubuntu 22.04 on db02; these drafts follow Rocky 9 (db01); not drafted: service postgresql, "
            "command postgresql-basebackup.") in outputs.manifests["db"]["kustomization.yaml"]


def test_every_blocker_is_a_todo_in_the_role_manifests(inventory, outputs):
    for role in inventory.roles:
        text = "\n".join(outputs.manifests[role.name].values())
        missing = [todo(b) for b in role.blockers if f"# {todo(b)}" not in text]
        assert missing == [], role.name


def test_names_are_dns_labels(outputs):
    for manifests in outputs.manifests.values():
        for name, doc in documents(manifests):
            if doc["kind"] != "Kustomization":
                assert DNS_LABEL.match(doc["metadata"]["name"]), (name, doc["metadata"]["name"])


def test_emit_writes_one_folder_per_role(inventory, outputs, tmp_path):
    docker = emit_dockerfiles(inventory, tmp_path / "docker")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in docker) == [
        f"docker/{k8s_name(r.name)}/Dockerfile" for r in inventory.roles]
    assert (tmp_path / "docker" / "app" / "Dockerfile").read_text() == outputs.dockerfiles["app"]
    k8s = emit_kubernetes(inventory, tmp_path / "k8s")
    assert (tmp_path / "k8s" / "cache" / "kustomization.yaml").exists()
    assert len(k8s) == sum(len(m) for m in outputs.manifests.values())
