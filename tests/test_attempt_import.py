"""Importing contact attempts (a call log): what is stored from CSV and XLSX, how outcomes,
channels, dates and organisations are read, every kind of refusal, re-imports that skip
what the study has, all-or-nothing, and statuses moved as ``Attempts.log`` moves them."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from fieldkit import access, datasets, sources
from fieldkit.attempt_import import (
    ImportResult, apply_attempts, import_attempts, link_ids, plan_attempts, read_moment, read_seconds,
    read_time, CellError,
)
from fieldkit.errors import ImportFileError
from fieldkit.import_mapping import Mapping
from fieldkit.study import Study
from studies import file_digest, mapping_template

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "access"
NORTHWIND = FIXTURES / "northwind.mdb"


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8"))
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Calls"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def stored(study: Study) -> list[tuple]:
    """Every attempt as (organisation, at, channel, outcome, note, callback_at, tried, seconds)."""
    return [tuple(r.values()) for r in study.query(
        "SELECT o.name, a.at, a.channel, a.outcome, a.note, a.callback_at, a.tried, a.seconds "
        "FROM attempts a JOIN organisations o ON o.id = a.organisation_id ORDER BY a.id")]


@pytest.fixture
def study_path(tmp_path: Path) -> Path:
    """A closed regional-mapping study with four organisations in different states."""
    with Study.create(tmp_path / "mapping.fieldkit", mapping_template()) as study:
        orgs = study.organisations
        orgs.add("Coventry CVS", phone="024 7622 0381")
        orgs.add("Hillfields Somali Group")
        orgs.add("Warwick Road Forum", status="interviewed")
        orgs.add("Closed Forum", status="excluded", exclusion_reason="Closed down")
        path = study.path
    return path


@pytest.fixture
def study(study_path: Path):
    s = Study.open(study_path)
    yield s
    s.close()


def assert_refused_unchanged(study_path: Path, path: Path, **options) -> ImportFileError:
    """Import into a freshly opened study, expect refusal, and check the study's bytes did not change."""
    before = file_digest(study_path)
    with Study.open(study_path) as s:
        with pytest.raises(ImportFileError) as info:
            import_attempts(s, path, **options)
        assert s.attempts.count() == 0
    assert file_digest(study_path) == before
    return info.value


# --- what a good file stores ---------------------------------------------------------------------


def test_a_csv_call_log_stores_every_field(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "calls.csv", [
        ["Organisation", "When", "How", "Outcome", "Notes", "Comments", "Call back", "Number dialled", "Duration"],
        ["Coventry CVS", "04/10/2007 14:30", "Tel", "No answer", "", "", "", "024 7622 0381", "0:45"],
        ["coventry c.v.s. ltd", "2007-10-05 09:10", "E-mail", "left a  message", "Sent the leaflet",
         "Ask for Jane", "08/10/2007 11:00", "info@example.org", ""],
        ["Hillfields Somali Group", "5 Oct 2007", "Visit", "Call back requested", "", "", "12/10/07", "", "95"],
        ["", "", "", "", "", "", "", "", ""],
    ])
    result = import_attempts(study, path)
    assert result == ImportResult(attempts=3, organisations=2, skipped=0, moved=2, dry_run=False, source=str(path))
    assert result.lines() == [f"Imported 3 attempts for 2 organisations from {path}",
                              "  moved 2 organisations from identified to contacting"]
    assert stored(study) == [
        ("Coventry CVS", "2007-10-04T14:30:00", "phone", "No answer", None, None, "024 7622 0381", 45),
        ("Coventry CVS", "2007-10-05T09:10:00", "email", "Left a message", "Sent the leaflet; Ask for Jane",
         "2007-10-08T11:00:00", "info@example.org", None),
        # a date alone: the attempt at the start of its day, the call-back at 09:00
        ("Hillfields Somali Group", "2007-10-05T00:00:00", "visit", "Call back requested", None,
         "2007-10-12T09:00:00", None, 95),
    ]


def test_an_xlsx_call_log_with_typed_cells_and_separate_date_and_time(study: Study, tmp_path: Path):
    path = write_xlsx(tmp_path / "calls.xlsx", [
        ["Org ID", "Date", "Time", "Method", "Result", "Recall date", "Duration (mins)"],
        [1, dt.datetime(2007, 10, 4), dt.time(14, 30), "Phone call", "Line busy", None, 2.5],
        [2, dt.date(2007, 10, 4), None, None, "Email sent", dt.datetime(2007, 10, 11, 10, 0), None],
        [2, "04/10/2007", "2:45 pm", "letter", "Left a message", None, 1],
    ])
    result = import_attempts(study, path)
    assert (result.attempts, result.organisations, result.moved) == (3, 2, 2)
    assert stored(study) == [
        ("Coventry CVS", "2007-10-04T14:30:00", "phone", "Line busy", None, None, None, 150),
        ("Hillfields Somali Group", "2007-10-04T00:00:00", "phone", "Email sent", None, "2007-10-11T10:00:00",
         None, None),
        ("Hillfields Somali Group", "2007-10-04T14:45:00", "letter", "Left a message", None, None, None, 60),
    ]


