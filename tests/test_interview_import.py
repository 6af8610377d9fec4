"""Importing interviews taken elsewhere (KoboToolbox, REDCap, paper, Access): what is stored,
every bad cell, all or nothing, and the anonymous answers' way into the pool."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldkit import datasets, sources
from fieldkit.errors import ImportFileError, InvalidValueError
from fieldkit.cell_values import CellError, read_choices, read_moment, read_number
from fieldkit.import_mapping import Mapping
from fieldkit.importers import IMPORTERS
from fieldkit.interview_import import (
    apply_interviews,
    fields_for,
    guess_mapping,
    import_interviews,
    plan_interviews,
)
from fieldkit.interviews import InterviewSession
from fieldkit.storage.schema import POOL_COLUMNS
from fieldkit.study import Study
from fieldkit.template_toml import template_from_dict
from studies import SMALL_TEMPLATE, file_digest, small_template

ACCESS = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "access" / "student-records.accdb"
ORGS = ("Leeds Advice Centre", "Coventry CVS", "Birmingham Youth Network", "Walsall Carers", "Dudley Food Bank",
        "Sandwell Stroke Club", "Solihull Scouts")

#: SMALL_TEMPLATE with logic: a question asked only after a Yes, a rule, "Other, please
#: specify", a default, a calculation, and choices with names and Welsh words.
LOGIC_TEMPLATE = copy.deepcopy(SMALL_TEMPLATE)
LOGIC_TEMPLATE["template"]["name"] = "small-logic"
_A = LOGIC_TEMPLATE["sections"][0]["questions"]
_A[2]["choices"] = [{"name": "small", "label": "Small", "label::Cymraeg": "Bach"},
                    {"name": "medium", "label": "Medium", "label::Cymraeg": "Canolig"},
                    {"name": "large", "label": "Large", "label::Cymraeg": "Mawr"}]
_A[3]["other"] = True
_A.insert(5, {"id": "board_name", "type": "short_text", "label": "Which board?", "relevant": "${board} = 'yes'"})
_A[7].update({"constraint": ". <= 500", "constraint_message": "a small group has fewer than 500 staff"})
_A.insert(8, {"id": "volunteers", "type": "number", "label": "Volunteers", "default": 0, "min": 0})
_A.insert(9, {"id": "people", "type": "calculate", "label": "Staff and volunteers",
              "calculation": "${staff} + ${volunteers}"})


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ",") -> Path:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8"))
    return path


def make_study(tmp_path: Path, template: dict | None = None, *, name: str = "study") -> Study:
    t = small_template() if template is None else template_from_dict(template, source="test template")
    study = Study.create(tmp_path / f"{name}.fieldkit", t, title="Imported interviews")
    for org in ORGS:
        study.organisations.add(org, category="Network", contacts=[{"name": "Pat Jones"}])
    return study


@pytest.fixture
def study(tmp_path: Path):
    s = make_study(tmp_path)
    yield s
    s.close()


@pytest.fixture
def logic_study(tmp_path: Path):
    s = make_study(tmp_path, LOGIC_TEMPLATE, name="logic")
    yield s
    s.close()


def by_org(study: Study) -> dict[str, dict]:
    """Each organisation's one interview: its record's fields and answers."""
    out = {}
    for row in study.interviews.listing():
        iv = study.interviews.get(row.id)
        out[row.organisation] = {"date": iv.date, "mode": iv.mode, "interviewer": iv.interviewer,
                                 "result": iv.result, "answers": iv.answers}
    return out


def contents(path: Path) -> list[str]:
    """Every table's rows, as SQL, apart from the query planner's statistics."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [line for line in conn.iterdump() if "sqlite_stat" not in line]
    finally:
        conn.close()


def refused(study: Study, path: Path, **options) -> list[str]:
    """Import ``path``, expect a refusal, and check the study file did not change."""
    study_path = study.path
    study.close()
    before, digest = contents(study_path), file_digest(study_path)
    with Study.open(study_path) as s:
        counts = (s.interviews.count(), s.held.count(), s.pool.count())
        with pytest.raises(ImportFileError) as info:
            import_interviews(s, path, **options)
        assert (s.interviews.count(), s.held.count(), s.pool.count()) == counts
        assert not s.interviews.open_sittings
    assert contents(study_path) == before and file_digest(study_path) == digest
    return info.value.problems


# --- KoboToolbox ----------------------------------------------------------------------------------

KOBO_HEADER = ["start", "end", "today", "deviceid", "organisation", "group_about/role", "size", "work", "work/Advice",
               "work/Youth", "work/Health", "board", "informed", "staff", "founded", "listing", "sector_barriers",
               "sector_engaged", "_id", "_uuid", "_submission_time", "_validation_status", "_index"]


def kobo_rows(count: int) -> list[list[str]]:
    rows = [KOBO_HEADER]
    for i in range(count):
        day = f"2024-03-{1 + i:02d}"
        rows.append([f"{day}T10:0{i % 10}:00.000+01:00", f"{day}T10:4{i % 10}:30.000+01:00", day, "enketo.ee",
                     ORGS[i % len(ORGS)], f"Chair {i}", ["Small", "Medium", "Large"][i % 3], "Advice Youth", "1", "1",
                     "0", "yes" if i % 2 else "no", "A little", str(i * 2), "1999-03-05", "yes",
                     f"anonymous remark marker{i:04d}", ["Low", "Medium", "High"][i % 3], str(1000 + i),
                     f"uuid-{i}", f"{day}T12:00:00", "", str(i + 1)])
    return rows


