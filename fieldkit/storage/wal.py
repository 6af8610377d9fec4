"""Emptying a study's -wal, and saying so only when it is true.

The -wal holds recent commits in the order they were made, old page images included: after
an erasure, a redaction or a move into the pool, what was deleted stays readable there until
a checkpoint copies every frame into the file and the log is truncated. A checkpoint cannot
finish while another connection (a reader off the UI thread, ``fieldkit report`` in another
window) still reads an older snapshot; ``truncate`` retries for a moment and reports
whether it finished, so callers never claim a scrub they did not make.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from fieldkit.storage import sqlite

#: The -wal is cut back to this many bytes whenever it is reset (``PRAGMA journal_size_limit``),
#: so an emptied log does not keep old frames on disk past their use.
JOURNAL_SIZE_LIMIT = 0


@dataclass(frozen=True)
class Checkpoint:
    """What a TRUNCATE checkpoint achieved."""

    done: bool
    #: frames still in the -wal when it did not finish (-1: the study is not in WAL mode)
    frames_left: int
    wal: Path

    def describe(self) -> str:
        """For a message: what remains and where, when the checkpoint did not finish."""
        if self.done:
            return f"{self.wal} is empty"
        if self.frames_left < 0:
            return f"{self.wal} is emptied once the change in progress is saved"
        return (f"{self.wal} still holds {self.frames_left} page image(s) of earlier changes, because another "
                "program or window is reading the study; close it and the next save empties it")


def truncate(conn: sqlite.Connection, path: Path, *, attempts: int = 3, wait: float = 0.1,
             busy_ms: int | None = None) -> Checkpoint:
    """Checkpoint the study on ``conn`` and truncate its -wal to nothing, retrying while a
    reader holds old pages. Each attempt waits up to ``busy_ms`` for readers (default: the
    connection's own busy timeout); a quick retry after an ordinary save passes a short one.
    Call outside a transaction, holding the study's mutex."""
    wal = Path(f"{path}-wal")
    frames = -1
    previous = conn.execute("PRAGMA busy_timeout").fetchone()[0] if busy_ms is not None else None
    if busy_ms is not None:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
    try:
        for attempt in range(max(1, attempts)):
            busy, frames, _copied = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy and frames in (0, -1):
                return Checkpoint(True, 0, wal)
            if attempt + 1 < attempts:
                time.sleep(wait)
    finally:
        if previous is not None:
            conn.execute(f"PRAGMA busy_timeout = {int(previous)}")
    return Checkpoint(False, frames, wal)
