"""What the fieldwork rules cost over bare SQLite: dispositions, and the Next call queue.

Every organisation's disposition is derived from its status, its interviews and its attempts
(``fieldkit.dispositions``); Next call (``fieldkit.calling``) ranks the organisations still
being called. Each is timed against reading the same rows with the bare SQLite driver fieldkit
runs on (sqlcipher3), on the same file, in the same run.

    python bench/fieldwork.py [--organisations 20000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fieldkit import calling, dispositions, summary  # noqa: E402
from fieldkit.storage import sqlite  # noqa: E402 - the bare driver underneath
from fieldkit.study import Study  # noqa: E402
from fieldkit.template_toml import find_template  # noqa: E402


def timed(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def build(path: Path, n: int, rng: random.Random) -> Study:
    study = Study.create(path, find_template("regional-mapping"))
    template = study.template
    outcomes = [o for o in template.outcomes if not template.outcome_rule(o).final]
    cats = template.categories
    base = dt.datetime(2026, 10, 1, 9, 0)
    with study.transaction():
        for i in range(n):
            org = study.organisations.add(f"Organisation {i}", category=rng.choice(cats),
                                          opening_hours="Mon-Fri 9-5" if rng.random() < 0.3 else None)
            for _ in range(rng.randint(0, 5)):
                at = base + dt.timedelta(days=rng.randint(0, 50), minutes=rng.randint(0, 480))
                study.attempts.log(org, outcome=rng.choice(outcomes), at=at,
                                   callback_at=at + dt.timedelta(days=2) if rng.random() < 0.2 else None)
            roll = rng.random()
            if roll < 0.3:
                study.interviews.start(org).finish("complete" if rng.random() < 0.9 else "partial")
            elif roll < 0.35:
                study.organisations.set_status(org, "declined")
            elif roll < 0.4:
                study.organisations.set_status(org, "excluded", template.exclusion_reasons[0])
    return study


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "fieldwork.fieldkit"
        start = time.perf_counter()
        study = build(path, args.organisations, rng)
        built = time.perf_counter() - start
        raw = sqlite.connect(path)
        ids = study.organisations.ids()
        page = ids[len(ids) // 2: len(ids) // 2 + 200]
        marks = ",".join("?" * len(page))
        now = dt.datetime(2026, 11, 25, 10, 0)

        def bare_rows(where: str = "", params: tuple = ()) -> None:
            raw.execute(f"SELECT id, status, exclusion_reason FROM organisations o {where}", params).fetchall()
            raw.execute(f"SELECT organisation_id, result, completed, id FROM interviews i "
                        f"{where.replace('o.id', 'i.organisation_id')} ORDER BY organisation_id", params).fetchall()
            raw.execute(f"SELECT organisation_id, at, id, outcome FROM attempts a "
                        f"{where.replace('o.id', 'a.organisation_id')}", params).fetchall()

        cases = [
            ("every organisation's disposition",
             lambda: dispositions.of_organisations(study), lambda: bare_rows()),
            ("one page of 200 dispositions",
             lambda: dispositions.of_organisations(study, page),
             lambda: bare_rows(f"WHERE o.id IN ({marks})", tuple(page))),
            ("Next call",
             lambda: calling.next_call(study, now),
             lambda: raw.execute(calling.CANDIDATES).fetchall()),
            ("the method summary with dispositions and rates",
             lambda: summary.method(study), lambda: bare_rows()),
        ]
        print(f"{args.organisations} organisations built in {built:.1f} s "
              f"({study.attempts.count()} attempts, {study.interviews.count()} interviews)")
        print(f"{'what':<48} {'fieldkit':>10} {'floor':>10} {'ratio':>7}")
        for what, ours, floor in cases:
            ours()
            floor()
            t, f = timed(ours, args.rounds), timed(floor, args.rounds)
            print(f"{what:<48} {t * 1000:>8.1f}ms {f * 1000:>8.1f}ms {t / f:>6.2f}x")
        raw.close()
        study.close()


if __name__ == "__main__":
    main()