def test_fieldkit_s_own_attempts_export_imports_back_unchanged(study: Study, tmp_path: Path):
    log = study.attempts.log
    log(1, outcome="No answer", at="2024-03-05 10:00", tried="024 7622 0381", seconds=65,
        callback_at="2024-03-06 11:00", note="rang twice")
    log(2, outcome="Email sent", channel="email", at="2024-03-05 10:05")
    for name in ("attempts.csv", "attempts.xlsx"):
        datasets.export(study, "attempts", tmp_path / name)
    before = stored(study)
    with Study.create(tmp_path / "other.fieldkit", mapping_template()) as other:
        for org in ("Coventry CVS", "Hillfields Somali Group"):
            other.organisations.add(org)
        assert import_attempts(other, tmp_path / "attempts.csv").attempts == 2
        assert stored(other) == before
        again = import_attempts(other, tmp_path / "attempts.xlsx")  # the same attempts: nothing doubled
        assert (again.attempts, again.skipped) == (0, 2)
        assert stored(other) == before


# --- outcomes, channels and organisations mapped ------------------------------------------------


def test_outcomes_and_channels_the_study_lacks_are_problems_until_mapped(study_path: Path, tmp_path: Path):
    path = write_csv(tmp_path / "calls.csv", [
        ["Organisation", "Date", "Type of contact", "Outcome"],
        ["Coventry CVS", "01/10/2007", "Tel", "No reply"],
        ["Coventry CVS", "02/10/2007", "Fax", "Left msg"],
        ["Hillfields Somali Group", "02/10/2007", "Fax", "No reply"],
        ["Hillfields Somali Group", "03/10/2007", "Phone", "Rang back"],
    ])
    mapping = Mapping("attempts", {"Organisation": "organisation", "Date": "date", "Type of contact": "channel",
                                   "Outcome": "outcome"})
    with Study.open(study_path) as s:
        plan = plan_attempts(s, sources.read_sheet(path), mapping)
        assert plan.unknown_values == {"outcome": {"No reply": 2, "Left msg": 1, "Rang back": 1},
                                       "channel": {"Fax": 2}}
        assert plan.suggested_values == {"outcome": {"No reply": "No answer", "Left msg": "Left a message"}}
        outcomes = ", ".join(s.template.outcomes)
    lines = [p.line() for p in plan.problems]
    assert lines == [
        f"row 2, column 'Outcome': 'No reply' is not one of the study's outcomes ({outcomes}); map it to one "
        "(perhaps 'No answer'?)",
        "row 3, column 'Type of contact': 'Fax' is not a way of making contact (use one of phone, email, visit, "
        "letter, or map it to one)",
        f"row 3, column 'Outcome': 'Left msg' is not one of the study's outcomes ({outcomes}); map it to one "
        "(perhaps 'Left a message'?)",
        "row 4, column 'Type of contact': 'Fax' is not a way of making contact (use one of phone, email, visit, "
        "letter, or map it to one)",
        f"row 4, column 'Outcome': 'No reply' is not one of the study's outcomes ({outcomes}); map it to one "
        "(perhaps 'No answer'?)",
        f"row 5, column 'Outcome': 'Rang back' is not one of the study's outcomes ({outcomes}); map it to one",
    ]
    error = assert_refused_unchanged(study_path, path, mapping=mapping)
    assert error.problems == lines

    mapping.values = {"outcome": {"no reply": "No answer", "Left msg": "Left a message",
                                  "Rang back": "Call back requested"},
                      "channel": {"FAX": "letter"}}
    with Study.open(study_path) as s:
        result = import_attempts(s, path, mapping=mapping)
        assert result.attempts == 4
        assert [(a[3], a[2]) for a in stored(s)] == [("No answer", "phone"), ("Left a message", "letter"),
                                                      ("No answer", "letter"), ("Call back requested", "phone")]


def test_names_mapped_onto_organisations_and_ids_checked_against_names(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "calls.csv", [
        ["organisation_id", "organisation", "at", "outcome"],
        ["", "Coventry Council for Voluntary Service", "2007-10-04", "No answer"],
        ["2", "Hillfields Somali Group", "2007-10-04", "No answer"],
        ["2", "Coventry CVS", "2007-10-05", "No answer"],
    ])
    mapping = Mapping("attempts", {h: h for h in ("organisation_id", "organisation", "at", "outcome")},
                      {"organisation": {"Coventry Council for Voluntary Service": "Coventry CVS"}})
    with pytest.raises(ImportFileError) as info:
        import_attempts(study, path, mapping=mapping)
    assert info.value.problems == ["row 4, column 'organisation': organisation 2 is 'Hillfields Somali Group', "
                                   "not 'Coventry CVS'"]
    assert study.attempts.count() == 0


