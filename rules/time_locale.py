"""SS704: time zone, time synchronisation and locale."""

from __future__ import annotations

import re

from ._hostlevel import HostLevelRule


class TimeLocale(HostLevelRule):
    """State sets the host's time zone, time synchronisation (NTP) or locale.

    ``timezone.system``, ``ntp.managed``, ``locale.system``, ``/etc/ntp.conf``,
    ``/etc/chrony.conf``, ``/etc/localtime``, the chrony/ntp packages and
    services, ``timedatectl``. The clock belongs to the node; a container sets
    its time zone and locale with environment variables (``TZ``, ``LANG``) in
    the image.

    Problematic::

        Europe/Paris:
          timezone.system:
            - utc: True

    Correct::

        ehr-env-tz:
          file.managed:
            - name: /opt/ehr/etc/tz
            - contents: "TZ=Europe/Paris"
    """

    code = "SS704"
    name = "time-locale"
    tags = ("host",)
    hint = "set TZ/LANG in the image; time synchronisation belongs to the node"
    topic = "time and locale settings"
    modules = frozenset({"timezone", "ntp", "locale"})
    paths = ("/etc/ntp.conf", "/etc/ntp/", "/etc/chrony.conf", "/etc/chrony/",
             "/etc/localtime", "/etc/timezone", "/etc/locale.gen", "/etc/default/locale",
             "/etc/locale.conf", "/etc/systemd/timesyncd.conf", "/etc/adjtime")
    services = ("ntp", "ntpd", "chronyd", "chrony", "systemd-timesyncd", "openntpd")
    packages = ("chrony", "ntp", "ntpdate", "ntpsec", "openntpd", "systemd-timesyncd")
    command_re = re.compile(r"\b(timedatectl|locale-gen|update-locale|ntpdate|hwclock|dpkg-reconfigure\s+tzdata)\b")
