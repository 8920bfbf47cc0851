"""env-credential rules SS201-SS206: every form DESIGN.md lists, secrets from pillar."""

from __future__ import annotations

from rulekit import brief, model, render, run

from saltscan.engine.config import Allowlist, Config
from saltscan.model import SaltCall, SourceLocation
from saltscan.rules import _envvars
from saltscan.rules.cmd_env_credential import CmdEnvCredential
from saltscan.rules.command_line_credential import CommandLineCredential
from saltscan.rules.env_file_credential import EnvFileCredential
from saltscan.rules.environ_get_secret import EnvironGetSecret
from saltscan.rules.environ_setenv_credential import EnvironSetenvCredential
from saltscan.rules.systemd_environment_credential import SystemdEnvironmentCredential

PILLAR = ("pillar/ehr.sls", "ehr:\n  redis:\n    password: R3dis-Pw-991\n  db:\n    pw: Zq8wX2pLm4kk\n")
SECRET = "R3dis-Pw-991"
DB_SECRET = "Zq8wX2pLm4kk"


def _run(tmp_path, rule, sls, **kw):
    r = render(tmp_path, {"salt/ehr/app.sls": sls}, pillar=PILLAR, secret_keys=("ehr:db:pw",), **kw)
    return run(rule, model(tmp_path, [r]), kw.pop("config", None))


def test_assignments_forms():
    assert _envvars.assignments("export DB_PASSWORD='x y'", env_file=False) == [
        ("export", "DB_PASSWORD", "x y")]
    assert _envvars.assignments('Environment="A=1" "B_TOKEN=2"', env_file=False) == [
        ("Environment=", "A", "1"), ("Environment=", "B_TOKEN", "2")]
    assert _envvars.assignments("DB_PASSWORD=x", env_file=False) == []
    assert _envvars.assignments("DB_PASSWORD=x", env_file=True) == [("NAME=", "DB_PASSWORD", "x")]
    assert _envvars.inline_assignments("cd /x && PGPASSWORD=a PGUSER=b psql -c 1; env K=v run") == [
        ("PGPASSWORD", "a"), ("PGUSER", "b"), ("K", "v")]


def test_ss201_setenv_with_pillar_secret_and_by_name(tmp_path):
    sls = f"""\
celery-env:
  environ.setenv:
    - name: CELERY_BROKER_URL
    - value: redis://:{SECRET}@redis:6379/0
api-env:
  environ.setenv:
    - name: unused
    - value:
        API_TOKEN: t0k-99a1
        LOG_LEVEL: info
plain-env:
  environ.setenv:
    - name: DJANGO_SETTINGS_MODULE
    - value: ehr.settings
"""
    assert brief(_run(tmp_path, EnvironSetenvCredential, sls)) == [
        ("salt/ehr/app.sls", 4, "celery-env", "CELERY_BROKER_URL carries a credential from pillar "
         "ehr:redis:password, set in the minion's environment by environ.setenv"),
        ("salt/ehr/app.sls", 8, "api-env", "API_TOKEN is a credential (key name: token), set in the "
         "minion's environment by environ.setenv"),
    ]


def test_ss201_allowlisted_env_var(tmp_path):
    sls = "api-env:\n  environ.setenv:\n    - name: API_TOKEN\n    - value: abc\n"
    r = render(tmp_path, {"salt/ehr/app.sls": sls})
    config = Config(allowlist=Allowlist(env_vars=("API_*",)))
    assert run(EnvironSetenvCredential, model(tmp_path, [r]), config) == ()


