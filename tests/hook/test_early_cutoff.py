"""Early cutoff: a changed state file whose render is unchanged keeps the cached render.

A reused render after an edit is only right if the whole minion's render would come
out the same, so every test compares the warm report with an uncached one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from saltscan.render.trace import RenderTrace, TracedRender

from hookkit import WEB_FINDINGS, text_findings
from test_hook import Hook, hook, repo  # noqa: F401 - fixtures

CUTOFF = re.compile(r"(\d+) reused after re-rendering only changed files")


def run(hook: Hook, *files: str):
    result = hook(*files)
    result.cutoffs = int(CUTOFF.search(result.stderr).group(1))
    return result


def edit(path: Path, text: str, *, at_end: bool = True) -> None:
    path.write_text(path.read_text() + text if at_end else text + path.read_text())


def assert_same_as_uncached(hook: Hook, warm, *files: str) -> None:
    assert warm.stdout == hook(*files, cache=False).stdout


def test_comment_at_the_end_keeps_the_render(hook: Hook, repo: Path) -> None:
    run(hook, "salt/web/init.sls")
    edit(repo / "salt/web/init.sls", "# reviewed\n")
    warm = run(hook, "salt/web/init.sls")
    reused, rendered, _, graphs = warm.cache_stats
    assert (reused, rendered, graphs, warm.cutoffs) == (2, 0, 2, 1)  # web01 cut off, db01 untouched
    assert text_findings(warm.stdout) == WEB_FINDINGS
    assert_same_as_uncached(hook, warm, "salt/web/init.sls")


def test_a_branch_this_minion_does_not_take_keeps_the_render(hook: Hook, repo: Path) -> None:
    run(hook, "salt/web/init.sls")
    edit(repo / "salt/web/init.sls", "{% if grains['os'] == 'Windows' %}\niis:\n  pkg.installed: []\n{% endif %}\n")
    warm = run(hook, "salt/web/init.sls")
    assert (warm.cache_stats[1], warm.cutoffs) == (0, 1)
    assert_same_as_uncached(hook, warm, "salt/web/init.sls")


def test_lines_moved_down_is_a_new_render(hook: Hook, repo: Path) -> None:
    run(hook, "salt/web/init.sls")
    edit(repo / "salt/web/init.sls", "# reviewed\n", at_end=False)
    warm = run(hook, "salt/web/init.sls")
    assert (warm.cache_stats[1], warm.cutoffs) == (1, 0)
    assert text_findings(warm.stdout) == [("SS401", "salt/web/init.sls", 7), ("SS503", "salt/web/init.sls", 7)]
    assert_same_as_uncached(hook, warm, "salt/web/init.sls")


def test_imported_file_with_a_new_value_is_a_new_render(hook: Hook, repo: Path) -> None:
    run(hook, "salt/web/init.sls")
    (repo / "salt/web/map.jinja").write_text("{% set web = {'db_port': 6432} %}\n")
    warm = run(hook, "salt/web/init.sls", "salt/web/map.jinja")
    assert (warm.cache_stats[1], warm.cutoffs) == (1, 0)
    assert_same_as_uncached(hook, warm, "salt/web/init.sls", "salt/web/map.jinja")


def test_imported_file_with_the_same_values_keeps_the_render(hook: Hook, repo: Path) -> None:
    run(hook, "salt/web/init.sls")
    edit(repo / "salt/web/map.jinja", "{# the port of the primary #}\n")
    warm = run(hook, "salt/web/map.jinja")
    assert (warm.cache_stats[1], warm.cutoffs) == (0, 1)
    assert_same_as_uncached(hook, warm, "salt/web/map.jinja")


def test_pillar_file_change_is_never_cut_off(hook: Hook, repo: Path) -> None:
    run(hook, "pillar/secrets.sls")
    edit(repo / "pillar/secrets.sls", "# rotated\n")
    warm = run(hook, "pillar/secrets.sls")
    assert (warm.cache_stats[1], warm.cutoffs) == (2, 0)  # pillar renders are not traced
    assert_same_as_uncached(hook, warm, "pillar/secrets.sls")


def test_top_file_change_is_never_cut_off(hook: Hook, repo: Path) -> None:
    run(hook, "salt/top.sls")
    edit(repo / "salt/top.sls", "# reviewed\n")
    warm = run(hook, "salt/top.sls")
    assert (warm.cache_stats[1], warm.cutoffs) == (2, 0)


def _item(path: str, reads: tuple[str, ...], mark: str | None = "m") -> TracedRender:
    return TracedRender(path, "x", "base", ("/r",), reads, mark)


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        ({"/r/a.sls"}, ("/r/a.sls",)),  # only a's render read it
        ({"/r/map.jinja"}, ("/r/a.sls", "/r/b.sls")),  # both imported it
        ({"/r/a.sls", "/r/p.sls"}, None),  # the pillar file was read outside any state render
        ({"/r/gone.sls"}, None),  # nothing traced read it
        ({"/r/c.sls"}, None),  # c's result could not be fingerprinted
        (set(), None),
    ],
)
def test_affected_by(changed: set[str], expected: tuple[str, ...] | None) -> None:
    trace = RenderTrace(
        (
            _item("/r/a.sls", ("/r/a.sls", "/r/map.jinja")),
            _item("/r/b.sls", ("/r/b.sls", "/r/map.jinja")),
            _item("/r/c.sls", ("/r/c.sls",), mark=None),
        ),
        frozenset({"/r/p.sls", "/r/top.sls"}),
    )
    affected = trace.affected_by(changed)
    assert (None if affected is None else tuple(i.path for i in affected)) == expected
