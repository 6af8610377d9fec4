"""Encrypting, re-keying and decrypting study files with SQLCipher.

A passphrase is never changed in place (``PRAGMA rekey`` rewrites every page of the live
file, and a crash half-way leaves pages under two keys). Instead the whole study is written
to a new file under the new key with ``sqlcipher_export``, checked, and renamed over the
old one, as a new study is made.
"""

from __future__ import annotations

import os
from pathlib import Path

from fieldkit.storage import sqlite


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