def test_an_old_database_s_ids_go_through_the_id_table_and_only_through_it(study: Study, tmp_path: Path):
    """The old database numbered its organisations too: its 1 is not the study's 1."""
    orgs = write_csv(tmp_path / "orgs.csv", [["OrgNo", "OrgName"], ["1", "Hillfields Somali Group"],
                                             ["7", "Coventry CVS Ltd"], ["8", "Nowhere Trust"],
                                             ["7", "Warwick Road Forum"]])
    links = link_ids(study, sources.read_sheet(orgs), id_column="OrgNo", name_column="orgname")
    assert links.values == {"1": "2", "7": "1"}
    assert [p.line() for p in links.problems] == [
        "row 4, column 'OrgName': 'Nowhere Trust': none of the study's organisations has that name",
        "row 5, column 'OrgNo': the id '7' is given to two organisations"]
    calls = write_csv(tmp_path / "calls.csv", [["OrgNo", "CallDate", "Outcome"], ["1", "04/10/2007", "No answer"],
                                               ["7", "04/10/2007", "Declined"], ["2", "05/10/2007", "No answer"]])
    mapping = Mapping("attempts", {"OrgNo": "organisation_id", "CallDate": "date", "Outcome": "outcome"},
                      {"organisation_id": links.values})
    with pytest.raises(ImportFileError) as info:
        import_attempts(study, calls, mapping=mapping)
    # "2" is a study id (Hillfields), but this file's ids are the old database's
    assert info.value.problems == ["row 4, column 'OrgNo': the id '2' is not in the mapping's table of ids"]
    write_csv(calls, [["OrgNo", "CallDate", "Outcome"], ["1", "04/10/2007", "No answer"],
                      ["7", "04/10/2007", "Declined"]])
    import_attempts(study, calls, mapping=mapping)
    assert [(a[0], a[3]) for a in stored(study)] == [("Hillfields Somali Group", "No answer"),
                                                      ("Coventry CVS", "Declined")]


# --- dates, times and lengths ---------------------------------------------------------------------


TODAY = dt.date(2026, 5, 1)


@pytest.mark.parametrize("text,day,clock", [
    ("2007-10-04", dt.date(2007, 10, 4), None),
    ("2007-10-04 14:30", dt.date(2007, 10, 4), dt.time(14, 30)),           # how sources gives Excel/Access
    ("2007-10-04T14:30:15", dt.date(2007, 10, 4), dt.time(14, 30, 15)),
    ("04/10/2007", dt.date(2007, 10, 4), None),                            # UK: day first
    ("4/10/07", dt.date(2007, 10, 4), None),
    ("04/10/98", dt.date(1998, 10, 4), None),                              # after this year's 26: last century
    ("4.10.2007 9:05", dt.date(2007, 10, 4), dt.time(9, 5)),
    ("04-10-2007, 2:30 pm", dt.date(2007, 10, 4), dt.time(14, 30)),
    ("12/01/2007 12am", dt.date(2007, 1, 12), dt.time(0, 0)),
    ("4 Oct 2007", dt.date(2007, 10, 4), None),
    ("Thursday 4th October 2007 14.30", dt.date(2007, 10, 4), dt.time(14, 30)),
    ("2007/10/04", dt.date(2007, 10, 4), None),
])
def test_dates_read_iso_or_day_first(text: str, day: dt.date, clock: dt.time | None):
    assert read_moment(text, today=TODAY) == (day, clock)


@pytest.mark.parametrize("text,message", [
    ("10/13/2007", "'10/13/2007' reads month first; dates are read day first (dd/mm/yyyy)"),
    ("31/02/2007", "'31/02/2007' is not a date (use YYYY-MM-DD, or day first: dd/mm/yyyy)"),
    ("39359", "'39359' is a number, not a date (in the spreadsheet, format the column as dates)"),
    ("last Tuesday", "'last Tuesday' is not a date (use YYYY-MM-DD, or day first: dd/mm/yyyy)"),
    ("04/10/2007 25:00", "'04/10/2007 25:00' is not a date (use YYYY-MM-DD, or day first: dd/mm/yyyy)"),
])
def test_dates_that_cannot_be_read_say_why(text: str, message: str):
    with pytest.raises(CellError) as info:
        read_moment(text, today=TODAY)
    assert str(info.value) == message


def test_times_and_call_lengths():
    assert read_time("14:30") == read_time("2:30 pm") == read_time("1899-12-30 14:30") == dt.time(14, 30)
    assert read_time("14:30:00") == dt.time(14, 30)            # an Excel time cell
    with pytest.raises(CellError):
        read_time("14")
    assert read_seconds("95") == read_seconds("1:35") == read_seconds("00:01:35") == 95
    assert read_seconds("1899-12-30 00:01:35") == 95             # an Access time as a length
    assert read_seconds("2.5", minutes=True) == 150
    for bad in ("-3", "1:75", "a minute", "25:00:00"):
        with pytest.raises(CellError):
            read_seconds(bad)


