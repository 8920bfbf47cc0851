"""SS703: cron jobs."""

from __future__ import annotations

import re

from ._hostlevel import HostLevelRule


class CronJob(HostLevelRule):
    """State schedules a job with cron.

    ``cron.present`` (and the other ``cron`` states), files in ``/etc/cron.d``
    or ``/etc/cron.daily`` and friends, the crontab, the cron service. The
    host's cron does not exist in a container: the schedule becomes a
    Kubernetes CronJob (or the platform's scheduler) running the same image.

    Problematic::

        ehr-cleanup:
          cron.present:
            - name: /opt/ehr/bin/cleanup
            - user: ehr
            - minute: 15

    Correct::

        ehr-cleanup-script:
          file.managed:
            - name: /opt/ehr/bin/cleanup
            - mode: "0755"
            - contents: "#!/bin/sh"
    """

    code = "SS703"
    name = "cron-job"
    tags = ("host", "scheduling")
    hint = "run the job as a Kubernetes CronJob (or the platform's scheduler) on the same image"
    topic = "scheduled jobs"
    modules = frozenset({"cron"})
    paths = ("/etc/cron.d/", "/etc/cron.daily/", "/etc/cron.hourly/", "/etc/cron.weekly/",
             "/etc/cron.monthly/", "/etc/crontab", "/var/spool/cron/", "/etc/anacrontab")
    services = ("cron", "crond", "cronie", "anacron")
    command_re = re.compile(r"(?<![\w-])crontab(?=\s+\S)")
