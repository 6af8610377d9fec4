"""Importing organisations from CSV: what is stored, every kind of refusal, and all-or-nothing."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fieldkit.organisation_import import COLUMNS, ImportResult, import_organisations
from fieldkit.errors import CsvImportError
from fieldkit.study import Study
from studies import file_digest, mapping_template


def write_csv(path: Path, rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


@pytest.fixture
def study_path(tmp_path: Path) -> Path:
    """A closed regional-mapping study with one organisation already in it."""
    with Study.create(tmp_path / "mapping.fieldkit", mapping_template()) as study:
        study.organisations.add("Coventry CVS", category="General infrastructure organisation")
        path = study.path
    return path


@pytest.fixture
def study(study_path: Path):
    s = Study.open(study_path)
    yield s
    s.close()


def assert_refused_unchanged(study_path: Path, csv_path: Path, **options) -> CsvImportError:
    """Import into a freshly opened study, expect refusal, and check the file did not change."""
    before = file_digest(study_path)
    with Study.open(study_path) as s, pytest.raises(CsvImportError) as info:
        import_organisations(s, csv_path, **options)
    assert file_digest(study_path) == before
    return info.value


# --- what a good file stores ----------------------------------------------------------------


def test_import_stores_every_column(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "orgs.csv", [
        ["name", "category", "area", "coverage", "status", "exclusion_reason", "contact_name",
         "contact_role", "phone", "email", "address", "website", "full_interview", "follow_up",
         "permission_to_list", "referred_by", "notes"],
        ["Hillfields Somali Group", "BME network", "Coventry", "Hillfields", "interviewed", "",
         "Hodan Warsame", "Coordinator", "024 7696 0001", "info@example.org", "1 High St",
         "https://example.org", "yes", "x", "TRUE", "coventry cvs", "Met at the forum"],
        ["Closed Forum", "", "", "", "Excluded", "Closed down", "", "", "", "", "", "", "no", "",
         "0", "", ""],
    ])
    result = import_organisations(study, path)
    assert result == ImportResult(rows=2, contacts=1, added_values={}, dry_run=False)
    orgs = study.organisations
    [cvs] = orgs.find_by_name("Coventry CVS")
    [hill] = orgs.find_by_name("Hillfields Somali Group")
    o = orgs.get(hill)
    assert (o.category, o.area, o.coverage, o.status, o.exclusion_reason) == (
        "BME network", "Coventry", "Hillfields", "interviewed", None)
    assert (o.phone, o.email, o.address, o.website, o.notes) == (
        "+442476960001", "info@example.org", "1 High St", "https://example.org", "Met at the forum")
    assert o.flags == {"full_interview", "follow_up", "permission_to_list"}
    assert o.referred_by == cvs
    [contact] = orgs.contacts(hill)
    assert (contact.name, contact.role, contact.phone, contact.email) == (
        "Hodan Warsame", "Coordinator", None, None)
    [closed] = orgs.find_by_name("Closed Forum")
    c = orgs.get(closed)
    assert (c.category, c.area, c.status, c.exclusion_reason, c.flags) == (
        None, None, "excluded", "Closed down", frozenset())
    assert orgs.contacts(closed) == []
    assert orgs.count() == 3
    assert study.search.organisation_ids("Hodan") == [hill]


def test_headers_ignore_case_and_spaces_and_values_match_vocabulary_spelling(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "orgs.csv", [
        ["  NAME ", "Category", " AREA", "Status", "Follow_Up"],
        ["One", "bme NETWORK", "  coventry ", " CONTACTING ", " Y "],
    ])
    assert import_organisations(study, path).rows == 1
    o = study.organisations.get(study.organisations.find_by_name("One")[0])
    assert (o.category, o.area, o.status, o.flags) == ("BME network", "Coventry", "contacting", {"follow_up"})


@pytest.mark.parametrize("word,ticked", [
    ("yes", True), ("Y", True), ("true", True), ("1", True), ("x", True), (" X ", True),
    ("no", False), ("N", False), ("False", False), ("0", False), ("", False), ("  ", False),
])
def test_boolean_words(study: Study, tmp_path: Path, word: str, ticked: bool):
    path = write_csv(tmp_path / "orgs.csv", [["name", "permission_to_list"], ["One", word]])
    import_organisations(study, path)
    o = study.organisations.get(study.organisations.find_by_name("One")[0])
    assert ("permission_to_list" in o.flags) is ticked


def test_blank_status_means_identified_and_name_only_file(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "orgs.csv", [["name", "status"], ["One", ""], ["Two", " "]])
    import_organisations(study, path)
    statuses = {o.name: o.status for o in study.organisations.many(study.organisations.ids())}
    assert statuses == {"Coventry CVS": "identified", "One": "identified", "Two": "identified"}


def test_referred_by_resolves_forward_backward_and_existing(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "orgs.csv", [
        ["name", "referred_by"],
        ["First", "Third"],           # forward reference
        ["Second", "first"],          # backward, different case
        ["Third", "  Coventry  CVS "],  # already in the study, odd spacing
        ["Fourth", ""],
    ])
    assert import_organisations(study, path).rows == 4
    orgs = study.organisations
    ids = {name: orgs.find_by_name(name)[0] for name in ("First", "Second", "Third", "Fourth", "Coventry CVS")}
    assert orgs.get(ids["First"]).referred_by == ids["Third"]
    assert orgs.get(ids["Second"]).referred_by == ids["First"]
    assert orgs.get(ids["Third"]).referred_by == ids["Coventry CVS"]
    assert orgs.get(ids["Fourth"]).referred_by is None


def test_contact_made_from_role_alone_and_not_from_phone(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "orgs.csv", [
        ["name", "contact_role", "phone", "email"],
        ["Role only", "Chair", "", ""],
        ["Phone only", "", "0121 000", "a@b.org"],
    ])
    result = import_organisations(study, path)
    assert (result.rows, result.contacts) == (2, 1)
    orgs = study.organisations
    role_only = orgs.find_by_name("Role only")[0]
    phone_only = orgs.find_by_name("Phone only")[0]
    assert [(c.name, c.role) for c in orgs.contacts(role_only)] == [("", "Chair")]
    assert orgs.contacts(phone_only) == []
    assert (orgs.get(phone_only).phone, orgs.get(phone_only).email) == ("0121 000", "a@b.org")


def test_empty_rows_are_skipped_and_row_numbers_count_them(study_path: Path, tmp_path: Path):
    path = tmp_path / "orgs.csv"
    path.write_text("name,category\r\n,\r\nOne,BME network\r\n\r\n  ,  \r\nTwo,Nope\r\n", encoding="utf-8")
    error = assert_refused_unchanged(study_path, path)
    assert error.problems == [
        "row 6, column 'category': 'Nope' is not one of the study's categories (use --add-values to add it)"]


def test_multi_line_cell_is_one_spreadsheet_row(study_path: Path, tmp_path: Path):
    path = write_csv(tmp_path / "orgs.csv", [
        ["name", "notes", "status"],
        ["One", "line one\nline two\nline three", ""],
        ["Two", "", "asleep"],
    ])
    error = assert_refused_unchanged(study_path, path)
    assert len(error.problems) == 1 and error.problems[0].startswith("row 3, column 'status': 'asleep'")


def test_multi_line_notes_are_stored(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "orgs.csv", [["name", "notes"], ['Quote "Co", Ltd', "a, b\nc"]])
    import_organisations(study, path)
    o = study.organisations.get(study.organisations.find_by_name('Quote "Co", Ltd')[0])
    assert o.notes == "a, b\nc"


# --- encodings and delimiters ---------------------------------------------------------------


def test_utf8_with_bom(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "orgs.csv", [["Name", "area"], ["Łódź Polish Centre", "Coventry"]],
                     encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert import_organisations(study, path).rows == 1
    assert study.organisations.find_by_name("Łódź Polish Centre")


def test_cp1252_from_excel(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "orgs.csv", [["name", "notes"], ["Caf\xe9 Africa", "\u2018quoted\u2019 \u20ac5"]],
                     encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    import_organisations(study, path)
    [org] = study.organisations.find_by_name("Café Africa")
    assert study.organisations.get(org).notes == "\u2018quoted\u2019 \u20ac5"


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_files(study: Study, tmp_path: Path, delimiter: str):
    path = write_csv(tmp_path / "orgs.csv", [
        ["name", "area", "notes"],
        ["Semi Group", "Coventry", "has, commas, inside"],
        ["Other", "", "x;y"],
    ], delimiter=delimiter)
    assert import_organisations(study, path).rows == 2
    o = study.organisations.get(study.organisations.find_by_name("Semi Group")[0])
    assert (o.area, o.notes) == ("Coventry", "has, commas, inside")
    assert study.organisations.get(study.organisations.find_by_name("Other")[0]).notes == "x;y"


def test_comma_file_with_semicolons_in_cells_stays_comma(study: Study, tmp_path: Path):
    path = tmp_path / "orgs.csv"
    path.write_text("name,notes\nOne,a;b;c;d\n", encoding="utf-8")
    import_organisations(study, path)
    assert study.organisations.get(study.organisations.find_by_name("One")[0]).notes == "a;b;c;d"


def test_single_column_file(study: Study, tmp_path: Path):
    path = tmp_path / "orgs.csv"
    path.write_text("Name\nOne\n\nTwo\n", encoding="utf-8")
    assert import_organisations(study, path).rows == 2


# --- refusals -------------------------------------------------------------------------------


def test_every_row_problem_is_listed_with_row_and_column(study_path: Path, tmp_path: Path):
    path = write_csv(tmp_path / "orgs.csv", [
        ["name", "category", "area", "status", "exclusion_reason", "follow_up", "referred_by"],
        ["Good", "BME network", "Coventry", "", "", "yes", ""],                    # row 2
        ["Bad category", "BME netwrk", "", "", "", "", ""],                        # row 3
        ["", "BME network", "", "", "", "", ""],                                   # row 4
        ["Bad flag", "", "", "", "", "maybe", ""],                                 # row 5
        ["Bad status", "", "", "sleeping", "", "", ""],                            # row 6
        ["Reason not excluded", "", "", "declined", "Closed down", "", ""],        # row 7
        ["Unknown reason", "", "", "excluded", "Bored", "", ""],                   # row 8
        ["Unknown referrer", "", "", "", "", "", "Nobody Ltd"],                    # row 9
        ["Self", "", "", "", "", "", "self"],                                      # row 10
        ["Twin", "", "Mars", "", "", "", ""],                                      # row 11
        ["Twin", "", "", "", "", "", ""],                                          # row 12
        ["Ambiguous", "", "", "", "", "", "twin"],                                 # row 13
    ])
    error = assert_refused_unchanged(study_path, path)
    assert error.problems == [
        "row 3, column 'category': 'BME netwrk' is not one of the study's categories (use --add-values to add it)",
        "row 4, column 'name': the organisation has no name",
        "row 5, column 'follow_up': 'maybe' is not yes or no (use yes/no, y/n, true/false, 1/0, or x/blank)",
        "row 6, column 'status': 'sleeping' is not a status (use one of identified, contacting, "
        "interviewed, unreachable, declined, excluded, or leave it blank for identified)",
        "row 7, column 'exclusion_reason': an exclusion reason is only for excluded organisations, "
        "and this one's status is 'declined'",
        "row 8, column 'exclusion_reason': 'Bored' is not one of the study's exclusion reasons "
        "(use --add-values to add it)",
        "row 9, column 'referred_by': no organisation named 'Nobody Ltd' in the study or in this file",
        "row 10, column 'referred_by': an organisation cannot be referred by itself",
        "row 11, column 'area': 'Mars' is not one of the study's areas (use --add-values to add it)",
        "row 13, column 'referred_by': 'twin' is ambiguous: 2 organisations have that name "
        "(in this file: rows 11, 12)",
    ]
    assert str(error).startswith(f"{path}: nothing imported, 10 problems\n")
    assert error.source == str(path)


def test_referrer_ambiguous_between_study_and_file(study_path: Path, tmp_path: Path):
    path = write_csv(tmp_path / "orgs.csv", [
        ["name", "referred_by"], ["coventry cvs", ""], ["Other", "Coventry CVS"]])
    error = assert_refused_unchanged(study_path, path)
    assert error.problems == ["row 3, column 'referred_by': 'Coventry CVS' is ambiguous: 2 organisations "
                              "have that name (in the study: id 1; in this file: row 2)"]


def test_unknown_columns_list_the_accepted_names(study_path: Path, tmp_path: Path):
    path = write_csv(tmp_path / "orgs.csv", [["Name", "Charity number", "Category"], ["One", "1001", ""]])
    error = assert_refused_unchanged(study_path, path)
    [problem] = error.problems
    assert problem.startswith("row 1, column 2: unknown column 'Charity number' (accepted columns: name, category,")
    for column in COLUMNS:
        assert column in problem


@pytest.mark.parametrize("header,expected", [
    (["category", "area"], "row 1: there is no 'name' column"),
    (["name", "area", " NAME"], "row 1: the column 'name' appears twice (columns 1 and 3)"),
    (["", "", ""], "row 1: the header row is empty"),
])
def test_header_problems(study_path: Path, tmp_path: Path, header: list[str], expected: str):
    path = write_csv(tmp_path / "orgs.csv", [header, ["One", "Coventry", "x"]])
    error = assert_refused_unchanged(study_path, path)
    assert any(p.startswith(expected) for p in error.problems), error.problems


def test_values_under_no_heading_are_refused_but_blank_ones_ignored(study: Study, study_path: Path,
                                                                    tmp_path: Path):
    ok = tmp_path / "ok.csv"
    ok.write_text("name,,area,\nOne,,Coventry,,,\n", encoding="utf-8")
    assert import_organisations(study, ok).rows == 1
    study.close()
    bad = tmp_path / "bad.csv"
    bad.write_text("name,,area\nOne,,Coventry\nTwo,lost,,\nThree,,,extra\n", encoding="utf-8")
    error = assert_refused_unchanged(study_path, bad)
    assert error.problems == [
        "row 1, column 2: the column has no heading but row 3 has a value in it; give it a heading "
        "or delete the column",
        "row 1, column 4: the column has no heading but row 4 has a value in it; give it a heading "
        "or delete the column",
    ]


@pytest.mark.parametrize("content,expected", [
    (b"", "the file is empty"),
    (b"\xef\xbb\xbf  \r\n\r\n", "the file is empty"),
    ("name\nOne\n".encode("utf-16"), "the file is UTF-16"),
    (b"PK\x03\x04\x14\x00\x06\x00", "this zip file is damaged or incomplete"),
    (b"name\nOne\x00Two\n", "this is not a text CSV file"),
    (b"name\n\x81\x8d\n", "row 2, byte 1 of the line (byte 6 of the file): 0x81 is neither UTF-8 nor "
                             "Windows-1252"),
])
def test_unreadable_files(study_path: Path, tmp_path: Path, content: bytes, expected: str):
    path = tmp_path / "orgs.csv"
    path.write_bytes(content)
    error = assert_refused_unchanged(study_path, path)
    [problem] = error.problems
    assert problem.startswith(expected)


def test_missing_file_and_directory(study_path: Path, tmp_path: Path):
    error = assert_refused_unchanged(study_path, tmp_path / "nowhere.csv")
    assert error.problems[0].startswith("cannot read the file (")
    error = assert_refused_unchanged(study_path, tmp_path)
    assert error.problems[0].startswith("cannot read the file (")


def test_oversized_field_is_a_csv_error(study_path: Path, tmp_path: Path):
    path = tmp_path / "orgs.csv"
    path.write_text('name,notes\nOne,ok\nTwo,"' + "x" * 200_000 + '"\n', encoding="utf-8")
    error = assert_refused_unchanged(study_path, path)
    assert error.problems[0].startswith("row 3: not readable as CSV (")


def test_header_only_imports_nothing(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "orgs.csv", [["name", "area"]])
    assert import_organisations(study, path) == ImportResult(0, 0, {}, False)
    assert study.organisations.count() == 1


# --- --add-values and --dry-run -------------------------------------------------------------


def test_add_values_extends_vocabularies_then_imports(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "orgs.csv", [
        ["name", "category", "area", "status", "exclusion_reason"],
        ["One", "Faith group", "Telford and Wrekin", "", ""],
        ["Two", "FAITH GROUP", "telford and  wrekin", "excluded", "Too small"],
        ["Three", "bme network", "Coventry", "", ""],
    ])
    with pytest.raises(CsvImportError) as info:
        import_organisations(study, path)
    assert len(info.value.problems) == 5
    version = study.template_version

    result = import_organisations(study, path, add_values=True)
    assert result.added_values == {"categories": ["Faith group"], "areas": ["Telford and Wrekin"],
                                   "exclusion_reasons": ["Too small"]}
    assert result.rows == 3
    assert study.template_version == version + 1  # all additions in one new template version
    assert study.template.categories[-1] == "Faith group"
    assert "Telford and Wrekin" in study.template.areas and "Too small" in study.template.exclusion_reasons
    two = study.organisations.get(study.organisations.find_by_name("Two")[0])
    assert (two.category, two.area, two.exclusion_reason) == ("Faith group", "Telford and Wrekin", "Too small")

    # The values are now part of the study: the same file imports without --add-values.
    again = import_organisations(study, path, duplicates="add")
    assert again.added_values == {} and again.rows == 3


def test_add_values_refuses_multi_line_values(study_path: Path, tmp_path: Path):
    path = write_csv(tmp_path / "orgs.csv", [["name", "area"], ["One", "Two\nlines"]])
    error = assert_refused_unchanged(study_path, path, add_values=True)
    assert error.problems == ["row 2, column 'area': 'Two\\nlines' runs over several lines, and one of "
                              "the study's areas must fit on one"]


def test_add_values_with_a_bad_row_adds_nothing(study_path: Path, tmp_path: Path):
    path = write_csv(tmp_path / "orgs.csv", [["name", "area", "follow_up"], ["One", "Telford and Wrekin", "perhaps"]])
    assert_refused_unchanged(study_path, path, add_values=True)
    with Study.open(study_path) as s:
        assert "Telford and Wrekin" not in s.template.areas


def test_dry_run_reports_and_writes_nothing(study_path: Path, tmp_path: Path):
    path = write_csv(tmp_path / "orgs.csv", [
        ["name", "area", "contact_name"], ["One", "Telford and Wrekin", "Ann"], ["Two", "Coventry", ""]])
    before = file_digest(study_path)
    with Study.open(study_path) as s:
        result = import_organisations(s, path, dry_run=True, add_values=True)
        assert result == ImportResult(rows=2, contacts=1, added_values={"areas": ["Telford and Wrekin"]}, dry_run=True)
        assert s.organisations.count() == 1
        assert "Telford and Wrekin" not in s.template.areas
        with pytest.raises(CsvImportError):
            import_organisations(s, path, dry_run=True)  # still validates fully
    assert file_digest(study_path) == before


# --- all or nothing -------------------------------------------------------------------------


def _fail_on_third_row(monkeypatch) -> None:
    """Make Organisations.add_many refuse the row named "Three" once every row is written: a
    rule the importer's checks miss, met part-way through writing."""
    from fieldkit.errors import InvalidValueError
    from fieldkit.organisations import Organisations

    real_add_many = Organisations.add_many

    def add_many(self, records):
        records = list(records)
        ids = real_add_many(self, records)
        if any(r["name"] == "Three" for r in records):
            raise InvalidValueError("a rule the importer does not know")
        return ids

    monkeypatch.setattr(Organisations, "add_many", add_many)