# --- every kind of problem, each at its cell -------------------------------------------------------


def test_every_bad_cell_is_reported_at_its_row_and_column(study_path: Path, tmp_path: Path):
    future = (dt.date.today() + dt.timedelta(days=3)).strftime("%d/%m/%Y")
    path = write_csv(tmp_path / "calls.csv", [
        ["Org id", "Organisation", "Date", "Time", "How", "Outcome", "Call back", "Duration"],
        ["", "Nowhere Trust", "04/10/2007", "", "Tel", "No answer", "", "", ""],            # 2 unknown name
        ["9", "", "04/10/2007", "", "Tel", "No answer", "", "", ""],                        # 3 unknown id
        ["x1", "", "04/10/2007", "", "Tel", "No answer", "", "", ""],                       # 4 id not a number
        ["", "", "04/10/2007", "", "Tel", "No answer", "", "", ""],                         # 5 no organisation
        ["1", "", "", "", "Tel", "No answer", "", "", ""],                                  # 6 no date
        ["1", "", "10/13/2007", "", "Tel", "No answer", "", "", ""],                        # 7 month first
        ["1", "", future, "", "Tel", "No answer", "", "", ""],                              # 8 future
        ["1", "", "04/10/2007", "half two", "Tel", "No answer", "", "", ""],                # 9 bad time
        ["1", "", "04/10/2007 10:00", "11:00", "Tel", "No answer", "", "", ""],             # 10 two times
        ["1", "", "04/10/2007", "", "Pigeon", "No answer", "", "", ""],                     # 11 channel
        ["1", "", "04/10/2007", "", "Tel", "", "", "", ""],                                 # 12 no outcome
        ["1", "", "04/10/2007", "", "Tel", "Hung up", "", "", ""],                          # 13 unknown outcome
        ["1", "", "04/10/2007", "", "Tel", "No answer", "01/10/2007", "", ""],              # 14 call-back before
        ["1", "", "04/10/2007", "", "Tel", "No answer", "soon", "", ""],                    # 15 bad call-back
        ["1", "", "04/10/2007", "", "Tel", "No answer", "", "ages", ""],                    # 16 bad length
        ["1", "", "04/10/2007", "", "Tel", "No answer", "", "", "stray"],                   # 17 headless value
        ["1", "", "1899-12-30 14:30", "", "Tel", "No answer", "", "", ""],                  # 18 a time alone
        ["", "foleshill womens group", "04/10/2007", "", "Tel", "No answer", "", "", ""],   # 19 ambiguous
        ["1", "Coventry CVS", "04/10/2007", "", "Tel", "No answer", "", "", ""],            # a good row
    ])
    with Study.open(study_path) as s:
        outcomes = ", ".join(s.template.outcomes)
        s.organisations.add("Foleshill Women's Group")
        s.organisations.add("Foleshill Women's Group Ltd")
    error = assert_refused_unchanged(study_path, path, mapping=Mapping("attempts", {
        "Org id": "organisation_id", "Organisation": "organisation", "Date": "date", "Time": "time",
        "How": "channel", "Outcome": "outcome", "Call back": "callback_at", "Duration": "seconds"}))
    assert error.problems == [
        "row 2, column 'Organisation': no organisation named 'Nowhere Trust' in the study (import the "
        "organisations first, or map the name to one)",
        "row 3, column 'Org id': no organisation with id '9' in the study",
        "row 4, column 'Org id': no organisation with id 'x1' in the study",
        "row 5, column 'Organisation': which organisation? the cell is empty",
        "row 6, column 'Date': when? the cell is empty",
        "row 7, column 'Date': '10/13/2007' reads month first; dates are read day first (dd/mm/yyyy)",
        f"row 8, column 'Date': {dt.datetime.strptime(future, '%d/%m/%Y'):%Y-%m-%d} 00:00 is in the future",
        "row 9, column 'Time': 'half two' is not a time of day (use HH:MM, such as 14:30 or 2:30 pm)",
        "row 10, column 'Time': the time 11:00 is not the 10:00 the date column gives",
        "row 11, column 'How': 'Pigeon' is not a way of making contact (use one of phone, email, visit, letter, "
        "or map it to one)",
        "row 12, column 'Outcome': the outcome is empty; every attempt needs one",
        f"row 13, column 'Outcome': 'Hung up' is not one of the study's outcomes ({outcomes}); map it to one",
        "row 14, column 'Call back': the call-back (2007-10-01 09:00) is before the attempt (2007-10-04 00:00)",
        "row 15, column 'Call back': 'soon' is not a date (use YYYY-MM-DD, or day first: dd/mm/yyyy)",
        "row 16, column 'Duration': 'ages' is not a length of call (a number of seconds, or m:ss)",
        "row 17, column 9: a value in a column with no heading; give the column a heading",
        "row 18, column 'Date': '1899-12-30 14:30' has a time but no date (1899-12-30 is how Access and Excel "
        "store a time alone)",
        "row 19, column 'Organisation': 'foleshill womens group' is ambiguous: 2 organisations have that name "
        "(ids 5, 6); give organisation_id",
    ]
    assert str(error).splitlines()[0] == f"{path}: nothing imported, 18 problems"