def test_kobo_export_is_read_by_question_ids_and_choice_names(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "kobo.csv", kobo_rows(5), delimiter=";")
    result = import_interviews(study, path)
    assert result.lines() == [
        f"Imported 5 interviews with 5 organisations from {path}",
        "  10 anonymous answers: 10 moved to the pool, 0 held with their interviews until enough finished "
        "interviews have answered the same question"]
    first = by_org(study)["Leeds Advice Centre"]
    assert first == {"date": "2024-03-01", "mode": "phone", "interviewer": "", "result": "complete", "answers": {
        "role": "Chair 0", "size": "Small", "work": ["Advice", "Youth"], "board": False, "informed": "A little",
        "staff": 0, "founded": "1999-03-05", "listing": True}}
    row = study.interviews.listing()[-1]  # the first, by date
    # Kobo's start and end are when it began and ended, as the interviewer's clock showed them.
    assert (row.started, row.completed, row.sittings, row.seconds) == (
        "2024-03-01T10:00:00", "2024-03-01T10:40:30", 1, 40 * 60 + 30)
    org = study.organisations.get(row.organisation_id)
    assert org.status == "interviewed" and {"full_interview", "permission_to_list"} <= org.flags
    assert study.search.organisation_ids("\"Chair 3\"") == [4]  # named answers are searchable
    assert study.search.organisation_ids("marker0003") == []  # anonymous ones are not
    assert sorted(c.text for c in study.pool.comments(question_id="sector_barriers")) == \
        [f"anonymous remark marker{i:04d}" for i in range(5)]


def test_kobo_plan_says_which_columns_are_left_out(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "kobo.csv", kobo_rows(2))
    mapping = guess_mapping(study, sources.read_sheet(path).header)
    assert mapping.columns["group_about/role"] == "question:role"
    assert mapping.columns["today"] == "date" and mapping.columns["start"] == "started"
    assert {h for h, f in mapping.columns.items() if f is None} == {
        "deviceid", "work/Advice", "work/Youth", "work/Health", "_id", "_uuid", "_submission_time",
        "_validation_status", "_index"}
    plan = plan_interviews(study, sources.read_sheet(path))
    assert plan.problems == []
    assert plan.lines() == [
        f"2 interviews with 2 organisations to import from {path}",
        "4 anonymous answers: held with their interviews, then moved to the pool once enough finished "
        "interviews have answered the same question",
        "no mode given for 2: recorded as by phone",
        "not imported: 'deviceid' (the exporting tool's own column); 'work/Advice' (repeats a column of several "
        "choices, choice by choice); 'work/Youth' (repeats a column of several choices, choice by choice); "
        "'work/Health' (repeats a column of several choices, choice by choice); '_id' (the exporting tool's own "
        "column); '_uuid' (the exporting tool's own column); '_submission_time' (the exporting tool's own column); "
        "'_validation_status' (the exporting tool's own column); '_index' (the exporting tool's own column)"]


def test_kobo_with_a_mapping_that_sends_extra_columns_to_none(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "kobo.csv", kobo_rows(3))
    header = sources.read_sheet(path).header
    mapping = guess_mapping(study, header)
    mapping.columns["work"] = None  # read the choices from the column per choice instead
    for h in ("work/Advice", "work/Youth", "work/Health"):
        mapping.columns[h] = "question:work"
    mapping.columns["sector_engaged"] = None
    mapping = Mapping.from_json(mapping.to_json())  # as a saved mapping file is read
    import_interviews(study, path, mapping=mapping)
    answers = [iv["answers"] for iv in by_org(study).values()]
    assert all(a["work"] == ["Advice", "Youth"] for a in answers)
    assert study.pool.count() == 0 and study.held.count() == 3  # fewer than k: none moved yet
    # A column the mapping does not name is not silently dropped.
    del mapping.columns["board"]
    second = write_csv(tmp_path / "kobo2.csv", [r[:] for r in kobo_rows(1)])
    with pytest.raises(ImportFileError) as info:
        import_interviews(study, second, mapping=mapping)
    assert info.value.problems == [
        "row 1, column 12: the mapping does not say where the column 'board' goes (map it, or to nothing)"]


# --- REDCap ------------------------------------------------------------------------------------


def test_redcap_export_with_codes_and_a_column_per_choice(study: Study, tmp_path: Path):
    """REDCap's raw export: record ids and events, radio buttons as codes 1..n, checkboxes as
    work___1.. with 1/0, yes/no as 1/0, dates typed day first, its form status columns."""
    path = write_csv(tmp_path / "redcap.csv", [
        ["record_id", "redcap_event_name", "org_name", "interview_date", "interviewer", "role", "size", "work___1",
         "work___2", "work___3", "board", "staff", "founded", "sector_engaged", "mapping_timestamp",
         "mapping_complete"],
        ["1", "baseline_arm_1", "Coventry CVS", "05/03/2024", "AK", "Director", "2", "1", "0", "1", "1", "12",
         "1/9/1987", "3", "2024-03-05 12:00:00", "2"],
        ["2", "baseline_arm_1", "dudley food bank ltd", "6/3/24", "AK", "Manager", "3", "0", "0", "0", "0", "1,200",
         "", "1", "", "0"],
    ])
    mapping = guess_mapping(study, sources.read_sheet(path).header)
    assert mapping.columns["org_name"] == "organisation" and mapping.columns["interview_date"] == "date"
    assert [mapping.columns[f"work___{n}"] for n in (1, 2, 3)] == ["question:work"] * 3
    import_interviews(study, path)
    got = by_org(study)
    # Complete by the study's rule: the required sector_barriers has no column here, so it is not held against it.
    assert got["Coventry CVS"] == {"date": "2024-03-05", "mode": "phone", "interviewer": "AK", "result": "complete",
                                   "answers": {"role": "Director", "size": "Medium", "work": ["Advice", "Health"],
                                               "board": True, "staff": 12, "founded": "1987-09-01"}}
    assert got["Dudley Food Bank"]["date"] == "2024-03-06"
    assert got["Dudley Food Bank"]["answers"] == {"role": "Manager", "size": "Large", "board": False, "staff": 1200}
    assert study.held.count() == 2  # the anonymous scale, by its code: held until k


# --- a spreadsheet typed from paper ------------------------------------------------------------


