"""The shared directory under load: many member bodies publishing and pulling at once.

On a throwaway PostgreSQL listening on a Unix socket only (tests/pg_cluster.py's), ``--members``
member roles (20) each publish a study of their own share of ``--records`` organisations
(100,000 in all, each listed with a phone number, a website and a postcode) and then pull the
whole directory into that study, every member in a process of its own and all at once, so
pulls overlap the others' publishes. Printed: the wall time of the lot, each member's
publish and pull (median and slowest), the errors (there must be none: the run fails on any),
and what the server holds at the end (exactly each member's share, owned by it).

The floor is the same rows moved by the bare libraries, again all members at once: each member
COPYs its rows into a table without row-level security in one transaction with bare psycopg,
then reads every row back and inserts it into a plain SQLite table with executemany.

    python bench/directory_load.py [--members 20] [--records 100000] [--quick] [--markdown]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from common import Row, markdown_table, text_table  # noqa: E402

from fieldkit.study import Study  # noqa: E402
from fieldkit.template_toml import find_template  # noqa: E402

POSTCODES = ("YO1 7HH", "YO10 5DD", "HG1 2RQ", "TS9 5AA", "DL8 4NU", "YO8 4AD", "BD23 1AA", "YO21 3EN")


def make_study(path: Path, member: int, count: int) -> None:
    """A member's study: ``count`` organisations with permission to list (phone, website, address
    agreed), through the real creation path. Every fiftieth has a charity number another member's
    study shares, so the directory has duplicates to find."""
    from fieldkit.directory.listing import set_listing

    with Study.create(path, find_template("blank"), title=f"Member {member}") as study:
        ids = study.organisations.add_many([
            {"name": f"Member {member} group {i}", "phone": f"01904 {(member * 100000 + i) % 1000000:06d}",
             "website": f"https://m{member}-g{i}.example.org", "flags": ["permission_to_list"],
             "address": f"{i} High Street, York {POSTCODES[i % len(POSTCODES)]}"} for i in range(count)])
        for i, org in enumerate(ids[::50]):
            set_listing(study, org, fields=["phone", "website", "postcode", "charity_number"],
                        charity_number=f"{1100000 + i}")


def member_run(args: tuple[str, str]) -> tuple[float, float, int, str | None]:
    """One member: publish its study, then pull the directory into it. (publish s, pull s,
    records pulled, error or None)."""
    path, dsn = args
    from fieldkit.directory.publish import publish
    from fieldkit.directory.pull import pull

    try:
        with Study.open(path, backup=False) as study:
            start = time.perf_counter()
            publish(study, dsn)
            published = time.perf_counter()
            result = pull(dsn, study)
            pulled = time.perf_counter()
        return published - start, pulled - published, len(result.new), None
    except Exception as e:  # noqa: BLE001 - every error is counted and printed, not raised
        return 0.0, 0.0, 0, f"{type(e).__name__}: {e}"


def floor_run(args: tuple[str, str, int, int]) -> tuple[float, float]:
    """The floor for one member: bare COPY of its rows in one transaction, then every row read
    back and inserted into a plain SQLite table. (copy s, read-and-insert s)."""
    dsn, folder, member, count = args
    import psycopg

    source = str(uuid.uuid4())
    rows = [(str(uuid.uuid4()), source, f"Member {member} group {i}", f"member {member} group {i}",
             f"+441904{(member * 100000 + i) % 1000000:06d}", f"https://m{member}-g{i}.example.org",
             POSTCODES[i % len(POSTCODES)]) for i in range(count)]
    with psycopg.connect(dsn) as conn:
        start = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur, cur.copy(
                "COPY floor_records (record_id, source, name, name_key, phone, website, postcode) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        copied = time.perf_counter()
        everything = conn.execute("SELECT record_id::text, name, phone, website, postcode FROM floor_records "
                                  "WHERE source <> %s", (source,)).fetchall()
    db = sqlite3.connect(os.path.join(folder, f"floor-{member}.db"))
    db.execute("CREATE TABLE IF NOT EXISTS organisations (record_id TEXT, name TEXT, phone TEXT, website TEXT, "
               "postcode TEXT)")
    with db:
        db.executemany("INSERT INTO organisations VALUES (?, ?, ?, ?, ?)", everything)
    db.close()
    return copied - start, time.perf_counter() - copied


def run(members: int, records: int) -> tuple[list[Row], list[str]]:
    import keyring
    from keyring.backends import fail
    from pg_cluster import running_cluster

    keyring.set_keyring(fail.Keyring())  # the members' passwords stay in memory, never in your keyring

    from fieldkit.directory.server import add_member, init

    share = records // members
    rows: list[Row] = []
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="fk-dir-load-") as folder, \
            running_cluster(max_connections=members * 2 + 20) as cluster:
        with cluster.admin() as conn:
            conn.execute("CREATE DATABASE load")
        init(cluster.dsn("load"))
        dsns = []
        for m in range(members):
            member = add_member(cluster.dsn("load"), f"member_{m:02d}")
            dsns.append(cluster.dsn("load", member.name, member.password))
        made = time.perf_counter()
        paths = [Path(folder) / f"member-{m:02d}.fieldkit" for m in range(members)]
        for m, path in enumerate(paths):
            make_study(path, m, share)
        print(f"made {members} studies of {share:,} organisations in {time.perf_counter() - made:.1f} s", flush=True)

        context = multiprocessing.get_context("fork")
        with context.Pool(members) as pool:
            start = time.perf_counter()
            results = pool.map(member_run, list(zip(map(str, paths), dsns, strict=True)))
            wall = time.perf_counter() - start
        problems += [f"member {m}: {r[3]}" for m, r in enumerate(results) if r[3]]
        with cluster.admin("load") as conn:
            per_owner = dict(conn.execute("SELECT owner, count(*) FROM records GROUP BY owner").fetchall())
            conn.execute("CREATE TABLE floor_records (LIKE records INCLUDING DEFAULTS)")
            conn.execute("GRANT SELECT, INSERT ON floor_records TO load_members")
        expected = {f"member_{m:02d}": share for m in range(members)}
        if per_owner != expected:
            problems.append(f"the server holds {per_owner}, not {share:,} per member")

        with context.Pool(members) as pool:
            start = time.perf_counter()
            floors = pool.map(floor_run, [(dsns[m], folder, m, share) for m in range(members)])
            floor_wall = time.perf_counter() - start

    publishes = [r[0] for r in results if not r[3]] or [0.0]
    pulls = [r[1] for r in results if not r[3]] or [0.0]
    pulled = [r[2] for r in results if not r[3]] or [0]
    note = f"{members} members at once, {len(problems)} errors"
    rows.append(Row(f"directory: {members} members publish + pull", records, wall, floor_wall, "s", "no errors",
                    not problems, note, records))
    rows.append(Row(f"directory: publish {share:,} (median member)", records, statistics.median(publishes),
                    statistics.median(f[0] for f in floors), "s", "", None,
                    f"slowest {max(publishes):.2f} s; floor: bare COPY", share))
    rows.append(Row("directory: pull the directory (median member)", records, statistics.median(pulls),
                    statistics.median(f[1] for f in floors), "s", "", None,
                    f"slowest {max(pulls):.2f} s; {min(pulled):,}–{max(pulled):,} records brought in; "
                    "floor: bare read + SQLite executemany", max(pulled)))
    return rows, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="4 members, 2,000 records")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args(argv)
    members, records = (4, 2000) if args.quick else (args.members, args.records)
    rows, problems = run(members, records)
    print(markdown_table(rows) if args.markdown else text_table(rows))
    for problem in problems:
        print(f"ERROR {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