def test_header_problems_are_reported_before_any_row(study_path: Path, tmp_path: Path):
    path = write_csv(tmp_path / "calls.csv", [["Organisation", "Caller", "Notes"], ["Coventry CVS", "Ann", "x"]])
    error = assert_refused_unchanged(study_path, path)
    accepted = ("(columns: organisation_id, organisation, at, date, time, channel, outcome, note, callback_at, "
                "tried, seconds, minutes)")
    assert error.problems == [
        f"row 1, column 2: unknown column 'Caller' {accepted}; map it, or map it to nothing",
        f"row 1: no column says when each attempt was made (at, or date) {accepted}",
        f"row 1: there is no outcome column; every attempt needs one {accepted}",
    ]
    path = write_csv(path, [["Organisation", "When", "Date", "Outcome", "Caller"], ["Coventry CVS", "", "", "", ""]])
    error = assert_refused_unchanged(study_path, path, mapping=Mapping(
        "attempts", {"Organisation": "organisation", "When": "at", "Date": "date", "Outcome": "outcome"}))
    assert error.problems == [
        "row 1, column 5: the mapping does not say where the column 'Caller' goes (map it, or to nothing)",
        "row 1: both 'at' and 'date' have a column; map one of them",
    ]
    path = write_csv(path, [["Organisation", "Date", "", "Outcome"], ["Coventry CVS", "04/10/2007", "x", "No answer"]])
    error = assert_refused_unchanged(study_path, path)
    assert error.problems == [
        "row 1, column 3: the column has no heading but has values; give it a heading or delete the column"]


# --- all or nothing, dry runs and re-imports -------------------------------------------------------


def test_a_dry_run_writes_nothing_and_says_what_would_happen(study_path: Path, tmp_path: Path):
    path = write_csv(tmp_path / "calls.csv", [["Organisation", "Date", "Outcome"],
                                              ["Coventry CVS", "04/10/2007", "No answer"]])
    before = file_digest(study_path)
    with Study.open(study_path) as s:
        result = import_attempts(s, path, dry_run=True)
        assert s.attempts.count() == 0 and s.organisations.get(1).status == "identified"
    assert file_digest(study_path) == before
    assert result.lines() == [f"Would import 1 attempt for 1 organisation from {path}",
                              "  would move 1 organisation from identified to contacting"]


def test_reimporting_skips_what_the_study_has_but_keeps_repeats_within_a_day(study: Study, tmp_path: Path):
    rows = [["Organisation", "Date", "Outcome"],
            ["Coventry CVS", "04/10/2007", "No answer"],
            ["Coventry CVS", "04/10/2007", "No answer"],            # rang twice that day: two attempts
            ["Hillfields Somali Group", "04/10/2007", "No answer"]]
    path = write_csv(tmp_path / "calls.csv", rows)
    assert import_attempts(study, path).attempts == 3
    again = import_attempts(study, path)
    assert (again.attempts, again.organisations, again.skipped, again.moved) == (0, 0, 3, 0)
    assert again.lines() == [f"Imported 0 attempts for 0 organisations from {path}",
                             "  skipped 3 already in the study (same organisation, time, channel and outcome)"]
    # the log grew since: only the new rows go in; a third call that day is a new attempt
    write_csv(path, rows + [["Coventry CVS", "04/10/2007", "No answer"],
                            ["Coventry CVS", "04/10/2007", "Left a message"]])
    plan = plan_attempts(study, sources.read_sheet(path))
    assert plan.duplicates == [2, 3, 4]
    assert plan.lines()[:2] == [f"2 attempts for 1 organisation to import from {path}",
                                "3 already in the study (same organisation, time, channel and outcome) will be "
                                "skipped"]
    third = apply_attempts(study, plan)
    assert (third.attempts, third.skipped) == (2, 3)
    assert study.attempts.count() == 5


def test_a_backup_is_taken_before_writing_and_only_then(study_path: Path, tmp_path: Path):
    import sqlite3

    from fieldkit.storage import backups

    path = write_csv(tmp_path / "calls.csv", [["Organisation", "Date", "Outcome"],
                                              ["Coventry CVS", "04/10/2007", "No answer"]])

    def before_import() -> list:
        return [b for b in backups.list_backups(study_path) if b.reason == "before-import"]

    with Study.open(study_path) as s:
        s.attempts.log(2, outcome="Declined", at="2007-10-01 10:00")
        import_attempts(s, path, dry_run=True)
        assert before_import() == []
        import_attempts(s, path)
    [taken] = before_import()
    with sqlite3.connect(taken.path) as old:
        assert old.execute("SELECT organisation_id, outcome FROM attempts").fetchall() == [(2, "Declined")]
    for b in backups.list_backups(study_path):
        b.path.unlink()
    with Study.open(study_path, backup=False) as s:
        assert import_attempts(s, path).skipped == 1    # nothing to write: no backup either
    assert before_import() == []