def test_xlsx_typed_from_paper_questionnaires(logic_study: Study, tmp_path: Path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Questionnaires"
    sheet.append(["Organisation", "Date of interview", "Interviewer", "Mode", "Person interviewed", "Full interview",
                  "Your role", "Size", "Areas of work", "Other, please specify", "On a partnership board?",
                  "Which board?", "Paid staff", "Volunteers", "Founded", "Language", "Staff and volunteers"])
    sheet.append(["LEEDS ADVICE CENTRE LTD", dt.datetime(2024, 2, 29), "Sam", "F2F", "Pat Jones", "Yes",
                  "Chair", "Bach", "Youth; Other, please specify", "Sport", "Y", "Health board", 4, 3,
                  "12 June 1990", "Cymraeg", 999])
    sheet.append(["The Coventry CVS", "01/03/2024", "Sam", "phone", "Robin Lee", "no", "Treasurer", "medium",
                  "advice, health", "", "N", "", 7, None, dt.datetime(2001, 1, 31), "", None])
    path = tmp_path / "paper.xlsx"
    book.save(path)
    result = import_interviews(logic_study, path)
    assert result.lines()[:2] == [f"Imported 2 interviews with 2 organisations from {path}, sheet 'Questionnaires'",
                                  "  added 1 contact"]
    got = by_org(logic_study)
    leeds = got["Leeds Advice Centre"]
    assert leeds["mode"] == "face_to_face" and leeds["result"] == "complete" and leeds["date"] == "2024-02-29"
    assert leeds["answers"] == {"role": "Chair", "size": "small", "work": ["Youth", "other"], "work_other": "Sport",
                                "board": True, "board_name": "Health board", "staff": 4, "volunteers": 3,
                                "people": 7, "founded": "1990-06-12"}  # calculated here: 999 is not read
    coventry = got["Coventry CVS"]
    assert coventry["result"] == "partial"
    # No volunteers written: the question's default (0) is not an answer, so the sum has nothing to add.
    assert coventry["answers"] == {"role": "Treasurer", "size": "medium", "work": ["Advice", "Health"],
                                   "board": False, "staff": 7, "founded": "2001-01-31"}
    interview = logic_study.interviews.for_organisation(1)[0]
    assert interview.language == "Cymraeg"
    assert logic_study.organisations.contact(interview.contact_id).name == "Pat Jones"  # the one already there
    coventry_iv = logic_study.interviews.for_organisation(2)[0]
    assert logic_study.organisations.contact(coventry_iv.contact_id).name == "Robin Lee"  # added


# --- an Access database ------------------------------------------------------------------------

ACCESS_TEMPLATE = {
    "template": {"name": "students", "title": "Student records", "description": "An old answers table."},
    "organisations": {"categories": ["Student"], "areas": ["Pakistan"]},
    "sections": [{"id": "a", "title": "Record", "questions": [
        {"id": "city", "type": "single_choice", "label": "Where based", "choices": ["Lahore", "Karachi", "Multan"]},
        {"id": "dept", "type": "number", "label": "Department number", "min": 100, "max": 150},
    ]}],
}


@pytest.mark.skipif(not ACCESS.is_file(), reason="Access fixtures not present")
def test_access_answers_table(tmp_path: Path):
    """The Student table of a real .accdb as a table of answers: one row per student (the
    organisation, by name), a choice and a number each. It has no interview dates, so it is
    refused for that; with a date column added to its rows, every value is read, the
    department number out of range is reported at its cell, and once it is put right all
    seven are imported."""
    study = Study.create(tmp_path / "students.fieldkit", template_from_dict(ACCESS_TEMPLATE, source="test"))
    for name in ("Awwab", "Nabeed", "Hamza", "Kamran", "Ali", "Karim", "Abyaz"):
        study.organisations.add(name)
    mapping = Mapping("interviews", {"S_ID": None, "S_Name": "organisation", "Address": "question:city",
                                     "Dept_ID": "question:dept"})
    with pytest.raises(ImportFileError) as info:
        import_interviews(study, ACCESS, part="Student", mapping=mapping)
    assert info.value.problems == ["row 1: no column gives the interview's date (date, or start or end)"]
    table = sources.read_sheet(ACCESS, "Student")
    dated = sources.Sheet(table.source, table.kind, table.part, table.header + ["Interviewed"],
                          [r + ["14/11/2023"] for r in table.rows])
    mapping.columns["Interviewed"] = "date"
    plan = plan_interviews(study, dated, mapping)
    assert [p.line() for p in plan.problems] == ["row 6, column 'Dept_ID': 165 is above the maximum 150"]
    fixed = sources.Sheet(dated.source, dated.kind, dated.part, dated.header,
                          [r if r[1] != "Ali" else r[:3] + ["150", r[4]] for r in dated.rows])
    apply_interviews(study, plan_interviews(study, fixed, mapping))
    got = by_org(study)
    assert got["Awwab"]["answers"] == {"city": "Lahore", "dept": 101}
    assert got["Ali"]["answers"] == {"city": "Multan", "dept": 150}
    assert {o["date"] for o in got.values()} == {"2023-11-14"} and len(got) == 7
    study.close()


# --- every bad cell -----------------------------------------------------------------------------


def test_every_bad_cell_is_reported_and_nothing_written(logic_study: Study, tmp_path: Path):
    logic_study.organisations.add("Leeds Advice", category="Network")  # name_key: the same as ... Ltd below
    logic_study.organisations.add("Leeds Advice Ltd", category="Network")
    existing = logic_study.interviews.start(2, date="2024-01-10")
    existing.complete()
    today = dt.date.today()
    header = ["organisation_id", "organisation", "date", "start", "end", "mode", "result", "language", "role",
              "size", "work", "work_other", "board", "board_name", "staff", "founded", "sector_engaged",
              "sector_barriers"]
    ok = ["Chair", "Small", "Advice", "", "no", "", "3", "2001-01-01", "Low", "fine"]
    path = write_csv(tmp_path / "bad.csv", [
        header,
        ["", "Nobody Here", "2024-01-01", "", "", "", "", ""] + ok,                     # 2 unknown name
        ["", "leeds advice", "2024-01-01", "", "", "", "", ""] + ok,                    # 3 ambiguous name
        ["99", "", "2024-01-01", "", "", "", "", ""] + ok,                              # 4 unknown id
        ["1", "Coventry CVS", "2024-01-01", "", "", "", "", ""] + ok,                   # 5 id and name disagree
        ["1", "", "10/25/2024", "", "", "video", "done", "Klingon"] + ok,              # 6 date, mode, result, language
        ["1", "", (today + dt.timedelta(days=3)).strftime("%d/%m/%Y"), "", "", "", "", ""] + ok,  # 7 future
        ["1", "", "2024-01-02", "2024-01-02 11:00", "2024-01-02 10:00", "", "", ""] + ok,  # 8 ends before it starts
        ["2", "", "10/01/2024", "", "", "", "", ""] + ok,                               # 9 already interviewed that day
        ["3", "", "31/02/2024", "", "", "", "", ""] + ok,                               # 10 no such day
        ["3", "", "2024-01-03", "", "", "", "complete", ""] + ["", "Huge", "Advice; Sport", "", "maybe", "", "-1",
                                                               "last year", "Low", ""],  # 11 cells
        ["4", "", "2024-01-03", "", "", "", "", ""] + ["Chair", "Small", "Advice", "Sport", "no", "Health board",
                                                       "900", "", "Low", ""],  # 12 logic
        ["5", "", "2024-01-03", "", "", "", "complete", ""] + ["Chair\nand more", "Small", "", "", "", "", "", "",
                                                               "Loww", ""],  # 13 one line; anonymous; required
        ["", "", "2024-01-03", "", "", "", "", ""] + ok,                                # 14 no organisation
        ["6", "", "", "", "", "", "", ""] + ok,                                         # 15 no date
    ])
    problems = refused(logic_study, path)
    assert problems == [
        "row 2, column 'organisation': no organisation named 'Nobody Here' in the study (import the organisations "
        "first, or map the name to one)",
        "row 3, column 'organisation': 'leeds advice' is ambiguous: 2 organisations have that name (ids 8, 9); "
        "give organisation_id",
        "row 4, column 'organisation_id': no organisation with id '99' in the study",
        "row 5, column 'organisation': organisation 1 is 'Leeds Advice Centre', not 'Coventry CVS'",
        "row 6, column 'date': '10/25/2024' reads month first; dates are read day first (dd/mm/yyyy)",
        "row 6, column 'mode': 'video' is not a mode (phone or face to face)",
        "row 6, column 'result': 'done' is not a result (complete, partial or break_off)",
        "row 6, column 'language': 'Klingon' is not a language of the schedule (English, Cymraeg)",
        f"row 7, column 'date': {(today + dt.timedelta(days=3)).isoformat()} is in the future",
        "row 8, column 'end': ends (2024-01-02 10:00) before it starts (2024-01-02 11:00)",
        "row 9, column 'date': Coventry CVS (id 2) already has an interview on 2024-01-10 (in the study or earlier "
        "in this file)",
        "row 10, column 'date': '31/02/2024' is not a date (use YYYY-MM-DD, or day first: dd/mm/yyyy)",
        "row 11, column 'role': 'role' (Your role) is required and not answered, but the result is complete (the "
        "study's rule: Complete: every relevant required question answered. Partial: any other finished "
        "interview.)",
        "row 11, column 'size': 'Huge' is not one of the choices",
        "row 11, column 'work': not among the choices: 'Sport'",
        "row 11, column 'board': 'maybe' is not yes or no",
        "row 11, column 'staff': -1 is below the minimum 0",
        "row 11, column 'founded': 'last year' is not a date (use YYYY-MM-DD, or day first: dd/mm/yyyy)",
        "row 11, column 'sector_barriers': 'sector_barriers' (What holds small groups back?) is required and not "
        "answered, but the result is complete (the study's rule: Complete: every relevant required question "
        "answered. Partial: any other finished interview.)",
        "row 12, column 'work_other': this interview would not have been asked this question: it is asked only "
        "when 'Other, please specify' is chosen in 'work'",
        "row 12, column 'board_name': this interview would not have been asked this question: it is asked only "
        "when ${board} = 'yes'",
        "row 12, column 'staff': a small group has fewer than 500 staff",
        "row 13, column 'role': short text must be one line",
        "row 13, column 'sector_engaged': not among the choices (Low, Medium, High); the value is not repeated "
        "here, as the question is anonymous",
        "row 13, column 'sector_barriers': 'sector_barriers' (What holds small groups back?) is required and not "
        "answered, but the result is complete (the study's rule: Complete: every relevant required question "
        "answered. Partial: any other finished interview.)",
        "row 14, column 'organisation': which organisation? the cell is empty",
        "row 15, column 'date': the interview's date is missing",
    ]


def test_an_anonymous_answer_is_never_repeated_in_a_problem(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "bad.csv", [
        ["organisation", "date", "role", "size", "sector_engaged", "sector_barriers", "sector_help"],
        ["Coventry CVS", "2024-01-01", "Chair", "Small", "Quite high really", "words", "one\ttwo"],
    ])
    problems = refused(study, path)
    assert problems == ["row 2, column 'sector_engaged': not among the choices (Low, Medium, High); the value is "
                        "not repeated here, as the question is anonymous"]
    assert "Quite high" not in "".join(problems)


def test_header_problems(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "bad.csv", [["Org name", "Notes", "today", "Interview date", "size", "size"],
                                            ["Coventry CVS", "rang twice", "2024-01-01", "2024-01-01", "Small", ""]])
    assert refused(study, path) == [
        "row 1, column 2: unknown column 'Notes': not a question of the schedule (by its id) nor one of "
        "organisation_id, organisation, date, started, ended, mode, interviewer, result, language, contact; "
        "map it, or map it to nothing",
        "row 1, column 4: the columns 'today' and 'Interview date' both look like 'date'; map one of them to nothing",
        "row 1, column 6: two columns are headed 'size' (columns 5 and 6); give them different headings",
    ]
    path = write_csv(tmp_path / "none.csv", [["role", "size"], ["Chair", "Small"]])
    assert refused(study, path) == [
        "row 1: no column says which organisation each interview is with (organisation_id or organisation)",
        "row 1: no column gives the interview's date (date, or start or end)"]


def test_logic_past_a_refused_cell_waits_for_that_cell(logic_study: Study, tmp_path: Path):
    """A question asked only after a Yes is not judged while the yes/no before it is refused
    (it may be right once that is put right); a rule about an answer alone still is."""
    path = write_csv(tmp_path / "bad.csv", [
        ["organisation", "date", "role", "size", "board", "board_name", "staff"],
        ["Coventry CVS", "2024-01-01", "Chair", "Small", "maybe", "Health board", "900"],
    ])
    assert refused(logic_study, path) == [
        "row 2, column 'board': 'maybe' is not yes or no",
        "row 2, column 'staff': a small group has fewer than 500 staff"]


def test_limesurvey_export(study: Study, tmp_path: Path):
    """LimeSurvey's response export: its id, dates and language columns, a multiple choice as a
    column per subquestion (work[SQ001]) ticked Y."""
    path = write_csv(tmp_path / "lime.csv", [
        ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp", "organisation_id",
         "role", "size", "work[SQ001]", "work[SQ002]", "work[SQ003]", "staff"],
        ["1", "2024-02-01 10:50:00", "3", "en", "1234", "2024-02-01 10:05:00", "2024-02-01 10:50:00", "5",
         "Coordinator", "Small", "Y", "", "Y", "3"],
    ])
    mapping = guess_mapping(study, sources.read_sheet(path).header)
    mapping.columns["id"] = None  # LimeSurvey's response number, not an organisation's id
    import_interviews(study, path, mapping=mapping)
    iv = study.interviews.get(1)
    assert (iv.organisation_id, iv.date, iv.started, iv.completed, iv.seconds, iv.language) == (
        5, "2024-02-01", "2024-02-01T10:05:00", "2024-02-01T10:50:00", 45 * 60, None)
    assert iv.answers == {"role": "Coordinator", "size": "Small", "work": ["Advice", "Health"], "staff": 3}


