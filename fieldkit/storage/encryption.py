"""Encrypting, re-keying and decrypting study files with SQLCipher.

A passphrase is never changed in place (``PRAGMA rekey`` rewrites every page of the live
file, and a crash half-way leaves pages under two keys). Instead the whole study is written
to a new file under the new key with ``sqlcipher_export``, checked, and renamed over the
old one, as a new study is made.
"""

from __future__ import annotations

import os
from pathlib import Path

from fieldkit.errors import StudyBusyError, StudyFileError
from fieldkit.storage import sqlite
from fieldkit.storage.files import sidecars, with_sidecars



def export(conn: sqlite.Connection, target: Path, key: str | None, *, journal_mode: str = "WAL") -> None:
    """Write the database open on ``conn`` to a new file ``target``, encrypted with ``key``
    (a plain SQLite file when None). Everything is copied, including the application_id
    and schema version ``sqlcipher_export`` leaves behind."""
    target = Path(target)
    if target.exists():
        raise FileExistsError(target)
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    # An empty key makes SQLCipher write a plain file; bound parameters keep the
    # passphrase out of the SQL text.
    conn.execute("ATTACH DATABASE ? AS fieldkit_export KEY ?", (str(target), key or ""))
    try:
        conn.execute("SELECT sqlcipher_export('fieldkit_export')").fetchall()
        conn.execute(f"PRAGMA fieldkit_export.application_id = {int(app_id)}")
        conn.execute(f"PRAGMA fieldkit_export.user_version = {int(version)}")
        conn.execute(f"PRAGMA fieldkit_export.journal_mode = {journal_mode}")
    finally:
        conn.execute("DETACH DATABASE fieldkit_export")
    with open(target, "rb+") as f:
        os.fsync(f.fileno())


def rewrite(conn: sqlite.Connection, path: Path, key: str | None) -> Path:
    """Write the study open on ``conn`` (at ``path``) whole to a temporary file beside it,
    under ``key``, check it, and make sure nothing is left only in the -wal: then the
    temporary file can replace the study. Returns it; on failure nothing is left."""
    from fieldkit.storage import backups, connection

    temp = path.with_name(f".{path.name}.rekeying")
    _remove_with_sidecars(temp)
    try:
        export(conn, temp, key, journal_mode="DELETE")  # WAL again once opened
        if not backups.integrity_ok(temp, key):
            raise StudyFileError(f"{path}: the re-encrypted copy does not check out; nothing was changed")
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        wal = Path(f"{path}-wal")
        if busy or (wal.exists() and wal.stat().st_size):
            raise StudyBusyError(f"{path}: another program is reading the study; close it and try again "
                                 "(nothing was changed)")
    except BaseException as e:
        _remove_with_sidecars(temp)
        if isinstance(e, sqlite.Error):
            raise connection.database_error(path, e) from None
        raise
    return temp


def put_in_place(temp: Path, path: Path) -> None:
    """Rename the rewritten study over the old one (closed, its -wal empty) and remove the
    old one's -wal and -shm, which belong to the file that is gone."""
    os.replace(temp, path)
    for side in sidecars(path):
        side.unlink(missing_ok=True)
    _remove_with_sidecars(temp)


def _remove_with_sidecars(path: Path) -> None:
    for p in with_sidecars(path):
        p.unlink(missing_ok=True)
