"""SS702: mounts and swap."""

from __future__ import annotations

import re

from ._hostlevel import HostLevelRule


class MountSwap(HostLevelRule):
    """State mounts a filesystem or manages swap.

    ``mount.mounted``, ``mount.swap``, ``mount.fstab_present``, ``/etc/fstab``,
    ``mount``/``swapon`` commands, network filesystem client packages
    (``nfs-common``...). A container does not mount filesystems: the
    platform does, as volumes (NFS, block storage) declared in the pod spec;
    swap belongs to the node.

    Problematic::

        /mnt/scans:
          mount.mounted:
            - device: nfs01.ehr.internal:/export/scans
            - fstype: nfs
            - mkmnt: True

    Correct::

        /opt/ehr/scans:
          file.directory:
            - user: ehr
    """

    code = "SS702"
    name = "mount-swap"
    tags = ("host", "volumes")
    hint = "declare the storage as a volume in the pod spec; swap belongs to the node"
    topic = "mounts and swap"
    modules = frozenset({"mount"})
    paths = ("/etc/fstab", "/etc/auto.master", "/etc/auto.*", "/etc/auto.master.d/",
             "/etc/exports", "/etc/exports.d/")
    packages = ("nfs-common", "nfs-utils", "cifs-utils", "autofs", "glusterfs-client", "ceph-common")
    command_re = re.compile(r"(?<![\w-])(mount(?=\s+(-\S+\s+)*[-/\w])|swapon|mkswap|exportfs)\b")