def test_organisation_by_id_and_name_together_and_names_mapped(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "ids.csv", [["organisation_id", "organisation", "date", "role"],
                                            ["1", "leeds advice centre ltd.", "2024-01-01", "Chair"],
                                            ["", "Solihull Scout Group", "2024-01-01", "Chair"]])
    mapping = guess_mapping(study, sources.read_sheet(path).header)
    mapping.values = {"organisation": {"Solihull Scout Group": "Solihull Scouts"}}
    import_interviews(study, path, mapping=mapping)
    assert [r.organisation_id for r in study.interviews.listing()] == [7, 1]


def test_through_the_importers_registry(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "kobo.csv", kobo_rows(2))
    importer = IMPORTERS["interviews"]
    sheet = sources.read_sheet(path)
    plan = importer.plan(study, sheet, guess_mapping(study, sheet.header))
    assert plan.problems == [] and plan.unknown_values == {}
    assert importer.apply(study, plan).interviews == 2 and study.interviews.count() == 2


def test_contacts_and_interviewer_and_a_second_interview(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "c.csv", [["organisation", "date", "interviewer", "contact", "role"],
                                          ["Walsall Carers", "2024-01-01", "Sam Khan", "pat jones", "Chair"],
                                          ["Walsall Carers", "2024-02-01", "Sam Khan", "Alex Moss", "Chair"],
                                          ["Walsall Carers", "2024-03-01", "", "alex moss", "Chair"]])
    result = import_interviews(study, path)
    assert result.lines()[:2] == [f"Imported 3 interviews with 1 organisation from {path}", "  added 1 contact"]
    contacts = study.organisations.contacts(4)
    assert [c.name for c in contacts] == ["Pat Jones", "Alex Moss"]
    assert [iv.contact_id for iv in study.interviews.for_organisation(4)] == [contacts[0].id, contacts[1].id,
                                                                             contacts[1].id]
    assert {iv.interviewer for iv in study.interviews.for_organisation(4)} == {"Sam Khan", ""}


