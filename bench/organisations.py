"""What the organisation list costs over bare SQLite, on a large study.

A list view asks the core for the filtered, sorted ids (``Organisations.ids``) and then for
one page of rows at a time (``Organisations.many``). Each is timed against the same query
run with the bare SQLite driver fieldkit runs on (sqlcipher3) on the same file, in the same run.

    python bench/organisations.py [--organisations 100000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fieldkit.demo import AREAS  # noqa: E402 - the template has none: the demo's West Midlands ones
from fieldkit.storage import sqlite  # noqa: E402 - the bare driver underneath
from fieldkit.search import normalise  # noqa: E402
from fieldkit.study import Study  # noqa: E402
from fieldkit.templates import find_template  # noqa: E402

WORDS = ("Community", "Forum", "Network", "Association", "Centre", "Trust", "Polish", "Somali",
         "Chinese", "Bangladeshi", "Youth", "Women's", "Elders", "Refugee", "Advice", "Faith")


def timed(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "big.fieldkit"
        study = Study.create(path, find_template("regional-mapping").with_values("areas", AREAS))
        cats, areas = study.template.categories, study.template.areas
        start = time.perf_counter()
        with study.transaction():
            for i in range(args.organisations):
                name = " ".join(rng.sample(WORDS, 3)) + f" {i}"
                study.organisations.add(name, category=rng.choice(cats), area=rng.choice(areas),
                                        contacts=[{"name": f"Person {i}"}])
        built = time.perf_counter() - start
        raw = sqlite.connect(path)
        ids = study.organisations.ids()
        page = ids[len(ids) // 2: len(ids) // 2 + 200]
        marks = ",".join("?" * len(page))
        term = normalise("somali")
        cases = [
            ("all ids, sorted by name",
             lambda: study.organisations.ids(),
             lambda: raw.execute("SELECT id FROM organisations ORDER BY name COLLATE NOCASE, id").fetchall()),
            ("ids in one category, by name",
             lambda: study.organisations.ids(category=cats[1]),
             lambda: raw.execute("SELECT id FROM organisations WHERE category = ? ORDER BY name COLLATE NOCASE, id",
                                 (cats[1],)).fetchall()),
            ("ids matching a search word",
             lambda: study.organisations.ids(search="somali"),
             lambda: raw.execute(
                 "SELECT id FROM organisations WHERE id IN (SELECT organisation_id FROM search_index "
                 "WHERE search_index MATCH ?) ORDER BY name COLLATE NOCASE, id", (f'"{term}"',)).fetchall()),
            ("one page of 200 rows with flags",
             lambda: study.organisations.many(page),
             lambda: (raw.execute(f"SELECT * FROM organisations WHERE id IN ({marks})", page).fetchall(),
                      raw.execute(f"SELECT organisation_id, flag FROM flags WHERE organisation_id IN ({marks})",
                                  page).fetchall())),
        ]
        print(f"{args.organisations} organisations (built through the core in {built:.1f} s), "
              f"median of {args.rounds} rounds")
        for label, ours, floor in cases:
            t_ours, t_floor = timed(ours, args.rounds), timed(floor, args.rounds)
            print(f"{label:34} fieldkit {t_ours * 1e3:8.2f} ms   sqlite  {t_floor * 1e3:8.2f} ms   "
                  f"ratio {t_ours / t_floor:5.2f}x")
        raw.close()
        study.close()


if __name__ == "__main__":
    main()
