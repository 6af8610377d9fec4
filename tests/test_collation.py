"""Names in the Unicode Collation Algorithm's order: the keys (fieldkit.collation), the study's
``organisations.name_key`` on every path that writes a name, and the lists that sort by it."""

from __future__ import annotations

import csv
import sqlite3
import tomllib
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from fieldkit import collation
from fieldkit.collation import pack, sort_key
from fieldkit.organisation_import import import_organisations
from fieldkit.storage import connection, schema
from fieldkit.study import Study
from studies import mapping_template, small_template

ROOT = Path(__file__).resolve().parent.parent

#: Names as a study of many communities holds them, in the order readers expect: accents and
#: case aside at first (Å with A, Ł with L, Ö with O), then Greek, then Cyrillic.
IN_ORDER = ["Åland Friends", "apple growers", "Łódź Community Trust", "Ökumene Hilfe",
            "Voluntary Action Leeds", "Zebra Trust", "Ελληνική Κοινότητα", "Абвгд Trust"]
#: The order they are typed in.
TYPED = ["Voluntary Action Leeds", "Łódź Community Trust", "Zebra Trust", "Åland Friends",
         "apple growers", "Ökumene Hilfe", "Ελληνική Κοινότητα", "Абвгд Trust"]


def primary(key: bytes) -> bytes:
    """The first level of a key: the letters, without accents or case."""
    for i in range(0, len(key), 2):  # two bytes a primary weight, none starting with a zero byte
        if key[i] == 0:
            return key[:i]
    raise AssertionError("no level separator")


def names_listed(study: Study, **query) -> list[str]:
    orgs = study.organisations
    return [o.name for o in orgs.many(orgs.ids(**query))]


def stored_keys(study: Study) -> dict[str, bytes | None]:
    return dict(study.conn.execute("SELECT name, name_key FROM organisations").fetchall())


# --- the keys ---------------------------------------------------------------------------------------


def test_keys_sort_names_of_every_script_as_their_readers_expect():
    assert sorted(TYPED, key=sort_key) == IN_ORDER
    assert sorted(TYPED, key=str.casefold) != IN_ORDER  # what code-point order does instead


def test_accents_and_case_count_only_after_the_letters():
    assert primary(sort_key("Łódź")) == primary(sort_key("lodz")) == primary(sort_key("LODZ"))
    assert primary(sort_key("Śląsk")) == primary(sort_key("Slask"))
    assert primary(sort_key("Ökumene")) == primary(sort_key("okumene"))
    assert sort_key("Łódź") != sort_key("Lodz")  # the tie is broken, always the same way
    assert sorted(["Lodz", "Łódź", "lodz", "Lodzer"], key=sort_key)[-1] == "Lodzer"
    # Ś sorts with S, before T, wherever its accent would put it in code-point order.
    assert sorted(["Tarnów", "Śląsk", "Szczecin", "Sopot"], key=sort_key) == ["Śląsk", "Sopot", "Szczecin", "Tarnów"]


def test_byte_order_of_the_keys_is_the_algorithms_order():
    c = collation.collator()
    names = TYPED + ["Łódź", "Lodz", "lodz", "Ölkers", "Zoë", "Ærø", "Straße", "Strasse", "ǅemal",
                     "Ирина Йошкар", "Иван", "Йорк", "ชุมชน", "กลุ่ม", "伯明翰华人", "l·lengua", "Čapek", ""]
    for name in names:
        assert sort_key(name) == pack(c.sort_key(name)), name
    assert sorted(names, key=sort_key) == sorted(names, key=c.sort_key)
    assert len(sort_key("Community Group 12")) == 2 * 18 + 1 + 18 + 1 + 18  # a third of two bytes a weight


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", categories=("L", "M", "N", "P", "Zs")), max_size=12))
def test_keys_equal_pyucas_for_any_text(text: str):
    """The quick path (each character's weights looked up once) gives pyuca's own key, also for
    combining marks and contractions (Й as И with a breve, Catalan l·l, Thai vowels)."""
    assert sort_key(text) == pack(collation.collator().sort_key(text))


