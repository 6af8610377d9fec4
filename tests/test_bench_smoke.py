"""The benchmark suite's one command runs and prints its whole table (no timing is asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Every benchmark the suite runs at a size, as its table names them.
BENCHMARKS = (
    "list: sorted ids",
    "list: a page of 200 rows",
    "search as you type (p95)",
    "open a case form (p95)",
    "save an answer (named)",
    "save an answer (anonymous)",
    "import organisations from CSV",
    "report: data + PDF",
    "memory: Organisations screen open",
    "study size per organisation",
)


def test_quick_run_prints_every_benchmark_with_a_figure_and_a_floor(tmp_path):
    out = tmp_path / "rows.json"
    # The demo study of 1,000 is kept in the suite's usual folder (keyed by size and schema),
    # so a second run reuses it rather than making it again.
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "1000", "--quick",
                           "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    rows = json.loads(out.read_text(encoding="utf-8"))
    names = [r["benchmark"] for r in rows]
    assert set(BENCHMARKS) <= set(names), sorted(set(BENCHMARKS) - set(names))
    for row in rows:
        assert row["size"] == 1000
        assert row["figure"] > 0, row
        if row["benchmark"] in BENCHMARKS:
            assert row["floor"] is not None and row["floor"] > 0, row
    table = done.stdout.split("\n\n")[1]  # the table comes after the heading line
    header, rule, *lines = table.splitlines()
    assert header.split()[:4] == ["benchmark", "size", "figure", "floor"]
    for name in BENCHMARKS:
        line = next((t for t in lines if t.startswith(name)), None)
        assert line is not None, f"{name} missing from the printed table"
        assert " 1,000 " in line and "×" in line  # its size and a ratio, printed
    # Start-up comes from bench/startup.py when it has rows(organisations, folder): run, or skipped, and said.
    assert "- start-up at 1,000: skipped" in done.stdout or "from bench/startup.py" in done.stdout
