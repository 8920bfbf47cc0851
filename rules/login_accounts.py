"""SS708: human login accounts, ssh keys and sudo rules."""

from __future__ import annotations

from typing import Iterator

from saltscan import api

# Arguments through which a state runs as, or writes files for, a user or group.
USER_ARGS = ("user", "runas", "owner")
GROUP_ARGS = ("group",)


class LoginAccounts(api.StateRule):
    """State manages login access to the host: people's accounts, ssh keys, sudo.

    ``user.present``/``group.present`` for accounts that no other state runs as
    or writes files for (people logging in, not the application's service
    account), ``ssh_auth.present`` authorized keys, ``/etc/sudoers`` rules.
    Nobody logs in to a container: access goes through the platform (``kubectl
    exec`` with RBAC), and the node's accounts belong to the node image.

    Problematic::

        ops-jdoe:
          user.present:
            - name: jdoe
            - shell: /bin/bash

    Correct::

        ehr-user:
          user.present:
            - name: ehr
            - shell: /usr/sbin/nologin

        ehr-data:
          file.directory:
            - name: /opt/ehr/data
            - user: ehr
            - require:
              - user: ehr-user
    """

    code = "SS708"
    name = "login-accounts"
    category = api.Category.HOST_LEVEL
    severity = api.Severity.MEDIUM
    tags = ("host", "access")
    hint = "grant access through the platform (RBAC); node accounts belong to the node image"

    def check(self, state: api.State, ctx: api.RuleContext) -> Iterator[api.Finding]:
        what = self._what(state, ctx)
        if what:
            yield self.at_state(state, f"{state.fun} {state.id} manages {what} of the host",
                                subject=state.fun)

    def _what(self, state: api.State, ctx: api.RuleContext) -> str | None:
        if state.module == "ssh_auth" and state.function == "present":
            user = state.args.get("user", "")
            return f"an ssh login key of user {user}" if user else "an ssh login key"
        if state.module == "file" and (
            state.name == "/etc/sudoers" or state.name.startswith("/etc/sudoers.d/")
        ):
            return f"the sudo rules {state.name}"
        if state.fun == "user.present" and not state.args.get("system") \
                and not _used(state.name, USER_ARGS, ctx) and _login_shell(state):
            return f"the login account {state.name}"
        if state.fun == "group.present" and not state.args.get("system") \
                and not _used(state.name, GROUP_ARGS, ctx) and _only_people(state, ctx):
            return f"the login group {state.name}"
        return None


def _used(name: str, args: tuple[str, ...], ctx: api.RuleContext) -> bool:
    """Some state other than an account, a key or sudo rule runs as / writes for it."""
    return name in ctx.once((_used, args), lambda: _users(ctx.render, args))


def _users(render: api.MinionRender, args: tuple[str, ...]) -> frozenset[str]:
    """The names the render's states (not accounts, keys or sudo rules) give in ``args``
    (only strings: a name is one, and nothing else equals it)."""
    return frozenset(
        value for st in render.states if st.module not in ("user", "group", "ssh_auth")
        for value in (st.args.get(arg) for arg in args) if isinstance(value, str)
    )


def _login_shell(state: api.State) -> bool:
    shell = state.args.get("shell")
    return not (isinstance(shell, str) and shell.endswith(("nologin", "/false")))


def _only_people(group: api.State, ctx: api.RuleContext) -> bool:
    """Every account in the group (by gid or name) is a login account."""
    gid = group.args.get("gid")
    members = [
        st for st in ctx.render.states if st.fun == "user.present" and (
            st.args.get("gid") in (group.name, gid) if gid is not None else st.args.get("gid") == group.name
        )
    ]
    return bool(members) and all(not _used(m.name, USER_ARGS, ctx) for m in members)