def _contents(study_path: Path) -> list[str]:
    """Every table's rows, as SQL, apart from the query planner's statistics."""
    conn = sqlite3.connect(f"file:{study_path}?mode=ro", uri=True)
    try:
        return [line for line in conn.iterdump() if "sqlite_stat" not in line]
    finally:
        conn.close()


def _midway_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "orgs.csv", [
        ["name", "area"], ["One", "Telford and Wrekin"], ["Two", ""], ["Three", ""], ["Four", ""]])


def test_failure_midway_rolls_back_everything(study_path: Path, tmp_path: Path, monkeypatch):
    _fail_on_third_row(monkeypatch)
    before = _contents(study_path)
    with Study.open(study_path) as s:
        with pytest.raises(CsvImportError) as info:
            import_organisations(s, _midway_csv(tmp_path), add_values=True)
        assert info.value.problems == ["rows 2-5: a rule the importer does not know"]
        assert s.organisations.count() == 1
        assert "Telford and Wrekin" not in s.template.areas
    assert _contents(study_path) == before


def test_failure_midway_leaves_the_file_byte_for_byte(study_path: Path, tmp_path: Path, monkeypatch):
    _fail_on_third_row(monkeypatch)
    assert_refused_unchanged(study_path, _midway_csv(tmp_path), add_values=True)


