"""Automatic backups of a study: taken with SQLite's online backup API, checked, thinned.

A file copy of a WAL database silently misses what is still in the -wal; the backup API
copies what a reader sees. Every backup is re-opened and integrity-checked before it
counts. Backups live in the user data folder (one folder per study), named by the time
they were taken and why, and are thinned by age: every backup of the last two days, then
the newest of each day for a month, then the newest of each week for a year; none is kept
longer (except the newest of all), so what was erased from a study is gone from its backups
within a year too. While a study's backups are paused (after a restore), nothing is
thinned, so the last good copy cannot be evicted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from fieldkit.errors import FieldkitError, PassphraseError
from fieldkit.storage import sqlite
from fieldkit.storage.files import with_sidecars

SUFFIX = ".fieldkit"
_NAME = re.compile(r"^(\d{8}-\d{6})-([a-z-]+)\.fieldkit$")
_PAUSED = "PAUSED"
#: No backup is kept longer than this (except a study's newest): erased data must not linger.
KEEP_DAYS = 365


class BackupError(FieldkitError):
    """A backup could not be written or does not pass its check."""


@dataclass(frozen=True)
class Backup:
    path: Path
    taken: dt.datetime
    reason: str
    size: int


def backups_root() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("fieldkit", appauthor=False)) / "Backups"


def folder_for(study_path: Path) -> Path:
    """The folder of one study's backups: its name plus a short hash of where it lives."""
    resolved = str(Path(study_path).resolve())
    digest = hashlib.sha256(resolved.encode("utf-8")).hexdigest()[:10]
    stem = re.sub(r"[^\w\- ]+", "_", Path(study_path).stem)[:60] or "study"
    return backups_root() / f"{stem}-{digest}"


def list_backups(study_path: Path) -> list[Backup]:
    """The study's backups, newest first."""
    folder = folder_for(study_path)
    found = []
    if folder.is_dir():
        for path in folder.iterdir():
            m = _NAME.match(path.name)
            if m:
                taken = dt.datetime.strptime(m.group(1), "%Y%m%d-%H%M%S")
                found.append(Backup(path, taken, m.group(2), path.stat().st_size))
    return sorted(found, key=lambda b: (b.taken, b.path.name), reverse=True)


def integrity_ok(path: Path, key: str | None = None) -> bool:
    """Open read-only (with the study's passphrase, if it has one) and run SQLite's full
    integrity check. A backup the key does not open does not pass."""
    try:
        conn = sqlite.connect(path, key=key, read_only=True)
        try:
            return [r[0] for r in conn.execute("PRAGMA integrity_check")] == ["ok"]
        finally:
            conn.close()
    except sqlite.Error:
        return False


def drop_held(dest: sqlite.Connection) -> int:
    """Remove the held anonymous answers (fieldkit.held) from a fresh copy of a study: they
    live in the study file alone, never in a backup or a copy, so no copy can later be set
    beside the pool to tell whose they were. The deleted cells are zeroed (secure_delete), and
    no journal file is written meanwhile: the copy is still a ``.part`` nobody uses, so a crash
    loses nothing. Returns how many answers were removed."""
    if dest.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'held'").fetchone() is None:
        return 0  # a study from before held answers existed
    dest.execute("PRAGMA journal_mode = MEMORY")  # (temp_store is MEMORY on every connection)
    dest.execute("PRAGMA secure_delete = ON")
    removed = dest.execute("DELETE FROM held").rowcount
    dest.commit()  # the driver opened a transaction for the DELETE
    return removed


