"""A new study from another study's template (``template_of_study``, ``fieldkit new --from-study``).

The new study gets the template the other study has now, changes and all, as its version 1;
the other study is only read: its file, -wal and -shm are byte for byte as they were, and
nothing appears beside it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

from crash_children import crash_while_open
from fieldkit.cli import main
from fieldkit.errors import PassphraseError, StudyDamagedError, StudyFileError
from fieldkit.storage import backups
from fieldkit.study import Study, template_of_study
from fieldkit.template_toml import template_from_dict
from fieldkit.templates import Flag, Template
from studies import mapping_template, small_template
from cli_runs import run

PASSPHRASE = "kestrel over the canal"


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (the study, its -wal and -shm, backups): name and digest."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def changed(template: Template) -> Template:
    """``template`` with a theme and a question added, as a researcher changes a schedule."""
    data = template.to_dict()
    data["themes"].append({"id": "funding", "label": "Where the money comes from"})
    data["sections"][-1]["questions"].append(
        {"id": "e4", "type": "long_text", "label": "Who funds the organisation now?", "theme": "funding"})
    return template_from_dict(data, source="changed template")


def make_source(path: Path, *, passphrase: str | None = None) -> Template:
    """A West Midlands mapping study whose template has moved on from the shipped one (schedule,
    areas, targets, flags), with an organisation and an interview in it. Returns its template."""
    with Study.create(path, mapping_template(), title="West Midlands 2026", passphrase=passphrase) as s:
        s.update_template(changed(s.template))
        s.add_vocabulary_values({"areas": ["Telford and Wrekin"]})
        s.update_template(s.template.with_targets({**s.template.targets, "BME network": 20}))
        s.update_template(s.template.with_flags([*s.template.flags, Flag("newsletter", "Send the newsletter")]))
        org = s.organisations.add("Telford Polish Club", category="BME network", area="Telford and Wrekin")
        s.interviews.start(org).save_answer("a1", "Chair")
        assert s.template_version == 5
        return s.template


def as_version_1(template: Template) -> dict:
    data = template.to_dict()
    data["template"]["version"] = 1
    return data


@pytest.fixture
def source(tmp_path: Path) -> tuple[Path, Template]:
    folder = tmp_path / "old"
    folder.mkdir()
    path = folder / "West Midlands 2026.fieldkit"
    return path, make_source(path)


# --- the core ---------------------------------------------------------------------------------


def test_a_new_study_gets_the_template_the_other_study_has_now(source, tmp_path: Path):
    path, current = source
    before = snapshot(path.parent)
    taken = backups.list_backups(path)

    template = template_of_study(path)

    assert snapshot(path.parent) == before  # the file byte for byte; no -wal, -shm or backup added
    assert backups.list_backups(path) == taken
    assert template == dataclasses.replace(current, version=1)
    assert template.to_dict() == as_version_1(current)
    assert "Telford and Wrekin" in template.areas and template.targets["BME network"] == 20
    assert template.flag_label("newsletter") == "Send the newsletter"
    assert template.question("e4").theme == "funding" and template.theme_label("funding")
    with Study.create(tmp_path / "East Midlands 2027", template) as new:
        assert new.template == template and new.template_versions() == [1]
        assert new.template.to_dict() == as_version_1(current)
        assert new.organisations.count() == 0 and new.interviews.count() == 0  # the template only
        assert new.title == current.title  # the template's title, not the other study's
    assert snapshot(path.parent) == before


def test_a_study_open_in_another_window_is_read_as_it_is_and_left_so(source):
    path, _ = source
    with Study.open(path, backup=False) as elsewhere:  # holds the study's lock, and its -wal
        elsewhere.add_vocabulary_values({"areas": ["Herefordshire and Worcestershire"]})
        before = snapshot(path.parent)
        assert f"{path.name}-wal" in before
        template = template_of_study(path)
        after = snapshot(path.parent)
        # The -shm is SQLite's index of the -wal, shared by whoever reads it: not the study's data.
        assert after.keys() == before.keys()
        assert {k: v for k, v in after.items() if not k.endswith("-shm")} == {
            k: v for k, v in before.items() if not k.endswith("-shm")}
        assert template.areas[-1] == "Herefordshire and Worcestershire"
        assert template.to_dict() == as_version_1(elsewhere.template)


def test_a_wal_left_by_a_crash_is_read_but_not_brought_into_the_file(tmp_path: Path):
    """Closing the last connection would checkpoint the -wal into the file: not this one."""
    path = tmp_path / "crashed.fieldkit"
    Study.create(path, small_template()).close()
    crash_while_open(path, ["Added just before the crash"])
    study_bytes, wal_bytes = path.read_bytes(), Path(f"{path}-wal").read_bytes()
    names = sorted(p.name for p in tmp_path.iterdir())

    assert template_of_study(path).to_dict() == as_version_1(small_template())

    assert path.read_bytes() == study_bytes and Path(f"{path}-wal").read_bytes() == wal_bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == names


def test_an_encrypted_study_needs_its_passphrase(tmp_path: Path):
    path = tmp_path / "secret.fieldkit"
    current = make_source(path, passphrase=PASSPHRASE)
    before = snapshot(tmp_path)
    with pytest.raises(PassphraseError) as needed:
        template_of_study(path)
    assert needed.value.needed
    with pytest.raises(PassphraseError) as wrong:
        template_of_study(path, passphrase="kestrel over the river")
    assert not wrong.value.needed and "\n" not in str(wrong.value)
    template = template_of_study(path, passphrase=PASSPHRASE)
    assert template.to_dict() == as_version_1(current)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("content, words", [
    (b"name,area\nTelford Polish Club,Telford and Wrekin\n", "not a fieldkit study (not an SQLite database)"),
    (b"", "the file is empty (0 bytes), not a fieldkit study"),
])
def test_a_file_that_is_not_a_study_gets_one_line_and_is_left_alone(tmp_path: Path, content: bytes, words: str):
    path = tmp_path / "organisations.fieldkit"
    path.write_bytes(content)
    with pytest.raises(StudyFileError) as info:
        template_of_study(path)
    assert str(info.value) == f"{path}: {words}"
    assert path.read_bytes() == content and [p.name for p in tmp_path.iterdir()] == [path.name]


def test_a_damaged_study_is_reported_and_not_moved_aside(source):
    path, _ = source
    data = bytearray(path.read_bytes())
    data[:16] = b"\x00" * 16  # its first bytes overwritten
    path.write_bytes(bytes(data))
    before = snapshot(path.parent)
    with pytest.raises(StudyDamagedError) as info:
        template_of_study(path)
    assert str(info.value) == f"{path}: the study file is damaged (its first bytes are overwritten)"
    assert snapshot(path.parent) == before  # read only: nothing quarantined, nothing written


# --- the command line -------------------------------------------------------------------------



def test_new_from_study(capsys, source, tmp_path: Path):
    path, current = source
    before = snapshot(path.parent)
    new = tmp_path / "East Midlands 2027"
    code, out, err = run(capsys, "new", new, "--from-study", path, "--title", "East Midlands 2027")
    assert code == 0, err
    assert out.strip() == (f"Created {new}.fieldkit from the template of {path} ('regional-mapping', "
                           "Regional mapping of community infrastructure)")
    with Study.open(f"{new}.fieldkit") as study:
        assert study.title == "East Midlands 2027"
        assert study.template.to_dict() == as_version_1(current) and study.template_versions() == [1]
    assert snapshot(path.parent) == before


def test_new_from_an_encrypted_study_takes_its_passphrase(capsys, monkeypatch, tmp_path: Path):
    path = tmp_path / "secret.fieldkit"
    current = make_source(path, passphrase=PASSPHRASE)
    new = tmp_path / "new.fieldkit"
    code, out, err = run(capsys, "new", new, "--from-study", path)  # no terminal to type it on
    assert code == 1 and err.strip() == (f"fieldkit new: {path}: the study is encrypted; run this in a terminal "
                                         "to type its passphrase, or set FIELDKIT_PASSPHRASE")
    monkeypatch.setenv("FIELDKIT_PASSPHRASE", "not the passphrase")
    code, out, err = run(capsys, "new", new, "--from-study", path)
    assert code == 1 and len(err.strip().splitlines()) == 1 and "does not open this study" in err
    assert not new.exists()
    monkeypatch.setenv("FIELDKIT_PASSPHRASE", PASSPHRASE)
    code, out, err = run(capsys, "new", new, "--from-study", path)
    assert code == 0, err
    with Study.open(new) as study:  # not encrypted unless asked for (--encrypt)
        assert study.template.to_dict() == as_version_1(current) and not study.encrypted


def test_new_from_something_that_is_not_a_study(capsys, tmp_path: Path):
    notes = tmp_path / "notes.fieldkit"
    notes.write_text("just some notes", encoding="utf-8")
    code, out, err = run(capsys, "new", tmp_path / "new", "--from-study", notes)
    assert code == 1
    assert err.strip() == f"fieldkit new: {notes}: not a fieldkit study (not an SQLite database)"
    code, out, err = run(capsys, "new", tmp_path / "new", "--from-study", tmp_path / "missing.fieldkit")
    assert code == 1 and err.strip() == f"fieldkit new: {tmp_path / 'missing.fieldkit'}: no such file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.fieldkit"]


def test_from_study_and_template_are_one_or_the_other(capsys, source, tmp_path: Path):
    path, _ = source
    with pytest.raises(SystemExit) as info:
        main(["new", str(tmp_path / "new"), "--template", "blank", "--from-study", str(path)])
    assert info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err
    assert not (tmp_path / "new.fieldkit").exists()