def test_a_large_file(study: Study, tmp_path: Path):
    rows = [["name", "category", "area", "contact_name", "follow_up", "referred_by"]]
    rows += [[f"Org {i}", "BME network", "Coventry", f"Person {i}", "yes" if i % 2 else "",
              f"Org {i + 1}" if i % 100 == 0 else ""] for i in range(3_000)]
    path = write_csv(tmp_path / "big.csv", rows)
    result = import_organisations(study, path)
    assert (result.rows, result.contacts) == (3_000, 3_000)
    assert study.organisations.count() == 3_001


def _search_config(conn, key: str):
    row = conn.execute("SELECT v FROM search_index_config WHERE k = ?", (key,)).fetchone()
    return row[0] if row else None


def test_a_bulk_import_is_searchable_as_added_one_at_a_time_and_leaves_the_index_settings(study: Study,
                                                                                        tmp_path: Path):
    """Thousands of rows are indexed as a bulk load (a larger FTS5 'hashsize' while they are
    written): every entry is the one ``rebuild`` makes, the index is whole and searchable from
    another connection once the import commits, and the setting is as it was."""
    study.conn.execute("INSERT INTO search_index(search_index, rank) VALUES ('hashsize', ?)", (2 << 20,))
    rows = [["name", "contact_name", "contact_role", "phone", "email", "address"]]
    rows += [[f"Community Group {i}", f"Person {i}", "Coordinator", f"0113 {100000 + i}", f"group{i}@example.org",
              f"{i} High Street, Leeds LS{i % 30} 1AA"] for i in range(5_000)]
    import_organisations(study, write_csv(tmp_path / "bulk.csv", rows))

    assert _search_config(study.conn, "hashsize") == 2 << 20
    study.conn.execute("INSERT INTO search_index(search_index, rank) VALUES ('integrity-check', 1)")
    entries = "SELECT rowid, kind, ref, organisation_id, text FROM search_index ORDER BY rowid"
    written = study.conn.execute(entries).fetchall()
    study.search.rebuild()
    assert study.conn.execute(entries).fetchall() == written
    conn = sqlite3.connect(f"file:{study.path}?mode=ro", uri=True)
    try:
        found = [r[0] for r in conn.execute(
            "SELECT organisation_id FROM search_index WHERE search_index MATCH ?", ('"person 4999\ncoordinator"',))]
    finally:
        conn.close()
    last = study.organisations.find("Community Group 4999")
    assert found == [last]
    assert study.search.organisation_ids('"group 0" leeds') == [study.organisations.find("Community Group 0")]
    assert len(study.search.organisation_ids("high street")) == 5_000


