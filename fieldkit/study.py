"""A study: one ``.fieldkit`` file, its one connection, and the managers that work on it.

    study = Study.create(path, find_template("regional-mapping"), title="West Midlands 2026")
    org = study.organisations.add("Coventry Refugee Forum", category="BME network")
    study.attempts.log(org, outcome="No answer", callback_at="2026-11-24T10:00")
    session = study.interviews.start(org, mode="phone", interviewer="AK")
    session.save_answer("a1", "Coordinator")
    session.complete()

Every change is written the moment it is made; there is no save step.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldkit.errors import FieldkitError, StudyDamagedError, StudyFileError, StudyOutdatedError
from fieldkit.storage import connection, sqlite
from fieldkit.template_toml import template_from_dict
from fieldkit.templates import Template
from fieldkit.storage.files import SIDECARS, sidecar, with_sidecars

if TYPE_CHECKING:
    import sqlite_utils

    from fieldkit.held import Held
    from fieldkit.storage.wal import Checkpoint

    from fieldkit.attempts import Attempts
    from fieldkit.interviews import Interviews
    from fieldkit.numbers import Numbers
    from fieldkit.organisations import Organisations
    from fieldkit.pool import Pool
    from fieldkit.search import Search

SUFFIX = connection.SUFFIX
_HELD_FORMAT = 3  # the study format that holds anonymous answers before they are pooled
_UNREAD = object()  # Study._open: the header has not been read yet


def now() -> str:
    """Local time to the second, ISO 8601, as stored in named records."""
    return dt.datetime.now().replace(microsecond=0).isoformat()


def default_folder() -> Path:
    """Where new studies go unless the user says otherwise: the user data folder, not a cloud one."""
    import platformdirs

    return Path(platformdirs.user_data_dir("fieldkit", appauthor=False)) / "Studies"


class Study:
    """An open study file. Use ``Study.create`` or ``Study.open``; close it (or use ``with``)."""

    def __init__(self, path: Path, conn: sqlite.Connection, lock: connection.StudyLock,
                 key: str | None = None):
        self.path = path
        self._key = key  # the key derived from the passphrase (memory only): more connections need it
        self.conn = conn
        self._db: sqlite_utils.Database | None = None
        self._lock = lock
        self._mutex = threading.RLock()
        self._templates: dict[int, Template] = {}
        self._current_version: int | None = None
        self._closed = False
        self._wrote = False
        #: Things the user should know that did not stop the study opening (a failed backup).
        self.warnings: list[str] = []
        self._changes_at_backup = 0
        #: A scrub (erasure, redaction, a move into the pool) could not empty the -wal because
        #: another connection was reading: tried again after every later commit and on closing.
        self._scrub_pending = False
        #: The checks ``open(defer_checks=True)`` left to run; None once they passed.
        self._checks: OpeningChecks | None = None
        #: what the opening checks found wrong, once acted on (the study was closed)
        self._opening_error: FieldkitError | None = None

        from fieldkit.attempts import Attempts
        from fieldkit.held import Held
        from fieldkit.interviews import Interviews
        from fieldkit.numbers import Numbers
        from fieldkit.organisations import Organisations
        from fieldkit.pool import Pool
        from fieldkit.search import Search

        self.organisations: Organisations = Organisations(self)
        self.attempts: Attempts = Attempts(self)
        self.numbers: Numbers = Numbers(self)
        self.interviews: Interviews = Interviews(self)
        self.pool: Pool = Pool(self)
        self.held: Held = Held(self)
        self.search: Search = Search(self)

    # --- opening and closing ----------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | os.PathLike,
        template: Template,
        *,
        title: str | None = None,
        client: str = "",
        author: str = "",
        allow_risky_location: bool = False,
        passphrase: str | None = None,
    ) -> Study:
        """Create a new study file from ``template`` and open it.

        The file is built under a temporary name beside ``path`` and renamed into place only
        when complete, so a failure never leaves a half-made study. With ``passphrase`` the
        study is encrypted from its first byte.
        """
        from fieldkit.storage import location

        path = Path(path)
        if path.suffix != SUFFIX:
            path = path.with_name(path.name + SUFFIX)
        if path.exists():
            raise StudyFileError(f"{path}: a file with that name already exists")
        location.ensure_safe(path, allow_risky=allow_risky_location)
        key = sqlite.new_key(sqlite.check_new_passphrase(passphrase)) if passphrase is not None else None
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.creating")
        for leftover in with_sidecars(temp):
            leftover.unlink(missing_ok=True)
        conn = sqlite.connect(temp, key=key, isolation_level=None)
        try:
            conn.execute(f"PRAGMA application_id = {connection.APPLICATION_ID}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            connection.migrate(conn, temp)
            stamp = now()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO template_versions(version, definition, created) VALUES (1, ?, ?)",
                (json.dumps(template.to_dict(), ensure_ascii=False), stamp),
            )
            meta = {
                "title": title or template.title,
                "client": client,
                "author": author,
                "created": stamp,
                "template_name": template.name,
            }
            conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", meta.items())
            conn.execute("COMMIT")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except BaseException:
            conn.close()
            for leftover in with_sidecars(temp):
                leftover.unlink(missing_ok=True)
            raise
        conn.close()
        move_into_place(temp, path)
        return cls._open(path, backup=False, allow_risky_location=allow_risky_location, key=key)

    @classmethod
    def open(cls, path: str | os.PathLike, *, read_only: bool = False, backup: bool = True,
             allow_risky_location: bool = False, passphrase: str | None = None,
             defer_checks: bool = False) -> Study:
        """Open an existing study; refuses by name anything that is not a usable study.

        ``read_only`` is for reading numbers while the study may be open elsewhere (the
        ``summary`` command): it takes no lock, cannot write and does not migrate.
        ``allow_risky_location`` opens a study in a cloud-synced folder or on a network drive,
        which is otherwise refused (see fieldkit.storage.location). ``passphrase`` opens an
        encrypted study (PassphraseError when it is needed or wrong); a plain study ignores it.

        ``defer_checks`` (the desktop app) leaves reading the whole file and the opening backup
        to ``opening_checks``, to run off the UI thread: until ``finish_opening`` has seen them
        pass the study can be read but refuses every change. After a crash (a -wal left with
        frames in it) or when the study needs upgrading, the checks run here as usual.
        """
        path = Path(path)
        try:
            header = connection.read_header(path)
        except StudyDamagedError as e:  # a fieldkit study whose header is overwritten
            if read_only:
                raise
            lock = connection.StudyLock(path)
            lock.acquire()  # not while another window has it open
            lock.release()
            raise _quarantine(path, str(e)) from None
        key = sqlite.key_for_file(path, passphrase) if header is None and passphrase is not None else None
        return cls._open(path, read_only=read_only, backup=backup, allow_risky_location=allow_risky_location,
                         key=key, header=header, defer_checks=defer_checks)

    @classmethod
    def open_up_to_date(cls, path: str | os.PathLike, *, read_only: bool = False,
                        passphrase: str | None = None) -> Study:
        """``open``, bringing a study in an older format up to date even for a read-only open
        (which alone cannot, and says StudyOutdatedError): the study is opened normally once,
        which backs it up ("before-migration") and migrates it, refused by name while another
        window has it open, then opened as asked."""
        try:
            return cls.open(path, read_only=read_only, passphrase=passphrase)
        except StudyOutdatedError:
            cls.open(path, passphrase=passphrase).close()
            return cls.open(path, read_only=read_only, passphrase=passphrase)

    @classmethod
    def _open(cls, path: Path, *, read_only: bool = False, backup: bool = True,
              allow_risky_location: bool = False, key: str | None = None,
              header: Any = _UNREAD, defer_checks: bool = False) -> Study:
        """``open`` with the raw key (sqlite.raw_key) in place of the passphrase; ``header``
        is what ``read_header`` said, when the caller has read it already."""
        from fieldkit.storage import location

        if header is _UNREAD:
            header = connection.read_header(path)
        if header is None:
            connection.verify_key(path, key)  # before anything else: a wrong key is not damage
        else:
            key = None
            connection.check_identity(path, *header)
        if not read_only and not connection.writable(path):
            raise connection.read_only_here(path)
        place_warning = None if read_only else location.ensure_safe(path, allow_risky=allow_risky_location)
        lock = connection.StudyLock(path)
        if not read_only:
            lock.acquire()
        wal = Path(f"{path}-wal")
        unclean = wal.exists() and wal.stat().st_size > 0  # left by a crash
        defer = defer_checks and not read_only and not unclean
        if not read_only and not defer:
            # Read-only first: a damaged file must not even get the checkpoint a closing
            # connection writes. After an unclean shutdown, the full check.
            try:
                problem = connection.probe(path, full=unclean, key=key)
            except BaseException:
                lock.release()
                raise
            if problem is not None:
                lock.release()
                raise _quarantine(path, f"{path}: the study file is damaged ({problem})", key)
        try:
            conn = (connection.connect_read_only(path, key) if read_only and not connection.writable(path)
                    else connection.connect(path, key))
        except BaseException:
            lock.release()
            raise
        damaged = ""
        try:
            # The header can lag behind a -wal left by a crash: ask SQLite as well.
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            connection.check_identity(path, app_id, version)
            if read_only:
                if version < connection.SCHEMA_VERSION:
                    raise StudyOutdatedError(f"{path}: made by an older fieldkit; open it once to bring it up to date")
                conn.execute("PRAGMA query_only = ON")
            else:
                if defer and version != connection.SCHEMA_VERSION:
                    defer = False  # an upgrade writes: the file is checked here first, as usual
                    problem = connection.probe(path, full=False, key=key)
                    if problem is not None:
                        damaged = f"{path}: the study file is damaged ({problem})"
                if damaged:
                    raise StudyDamagedError(damaged)  # handed to _quarantine below, once closed
                if version < connection.SCHEMA_VERSION:
                    _backup(conn, path, "before-migration", strict=True, key=key)
                connection.migrate(conn, path)
            study = cls(path, conn, lock, key)
            if defer:
                conn.execute("PRAGMA query_only = ON")  # until the checks pass
                study._checks = OpeningChecks(path, key, backup=backup)
            elif not read_only:
                if version < _HELD_FORMAT and study.pool.count():
                    # Pooled before answers were held: lay the pool out anew in random-id order.
                    with study.transaction():
                        study.pool.rewrite()
                    study.empty_wal()
                study.held.move_ready()  # in case a finish was cut short before its move
                study.search.write_left_over()  # answers' search entries a crash left unwritten
            if place_warning:
                study.warnings.append(f"{path}: {place_warning}")
            if key is not None and not read_only and not defer:
                _encrypt_plain_backups(study)  # in case encrypting it was cut short
            if backup and not read_only and not defer:
                warned = len(study.warnings)
                study.backup("open", only_if_changed=True)
                if len(study.warnings) > warned:
                    # A backup is a page-by-page copy, checked: when it fails, the study itself may
                    # be damaged in a way the quick check on opening does not see.
                    problem = connection.probe(path, full=True, key=key)
                    if problem is not None:
                        conn.close()
                        lock.release()
                        raise _quarantine(path, f"{path}: the study file is damaged ({problem})", key)
            study.template  # noqa: B018 - load and validate the stored template now
        except BaseException as e:
            conn.close()
            lock.release()
            if damaged:
                raise _quarantine(path, damaged, key) from None
            if isinstance(e, sqlite.DatabaseError):
                raise connection.database_error(path, e) from None
            raise
        return study

    @property
    def checking(self) -> bool:
        """True while the opening checks have not yet passed: the study refuses changes."""
        return self._checks is not None

    def opening_checks(self) -> OpeningChecks | None:
        """The checks ``open(defer_checks=True)`` left to run (``run`` them on any thread, then
        ``finish_opening`` here); None when there are none left."""
        return self._checks

    def finish_opening(self) -> None:
        """Act on the opening checks once they have run: when the file is damaged, close the
        study, set it aside and raise StudyDamagedError with the backup to restore, as opening
        it would have; otherwise allow changes and do what opening leaves for after the checks
        (a held group's move cut short, backups left unencrypted)."""
        checks = self._checks
        if checks is None:
            if self._opening_error is not None:
                raise self._opening_error
            return
        checks.wait()
        self._checks = None
        if checks.problem is not None or checks.failure is not None:
            self._closed = True
            with self._mutex:
                self.conn.close()
                self._lock.release()
            self._opening_error = checks.failure or _quarantine(
                self.path, f"{self.path}: the study file is damaged ({checks.problem})", self._key)
            raise self._opening_error
        self.conn.execute("PRAGMA query_only = OFF")
        if checks.backup_failed:
            self.warnings.append(f"{self.path}: the automatic backup failed; your work is saved, "
                                 "but make a copy with File ▸ Save a copy as…")
        self._changes_at_backup = self.conn.total_changes
        self.held.move_ready()  # in case a finish was cut short before its move
        self.search.write_left_over()  # answers' search entries a crash left unwritten
        if self._key is not None:
            _encrypt_plain_backups(self)  # in case encrypting it was cut short

    @property
    def db(self) -> sqlite_utils.Database:
        """The study's connection seen through sqlite-utils, made when first needed: opening a
        study and showing its first page read through ``conn`` and need none of it."""
        if self._db is None:
            self._db = sqlite.sqlite_utils().Database(self.conn)
        return self._db

    def close(self) -> None:
        if self._closed:
            return
        with contextlib.suppress(FieldkitError, sqlite.Error):  # kept for the next opening otherwise
            self.search.write_pending()
        self._closed = True
        with self._mutex:
            if self._wrote:  # never touch the file of a session that changed nothing
                try:
                    self.conn.execute("PRAGMA optimize")
                    if self._scrub_pending:
                        self.empty_wal()
                except sqlite.Error:
                    pass
            self.conn.close()
            self._lock.release()

    @property
    def encrypted(self) -> bool:
        """True when the study is encrypted at rest with a passphrase."""
        return self._key is not None

    def open_reader(self) -> Study:
        """A read-only second connection to this study (for reading off the UI thread),
        opened with the same passphrase."""
        return Study._open(self.path, read_only=True, key=self._key)

    def set_passphrase(self, passphrase: str | None) -> None:
        """Encrypt the study with ``passphrase``, change its passphrase, or (None) remove it.

        A backup is taken first; the study is written whole to a new file under the new key,
        checked, and renamed over the old one, so a crash leaves the old study or the new,
        never a mix. Every backup is then re-encrypted to match. Close read-only connections
        (``open_reader``) first: they would go on reading the old file.
        """
        from fieldkit.storage import backups, encryption

        new = sqlite.new_key(sqlite.check_new_passphrase(passphrase)) if passphrase is not None else None
        old = self._key
        if new is None and old is None:
            return
        with self._mutex:
            if self._closed:
                raise FieldkitError(f"{self.path}: the study is closed")
            _backup(self.conn, self.path, "before-passphrase", strict=True, key=old)
            temp = encryption.rewrite(self.conn, self.path, new)
            self.conn.close()
            self._lock.release()  # first: Windows cannot rename over a file that is held open
            try:
                encryption.put_in_place(temp, self.path)
            except OSError as e:  # e.g. another program holds the file open (Windows)
                temp.unlink(missing_ok=True)
                self._reconnect(old)
                raise StudyFileError(f"{self.path}: the study could not be replaced ({e.strerror or e}); nothing "
                                     "was changed — close other programs using it and try again") from None
            self._reconnect(new)
            self._key = new
        skipped = backups.reencrypt(self.path, old, new)
        if skipped:
            self.warnings.append(f"{self.path}: {len(skipped)} older backup(s) did not open with the old passphrase "
                                 "and were left as they were")

    def _reconnect(self, key: str | None) -> None:
        """Take the lock and the one connection again, after the file was replaced."""
        self._lock = connection.StudyLock(self.path)
        self._lock.acquire()
        self.conn = connection.connect(self.path, key)
        self._db = None
        self._changes_at_backup = self.conn.total_changes

    def backup(self, reason: str, *, only_if_changed: bool = False) -> Path | None:
        """Take a checked backup now (see fieldkit.storage.backups). Never raises: a failed
        backup is added to ``warnings`` and returned as None, so it cannot block the work."""
        from fieldkit.storage import backups

        if self._checks is not None:  # the opening backup comes first
            self._checks.wait()
            try:
                self.finish_opening()
            except FieldkitError:
                return None
        if only_if_changed and (self.conn.total_changes == self._changes_at_backup) and (
                self._changes_at_backup or backups.unchanged_since_last(self.path)):
            return None
        with self._mutex:
            taken = _backup(self.conn, self.path, reason, strict=False, key=self._key)
        if taken is None:
            self.warnings.append(f"{self.path}: the automatic backup failed; your work is saved, "
                                 "but make a copy with File ▸ Save a copy as…")
            return None
        self._changes_at_backup = self.conn.total_changes
        return taken

    def save_copy(self, path: str | os.PathLike) -> Path:
        """Write a complete copy of the study to ``path`` (SQLite's online backup, which
        includes what is still in the -wal, unlike a file copy). Refuses to overwrite. The
        copy of an encrypted study is encrypted with the same passphrase. Like a backup, it
        lacks the anonymous answers still held with their interviews (fieldkit.held)."""
        from fieldkit.storage import backups

        path = Path(path)
        if path.suffix != SUFFIX:
            path = path.with_name(path.name + SUFFIX)
        if path.exists():
            raise StudyFileError(f"{path}: a file with that name already exists")
        temp = path.with_name(f".{path.name}.copying")
        for leftover in with_sidecars(temp):
            leftover.unlink(missing_ok=True)
        try:
            target = sqlite.connect(temp, key=self._key)
            try:
                with self._mutex:
                    self.conn.backup(target)
                backups.drop_held(target)  # like a backup, a copy never holds them
                target.execute("PRAGMA journal_mode = WAL")
            finally:
                target.close()
        except (sqlite.Error, OSError) as e:
            for leftover in with_sidecars(temp):
                leftover.unlink(missing_ok=True)
            raise StudyFileError(f"{path}: cannot write the copy ({e})") from None
        move_into_place(temp, path)
        return path

    def __enter__(self) -> Study:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._closed

    # --- transactions and queries ------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit of work; nested calls become savepoints of the outer one."""
        with self._mutex:
            if self._closed:
                raise FieldkitError(f"{self.path}: the study is closed")
            if self._checks is not None:  # a change waits for the opening checks, which it may not skip
                self._checks.wait()
                self.finish_opening()
            if self.conn.in_transaction:
                try:
                    with self.db.atomic():
                        yield
                except BaseException:
                    self._forget_templates()
                    self.search.rolled_back()
                    raise
                return
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite.OperationalError as e:
                raise connection.database_error(self.path, e) from None
            try:
                yield
                self.conn.execute("COMMIT")
                self._wrote = True
                if self._scrub_pending:
                    with contextlib.suppress(sqlite.Error):
                        self.empty_wal(busy_ms=50)
            except BaseException as e:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                self._forget_templates()
                self.search.rolled_back()
                if isinstance(e, sqlite.DatabaseError) and not isinstance(e, sqlite.IntegrityError):
                    raise connection.database_error(self.path, e) from None
                raise

    def empty_wal(self, *, busy_ms: int = 1000) -> Checkpoint:
        """Checkpoint and empty the -wal, so nothing deleted or moved stays readable there.
        When another connection's reading stops it, ``_scrub_pending`` makes every later
        commit (and closing) try again."""
        from fieldkit.storage import wal

        with self._mutex:
            if self.conn.in_transaction:  # inside a caller's transaction: once it commits
                self._scrub_pending = True
                return wal.Checkpoint(False, -1, Path(f"{self.path}-wal"))
            # A few short tries: a reader that holds on is reported, not waited out.
            done = wal.truncate(self.conn, self.path, busy_ms=busy_ms, attempts=3 if busy_ms >= 1000 else 1)
            self._scrub_pending = not done.done
        return done

    @property
    def anonymity_k(self) -> int:
        """The fewest interviews a pooled answer may be narrowed down to (fieldkit.anonymity)."""
        from fieldkit import anonymity

        return anonymity.k(self)

    def _forget_templates(self) -> None:
        """A rolled-back template change must not linger in the cache."""
        self._current_version = None
        self._templates.clear()

    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """Rows as dicts. For the core's own modules; the UI never writes SQL."""
        with self._mutex:
            cursor = self.conn.execute(sql, params)
            keys = [d[0] for d in cursor.description or ()]
            return [dict(zip(keys, row, strict=True)) for row in cursor.fetchall()]

    def scalar(self, sql: str, params: Any = ()) -> Any:
        with self._mutex:
            row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    # --- settings ----------------------------------------------------------------------

    def meta(self, key: str, default: str = "") -> str:
        value = self.scalar("SELECT value FROM meta WHERE key = ?", (key,))
        return default if value is None else value

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.db.table("meta").upsert({"key": key, "value": value}, pk="key")

    @property
    def title(self) -> str:
        return self.meta("title")

    @property
    def client(self) -> str:
        return self.meta("client")

    @property
    def author(self) -> str:
        return self.meta("author")

    @property
    def report_language(self) -> str:
        """The language reports print the schedule's texts in (question and choice labels,
        section titles): the one chosen with ``set_report_language``, else (or when the schedule
        is no longer written in it) the template's default language."""
        template = self.template
        chosen = self.meta("report_language")
        return chosen if chosen in template.languages else template.default_language

    def set_report_language(self, language: str) -> None:
        """Choose the language reports are printed in: one of ``template.languages``."""
        from fieldkit.errors import InvalidValueError

        languages = self.template.languages
        if language not in languages:
            raise InvalidValueError(f"the schedule is not written in '{language}' "
                                    f"(languages: {', '.join(languages)})")
        self.set_meta("report_language", language)

    @property
    def country(self) -> str:
        """The country the study's phone numbers are dialled in (ISO 3166-1 alpha-2): read,
        stored and shown for it (fieldkit.contact_details). "GB" unless ``set_country``."""
        from fieldkit.contact_details import DEFAULT_COUNTRY

        value = self.meta("country").strip().upper()
        return value if len(value) == 2 and value.isascii() and value.isalpha() else DEFAULT_COUNTRY

    def set_country(self, country: str) -> None:
        """Choose the study's country: a two-letter ISO 3166 code with a telephone numbering
        plan ("GB", "PL", "IE"). Numbers already stored keep what they are."""
        from fieldkit.contact_details import country_code

        self.set_meta("country", country_code(country))

    def set_details(self, *, title: str | None = None, client: str | None = None,
                    author: str | None = None) -> None:
        """Change the study's title, client or author (what the report's cover shows)."""
        with self.transaction():
            for key, value in (("title", title), ("client", client), ("author", author)):
                if value is not None:
                    if key == "title" and not value.strip():
                        raise FieldkitError("the study title cannot be empty")
                    self.set_meta(key, value)

    # --- the study's template ----------------------------------------------------------

    @property
    def template_version(self) -> int:
        if self._current_version is None:
            self._current_version = self.scalar("SELECT max(version) FROM template_versions")
            if self._current_version is None:
                raise StudyFileError(f"{self.path}: the study has no template")
        return self._current_version

    @property
    def template(self) -> Template:
        """The study's current template (its own copy, not the file in forms/)."""
        return self.template_at(self.template_version)

    def template_at(self, version: int) -> Template:
        """The template as it was at ``version``: what an old interview was taken with."""
        if version not in self._templates:
            text = self.scalar("SELECT definition FROM template_versions WHERE version = ?", (version,))
            if text is None:
                raise StudyFileError(f"{self.path}: template version {version} is missing")
            try:
                data = json.loads(text)
            except ValueError:
                raise StudyFileError(f"{self.path}: template version {version} is damaged") from None
            self._templates[version] = template_from_dict(
                data, source=f"{self.path} (template version {version})"
            )
        return self._templates[version]

    def template_versions(self) -> list[int]:
        return [r["version"] for r in self.query("SELECT version FROM template_versions ORDER BY version")]

    def update_template(self, template: Template, *, remove_used_choices: bool = False) -> int:
        """Store a new version of the study's template; old interviews keep theirs.

        Values still used by organisations or attempts cannot be removed from a vocabulary;
        schedule edits that would break recorded answers are refused (``fieldkit.schedule``).
        """
        current = self.template
        if template.to_dict() == current.to_dict():
            return self.template_version
        from fieldkit import schedule

        refused = schedule.refusals(self, template, remove_used_choices=remove_used_choices)
        if refused:
            raise FieldkitError("; ".join(refused))
        with self.transaction():
            for kind in _USES:
                used = self.vocabulary_usage(kind)
                missing = sorted(set(used) - set(template.vocabulary(kind)))
                if missing:
                    what = "attempt" if kind == "outcomes" else "organisation"
                    uses = ", ".join(f"{v} ({used[v]} {what}{'s' if used[v] != 1 else ''})" for v in missing)
                    raise FieldkitError(
                        f"cannot remove {kind.replace('_', ' ')} still in use: {uses}. "
                        f"Rename the value instead, or change those {what}s first."
                    )
            used_flags = dict(self.conn.execute("SELECT flag, count(*) FROM flags GROUP BY flag").fetchall())
            gone = sorted(set(used_flags) - set(template.flag_ids()))
            if gone:
                labels = ", ".join(f"{current.flag_label(f) if f in current.flag_ids() else f} "
                                   f"({used_flags[f]} organisation{'s' if used_flags[f] != 1 else ''})"
                                   for f in gone)
                raise FieldkitError(f"cannot remove flags still ticked: {labels}. Untick them first.")
            version = self.template_version + 1
            self.conn.execute(
                "INSERT INTO template_versions(version, definition, created) VALUES (?, ?, ?)",
                (version, json.dumps(template.to_dict(), ensure_ascii=False), now()),
            )
        self._current_version = version
        self._templates[version] = template
        asked_before = {q.id for v in self.template_versions() if v != version for q in self.template_at(v).questions()}
        added = [q.id for q in template.questions() if q.anonymous and q.id not in asked_before]
        if added and self.interviews.count():
            from fieldkit import anonymity

            self.warnings.append(anonymity.new_question_notice(self, added))
        return version

    def vocabulary_usage(self, kind: str) -> dict[str, int]:
        """How many organisations (attempts, for outcomes) use each value of a vocabulary."""
        table, column = _USES[kind]
        with self._mutex:
            return dict(self.conn.execute(
                f"SELECT {column}, count(*) FROM {table} WHERE {column} IS NOT NULL AND {column} <> '' "
                f"GROUP BY {column}").fetchall())

    def rename_vocabulary_value(self, kind: str, old: str, new: str) -> int:
        """Rename a value of a vocabulary everywhere at once: the template (a new version,
        the value keeping its place and, for a category, its target) and every organisation
        or attempt that uses it. Returns the template version."""
        if old == new:
            return self.template_version
        template = self.template.with_renamed_value(kind, old, new)
        table, column = _USES[kind]
        with self.transaction():
            ids = [r[0] for r in self.conn.execute(f"SELECT id FROM {table} WHERE {column} = ?", (old,))]
            self.conn.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (new, old))
            version = self.update_template(template)
            if table == "organisations":
                stamp = now()
                for org_id in ids:
                    self.conn.execute("UPDATE organisations SET updated = ? WHERE id = ?", (stamp, org_id))
                    self.search.index_organisation(org_id)
        return version

    def add_vocabulary_values(self, additions: Mapping[str, Iterable[str]]) -> int:
        """Append values to vocabularies, e.g. ``{"areas": ["Solihull"]}``, as one new
        template version (none when nothing is new); returns the current version."""
        template = self.template
        for kind, values in additions.items():
            existing = list(template.vocabulary(kind))
            new = [v for v in dict.fromkeys(values) if v not in existing]
            if new:
                template = template.with_values(kind, existing + new)
        return self.update_template(template)


