"""The inventory of fixtures/ehr-platform, section by section, by exact names."""

from __future__ import annotations

from saltscan.inventory import CommandPhase, EnvVia, FilePurpose, ValueSource, VolumeKind
from saltscan.model import SourceLocation

EHR_ENV = {
    "AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION", "AWS_SECRET_ACCESS_KEY", "AWS_STORAGE_BUCKET_NAME",
    "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "EHR_API_TOKEN", "EHR_API_URL", "EHR_CONFIG", "EHR_LOG_DIR",
    "EHR_UPLOAD_ROOT", "FHIR_CLIENT_ID", "FHIR_CLIENT_SECRET", "REDIS_URL", "SECRET_KEY",
    "STRIPE_PUBLISHABLE_KEY", "STRIPE_SECRET_KEY",
}


def env(role, name, via):
    matches = [e for e in role.env_vars if e.name == name and e.via is via]
    assert len(matches) == 1, (name, via, matches)
    return matches[0]


def test_roles_come_from_the_role_grain(inventory):
    assert [(r.name, r.minions, r.role_source) for r in inventory.roles] == [
        ("app", ("app01", "app02"), "grain:role"),
        ("billing", ("billing01",), "grain:role"),
        ("cache", ("cache01",), "grain:role"),
        ("db", ("db01", "db02"), "grain:role"),
        ("media", ("media01",), "grain:role"),
        ("monitoring", ("mon01",), "grain:role"),
        ("scheduler", ("sched01",), "grain:role"),
        ("search", ("search01",), "grain:role"),
        ("web", ("web01", "web02"), "grain:role"),
        ("worker", ("worker01", "worker02"), "grain:role"),
    ]
    assert inventory.untargeted_sls == ("elasticsearch.reindex",)


def test_os_per_role_and_base_images(role):
    db = role("db")
    assert [(o.label, o.base_image, o.minions) for o in db.os] == [
        ("Rocky 9", "rockylinux:9", ("db01",)), ("Ubuntu 22.04", "ubuntu:22.04", ("db02",))]
    assert db.primary_os.label == "Rocky 9"
    assert role("billing").primary_os.base_image == "rockylinux:8"
    assert role("worker").primary_os.label == "Ubuntu 22.04"  # tie: worker01's OS


def test_env_var_names_and_sources(role):
    app, worker = role("app"), role("worker")
    assert {e.name for e in app.env_vars} == EHR_ENV
    assert {e.name for e in worker.env_vars} == EHR_ENV | {"CELERY_BROKER_URL"}
    assert {e.name for e in role("media").env_vars} == {"EHR_API_TOKEN", "EHR_API_URL", "TURNSERVER_ENABLED"}

    region = env(app, "AWS_DEFAULT_REGION", EnvVia.ENV_FILE)
    assert (region.source, region.secret, region.value, region.target) == (
        ValueSource.LITERAL, False, "us-east-2", "/etc/ehr/ehr.env")
    assert region.location == SourceLocation("salt/ehr/files/ehr.env.j2", 11)

    url = env(app, "DATABASE_URL", EnvVia.ENV_FILE)
    assert url.source is ValueSource.PILLAR and url.secret and url.value is None
    assert url.secret_keys == ("ehr:db:password",) and url.whole_secret is None
    assert "ehr:db:host" in url.pillar_keys

    key = env(app, "SECRET_KEY", EnvVia.ENV_FILE)
    assert (key.secret_keys, key.whole_secret) == (("ehr:secret_key",), "ehr:secret_key")
    # A multi-line gpg value: found through the template's expression, not its text.
    fhir = env(app, "FHIR_CLIENT_SECRET", EnvVia.ENV_FILE)
    assert (fhir.secret, fhir.whole_secret, fhir.source) == (True, "ehr:fhir:client_secret", ValueSource.PILLAR)

    migrate = env(app, "DATABASE_URL", EnvVia.COMMAND_ENV)
    assert (migrate.state_id, migrate.source, migrate.secret_keys) == (
        "ehr-migrate", ValueSource.PILLAR, ("ehr:db:password",))
    unit = env(app, "DATABASE_URL", EnvVia.SYSTEMD)
    assert unit.target == "/etc/systemd/system/ehr-gunicorn.service" and unit.secret_keys == ("ehr:db:password",)

    broker = env(worker, "CELERY_BROKER_URL", EnvVia.ENVIRON)
    assert (broker.state_id, broker.secret_keys) == ("celery-broker-url", ("ehr:redis:password",))
    assert not env(app, "STRIPE_PUBLISHABLE_KEY", EnvVia.ENV_FILE).secret


