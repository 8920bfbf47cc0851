#!/usr/bin/env python3
"""The rule pack on the real-world corpus: what every rule reports, case by case.

For every case in ``../shared/corpus/cases`` this runs the whole scan (``run_scan``)
the way the case's ``case.json`` describes it (state roots, pillar roots, grains, the
minion, an SLS list or the highstate; coverage on), counts crashes (there must be
none), and prints one row per case: unsuppressed findings per category, their total
and the seconds the scan took.

``--out`` receives every unsuppressed finding of every case as JSON: rule, name,
category, severity, message, file, line, column, state, pillar key, minions and
fingerprint. Messages are the rules' own, which never hold a secret value; nothing is
added to them. Files are relative to the corpus directory when they are inside it, so
the JSON does not depend on where the corpus lives. The JSON holds no timings: the
same corpus gives the same file, byte for byte.

``--sample N`` also writes (to ``--sample-out``) a deterministic sample of at least N
distinct findings for review by hand (docs/corpus-review.md): findings are
deduplicated across cases by fingerprint, every rule that fired gets at least one,
frequent rules get a share proportional to their count (at least ``--min-frequent``
for the five most frequent ones, at least ``--min-per-rule`` for every rule), and
within a rule the picks are every k-th finding in fingerprint order. With ``--seed S``
the picks are instead the first ones in the order of ``sha256(S:fingerprint)``: a
different, still deterministic, draw for a second review.

A second review must not re-judge what a first one saw (the rules may have been fixed
against exactly those findings): ``--exclude-reviewed DOC`` leaves out every finding at
a rule and file:line listed in the review tables of DOC (rows
``| n | SSxxx | `file:line` | ...``, paths as in the review: under ``repos/`` unless
they start with ``cases/``), ``--exclude-fingerprints FILE`` every fingerprint listed
in FILE (one a line).

    python benchmarks/corpus_findings.py [--corpus ../shared/corpus] [--case NAME]
        [--out /tmp/corpus_findings.json] [--sample 70 --sample-out /tmp/corpus_sample.json]
        [--seed S] [--min-per-rule N] [--exclude-reviewed DOC] [--exclude-fingerprints FILE] [-v]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from saltscan.findings import Category, Finding  # noqa: E402
from saltscan.pipeline import ScanOptions  # noqa: E402
from saltscan.scan import ScanRequest, run_scan  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
# Column headings of the per-case table, one per category, in DESIGN.md order.
SHORT = {
    Category.HARDCODED_PATH: "path",
    Category.HARDCODED_ENDPOINT: "endp",
    Category.ENV_CREDENTIAL: "envc",
    Category.PLAINTEXT_SECRET: "secr",
    Category.ORDERING: "ordr",
    Category.RUNTIME_COUPLING: "rtcp",
    Category.HOST_LEVEL: "host",
    Category.CORRECTNESS: "corr",
    Category.STYLE: "styl",
}


@dataclass(frozen=True)
class CaseResult:
    case: str
    repo: str
    findings: tuple[dict, ...]  # unsuppressed, as written to --out
    suppressed: int
    seconds: float
    crash: str | None = None  # exception type and the frame it left from


def scan_options(case_dir: Path, case: dict) -> ScanOptions:
    return ScanOptions(
        path=case_dir,
        state_roots=tuple((case_dir / r).resolve() for r in case["states"]),
        pillar_roots=tuple((case_dir / r).resolve() for r in case.get("pillar") or ()),
        grains_files=(case_dir / case["grains"],) if case.get("grains") else (),
        minions=(case["minion"],),
        sls=tuple(case.get("sls") or ()),
        coverage=True,
    )


def corpus_path(file: str, case_dir: Path, corpus: Path) -> str:
    """``file`` relative to the corpus: findings name files relative to the scanned
    root (the case directory), or absolute when they are outside it (the repos)."""
    path = Path(file)
    path = path if path.is_absolute() else case_dir / path
    try:
        return path.resolve().relative_to(corpus.resolve()).as_posix()
    except ValueError:
        return file


def finding_record(f: Finding, case: str, case_dir: Path, corpus: Path) -> dict:
    return {
        "case": case,
        "rule": f.rule,
        "name": f.name,
        "category": f.category.value,
        "severity": f.severity.value,
        "message": f.message,
        "file": corpus_path(f.location.file, case_dir, corpus),
        "line": f.location.line,
        "column": f.location.column,
        "state_id": f.state.id if f.state else None,
        "state_function": f.state.function if f.state else None,
        "sls": f.state.sls if f.state else None,
        "pillar_key": f.pillar_key,
        "minions": list(f.minions),
        "fingerprint": f.fingerprint,
    }


def crash_summary(exc: BaseException) -> str:
    """Type and raising frame only: an exception message might quote scanned data."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}{where}"