#: Where each vocabulary's values are used: (table, column).
_USES = {
    "categories": ("organisations", "category"),
    "areas": ("organisations", "area"),
    "exclusion_reasons": ("organisations", "exclusion_reason"),
    "outcomes": ("attempts", "outcome"),
}


def _quarantine(path: Path, reason: str, key: str | None = None) -> StudyDamagedError:
    """Move a damaged study (with its -wal and -shm) aside, untouched, and find the newest
    backup that passes SQLite's integrity check. Returns the error to raise."""
    from fieldkit.storage import backups

    aside = path.with_name(path.name + ".damaged")
    if aside.exists():
        aside = path.with_name(f"{path.name}.damaged-{dt.datetime.now():%Y%m%d-%H%M%S}")
    os.replace(path, aside)
    for suffix in SIDECARS:
        side = sidecar(path, suffix)
        if side.exists():
            os.replace(side, sidecar(aside, suffix))
    good = next((b for b in backups.list_backups(path) if backups.integrity_ok(b.path, key)), None)
    offer = (f" The newest backup that checks out is from {good.taken:%d %B %Y %H:%M}: restore it with "
             f"File ▸ Restore, or: fieldkit restore \"{path}\" \"{good.path}\"" if good else
             " There is no backup of it that checks out.")
    return StudyDamagedError(f"{reason}. fieldkit has not written to it; it is kept as {aside}.{offer}",
                             aside=aside, backup=good.path if good else None)