#: Letters and marks whose secondary weights come either side of 0xF0 and of 0x100, where the
#: packing goes from one byte to two (Æ, ß, Œ, ð; tone marks of Tai Tham, Hmong, Chinese, Korean).
_WIDE = st.text(alphabet="aAeEsSoOdDÆæßŒœðÐĿŀ \u0301\u0308\u1a7a\u1a7b\u1a7c\U00016b35\u302c\u302e\u20d0",
                max_size=6)


def test_accents_of_every_weight_keep_their_order():
    """A letter with each mark in turn: the marks' secondary weights run across 0xF0 and 0x100."""
    c = collation.collator()
    marks = "\u0301\u0308\u17c9\u1a7a\u1a7b\u1a7c\u1939\U00016b35\u302a\u302c\u302d\u302e\u302f\u20d0\u20e9"
    names = [f"a{m}" for m in marks] + [f"a{m}b" for m in marks] + ["Æ", "AE", "ae", "ß", "ss", "Œuvre", "oeuvre"]
    assert sorted(names, key=sort_key) == sorted(names, key=c.sort_key)
    assert len({c.sort_key(f"a{m}")[3] for m in marks}) == len(marks)  # each a secondary of its own


@settings(max_examples=500, deadline=None)
@given(st.one_of(_WIDE, st.text(max_size=6)), st.one_of(_WIDE, st.text(max_size=6)))
def test_bytes_compare_as_pyucas_keys_do(a: str, b: str):
    c = collation.collator()
    ka, kb = c.sort_key(a), c.sort_key(b)
    assert (sort_key(a) < sort_key(b), sort_key(a) == sort_key(b)) == (ka < kb, ka == kb)


def test_a_composed_and_a_decomposed_name_have_one_key():
    name = "Łódź Ökumene"
    assert sort_key(unicodedata.normalize("NFD", name)) == sort_key(unicodedata.normalize("NFC", name))


# --- the study --------------------------------------------------------------------------------------


def test_a_new_study_lists_organisations_in_the_algorithms_order(small_study: Study):
    for name in TYPED:
        small_study.organisations.add(name)
    assert names_listed(small_study) == IN_ORDER
    assert names_listed(small_study, descending=True) == IN_ORDER[::-1]
    assert all(key == sort_key(name) for name, key in stored_keys(small_study).items())
    plan = " ".join(r[-1] for r in small_study.conn.execute(
        "EXPLAIN QUERY PLAN SELECT o.id FROM organisations o" + small_study.organisations._order("name", False)))
    assert "organisations_name_key" in plan and "TEMP B-TREE" not in plan  # read in order from its index


def test_renaming_an_organisation_moves_it_in_the_list(small_study: Study):
    orgs = small_study.organisations
    ids = {name: orgs.add(name) for name in TYPED}
    orgs.update(ids["Zebra Trust"], name="Aardvark Trust")
    assert names_listed(small_study) == ["Aardvark Trust", *[n for n in IN_ORDER if n != "Zebra Trust"]]
    orgs.update(ids["apple growers"], name="Όμιλος Μήλων")  # into the Greek, after Ελληνική
    assert names_listed(small_study)[-3:] == ["Ελληνική Κοινότητα", "Όμιλος Μήλων", "Абвгд Trust"]
    assert all(key == sort_key(name) for name, key in stored_keys(small_study).items())
    # Changes of other fields leave the key, and the change log names only what the user changed.
    orgs.update(ids["Ökumene Hilfe"], notes="Called back")
    assert stored_keys(small_study)["Ökumene Hilfe"] == sort_key("Ökumene Hilfe")
    assert {c.field for c in orgs.changes(ids["Zebra Trust"])} == {"name"}


def test_imported_rows_get_their_keys(small_study: Study, tmp_path: Path):
    path = tmp_path / "orgs.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["name", "category"], *[[n, "Network"] for n in TYPED]])
    assert import_organisations(small_study, path).rows == len(TYPED)
    keys = stored_keys(small_study)
    assert set(keys) == set(TYPED) and all(keys[n] == sort_key(n) for n in TYPED)
    assert names_listed(small_study) == IN_ORDER
    assert names_listed(small_study, category="Network", search="trust") == [
        "Łódź Community Trust", "Zebra Trust", "Абвгд Trust"]


