"""The whole benchmark suite in one command, as one table, with how each figure grows with the study.

At each size it makes (or reuses) the demo study of that many organisations with
``fieldkit demo`` and runs, each benchmark in a process of its own: the organisation list
(sorted ids, a page of 200 rows), search as you type, opening a case form, saving an answer,
importing organisations from CSV, the report, memory with the study open, the study's size
per organisation, and start-up (bench/startup.py, when there is one). It prints one table
(fieldkit's figure, the floor measured in the same run, the ratio, the target and whether it
was met), the objects that take most of the largest study, and a growth table: each figure
from one size to the next beside the growth of what the work handles, flagged where the
figure grows faster than that.

    python bench/run.py [--sizes 1000,10000] [--quick] [--markdown] [--json FILE]

``--quick`` runs each benchmark once with small counts (the test suite's smoke run).
Demo studies are kept in ``--folder`` (default /tmp/fieldkit-bench), one per size and schema.
Exits with status 1 when a benchmark failed (a target missed is reported, not a failure).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import inspect
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    DEFAULT_FOLDER, Row, aligned, demo_build_seconds, demo_path, demo_study, markdown, markdown_table, number,
    private_home, text_table,
)

HERE = Path(__file__).resolve().parent
#: The suite's benchmarks: the module in bench/ and the function returning its rows.
BENCHMARKS = (
    ("organisations", "suite_rows"),  # sorted ids, a page of 200 rows, search as you type
    ("case_form", "suite_rows"),
    ("save_answer", "suite_rows"),
    ("import_csv", "suite_rows"),
    ("report", "suite_rows"),
    ("memory", "suite_rows"),
    ("study_size", "suite_rows"),
    ("startup", "rows"),  # written separately: run when bench/startup.py has rows(organisations, folder)
)
#: How much faster than what it handles a figure may grow before the growth table flags it
#: (timings on a shared machine wander by this much from one run to the next).
SLACK = 1.5
ROWS_MARK = "ROWS "


def startup_available() -> bool:
    """True when bench/startup.py exists and has ``rows(organisations, folder)``."""
    if not (HERE / "startup.py").exists():
        return False
    try:
        return callable(getattr(importlib.import_module("startup"), "rows", None))
    except Exception:  # noqa: BLE001 - a module that does not import is one to skip, and say so
        return False


def child(module: str, function: str, organisations: int, folder: Path, quick: bool) -> None:
    """Run one benchmark in this process and print its rows as JSON on the last line."""
    fn = getattr(importlib.import_module(module), function)
    if function == "suite_rows":
        rows = fn(organisations, folder, quick=quick)
    elif quick and "rounds" in inspect.signature(fn).parameters:  # bench/startup.py's rows(…, rounds=)
        rows = fn(organisations, folder, rounds=1)
    else:
        rows = fn(organisations, folder)
    print(ROWS_MARK + json.dumps([dataclasses.asdict(r) for r in rows]), flush=True)


def run_one(module: str, function: str, organisations: int, folder: Path, quick: bool) -> list[Row]:
    """One benchmark in a process of its own (so none inherits another's caches, memory or
    Qt application); its rows, or a RuntimeError with the end of what it printed."""
    command = [sys.executable, __file__, "--child", f"{module}:{function}", "--sizes", str(organisations),
               "--folder", str(folder)] + (["--quick"] if quick else [])
    done = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
    marked = [line for line in done.stdout.splitlines() if line.startswith(ROWS_MARK)]
    if done.returncode != 0 or not marked:
        tail = (done.stderr.strip().splitlines() or done.stdout.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"{module} at {organisations:,} failed (status {done.returncode}): {tail}")
    return [Row(**r) for r in json.loads(marked[-1][len(ROWS_MARK):])]


def growth_table(rows: list[Row], sizes: list[int]) -> tuple[list[list[str]], list[str]]:
    """Each benchmark's figure at every size and, from one size to the next, how much it grew
    beside how much what it handles grew; and the flags where the figure grew faster than that
    (by more than ``SLACK``)."""
    by: dict[str, dict[int, Row]] = {}
    for r in rows:
        by.setdefault(r.benchmark, {})[r.size] = r
    pairs = list(zip(sizes, sizes[1:], strict=False))
    grid = [["benchmark", *(f"{s:,}" for s in sizes), *(f"{a:,}→{b:,}: figure (handled)" for a, b in pairs),
             "worse than linear"]]
    flags = []
    for name, at in by.items():
        cells = [name, *(f"{number(at[s].figure)} {at[s].unit}" if s in at else "" for s in sizes)]
        worse = []
        for a, b in pairs:
            if a not in at or b not in at or at[a].figure <= 0 or at[a].shown <= 0:
                cells.append("")
                continue
            grew, handled = at[b].figure / at[a].figure, at[b].shown / at[a].shown
            cells.append(f"×{grew:.2f} (×{handled:.3g})")
            if grew > SLACK * handled:
                worse.append(f"{a:,}→{b:,}")
                flags.append(f"{name}: ×{grew:.2f} from {a:,} to {b:,} organisations, where what it handles "
                             f"grew ×{handled:.3g}")
        cells.append("FLAG " + ", ".join(worse) if worse else "")
        grid.append(cells)
    return grid, flags


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="organisations, comma-separated (default 1000,10000; "
                        "add 100000 for the full table: its demo study takes about 13 minutes to make, once)")
    parser.add_argument("--quick", action="store_true", help="one round each and small counts (the smoke run)")
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER, help="where the demo studies are kept")
    parser.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    parser.add_argument("--json", type=Path, help="also write the rows to this file as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    args.folder.mkdir(parents=True, exist_ok=True)
    private_home(args.folder)  # settings and backups of the benchmarks' studies stay in the folder
    if args.child:
        module, function = args.child.split(":")
        child(module, function, sizes[0], args.folder, args.quick)
        return 0

    began = time.perf_counter()
    rows: list[Row] = []
    problems: list[str] = []
    notes: list[str] = []
    for size in sizes:
        start = time.perf_counter()
        fresh = not demo_path(size, args.folder).exists()
        if fresh:
            print(f"  making the demo study of {size:,} organisations with fieldkit demo (once; it is kept)",
                  file=sys.stderr, flush=True)
        demo_study(size, args.folder)
        took = demo_build_seconds(size, args.folder)
        notes.append(f"demo study of {size:,} organisations: {'made' if fresh else 'reused'}"
                     + (f" (fieldkit demo took {took:,.0f} s)" if took is not None else ""))
        for module, function in BENCHMARKS:
            if module == "startup" and not startup_available():
                notes.append(f"start-up at {size:,}: skipped, bench/startup.py has no rows(organisations, folder)")
                continue
            try:
                found = run_one(module, function, size, args.folder, args.quick)
            except RuntimeError as e:
                problems.append(str(e))
                continue
            rows += found
            if module == "startup":
                notes.append(f"start-up at {size:,}: {len(found)} row{'s' if len(found) != 1 else ''} "
                             "from bench/startup.py")
            print(f"  {module} at {size:,} done ({time.perf_counter() - start:,.0f} s)", file=sys.stderr, flush=True)

    table = markdown_table if args.markdown else text_table
    print(f"fieldkit benchmarks at {', '.join(f'{s:,}' for s in sizes)} organisations"
          f"{' (quick: one round each)' if args.quick else ''}; ratio = figure / floor\n")
    print(table(rows))
    met = [r.met for r in rows if r.met is not None]
    print(f"\n{sum(met)} of {len(met)} targets met")
    for line in notes:
        print(f"- {line}")
    if rows:
        import study_size

        print(f"\nWhat the study of {sizes[-1]:,} organisations is made of (the ten largest objects):\n")
        grid = study_size.breakdown(sizes[-1], args.folder)
        print(markdown(grid) if args.markdown else aligned(grid, right={2, 3, 4}))
    if len(sizes) > 1:
        grid, flags = growth_table(rows, sizes)
        print("\nGrowth: each figure from one size to the next, beside (in brackets) the growth of what "
              f"the work handles; flagged where the figure grew more than {SLACK}× faster\n")
        print(markdown(grid) if args.markdown else aligned(grid))
        print("\n" + ("\n".join(f"- worse than linear: {f}" for f in flags) if flags else "nothing worse than linear"))
    print(f"\nthe suite took {(time.perf_counter() - began) / 60:,.1f} minutes")
    for p in problems:
        print(f"FAILED: {p}")
    if args.json:
        args.json.write_text(json.dumps([dataclasses.asdict(r) for r in rows], indent=1, ensure_ascii=False),
                             encoding="utf-8")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