def scan_case(case_dir: Path, corpus: Path, verbose: bool) -> CaseResult:
    case = json.loads((case_dir / "case.json").read_text(encoding="utf-8"))
    start = time.perf_counter()
    try:
        result = run_scan(ScanRequest(options=scan_options(case_dir, case)))
    except Exception as exc:  # a crash is what this benchmark counts
        if verbose:
            traceback.print_exc()
        return CaseResult(case_dir.name, case.get("repo", ""), (), 0, time.perf_counter() - start, crash_summary(exc))
    seconds = time.perf_counter() - start
    kept = sorted((f for f in result.findings if not f.suppressed), key=Finding.sort_key)
    records = tuple(finding_record(f, case_dir.name, case_dir, corpus) for f in kept)
    suppressed = sum(1 for f in result.findings if f.suppressed)
    return CaseResult(case_dir.name, case.get("repo", ""), records, suppressed, seconds)


def print_table(results: list[CaseResult]) -> None:
    cats = list(SHORT)
    width = max([len(r.case) for r in results] + [4])
    print(f"{'case':<{width}}  " + " ".join(f"{SHORT[c]:>5}" for c in cats) + f"  {'total':>5}  {'sec':>6}")
    totals: Counter = Counter()
    for r in results:
        counts = Counter(f["category"] for f in r.findings)
        totals.update(counts)
        cells = " ".join(f"{counts.get(c.value, 0):>5}" for c in cats)
        note = f"  CRASH {r.crash}" if r.crash else ""
        print(f"{r.case:<{width}}  {cells}  {len(r.findings):>5}  {r.seconds:>6.2f}{note}")
    cells = " ".join(f"{totals.get(c.value, 0):>5}" for c in cats)
    print(f"{'TOTAL':<{width}}  {cells}  {sum(totals.values()):>5}  {sum(r.seconds for r in results):>6.2f}")


def unique_findings(results: list[CaseResult]) -> list[dict]:
    """One record per fingerprint (the first case that reported it, cases in name order)."""
    seen: dict[str, dict] = {}
    for r in results:
        for f in r.findings:
            seen.setdefault(f["fingerprint"], f)
    return sorted(seen.values(), key=lambda f: (f["rule"], f["fingerprint"]))


# A row of a review table: "| 12 | SS502 | `users-formula/users/init.sls:243` | ...".
REVIEW_ROW = re.compile(r"^\|\s*\d+\s*\|\s*(SS\d+)\s*\|\s*`([^`]+):(\d+)`\s*\|")


def reviewed_locations(doc: Path) -> set[tuple[str, str, int]]:
    """(rule, corpus-relative file, line) of every row of the review tables in ``doc``.

    The review writes repository files without their ``repos/`` prefix."""
    found = set()
    for line in doc.read_text(encoding="utf-8").splitlines():
        m = REVIEW_ROW.match(line)
        if m:
            rule, file, lineno = m.groups()
            file = file if file.startswith("cases/") else f"repos/{file}"
            found.add((rule, file, int(lineno)))
    return found


def exclude_seen(findings: list[dict], locations: set[tuple[str, str, int]], fingerprints: set[str]) -> list[dict]:
    return [
        f for f in findings
        if f["fingerprint"] not in fingerprints and (f["rule"], f["file"], f["line"]) not in locations
    ]


def seeded_order(pool: list[dict], seed: str) -> list[dict]:
    """A deterministic shuffle: by the hash of seed and fingerprint (no PRNG state)."""
    return sorted(pool, key=lambda f: hashlib.sha256(f"{seed}:{f['fingerprint']}".encode()).hexdigest())