# --- the way values are read ------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("2024-03-05", (dt.date(2024, 3, 5), None)),
    ("05/03/2024", (dt.date(2024, 3, 5), None)),
    ("5/3/24", (dt.date(2024, 3, 5), None)),
    ("5.3.2024", (dt.date(2024, 3, 5), None)),
    ("05-03-2024", (dt.date(2024, 3, 5), None)),
    ("5 March 2024", (dt.date(2024, 3, 5), None)),
    ("5th Sept 2024", (dt.date(2024, 9, 5), None)),
    ("2024/03/05", (dt.date(2024, 3, 5), None)),
    ("05/03/2024 14:30", (dt.date(2024, 3, 5), dt.time(14, 30))),
    ("05/03/2024 2:30 pm", (dt.date(2024, 3, 5), dt.time(14, 30))),
    ("2024-03-05T10:15:00.000+01:00", (dt.date(2024, 3, 5), dt.time(10, 15))),
    ("2024-03-05 10:15:07", (dt.date(2024, 3, 5), dt.time(10, 15, 7))),
    ("1/9/87", (dt.date(1987, 9, 1), None)),
])
def test_dates_iso_and_day_first(text, expected):
    assert read_moment(text, today=dt.date(2026, 1, 1)) == expected


@pytest.mark.parametrize("text", ["03/25/2024", "31/04/2024", "2024-13-01", "yesterday", "5 Marsh 2024",
                                  "05/03/2024 25:00", "05/03/20245", "45123"])
def test_bad_dates(text):
    with pytest.raises(CellError):
        read_moment(text)


@pytest.mark.parametrize("text, expected", [("12", 12), ("-3", -3), ("2.5", 2.5), ("1,200", 1200), ("12.0", 12),
                                            (" 7 ", 7), (".5", 0.5), ("1,234,567.5", 1234567.5)])