def _format_8_study(path: Path, monkeypatch) -> None:
    """A study made at format 8 through the real creation path: names and no sort keys."""
    monkeypatch.setattr(connection, "MIGRATIONS", schema.MIGRATIONS[:8])
    monkeypatch.setattr(connection, "SCHEMA_VERSION", 8)
    monkeypatch.setattr(collation, "sort_keys", lambda names: [None] * len(names))  # (no column for them)
    with Study.create(path, small_template(), title="Old study") as old:
        for name in TYPED:
            old.organisations.add(name, category="Network")
    monkeypatch.undo()


def test_an_older_study_gets_keys_when_it_is_brought_up_to_date(tmp_path: Path, monkeypatch):
    path = tmp_path / "old.fieldkit"
    _format_8_study(path, monkeypatch)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 8
        assert "name_key" not in {r[1] for r in conn.execute("PRAGMA table_info(organisations)")}
    finally:
        conn.close()
    with Study.open(path) as study:
        assert study.scalar("PRAGMA user_version") == schema.SCHEMA_VERSION
        keys = stored_keys(study)
        assert set(keys) == set(TYPED) and all(keys[n] == sort_key(n) for n in TYPED)
        assert names_listed(study) == IN_ORDER
        assert "organisations_name_key" in {r[0] for r in study.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index'")}
        study.organisations.add("Birmingham Voice")  # and it goes on
        assert names_listed(study)[:3] == ["Åland Friends", "apple growers", "Birmingham Voice"]


def test_an_encrypted_study_sorts_the_same(tmp_path: Path):
    with Study.create(tmp_path / "locked.fieldkit", small_template(), passphrase="correct horse battery") as study:
        study.organisations.add_many([{"name": n} for n in TYPED])
        path = study.path
    with Study.open(path, read_only=True, passphrase="correct horse battery") as reader:
        assert names_listed(reader) == IN_ORDER


def test_the_reports_directory_lists_each_areas_organisations_in_the_same_order(tmp_path: Path):
    from fieldkit.reports.directory import directory

    with Study.create(tmp_path / "d.fieldkit", mapping_template()) as study:
        area = study.template.areas[0]
        for name in [*TYPED, "Ærø Forening"]:  # Æ as A and E, not after Z
            study.organisations.add(name, area=area, flags=["permission_to_list"])
        assert [e.name for e in directory(study, include_person=False)] == ["Ærø Forening", *IN_ORDER]


def test_call_backs_due_at_one_time_come_in_name_order(small_study: Study):
    orgs = small_study.organisations
    for name in TYPED:
        small_study.attempts.log(orgs.add(name), outcome="Call back requested", at="2026-10-01T09:00",
                                 callback_at="2026-10-05T10:00")
    assert [c.organisation_name for c in small_study.attempts.callbacks()] == IN_ORDER


# --- what it needs to run ---------------------------------------------------------------------------


def test_the_desktop_bundle_and_the_install_carry_the_table():
    import pyuca

    assert (Path(pyuca.__file__).parent / collation.ALLKEYS).is_file()
    assert f'"{collation.ALLKEYS}"' in (ROOT / "packaging" / "fieldkit.spec").read_text(encoding="utf-8")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert any(d.split(">")[0].split("=")[0].strip() == "pyuca" for d in project["dependencies"])


def test_the_interview_list_sorts_names_as_the_organisation_list_does(qapp):
    # The interviews list sorts in the window, not in SQL: by the same keys.
    from fieldkit.interviews import InterviewRow
    from fieldkit.ui.interview_list import InterviewListModel

    names = ["Zebra Trust", "Łódź Community Trust", "Voluntary Action Leeds", "apple growers"]
    model = InterviewListModel()
    model.set_rows([InterviewRow(i, i, name, "2026-11-01", "phone", name, None) for i, name in enumerate(names)])
    model.sort(0)
    assert [r.organisation for r in model.rows] == ["apple growers", "Łódź Community Trust",
                                                    "Voluntary Action Leeds", "Zebra Trust"]
    model.sort(3)
    assert [r.interviewer for r in model.rows][1] == "Łódź Community Trust"
