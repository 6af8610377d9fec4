"""What the About box says (fieldkit.about): real versions, the licence, and the folders fieldkit writes to."""

from __future__ import annotations

import os
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

import fieldkit
from fieldkit import about
from fieldkit.errors import StorageError

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_folders_are_where_studies_backups_and_logs_are_written():
    from fieldkit.storage.backups import backups_root, folder_for
    from fieldkit.study import default_folder

    places = about.places()
    assert [p.key for p in places] == ["studies", "backups", "logs"]
    by_key = {p.key: p.path for p in places}
    assert by_key["studies"] == default_folder()
    assert by_key["backups"] == backups_root()
    assert folder_for(Path("x.fieldkit")).parent == by_key["backups"]  # each study's backups go below it
    # The suite's home (tests/conftest.py points XDG_* at a temporary folder): the real lookups ran.
    home = Path(os.environ["XDG_DATA_HOME"]).parent
    assert all(p.path.is_relative_to(home) for p in places)
    assert by_key["logs"] == Path(os.environ["XDG_STATE_HOME"]) / "fieldkit" / "log"
    assert all(p.label and p.what for p in places)


def test_a_folder_is_made_when_it_is_opened_before_anything_was_written_there(tmp_path: Path):
    place = about.Place("studies", "Studies", tmp_path / "not" / "yet", "Where studies go.")
    assert place.ensure() == tmp_path / "not" / "yet"
    assert place.path.is_dir()
    assert place.ensure() == place.path  # already there: nothing to do

    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    with pytest.raises(StorageError, match="studies folder could not be made") as caught:
        about.Place("studies", "Studies", blocked / "below", "").ensure()
    assert str(blocked / "below") in str(caught.value) and "\n" not in str(caught.value)


def test_the_version_is_the_package_metadata_and_fieldkits_own():
    assert about.version() == metadata.version("fieldkit") == fieldkit.__version__ == PROJECT["version"]


def test_without_package_metadata_the_version_and_licence_come_from_fieldkit(monkeypatch):
    """As in the desktop bundle, which carries no package metadata."""
    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", missing)
    monkeypatch.setattr(metadata, "metadata", missing)
    assert about.version() == fieldkit.__version__
    assert about.licence() == about.LICENCE == PROJECT["license"]["text"]


def test_the_licence_is_the_one_pyproject_names():
    assert about.licence() == PROJECT["license"]["text"]


def test_details_read_sqlite_and_sqlcipher_from_the_library_itself():
    from sqlcipher3 import dbapi2

    rows = about.details([("Qt", "6.0.0-test")])
    names = [name for name, _ in rows]
    assert names[:4] == ["fieldkit", "Licence", "Python", "Qt"]  # the UI's rows follow Python's
    values = dict(rows)
    assert values["fieldkit"] == fieldkit.__version__
    assert values["SQLite"] == dbapi2.sqlite_version
    conn = dbapi2.connect(":memory:")
    try:
        assert values["SQLCipher"] == conn.execute("PRAGMA cipher_version").fetchone()[0]
    finally:
        conn.close()
    text = about.details_text(rows)
    assert f"SQLite: {dbapi2.sqlite_version}\n" in text
    assert text.splitlines()[0] == f"fieldkit: {fieldkit.__version__}"
    assert len(text.splitlines()) == len(rows)