def test_numbers(text, expected):
    value = read_number(text)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("text", ["twelve", "1,20", "12,5", "1e3", "", "-", "£5"])
def test_not_numbers(text):
    with pytest.raises(CellError):
        read_number(text)


@pytest.mark.parametrize("text, expected", [
    ("Advice Youth", ["Advice", "Youth"]),            # KoboToolbox: names with spaces between
    ("youth;advice", ["Advice", "Youth"]),            # fieldkit's own way, any case, in the schedule's order
    ("Health, Advice", ["Advice", "Health"]),
    ("Health | Youth", ["Youth", "Health"]),
    ("1;3", ["Advice", "Health"]),                    # positions
    ("Health", ["Health"]),
])
def test_several_choices(text, expected):
    work = small_template().question("work")
    assert read_choices(work, text, lambda t: t) == expected


def test_several_choices_with_spaces_in_their_words():
    informed = template_from_dict({**SMALL_TEMPLATE, "sections": [{"id": "a", "title": "A", "questions": [
        {"id": "q", "type": "multiple_choice", "label": "Q", "choices": ["Not at all", "A little", "Very much"]}]}]},
        source="t").question("q")
    assert read_choices(informed, "A little; Very much", lambda t: t) == ["A little", "Very much"]
    assert read_choices(informed, "Not at all", lambda t: t) == ["Not at all"]
    with pytest.raises(CellError, match="not among the choices: 'Not', 'at', 'all', 'A', 'little'"):
        read_choices(informed, "Not at all A little", lambda t: t)


def test_mapped_values_and_welsh_words(logic_study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "codes.csv", [["organisation", "date", "size", "work", "board"],
                                              ["Coventry CVS", "2024-01-01", "S", "ADV", "Ydw"],
                                              ["Walsall Carers", "2024-01-01", "Mawr", "Youth;ADV", "no"]])
    mapping = guess_mapping(logic_study, sources.read_sheet(path).header)
    mapping.values = {"question:size": {"S": "small"}, "question:work": {"ADV": "Advice"},
                      "question:board": {"ydw": "yes"}}
    plan = plan_interviews(logic_study, sources.read_sheet(path), mapping)
    assert plan.problems == []
    assert [r.answers for r in plan.rows] == [{"size": "small", "work": ["Advice"], "board": True},
                                              {"size": "large", "work": ["Advice", "Youth"], "board": False}]
    unmapped = plan_interviews(logic_study, sources.read_sheet(path))
    assert dict(unmapped.unknown_values) == {"question:size": {"S": 1}, "question:work": {"ADV": 1, "Youth;ADV": 1},
                                             "question:board": {"Ydw": 1}}


def test_fields_offer_every_question_but_calculated_ones(logic_study: Study):
    fields = {f.name: f for f in fields_for(logic_study)}
    assert IMPORTERS["interviews"].fields(logic_study) == tuple(fields.values())
    assert "question:people" not in fields and fields["question:work"].several
    assert fields["question:work_other"].label == "Areas of work: Other, please specify"
    assert fields["question:size"].label == "Size" and fields["question:size"].words == ("size",)


_CELLS = st.one_of(
    st.sampled_from(["", "Small", "small", "2", "0", "1", "yes", "No", "Advice Youth", "Advice;Health", "x",
                     "12", "-1", "1,200", "2.5", "05/03/2024", "2024-13-01", "31/02/2024", "1/9/87", "Low",
                     "Coventry CVS", "Nobody", "4", "99", "phone", "F2F", "complete", "partial", "Cymraeg"]),
    st.text(max_size=12))
_FUZZ_HEADER = ["organisation", "date", "mode", "result", "language", "role", "size", "work", "work_other", "board",
                "board_name", "staff", "volunteers", "founded", "sector_engaged", "sector_barriers"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(_CELLS, min_size=len(_FUZZ_HEADER), max_size=len(_FUZZ_HEADER)), min_size=1, max_size=3))
def test_any_cells_give_problems_or_rows_the_schedule_takes(logic_study: Study, records):
    """Whatever the cells, planning reports problems or gives rows whose every answer is
    what its question stores, asked by the logic and within its rules; it never raises."""
    sheet = sources.Sheet("fuzz.csv", sources.CSV, None, list(_FUZZ_HEADER), [list(r) for r in records])
    plan = plan_interviews(logic_study, sheet)
    template = logic_study.template
    if plan.problems:
        assert plan.rows == [] and all(p.line().startswith("row ") for p in plan.problems)
        return
    for row in plan.rows:
        state = template.logic.state(row.answers)
        for qid, value in row.answers.items():
            q = template.question(qid)
            assert q.clean(value) == value and qid in state.relevant
            assert template.logic.problem(q, value, row.answers) is None
        assert row.result in ("complete", "partial", "break_off")


# --- results, defaults, dry runs, all or nothing ----------------------------------------------------


def test_result_judged_by_the_study_rule_when_the_file_gives_none(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "r.csv", [
        ["organisation", "date", "role", "size", "sector_barriers"],
        ["Coventry CVS", "2024-01-01", "Chair", "Small", "words"],
        ["Walsall Carers", "2024-01-01", "Chair", "", ""],
        ["Solihull Scouts", "2024-01-01", "", "", ""],
    ])
    import_interviews(study, path)
    got = by_org(study)
    assert [got[n]["result"] for n in ("Coventry CVS", "Walsall Carers", "Solihull Scouts")] == \
        ["complete", "partial", "partial"]
    assert study.organisations.get(2).flags >= {"full_interview"}
    assert "full_interview" not in study.organisations.get(4).flags


def test_break_off_is_recorded_as_declined(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "r.csv", [["organisation_id", "date", "result", "role"],
                                          ["3", "2024-01-01", "broken off", "Chair"]])
    import_interviews(study, path)
    assert study.interviews.get(1).result == "break_off" and study.organisations.get(3).status == "declined"