def copy_database(source: sqlite.Connection, target: Path, key: str | None = None) -> None:
    """Write a complete, checked copy of an open database to ``target`` (which must not exist),
    encrypted with ``key`` (the source's own passphrase) when it has one. The copy holds no
    held anonymous answers (``drop_held``)."""
    temp = target.with_name(target.name + ".part")
    temp.unlink(missing_ok=True)
    try:
        dest = sqlite.connect(temp, key=key)
        try:
            source.backup(dest)
            drop_held(dest)
            dest.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file
        finally:
            dest.close()
        with open(temp, "rb+") as f:
            os.fsync(f.fileno())
        if not integrity_ok(temp, key):
            raise BackupError(f"{target}: the copy does not pass SQLite's integrity check")
        os.replace(temp, target)
    except (sqlite.Error, OSError) as e:
        temp.unlink(missing_ok=True)
        raise BackupError(f"{target}: cannot write the backup ({e})") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def take(conn: sqlite.Connection, study_path: Path, reason: str, *, now: dt.datetime | None = None,
         key: str | None = None) -> Backup:
    """Back up the study open on ``conn``; thin older backups unless paused."""
    if not re.fullmatch(r"[a-z-]+", reason):
        raise ValueError(f"backup reason must be lower-case words joined by dashes, got {reason!r}")
    now = (now or dt.datetime.now()).replace(microsecond=0)
    folder = folder_for(study_path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    target = folder / f"{stamp}-{reason}{SUFFIX}"
    n = 1
    while target.exists():  # two backups in the same second
        n += 1
        target = folder / f"{stamp}-{reason}-{'x' * n}{SUFFIX}"
    copy_database(conn, target, key)
    if not is_paused(study_path):
        thin(study_path, now=now)
    return Backup(target, now, reason, target.stat().st_size)


def unchanged_since_last(study_path: Path) -> bool:
    """True when neither the study nor its -wal changed after the newest backup was taken."""
    backups = list_backups(study_path)
    if not backups:
        return False
    newest = backups[0].path.stat().st_mtime
    for path in (Path(study_path), Path(str(study_path) + "-wal")):
        # An empty -wal is what opening creates; only one with frames holds changes.
        if path.exists() and path.stat().st_size > 0 and path.stat().st_mtime > newest:
            return False
    return True


def thin(study_path: Path, *, now: dt.datetime | None = None) -> list[Path]:
    """Delete backups that age has made redundant; returns what was deleted."""
    now = now or dt.datetime.now()
    keep: set[Path] = set()
    seen_days: set[dt.date] = set()
    seen_weeks: set[tuple[int, int]] = set()
    backups = list_backups(study_path)
    for b in backups:  # newest first, so the newest of each day / week is kept
        age = now - b.taken
        if age <= dt.timedelta(days=2):
            keep.add(b.path)
        elif age <= dt.timedelta(days=31):
            if b.taken.date() not in seen_days:
                keep.add(b.path)
            seen_days.add(b.taken.date())
        elif age <= dt.timedelta(days=KEEP_DAYS):
            week = b.taken.isocalendar()[:2]
            if week not in seen_weeks:
                keep.add(b.path)
            seen_weeks.add(week)
    if backups:
        keep.add(backups[0].path)
    removed = []
    for b in backups:
        if b.path not in keep:
            b.path.unlink(missing_ok=True)
            removed.append(b.path)
    return removed


def delete_older(study_path: Path, backup: Path) -> list[Path]:
    """Delete every backup of the study taken before ``backup`` (kept, with all newer ones):
    after erasing personal data, the copies that still hold it. Returns what was deleted."""
    found = list_backups(study_path)
    index = next((i for i, b in enumerate(found) if b.path == Path(backup)), None)
    if index is None:
        raise BackupError(f"{backup}: not one of this study's backups")
    removed = []
    for b in found[index + 1:]:  # newest first: these are the older ones
        b.path.unlink(missing_ok=True)
        removed.append(b.path)
    return removed


def is_paused(study_path: Path) -> bool:
    return (folder_for(study_path) / _PAUSED).exists()


def pause(study_path: Path) -> None:
    folder = folder_for(study_path)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / _PAUSED).write_text("Automatic thinning is paused after a restore.\n", encoding="utf-8")


def resume(study_path: Path) -> None:
    (folder_for(study_path) / _PAUSED).unlink(missing_ok=True)


