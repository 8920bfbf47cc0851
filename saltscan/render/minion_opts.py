"""The ``opts`` a minion's templates see: Salt's defaults, the repo's master config, the id."""

from __future__ import annotations

from typing import Any

from saltscan.model import Minion, Tree

# The minion/master defaults templates commonly read (salt.config.DEFAULT_MINION_OPTS).
DEFAULT_OPTS: dict[str, Any] = {
    "renderer": "jinja|yaml",
    "file_client": "local",
    "state_top": "top.sls",
    "saltenv": None,
    "pillarenv": None,
    "environment": None,
    "state_auto_order": True,
    "pillar_source_merging_strategy": "smart",
    "pillar_merge_lists": False,
    "top_file_merging_strategy": "merge",
    "default_top": "base",
    "nodegroups": {},
    "jinja_env": {},
    "jinja_sls_env": {},
    "cachedir": "/var/cache/salt/minion",
    "conf_file": "/etc/salt/minion",
    "hash_type": "sha256",
    "master": "salt",
    "test": False,
    # Formulas branch on the command that renders them (template-formula's libsaltcli):
    # saltscan renders what a minion applying its highstate would see.
    "__cli": "salt-minion",
}


def minion_opts(tree: Tree, minion: Minion) -> dict[str, Any]:
    opts = {**DEFAULT_OPTS, **dict(tree.master_opts)}
    opts.update(
        id=minion.id,
        grains=dict(minion.grains),
        file_roots={env: [str(p) for p in paths] for env, paths in tree.state_roots.items()},
        pillar_roots={env: [str(p) for p in paths] for env, paths in tree.pillar_roots.items()},
    )
    if not isinstance(opts.get("nodegroups"), dict):
        opts["nodegroups"] = {}
    return opts
