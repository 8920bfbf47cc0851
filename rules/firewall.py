"""SS706: host firewalls."""

from __future__ import annotations

import re

from ._hostlevel import HostLevelRule


class Firewall(HostLevelRule):
    """State manages the host firewall (iptables, nftables, firewalld, ufw).

    Firewall rules (``iptables``, ``nftables``, ``firewalld`` states), their
    rule files, the firewall services and the packages that load rules at boot
    (``iptables-persistent``, ``firewalld``, ``ufw``), ``iptables-restore``
    commands: they filter traffic for the whole host. Installing the bare
    ``iptables`` or ``nftables`` tools manages no rule (Docker needs them as a
    dependency) and is not reported. In a cluster the equivalent is a network
    policy (and the node's firewall stays the platform's), written per
    application in the deployment.

    Problematic::

        allow-ehr-http:
          iptables.append:
            - table: filter
            - chain: INPUT
            - jump: ACCEPT
            - dport: 8000
            - proto: tcp

    Correct::

        ehr-port-doc:
          file.managed:
            - name: /opt/ehr/PORTS
            - contents: "8000/tcp"
    """

    code = "SS706"
    name = "firewall"
    tags = ("host", "network")
    hint = "express it as a network policy in the deployment; node firewalls are the platform's"
    topic = "firewall rules"
    modules = frozenset({"iptables", "nftables", "firewalld", "ufw"})
    paths = ("/etc/iptables/", "/etc/sysconfig/iptables", "/etc/sysconfig/ip6tables",
             "/etc/ufw/", "/etc/firewalld/", "/etc/nftables.conf", "/etc/nftables.d/")
    services = ("iptables", "ip6tables", "firewalld", "ufw", "nftables", "netfilter-persistent")
    # Packages whose job is to load firewall rules; not the command-line tools alone.
    packages = ("iptables-persistent", "iptables-services", "firewalld", "ufw",
                "netfilter-persistent")
    command_re = re.compile(
        r"(?<![\w-])(iptables|ip6tables|iptables-restore|ip6tables-restore|ufw|firewall-cmd|nft)(?=\s+\S)"
    )
