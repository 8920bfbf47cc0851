"""Fidelity harness: saltscan's renderer against real Salt 3007.16 on the corpus.

For every case in ``../shared/corpus/cases`` this renders the case the way its
``case.json`` describes (state roots, pillar roots, grains, minion, SLS list or
highstate) and compares with ``salt-3007.16.json``:

- cases Salt rendered: the set of low chunks keyed by (``__id__``, ``state``, ``fun``,
  ``name``, ``__sls__``), each with its requisites, and the list of SLS in the top;
- cases Salt failed: whether saltscan reports an error in the file Salt failed on.

It also times the whole corpus against Salt's own ``timings.total`` (ratio in one run).

Usage: python benchmarks/fidelity.py [--corpus ../shared/corpus] [--case NAME] [-v]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

REQ_KEYS = (
    "require", "watch", "prereq", "onchanges", "onfail", "listen", "use",
    "require_any", "watch_any", "onchanges_any", "onfail_any", "onfail_all",
    "require_in", "watch_in", "prereq_in", "onchanges_in", "onfail_in", "listen_in", "use_in",
)


# Functions whose answer depends on the machine Salt runs on, and Jinja's |random: where
# Salt's output depends on them, no static renderer can reproduce it (corpus README).
HOST_DEPENDENT_CALLS = frozenset({
    "file.file_exists", "file.directory_exists", "cmd.has_exec", "cmd.which", "user.info",
    "cmd.run", "cmd.shell", "status.time", "cp.list_master_dirs",
})


def host_dependent(case_dir: Path, salt: dict, render) -> list[str]:
    """Why Salt's result for this case depends on its host (empty: it does not)."""
    reasons = sorted(set(salt.get("exec_call_counts") or {}) & HOST_DEPENDENT_CALLS)
    uses_random = any("|random" in p.read_text(errors="replace").replace(" ", "") for p in case_dir.rglob("*.sls"))
    if uses_random:
        reasons.append("|random")
    return reasons


def chunk_key(chunk: dict) -> tuple:
    return (str(chunk.get("__id__")), chunk.get("state"), chunk.get("fun"), str(chunk.get("name")), chunk.get("__sls__"))


def chunk_reqs(chunk: dict) -> str:
    return json.dumps({k: chunk[k] for k in REQ_KEYS if k in chunk}, sort_keys=True, default=str)


def chunk_set(low) -> dict:
    return {chunk_key(c): chunk_reqs(c) for c in low or []}


def expected_error_files(case_dir: Path, case: dict, salt: dict) -> set[str]:
    """Files Salt failed on, derived from its messages (they name SLS, not files)."""
    files: set[str] = set()
    roots = [(case_dir / r).resolve() for r in case["states"]]
    proots = [(case_dir / r).resolve() for r in case.get("pillar") or []]
    for err in salt.get("errors", []):
        msgs = err.get("messages") or [err.get("message", "")]
        for msg in msgs:
            m = re.search(r"Rendering SLS '([^']+)' failed", msg)
            if m and err.get("step") == "pillar_items":
                files |= _sls_paths(proots, m.group(1))
            m = re.search(r"Specified SLS (\S+) in saltenv", msg)
            if m:
                target = m.group(1)
                for root in roots:
                    for p in root.rglob("*.sls"):
                        if re.search(rf"^\s*-\s*['\"]?{re.escape(target)}['\"]?\s*$", p.read_text(errors="replace"), re.M):
                            files.add(str(p.resolve()))
                files.add(f"top:{target}")
    return files


def _sls_paths(roots, sls: str) -> set[str]:
    out = set()
    base = sls.replace(".", "/")
    for root in roots:
        for cand in (root / f"{base}.sls", root / base / "init.sls"):
            if cand.is_file():
                out.add(str(cand.resolve()))
    return out