def restore(study_path: Path, backup_path: Path, *, passphrase: str | None = None, key: str | None = None,
            now: dt.datetime | None = None) -> Path:
    """Put ``backup_path`` in place of the study; returns where the current file was moved.

    The one restore the app and the command line both use. In order, nothing changing until
    the last step but one: the backup is checked (a fieldkit study this fieldkit reads, whole,
    opened by the passphrase when it is encrypted); the study's lock is taken (it must not be
    open anywhere); the backup is copied beside the study and the copy checked; the current
    file is backed up (when it can be read) and moved aside with its -wal, -shm and -journal,
    so a stale -wal can never be replayed into the restored file; the copy is renamed into
    place. Thinning is paused afterwards, so rotation cannot evict the copies that matter now.

    ``passphrase``: an encrypted backup's (PassphraseError when it is needed or wrong; a plain
    backup ignores it); the restored study keeps it. ``key``: the raw key (sqlite.raw_key) in
    its place, for a caller that has derived it already. A refusal is one line (a FieldkitError)
    and leaves the study and its sidecars as they were.
    """
    from fieldkit.storage import connection

    study_path, backup_path = Path(study_path), Path(backup_path)
    if not backup_path.is_file():
        raise BackupError(f"{backup_path}: no such backup")
    header = connection.read_header(backup_path)  # StudyFileError: empty, not SQLite
    if header is None:
        if key is None and passphrase is not None:
            key = sqlite.key_for_file(backup_path, passphrase)
        connection.verify_key(backup_path, key)  # PassphraseError: needed, or wrong
    else:
        key = None
    if not integrity_ok(backup_path, key):
        raise BackupError(f"{backup_path}: the backup does not pass SQLite's integrity check; choose another")
    source = sqlite.connect(backup_path, key=key, read_only=True)
    try:
        _check_backup_identity(source, backup_path)
        now = (now or dt.datetime.now()).replace(microsecond=0)
        lock = connection.StudyLock(study_path) if study_path.exists() else None
        if lock is not None:
            lock.acquire()  # StudyInUseError while a window has it open
        try:
            temp = _restored_copy(source, study_path, key)
            try:
                if study_path.exists():
                    _back_up_current(study_path, passphrase, key, now)
                aside = study_path.with_name(f"{study_path.name}.before-restore-{now.strftime('%Y%m%d-%H%M%S')}")
                _swap_in(temp, study_path, aside)
            finally:
                _remove(with_sidecars(temp))  # nothing left once it is in place
            pause(study_path)
            return aside
        finally:
            if lock is not None:
                lock.release()
    finally:
        source.close()


def _check_backup_identity(source: sqlite.Connection, backup_path: Path) -> None:
    """Refuse a backup that is not a fieldkit study's, or that this fieldkit could not open."""
    from fieldkit.storage import connection

    app_id = source.execute("PRAGMA application_id").fetchone()[0]
    if app_id != connection.APPLICATION_ID:
        raise BackupError(f"{backup_path}: not a fieldkit study backup")
    version = source.execute("PRAGMA user_version").fetchone()[0]
    connection.check_identity(backup_path, app_id, version)  # too new for this fieldkit, or unfinished


def _restored_copy(source: sqlite.Connection, study_path: Path, key: str | None) -> Path:
    """Copy the backup open on ``source`` to a hidden file beside the study, in WAL mode as a
    study is, and check the copy; returns it. Nothing of the study is touched."""
    temp = study_path.with_name(f".{study_path.name}.restoring")
    try:
        for leftover in with_sidecars(temp):  # left by a restore that was cut short
            leftover.unlink(missing_ok=True)
        dest = sqlite.connect(temp, key=key)
        try:
            source.backup(dest)
            dest.execute("PRAGMA journal_mode = WAL")
            problems = [r[0] for r in dest.execute("PRAGMA integrity_check")]  # the copy, not only its source
        finally:
            dest.close()
        if problems != ["ok"]:
            raise BackupError(f"{study_path}: the copy of the backup does not pass SQLite's integrity check; "
                              "nothing was changed")
        with open(temp, "rb+") as f:
            os.fsync(f.fileno())
    except BaseException as e:
        _remove(with_sidecars(temp))
        if isinstance(e, (sqlite.Error, OSError)):
            raise BackupError(f"{study_path}: the backup could not be copied beside the study ({e}); "
                              "nothing was changed") from None
        raise
    return temp


def _remove(paths: list[Path]) -> None:
    """Delete what is there of ``paths``, as far as it can be (a clean-up must not hide the error)."""
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def _back_up_current(study_path: Path, passphrase: str | None, key: str | None, now: dt.datetime) -> None:
    """The "before-restore" backup of the file about to be moved aside, opened read-only (a
    damaged file must not be written to) with its own key: from ``passphrase`` and the file's
    own salt when it is encrypted, so a plain study is backed up whatever the backup is. A
    file that cannot be read (damaged, or under another passphrase) is only moved aside."""
    from fieldkit.storage import connection

    try:
        plain = connection.read_header(study_path) is not None
        own_key = None if plain else (sqlite.key_for_file(study_path, passphrase) if passphrase is not None else key)
        current = sqlite.connect(study_path, key=own_key, read_only=True)
        try:
            take(current, study_path, "before-restore", now=now, key=own_key)
        finally:
            current.close()
    except (FieldkitError, sqlite.Error, OSError):
        pass  # moved aside below, untouched