def test_a_failure_while_writing_leaves_none_of_the_file(study_path: Path, tmp_path: Path):
    path = write_csv(tmp_path / "calls.csv", [["organisation_id", "at", "outcome"],
                                              ["1", "2007-10-04 10:00", "No answer"],
                                              ["2", "2007-10-04 10:05", "No answer"]])
    with Study.open(study_path) as s:
        plan = plan_attempts(s, sources.read_sheet(path))
        assert not plan.problems
        s.organisations.delete(2)          # gone between checking and writing
        with pytest.raises(ImportFileError) as info:
            apply_attempts(s, plan)
        assert info.value.problems == ["row 3: no organisation with id 2"]
        assert s.attempts.count() == 0
        assert s.organisations.get(1).status == "identified"


# --- statuses, as Attempts.log moves them -----------------------------------------------------------


def test_statuses_move_as_logging_the_attempts_one_by_one_moves_them(study_path: Path, tmp_path: Path):
    path = write_csv(tmp_path / "calls.csv", [
        ["organisation_id", "at", "outcome", "callback_at"],
        ["1", "2007-10-04 10:00", "No answer", ""],
        ["1", "2007-10-05 10:00", "Declined", ""],
        ["3", "2007-10-04 11:00", "Call back requested", "2007-10-06"],
        ["4", "2007-10-04 12:00", "No answer", ""],
    ])
    twin = tmp_path / "twin.fieldkit"
    twin.write_bytes(study_path.read_bytes())
    with Study.open(twin) as by_hand:
        for r in sources.read_sheet(path).rows:
            by_hand.attempts.log(int(r[0]), outcome=r[2], at=r[1], callback_at=r[3] and f"{r[3]} 09:00")
        expected = [(by_hand.organisations.get(i).status, [(c.field, c.old, c.new) for c in
                                                           by_hand.organisations.changes(i)]) for i in (1, 2, 3, 4)]
        expected_attempts = stored(by_hand)
    with Study.open(study_path) as s:
        result = import_attempts(s, path)
        assert result.moved == 1
        got = [(s.organisations.get(i).status, [(c.field, c.old, c.new) for c in s.organisations.changes(i)])
               for i in (1, 2, 3, 4)]
        assert got == expected == [("contacting", [("status", "identified", "contacting")]), ("identified", []),
                                   ("interviewed", []), ("excluded", [])]
        assert stored(s) == expected_attempts
        plan = plan_attempts(s, sources.read_sheet(path))
    assert plan.for_closed == 0   # all four are in the study already: skipped
    path2 = write_csv(tmp_path / "more.csv", [["organisation_id", "at", "outcome"],
                                              ["3", "2007-11-01 10:00", "No answer"]])
    with Study.open(study_path) as s:
        plan = plan_attempts(s, sources.read_sheet(path2))
        result = import_attempts(s, path2)
        assert s.organisations.get(3).status == "interviewed"
    assert plan.for_closed == result.for_closed == 1
    assert result.lines()[1] == ("  1 for organisations already interviewed, declined, unreachable or excluded: "
                                 "their status stays as it is")
    assert plan.lines()[1] == ("1 for organisations already interviewed, declined, unreachable or excluded: "
                               "their status stays as it is")


# --- an Access database: organisations from one table, attempts from another ------------------------


@pytest.mark.skipif(not NORTHWIND.is_file() or "mdbtools" not in access.available_readers(),
                    reason="Access fixture or mdbtools not present")
def test_northwind_customers_as_organisations_and_their_orders_as_attempts(tmp_path: Path):
    from collections import Counter

    from fieldkit.import_mapping import guess
    from fieldkit.organisation_import import FIELDS, import_organisations

    with Study.create(tmp_path / "northwind.fieldkit", mapping_template()) as study:
        customers = guess(sources.read_sheet(NORTHWIND, "Customers").header, FIELDS, "organisations")
        assert import_organisations(study, NORTHWIND, part="Customers", mapping=customers, add_values=True).rows == 91
        links = link_ids(study, sources.read_sheet(NORTHWIND, "Customers"), id_column="CustomerID",
                         name_column="CompanyName")
        assert len(links.values) == 91 and not links.problems
        orders = sources.read_sheet(NORTHWIND, "Orders")
        columns = {h: None for h in orders.header}
        columns.update(OrderDate="date", CustomerID="organisation_id", ShipVia="outcome", RequiredDate="callback_at")
        mapping = Mapping("attempts", columns, {
            "organisation_id": links.values,
            "outcome": {"1": "No answer", "2": "Left a message", "3": "Call back requested"}})
        before = file_digest(NORTHWIND)
        result = import_attempts(study, NORTHWIND, part="Orders", mapping=mapping)
        assert file_digest(NORTHWIND) == before
        assert (result.attempts, result.skipped) == (830, 0)
        per_customer = Counter(r[1] for r in orders.rows)
        ordered = {links.values[c] for c in per_customer}
        assert result.organisations == result.moved == len(ordered)
        by_org = {r["organisation_id"]: r["n"] for r in study.query(
            "SELECT organisation_id, count(*) AS n FROM attempts GROUP BY 1")}
        assert by_org == {int(links.values[c]): n for c, n in per_customer.items()}
        first = orders.rows[0]  # 10248, WILMK, 1996-07-04, required 1996-08-01, ship via 3
        [attempt] = [a for a in study.attempts.for_organisation(int(links.values[first[1]]))
                     if a.at == "1996-07-04T00:00:00"]
        assert (attempt.outcome, attempt.callback_at) == ("Call back requested", "1996-08-01T09:00:00")
        statuses = Counter(study.organisations.get(i).status for i in study.organisations.ids())
        assert statuses == {"contacting": len(ordered), "identified": 91 - len(ordered)}
        again = import_attempts(study, NORTHWIND, part="Orders", mapping=mapping)
        assert (again.attempts, again.skipped) == (0, 830)