def test_secret_key_paths_storage_and_flows(role):
    app = role("app")
    assert [s.key_path for s in app.secrets] == [
        "ehr:aws:access_key_id", "ehr:aws:secret_access_key", "ehr:db:password", "ehr:fhir:client_secret",
        "ehr:git:deploy_key", "ehr:github:token", "ehr:phi_field_key", "ehr:redis:password",
        "ehr:reporting:database_url", "ehr:secret_key", "ehr:sentry_dsn", "ehr:slack:bot_token",
        "ehr:slack:webhook_url", "ehr:stripe:secret_key", "monitoring:ehr_api_token",
        "monitoring:grafana:admin_password", "monitoring:pagerduty:routing_key", "postgres:replication:password",
    ]
    by_key = {s.key_path: s for s in app.secrets}
    assert by_key["ehr:fhir:client_secret"].storage == "gpg"
    assert by_key["ehr:db:password"].location == SourceLocation("pillar/ehr/db.sls", 8)
    flows = {(f.kind, f.target) for f in by_key["ehr:db:password"].flows}
    assert flows >= {("env_var", "DATABASE_URL"), ("file", "/etc/ehr/ehr.env"), ("state", "ehr-migrate"),
                     ("file", "/etc/systemd/system/ehr-gunicorn.service")}
    assert {(f.kind, f.target) for f in by_key["ehr:git:deploy_key"].flows} == {("file", "/home/ehr/.ssh/id_rsa")}
    assert by_key["ehr:github:token"].flows == ()
    media = {s.key_path: s for s in role("media").secrets}
    assert media["ehr:telehealth:turn_secret"].storage == "sdb"
    assert ("file", "/etc/turnserver.conf") in {(f.kind, f.target) for f in media["ehr:telehealth:turn_secret"].flows}


def test_packages_with_their_os(role):
    db = {p.name: p.os for p in role("db").packages}
    assert db["postgresql15-server"] == ("Rocky 9",)
    assert db["postgresql-15"] == ("Ubuntu 22.04",)
    assert db["curl"] == ("Rocky 9", "Ubuntu 22.04")
    worker = {p.name: p.os for p in role("worker").packages}
    assert (worker["python3.10"], worker["python3.11"]) == (("Ubuntu 22.04",), ("Rocky 9",))
    assert {"nginx", "libpq-dev", "build-essential"} <= {p.name for p in role("web").packages}
    billing = {p.name for p in role("billing").packages}
    assert {"sshpass", "openssh-clients", "ehr-billing-batch"} <= billing


def test_services_and_which_run(role):
    app = {s.name: s for s in role("app").services}
    assert set(app) == {"apparmor", "chrony", "datadog-agent", "ehr-celerybeat", "ehr-gunicorn", "nginx",
                        "prometheus-node-exporter"}
    gunicorn = app["ehr-gunicorn"]
    assert (gunicorn.long_running, gunicorn.host_agent, gunicorn.unit_file) == (
        True, False, "/etc/systemd/system/ehr-gunicorn.service")
    assert gunicorn.command.startswith("/opt/ehr/venv/bin/gunicorn ehr.wsgi:application --bind 127.0.0.1:8000")
    assert (gunicorn.ports, gunicorn.user, gunicorn.workdir) == ((8000,), "ehr", "/opt/ehr/app")
    assert gunicorn.env_files == ("/etc/ehr/ehr.env",)
    assert set(gunicorn.restarted_by) == {"ehr-code", "ehr-env-file", "ehr-settings", "ehr-venv"}
    assert app["nginx"].ports == (80, 443) and app["nginx"].state_id == "nginx-service"
    assert app["chrony"].host_agent and app["datadog-agent"].host_agent
    assert [s.name for s in role("search").services if not s.host_agent] == ["elasticsearch"]
    assert [s.name for s in role("db").services if not s.host_agent] == ["postgresql", "postgresql-15"]


def test_managed_files_and_templates(role):
    files = {f.path: f for f in role("app").files}
    settings = files["/etc/ehr/settings.ini"]
    assert (settings.purpose, settings.template, settings.state_id) == (FilePurpose.CONFIG, "jinja", "ehr-settings")
    assert settings.template_location == SourceLocation("salt/ehr/templates/settings.ini.j2", 1)
    env_file = files["/etc/ehr/ehr.env"]
    assert env_file.purpose is FilePurpose.ENV_FILE and "ehr:db:password" in env_file.secret_keys
    assert files["/etc/systemd/system/ehr-gunicorn.service"].purpose is FilePurpose.SYSTEMD_UNIT
    assert files["/etc/sudoers.d/ops"].purpose is FilePurpose.HOST
    assert files["/opt/ehr/app"].source == "git@git.ehr.internal:clinical/ehr.git"
    assert "/etc/nginx/sites-enabled/default" not in files  # file.absent creates nothing
    assert files["/etc/ehr/sentry.ini"].pillar_keys == ("ehr", "ehr:sentry_dsn")
    db = {f.path: f.purpose for f in role("db").files}
    assert db["/var/lib/pgsql/15/data/postgresql.conf"] is FilePurpose.CONFIG