def test_dry_run_checks_everything_and_writes_nothing(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "kobo.csv", kobo_rows(6))
    study_path = study.path
    study.close()
    before = file_digest(study_path)
    with Study.open(study_path) as s:
        result = import_interviews(s, path, dry_run=True)
        assert result.lines() == [f"Would import 6 interviews with 6 organisations from {path}",
                                  "  12 anonymous answers would be held, then moved to the pool by its rule"]
        assert s.interviews.count() == 0
    assert file_digest(study_path) == before


def test_failure_midway_rolls_everything_back(study: Study, tmp_path: Path, monkeypatch):
    path = write_csv(tmp_path / "kobo.csv", kobo_rows(6))
    real = InterviewSession.save_answer

    def save_answer(self, question_id, value):
        if value == "Chair 4":
            raise InvalidValueError("a rule the importer does not know")
        return real(self, question_id, value)

    monkeypatch.setattr(InterviewSession, "save_answer", save_answer)
    assert refused(study, path) == ["row 6: a rule the importer does not know"]


# --- round trip ------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_round_trip_through_fieldkit_export(tmp_path: Path, suffix: str):
    source = make_study(tmp_path, name="source")
    typed = [
        {"role": "-Chair- (acting)", "story": "Founded in a church hall.\nNow in two towns.", "size": "Large",
         "work": ["Advice", "Health"], "board": True, "informed": "Very", "staff": 12.5, "founded": "1987-09-01",
         "listing": False},
        {"role": "=Treasurer", "size": "Small", "work": ["Youth"], "board": False, "staff": 0},
        {"role": "Manager", "size": "Medium", "informed": "Not at all", "founded": "2020-02-29"},
    ]
    for i, answers in enumerate(typed):
        session = source.interviews.start(i + 1, date=f"2024-05-0{i + 1}", mode=("phone", "face_to_face")[i % 2],
                                          interviewer="AK")
        for qid, value in answers.items():
            session.save_answer(qid, value)
        session.complete(full_interview=i != 2)
    exported = datasets.export(source, "interviews", tmp_path / f"interviews.{suffix}")
    expected = by_org(source)
    source.close()

    fresh = Study.create(tmp_path / "fresh.fieldkit", small_template())
    for org in reversed(ORGS):  # other ids: matched by name
        fresh.organisations.add(org)
    sheet = sources.read_sheet(exported)
    mapping = guess_mapping(fresh, sheet.header)
    assert mapping.columns["organisation_id"] == "organisation_id"
    mapping.columns["organisation_id"] = None  # ids of another study
    import_interviews(fresh, exported, mapping=mapping)
    assert by_org(fresh) == expected
    fresh.close()


# --- anonymous answers --------------------------------------------------------------------------

POOL_TABLES = set(POOL_COLUMNS) | {"pool_search"}


def many_orgs_study(tmp_path: Path, count: int) -> Study:
    study = Study.create(tmp_path / "many.fieldkit", small_template())
    study.organisations.add_many([{"name": f"Organisation {i}", "category": "Network"} for i in range(count)])
    return study


def anonymous_file(tmp_path: Path, count: int, *, start: int = 0) -> Path:
    rows = [["organisation", "date", "role", "size", "sector_barriers", "sector_engaged"]]
    rows += [[f"Organisation {i}", f"2024-0{1 + i % 9}-{1 + i % 28:02d}", f"Role {i}", "Small",
              f"anonymous remark marker{i:04d}", "High"] for i in range(start, start + count)]
    return write_csv(tmp_path / f"anon{start}.csv", rows)


def test_no_named_table_holds_an_imported_anonymous_answer(tmp_path: Path):
    study = many_orgs_study(tmp_path, 12)
    import_interviews(study, anonymous_file(tmp_path, 12))
    conn = study.conn
    assert study.held.count() == 0 and study.pool.count() == 24
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        if table in POOL_TABLES or table.startswith("pool_search"):
            continue
        dump = repr(conn.execute(f"SELECT * FROM {table}").fetchall())
        assert "marker" not in dump, table
    for table in ("answers", "interviews", "changes", "held"):
        assert "marker" not in repr(conn.execute(f"SELECT * FROM {table}").fetchall())
    assert study.search.comment_ids("marker0003")  # the pool's own index has it
    # The pooled choice answers are counted, not kept with their rows.
    assert study.pool.distribution("sector_engaged") == {"Low": 0, "Medium": 0, "High": 12}
    study.close()


def test_imported_answers_move_together_in_one_group(tmp_path: Path):
    """Every imported interview is held back until the last row is written, so the pool gets
    one group of 12 (not groups of 5 and 5 with 2 left behind, as typing them one by one would)."""
    study = many_orgs_study(tmp_path, 12)
    result = import_interviews(study, anonymous_file(tmp_path, 12))
    assert result.lines()[1] == ("  24 anonymous answers: 24 moved to the pool, 0 held with their interviews until "
                                 "enough finished interviews have answered the same question")
    assert study.held.count() == 0
    assert not study.interviews.open_sittings
    study.close()


def test_pool_order_is_not_file_order(tmp_path: Path):
    study = many_orgs_study(tmp_path, 80)
    import_interviews(study, anonymous_file(tmp_path, 80))
    written = [f"anonymous remark marker{i:04d}" for i in range(80)]
    stored = [r[0] for r in study.conn.execute("SELECT text FROM pool WHERE question_id = 'sector_barriers'")]
    assert sorted(stored) == written
    ranks = [written.index(t) for t in stored]
    n = len(ranks)
    mean = (n - 1) / 2
    rho = sum((i - mean) * (r - mean) for i, r in enumerate(ranks)) / sum((i - mean) ** 2 for i in range(n))
    assert abs(rho) < 0.45, rho  # about 4 standard deviations for 80 rows
    ids = [study.scalar("SELECT id FROM pool WHERE text = ?", (t,)) for t in written]
    assert ids != sorted(ids) and min(ids) > 2**32
    assert [c.text for c in study.pool.comments(question_id="sector_barriers")] != written
    study.close()


def raw(path: Path) -> bytes:
    return Path(path).read_bytes() if Path(path).exists() else b""


