"""hardcoded-path rules: SS101 (state arguments), SS102 (file contents)."""

from __future__ import annotations

import pytest
from rulekit import brief, model, render, run

from saltscan.engine.config import Allowlist, Config, RuleSettings
from saltscan.findings import Category
from saltscan.rules import _paths
from saltscan.rules.host_path_argument import HostPathArgument
from saltscan.rules.host_path_content import HostPathContent

SLS = """\
ehr-uploads:
  file.directory:
    - name: /srv/ehr/uploads
    - user: ehr
ehr-logs:
  file.directory:
    - name: /var/log/ehr
ehr-user:
  user.present:
    - name: ehr
    - home: /home/ehr
ehr-conf:
  file.managed:
    - name: /etc/ehr/app.ini
    - source: salt://ehr/app.ini
ehr-code:
  file.directory:
    - name: /opt/ehr/uploads
scans:
  mount.mounted:
    - name: /mnt/scans
    - device: nfs01:/export/scans
    - fstype: nfs
ehr-cleanup:
  cmd.run:
    - name: find /var/spool/ehr -mtime +7 -delete && echo done >> /srv/ehr/logs/cleanup.log
"""


@pytest.mark.parametrize("path, kind", [
    ("/home/ehr/.cache", _paths.PathKind.HOME),
    ("/root/.pgpass", _paths.PathKind.HOME),
    ("/mnt/scans", _paths.PathKind.MOUNT),
    ("/srv/ehr/uploads", _paths.PathKind.UPLOAD),
    ("/var/log/ehr/app.log", _paths.PathKind.LOG),
    ("/srv/ehr/app.log", _paths.PathKind.LOG),
    ("/var/spool/ehr", _paths.PathKind.SPOOL),
    ("/var/cache/ehr", _paths.PathKind.CACHE),
    ("/var/backups/ehr", _paths.PathKind.BACKUP),
    ("/var/lib/postgresql/14/main", _paths.PathKind.DATA),
    ("/data/ehr", _paths.PathKind.DATA),
    ("/etc/nginx/nginx.conf", None),
    ("/usr/local/bin/ehr", None),
    ("/opt/ehr/logs", None),
    ("/var/lib/dpkg/status", None),
    ("/var/cache/apt/archives", None),
    ("/var/www/ehr/static", None),
    ("/tmp/x", None),
    ("/run/ehr.pid", None),
])
def test_classify(path, kind):
    assert _paths.classify(path, ("/opt/*",)) is kind


def test_classify_app_dirs_and_mounts():
    assert _paths.classify("/srv/ehr/uploads", ("/srv/ehr",)) is None
    assert _paths.classify("/srv/scans/a", (), mounts=("/srv/scans",)) is _paths.PathKind.MOUNT


def test_paths_in_skips_urls_and_nfs_devices():
    text = "curl http://h/var/log/x; cat /var/log/a.log > /srv/b; mount nfs01:/export/x"
    assert list(_paths.paths_in(text)) == ["/var/log/a.log", "/srv/b"]


def test_ss101_state_arguments(tmp_path):
    m = model(tmp_path, [render(tmp_path, {"salt/ehr/app.sls": SLS})])
    found = run(HostPathArgument, m)
    assert brief(found) == [
        ("salt/ehr/app.sls", 3, "ehr-uploads",
         "upload directory /srv/ehr/uploads in file.directory name: keep uploads on a volume "
         "or in object storage, path set by an env var"),
        ("salt/ehr/app.sls", 7, "ehr-logs",
         "log path /var/log/ehr in file.directory name: log to stdout/stderr and let the "
         "platform collect the logs"),
        ("salt/ehr/app.sls", 11, "ehr-user",
         "home directory /home/ehr in user.present home: set HOME and WORKDIR in the image "
         "instead of relying on a host user's home"),
        ("salt/ehr/app.sls", 21, "scans",
         "mount point /mnt/scans in mount.mounted name: mount a volume there (a "
         "PersistentVolumeClaim or a bind mount)"),
        ("salt/ehr/app.sls", 26, "ehr-cleanup",
         "host paths in cmd.run name: spool directory /var/spool/ehr (put the spool on a "
         "volume or replace it with a queue service); log path /srv/ehr/logs/cleanup.log (log "
         "to stdout/stderr and let the platform collect the logs)"),
    ]
    assert {f.category for f in found} == {Category.HARDCODED_PATH}
    assert found[0].state.function == "file.directory"
    assert dict(found[0].extra)["subject"] == "/srv/ehr/uploads"


def test_ss101_options_and_allowlist(tmp_path):
    m = model(tmp_path, [render(tmp_path, {"salt/ehr/app.sls": SLS})])
    config = Config(
        rules=(("SS101", RuleSettings(options={"app_dirs": ["/opt/*", "/srv/ehr"]})),),
        allowlist=Allowlist(paths=("/var/log",)),
    )
    subjects = [dict(f.extra)["subject"] for f in run(HostPathArgument, m, config)]
    assert subjects == ["/home/ehr", "/mnt/scans", "/var/spool/ehr"]


def test_ss102_template_lines_point_at_the_template(tmp_path):
    sls = {"salt/nginx/init.sls": "nginx-conf:\n  file.managed:\n    - name: /etc/nginx/nginx.conf\n"
           "    - source: salt://nginx/nginx.conf.j2\n    - template: jinja\n"}
    text = ("user www-data;\n# logs go to /var/log/old\naccess_log /var/log/nginx/access.log;\n"
            "root /var/www/ehr;\nclient_body_temp_path /srv/nginx/uploads 1 2;\n")
    r = render(tmp_path, sls, templates=[("nginx-conf", "salt://nginx/nginx.conf.j2",
                                          "salt/nginx/nginx.conf.j2", text)])
    found = run(HostPathContent, model(tmp_path, [r]))
    assert [(f.location.file, f.location.line, f.state.id, dict(f.extra)["subject"]) for f in found] == [
        ("salt/nginx/nginx.conf.j2", 3, "nginx-conf", "/var/log/nginx/access.log"),
        ("salt/nginx/nginx.conf.j2", 5, "nginx-conf", "/srv/nginx/uploads"),
    ]
    assert found[0].message == (
        "log path /var/log/nginx/access.log in the contents of /etc/nginx/nginx.conf: "
        "log to stdout/stderr and let the platform collect the logs")


def test_ss102_inline_contents_lines_and_static_sources(tmp_path):
    sls = ("ehr-ini:\n  file.managed:\n    - name: /etc/ehr/app.ini\n    - contents: |\n"
           "        [paths]\n        data = /srv/ehr/data\n"
           "ehr-static:\n  file.managed:\n    - name: /etc/ehr/logging.ini\n"
           "    - source: salt://ehr/files/logging.ini\n")
    r = render(tmp_path, {"salt/ehr/app.sls": sls},
               extra_files={"salt/ehr/files/logging.ini": "[handler]\nfile=/var/log/ehr/ehr.log\n"})
    found = run(HostPathContent, model(tmp_path, [r]))
    assert [(f.location.file, f.location.line, f.state.id) for f in found] == [
        ("salt/ehr/app.sls", 6, "ehr-ini"),
        ("salt/ehr/files/logging.ini", 2, "ehr-static"),
    ]