def test_ss202_env_files_and_export_lines(tmp_path):
    sls = f"""\
/etc/default/ehr:
  file.managed:
    - contents: |
        DB_HOST=db01
        DB_PW={DB_SECRET}
        DB_PASSWORD_FILE=/run/secrets/db
/etc/profile.d/ehr.sh:
  file.managed:
    - source: salt://ehr/files/profile.sh
/opt/ehr/bin/run:
  file.managed:
    - contents: |
        export SECRET_KEY=k3y-9fj2
        LOG=1
/etc/ehr/settings.ini:
  file.managed:
    - contents: |
        SECRET_KEY=zzz
"""
    found = _run(tmp_path, EnvFileCredential, sls,
                 extra_files={"salt/ehr/files/profile.sh": "# ehr\nexport REDIS_URL=redis://:Pw4Redis77@r/0\n"})
    assert brief(found) == [
        ("salt/ehr/app.sls", 5, "/etc/default/ehr", "DB_PW carries a credential from pillar "
         "ehr:db:pw, written to the environment file /etc/default/ehr"),
        ("salt/ehr/app.sls", 13, "/opt/ehr/bin/run", "SECRET_KEY is a credential (key name: secret), "
         "written to an export line of /opt/ehr/bin/run"),
        ("salt/ehr/files/profile.sh", 2, "/etc/profile.d/ehr.sh", "REDIS_URL carries a credential "
         "(URL with credentials), written to the shell profile /etc/profile.d/ehr.sh"),
    ]


def test_ss203_systemd_environment_from_template(tmp_path):
    sls = ("ehr-unit:\n  file.managed:\n    - name: /etc/systemd/system/ehr.service\n"
           "    - source: salt://ehr/ehr.service.j2\n    - template: jinja\n")
    text = f"[Service]\nEnvironment=MODE=prod\nEnvironment=\"REDIS_URL=redis://:{SECRET}@r:6379\"\nExecStart=/opt/ehr/run\n"
    found = _run(tmp_path, SystemdEnvironmentCredential, sls,
                 templates=[("ehr-unit", "salt://ehr/ehr.service.j2", "salt/ehr/ehr.service.j2", text)])
    assert brief(found) == [
        ("salt/ehr/ehr.service.j2", 3, "ehr-unit", "REDIS_URL carries a credential from pillar "
         "ehr:redis:password, in an Environment= line of the systemd unit /etc/systemd/system/ehr.service"),
    ]
    assert SECRET not in found[0].message


def test_ss204_cmd_env(tmp_path):
    sls = f"""\
migrate:
  cmd.run:
    - name: /opt/ehr/bin/migrate
    - env:
      - DB_PW: {DB_SECRET}
      - DB_HOST: db01
"""
    assert brief(_run(tmp_path, CmdEnvCredential, sls)) == [
        ("salt/ehr/app.sls", 4, "migrate",
         "DB_PW carries a credential from pillar ehr:db:pw, passed in the env of cmd.run migrate"),
    ]


def test_ss205_command_line_and_cron(tmp_path):
    sls = f"""\
dump:
  cron.present:
    - name: PGPASSWORD={DB_SECRET} pg_dump ehr > /srv/backup.sql
    - user: ehr
check:
  cmd.run:
    - name: echo ok
    - unless: export API_TOKEN=t0k-99a1; curl -s http://x/health
cron-env:
  cron.env_present:
    - name: MAILTO
    - value: ops@example.com
"""
    assert brief(_run(tmp_path, CommandLineCredential, sls)) == [
        ("salt/ehr/app.sls", 3, "dump", "PGPASSWORD carries a credential from pillar ehr:db:pw, "
         "set on the crontab of cron.present dump"),
        ("salt/ehr/app.sls", 8, "check", "API_TOKEN is a credential (key name: token), set on the "
         "command line of cmd.run check"),
    ]


def test_ss206_environ_get_of_a_secret(tmp_path):
    calls = [
        SaltCall("environ.get", ("'DB_PASSWORD'",), SourceLocation("salt/ehr/app.sls", 1), False),
        SaltCall("environ.get", ("'HOME'",), SourceLocation("salt/ehr/app.sls", 2), False),
        SaltCall("pillar.get", ("'ehr:db:password'",), SourceLocation("salt/ehr/app.sls", 3), True),
    ]
    r = render(tmp_path, {"salt/ehr/app.sls": "x:\n  test.nop: []\n"}, salt_calls=calls)
    assert brief(run(EnvironGetSecret, model(tmp_path, [r]))) == [
        ("salt/ehr/app.sls", 1, None, "environ.get reads DB_PASSWORD, a credential, from the "
         "minion's environment"),
    ]
