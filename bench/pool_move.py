"""What does moving a group of held answers into the pool cost, at the size of a big study?

When the k-th finished interview has answered a question, its group of k held answers moves
into the pool, and the pool is laid out again in random-id order with a fresh search index
(fieldkit.pool.Pool.rewrite), then the -wal is emptied. That runs once every k interviews.
Three figures, on a pool of N comments:

- fieldkit: one move of k answers (``held.move_ready`` after the k-th ``complete``);
- floor: the same k rows inserted into an equally large pool table with its FTS5 index by the
  bare driver (sqlcipher3), one transaction, plus a TRUNCATE checkpoint: the least any move
  can cost;
- VACUUM: what rewriting the whole file would cost instead (the heavy way to the same layout).

    python bench/pool_move.py [--comments 20000] [--k 5] [--organisations 10000]

Prints each time and the ratios to the floor (measured in the same run).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fieldkit.storage import sqlite  # noqa: E402 - the bare driver underneath
from fieldkit.study import Study  # noqa: E402
from fieldkit.template_toml import find_template  # noqa: E402

WORDS = ("funding volunteers premises trust networks council training advice young people rent "
         "bids forms partnership capacity time").split()


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))) + f" ({rng.randrange(10**9)})"


def insert(conn: sqlite.Connection, n: int, rng: random.Random) -> None:
    """``n`` comments with their search entries in one transaction, then a TRUNCATE checkpoint."""
    conn.execute("BEGIN IMMEDIATE")
    for _ in range(n):
        cid, text = rng.randrange(1, 2**62), sentence(rng)
        conn.execute("INSERT OR IGNORE INTO pool VALUES (?, 'q', ?, ?)", (cid, f'"{text}"', text))
        conn.execute("INSERT OR IGNORE INTO pool_search(rowid, text) VALUES (?, ?)", (cid, text))
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def floor(folder: Path, comments: int, k: int, rng: random.Random) -> float:
    conn = sqlite.connect(folder / "floor.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE pool (id INTEGER PRIMARY KEY, question_id TEXT, value TEXT, text TEXT)")
    conn.execute("CREATE VIRTUAL TABLE pool_search USING fts5(text, tokenize = 'trigram')")
    insert(conn, comments, rng)  # the pool as it stands
    start = time.perf_counter()
    insert(conn, k, rng)  # the group arriving
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def fieldkit_move(folder: Path, comments: int, k: int, rng: random.Random,
                  organisations: int) -> tuple[float, float]:
    with Study.create(folder / "bench.fieldkit", find_template("regional-mapping")) as study:
        question = next(q for q in study.template.questions() if q.anonymous and q.type == "long_text")
        with study.transaction():  # the named side of a large study: VACUUM rewrites it too
            for i in range(organisations):
                study.organisations.add(f"Organisation {i} {sentence(rng)[:40]}", category="BME network",
                                        notes=sentence(rng), contacts=[{"name": f"Person {i}"}])
        with study.transaction():
            for _ in range(comments):
                study.pool.add(question, sentence(rng))
            study.pool.rewrite()
        study.empty_wal()
        sessions = []
        for i in range(k):
            org = study.organisations.add(f"Benchmark group {i}", category="BME network")
            session = study.interviews.start(org)
            session.save_answer(question.id, sentence(rng))
            sessions.append(session)
        for session in sessions[:-1]:
            session.complete()
        sessions[-1].close()  # its sitting ends before it is finished: nothing moves yet
        # The last ``complete`` moves the group: time the move alone.
        from fieldkit.study import now

        with study.transaction():
            study.conn.execute("UPDATE interviews SET completed = ? WHERE id = ?", (now(), sessions[-1].interview_id))
        start = time.perf_counter()
        moved = study.held.move_ready()
        move = time.perf_counter() - start
        assert moved.answers == k, moved
        start = time.perf_counter()
        study.conn.execute("VACUUM")
        study.empty_wal()
        vacuum = time.perf_counter() - start
    return move, vacuum


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=20_000)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--organisations", type=int, default=10_000,
                        help="named records beside the pool (they make VACUUM dearer, not the move)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = floor(folder, args.comments, args.k, random.Random(1))
        move, vacuum = fieldkit_move(folder, args.comments, args.k, random.Random(1), args.organisations)
    print(f"pool of {args.comments:,} comments beside {args.organisations:,} organisations, "
          f"a group of {args.k} moving")
    print(f"  floor (insert {args.k} + checkpoint): {base * 1000:8.1f} ms")
    print(f"  fieldkit move (rewrite + checkpoint):  {move * 1000:8.1f} ms  {move / base:6.1f}x")
    print(f"  VACUUM instead of the rewrite:          {vacuum * 1000:8.1f} ms  {vacuum / base:6.1f}x")


if __name__ == "__main__":
    main()
