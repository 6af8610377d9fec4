"""The study file: creation, pragmas, refusing files that are not studies, the in-use lock."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from fieldkit.errors import FieldkitError, StudyFileError, StudyInUseError
from fieldkit.storage.connection import APPLICATION_ID
from fieldkit.storage.schema import SCHEMA_VERSION
from fieldkit.study import Study, default_folder
from fieldkit.template_toml import find_template
from studies import file_digest, small_template


def test_create_sets_identity_and_pragmas(tmp_path: Path):
    path = tmp_path / "study"
    with Study.create(path, small_template(), title="My study", client="The Trust", author="AK") as study:
        assert study.path == tmp_path / "study.fieldkit"
        conn = study.conn
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert (study.title, study.client, study.author) == ("My study", "The Trust", "AK")
    # No temporary file is left beside the study.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["study.fieldkit"]


def test_study_carries_its_own_template(tmp_path: Path):
    template = find_template("regional-mapping")
    with Study.create(tmp_path / "a.fieldkit", template) as study:
        pass
    # The stored copy is what the study uses, whatever happens to forms/ afterwards.
    with Study.open(tmp_path / "a.fieldkit") as study:
        assert study.template == template
        assert study.template.to_dict() == template.to_dict()


def test_create_refuses_to_overwrite(tmp_path: Path):
    path = tmp_path / "a.fieldkit"
    path.write_bytes(b"precious")
    with pytest.raises(StudyFileError, match="already exists"):
        Study.create(path, small_template())
    assert path.read_bytes() == b"precious"


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty"),
        (b"Name,Area\nFoo,Bar\n", "not an SQLite database"),
        (b"SQLite format 3\x00" + b"\x00" * 10, "not an SQLite database"),
    ],
)
def test_open_refuses_non_studies_without_writing(tmp_path: Path, content: bytes, reason: str):
    path = tmp_path / "bad.fieldkit"
    path.write_bytes(content)
    with pytest.raises(StudyFileError) as info:
        Study.open(path)
    message = str(info.value)
    assert str(path) in message and reason in message
    assert "\n" not in message
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.fieldkit"]


def test_open_refuses_other_sqlite_database(tmp_path: Path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.close()
    before = file_digest(path)
    with pytest.raises(StudyFileError, match="not a fieldkit study"):
        Study.open(path)
    assert file_digest(path) == before


def test_open_refuses_newer_study(tmp_path: Path):
    path = tmp_path / "new.fieldkit"
    Study.create(path, small_template()).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = file_digest(path)
    with pytest.raises(StudyFileError, match="newer fieldkit"):
        Study.open(path)
    assert file_digest(path) == before


def test_damage_found_at_first_read_is_a_study_error(tmp_path: Path):
    path = tmp_path / "damaged.fieldkit"
    with Study.create(path, small_template()) as study:
        for i in range(300):
            study.organisations.add(f"Organisation {i}", notes="x" * 200)
    data = bytearray(path.read_bytes())
    # Keep the header (so it still looks like ours) and scribble over the schema page.
    data[100:4096] = b"\xff" * (4096 - 100)
    path.write_bytes(bytes(data))
    with pytest.raises(StudyFileError, match="damaged"):
        Study.open(path)


def test_missing_file(tmp_path: Path):
    with pytest.raises(StudyFileError, match="no such file"):
        Study.open(tmp_path / "nothing.fieldkit")


def test_second_open_in_same_process_is_refused(small_study: Study):
    with pytest.raises(StudyInUseError, match="open in another fieldkit"):
        Study.open(small_study.path)
    # ... and the first one still works.
    assert small_study.organisations.add("Still here") > 0


def test_second_process_is_refused_quickly(small_study: Study):
    code = (
        "import sys, time\n"
        "from fieldkit.study import Study\n"
        "from fieldkit.errors import StudyInUseError\n"
        "t = time.monotonic()\n"
        "try:\n"
        f"    Study.open({str(small_study.path)!r})\n"
        "except StudyInUseError as e:\n"
        "    print('refused', time.monotonic() - t)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.startswith("refused"), out.stderr
    assert float(out.stdout.split()[1]) < 1.0


def test_lock_is_released_on_close(tmp_path: Path):
    path = tmp_path / "a.fieldkit"
    Study.create(path, small_template()).close()
    for _ in range(3):
        with Study.open(path) as study:
            study.organisations.add("One more")
    with Study.open(path) as study:
        assert study.organisations.count() == 3


def test_lock_dies_with_a_killed_process(tmp_path: Path):
    path = tmp_path / "a.fieldkit"
    Study.create(path, small_template()).close()
    code = (
        "import sys, time\n"
        "from fieldkit.study import Study\n"
        f"s = Study.open({str(path)!r})\n"
        "s.organisations.add('Written before the crash')\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        with pytest.raises(StudyInUseError):
            Study.open(path)
    finally:
        child.kill()
        child.wait()
    with Study.open(path) as study:
        assert [o.name for o in study.organisations.many(study.organisations.ids())] == ["Written before the crash"]


def test_every_change_is_on_disk_without_closing(small_study: Study):
    org = small_study.organisations.add("Saved at once", category="Network")
    reader = sqlite3.connect(small_study.path)
    try:
        assert reader.execute("SELECT name, category FROM organisations WHERE id = ?", (org,)).fetchone() == (
            "Saved at once", "Network")
    finally:
        reader.close()


def test_default_folder_is_the_user_data_folder():
    import platformdirs

    folder = default_folder()
    assert folder.is_relative_to(Path(platformdirs.user_data_dir("fieldkit", appauthor=False)))
    lowered = str(folder).lower()
    for cloud in ("onedrive", "dropbox", "google drive", "icloud", "box sync"):
        assert cloud not in lowered


def test_template_versions_keep_old_interviews_working(small_study: Study):
    org = small_study.organisations.add("Early", category="Network")
    session = small_study.interviews.start(org)
    session.save_answer("size", "Small")
    # Change the schedule: drop the 'size' question, add a choice elsewhere.
    data = small_study.template.to_dict()
    data["sections"][0]["questions"] = [q for q in data["sections"][0]["questions"] if q["id"] != "size"]
    from fieldkit.template_toml import template_from_dict

    version = small_study.update_template(template_from_dict(data, source="edited"))
    assert version == 2
    old = small_study.interviews.get(session.interview_id)
    assert old.template_version == 1
    assert old.answers == {"size": "Small"}
    resumed = small_study.interviews.resume(session.interview_id)
    assert resumed.template.question("size").choices == ("Small", "Medium", "Large")
    resumed.save_answer("size", "Large")
    assert small_study.interviews.get(session.interview_id).answers["size"] == "Large"
    new = small_study.interviews.start(small_study.organisations.add("Later"))
    assert small_study.interviews.get(new.interview_id).template_version == 2


def test_vocabulary_value_in_use_cannot_be_removed(small_study: Study):
    small_study.organisations.add("Uses Coventry", area="Coventry")
    with pytest.raises(FieldkitError, match="still in use: Coventry"):
        small_study.update_template(small_study.template.with_values("areas", ["Birmingham"]))
    assert "Coventry" in small_study.template.areas
    assert small_study.template_versions() == [1]


def test_migration_runs_in_one_transaction(tmp_path: Path, monkeypatch):
    """A failing migration leaves the file at its old version with nothing half-applied."""
    from fieldkit.storage import connection, schema

    path = tmp_path / "a.fieldkit"
    Study.create(path, small_template()).close()
    broken = schema.MIGRATIONS + [(SCHEMA_VERSION + 1, "CREATE TABLE extra(x); CREATE TABLE extra(x);")]
    monkeypatch.setattr(connection, "MIGRATIONS", broken)
    monkeypatch.setattr(connection, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StudyFileError):
        Study.open(path)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'extra'").fetchone()[0] == 0
    finally:
        conn.close()



def test_read_only_open_cannot_write(small_study: Study):
    small_study.organisations.add("Before", category="Network")
    reader = Study.open(small_study.path, read_only=True)
    try:
        assert reader.organisations.count() == 1
        with pytest.raises(StudyFileError, match="open read-only here; nothing was changed"):
            reader.organisations.add("Never", category="Network")
    finally:
        reader.close()
    assert small_study.organisations.count() == 1


def test_save_copy_is_complete_and_opens(small_study: Study, tmp_path: Path):
    small_study.organisations.add("In the copy", category="Network")  # still in the -wal
    copy = small_study.save_copy(tmp_path / "copy")
    assert copy == tmp_path / "copy.fieldkit"
    with Study.open(copy) as again:
        assert [o.name for o in again.organisations.many(again.organisations.ids())] == ["In the copy"]
    with pytest.raises(StudyFileError, match="already exists"):
        small_study.save_copy(copy)