def _swap_in(temp: Path, study_path: Path, aside: Path) -> None:
    """Move the study and its sidecars to ``aside`` and rename ``temp`` into its place; when
    that fails, whatever was moved goes back, so the study is as it was."""
    moved: list[tuple[Path, Path]] = []
    try:
        for path in with_sidecars(study_path):
            if path.exists():
                target = Path(str(aside) + path.name[len(study_path.name):])
                os.replace(path, target)
                moved.append((target, path))
        os.replace(temp, study_path)
    except OSError as e:
        back = True
        for target, path in reversed(moved):
            try:
                os.replace(target, path)
            except OSError:
                back = False
        where = "nothing was changed" if back else f"the study as it was is kept as {aside}"
        raise BackupError(f"{study_path}: the backup could not be put in place ({e.strerror or e}); {where}") from None


def reencrypt(study_path: Path, old_key: str | None, new_key: str | None) -> list[Path]:
    """Re-encrypt every backup of a study whose passphrase changed from ``old_key`` to
    ``new_key`` (None: no passphrase), so its backups never keep personal data under a
    passphrase that was given up, or none at all. Unencrypted backups of an encrypted study
    are always encrypted (``reencrypt(path, key, key)`` does only that, cheaply: it is run
    whenever an encrypted study opens, in case a change was cut short). Returns the backups
    left as they were because neither key opens them."""
    from fieldkit.storage import connection, encryption

    skipped = []
    for b in list_backups(study_path):
        try:
            plain = connection.read_header(b.path) is not None
        except FieldkitError:
            continue  # not a database at all: check reports it
        if plain:
            if new_key is None:
                continue
            source_key = None
        elif old_key == new_key:
            continue  # already under the study's key (or another: integrity_ok would tell)
        elif old_key is not None and integrity_ok(b.path, old_key):
            source_key = old_key
        else:
            skipped.append(b.path)
            continue
        temp = b.path.with_name(b.path.name + ".part")
        temp.unlink(missing_ok=True)
        try:
            source = sqlite.connect(b.path, key=source_key)  # read-write: ATTACH inherits a read-only open
            try:
                encryption.export(source, temp, new_key, journal_mode="DELETE")
            finally:
                source.close()
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        if not integrity_ok(temp, new_key):
            temp.unlink(missing_ok=True)
            raise BackupError(f"{b.path}: the re-encrypted backup does not pass SQLite's integrity check")
        stamp = b.path.stat()
        os.replace(temp, b.path)
        os.utime(b.path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # keeps "unchanged since" right
    return skipped


def held_count(path: Path, key: str | None = None) -> int:
    """How many held anonymous answers a backup (or copy) contains: always 0 for one fieldkit
    wrote (see ``drop_held``); ``fieldkit check`` reports any other."""
    try:
        conn = sqlite.connect(path, key=key, read_only=True)
        try:
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'held'").fetchone() is None:
                return 0
            return conn.execute("SELECT count(*) FROM held").fetchone()[0]
        finally:
            conn.close()
    except sqlite.Error:
        return 0  # unreadable: key_problem says so


def key_problem(backup: Path, key: str | None) -> str | None:
    """What is wrong with one backup of a study keyed with ``key``, in words, or None."""
    from fieldkit.storage import connection

    try:
        plain = connection.read_header(backup) is not None
        if plain and key is not None:
            return "is not encrypted, although the study is: anyone with the file can read it"
        if not plain and key is None:
            return ("is encrypted with a passphrase the study no longer has; it opens only with that one "
                    "(delete it if you no longer need it)")
        if not plain:
            connection.verify_key(backup, key)
    except PassphraseError:
        return ("is encrypted with another passphrase (left by an interrupted change); it opens only with "
                "that one (delete it if you no longer need it)")
    except FieldkitError as e:
        return str(e)
    return None if integrity_ok(backup, key) else "does not pass SQLite's integrity check"
