"""Named exceptions a user can understand.

Every message is one line that says what went wrong and where; the command line prints it
as it is and the desktop app shows it in a dialog.
"""

from __future__ import annotations


class FieldkitError(Exception):
    """Base class for errors caused by input or circumstances, not by a bug."""


class StudyFileError(FieldkitError):
    """A file cannot be used as a study: not SQLite, empty, not fieldkit's, too new, damaged."""


class StudyInUseError(FieldkitError):
    """The study is already open in another fieldkit window or process."""


class StudyBusyError(FieldkitError):
    """Another program holds the study's write lock for longer than fieldkit waits."""


class StudyOutdatedError(StudyFileError):
    """A read-only open found a study in an older format; opening it normally updates it."""


class StudyReadOnlyError(StudyFileError):
    """fieldkit cannot write where the study is (a read-only file, folder or drive). It can
    still be opened read-only (``Study.open(path, read_only=True)``)."""


class StudyDamagedError(StudyFileError):
    """The study file is damaged. It has been moved aside (``aside``) untouched; ``backup`` is
    the newest backup that passes SQLite's integrity check, or None."""

    def __init__(self, message: str, *, aside=None, backup=None):
        super().__init__(message)
        self.aside = aside
        self.backup = backup


class PassphraseError(StudyFileError):
    """An encrypted study needs its passphrase, or the one given does not open it.

    ``needed`` is True when none was given (ask for it), False when it was wrong."""

    def __init__(self, message: str, *, needed: bool):
        super().__init__(message)
        self.needed = needed


class DiskFullError(FieldkitError):
    """The disk (or the study's size limit) is full: the change was not saved; earlier work is safe."""


class StorageError(FieldkitError):
    """The operating system could not read or write the file (an I/O error, out of memory)."""


class TemplateError(FieldkitError):
    """A template is broken. ``problems`` lists every problem found, each with its place."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class NotFoundError(FieldkitError):
    """A record that was asked for does not exist."""


class InvalidValueError(FieldkitError):
    """A value does not fit: a status that does not exist, a category outside the vocabulary."""


class ImportFileError(FieldkitError):
    """A file cannot be imported (CSV, workbook, Access table). ``problems`` lists every bad
    row and column, one line each."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{source}: nothing imported, {count} problem{'s' if count != 1 else ''}"
        super().__init__(head + "\n" + "\n".join(self.problems))


#: The name this error had when only CSV files could be imported.
CsvImportError = ImportFileError
