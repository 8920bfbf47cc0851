"""SS705: hosts file, name resolution and network configuration."""

from __future__ import annotations

import re

from ._hostlevel import HostLevelRule


class NetworkConfig(HostLevelRule):
    """State manages the hosts file, name resolution or the network.

    ``host.present`` (``/etc/hosts`` entries), ``network.managed``,
    ``network.routes``, ``network.system``, ``/etc/resolv.conf``,
    ``/etc/network/interfaces``, netplan, the hostname. In a cluster names
    resolve through the platform's DNS (services) and the network is the
    platform's: host entries become service names, the rest belongs to the
    nodes.

    Problematic::

        db01.ehr.internal:
          host.present:
            - ip: 10.20.0.11

    Correct::

        ehr-db-config:
          file.managed:
            - name: /etc/ehr/db.conf
            - contents: "host = ${DB_HOST}"
    """

    code = "SS705"
    name = "network-config"
    tags = ("host", "network")
    hint = "use the platform's DNS (service names); leave interfaces and routes to the nodes"
    topic = "the hosts file, name resolution or network"
    modules = frozenset({"host", "network", "dns", "bond"})
    paths = ("/etc/hosts", "/etc/resolv.conf", "/etc/network/", "/etc/netplan/",
             "/etc/sysconfig/network", "/etc/sysconfig/network-scripts/", "/etc/hostname",
             "/etc/NetworkManager/", "/etc/nsswitch.conf", "/etc/dhcp/")
    command_re = re.compile(r"\b(hostnamectl|ip\s+(route|addr|link)\s+(add|del|set)|ifup|ifdown|nmcli)\b")
