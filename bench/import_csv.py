"""How much does fieldkit add to importing organisations from a CSV file, over sqlite-utils
writing the same rows?

fieldkit reads the file (decoding, delimiter, limits), maps and checks every cell, looks for
organisations that may already be in the study, backs the study up and writes each
organisation with its contact, flags and search entry in one transaction. The floor is
sqlite-utils' own ``insert_all`` of the same rows (already parsed, one dict per organisation,
plus a contacts table) into a fresh SQLite file, in one transaction: the bare work of storing
them.

    python bench/import_csv.py [--organisations 100000]

A second floor writes the same rows with the bare driver into a study's own tables, with
its indexes and its trigram search index, to show what storing costs before fieldkit's work.

Prints the times and the ratios (measured in the same run).
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlite_utils  # noqa: E402

from fieldkit.organisation_import import import_organisations  # noqa: E402
from fieldkit.study import Study  # noqa: E402
from fieldkit.template_toml import find_template  # noqa: E402

HEADER = ["name", "category", "area", "contact_name", "contact_role", "phone", "email", "address", "follow_up"]


def rows(count: int, template) -> list[list[str]]:
    categories, areas = template.categories, template.areas or ("",)
    return [[f"Community Group {i}", categories[i % len(categories)], areas[i % len(areas)], f"Person {i}",
             "Coordinator", f"0113 {100000 + i}", f"group{i}@example.org", f"{i} High Street, Leeds LS{i % 30} 1AA",
             "yes" if i % 3 == 0 else ""] for i in range(count)]


def floor(folder: Path, data: list[list[str]]) -> float:
    db = sqlite_utils.Database(folder / "floor.db")
    db.execute("PRAGMA journal_mode = WAL")
    start = time.perf_counter()
    with db.conn:
        db["organisations"].insert_all(
            ({"id": i + 1, "name": r[0], "category": r[1], "area": r[2], "phone": r[5], "email": r[6],
              "address": r[7], "status": "identified"} for i, r in enumerate(data)), pk="id", batch_size=1000)
        db["contacts"].insert_all(({"organisation_id": i + 1, "name": r[3], "role": r[4]}
                                   for i, r in enumerate(data)), batch_size=1000)
    return time.perf_counter() - start


def schema_floor(folder: Path, data: list[list[str]]) -> float:
    """The same rows written by the bare driver into a study's own tables, with its indexes and
    its full-text index (trigram FTS5): what storing them costs before any of fieldkit's work."""
    with Study.create(folder / "schema-floor.fieldkit", find_template("regional-mapping")) as study:
        conn = study.conn
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO organisations(id, name, category, area, phone, email, address, status, created, updated) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'identified', '2026-01-01T00:00:00', '2026-01-01T00:00:00')",
            [(i + 1, r[0], r[1], r[2], r[5], r[6], r[7]) for i, r in enumerate(data)])
        conn.executemany("INSERT INTO contacts(organisation_id, name, role) VALUES (?, ?, ?)",
                         [(i + 1, r[3], r[4]) for i, r in enumerate(data)])
        conn.executemany("INSERT INTO search_index(rowid, kind, ref, organisation_id, text) "
                         "VALUES (?, 'organisation', ?, ?, ?)",
                         [(2 * (i + 1), i + 1, i + 1, "\n".join(r[:8]).lower()) for i, r in enumerate(data)])
        conn.execute("COMMIT")
        return time.perf_counter() - start


def fieldkit_import(folder: Path, path: Path) -> tuple[float, int]:
    with Study.create(folder / "bench.fieldkit", find_template("regional-mapping")) as study:
        start = time.perf_counter()
        result = import_organisations(study, path)
        return time.perf_counter() - start, result.rows


def suite_rows(organisations: int, folder: Path, *, quick: bool = False) -> list:
    """Importing that many organisations from CSV into a new study against sqlite-utils'
    ``insert_all`` of the same rows; for bench/run.py (the import runs once at each size)."""
    from common import Row, forget_backups

    data = rows(organisations, find_template("regional-mapping"))
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        work = Path(tmp)
        path = work / "orgs.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([HEADER, *data])
        bare = floor(work, data)
        took, count = fieldkit_import(work, path)
        forget_backups(work / "bench.fieldkit")
    assert count == organisations
    return [Row("import organisations from CSV", organisations, took, bare, "s", "≤2×", took <= 2 * bare,
                f"{organisations:,} rows; floor: sqlite-utils insert_all", shown=organisations)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=100_000)
    args = parser.parse_args()
    template = find_template("regional-mapping")
    data = rows(args.organisations, template)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "orgs.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([HEADER, *data])
        bare = floor(folder, data)
        schema = schema_floor(folder, data)
        took, count = fieldkit_import(folder, path)
    assert count == args.organisations
    print(f"{args.organisations:,} organisations from CSV: fieldkit {took:.2f} s; "
          f"sqlite-utils insert_all {bare:.2f} s (ratio {took / bare:.2f}x); the same rows into the study's "
          f"own tables, indexes and search index by the bare driver {schema:.2f} s (ratio {took / schema:.2f}x)")


if __name__ == "__main__":
    main()
