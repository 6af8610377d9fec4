"""Child processes that write to a study until they are killed with SIGKILL, and the checks
made after each kill. Shared by the crash tests and ``bench/soak.py``.

Each child is a fresh Python running fieldkit's real code. It prints a line only after the
call that saved something has returned, so a printed line is an acknowledged save: after a
kill, every acknowledged save must be in the file, whole.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def start_child(code: str) -> subprocess.Popen:
    """Run ``code`` in a new Python from the project folder, its output readable line by line."""
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, stdout=subprocess.PIPE,
                            text=True)


def crash_while_open(path: Path, names: list[str]) -> None:
    """A fieldkit process adds the organisations ``names`` and is killed without closing the
    study: its -wal stays behind, holding what it wrote, as after a crash."""
    child = start_child(f"""
        import time
        from fieldkit.study import Study
        s = Study.open({str(path)!r}, backup=False)
        for name in {names!r}:
            s.organisations.add(name, category="Network")
        print("written", flush=True)
        time.sleep(60)
    """)
    try:
        assert child.stdout.readline().strip() == "written"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert Path(f"{path}-wal").stat().st_size > 0


def answer(label: str, n: int) -> str:
    """The ``n``-th answer a saving child writes: its label, its number and a tail whose length
    follows the number, so a half-saved value shows."""
    return f"{label} answer {n} " + "z" * (n % 50)


def number_of(label: str, line: str) -> int:
    """The number of an answer line printed by a saving child."""
    return int(line[len(f"{label} answer "):].split(" ")[0])


#: One Python that imports fieldkit once, then for each line of input (a JSON list: study path,
#: interview id, label) forks a child that opens the study and saves answer after answer to the
#: "story" question, writing "ack <answer>" once each ``save_answer`` has returned. Forking
#: keeps a round to the saving and the kill, not a fresh start of Python.
_SAVER = """
import json, os, sys
import sqlite_utils
from fieldkit.study import Study
import fieldkit.attempts, fieldkit.interviews, fieldkit.organisations, fieldkit.pool, fieldkit.search
print("ready", flush=True)
for line in sys.stdin:
    path, interview, label = json.loads(line)
    pid = os.fork()
    if pid == 0:
        try:
            study = Study.open(path, backup=False)
            session = study.interviews.resume(interview)
            i = 0
            while True:
                value = label + " answer " + str(i) + " " + "z" * (i % 50)
                session.save_answer("story", value)
                os.write(1, ("ack " + value + "\\n").encode("utf-8"))
                i += 1
        finally:
            os._exit(1)
    print("pid", pid, flush=True)
    os.waitpid(pid, 0)
    print("gone", flush=True)
"""


class SavingChildren:
    """Children that save interview answers until they are SIGKILLed (POSIX: they are forked).

        with SavingChildren() as children:
            acknowledged = children.round(path, interview, "round 1", after=0.05)
    """

    def __init__(self) -> None:
        self._saver = subprocess.Popen([sys.executable, "-c", _SAVER], cwd=REPO, stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, text=True)
        if self._saver.stdout.readline().strip() != "ready":
            self.close()
            raise RuntimeError("the saving process did not start")

    def round(self, path: Path, interview: int, label: str, *, after: float,
              while_starting: bool = False) -> list[str]:
        """Start a child saving to ``interview``, SIGKILL it and return the saves it acknowledged.

        The kill comes ``after`` seconds past its first acknowledged save, so it lands among
        the saves; ``while_starting`` counts from the start instead, so it may land while the
        child opens the study.
        """
        self._saver.stdin.write(json.dumps([str(path), interview, label]) + "\n")
        self._saver.stdin.flush()
        acknowledged: list[str] = []
        pid, gone = None, False

        def read() -> str:
            line = self._saver.stdout.readline()
            if not line:
                raise RuntimeError("the saving process ended")
            if line.startswith("ack "):
                acknowledged.append(line[4:].rstrip("\n"))
            return line

        while pid is None:
            line = read()
            if line.startswith("pid "):
                pid = int(line.split()[1])
        if not while_starting:
            while not acknowledged and not gone:
                gone = read().strip() == "gone"
        time.sleep(after)
        if not gone:
            os.kill(pid, signal.SIGKILL)
            while read().strip() != "gone":
                pass
        return acknowledged

    def close(self) -> None:
        self._saver.kill()
        self._saver.wait()

    def __enter__(self) -> SavingChildren:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def problems_after_kill(path: Path, interview: int, label: str, acknowledged: list[str]) -> list[str]:
    """What is wrong with the study after a saving child was killed: SQLite's integrity check,
    and the stored answer, which must be the last acknowledged one or the one the child wrote
    after it but could not report, whole. An empty list means all is well."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        row = conn.execute("SELECT value FROM answers WHERE interview_id = ? AND question_id = 'story'",
                           (interview,)).fetchone()
    finally:
        conn.close()
    found = [f"integrity: {line}" for line in integrity if integrity != ["ok"]]
    if not acknowledged:
        return found
    if row is None:
        return found + [f"{label}: no answer stored, {len(acknowledged)} acknowledged"]
    stored = json.loads(row[0])
    acked = number_of(label, acknowledged[-1])
    for n in (acked, acked + 1):
        if stored == answer(label, n):
            return found
    return found + [f"{label}: stored {stored[:60]!r}…, last acknowledged {acknowledged[-1][:60]!r}…"]
