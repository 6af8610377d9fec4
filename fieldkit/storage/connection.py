"""Opening and creating study files: checks, pragmas, the in-use lock and migrations.

A study has exactly one connection, owned by ``fieldkit.study.Study``; every write goes
through it. Before a file is connected to, its header is read to refuse, by name and
without writing anything, files that are empty, not SQLite, not fieldkit's or too new.
"""

from __future__ import annotations

import errno
import os
import struct
import sys
from pathlib import Path

from fieldkit.errors import (PassphraseError, StudyBusyError, StudyDamagedError, StudyFileError, StudyInUseError,
                             StudyReadOnlyError)
from fieldkit.storage import sqlite
from fieldkit.storage.wal import JOURNAL_SIZE_LIMIT
from fieldkit.storage.schema import MIGRATIONS, SCHEMA_VERSION, sql_functions
from fieldkit.storage import schema_check

#: ``PRAGMA application_id`` of every study file: "FKit".
APPLICATION_ID = 0x464B6974
SUFFIX = ".fieldkit"
SQLITE_MAGIC = b"SQLite format 3\x00"
#: How long a write waits for a lock held by another program before "busy".
BUSY_TIMEOUT_MS = 5000


def read_header(path: Path) -> tuple[int, int] | None:
    """Return (application_id, user_version) from the file header, None for a file that
    may be an encrypted study (its header is encrypted too), or raise StudyFileError."""
    name = str(path)
    if not path.exists():
        raise StudyFileError(f"{name}: no such file")
    if not path.is_file():
        raise StudyFileError(f"{name}: not a file")
    try:
        with open(path, "rb") as f:
            head = f.read(100)
    except OSError as e:
        raise StudyFileError(f"{name}: cannot read the file ({e.strerror or e})") from None
    if len(head) == 0:
        raise StudyFileError(f"{name}: the file is empty (0 bytes), not a fieldkit study")
    if not head.startswith(SQLITE_MAGIC) or len(head) < 100:
        if len(head) == 100 and _rest_of_header_is_ours(head):
            raise StudyDamagedError(f"{name}: the study file is damaged (its first bytes are overwritten)")
        if looks_encrypted(path):
            return None
        raise StudyFileError(f"{name}: not a fieldkit study (not an SQLite database)")
    (user_version,) = struct.unpack(">i", head[60:64])
    (application_id,) = struct.unpack(">I", head[68:72])
    return application_id, user_version


def _rest_of_header_is_ours(head: bytes) -> bool:
    """Whether a header whose first 16 bytes are not SQLite's is otherwise a plain fieldkit
    study's: SQLite's fixed payload fractions (64, 32, 32) and fieldkit's application id.
    SQLCipher encrypts these bytes too, so an encrypted study matches once in 2**56."""
    return head[21:24] == b"\x40\x20\x20" and struct.unpack(">I", head[68:72])[0] == APPLICATION_ID


def looks_encrypted(path: Path) -> bool:
    """An SQLCipher file has no readable header: all that tells it from any other file is
    that it is whole pages (a power of two, at least 512 bytes) of random-looking bytes."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError:
        return False
    return size >= 1024 and size % 512 == 0 and not head.startswith(SQLITE_MAGIC)


def wrong_passphrase(path: Path) -> PassphraseError:
    return PassphraseError(f"{path}: the passphrase does not open this study (or the file is not a "
                           "fieldkit study); nothing was changed", needed=False)


def verify_key(path: Path, key: str | None) -> None:
    """Prove ``key`` opens ``path``, a file ``read_header`` found encrypted, by reading its
    schema on a read-only connection (a ``PRAGMA key`` succeeds whatever the passphrase).
    Raises PassphraseError: needed when there is no key, else wrong."""
    if key is None:
        raise PassphraseError(f"{path}: the study is protected by a passphrase; enter it to open "
                              "the study", needed=True)
    conn = sqlite.connect(path, key=key, read_only=True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite.DatabaseError as e:
        if is_damage(e):
            raise wrong_passphrase(path) from None
        raise database_error(path, e) from None
    finally:
        conn.close()


def writable(path: Path) -> bool:
    """Whether fieldkit may write the study, and create its -wal and -shm beside it (False
    for a read-only file, a folder the user cannot write to, a read-only drive)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def read_only_here(path: Path) -> StudyReadOnlyError:
    return StudyReadOnlyError(f"{path}: fieldkit cannot write here (the study or its folder is read-only); "
                              "nothing was changed — copy it to a folder you can write to (fieldkit summary "
                              "and report still read it where it is)")


