"""The SQLite every study is opened with: SQLCipher's build of it, through ``sqlcipher3``.

One driver for every study, encrypted or not, so both take the same code path and every
platform gets the same SQLite (the one inside the ``sqlcipher3-wheels`` package), whatever
Python happens to ship. A study without a passphrase is an ordinary SQLite file; with one,
every page of the file, its -wal and its backups is encrypted (AES-256, keys derived from
the passphrase with PBKDF2-HMAC-SHA512).

fieldkit derives the key from the passphrase once, exactly as SQLCipher 4 does (so any
SQLCipher tool opens a study with the passphrase), and then keys every connection with the
raw key: a study needs several connections (checks, backups, a reader off the UI thread),
and each passphrase-keyed one would repeat the deliberately slow derivation. The study's
backups share its salt, so one key opens them all. Neither passphrase nor key is ever
written anywhere.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from pathlib import Path
from types import ModuleType

from sqlcipher3 import dbapi2 as _driver

from fieldkit.errors import InvalidValueError

Connection = _driver.Connection
Error = _driver.Error
DatabaseError = _driver.DatabaseError
OperationalError = _driver.OperationalError
IntegrityError = _driver.IntegrityError
complete_statement = _driver.complete_statement

#: The shortest passphrase fieldkit sets (any passphrase already set still opens its study).
MIN_PASSPHRASE = 8
#: SQLCipher 4's key derivation: PBKDF2-HMAC-SHA512, 256,000 rounds, 32-byte key, 16-byte salt
#: (the salt is the first 16 bytes of the file).
KDF_ITERATIONS = 256_000
SALT_BYTES = 16


def _quiet() -> None:
    # SQLCipher logs a failed key check to stderr; a wrong passphrase gets fieldkit's own
    # one-line message instead. The setting is process-wide.
    conn = _driver.connect(":memory:")
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
    finally:
        conn.close()


_quiet()


def connect(target: str | Path, *, key: str | None = None, read_only: bool = False,
            immutable: bool = False, **kwargs) -> Connection:
    """Connect to ``target``, keyed with ``key`` (see ``raw_key``) when the study is encrypted.

    The key is applied first, as SQLCipher requires; it is not checked here (``PRAGMA key``
    succeeds whatever the passphrase): the caller's first read is the check.
    ``read_only`` opens the file so that nothing, not even a checkpoint, can be written;
    ``immutable`` (with it) reads the file alone, creating no -wal or -shm beside it: only for
    a file nothing else is writing and whose -wal, if any, holds nothing.
    """
    if read_only:
        options = "mode=ro&immutable=1" if immutable else "mode=ro"
        conn = _driver.connect(f"{Path(target).resolve().as_uri()}?{options}", uri=True, **kwargs)
    else:
        conn = _driver.connect(str(target), **kwargs)
    try:
        if key is not None:
            conn.execute(f"PRAGMA key = {quote(key)}")
        # Sorts, temporary indexes and VACUUM's copy stay in memory: SQLite's temporary files
        # would hold a study's words, unencrypted, outside any file fieldkit looks after.
        conn.execute("PRAGMA temp_store = MEMORY")
        # No function or virtual table a file's schema names runs with fieldkit's rights (a
        # study may come from anyone: fieldkit.storage.schema_check).
        conn.execute("PRAGMA trusted_schema = OFF")
    except BaseException:
        conn.close()
        raise
    return conn


def quote(text: str) -> str:
    """An SQL string literal (PRAGMA takes no bound parameters)."""
    return "'" + text.replace("'", "''") + "'"


def normalise_passphrase(passphrase: str) -> str:
    """The form a passphrase is keyed in: Unicode NFC, so "é" typed on any keyboard matches."""
    if not isinstance(passphrase, str) or passphrase == "":
        raise InvalidValueError("the passphrase is empty")
    if "\x00" in passphrase:
        raise InvalidValueError("the passphrase contains a NUL character")
    return unicodedata.normalize("NFC", passphrase)


def check_new_passphrase(passphrase: str) -> str:
    """Normalise a passphrase about to be set, refusing ones too short to protect anything."""
    passphrase = normalise_passphrase(passphrase)
    if len(passphrase) < MIN_PASSPHRASE:
        raise InvalidValueError(f"the passphrase is too short: use at least {MIN_PASSPHRASE} characters "
                                "(a few unrelated words are easy to type and hard to guess)")
    return passphrase


def raw_key(passphrase: str, salt: bytes) -> str:
    """SQLCipher's raw-key form of ``passphrase`` with ``salt``: ``x'<key><salt>'`` in hex."""
    key = hashlib.pbkdf2_hmac("sha512", normalise_passphrase(passphrase).encode("utf-8"), salt,
                              KDF_ITERATIONS, 32)
    return f"x'{key.hex()}{salt.hex()}'"


def new_key(passphrase: str) -> str:
    """A key for a file about to be written, with a fresh random salt. Refuses when the SQLite
    in use has no SQLCipher (a key would then be silently ignored and the file left plain)."""
    if not versions()["sqlcipher"]:
        from fieldkit.errors import StorageError

        raise StorageError("this installation's SQLite has no SQLCipher, so it cannot encrypt; nothing was "
                           "changed (reinstall fieldkit with its sqlcipher3-wheels dependency)")
    return raw_key(passphrase, os.urandom(SALT_BYTES))


def key_for_file(path: Path, passphrase: str) -> str:
    """The key ``passphrase`` gives for an existing encrypted file (whose salt it reads)."""
    with open(path, "rb") as f:
        salt = f.read(SALT_BYTES)
    return raw_key(passphrase, salt)


def versions() -> dict[str, str]:
    """The SQLite and SQLCipher fieldkit runs on, read from the library itself."""
    conn = _driver.connect(":memory:")
    try:
        cipher = conn.execute("PRAGMA cipher_version").fetchone()
        conn.execute("PRAGMA key = 'versions'")  # the crypto provider is reported once keyed
        provider = conn.execute("PRAGMA cipher_provider_version").fetchone()
        return {
            "sqlite": _driver.sqlite_version,
            "sqlcipher": cipher[0] if cipher else "",
            "crypto": provider[0] if provider else "",
        }
    finally:
        conn.close()


def sqlite_utils() -> ModuleType:
    """The sqlite-utils module, imported without pandas and numpy.

    sqlite-utils imports both whenever they are installed (fieldkit installs pandas for reading
    SPSS and Stata files), only to map their value types onto column types; fieldkit never hands
    it such values, and importing them costs seconds on every start. Once pandas or numpy is
    loaded anyway, sqlite-utils is imported as it is.
    """
    import sys

    if "sqlite_utils" in sys.modules:
        return sys.modules["sqlite_utils"]
    hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes ``import name`` raise ImportError
    try:
        import sqlite_utils as module
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
    return module
