"""Hold each module's coverage to its floor after the whole suite ran (`make test`).

Views, services and selectors (any module whose path names one of them) need 90% of
their lines run, every other module 80%. Reads the data pytest-cov left in `.coverage`
(sources and omissions: .coveragerc), prints each module under its floor, and exits 1
if there is one.

    python tests/coverage_floor.py
"""

import json
import os
import sys
import tempfile
from pathlib import Path

import coverage

ROOT = Path(__file__).resolve().parent.parent
STRICT = ("views", "services", "selectors")
STRICT_FLOOR = 90.0
FLOOR = 80.0


def floor_of(path):
    """The floor for a module, by its path relative to the project."""
    return STRICT_FLOOR if any(word in path for word in STRICT) else FLOOR


def percentages(data_file=ROOT / ".coverage"):
    """{relative path: percent of its lines run} for every module the report lists
    (those never imported too)."""
    if not Path(data_file).exists():
        sys.exit(f"No coverage data at {data_file}: run the suite with --cov first.")
    cov = coverage.Coverage(data_file=str(data_file), config_file=str(ROOT / ".coveragerc"))
    cov.load()
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "coverage.json"
        cov.json_report(outfile=str(report))
        files = json.loads(report.read_text())["files"]
    return {
        Path(name).resolve().relative_to(ROOT).as_posix(): entry["summary"]["percent_covered"]
        for name, entry in files.items()
        if entry["summary"]["num_statements"]
    }


def under_floor(covered):
    """(path, percent, floor) for each module below its floor, lowest first."""
    low = [(path, pct, floor_of(path)) for path, pct in covered.items() if pct < floor_of(path)]
    return sorted(low, key=lambda row: row[1])


def main():
    os.chdir(ROOT)  # the report names modules relative to the project
    covered = percentages()
    low = under_floor(covered)
    if not low:
        print(f"Coverage floors met: {len(covered)} modules (views, services, selectors ≥ 90%).")
        return 0
    print(f"\n{len(low)} module(s) under their coverage floor:")
    for path, pct, floor in low:
        print(f"  {pct:5.1f}% < {floor:.0f}%  {path}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
