"""How much disk a study takes per organisation, and which tables and indexes take it.

The demo study of a size (checkpointed: one file) is measured as a whole, divided by its
organisations, beside the floor: the bytes of the records themselves (the payload SQLite's
``dbstat`` counts in the ordinary tables), without indexes, the search indexes' tables or the
free space of pages. The breakdown lists the objects that take the most pages. sqlcipher3's
SQLite is built without ``dbstat``, so the plain study is read with the standard library's
sqlite3, which has it on most builds.

    python bench/study_size.py [--organisations 1000]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DEFAULT_FOLDER, Row, aligned, demo_study, number, private_home, text_table  # noqa: E402

KB = 1024


def objects(path: Path) -> list[tuple[str, str, int, int]]:
    """Every table and index of the study as ``(name, kind, bytes of pages, bytes of payload)``,
    largest first; kind is "table", "index" or "search" (a full-text index's own tables), and
    the free pages come as one more entry, "(free pages)"."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        try:
            sized = conn.execute("SELECT name, SUM(pgsize), SUM(payload) FROM dbstat GROUP BY name").fetchall()
        except sqlite3.OperationalError as e:
            raise RuntimeError(f"this Python's SQLite has no dbstat ({e}): cannot break the study down") from None
        kinds = dict(conn.execute("SELECT name, type FROM sqlite_master").fetchall())
        searches = [n for n, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
                    if sql and "VIRTUAL TABLE" in sql.upper()]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0] * conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()

    def kind(name: str) -> str:
        if any(name.startswith(f"{s}_") for s in searches):
            return "search"
        return "index" if kinds.get(name, "index") == "index" else "table"  # sqlite_autoindex_*: an index

    found = [(name, kind(name), pages, payload) for name, pages, payload in sized]
    if free:
        found.append(("(free pages)", "free", free, 0))
    return sorted(found, key=lambda o: -o[2])


def suite_rows(organisations: int, folder: Path, *, quick: bool = False) -> list[Row]:
    """The study's size per organisation against its records' own bytes, for bench/run.py."""
    path = demo_study(organisations, folder)
    size = path.stat().st_size
    records = sum(payload for _, kind, _, payload in objects(path) if kind == "table")
    return [Row("study size per organisation", organisations, size / organisations / KB,
                records / organisations / KB, "KB/org", "", None,
                f"file {size / KB / KB:,.1f} MB; floor: the records' own bytes, no index")]


def breakdown(organisations: int, folder: Path, top: int = 10) -> list[list[str]]:
    """The ``top`` objects of the demo study of that size by the pages they take, as table cells
    (the first row the header)."""
    path = demo_study(organisations, folder)
    size = path.stat().st_size
    rows = [[name, kind, f"{number(pages / KB / KB)} MB", f"{pages / size:.0%}",
             f"{number(pages / organisations / KB)} KB/org"] for name, kind, pages, _ in objects(path)[:top]]
    return [["object", "kind", "pages", "share", "per organisation"], *rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=1000)
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER, help="where demo studies are kept")
    args = parser.parse_args()
    private_home(args.folder)
    print(text_table(suite_rows(args.organisations, args.folder)))
    print()
    print(aligned(breakdown(args.organisations, args.folder), right={2, 3, 4}))


if __name__ == "__main__":
    main()