# --- fieldkit import --ids-from ----------------------------------------------------------------------


def old_database(path: Path, calls: list[list[object]], groups: list[list[object]] | None = None) -> Path:
    """A workbook as an old database exports itself: its organisations and its call log, both
    numbered by its own ids (its 1 is not the study's 1)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Groups"
    for row in [["OrgNo", "Group name"], *(groups if groups is not None else [
            [1, "Hillfields Somali Group"], [7, "Coventry CVS Ltd"], [8, "Nowhere Trust"]])]:
        sheet.append(row)
    sheet = book.create_sheet("Calls")
    for row in [["Org no", "Call date", "Outcome"], *calls]:
        sheet.append(row)
    book.save(path)
    return path


def import_command(study_path: Path, path: Path, *options: str) -> list[str]:
    """``fieldkit import`` of the workbook's call log as attempts, with ``options``."""
    return ["import", str(study_path), str(path), "--records", "attempts", "--sheet", "Calls", *options]


def test_ids_from_links_the_old_ids_through_the_same_file_s_organisations(study_path: Path, tmp_path: Path,
                                                                          capsys):
    from fieldkit.cli import main

    path = old_database(tmp_path / "old.xlsx", [[1, "04/10/2007", "No answer"], [7, "05/10/2007", "Declined"],
                                                [1, "06/10/2007 10:30", "Left a message"]])
    assert main(import_command(study_path, path, "--ids-from", "Groups:OrgNo:Group name")) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"Linked 2 ids of {path}, sheet 'Groups' to the study's organisations by name",
        "  not linked: row 4, column 'Group name': 'Nowhere Trust': none of the study's organisations has that name",
        f"Imported 3 attempts for 2 organisations from {path}, sheet 'Calls'",
        "  moved 2 organisations from identified to contacting"]
    with Study.open(study_path) as s:  # the old 1 is Hillfields (the study's 2), not the study's 1
        assert [(a[0], a[1], a[3]) for a in stored(s)] == [
            ("Hillfields Somali Group", "2007-10-04T00:00:00", "No answer"),
            ("Coventry CVS", "2007-10-05T00:00:00", "Declined"),
            ("Hillfields Somali Group", "2007-10-06T10:30:00", "Left a message")]


def test_without_ids_from_the_old_ids_are_taken_for_the_study_s(study_path: Path, tmp_path: Path, capsys):
    """Why the option matters: the same file read as the study's own ids lands the old 1 on
    the study's 1 (and 7 nowhere); with it, an id its table could not link is refused."""
    from fieldkit.cli import main

    path = old_database(tmp_path / "old.xlsx", [[1, "04/10/2007", "No answer"], [7, "05/10/2007", "Declined"]])
    before = file_digest(study_path)
    assert main(import_command(study_path, path)) == 1
    assert "row 3, column 'Org no': no organisation with id '7' in the study" in capsys.readouterr().err
    path = old_database(tmp_path / "old.xlsx", [[1, "04/10/2007", "No answer"], [8, "05/10/2007", "Declined"]])
    assert main(import_command(study_path, path, "--ids-from", "Groups:OrgNo:Group name")) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[1:] == ["row 3, column 'Org no': the id '8' is not in the mapping's table of ids"]
    assert file_digest(study_path) == before


@pytest.mark.parametrize("options,message", [
    (["--ids-from", "Groups:OrgNo"], "--ids-from Groups:OrgNo: give TABLE:IDCOLUMN:NAMECOLUMN, such as "
                                     "Customers:CustomerID:CompanyName"),
    (["--ids-from", "Groups::Group name"], "--ids-from Groups::Group name: give TABLE:IDCOLUMN:NAMECOLUMN"),
    (["--ids-from", "Groups:OrgNo:Group name", "--records", "organisations"],
     "--ids-from is for importing attempts or interviews, whose rows give organisations by id"),
])
def test_ids_from_badly_given_is_a_usage_error(study_path: Path, tmp_path: Path, capsys, options, message):
    from fieldkit.cli import main

    path = old_database(tmp_path / "old.xlsx", [[1, "04/10/2007", "No answer"]])
    assert main(import_command(study_path, path, *options)) == 2
    assert message in capsys.readouterr().err