def _encrypt_plain_backups(study: Study) -> None:
    from fieldkit.storage import backups

    try:
        backups.reencrypt(study.path, study._key, study._key)
    except (FieldkitError, OSError, sqlite.Error) as e:
        study.warnings.append(f"{study.path}: some backups are not encrypted and could not be encrypted now ({e}); "
                              "fieldkit check lists them")


class OpeningChecks:
    """What ``Study.open(defer_checks=True)`` left to do: read the whole file (SQLite's
    quick_check) and take the opening backup when the study changed since the last one. ``run``
    uses connections of its own, read-only, so it can run on a worker thread while the study's
    own connection serves the screens; it never raises. It runs once: ``wait`` waits for a run
    under way, or runs it here when none has started."""

    def __init__(self, path: Path, key: str | None, *, backup: bool = True) -> None:
        self.path = path
        self._key = key
        self._backup = backup
        #: what is wrong with the file, or None when it read cleanly
        self.problem: str | None = None
        self.backup_failed = False
        #: an error that is not damage (the file could not be read), raised by finish_opening
        self.failure: FieldkitError | None = None
        self.done = False
        self._once = threading.Lock()

    def wait(self) -> None:
        self.run()

    def run(self) -> None:
        with self._once:
            if not self.done:
                self._run()

    def _run(self) -> None:
        from fieldkit.storage import backups

        try:
            self.problem = connection.probe(self.path, full=False, key=self._key)
            if self.problem is None and self._backup and not backups.unchanged_since_last(self.path):
                reader = connection.connect_read_only(self.path, self._key)
                try:
                    self.backup_failed = _backup(reader, self.path, "open", strict=False, key=self._key) is None
                finally:
                    reader.close()
                if self.backup_failed:
                    # A backup is a page-by-page copy, checked: when it fails, the study itself may
                    # be damaged in a way the quick check does not see.
                    self.problem = connection.probe(self.path, full=True, key=self._key)
        except FieldkitError as e:  # not damage: the study could not be read here
            self.failure = e
        except (sqlite.Error, OSError) as e:
            self.failure = StudyFileError(f"{self.path}: the study could not be checked ({e})")
        finally:
            self.done = True