def run_case(case_dir: Path, host_facts: Path | None = None, compiled=None):
    from saltscan.pipeline import ScanOptions, load_model

    case = json.loads((case_dir / "case.json").read_text())
    salt = json.loads((case_dir / "salt-3007.16.json").read_text())
    options = ScanOptions(
        path=case_dir,
        state_roots=tuple(case_dir / s for s in case["states"]),
        pillar_roots=tuple(case_dir / p for p in case.get("pillar") or ()),
        grains_files=(case_dir / case["grains"],) if case.get("grains") else (),
        minions=(case["minion"],),
        sls=tuple(case.get("sls") or ()),
        coverage=False,  # Salt renders only what the case names; so does the comparison
        host_facts=host_facts,
    )
    start = time.perf_counter()
    model = load_model(options, compiled_templates=compiled)
    elapsed = time.perf_counter() - start
    render = next(r for r in model.renders if not r.untargeted)
    result = {"case": case_dir.name, "salt_ok": salt["ok"], "seconds": elapsed, "salt_seconds": salt["timings"]["total"]}
    if salt["ok"]:
        ours, theirs = chunk_set(render.low), chunk_set(salt["low"])
        missing = sorted(set(theirs) - set(ours))
        extra = sorted(set(ours) - set(theirs))
        req_diff = sorted(k for k in set(ours) & set(theirs) if ours[k] != theirs[k])
        top_ok = True
        if case.get("highstate"):
            top_ok = {e: list(v) for e, v in render.top.items()} == {e: list(v) for e, v in (salt.get("top") or {}).items()}
        result.update(match=not (missing or extra or req_diff) and top_ok, missing=missing, extra=extra, req_diff=req_diff, top_ok=top_ok, low=len(theirs),
                      host_dependent=host_dependent(case_dir, salt, render))
    else:
        want = expected_error_files(case_dir, case, salt)
        root = model.tree.root
        got = {str((root / e.location.file).resolve()) for e in render.errors}
        got |= {f"top:{e.sls}" for e in render.errors if e.sls}
        hit = bool(want & got)
        result.update(match=hit, expected_files=sorted(want), error_files=sorted(got))
    return result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=str(Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"))
    ap.add_argument("--case", action="append", default=[])
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--host-facts", type=Path, default=None, help="host facts file (benchmarks/oracle-host.yaml: the oracle machine's)")
    args = ap.parse_args(argv)
    corpus = Path(args.corpus).resolve()
    if not corpus.is_dir():
        print(f"corpus not found at {corpus}", file=sys.stderr)
        return 2
    import_start = time.perf_counter()
    import saltscan.pipeline  # noqa: F401 - count the import once, as Salt's timings do
    import saltscan.render.tree  # noqa: F401
    import_seconds = time.perf_counter() - import_start
    cases = sorted(p for p in (corpus / "cases").iterdir() if (p / "case.json").is_file())
    if args.case:
        cases = [c for c in cases if c.name in args.case]
    from saltscan.render.context import CompiledTemplateCache

    # One process renders every case, so compiled templates are shared between cases of
    # the same formula (checksummed: a changed file is compiled again).
    compiled = CompiledTemplateCache()
    results, crashes = [], []
    for case_dir in cases:
        try:
            results.append(run_case(case_dir, args.host_facts, compiled))
        except Exception as exc:  # noqa: BLE001 - a crash is the measured failure
            crashes.append((case_dir.name, f"{type(exc).__name__}: {exc}"))
            if args.verbose:
                import traceback

                traceback.print_exc()
    ok_cases = [r for r in results if r["salt_ok"]]
    failed_cases = [r for r in results if not r["salt_ok"]]
    ours = sum(r["seconds"] for r in results) + import_seconds
    theirs = sum(r["salt_seconds"] for r in results)
    for r in results:
        if not r["match"]:
            why = f"  (Salt's result depends on its host: {', '.join(r['host_dependent'])})" if r.get("host_dependent") else ""
            print(f"MISMATCH {r['case']}{why}")
            if args.verbose:
                for k in ("missing", "extra", "req_diff", "top_ok", "expected_files", "error_files"):
                    if r.get(k):
                        print(f"  {k}: {r[k][:8] if isinstance(r[k], list) else r[k]}")
    for name, err in crashes:
        print(f"CRASH {name}: {err}")
    matched = sum(r["match"] for r in ok_cases)
    errs = sum(r["match"] for r in failed_cases)
    print(f"rendered by Salt: {matched}/{len(ok_cases)} match ({100 * matched / max(len(ok_cases), 1):.1f}%)")
    independent = [r for r in ok_cases if not r["host_dependent"]]
    ind_matched = sum(r["match"] for r in independent)
    print(f"  of which host-independent: {ind_matched}/{len(independent)} match ({100 * ind_matched / max(len(independent), 1):.1f}%)")
    print(f"failed in Salt:   {errs}/{len(failed_cases)} reported at the right file")
    print(f"crashes: {len(crashes)}")
    print(f"time: saltscan {ours:.2f}s vs Salt {theirs:.2f}s: ratio {ours / theirs:.3f} (import {import_seconds:.2f}s)")
    return 0 if not crashes else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
