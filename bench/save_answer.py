"""How much does fieldkit add to saving one answer, over the bare SQLite write underneath?

The interview screen saves an answer on every pause in typing, so this is the hot write path.
The floor is the same durable write done with the SQLite library fieldkit runs on (SQLCipher's,
through sqlcipher3) alone: one upsert and a COMMIT, in WAL mode with synchronous=FULL, on a
file in the same folder. fieldkit also validates the value, marks the answer for the search
index and, for anonymous questions, holds the answer with its interview; the search entries of
each 40 named answers (an interview's worth) are written out together and timed with them, as
leaving an interview or searching writes them. The same
is measured for an encrypted study against an encrypted floor (the same raw key), and for a
schedule with question logic (60 questions in chains of relevance, constraints and a running
total: every save checks the constraint, works the logic out again, stores the total and
updates the marks of answers no longer asked).

    python bench/save_answer.py [--saves 400]

Prints times per save and the ratio to the floor (measured in the same run).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fieldkit.storage import sqlite  # noqa: E402 - the bare driver underneath
from fieldkit.study import Study  # noqa: E402
from fieldkit.template_toml import find_template, template_from_dict  # noqa: E402

PASSPHRASE = "benchmark passphrase"
#: Answers saved before their search entries are written out, timed with the saves: one
#: interview's named answers (entries wait until the interview is left, or someone searches).
SITTING = 40


def floor(folder: Path, saves: int, texts: list[str], *, encrypted: bool = False) -> float:
    path = folder / f"floor-{encrypted}.db"
    key = sqlite.new_key(PASSPHRASE) if encrypted else None
    conn = sqlite.connect(path, key=key, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE answers (interview_id INTEGER, question_id TEXT, value TEXT, "
                 "PRIMARY KEY (interview_id, question_id)) WITHOUT ROWID")
    start = time.perf_counter()
    for i in range(saves):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO answers VALUES (1, ?, ?) ON CONFLICT(interview_id, question_id) "
                     "DO UPDATE SET value = excluded.value", (f"q{i % 8}", json.dumps(texts[i])))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed / saves


def timed_saves(study: Study, session, questions: list[str], texts: list[str]) -> float:
    """Seconds per save of ``texts`` in turn to ``questions``, the search entries written out
    every SITTING answers and at the end, timed with them."""
    start = time.perf_counter()
    for i, text in enumerate(texts):
        session.save_answer(questions[i % len(questions)], text)
        if (i + 1) % SITTING == 0:
            study.search.write_pending()
    study.search.write_pending()
    return (time.perf_counter() - start) / len(texts)


def fieldkit_saves(folder: Path, saves: int, texts: list[str], *, anonymous: bool,
                   encrypted: bool = False) -> float:
    with Study.create(folder / f"bench-{anonymous}-{encrypted}.fieldkit", find_template("regional-mapping"),
                      passphrase=PASSPHRASE if encrypted else None) as study:
        org = study.organisations.add("Benchmark Community Forum", category="BME network")
        session = study.interviews.start(org)
        questions = [q.id for q in study.template.questions()
                     if q.type == "long_text" and q.anonymous == anonymous]
        return timed_saves(study, session, questions, texts[:saves])


def logic_template(n: int = 60):
    """``n`` number questions, each asked only if the one before is answered, each with a range
    as a constraint, and a calculated running total at the end."""
    questions = [{"id": "q0", "type": "number", "label": "Question 0", "constraint": ". >= 0 and . <= 500"}]
    for i in range(1, n):
        questions.append({"id": f"q{i}", "type": "number", "label": f"Question {i}",
                          "relevant": f"${{q{i - 1}}} != ''", "constraint": ". >= 0 and . <= 500",
                          "constraint_message": "Between 0 and 500"})
    questions.append({"id": "total", "type": "calculate", "label": "Total",
                      "calculation": " + ".join(f"coalesce(${{q{i}}}, 0)" for i in range(n))})
    return template_from_dict({"template": {"title": "Logic", "description": "Benchmark."},
                               "sections": [{"id": "A", "title": "Numbers", "questions": questions}]},
                              source="benchmark")


def logic_saves(folder: Path, saves: int) -> float:
    with Study.create(folder / "bench-logic.fieldkit", logic_template()) as study:
        session = study.interviews.start(study.organisations.add("Benchmark Community Forum"))
        for i in range(59):  # every question asked: the logic has the whole chain to work out
            session.save_answer(f"q{i}", i)
        start = time.perf_counter()
        for i in range(saves):
            session.save_answer(f"q{i % 59}", i % 500)
        return (time.perf_counter() - start) / saves


def suite_rows(organisations: int, folder: Path, *, quick: bool = False) -> list:
    """Saving one answer, named and anonymous, in a new interview on (a copy of) the demo study
    of that size, against the bare upsert + COMMIT; for bench/run.py."""
    import shutil

    from common import Row, copy_study, demo_study

    saves, rounds = (20, 1) if quick else (200, 3)
    base = "Small groups tell us the forms are too long and the deadlines too short "
    texts = [base[: 20 + (i * 7) % len(base)] + str(i) for i in range(saves)]
    work = Path(tempfile.mkdtemp(prefix="save-answer-", dir=folder))
    try:
        path = copy_study(demo_study(organisations, folder), work / "study.fieldkit")
        floors: list[float] = []
        ours: dict[bool, list[float]] = {False: [], True: []}
        with Study.open(path, backup=False) as study:
            session = study.interviews.start(study.organisations.ids(status="identified", limit=1)[0])
            for n in range(rounds):
                (work / str(n)).mkdir()
                floors.append(floor(work / str(n), saves, texts))
                for anonymous in (False, True):
                    questions = [q.id for q in study.template.questions()
                                 if q.type == "long_text" and q.anonymous == anonymous]
                    ours[anonymous].append(timed_saves(study, session, questions, texts[:saves]))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    bare = statistics.median(floors)
    return [Row(f"save an answer ({'anonymous' if anonymous else 'named'})", organisations,
                statistics.median(times) * 1e3, bare * 1e3, "ms", "≤1.5×", statistics.median(times) <= 1.5 * bare,
                f"median of {rounds} × {saves} saves")
            for anonymous, times in ours.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    base = "Small groups tell us the forms are too long and the deadlines too short "
    texts = [base[: 20 + (i * 7) % len(base)] + str(i) for i in range(args.saves)]
    results: dict[tuple[str, bool], list[float]] = {}
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as d:
            folder = Path(d)
            for encrypted in (False, True):
                results.setdefault(("floor", encrypted), []).append(
                    floor(folder, args.saves, texts, encrypted=encrypted))
                for kind in ("named", "anonymous"):
                    results.setdefault((kind, encrypted), []).append(fieldkit_saves(
                        folder, args.saves, texts, anonymous=kind == "anonymous", encrypted=encrypted))
            results.setdefault(("logic", False), []).append(logic_saves(folder, args.saves))
    print(f"saves per run: {args.saves}, rounds: {args.rounds} (medians below)")
    for encrypted in (False, True):
        what = "encrypted" if encrypted else "plain"
        f = statistics.median(results[("floor", encrypted)])
        print(f"{what}: floor (upsert + commit, WAL, synchronous=FULL): {f * 1e3:.3f} ms per save")
        for kind in ("named", "anonymous"):
            t = statistics.median(results[(kind, encrypted)])
            print(f"{what}: fieldkit save_answer, {kind:9}: {t * 1e3:.3f} ms per save, ratio {t / f:.2f}x the floor")
        if not encrypted:
            t = statistics.median(results[("logic", False)])
            print(f"{what}: fieldkit save_answer, 60 questions of logic: {t * 1e3:.3f} ms per save, "
                  f"ratio {t / f:.2f}x the floor")


if __name__ == "__main__":
    main()