def _backup(conn: sqlite.Connection, path: Path, reason: str, *, strict: bool,
            key: str | None = None) -> Path | None:
    """A backup of the open study; ``strict`` raises when it fails (before a migration)."""
    from fieldkit.storage import backups

    try:
        return backups.take(conn, path, reason, key=key).path
    except (backups.BackupError, OSError) as e:
        if strict:
            raise StudyFileError(f"{path}: no backup could be taken before updating the study ({e}); "
                                 "nothing was changed") from None
        return None


def move_into_place(temp: Path, path: Path) -> None:
    """Rename a finished file to ``path``, never replacing a file that appeared meanwhile."""
    try:
        os.link(temp, path)  # fails if path exists, unlike a rename on POSIX
    except FileExistsError:
        temp.unlink(missing_ok=True)
        raise StudyFileError(f"{path}: a file with that name already exists") from None
    except OSError:  # no hard links on this filesystem: rename (Windows refuses to overwrite)
        if path.exists():
            temp.unlink(missing_ok=True)
            raise StudyFileError(f"{path}: a file with that name already exists") from None
        os.rename(temp, path)
        return
    temp.unlink()


def template_of_study(path: str | os.PathLike, *, passphrase: str | None = None) -> Template:
    """The current template of the study at ``path`` (its schedule, vocabularies, flags,
    targets and themes) as version 1, to start a new study from: ``Study.create(new, it)``.

    The study is only read (read-only, no backup, no migration) and closed again, so its file
    is left byte for byte as it was. An encrypted study needs its ``passphrase``; without it,
    or with a wrong one, PassphraseError. Not a study, damaged or too new: StudyFileError.
    """
    import dataclasses

    wal = Path(f"{path}-wal")
    hold: sqlite.Connection | None = None
    try:
        with Study.open(path, read_only=True, backup=False, passphrase=passphrase) as other:
            if wal.exists() and wal.stat().st_size > 0:
                # Left by a crash (or another window's writes): the last connection to close
                # would checkpoint it into the file. A read-only one, closed last, cannot.
                hold = sqlite.connect(other.path, key=other._key, read_only=True)
                hold.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return dataclasses.replace(other.template, version=1)
    finally:
        if hold is not None:
            hold.close()