def test_the_file_keeps_no_trace_of_where_imported_answers_came_from(tmp_path: Path):
    study = many_orgs_study(tmp_path, 12)
    import_interviews(study, anonymous_file(tmp_path, 12))
    assert raw(Path(f"{study.path}-wal")) == b""  # emptied after the move
    live = study.path.with_name("live.fieldkit")
    study.conn.execute("VACUUM INTO ?", (str(live),))  # only what the tables hold now
    study.close()
    data, expected = raw(study.path), raw(live)
    for i in range(12):  # the pool's own copies (text, value, search content), none in freed space
        words = f"anonymous remark marker{i:04d}".encode()
        assert data.count(words) == expected.count(words) == 3


def test_a_failed_import_leaves_no_anonymous_words_in_the_wal(tmp_path: Path, monkeypatch):
    """An import large enough for SQLite to spill it to the -wal before committing, refused at
    its last row: the rolled-back frames (held answers beside their interviews) are emptied."""
    study = many_orgs_study(tmp_path, 300)
    rows = [["organisation", "date", "role", "sector_barriers"]]
    rows += [[f"Organisation {i}", "2024-01-01", "Chair", f"long remark marker{i:04d} " + "words " * 7000]
             for i in range(300)]
    path = write_csv(tmp_path / "long.csv", rows)
    real = InterviewSession.save_answer

    def save_answer(self, question_id, value):
        if self.organisation_id == 300 and question_id == "sector_barriers":
            raise InvalidValueError("a rule the importer does not know")
        return real(self, question_id, value)

    monkeypatch.setattr(InterviewSession, "save_answer", save_answer)
    with pytest.raises(ImportFileError) as info:
        import_interviews(study, path)
    assert info.value.problems == ["row 301: a rule the importer does not know"]
    assert study.interviews.count() == 0 and study.held.count() == 0
    assert b"marker0" not in raw(Path(f"{study.path}-wal")) + raw(study.path)
    study.close()


def test_fewer_than_k_stay_held_and_count_towards_k_like_typed_ones(tmp_path: Path):
    study = many_orgs_study(tmp_path, 6)
    result = import_interviews(study, anonymous_file(tmp_path, 3))
    assert result.lines()[1] == ("  6 anonymous answers: 0 moved to the pool, 6 held with their interviews until "
                                 "enough finished interviews have answered the same question")
    assert study.pool.count() == 0 and study.held.count() == 6
    backup = study.backup("check")
    copy_conn = sqlite3.connect(backup)
    assert copy_conn.execute("SELECT count(*) FROM held").fetchone()[0] == 0  # never in a backup
    copy_conn.close()
    for i in (3, 4):  # two more, typed: the fifth finished interview moves all five
        session = study.interviews.start(i + 1)
        session.save_answer("sector_barriers", f"typed remark {i}")
        session.complete()
    assert {c.text for c in study.pool.comments(question_id="sector_barriers")} == {
        *(f"anonymous remark marker{i:04d}" for i in range(3)), "typed remark 3", "typed remark 4"}
    assert study.held.count() == 3  # the scale: only the three imported answered it
    study.close()


def test_answers_are_stored_as_the_runner_stores_them(study: Study, tmp_path: Path):
    path = write_csv(tmp_path / "one.csv", [["organisation", "date", "staff", "work"],
                                            ["Coventry CVS", "2024-01-01", "3", "Youth Advice"]])
    import_interviews(study, path)
    rows = study.query("SELECT question_id, value FROM answers ORDER BY question_id")
    assert [(r["question_id"], json.loads(r["value"])) for r in rows] == [("staff", 3), ("work", ["Advice", "Youth"])]


def test_ids_from_an_old_database_on_the_command_line(study: Study, tmp_path: Path, capsys):
    """Interviews numbered by an old database's ids, linked by name through its organisations
    sheet in the same workbook: its 1 is Walsall Carers, not the study's 1."""
    import openpyxl

    from fieldkit.cli import main

    path = tmp_path / "old.xlsx"
    book = openpyxl.Workbook()
    groups = book.active
    groups.title = "Groups"
    for row in [["OrgNo", "Group name"], [1, "Walsall Carers"], [2, "Leeds Advice Centre"]]:
        groups.append(row)
    answers = book.create_sheet("Interviews")
    for row in [["Org id", "date", "role", "size"], [1, "2024-01-05", "Chair", "Small"],
                [2, "06/01/2024", "Treasurer", "Large"]]:
        answers.append(row)
    book.save(path)
    study_path = study.path
    study.close()
    command = ["import", str(study_path), str(path), "--records", "interviews", "--sheet", "Interviews"]
    assert main([*command, "--ids-from", "Groups:OrgNo:Group name"]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == [
        f"Linked 2 ids of {path}, sheet 'Groups' to the study's organisations by name",
        f"Imported 2 interviews with 2 organisations from {path}, sheet 'Interviews'"]
    with Study.open(study_path) as s:
        found = by_org(s)
        assert {name: (iv["date"], iv["answers"]["role"]) for name, iv in found.items()} == {
            "Walsall Carers": ("2024-01-05", "Chair"), "Leeds Advice Centre": ("2024-01-06", "Treasurer")}
        before = s.interviews.count()
    groups.append([3, "Nowhere Trust"])
    answers.append([3, "2024-01-07", "Chair", "Small"])
    book.save(path)
    assert main([*command, "--ids-from", "Groups:OrgNo:Group name"]) == 1
    assert capsys.readouterr().err.splitlines()[1:] == [  # the same ids land on the same organisations again
        "row 2, column 'date': Walsall Carers (id 4) already has an interview on 2024-01-05 (in the study or "
        "earlier in this file)",
        "row 3, column 'date': Leeds Advice Centre (id 1) already has an interview on 2024-01-06 (in the study or "
        "earlier in this file)",
        "row 4, column 'Org id': the id '3' is not in the mapping's table of ids"]
    with Study.open(study_path) as s:
        assert s.interviews.count() == before
