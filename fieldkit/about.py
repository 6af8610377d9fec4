"""What the About box says: fieldkit's version and licence, what it runs on, and where it keeps things.

The same facts serve a support email ("Copy details") and the desktop's About box; the folders
are the ones the rest of fieldkit really writes to (new studies, automatic backups, the log),
read from the functions that write there, so the two can never drift apart.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from pathlib import Path

from fieldkit.errors import StorageError

#: fieldkit's licence, as pyproject.toml's ``license`` names it (used where the package's
#: metadata is not installed, as in the desktop bundle).
LICENCE = "MIT"


@dataclass(frozen=True)
class Place:
    """A folder fieldkit keeps things in: ``key`` for code, ``label`` and ``what`` for people."""

    key: str
    label: str
    path: Path
    what: str

    def ensure(self) -> Path:
        """The folder, made first if it does not exist yet (nothing may have been written there)."""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StorageError(f"{self.path}: the {self.label.lower()} folder could not be made "
                               f"({e.strerror or e})") from e
        return self.path


def log_folder() -> Path:
    """Where the desktop app writes ``fieldkit.log`` (warnings and unexpected errors)."""
    import platformdirs

    return Path(platformdirs.user_log_dir("fieldkit", appauthor=False))


def places() -> list[Place]:
    """The folders fieldkit keeps studies, backups and logs in, in that order."""
    from fieldkit.storage.backups import backups_root
    from fieldkit.study import default_folder

    return [
        Place("studies", "Studies", default_folder(), "New studies go here unless you choose another folder."),
        Place("backups", "Backups", backups_root(), "Automatic backups of every study, one folder per study."),
        Place("logs", "Logs", log_folder(), "fieldkit.log: warnings and unexpected errors, for support."),
    ]


def version() -> str:
    """fieldkit's version: the installed package's metadata, else ``fieldkit.__version__``."""
    from importlib import metadata

    try:
        return metadata.version("fieldkit")
    except metadata.PackageNotFoundError:
        from fieldkit import __version__

        return __version__


def licence() -> str:
    """fieldkit's licence: the installed package's metadata, else ``LICENCE``."""
    from importlib import metadata

    try:
        meta = metadata.metadata("fieldkit")
    except metadata.PackageNotFoundError:
        return LICENCE
    named = (meta.get_all("License-Expression") or []) + (meta.get_all("License") or [])
    return named[0] if named else LICENCE


def details(extra: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """(name, value) rows saying what this copy of fieldkit is and runs on.

    ``extra`` rows (the desktop's Qt and PySide6, which the core cannot ask for) follow
    Python's. The study storage rows come from the SQLite library itself.
    """
    from fieldkit.storage import sqlite

    v = sqlite.versions()
    rows = [
        ("fieldkit", version()),
        ("Licence", licence()),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        *(extra or []),
        ("SQLite", v["sqlite"]),
        ("SQLCipher", v["sqlcipher"] or "not available (studies cannot be encrypted)"),
    ]
    if v["crypto"]:
        rows.append(("Cryptography", v["crypto"]))
    rows.append(("Operating system", f"{platform.system()} {platform.release()} ({platform.machine()})"))
    return rows


def details_text(rows: list[tuple[str, str]]) -> str:
    """``rows`` as plain text, one "name: value" a line, to paste into an email."""
    return "\n".join(f"{name}: {value}" for name, value in rows) + "\n"