def connect_read_only(path: Path, key: str | None = None) -> sqlite.Connection:
    """A connection for reading a study fieldkit cannot write: the file is read as it is,
    and nothing is created beside it. A -wal with changes in it cannot be read so (SQLite
    would have to write its index): that is refused by name."""
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise StudyReadOnlyError(f"{path}: the study was not closed properly where it was last used, and "
                                 "fieldkit cannot write here to bring in its last changes; copy it with its "
                                 "-wal file to a folder you can write to")
    conn = sqlite.connect(path, key=key, read_only=True, immutable=True, isolation_level=None,
                          check_same_thread=False)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        schema_check.check(conn, path)
    except sqlite.DatabaseError as e:
        conn.close()
        raise database_error(path, e) from None
    except BaseException:
        conn.close()
        raise
    return conn


def check_identity(path: Path, application_id: int, user_version: int) -> None:
    """Refuse files that are not fieldkit studies or were written by a newer fieldkit."""
    if application_id != APPLICATION_ID:
        raise StudyFileError(f"{path}: an SQLite database, but not a fieldkit study")
    if user_version > SCHEMA_VERSION:
        raise StudyFileError(
            f"{path}: written by a newer fieldkit (study format {user_version}; "
            f"this fieldkit reads up to {SCHEMA_VERSION}); update fieldkit to open it"
        )
    if user_version < 1:
        raise StudyFileError(f"{path}: an unfinished fieldkit study (no schema); it cannot be opened")


class StudyLock:
    """An operating-system lock that marks a study as open in one fieldkit process.

    POSIX: ``flock`` on the study file itself (independent of SQLite's own fcntl locks).
    Windows: a one-byte lock far past SQLite's lock bytes. The lock dies with the process,
    so a crash never leaves a study stuck "in use".
    """

    _WINDOWS_OFFSET = 0x7FFF_FFF0

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | getattr(os, "O_BINARY", 0))
        except OSError as e:
            if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise read_only_here(self.path) from None
            raise StudyFileError(f"{self.path}: cannot open the study ({e.strerror or e})") from None
        try:
            if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
                import msvcrt

                os.lseek(fd, self._WINDOWS_OFFSET, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise StudyInUseError(
                f"{self.path}: the study is open in another fieldkit window; close it there first"
            ) from None
        self._fd = fd

    def release(self) -> None:
        """Release the lock; call only after the SQLite connection is closed."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            if sys.platform == "win32":  # pragma: no cover
                import msvcrt

                os.lseek(fd, self._WINDOWS_OFFSET, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        finally:
            os.close(fd)


#: What every study connection must report after it is set up (checked, not just set).
REQUIRED_PRAGMAS = {"journal_mode": "wal", "synchronous": 2, "secure_delete": 1, "temp_store": 2,
                    "foreign_keys": 1}


def connect(path: Path, key: str | None = None) -> sqlite.Connection:
    """Open the one connection of a study, with fieldkit's pragmas, in autocommit mode.

    Transactions are explicit (``Study.transaction``). Damage that only shows at the first
    read is turned into StudyFileError here. ``key``: an encrypted study's key (sqlite.raw_key).
    """
    conn = sqlite.connect(path, key=key, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        schema_check.check(conn, path)  # before the first write (journal_mode writes the header)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA secure_delete = ON")  # (temp_store = MEMORY: sqlite.connect, every connection)
        conn.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}")  # no old frames kept on disk
        for name, wanted in REQUIRED_PRAGMAS.items():
            got = conn.execute(f"PRAGMA {name}").fetchone()[0]
            if (str(got).lower() if isinstance(wanted, str) else got) != wanted:
                raise StudyFileError(f"{path}: cannot set {name} to {wanted} (it stays {got}); "
                                     "the study is not opened")
        # The first real read: a damaged file often shows only here.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite.DatabaseError as e:
        conn.close()
        raise database_error(path, e) from None
    except BaseException:
        conn.close()
        raise
    return conn


def probe(path: Path, *, full: bool, key: str | None = None) -> str | None:
    """Read a study through a read-only connection, which can never write (not even the
    checkpoint SQLite does when the last connection closes). Returns None when it reads
    cleanly, else what is wrong. ``full`` runs the whole integrity_check, as after a crash;
    otherwise SQLite's quick_check (every page read and checked, without cross-checking
    indexes against their tables: about a second for a 100,000-organisation study, a few
    milliseconds for a usual one). With no -wal to replay the file is read as immutable, so
    nothing is created beside it either (the caller holds the study's lock: no fieldkit is
    writing it)."""
    wal = Path(f"{path}-wal")
    replay = wal.exists() and wal.stat().st_size > 0
    try:
        conn = sqlite.connect(path, key=key, read_only=True, immutable=not replay)
    except sqlite.Error as e:
        return str(e)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        result = [r[0] for r in conn.execute("PRAGMA integrity_check" if full else "PRAGMA quick_check")]
        return None if result == ["ok"] else result[0]
    except sqlite.DatabaseError as e:
        if is_damage(e):
            return str(e)
        raise database_error(path, e) from None
    finally:
        conn.close()


# SQLite's primary result codes (the low byte of an extended code).
_BUSY, _LOCKED, _NOMEM, _READONLY, _IOERR, _CORRUPT, _FULL, _NOTADB = 5, 6, 7, 8, 10, 11, 13, 26


def is_damage(error: BaseException) -> bool:
    """True for errors that mean the file itself is damaged (and only those: a full disk,
    a busy lock or a lack of memory are not damage and must never trigger recovery)."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_CORRUPT, _NOTADB)
    text = str(error).lower()
    return "malformed" in text or "not a database" in text


