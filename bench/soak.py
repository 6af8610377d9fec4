"""Kill a process saving interview answers at random moments, for minutes on end.

Each round a child opens the study and saves answer after answer to one interview, printing
each once it is saved; it is SIGKILLed at a random moment (mostly among the saves, sometimes
while it is still opening the study). After every kill:

- SQLite's integrity_check is ok;
- the round's stored answer is the last one the child acknowledged (or the one it was saving
  when it died), whole, never half-saved;
- every earlier round's answer is still exactly what was checked after that round;
- fieldkit itself reopens the study, recovering the -wal the kill left, and starts the next
  round's interview through its own API.

    python bench/soak.py --minutes 2 [--seed 1] [--keep]

Prints one line per minute and a summary; exits with status 1 if anything was wrong. The
children come from the crash tests' helper (tests/crash_children.py), so the soak and the
50-kill test in tests/test_crash_safety.py kill the same code. POSIX only (children are forked).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from crash_children import SavingChildren, problems_after_kill  # noqa: E402
from studies import small_template  # noqa: E402

from fieldkit.study import Study  # noqa: E402


def stored_answers(path: Path) -> dict[int, str]:
    """Every interview's stored "story" answer, read on a read-only connection."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {i: json.loads(v) for i, v in conn.execute(
            "SELECT interview_id, value FROM answers WHERE question_id = 'story'")}
    finally:
        conn.close()


def soak(folder: Path, minutes: float, seed: int) -> int:
    path = folder / "soak.fieldkit"
    with Study.create(path, small_template(), title="Soak") as study:
        org = study.organisations.add("Killed again and again", category="Network")
    rng = random.Random(seed)
    kept: dict[int, str] = {}  # interview -> its answer as checked after its round
    kills = while_starting = saves = 0
    problems: list[str] = []
    start = time.monotonic()
    deadline = start + minutes * 60
    next_report = start + 60
    with SavingChildren() as children:
        while time.monotonic() < deadline:
            with Study.open(path, backup=False) as study:  # fieldkit's own recovery after the kill
                interview = study.interviews.start(org).interview_id
            label = f"round {kills}"
            starting = rng.random() < 0.2
            if starting:
                acknowledged = children.round(path, interview, label, after=rng.uniform(0.0, 0.1),
                                              while_starting=True)
            else:
                acknowledged = children.round(path, interview, label, after=rng.uniform(0.0, 0.1))
            kills += 1
            while_starting += starting
            saves += len(acknowledged)
            found = problems_after_kill(path, interview, label, acknowledged)
            stored = stored_answers(path)
            for earlier, value in kept.items():
                if stored.get(earlier) != value:
                    found.append(f"interview {earlier}: its answer changed after its round")
            if interview in stored:
                kept[interview] = stored[interview]
            problems += [f"kill {kills}: {p}" for p in found]
            if time.monotonic() >= next_report:
                print(f"  {(time.monotonic() - start) / 60:.0f} min: {kills} kills, {saves} acknowledged saves, "
                      f"{len(problems)} problems", flush=True)
                next_report += 60
    elapsed = (time.monotonic() - start) / 60
    for p in problems[:20]:
        print(p)
    print(f"soak: {elapsed:.1f} minutes, {kills} kills ({kills - while_starting} among saves, {while_starting} "
          f"while starting), {saves} acknowledged saves, {len(kept)} interviews re-checked after every kill, "
          f"{len(problems)} problems" + ("; integrity_check ok after every kill" if not problems else ""))
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=2.0, help="how long to keep killing (default 2)")
    parser.add_argument("--seed", type=int, default=1, help="seed for the kill moments")
    parser.add_argument("--keep", action="store_true", help="keep the study file afterwards (its folder is printed)")
    args = parser.parse_args()
    if args.keep:
        folder = Path(tempfile.mkdtemp(prefix="fieldkit-soak-"))
        print(f"study in {folder}")
        return soak(folder, args.minutes, args.seed)
    with tempfile.TemporaryDirectory(prefix="fieldkit-soak-") as d:
        return soak(Path(d), args.minutes, args.seed)


if __name__ == "__main__":
    sys.exit(main())
