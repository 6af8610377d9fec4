"""Cloud-synced folders and network drives are refused; removable media gets a warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.storage import location
from fieldkit.storage.location import RiskyLocationError
from fieldkit.study import Study
from studies import small_template

MOUNTS = """/dev/sda1 / ext4 rw 0 0
server:/export /srv/shared nfs4 rw 0 0
//nas/team /mnt/team cifs rw 0 0
sshfs#me@host: /home/me/remote fuse.sshfs rw 0 0
/dev/sdb1 /media/me/USB\\040STICK vfat rw 0 0
"""


@pytest.mark.parametrize("folder, service", [
    ("/home/me/OneDrive/Research", "OneDrive"),
    ("/home/me/OneDrive - University of Somewhere/Research", "OneDrive"),
    ("/home/me/Dropbox/Studies", "Dropbox"),
    ("/Users/me/Library/Mobile Documents/com~apple~CloudDocs/Studies", "iCloud Drive"),
    ("/Users/me/Google Drive/My Drive", "Google Drive"),
    ("/Users/me/Box/Field", "Box"),
])
def test_cloud_folders_are_refused(folder: str, service: str):
    verdict = location.check(Path(folder) / "study.fieldkit", mounts_text=MOUNTS)
    assert verdict.refuse and service in verdict.refuse


@pytest.mark.parametrize("folder, kind", [
    ("/srv/shared/studies", "nfs4"),
    ("/mnt/team/x", "cifs"),
    ("/home/me/remote/x", "fuse.sshfs"),
])
def test_network_filesystems_are_refused(folder: str, kind: str):
    verdict = location.check(Path(folder) / "s.fieldkit", mounts_text=MOUNTS)
    assert verdict.refuse and kind in verdict.refuse


def test_removable_media_warns_and_local_disks_pass():
    usb = location.check(Path("/media/me/USB STICK/s.fieldkit"), mounts_text=MOUNTS)
    assert usb.refuse is None and "removable media" in usb.warn
    assert location.check(Path("/home/me/Documents/s.fieldkit"), mounts_text=MOUNTS) == location.Verdict()


def test_study_creation_and_opening_refuse_a_cloud_folder_unless_overridden(tmp_path: Path):
    folder = tmp_path / "Dropbox" / "Studies"
    with pytest.raises(RiskyLocationError, match="inside a Dropbox folder"):
        Study.create(folder / "s.fieldkit", small_template())
    assert not folder.exists()
    with Study.create(folder / "s.fieldkit", small_template(), allow_risky_location=True) as study:
        study.organisations.add("Still works", category="Network")
    with pytest.raises(RiskyLocationError, match="open it anyway if you are sure"):
        Study.open(folder / "s.fieldkit")
    with Study.open(folder / "s.fieldkit", allow_risky_location=True) as study:
        assert study.organisations.count() == 1
        assert any("Dropbox" in w for w in study.warnings)
    with Study.open(folder / "s.fieldkit", read_only=True) as study:  # reading numbers is fine
        assert study.organisations.count() == 1
