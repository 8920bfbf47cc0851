"""SS707: SELinux and AppArmor."""

from __future__ import annotations

import re

from ._hostlevel import HostLevelRule


class Selinux(HostLevelRule):
    """State manages SELinux or AppArmor (mode, booleans, contexts, profiles).

    ``selinux.mode``, ``selinux.boolean``, ``selinux.fcontext_policy_present``,
    ``/etc/selinux/config``, ``setenforce``, ``semanage``, AppArmor profiles.
    Mandatory access control is a node setting; a container gets its SELinux
    options or AppArmor profile from the pod's ``securityContext``.

    Problematic::

        enforcing:
          selinux.mode: []

    Correct::

        ehr-security-doc:
          file.managed:
            - name: /opt/ehr/SECURITY
            - contents: "runs with the platform's default profile"
    """

    code = "SS707"
    name = "selinux"
    tags = ("host", "security")
    hint = "set seLinuxOptions or an AppArmor profile in the pod's securityContext"
    topic = "mandatory access control"
    modules = frozenset({"selinux", "apparmor"})
    paths = ("/etc/selinux/", "/etc/apparmor.d/", "/etc/apparmor/")
    services = ("apparmor",)
    command_re = re.compile(r"\b(setenforce|semanage|setsebool|restorecon|chcon|aa-enforce|aa-complain|apparmor_parser)\b")