def stratified_sample(
    findings: list[dict], size: int, min_frequent: int, min_per_rule: int = 1, seed: str | None = None
) -> list[dict]:
    """At least ``min_per_rule`` per rule, a proportional share otherwise; every k-th by
    fingerprint, or with ``seed`` the first ones in the seeded order (then sorted back
    into rule and fingerprint order)."""
    by_rule: dict[str, list[dict]] = defaultdict(list)
    for f in findings:
        by_rule[f["rule"]].append(f)
    total = len(findings) or 1
    frequent = sorted(by_rule, key=lambda r: (-len(by_rule[r]), r))[:5]
    sample: list[dict] = []
    for rule in sorted(by_rule):
        pool = by_rule[rule]
        quota = max(min_per_rule, math.ceil(size * len(pool) / total))
        if rule in frequent:
            quota = max(quota, min_frequent)
        quota = min(quota, len(pool))
        if seed is None:
            step = len(pool) / quota
            sample += [pool[int(i * step)] for i in range(quota)]
        else:
            picks = seeded_order(pool, seed)[:quota]
            sample += sorted(picks, key=lambda f: f["fingerprint"])
    return sample


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--case", action="append", help="only this case (repeatable)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/corpus_findings.json"))
    parser.add_argument("--sample", type=int, default=0, help="also write a review sample of about this many findings")
    parser.add_argument("--sample-out", type=Path, default=Path("/tmp/corpus_sample.json"))
    parser.add_argument("--min-frequent", type=int, default=4, help="sample size floor for the five most frequent rules")
    parser.add_argument("--min-per-rule", type=int, default=1, help="sample size floor for every rule")
    parser.add_argument("--seed", help="draw each rule's picks in the order of sha256(seed:fingerprint)")
    parser.add_argument("--exclude-reviewed", type=Path, action="append", default=[], metavar="DOC",
                        help="leave out of the sample every rule and file:line of DOC's review tables (repeatable)")
    parser.add_argument("--exclude-fingerprints", type=Path, action="append", default=[], metavar="FILE",
                        help="leave out of the sample every fingerprint in FILE, one a line (repeatable)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print the traceback of a crash")
    args = parser.parse_args(argv)

    corpus = args.corpus.resolve()
    case_dirs = sorted(p.parent for p in (corpus / "cases").glob("*/case.json"))
    if args.case:
        case_dirs = [d for d in case_dirs if d.name in set(args.case)]
    if not case_dirs:
        print(f"no cases under {corpus / 'cases'}", file=sys.stderr)
        return 2

    start = time.perf_counter()
    results = [scan_case(d, corpus, args.verbose) for d in case_dirs]
    wall = time.perf_counter() - start
    print_table(results)

    crashes = [r for r in results if r.crash]
    all_findings = [f for r in results for f in r.findings]
    per_rule = Counter(f["rule"] for f in all_findings)
    unique = unique_findings(results)
    print(f"\n{len(results)} cases, {len(crashes)} crashes, {len(all_findings)} findings "
          f"({len(unique)} distinct by fingerprint), {sum(r.suppressed for r in results)} suppressed, "
          f"{wall:.1f} s wall clock")
    print("per rule: " + ", ".join(f"{rule} {n}" for rule, n in sorted(per_rule.items())))

    report = {
        "corpus": "shared/corpus",
        "cases": [
            {"case": r.case, "repo": r.repo, "crash": r.crash, "findings": len(r.findings), "suppressed": r.suppressed}
            for r in results
        ],
        "findings": all_findings,
    }
    args.out.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"findings written to {args.out}")
    if args.sample:
        locations = set().union(*(reviewed_locations(doc) for doc in args.exclude_reviewed))
        fingerprints = {
            line.strip()
            for path in args.exclude_fingerprints
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        }
        pool = exclude_seen(unique, locations, fingerprints)
        if locations or fingerprints:
            print(f"{len(unique) - len(pool)} of {len(unique)} distinct findings excluded as already reviewed")
            unsampled = sorted(set(f["rule"] for f in unique) - set(f["rule"] for f in pool))
            if unsampled:
                print("rules with no finding left to sample: " + ", ".join(unsampled))
        sample = stratified_sample(pool, args.sample, args.min_frequent, args.min_per_rule, args.seed)
        args.sample_out.write_text(json.dumps(sample, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"review sample of {len(sample)} findings written to {args.sample_out}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
