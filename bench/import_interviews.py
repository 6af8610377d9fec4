"""How much does fieldkit add to importing interviews from another tool, over the bare driver
writing the same answer rows?

fieldkit reads the file, maps every column to a question, checks every cell against its
question (type, choices, logic, the study's rule for complete), backs the study up and writes
each interview through the interview API (the organisation's status and tick, the search
index, named answers, anonymous answers held with their interview), all in one transaction;
moves into the pool wait for the last row (``Held.deferred``) and then go in one shuffled
group per question, laying the pool out again. The floor writes the same rows with the bare
driver into a study's own tables in one transaction: each interview, its named answers, and
its anonymous answers straight into the pool under random ids with their search entries.

    python bench/import_interviews.py [--interviews 2000]

Prints the times and the ratio (measured in the same run).
"""

from __future__ import annotations

import argparse
import csv
import json
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fieldkit.interview_import import import_interviews  # noqa: E402
from fieldkit.study import Study  # noqa: E402
from fieldkit.template_toml import find_template  # noqa: E402

#: The columns: named questions of every kind the regional-mapping schedule requires, and two
#: anonymous ones (a comment and a scale).
HEADER = ["organisation", "date", "mode", "a1", "a5", "b1", "c1", "e1", "e2", "d1", "d2"]


def rows(count: int, template) -> list[list[str]]:
    a5, c1, d2 = (template.question(q).options for q in ("a5", "c1", "d2"))
    return [[f"Community Group {i}", f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", "phone", f"Coordinator {i}",
             a5[i % len(a5)].label, f"We run a drop-in and a helpline, year {i}", c1[i % len(c1)].label,
             "yes" if i % 2 else "no", "no", f"Funding is short for small groups like ours ({i})",
             d2[i % len(d2)].label] for i in range(count)]


def study_with_organisations(path: Path, count: int) -> Study:
    study = Study.create(path, find_template("regional-mapping"))
    category = study.template.categories[0]
    study.organisations.add_many([{"name": f"Community Group {i}", "category": category} for i in range(count)])
    return study


def floor(folder: Path, data: list[list[str]]) -> float:
    """The same interviews, named answers and pooled answers written by the bare driver."""
    with study_with_organisations(folder / "floor.fieldkit", len(data)) as study:
        template = study.template
        named = ["a1", "a5", "b1", "c1", "e1", "e2"]
        choice = {q: {o.label: o.name for o in template.question(q).options} for q in ("a5", "c1", "d2")}
        conn = study.conn
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        for i, r in enumerate(data):
            interview = conn.execute(
                "INSERT INTO interviews(organisation_id, template_version, date, mode, interviewer, completed, result) "
                "VALUES (?, 1, ?, ?, '', ?, 'complete')", (i + 1, r[1], r[2], f"{r[1]}T00:00:00")).lastrowid
            values = dict(zip(HEADER[3:], r[3:], strict=True))
            conn.executemany("INSERT INTO answers(interview_id, question_id, value, relevant) VALUES (?, ?, ?, 1)", [
                (interview, q, json.dumps(choice[q].get(values[q], values[q]) if q in choice else
                                          (values[q] == "yes" if q in ("e1", "e2") else values[q]))) for q in named])
            for q in ("d1", "d2"):
                comment = secrets.randbelow(2**62) + 1
                value = choice["d2"][values[q]] if q == "d2" else values[q]
                conn.execute("INSERT INTO pool(id, question_id, value, text) VALUES (?, ?, ?, ?)",
                             (comment, q, json.dumps(value), values[q]))
                conn.execute("INSERT INTO pool_search(rowid, text) VALUES (?, ?)", (comment, values[q].lower()))
        conn.execute("COMMIT")
        return time.perf_counter() - start


def fieldkit_import(folder: Path, path: Path, count: int) -> tuple[float, int, int]:
    with study_with_organisations(folder / "bench.fieldkit", count) as study:
        start = time.perf_counter()
        result = import_interviews(study, path)
        took = time.perf_counter() - start
        return took, result.interviews, study.pool.count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviews", type=int, default=2000)
    args = parser.parse_args()
    data = rows(args.interviews, find_template("regional-mapping"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "interviews.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([HEADER, *data])
        bare = floor(folder, data)
        took, count, pooled = fieldkit_import(folder, path, args.interviews)
    assert count == args.interviews and pooled == 2 * args.interviews
    print(f"{args.interviews:,} interviews (8 answers each, 2 of them anonymous) from CSV: fieldkit {took:.2f} s "
          f"({took / args.interviews * 1000:.2f} ms an interview); the same rows by the bare driver {bare:.2f} s "
          f"(ratio {took / bare:.1f}x)")


if __name__ == "__main__":
    main()
