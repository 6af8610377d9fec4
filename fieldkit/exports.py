"""Export files written whole or not at all, and what a killed writer left behind cleared away.

Every file fieldkit exports (a CSV or XLSX table, a PDF report or case sheet, a subject-access
JSON file) goes through ``write_atomically``: it is written under a temporary name beside the
target, flushed to disk and renamed over it, so the target is always either the file that was
there before or the complete new one.

A process that is killed half-way cannot tidy up after itself, so each write is first noted
in a small file in the user state folder (the temporary file's path and the writer's process
id) and the note is removed when the write ends. ``sweep_stale_exports``, called once at
start-up, deletes the temporary files whose writer is gone. It only ever deletes a file that
a note names and whose name has fieldkit's temporary-file pattern.

The same sweep clears what older versions of fieldkit left in the temporary folder: their
Reports screen rendered its preview into a ``fieldkit-preview-*`` folder there (plain PDFs of
the pooled comments, left behind by a killed process). The preview is now drawn from memory.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fieldkit.errors import FieldkitError

#: How every temporary export file's name ends (``.NAME.<12 hex digits>.fieldkit-part``).
TEMP_SUFFIX = ".fieldkit-part"
_TEMP_NAME = re.compile(r"^\..+\.[0-9a-f]{12}" + re.escape(TEMP_SUFFIX) + r"$", re.DOTALL)
_NOTE_NAME = re.compile(r"^(\d+)-([0-9a-f]{12})\.json$")
#: No export takes this long: an older note is stale even if its process id is in use again.
STALE_AFTER_SECONDS = 24 * 60 * 60
#: How the preview folders of older fieldkit versions were named (``tempfile.mkdtemp(prefix=...)``).
PREVIEW_FOLDER_PREFIX = "fieldkit-preview-"
#: The files such a folder held: ``preview-<n>.pdf``, and the temporary file of one being written.
_PREVIEW_FILE = re.compile(r"^preview-\d+\.pdf$|^\.preview-\d+\.pdf\.[0-9a-f]{12}" + re.escape(TEMP_SUFFIX) + "$")


class ExportError(FieldkitError):
    """A file could not be exported (no such folder, no permission, the disk full, not a file)."""


def notes_folder() -> Path:
    """Where the notes of writes in progress are kept: the user state folder."""
    import platformdirs

    return Path(platformdirs.user_state_dir("fieldkit", appauthor=False)) / "exports-in-progress"


def write_atomically(path: str | os.PathLike, write: Callable[[io.BufferedWriter], object]) -> Path:
    """Write a file through ``write(binary_file)`` under a temporary name beside ``path``,
    flush it to disk and rename it into place. On any failure nothing is left behind and a
    file already at ``path`` is untouched. A symbolic link is followed (the file it names is
    replaced); a device, pipe or socket is refused before anything is written."""
    given = Path(path)
    target = Path(os.path.realpath(given))
    folder = target.parent
    if not folder.is_dir():
        raise ExportError(f"{given}: the folder {given.parent} does not exist")
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as e:
        raise ExportError(f"{given}: cannot write the file ({e.strerror or e})") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise ExportError(f"{given}: is a folder")
    if mode is not None and not stat.S_ISREG(mode):
        raise ExportError(f"{given}: is not an ordinary file (a device, pipe or socket); nothing was "
                          "written — choose a file name")
    token = os.urandom(6).hex()  # (not secrets: its import, hmac and hashlib, costs the app's start 7 ms)
    temp = folder / f".{target.name[:120]}.{token}{TEMP_SUFFIX}"
    note = _note_write(temp, token)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except OSError as e:
        _forget(note)
        raise ExportError(f"{given}: cannot write in {given.parent} ({e.strerror or e})") from None
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, target)
    except BaseException as e:
        temp.unlink(missing_ok=True)
        _forget(note)
        if isinstance(e, OSError):
            raise _write_error(given, e) from None
        raise
    _forget(note)
    _sync_folder(folder)
    return given


def _write_error(path: Path, error: OSError) -> ExportError:
    """The message for a write that failed; nothing was left behind."""
    reason = error.strerror or str(error)
    if isinstance(error, PermissionError):
        return ExportError(f"{path}: cannot write the file (is it open in another program?)")
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return ExportError(f"{path}: the disk is full ({reason}); nothing was written — free some space "
                           "and try again")
    if error.errno == errno.EFBIG:
        return ExportError(f"{path}: the file is too big for this disk or folder ({reason}); nothing was "
                           "written")
    if error.errno == errno.EIO:
        return ExportError(f"{path}: the disk could not be written (an input/output error); nothing was "
                           "written — check the disk is still connected")
    return ExportError(f"{path}: cannot write the file ({reason})")


# --- notes of writes in progress --------------------------------------------------------------


def _note_write(temp: Path, token: str) -> Path | None:
    """Note that this process is about to write ``temp``. A note that cannot be written does
    not stop the export: only the tidying-up after a kill is lost."""
    pid = os.getpid()
    try:
        folder = notes_folder()
        folder.mkdir(parents=True, exist_ok=True)
        note = folder / f"{pid}-{token}.json"
        fd = os.open(note, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        try:
            os.write(fd, json.dumps({"temp": str(temp), "pid": pid}).encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        return note
    except OSError:
        return None


def _forget(note: Path | None) -> None:
    if note is not None:
        with contextlib.suppress(OSError):
            note.unlink(missing_ok=True)


def sweep_stale_exports(*, folder: Path | None = None, temp_folder: Path | None = None) -> list[Path]:
    """Delete the temporary files of exports whose writer is no longer running (killed, or
    the computer lost power) and their notes, and the preview PDFs older fieldkit versions
    left in the temporary folder (see ``sweep_old_previews``); returns the files deleted.
    A live writer's file, a file no note names and a named file without fieldkit's
    temporary-file pattern are never touched. Never raises: it runs at start-up and must not
    stop it. ``folder`` is the notes folder, ``temp_folder`` the temporary folder (both for
    tests; by default the user state folder's and ``tempfile.gettempdir()``)."""
    removed = _sweep_notes(notes_folder() if folder is None else Path(folder))
    try:
        temp = Path(tempfile.gettempdir()) if temp_folder is None else Path(temp_folder)
    except OSError:  # no usable temporary folder: nothing can have been left in it
        return removed
    return removed + sweep_old_previews(temp)


def _sweep_notes(folder: Path) -> list[Path]:
    removed: list[Path] = []
    try:
        notes = list(folder.iterdir())
    except OSError:
        return removed
    now = time.time()
    for note in notes:
        match = _NOTE_NAME.match(note.name)
        if not match:
            continue
        pid = int(match.group(1))
        try:
            age = now - note.stat().st_mtime
        except OSError:
            continue
        if age < STALE_AFTER_SECONDS and _alive(pid):
            continue
        try:
            temp = _temp_named_in(note, pid)
            if temp is not None:
                if not temp.parent.is_dir():
                    continue  # on a drive that is not there now: try again at a later start
                mode = os.lstat(temp).st_mode
                if stat.S_ISREG(mode):
                    temp.unlink()
                    removed.append(temp)
        except FileNotFoundError:
            pass
        except OSError:
            continue  # keep the note: try again at the next start
        _forget(note)
    return removed


def sweep_old_previews(temp_folder: Path) -> list[Path]:
    """Delete the preview PDFs that older fieldkit versions left in ``temp_folder``; returns
    the files deleted.

    Those versions rendered the Reports screen's preview to ``<temp>/fieldkit-preview-*/
    preview-<n>.pdf``: unencrypted, with the pooled comments and organisation names, and
    left there when the process was killed. This deletes, carefully:

    - only in folders directly in ``temp_folder`` named ``fieldkit-preview-...``, that are
      real folders (not symbolic links) owned by the current user;
    - in each, only regular files (not links, not folders, never looked inside) owned by the
      current user and named as fieldkit named them: ``preview-<n>.pdf``, or the temporary
      file of one being written (``.preview-<n>.pdf.<12 hex digits>.fieldkit-part``);
    - then the folder itself, if that left it empty and nothing had changed in it for a day
      (``STALE_AFTER_SECONDS``).

    Anything else in such a folder is left as it is, and so is the folder. On POSIX each
    folder is opened once without following links and worked on through that handle, so a
    folder swapped for a link meanwhile is not followed. The preview an older fieldkit still
    running is showing goes too (anonymity comes first), but its folder stays while in use,
    so that fieldkit can still write its next preview there.
    """
    removed: list[Path] = []
    try:
        entries = [e for e in os.scandir(temp_folder) if e.name.startswith(PREVIEW_FOLDER_PREFIX)]
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        try:
            info = entry.stat(follow_symlinks=False)
            if not _is_ours(info, stat.S_ISDIR):
                continue  # a link, a file, or someone else's
            removed += _clear_preview_folder(Path(entry.path))
            if now - info.st_mtime >= STALE_AFTER_SECONDS:
                os.rmdir(entry.path)  # only if now empty
        except OSError:
            continue  # not empty, or gone: nothing more to do now
    return removed


def _is_ours(info: os.stat_result, kind: Callable[[int], bool]) -> bool:
    """Whether ``info`` is of ``kind`` (``stat.S_ISDIR``, ``stat.S_ISREG``) and owned by this user."""
    geteuid = getattr(os, "geteuid", None)  # not on Windows, where the temporary folder is the user's own
    return kind(info.st_mode) and (geteuid is None or info.st_uid == geteuid())


def _clear_preview_folder(folder: Path) -> list[Path]:
    """Delete the preview files in one old preview folder (see ``sweep_old_previews``)."""
    removed: list[Path] = []
    by_handle = (hasattr(os, "O_NOFOLLOW") and os.listdir in os.supports_fd
                 and {os.stat, os.unlink} <= os.supports_dir_fd and os.stat in os.supports_follow_symlinks)
    if not by_handle:  # pragma: no cover - Windows
        for entry in os.scandir(folder):
            try:
                if _PREVIEW_FILE.match(entry.name) and _is_ours(entry.stat(follow_symlinks=False), stat.S_ISREG):
                    os.unlink(entry.path)
                    removed.append(folder / entry.name)
            except OSError:
                continue
        return removed
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | os.O_NOFOLLOW)
    try:
        if not _is_ours(os.fstat(fd), stat.S_ISDIR):
            return removed
        for name in os.listdir(fd):
            if not _PREVIEW_FILE.match(name):
                continue
            try:
                if _is_ours(os.stat(name, dir_fd=fd, follow_symlinks=False), stat.S_ISREG):
                    os.unlink(name, dir_fd=fd)
                    removed.append(folder / name)
            except OSError:
                continue  # gone already, or not ours to delete: the next start tries again
    finally:
        os.close(fd)
    return removed


def _temp_named_in(note: Path, pid: int) -> Path | None:
    """The temporary file a note names, if the note is whole and names one of ours."""
    try:
        data = json.loads(note.read_text(encoding="utf-8"))
        temp = Path(data["temp"])
        if data["pid"] != pid:
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None  # half-written by a writer killed while noting: nothing was created yet
    if not temp.is_absolute() or not _TEMP_NAME.match(temp.name):
        return None
    return temp


def _alive(pid: int) -> bool:
    """Whether a process with this id is running."""
    if pid <= 0:
        return False
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        return _alive_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except OSError:
        return False
    return True


def _alive_windows(pid: int) -> bool:  # pragma: no cover - Windows only
    # os.kill(pid, 0) would end the process on Windows: ask for its exit code instead.
    import ctypes

    # typeshed declares ctypes.WinDLL and get_last_error only when checking for Windows
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.get_last_error() == 5  # type: ignore[attr-defined]  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable where the system allows it (not on Windows)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