def test_a_bulk_import_into_a_new_study_leaves_fts5s_own_hashsize(tmp_path: Path):
    rows = [["name", "address"]] + [[f"Community Group {i}", f"{i} High Street, Leeds LS{i % 30} 1AA, a long way "
                                     "from anywhere at all"] for i in range(5_000)]
    with Study.create(tmp_path / "new.fieldkit", mapping_template()) as s:
        before = _search_config(s.conn, "hashsize")
        import_organisations(s, write_csv(tmp_path / "bulk.csv", rows))
        assert _search_config(s.conn, "hashsize") in {before, 1 << 20}  # FTS5's default: 1 MiB
        assert s.search.organisation_ids('"group 4999"') == [s.organisations.find("Community Group 4999")]


# --- property: anything at all either imports or is refused without a trace ------------------

_HEADINGS = st.sampled_from(list(COLUMNS) + [" Name ", "CATEGORY", "Follow_Up", "postcode", "", "name ",
                                             "contact", "référence", "name,area"])
_CELL_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
_CELLS = st.one_of(
    _CELL_TEXT,
    st.sampled_from(["", " ", "yes", "no", "x", "Y", "maybe", "BME network", "bme network", "Coventry",
                     "Mars", "excluded", "declined", "Closed down", "Coventry CVS", "Org", '"', '""',
                     ",", ";", "\n", "a\r\nb", "Łódź", "中文", "\u00a0", "\ufeff"]),
)