def database_error(path: Path, error: sqlite.Error) -> Exception:
    """Translate an SQLite error into the fieldkit error a user should see."""
    from fieldkit.errors import DiskFullError, StorageError

    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if code is not None else None
    text = str(error).lower()
    if primary in (_BUSY, _LOCKED) or (primary is None and ("locked" in text or "busy" in text)):
        return StudyBusyError(f"{path}: another program is writing to the study; nothing was saved — "
                              "try again in a moment")
    if primary == _READONLY or "readonly" in text or "read-only" in text:
        return StudyFileError(f"{path}: the study is open read-only here; nothing was changed")
    if primary == _FULL or "disk is full" in text:
        return DiskFullError(f"{path}: the disk is full, so the last change was not saved; earlier work "
                             "is safe — free some space and carry on")
    if primary == _NOMEM:
        return StorageError(f"{path}: the computer ran out of memory; the last change was not saved")
    if primary == _IOERR or "disk i/o error" in text:
        return StorageError(f"{path}: the disk could not be written (an input/output error); the last "
                            "change was not saved — check the disk has space and is still connected")
    if is_damage(error):
        from fieldkit.errors import StudyDamagedError

        return StudyDamagedError(f"{path}: the study file is damaged ({error})")
    return StudyFileError(f"{path}: cannot use the study file ({error})")


def migrate(conn: sqlite.Connection, path: Path) -> int:
    """Apply every migration newer than the file's ``user_version``, each in one transaction."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise StudyFileError(f"{path}: written by a newer fieldkit (study format {current})")
    if current >= MIGRATIONS[-1][0]:
        return current
    for name, function in sql_functions().items():  # what the migrations call of fieldkit's own
        conn.create_function(name, 1, function, deterministic=True)
    for number, script in MIGRATIONS:
        if number <= current:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        current = number
    return current


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (``executescript`` would commit on its own).

    Pieces ending in ";" are gathered until SQLite says they make a complete statement, so
    a ";" inside a string or a trigger body does not split it."""
    out, buf = [], ""
    pieces = script.split(";")
    for i, piece in enumerate(pieces):
        buf += piece if i == len(pieces) - 1 else piece + ";"
        if i == len(pieces) - 1 or sqlite.complete_statement(buf):
            if _has_sql(buf):
                out.append(buf.strip())
            buf = ""
    return out


def _has_sql(text: str) -> bool:
    return any(line.strip().rstrip(";").strip() and not line.strip().startswith("--")
               for line in text.splitlines())
