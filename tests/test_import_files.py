"""Importing organisations from workbooks and Access databases, with a mapping of columns and
values, possible duplicates, and files that are hostile or not what they say."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldkit import import_mapping, sources
from fieldkit.cli import main
from fieldkit.errors import ImportFileError
from fieldkit.import_mapping import Mapping, MappingError
from fieldkit.matching import name_key, phone_key, postcode_key
from fieldkit.organisation_import import FIELDS, import_organisations, plan_organisations
from fieldkit.study import Study
from studies import file_digest, mapping_template

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
NORTHWIND = FIXTURES / "access" / "northwind.mdb"
needs_northwind = pytest.mark.skipif(not NORTHWIND.is_file(), reason="Access fixtures not present")


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


@pytest.fixture
def study_path(tmp_path: Path) -> Path:
    with Study.create(tmp_path / "mapping.fieldkit", mapping_template()) as study:
        study.organisations.add("Coventry CVS", category="General infrastructure organisation",
                                phone="024 7622 0381", address="Koco Building, Coventry CV6 5RE")
        path = study.path
    return path


def refused(study_path: Path, path: Path, **options) -> ImportFileError:
    before = file_digest(study_path)
    with Study.open(study_path) as s, pytest.raises(ImportFileError) as info:
        import_organisations(s, path, **options)
    assert file_digest(study_path) == before
    return info.value


# --- matching -------------------------------------------------------------------------------


@pytest.mark.parametrize("a,b", [
    ("The Leeds Advice Centre Ltd.", "leeds advice centre"),
    ("Hillfields & District CIC", "Hillfields and District"),
    ("Café Forum Limited", "cafe forum"),
    ("ST. MARY'S (Coventry)", "st marys coventry"),
])
def test_names_match_ignoring_case_punctuation_and_legal_form(a: str, b: str):
    assert name_key(a) == name_key(b) != ""


def test_different_names_do_not_match():
    assert name_key("Coventry Co-operative") != name_key("Coventry")
    assert name_key("Leeds Advice") != name_key("Leeds Advice Centre")


def test_phones_and_postcodes_are_compared_as_dialled_and_written():
    assert phone_key("+44 (0)24 7622 0381") == phone_key("024 7622 0381") == phone_key("0044 24 76220381")
    assert phone_key("12") == ""
    assert postcode_key("Koco Building, coventry cv6 5re") == postcode_key("CV65RE") == "CV65RE"
    assert postcode_key("No postcode here") == ""


# --- workbooks -----------------------------------------------------------------------------


def test_a_workbook_sheet_is_imported_with_headings_people_use(study_path: Path, tmp_path: Path):
    path = workbook(tmp_path / "orgs.xlsx", {
        "Notes": [["Read me"], ["This sheet is not the list"]],
        "Groups": [["Org name", "Tel", "Address 1", "Town", "Post code", "Area", "Founded", "Staff"],
                   ["Hillfields Somali Group", "024 7696 0001", "1 High St", "Coventry", "CV1 5RN",
                    "Coventry", None, 3],
                   ["Earlsdon Youth", 2476000000, None, None, None, "", None, None]],
    })
    mapping = import_mapping.guess(sources.read_sheet(path, "Groups").header, FIELDS, "organisations")
    assert mapping.columns == {"Org name": "name", "Tel": "phone", "Address 1": "address", "Town": "address",
                               "Post code": "postcode", "Area": "area", "Founded": None, "Staff": None}
    mapping.columns["Founded"] = None
    with Study.open(study_path) as s:
        result = import_organisations(s, path, part="groups", mapping=mapping)
        assert result.rows == 2
        org = s.organisations.get(s.organisations.find_by_name("Hillfields Somali Group")[0])
        assert org.address == "1 High St, Coventry, CV1 5RN"
        assert (org.phone, org.area) == ("+442476960001", "Coventry")  # a valid number: E.164
        other = s.organisations.get(s.organisations.find_by_name("Earlsdon Youth")[0])
        assert other.phone == "+442476000000"  # a number stored as a number: no ".0" (and valid: E.164)


def test_without_a_mapping_every_column_must_be_known(study_path: Path, tmp_path: Path):
    path = workbook(tmp_path / "orgs.xlsx", {"S": [["Organisation", "Charity number"], ["A", 1001]]})
    error = refused(study_path, path)
    assert error.problems[0].startswith("row 1, column 2: unknown column 'Charity number'")
    assert str(error).startswith(f"{path}, sheet 'S': nothing imported")


def test_an_unknown_sheet_lists_the_sheets(study_path: Path, tmp_path: Path):
    path = workbook(tmp_path / "orgs.xlsx", {"One": [["name"], ["A"]], "Two": [["name"]]})
    error = refused(study_path, path, part="Three")
    assert error.problems == ["there is no sheet 'Three' (sheets: One, Two)"]
    assert sources.parts(path) == [sources.Part("One", 1), sources.Part("Two", 0)]


def test_dates_and_ticks_from_a_workbook_read_as_a_spreadsheet_shows_them(tmp_path: Path):
    import datetime as dt

    path = workbook(tmp_path / "typed.xlsx", {"S": [["a", "b", "c", "d", "e"],
                                                    [dt.datetime(2007, 10, 4), dt.datetime(2007, 10, 4, 14, 30),
                                                     True, 12.0, 0.5]]})
    sheet = sources.read_sheet(path)
    assert sheet.rows == [["2007-10-04", "2007-10-04 14:30", "yes", "12", "0.5"]]


# --- mapping values and remembering mappings -------------------------------------------------


def test_values_are_mapped_onto_the_studys_own(study_path: Path, tmp_path: Path):
    path = tmp_path / "orgs.csv"
    path.write_text("Org name,Area,Status\nOne,Cov,done\nTwo,cov ,\n", encoding="utf-8")
    with Study.open(study_path) as s:
        sheet = sources.read_sheet(path)
        mapping = import_mapping.guess(sheet.header, FIELDS, "organisations")
        plan = plan_organisations(s, sheet, mapping)
        assert dict(plan.unknown_values["area"]) == {"Cov": 1, "cov": 1}
        assert dict(plan.unknown_values["status"]) == {"done": 1}
        assert {(p.row, p.heading) for p in plan.problems} == {(2, "Area"), (3, "Area"), (2, "Status")}
        mapping.values = {"area": {"Cov": "Coventry"}, "status": {"done": "interviewed"}}
        result = import_organisations(s, path, mapping=mapping)
        assert result.rows == 2
        areas = {s.organisations.get(i).area for i in s.organisations.ids()}
        assert areas == {"Coventry", None}
        statuses = sorted(s.organisations.get(i).status for i in s.organisations.ids())
        assert statuses == ["identified", "identified", "interviewed"]


def test_a_mapping_file_round_trips_and_bad_ones_are_refused(tmp_path: Path):
    mapping = Mapping("organisations", {"Org name": "name", "Ref": None}, {"area": {"Notts": "Nottinghamshire"}})
    mapping.save(tmp_path / "m.json")
    assert Mapping.load(tmp_path / "m.json") == mapping
    (tmp_path / "bad.json").write_text('{"format": "something else"}', encoding="utf-8")
    with pytest.raises(MappingError, match="not a fieldkit import mapping"):
        Mapping.load(tmp_path / "bad.json")
    (tmp_path / "new.json").write_text('{"format": "fieldkit-import-mapping", "version": 99}', encoding="utf-8")
    with pytest.raises(MappingError, match="newer fieldkit"):
        Mapping.load(tmp_path / "new.json")


def test_a_mapping_naming_a_field_that_does_not_exist_is_refused(study_path: Path, tmp_path: Path):
    path = tmp_path / "orgs.csv"
    path.write_text("Org,Where\nOne,x\n", encoding="utf-8")
    error = refused(study_path, path, mapping=Mapping("organisations", {"Org": "name", "Where": "planet"}))
    assert error.problems[0].startswith("row 1: the mapping: column 'Where' is mapped to 'planet'")


def test_a_mapping_is_remembered_for_a_file_shaped_the_same_way(tmp_path: Path):
    mapping = Mapping("organisations", {"Group": "name", "Ref": None, "Borough": "area"})
    import_mapping.remember(mapping, ["Group", "Ref", "Borough"])
    found = import_mapping.remembered("organisations", ["borough", "GROUP", "Ref"])
    assert found is not None and found.columns == {"borough": "area", "GROUP": "name", "Ref": None}
    found = import_mapping.remembered("organisations", ["Borough", "Ref", "Group"])
    assert found is not None and found.columns == {"Borough": "area", "Ref": None, "Group": "name"}
    assert import_mapping.remembered("attempts", ["Group", "Ref", "Borough"]) is None
    assert import_mapping.remembered("organisations", ["Group", "Ref"]) is None


# --- possible duplicates ----------------------------------------------------------------------


def test_possible_duplicates_are_listed_then_skipped_merged_or_added(study_path: Path, tmp_path: Path):
    path = tmp_path / "orgs.csv"
    path.write_text("name,phone,email,contact_name\n"
                    "COVENTRY C.V.S. Ltd,,info@covcvs.org,Ruth Brown\n"
                    "Someone Else,+44 (0)24 7622 0381,,\n"
                    "New Group,,,\n", encoding="utf-8")
    error = refused(study_path, path)
    assert error.problems[:2] == [
        "row 2: 'COVENTRY C.V.S. Ltd' may already be in the study: Coventry CVS (id 1): same name",
        "row 3: 'Someone Else' may already be in the study: Coventry CVS (id 1): same phone",
    ]
    with Study.open(study_path) as s:
        result = import_organisations(s, path, duplicates="skip")
        assert (result.rows, result.skipped) == (1, 2)
        assert s.organisations.count() == 2
    with Study.open(study_path) as s:
        result = import_organisations(s, path, duplicates="merge")
        assert (result.rows, result.merged) == (0, 3)  # "New Group" is now in the study too
        org = s.organisations.get(1)
        assert org.email == "info@covcvs.org"   # filled in where the study had nothing
        assert org.phone == "+442476220381"     # never overwritten
        assert [c.name for c in s.organisations.contacts(1)] == ["Ruth Brown"]
        assert s.organisations.count() == 2
    with Study.open(study_path) as s:
        result = import_organisations(s, path, duplicates="add")
        assert result.rows == 3 and s.organisations.count() == 5


def test_a_shared_postcode_alone_is_not_a_duplicate(study_path: Path, tmp_path: Path):
    path = tmp_path / "orgs.csv"
    path.write_text("name,address\nAnother Tenant,\"Koco Building, CV6 5RE\"\n", encoding="utf-8")
    with Study.open(study_path) as s:
        assert import_organisations(s, path).rows == 1


def test_a_shared_postcode_counts_beside_a_name_among_many_at_that_postcode(study_path: Path, tmp_path: Path):
    with Study.open(study_path) as s:
        for i in range(40):
            s.organisations.add(f"Tenant {i}", address=f"Unit {i}, Koco Building, CV6 5RE")
        s.organisations.add("Tenant 7", address="1 Park Row, Leeds LS1 5AB")
    path = tmp_path / "orgs.csv"
    path.write_text("name,address,phone\nTenant 7,\"Koco Building, cv6 5re\",\nSomeone New,CV6 5RE,\n",
                    encoding="utf-8")
    problems = refused(study_path, path).problems
    assert problems[0] == ("row 2: 'Tenant 7' may already be in the study: Tenant 7 (id 9): same name, same postcode; "
                           "Tenant 7 (id 42): same name")
    assert not any("Someone New" in p for p in problems)  # the postcode alone: none of the forty


# --- Access -------------------------------------------------------------------------------


@needs_northwind
def test_organisations_from_an_access_table(study_path: Path, tmp_path: Path):
    header = sources.read_sheet(NORTHWIND, "Customers").header
    mapping = import_mapping.guess(header, FIELDS, "organisations")
    assert (mapping.columns["CompanyName"], mapping.columns["ContactName"], mapping.columns["Phone"],
            mapping.columns["PostalCode"]) == ("name", "contact_name", "phone", "postcode")
    for heading in ("CustomerID", "Country", "Fax", "Region"):
        mapping.columns[heading] = None
    with Study.open(study_path) as s:
        result = import_organisations(s, NORTHWIND, part="Customers", mapping=mapping)
        assert (result.rows, result.contacts) == (91, 91)
        first = sources.read_sheet(NORTHWIND, "Customers").rows[0]  # ALFKI, Maria Anders, Obere Str. 57
        [org_id] = s.organisations.find_by_name(first[1])
        org = s.organisations.get(org_id)
        assert org.address == f"{first[4]}, {first[5]}, {first[7]}"
        assert [(c.name, c.role) for c in s.organisations.contacts(org_id)] == [(first[2], first[3])]


@needs_northwind
def test_an_access_database_needs_its_table_named(study_path: Path):
    error = refused(study_path, NORTHWIND)
    assert error.problems[0].startswith("name the table to import from an Access database (tables: Categories, ")


# --- files that are hostile or not what they say --------------------------------------------


def test_a_file_not_what_its_name_says_is_refused(study_path: Path, tmp_path: Path):
    text_as_xlsx = tmp_path / "orgs.xlsx"
    text_as_xlsx.write_text("name\nOne\n", encoding="utf-8")
    assert refused(study_path, text_as_xlsx).problems == [
        "the file is named .xlsx but is text (a CSV file?); rename it .csv if that is what it is"]
    book_as_csv = workbook(tmp_path / "orgs.csv", {"S": [["name"], ["One"]]})
    assert refused(study_path, book_as_csv).problems[0].startswith("the file is named .csv but is an Excel workbook")
    pdf = tmp_path / "orgs.dat"
    pdf.write_bytes(b"%PDF-1.4\n...")
    assert refused(study_path, pdf).problems[0].startswith("this is a PDF document")
    old = tmp_path / "orgs.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert refused(study_path, old).problems[0].startswith("this is an old-style Office file")


def test_a_zip_bomb_posing_as_a_workbook_is_refused_before_unpacking(study_path: Path, tmp_path: Path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(600):  # 600 MB of nothing, a few hundred KB packed
                member.write(chunk)
    assert path.stat().st_size < 5_000_000
    [problem] = refused(study_path, path).problems
    assert problem.startswith("the workbook would unpack to 600 MB")


def test_a_damaged_workbook_is_one_line(study_path: Path, tmp_path: Path):
    good = workbook(tmp_path / "good.xlsx", {"S": [["name"], ["One"]]})
    data = good.read_bytes()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(data[: len(data) // 2])
    [problem] = refused(study_path, bad).problems
    assert "damaged" in problem and "\n" not in problem


def test_a_workbook_whose_sheet_is_garbled_is_refused_when_its_sheets_are_listed(tmp_path: Path):
    # Found by fuzzing (bench/fuzz.py): the zip is whole, a sheet's XML is not; listing the
    # sheets (the import's first step, which counts their rows) let the XML parser's error out.
    good = workbook(tmp_path / "good.xlsx", {"People": [["name"], ["One"], ["Two"]]})
    bad = tmp_path / "garbled.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(b"<row", b"<row \x01", 1)
            target.writestr(item, data)
    with pytest.raises(ImportFileError) as caught:
        sources.parts(bad)
    assert caught.value.problems == ["sheet 'People': cannot be read (ParseError)"]


def test_a_workbook_claiming_a_zip_version_nobody_knows_is_refused(tmp_path: Path):
    # Found by fuzzing (bench/fuzz.py): the standard library raises NotImplementedError for it.
    data = bytearray(workbook(tmp_path / "good.xlsx", {"S": [["name"], ["One"]]}).read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 6:central + 8] = (236).to_bytes(2, "little")  # "version needed to extract": 23.6
    bad = tmp_path / "odd-version.xlsx"
    bad.write_bytes(bytes(data))
    with pytest.raises(ImportFileError) as caught:
        sources.read_sheet(bad)
    assert caught.value.problems == ["this zip file is damaged or incomplete (zip file version 23.6)"]


def test_a_huge_cell_and_too_many_columns_are_refused(study_path: Path, tmp_path: Path):
    big = tmp_path / "big.csv"
    big.write_text("name,notes\nOne,\"" + "x" * 10_000_000 + "\"\n", encoding="utf-8")
    [problem] = refused(study_path, big).problems
    assert problem == "row 2: not readable as CSV (a cell of more than 100,000 characters)"
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(10_000)) + "\n" + ",".join("x" * 10_000) + "\n",
                    encoding="utf-8")
    assert refused(study_path, wide).problems == ["row 1: 10,000 columns; a file to import has at most 1,000"]
    # A workbook cannot hold more than Excel's 32,767 characters in a cell: openpyxl reads no more.
    big_book = workbook(tmp_path / "cell.xlsx", {"S": [["name", "notes"], ["One", "y" * 200_000]]})
    assert len(sources.read_sheet(big_book).rows[0][1]) == 32_767


def test_an_empty_workbook_and_an_empty_sheet(study_path: Path, tmp_path: Path):
    path = workbook(tmp_path / "empty.xlsx", {"S": []})
    assert refused(study_path, path).problems[0].startswith("the file is empty")


# --- the command line -------------------------------------------------------------------------


def test_command_line_lists_sheets_saves_and_uses_a_mapping(study_path: Path, tmp_path: Path, capsys):
    path = workbook(tmp_path / "orgs.xlsx", {"Intro": [["x"]], "List": [["Org name", "Charity no", "Area"],
                                                                          ["Fresh Group", "A1", "Notts"]]})
    assert main(["import", str(study_path), str(path), "--list"]) == 0
    assert capsys.readouterr().out == "Intro\t0 rows\nList\t1 row\n"

    saved = tmp_path / "mapping.json"
    assert main(["import", str(study_path), str(path), "--sheet", "List", "--save-mapping", str(saved)]) == 0
    assert "Charity no -> (not imported)" in capsys.readouterr().out
    mapping = Mapping.load(saved)
    mapping.values = {"area": {"Notts": "Coventry"}}
    mapping.save(saved)

    assert main(["import", str(study_path), str(path), "--sheet", "List"]) == 1
    assert "unknown column 'Charity no'" in capsys.readouterr().err
    assert main(["import", str(study_path), str(path), "--sheet", "List", "--mapping", str(saved)]) == 0
    assert capsys.readouterr().out.startswith("Imported 1 organisation and 0 contacts from ")
    with Study.open(study_path) as s:
        assert s.organisations.get(s.organisations.find_by_name("Fresh Group")[0]).area == "Coventry"


def test_command_line_refuses_duplicates_until_told(study_path: Path, tmp_path: Path, capsys):
    path = tmp_path / "orgs.csv"
    path.write_text("name\nCoventry CVS\n", encoding="utf-8")
    assert main(["import", str(study_path), str(path)]) == 1
    err = capsys.readouterr().err
    assert "may already be in the study" in err and "--duplicates skip, merge or add" in err
    assert main(["import", str(study_path), str(path), "--duplicates", "skip"]) == 0
    assert "skipped 1 already in the study" in capsys.readouterr().out


# --- random workbooks ------------------------------------------------------------------------

_CELL = st.one_of(st.none(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
                  st.booleans(), st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
                  st.sampled_from(["name", "Coventry", "=1+2", "yes", "interviewed", "Network"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(header=st.lists(st.sampled_from(["name", "Org name", "area", "status", "phone", "Tel", "x", ""]),
                       min_size=0, max_size=5),
       rows=st.lists(st.lists(_CELL, max_size=6), max_size=5))
def test_random_workbooks_import_or_change_nothing(study_path: Path, tmp_path: Path, header, rows):
    path = tmp_path / "random.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    for row in [header, *rows]:
        ws.append([c for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    before = file_digest(study_path)
    with Study.open(study_path) as s:
        count = s.organisations.count()
        try:
            result = import_organisations(s, path, duplicates="add")
        except ImportFileError as e:
            assert e.problems and all("\n" not in p for p in e.problems)
            changed = False
        else:
            assert s.organisations.count() == count + result.rows
            changed = result.rows > 0
    if not changed:
        assert file_digest(study_path) == before


# --- round trips: fieldkit's own export imports back -----------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_organisations_export_imports_back_unchanged(tmp_path: Path, suffix: str):
    from fieldkit import datasets

    source = tmp_path / "source.fieldkit"
    with Study.create(source, mapping_template()) as s:
        s.add_vocabulary_values({"areas": ["Coventry", "Solihull"]})
        first = s.organisations.add("Hillfields £ Café “Group”", category="BME network", area="Coventry",
                                    phone="+44 24 7696 0001", email="=HYPERLINK(x)", address="1 High St\nCV1 5RN",
                                    notes="-2 members", opening_hours="Mon-Fri 9-5", flags=["follow_up"])
        s.organisations.add("Referred Forum", area="Solihull", referred_by=first)
        s.organisations.add("Closed Group", status="excluded", exclusion_reason="Closed down")
        datasets.export(s, "organisations", tmp_path / f"orgs{suffix}")
        before = [_record(s, i) for i in s.organisations.ids(order_by="created")]
    target = tmp_path / "target.fieldkit"
    with Study.create(target, mapping_template()) as s:
        result = import_organisations(s, tmp_path / f"orgs{suffix}", add_values=True)
        assert result.rows == 3
        after = [_record(s, i) for i in s.organisations.ids(order_by="created")]
    assert after == before


def _record(study: Study, org_id: int) -> tuple:
    o = study.organisations.get(org_id)
    referrer = study.organisations.get(o.referred_by).name if o.referred_by else None
    return (o.name, o.category, o.area, o.status, o.exclusion_reason, o.phone, o.email, o.address, o.notes,
            o.opening_hours, sorted(o.flags), referrer)
