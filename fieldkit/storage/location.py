"""Where a study lives: cloud-synced folders and network drives corrupt open SQLite files.

Sync clients (OneDrive, Dropbox, Google Drive, iCloud Drive, Box) copy a database while it
is being written, and network filesystems break the locking SQLite relies on. fieldkit
refuses such places unless the user explicitly overrides, and warns for removable media.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from fieldkit.errors import FieldkitError

CLOUD_FOLDERS = {
    "onedrive": "OneDrive",
    "dropbox": "Dropbox",
    "google drive": "Google Drive",
    "googledrive": "Google Drive",
    "my drive": "Google Drive",
    "icloud drive": "iCloud Drive",
    "com~apple~clouddocs": "iCloud Drive",
    "mobile documents": "iCloud Drive",
    "box": "Box",
    "box sync": "Box",
}
NETWORK_FILESYSTEMS = ("nfs", "nfs4", "cifs", "smbfs", "smb3", "afs", "9p", "sshfs", "davfs", "webdav")


class RiskyLocationError(FieldkitError):
    """The study is in a cloud-synced folder or on a network drive; ``reason`` says which."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Verdict:
    refuse: str | None = None   # why the place is unsafe for an open study
    warn: str | None = None     # a caution that does not stop the work


def _cloud_folder(path: Path) -> str | None:
    for part in path.resolve().parts:
        lowered = part.casefold()
        if lowered in CLOUD_FOLDERS:
            return CLOUD_FOLDERS[lowered]
        if lowered.startswith("onedrive - ") or lowered.startswith("dropbox ("):
            return CLOUD_FOLDERS[lowered.split()[0]]
        if lowered.startswith("googledrive-") or lowered.startswith("box-box"):
            return "Google Drive" if lowered.startswith("googledrive") else "Box"
    return None


def _mount_of(path: Path, mounts_text: str) -> tuple[str, str, str] | None:
    """(device, mount point, filesystem type) of the longest mount point containing ``path``."""
    best = None
    target = str(path.resolve())
    for line in mounts_text.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        device, point, fstype = fields[0], fields[1].replace("\\040", " "), fields[2]
        holds = target == point or target.startswith(point.rstrip("/") + "/") or point == "/"
        if holds and (best is None or len(point) > len(best[1])):
            best = (device, point, fstype)
    return best


def check(path: Path, *, mounts_text: str | None = None) -> Verdict:
    """Is ``path`` (a study file or the folder it will go in) a safe place for a study?"""
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    cloud = _cloud_folder(folder)
    if cloud:
        return Verdict(refuse=f"it is inside a {cloud} folder, and sync services copy a database "
                              "while it is being written, which can corrupt it")
    if mounts_text is None and sys.platform.startswith("linux"):
        try:
            mounts_text = Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            mounts_text = None
    if mounts_text:
        mount = _mount_of(folder, mounts_text)
        if mount is not None:
            device, point, fstype = mount
            if fstype in NETWORK_FILESYSTEMS or fstype.startswith("fuse") and fstype not in ("fuseblk",):
                return Verdict(refuse=f"it is on a network or user-space filesystem ({fstype} at {point}), "
                                      "where SQLite's file locking cannot be trusted")
            if point.startswith(("/media/", "/run/media/", "/mnt/")) or fstype in ("vfat", "exfat"):
                return Verdict(warn=f"it is on removable media ({point}); keep the drive connected while "
                                    "the study is open, and keep a copy elsewhere")
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        drive = os.path.splitdrive(str(folder.resolve()))[0] + "\\"
        kind = ctypes.windll.kernel32.GetDriveTypeW(drive)
        if kind == 4:  # DRIVE_REMOTE
            return Verdict(refuse=f"it is on a network drive ({drive}), where SQLite's file locking "
                                  "cannot be trusted")
        if kind == 2:  # DRIVE_REMOVABLE
            return Verdict(warn=f"it is on removable media ({drive}); keep the drive connected")
    return Verdict()


def ensure_safe(path: Path, *, allow_risky: bool = False) -> str | None:
    """Raise RiskyLocationError for a refused place unless ``allow_risky``; return any warning."""
    verdict = check(path)
    if verdict.refuse and not allow_risky:
        raise RiskyLocationError(
            f"{path}: not opened, because {verdict.refuse}. Move the study to a local folder "
            "(the default is your user data folder), or open it anyway if you are sure.",
            verdict.refuse)
    return verdict.refuse or verdict.warn