def test_ports_and_endpoints(role):
    assert [(p.number, p.services) for p in role("app").ports] == [
        (80, ("nginx",)), (443, ("nginx",)), (8000, ("ehr-gunicorn",))]
    assert [(p.number, p.services) for p in role("cache").ports] == [(6379, ("redis-server",))]
    # coturn's listening-port= lines and the media server's YAML `listen: 0.0.0.0:8443`
    assert [(p.number, p.services) for p in role("media").ports] == [
        (3478, ("coturn",)), (5349, ("coturn",)), (8443, ("ehr-media",))]
    billing = {e.host for e in role("billing").endpoints}
    assert "sftp.clearinghouse-partner.com" in billing
    endpoints = {e.host: e for e in role("app").endpoints}
    assert {"cache01.ehr.internal", "10.20.4.50", "hooks.slack.com", "sentry.ehr.internal", "git.ehr.internal",
            "api.faxrelay-partner.com", "erx-gateway.ehr.internal"} <= set(endpoints)
    assert "$host$request_uri" not in endpoints and "ehr_app" not in endpoints
    cache = endpoints["cache01.ehr.internal"]
    # "state": common/hosts.sls pins cache01.ehr.internal in /etc/hosts (host.present), as SS401 reports
    assert (cache.ports, cache.schemes, cache.origins, cache.pillar_keys) == (
        (6379,), ("redis",), ("pillar", "state", "template"), ("ehr:redis:host",))
    assert endpoints["10.20.4.50"].origins == ("template",)
    assert endpoints["hooks.slack.com"].pillar_keys == ("ehr:slack:webhook_url",)
    media = {e.host: e for e in role("media").endpoints}
    assert media["10.20.5.40"].uses[0].location == SourceLocation("salt/telehealth/storage.sls", 10)


def test_mounts_and_data_directories(role):
    media = {v.path: v for v in role("media").volumes}
    recordings = media["/srv/telehealth/recordings"]
    assert (recordings.kind, recordings.device, recordings.fstype, recordings.subpaths) == (
        VolumeKind.MOUNT, "10.20.5.40:/exports/media", "nfs4", ("/srv/telehealth/recordings/incoming",))
    assert media["/var/log/ehr-media"].kind is VolumeKind.LOG
    billing = role("billing").volumes
    assert [(v.path, v.subpaths) for v in billing] == [
        ("/var/spool/billing", ("/var/spool/billing/acks", "/var/spool/billing/outbound"))]
    assert [v.path for v in role("app").volumes] == ["/var/lib/ehr/celerybeat", "/var/lib/ehr/uploads", "/var/log/ehr"]
    assert [v.path for v in role("cache").volumes] == ["/var/lib/redis"]


def test_cron_jobs(role):
    cron = {c.identifier: c for c in role("scheduler").cron}
    assert set(cron) == {"ehr-cron-appointment-reminders", "ehr-cron-clear-sessions", "ehr-cron-pg-dump",
                         "ehr-cron-quality-measures"}
    dump = cron["ehr-cron-pg-dump"]
    assert (dump.user, dump.schedule, dump.secret_keys) == ("ehr", "15 1 * * *", ("ehr:db:password",))
    assert dump.command.startswith("PGPASSWORD='****' /usr/bin/pg_dump -h db02.ehr.internal")
    assert cron["ehr-cron-appointment-reminders"].schedule == "*/15 * * * *"
    assert [c.identifier for c in role("billing").cron] == ["billing-claims-batch", "billing-sftp-push"]


def test_users_groups_and_commands(role):
    app = role("app")
    assert [u.name for u in app.users] == ["apatel", "ehr", "jmercer"]
    ehr = next(u for u in app.users if u.name == "ehr")
    assert (ehr.uid, ehr.home, ehr.shell) == (3100, "/home/ehr", "/bin/bash")
    assert [g.name for g in app.groups] == ["ehr", "ops"]
    phases = {c.state_id: c.phase for c in app.commands}
    assert phases["ehr-migrate"] is CommandPhase.DEPLOY
    assert phases["ehr-wait-for-db"] is CommandPhase.DEPLOY
    assert phases["ehr-collectstatic"] is CommandPhase.BUILD
    assert phases["ehr-gunicorn-daemon-reload"] is CommandPhase.HOST
    db = {c.state_id: c.phase for c in role("db").commands}
    assert (db["ehr-createdb"], db["postgresql-basebackup"]) == (CommandPhase.DEPLOY, CommandPhase.DEPLOY)


def test_blockers_per_role(role, inventory):
    def keyed(r):
        return {(b.rule, b.location.file, b.location.line, b.state_id) for b in r.blockers}

    assert ("SS601", "salt/ehr/app.sls", 43, "ehr-gunicorn") in keyed(role("app"))
    assert ("SS201", "salt/ehr/worker.sls", 11, "celery-broker-url") in {
        (b.rule, b.location.file, b.location.line, b.state_id) for b in role("worker").blockers}
    assert all(b.category != "style" for r in inventory.roles for b in r.blockers)
    # Only findings that hold on the role's minions.
    assert not any(b.state_id == "celery-broker-url" for b in role("app").blockers)
    assert [(b.rule, b.state_id) for b in inventory.unassigned_blockers] == [
        ("SS503", "es-reindex-patients"), ("SS401", "es-reindex-patients")]