def test_ids_from_a_table_that_links_nothing_or_has_no_such_column(study_path: Path, tmp_path: Path, capsys):
    from fieldkit.cli import main

    path = old_database(tmp_path / "old.xlsx", [[1, "04/10/2007", "No answer"]], groups=[[1, "Nowhere Trust"]])
    before = file_digest(study_path)
    assert main(import_command(study_path, path, "--ids-from", "Groups:OrgNo:Group name")) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"fieldkit import: {path}, sheet 'Groups': nothing imported, 1 problem",
        "row 2, column 'Group name': 'Nowhere Trust': none of the study's organisations has that name"]
    assert main(import_command(study_path, path, "--ids-from", "Groups:OrgNo:Name")) == 1
    assert "there is no column 'Name' (columns: OrgNo, Group name)" in capsys.readouterr().err
    assert main(import_command(study_path, path, "--ids-from", "Clients:OrgNo:Group name")) == 1
    assert "Clients" in capsys.readouterr().err
    assert file_digest(study_path) == before


def test_ids_from_saved_in_a_mapping_to_import_with_later(study_path: Path, tmp_path: Path, capsys):
    from fieldkit.cli import main

    path = old_database(tmp_path / "old.xlsx", [[1, "04/10/2007", "No answer"], [7, "05/10/2007", "Declined"]])
    saved = tmp_path / "calls.json"
    assert main(import_command(study_path, path, "--ids-from", "Groups:OrgNo:Group name",
                               "--save-mapping", str(saved))) == 0
    assert Mapping.load(saved).values["organisation_id"] == {"1": "2", "7": "1"}
    assert main(import_command(study_path, path, "--mapping", str(saved),
                               "--ids-from", "Groups:OrgNo:Group name")) == 2
    assert "has its own table of organisation ids; leave out --ids-from" in capsys.readouterr().err
    assert main(import_command(study_path, path, "--mapping", str(saved))) == 0
    with Study.open(study_path) as s:
        assert [(a[0], a[3]) for a in stored(s)] == [("Hillfields Somali Group", "No answer"),
                                                      ("Coventry CVS", "Declined")]


@pytest.mark.skipif(not NORTHWIND.is_file() or "mdbtools" not in access.available_readers(),
                    reason="Access fixture or mdbtools not present")
def test_northwind_orders_imported_with_ids_from_customers(tmp_path: Path, capsys):
    from collections import Counter

    from fieldkit.cli import main
    from fieldkit.import_mapping import guess
    from fieldkit.organisation_import import FIELDS, import_organisations

    with Study.create(tmp_path / "northwind.fieldkit", mapping_template()) as study:
        customers = guess(sources.read_sheet(NORTHWIND, "Customers").header, FIELDS, "organisations")
        assert import_organisations(study, NORTHWIND, part="Customers", mapping=customers, add_values=True).rows == 91
        sheet = sources.read_sheet(NORTHWIND, "Customers")
        i, j = sheet.header.index("CustomerID"), sheet.header.index("CompanyName")
        names = {r[i]: r[j] for r in sheet.rows}
        study_path = study.path
    orders = sources.read_sheet(NORTHWIND, "Orders")
    columns = {h: None for h in orders.header}
    columns.update(OrderDate="date", CustomerID="organisation_id", ShipVia="outcome", RequiredDate="callback_at")
    saved = Mapping("attempts", columns, {"outcome": {"1": "No answer", "2": "Left a message",
                                                      "3": "Call back requested"}}).save(tmp_path / "orders.json")
    before = file_digest(NORTHWIND)
    assert main(["import", str(study_path), str(NORTHWIND), "--records", "attempts", "--table", "Orders",
                 "--mapping", str(saved), "--ids-from", "Customers:CustomerID:CompanyName"]) == 0
    per_customer = Counter(r[1] for r in orders.rows)
    assert capsys.readouterr().out.splitlines() == [
        f"Linked 91 ids of {NORTHWIND}, table 'Customers' to the study's organisations by name",
        f"Imported 830 attempts for {len(per_customer)} organisations from {NORTHWIND}, table 'Orders'",
        f"  moved {len(per_customer)} organisations from identified to contacting"]
    assert file_digest(NORTHWIND) == before
    with Study.open(study_path) as study:
        by_name = {r["name"]: r["n"] for r in study.query(
            "SELECT o.name, count(*) AS n FROM attempts a JOIN organisations o ON o.id = a.organisation_id GROUP BY 1")}
    assert by_name == {names[c]: n for c, n in per_customer.items()}  # each old id on its own company