_FRIENDLY_CELLS = {
    "category": st.sampled_from(["", "BME network", "general NETWORK", "Faith group"]),
    "area": st.sampled_from(["", "Coventry", " birmingham ", "Telford and Wrekin"]),
    "status": st.sampled_from(["", "identified", "Interviewed", "declined"]),
    "exclusion_reason": st.just(""),
    "referred_by": st.sampled_from(["", "", "Coventry CVS"]),
    **{flag: st.sampled_from(["", "yes", "N", "x", "0", "TRUE"]) for flag in
       ("full_interview", "follow_up", "permission_to_list")},
}


@st.composite
def csv_texts(draw) -> str:
    """Mostly plausible files (valid headings, sensible values, free text anywhere it is allowed),
    some made of random headings and cells, a few not even well-formed CSV."""
    friendly = draw(st.integers(0, 3)) > 0
    if friendly:
        others = draw(st.lists(st.sampled_from(COLUMNS[1:]), unique=True, max_size=6))
        headings = draw(st.permutations(["name", *others]))
    else:
        headings = draw(st.lists(_HEADINGS, min_size=0, max_size=6))
        if draw(st.booleans()):
            headings = ["name"] + headings
    rows = [list(headings)]
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.integers(0, 4)) == 0:
            rows.append([])
        elif friendly:
            rows.append([draw(_FRIENDLY_CELLS.get(h, _CELL_TEXT.filter(str.strip) if h == "name" else _CELL_TEXT))
                         for h in headings])
        else:
            rows.append(draw(st.lists(_CELLS, min_size=0, max_size=len(headings) + 2)))
    out = io.StringIO()
    delimiter = draw(st.sampled_from([",", ",", ";", "\t"]))
    csv.writer(out, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(rows)
    text = out.getvalue()
    if draw(st.integers(0, 9)) == 0:  # sometimes not even well-formed CSV
        text = draw(st.text(alphabet=st.sampled_from('name,;\t"\n\r xé'), max_size=40))
    return text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(text=csv_texts(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
       add_values=st.booleans(), dry_run=st.booleans())
def test_random_files_import_or_change_nothing(study_path: Path, tmp_path: Path, text: str, encoding: str,
                                               add_values: bool, dry_run: bool):
    data = text.encode(encoding, errors="replace")
    path = tmp_path / "random.csv"
    path.write_bytes(data)
    before = file_digest(study_path)
    with Study.open(study_path) as s:
        count = s.organisations.count()
        try:
            result = import_organisations(s, path, add_values=add_values, dry_run=dry_run)
        except CsvImportError as e:
            assert e.problems
            assert all(p and "\n" not in p and "\r" not in p for p in e.problems), e.problems
            changed = False
            event("refused")
        else:
            event("imported" if result.rows else "imported nothing")
            assert result.dry_run is dry_run
            assert s.organisations.count() == count + (0 if dry_run else result.rows)
            changed = result.rows > 0 and not dry_run
    if not changed:
        assert file_digest(study_path) == before


def test_template_flags_are_tick_box_columns(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "flags.csv", [["name", "invite_to_event", "follow_up"],
                                              ["Invited", "yes", "x"], ["Not invited", "no", ""]])
    import_organisations(study, path)
    invited, not_invited = (study.organisations.get(study.organisations.find_by_name(n)[0])
                            for n in ("Invited", "Not invited"))
    assert invited.flags == {"invite_to_event", "follow_up"}
    assert not_invited.flags == set()
    bad = write_csv(tmp_path / "bad.csv", [["name", "invite_to_event"], ["Maybe", "perhaps"]])
    with pytest.raises(CsvImportError) as info:
        import_organisations(study, bad)
    assert info.value.problems[0].startswith("row 2, column 'invite_to_event': 'perhaps' is not yes or no")


def test_opening_hours_are_read_and_a_bad_one_is_refused_by_row(study: Study, tmp_path: Path):
    good = write_csv(tmp_path / "hours.csv", [["name", "opening_hours"], ["Open Forum", "Mon-Fri 9-5"]])
    import_organisations(study, good)
    [org] = study.organisations.find_by_name("Open Forum")
    assert study.organisations.get(org).opening_hours == "Mon-Fri 9-5"
    bad = write_csv(tmp_path / "bad-hours.csv", [["name", "opening_hours"], ["Fine", "Tue 10-2"],
                                                 ["Odd", "when the kettle boils"]])
    with pytest.raises(CsvImportError) as e:
        import_organisations(study, bad)
    assert "row 3, column 'opening_hours'" in str(e.value)
    assert study.organisations.find_by_name("Fine") == []


def test_older_fieldwork_recorded_as_interviewed_is_allowed_and_counted_apart(study: Study, tmp_path: Path):
    from fieldkit import summary

    path = write_csv(tmp_path / "old.csv", [["name", "status"], ["Done in 2024", "interviewed"]])
    import_organisations(study, path)
    m = summary.method(study)
    assert m.interviewed == 1 and m.paradata.interviewed_without_interview == 1
    assert m.dispositions.get("1.1") == 1
