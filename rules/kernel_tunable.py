"""SS701: kernel tunables and modules (sysctl, kmod, /proc, /sys)."""

from __future__ import annotations

import re

from saltscan import api

from ._hostlevel import HostLevelRule, path_matches


class KernelTunable(HostLevelRule):
    """State tunes the kernel: sysctl, kernel modules, ``/proc`` or ``/sys`` writes.

    ``sysctl.present``, ``kmod.present``, files under ``/etc/sysctl.d``,
    ``/etc/modprobe.d``, ``/etc/security/limits.d``, writes to ``/proc`` or
    ``/sys``, ``sysctl -w``, ``modprobe`` or ``tuned-adm profile`` commands, the
    ``tuned`` package (limits.conf and limits.d hold PAM's process resource
    limits: the message says so). Containers share the host
    kernel and cannot change it: the setting moves to the node configuration
    (or, for namespaced sysctls, the pod's ``securityContext.sysctls``).

    Problematic::

        net.core.somaxconn:
          sysctl.present:
            - value: 4096

    Correct::

        ehr-limits-doc:
          file.managed:
            - name: /opt/ehr/README.tuning
            - contents: "somaxconn is set on the node"
    """

    code = "SS701"
    name = "kernel-tunable"
    tags = ("host", "kernel")
    hint = "set it on the node (or in the pod's securityContext.sysctls if namespaced)"
    topic = "kernel tunables"
    modules = frozenset({"sysctl", "kmod"})
    paths = ("/proc/", "/sys/", "/etc/sysctl.conf", "/etc/sysctl.d/", "/etc/modules",
             "/etc/modules-load.d/", "/etc/modprobe.d/", "/etc/security/limits.conf",
             "/etc/security/limits.d/")
    packages = ("tuned", "tuned-*", "irqbalance")
    # PAM's per-process resource limits: host configuration, but not the kernel's.
    limits_paths = ("/etc/security/limits.conf", "/etc/security/limits.d/")
    command_re = re.compile(
        r"\bsysctl\s+(-w|-p)\b|\bmodprobe\b|\binsmod\b|>\s*/(proc|sys)/\S+|"
        r"\btee\s+/(proc|sys)/\S+|\btuned-adm\s+profile\b"
    )

    def topic_of(self, state: api.State) -> str:
        if state.module == "file" and path_matches(state.name, self.limits_paths):
            return "process resource limits"
        return self.topic
