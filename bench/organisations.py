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
from fieldkit.template_toml import find_template  # noqa: E402

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
             lambda: raw.execute("SELECT id FROM organisations ORDER BY name_key, name, id").fetchall()),
            ("ids in one category, by name",
             lambda: study.organisations.ids(category=cats[1]),
             lambda: raw.execute("SELECT id FROM organisations WHERE category = ? ORDER BY name_key, name, id",
                                 (cats[1],)).fetchall()),
            ("ids matching a search word",
             lambda: study.organisations.ids(search="somali"),
             lambda: raw.execute(
                 "SELECT id FROM organisations WHERE id IN (SELECT organisation_id FROM search_index "
                 "WHERE search_index MATCH ?) ORDER BY name_key, name, id", (f'"{term}"',)).fetchall()),
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


#: What the search-as-you-type benchmark types, a character at a time: each prefix is one search.
TYPED = ("community centre", "polish women")


def _typed_prefixes() -> list[str]:
    return [phrase[:i] for phrase in TYPED for i in range(1, len(phrase) + 1) if not phrase[:i].endswith(" ")]


def _bare_search(raw, query: str) -> None:
    """The same search through the bare driver: each term matched by FTS5 (or, when it is
    shorter than a trigram, as fieldkit's search does: the start of a name's word through the
    name's index for Latin letters, else LIKE), the matching ids sorted by name, in one
    statement. The list's counts (by status, in interview) are fieldkit's own extra work."""
    from fieldkit.search import NAME_WORD_START, _like_pattern, _match_expression, name_word_start_params, terms

    where, params = [], []
    for term in terms(query):
        if len(term) < 3 and term.isascii():
            where.append(NAME_WORD_START)
            params.extend(name_word_start_params(term))
        elif len(term) >= 3:
            where.append("o.id IN (SELECT organisation_id FROM search_index WHERE search_index MATCH ?)")
            params.append(_match_expression(term))
        else:
            where.append("o.id IN (SELECT organisation_id FROM search_index WHERE text LIKE ? ESCAPE '\\')")
            params.append(_like_pattern(term))
    clause = " WHERE " + " AND ".join(where)
    raw.execute(f"SELECT o.id FROM organisations o{clause} ORDER BY o.name_key, o.name, o.id", params).fetchall()


def suite_rows(organisations: int, folder: Path, *, quick: bool = False) -> list:
    """The organisation list on the demo study of that size, for bench/run.py: the sorted ids and a
    page of 200 rows (each against the same queries through the bare driver), and search as you
    type (every prefix of a few typed words, one search each, as the list runs them)."""
    from common import Row, demo_study, p95, samples

    rounds = 1 if quick else 7
    path = demo_study(organisations, folder)
    study = Study.open(path, read_only=True, backup=False)  # the list reads on a read-only connection
    raw = sqlite.connect(path)
    try:
        ids = study.organisations.ids()
        page = ids[len(ids) // 2: len(ids) // 2 + 200]
        marks = ",".join("?" * len(page))
        found: list[Row] = []
        for label, shown, ours, floor in (
            ("list: sorted ids", len(ids), lambda: study.organisations.ids(),
             lambda: raw.execute("SELECT id FROM organisations ORDER BY name_key, name, id").fetchall()),
            ("list: a page of 200 rows", len(page), lambda: study.organisations.many(page),
             lambda: (raw.execute(f"SELECT * FROM organisations WHERE id IN ({marks})", page).fetchall(),
                      raw.execute(f"SELECT organisation_id, flag FROM flags WHERE organisation_id IN ({marks})",
                                  page).fetchall())),
        ):
            ours(), floor()  # warm: the cache, not the first read from disk, is what a list sees
            t_ours = statistics.median(samples(ours, rounds))
            t_floor = statistics.median(samples(floor, rounds))
            found.append(Row(label, organisations, t_ours * 1e3, t_floor * 1e3, "ms", "≤1.5×",
                             t_ours <= 1.5 * t_floor, f"{shown:,} shown", shown=shown))
        prefixes = _typed_prefixes()
        ours_by: dict[str, list[float]] = {p: [] for p in prefixes}
        floor_by: dict[str, list[float]] = {p: [] for p in prefixes}
        matches = {p: len(study.organisations.ids(search=p)) for p in prefixes}  # and warms the index
        for _ in range(rounds):
            for p in prefixes:  # in the order typed, one after another, as the list asks
                ours_by[p] += samples(lambda p=p: study.organisations.ids_with_counts(search=p), 1)
                floor_by[p] += samples(lambda p=p: _bare_search(raw, p), 1)
        t_ours = p95([statistics.median(v) for v in ours_by.values()])
        t_floor = p95([statistics.median(v) for v in floor_by.values()])
        slowest = max(prefixes, key=lambda p: statistics.median(ours_by[p]))
        found.append(Row("search as you type (p95)", organisations, t_ours * 1e3, t_floor * 1e3, "ms",
                         "p95 <50 ms, ≤2×", t_ours < 0.050 and t_ours <= 2 * t_floor,
                         f"{len(prefixes)} prefixes; slowest '{slowest}' ({matches[slowest]:,} found); "
                         f"up to {max(matches.values()):,} found", shown=max(matches.values())))
        return found
    finally:
        raw.close()
        study.close()


if __name__ == "__main__":
    main()
