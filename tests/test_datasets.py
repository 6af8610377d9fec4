"""Exports for analysis (fieldkit.datasets, fieldkit.statfiles, fieldkit.codebook): SPSS and
Stata files read back equal to what was written, labels included; CSV and XLSX round trips;
choices as codes across template versions; the pool on its own with nothing linking it to an
interview; the command ``fieldkit export``."""

from __future__ import annotations

import copy
import csv
import math
import subprocess
import sys
from pathlib import Path

import pyreadstat
import pytest
from openpyxl import load_workbook

from fieldkit import codebook, datasets, statfiles
from fieldkit.cli import main
from fieldkit.exports import ExportError
from fieldkit.study import Study
from fieldkit.template_toml import template_from_dict
from studies import SMALL_TEMPLATE, pool_now

CP1252 = "£5 for the café’s “curly” rent — naïve"
LONG = ("A long answer about the organisation, £ é “curly”. " * 900)[:40_000]
#: Question ids that are not variable names as they are (a digit first, a dot, a reserved word,
#: too long for Stata, and one that would clash with the variables of the question "work").
ODD_IDS = ("2nd.q", "if", "a_question_id_much_longer_than_stata_allows", "Work_1")
ANONYMOUS_TEXT = "Rent is the first barrier"


def analysis_template():
    data = copy.deepcopy(SMALL_TEMPLATE)
    questions = data["sections"][0]["questions"]
    questions.insert(5, {"id": "board_name", "type": "short_text", "label": "Which board?",
                         "relevant": "${board} = 'yes'"})
    questions += [
        {"id": "staff_twice", "type": "calculate", "label": "Twice the staff", "calculation": "${staff} * 2"},
        {"id": "2nd.q", "type": "number", "label": "A second number"},
        {"id": "if", "type": "short_text", "label": "A question called if"},
        {"id": "a_question_id_much_longer_than_stata_allows", "type": "yes_no", "label": "Long id"},
        {"id": "Work_1", "type": "short_text", "label": "Clashes with work_1"},
    ]
    return template_from_dict(data, source="analysis test template")


def _version_2(study: Study) -> None:
    """A second schedule: size's choices reordered, one added and one removed; "staff" removed;
    "new_q" added."""
    data = study.template.to_dict()
    questions = data["sections"][0]["questions"]
    size = next(q for q in questions if q["id"] == "size")
    size["choices"] = ["Large", "Small", "Tiny"]
    data["sections"][0]["questions"] = [q for q in questions if q["id"] not in ("staff", "staff_twice")]
    data["sections"][0]["questions"].append({"id": "new_q", "type": "single_choice", "label": "Added later",
                                             "choices": ["One", "Two"]})
    study.update_template(template_from_dict(data, source="version 2"), remove_used_choices=True)


@pytest.fixture
def study(tmp_path: Path):
    s = Study.create(tmp_path / "analysis.fieldkit", analysis_template(), title="Analysis study")
    orgs = s.organisations
    a = orgs.add("Café Zoë", category="Network", area="Birmingham")
    b = orgs.add("Second Org", category="Infrastructure")
    c = orgs.add("Third Org")
    first = s.interviews.start(a, interviewer="Ann", date="2026-03-04")
    for q, v in dict(role="Chair", story=LONG, size="Medium", work=["Advice", "Health"], board=True,
                     board_name="The council board", informed="Very", staff=4, founded="1999-12-31",
                     sector_barriers=ANONYMOUS_TEXT, sector_engaged="High").items():
        first.save_answer(q, v)
    first.save_answer("board", False)  # "Which board?" is no longer asked: its answer is kept, marked
    second = s.interviews.start(b, interviewer=CP1252, mode="face_to_face", date="2026-03-05")
    for q, v in {"role": CP1252, "size": "Large", "board": True, "2nd.q": 2.5, "if": "yes",
                 "a_question_id_much_longer_than_stata_allows": False, "Work_1": "clash",
                 "sector_barriers": "Money", "sector_help": "Time"}.items():
        second.save_answer(q, v)
    pool_now(s, first, second)
    _version_2(s)
    third = s.interviews.start(c, date="2026-04-01")  # version 2, left in interview
    third.save_answer("size", "Tiny")
    third.save_answer("new_q", "Two")
    yield s
    s.close()


def _row(data: datasets.Dataset, interview: int) -> dict:
    return dict(zip(data.header, next(r for r in data.rows if r[0] == interview), strict=True))


# --- the interviews dataset -------------------------------------------------------------------


def test_interviews_have_codes_and_no_anonymous_question(study: Study):
    data = datasets.interviews(study)
    assert data.header[:11] == ("interview_id", "organisation_id", "organisation", "category", "area", "date", "mode",
                                "interviewer", "result", "template_version", "language")
    assert not {"sector_barriers", "sector_help", "sector_engaged"} & set(data.header)
    assert all(v.question_id is None or not v.question_id.startswith("sector") for v in data.variables)
    assert not any(ANONYMOUS_TEXT in str(cell) or cell == "Money" for row in data.rows for cell in row)

    one, two, three = (_row(data, i) for i in (1, 2, 3))
    size = data.variable("size")
    # the newest version's order, then the choice only version 1 had
    assert size.value_labels == {1: "Large", 2: "Small", 3: "Tiny", 4: "Medium"}
    assert (one["size"], two["size"], three["size"]) == (4, 1, 3)
    assert [data.variable(f"work_{i}").choice for i in (1, 2, 3)] == ["Advice", "Youth", "Health"]
    assert (one["work_1"], one["work_2"], one["work_3"]) == (1, 0, 1)
    assert (two["work_1"], two["work_2"], two["work_3"]) == (None, None, None), "not answered: missing, not 0"
    assert data.variable("board").value_labels == {1: "Yes", 0: "No"}
    assert (one["board"], two["board"]) == (0, 1)
    assert one["board_name"] is None, "an answer the logic no longer asks is left out"
    assert data.variable("informed").measure == "ordinal" and one["informed"] == 3
    assert one["staff"] == 4 and one["staff_twice"] == 8 and data.variable("staff_twice").kind == "number"
    assert one["founded"].isoformat() == "1999-12-31" and one["date"].isoformat() == "2026-03-04"
    assert one["story"] == LONG and two["role"] == CP1252 and two["interviewer"] == CP1252
    assert (one["result"], three["result"]) == ("complete", "in_interview")
    assert (one["template_version"], three["template_version"]) == (1, 2)
    assert three["new_q"] == 2 and one["new_q"] is None
    assert one["organisation"] == "Café Zoë" and one["category"] == "Network"
    assert data.variable("staff").versions == (1,) and data.variable("new_q").versions == (2,)
    assert data.variable("size").versions == (1, 2)


def test_variable_names_suit_spss_and_stata_and_stay_distinct(study: Study):
    data = datasets.interviews(study)
    names = data.header
    assert all(statfiles.valid_name(v.name, labelled=bool(v.value_labels)) for v in data.variables)
    assert len({n.lower() for n in names}) == len(names)
    by_question = {v.question_id: v.name for v in data.variables if v.question_id in ODD_IDS}
    assert by_question["2nd.q"] == "q_2nd_q"
    assert by_question["if"] != "if" and by_question["if"].startswith("if")
    assert len(by_question["a_question_id_much_longer_than_stata_allows"]) <= 32
    assert by_question["Work_1"].lower() != "work_1", "work_1 is the first choice of 'work'"
    book = codebook.build(study)
    for qid, name in by_question.items():
        assert book.entry(name).question_id == qid


# --- SPSS and Stata ---------------------------------------------------------------------------


def _same(written, read) -> bool:
    if written is None:
        return read == "" or read is None or (isinstance(read, float) and math.isnan(read))
    if isinstance(written, (int, float)):
        return float(read) == float(written)
    return read == written


@pytest.mark.parametrize("fmt, read", [("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)])
def test_spss_and_stata_files_read_back_equal_with_their_labels(study: Study, tmp_path: Path, fmt, read):
    data = datasets.interviews(study)
    path = datasets.export(study, "interviews", tmp_path / f"interviews.{fmt}")
    frame, meta = read(str(path))
    assert tuple(frame.columns) == data.header
    for row, (_, read_row) in zip(data.rows, frame.iterrows(), strict=True):
        for name, written in zip(data.header, row, strict=True):
            assert _same(written, read_row[name]), (fmt, name, written, read_row[name])
    labels = meta.column_names_to_labels
    for v in data.variables:
        assert labels[v.name] == statfiles._label(v.label, fmt)
        if v.value_labels:
            assert {int(k): t for k, t in meta.variable_value_labels[v.name].items()} == dict(v.value_labels)
        else:
            assert v.name not in meta.variable_value_labels
    story = frame["story"][0]
    assert len(story) == 40_000 and story == LONG, "a long text survives whole (Stata strL, SPSS long string)"
    assert frame["role"][1] == CP1252


def test_labels_are_cut_to_what_each_format_keeps(tmp_path: Path):
    wording = "What " + "very " * 60 + "long question, with “curly” £ é?"
    data = datasets.Dataset("t", "T", (datasets.Variable("q", wording, "number", {1: "é" * 100, 2: "Two"}),),
                            ((1,), (2,), (None,)))
    for fmt, read in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
        frame, meta = read(str(statfiles.write(data, tmp_path / f"t.{fmt}", fmt, file_label=wording)))
        label = meta.column_names_to_labels["q"]
        assert label.endswith("…") and wording.startswith(label[:-1].rstrip())
        assert (len(label) <= 80) if fmt == "dta" else (len(label.encode()) <= 256)
        value = meta.variable_value_labels["q"][1]
        assert value == "é" * 100 if fmt == "dta" else len(value.encode()) <= 120 and set(value) <= {"é", "…"}
        assert list(frame["q"][:2]) == [1, 2] and math.isnan(frame["q"][2])


def test_a_name_neither_format_takes_is_refused_before_writing(tmp_path: Path):
    data = datasets.Dataset("t", "T", (datasets.Variable("1bad", "x"),), (("a",),))
    with pytest.raises(ExportError, match="not a variable name"):
        statfiles.write(data, tmp_path / "t.sav", "sav")
    assert not list(tmp_path.iterdir())


# --- CSV and XLSX -----------------------------------------------------------------------------


def _csv_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(raw.decode("utf-8-sig").splitlines(keepends=True)))


def _as_csv(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def test_csv_and_xlsx_round_trip(study: Study, tmp_path: Path):
    data = datasets.interviews(study)
    rows = _csv_rows(datasets.export(study, "interviews", tmp_path / "i.csv"))
    assert tuple(rows[0]) == data.header
    assert [tuple(r) for r in rows[1:]] == [tuple(_as_csv(c) for c in row) for row in data.rows]
    book = load_workbook(datasets.export(study, "interviews", tmp_path / "i.xlsx"))
    assert book.sheetnames == ["Interviews", "Codebook"]
    values = list(book["Interviews"].values)
    assert values[0] == data.header
    for row, got in zip(data.rows, values[1:], strict=True):
        for written, read in zip(row, got, strict=True):
            if hasattr(written, "isoformat"):
                read = read.date()
            if written == LONG:  # longer than a workbook's cell holds: cut there, visibly
                assert read == LONG[:32_766] + "…"
                continue
            assert read == written
    assert CP1252 in [v for r in values for v in r]


def test_named_records_export_with_their_flags(study: Study, tmp_path: Path):
    study.organisations.add_contact(1, "Zoë Ng", role="Chair", phone="+44 113 496 0000")
    study.attempts.log(2, outcome="No answer", note=CP1252)
    study.organisations.set_flag(2, "invite")
    orgs = datasets.organisations(study)
    assert orgs.column("name") == ["Café Zoë", "Second Org", "Third Org"]
    assert orgs.column("flag_invite") == [0, 1, 0]
    assert orgs.variable("flag_invite").label == "Invite to the launch"
    contacts = _csv_rows(datasets.export(study, "contacts", tmp_path / "c.csv"))
    assert contacts[1][2:5] == ["Café Zoë", "Zoë Ng", "Chair"] and contacts[1][5] == "'+441134960000"  # stored in E.164
    frame, _ = pyreadstat.read_sav(str(datasets.export(study, "attempts", tmp_path / "a.sav")))
    assert list(frame["note"]) == [CP1252] and list(frame["organisation"]) == ["Second Org"]
    frame, _ = pyreadstat.read_dta(str(datasets.export(study, "organisations", tmp_path / "o.dta")))
    assert list(frame["flag_invite"]) == [0, 1, 0]


# --- the codebook -----------------------------------------------------------------------------


def test_the_codebook_lists_every_named_question_with_its_codes(study: Study, tmp_path: Path):
    book = codebook.build(study)
    named = {a.question.id for a in datasets.named_questions(study)}
    assert named == {e.question_id for e in book.entries if e.question_id}
    assert not any(e.question_id.startswith("sector") for e in book.entries)
    assert book.entry("size").codes == ((1, "Large"), (2, "Small"), (3, "Tiny"), (4, "Medium"))
    assert book.entry("size").codes_text() == "1 = Large; 2 = Small; 3 = Tiny; 4 = Medium"
    assert book.entry("board").codes == ((1, "Yes"), (0, "No"))
    assert book.entry("work_2").label == "Areas of work: Youth" and book.entry("work_2").question_id == "work"
    assert book.entry("staff").versions == (1,) and book.entry("new_q").versions == (2,)
    assert any("left out" in n for n in book.notes) and any("Anonymous questions" in n for n in book.notes)

    rows = _csv_rows(datasets.export(study, "codebook", tmp_path / "codebook.csv"))
    assert rows[0] == ["variable", "question_id", "label", "type", "codes", "template_versions", "note"]
    size = next(r for r in rows if r[0] == "size")
    assert size[1:6] == ["size", "Size", "One choice", "1 = Large; 2 = Small; 3 = Tiny; 4 = Medium", "1, 2"]
    assert [r[0] for r in rows[1:]] == list(datasets.interviews(study).header)


def test_the_codebook_pdf_is_in_the_report_style(study: Study, tmp_path: Path):
    import pdfplumber

    path = datasets.export(study, "codebook", tmp_path / "codebook.pdf")
    with pdfplumber.open(path) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        fonts = {c["fontname"] for page in pdf.pages for c in page.chars}
        assert pdf.metadata.get("Title") == "Codebook: Analysis study"
    assert "Codebook" in text and "Analysis study" in text and "Page 1 of" in text
    for name in ("size", "work_3", "q_2nd_q", "new_q"):
        assert name in text
    assert "1 = Large" in text and "4 = Medium" in text
    assert all("Helvetica" not in f for f in fonts), "the report's own fonts, not reportlab's default"


# --- the pool ---------------------------------------------------------------------------------


def _pool_study(tmp_path: Path, comments: int) -> tuple[Study, list[str]]:
    s = Study.create(tmp_path / "pool.fieldkit", analysis_template(), title="Pool study")
    said = [f"Comment number {i}: {CP1252}" for i in range(comments)]
    sessions = []
    for i, text in enumerate(said):
        org = s.organisations.add(f"Organisation {i}")
        session = s.interviews.start(org, date=f"2026-01-{i + 1:02d}")
        session.save_answer("sector_barriers", text)
        sessions.append(session)
    pool_now(s, *sessions)
    return s, said


def test_the_pool_has_no_column_or_order_that_links_it_to_interviews(tmp_path: Path):
    s, said = _pool_study(tmp_path, 12)
    try:
        first = datasets.pool(s)
        assert first.header == ("question_id", "question", "themes", "text")
        assert sorted(r[3] for r in first.rows) == sorted(said)
        assert {r[:3] for r in first.rows} == {("sector_barriers", "What holds small groups back?", "Barriers")}
        orders = [tuple(r[3] for r in datasets.pool(s).rows) for _ in range(30)]
        assert all(sorted(o) == sorted(said) for o in orders), "every export holds the same comments"
        assert tuple(said) not in orders, "never in the order the interviews were taken"
        assert len(set(orders)) >= 25, "a fresh order each time"
        rows = _csv_rows(datasets.export(s, "pool", tmp_path / "pool.csv"))
        assert rows[0] == ["question_id", "question", "themes", "text"]
        text = (tmp_path / "pool.csv").read_text(encoding="utf-8-sig")
        for leak in ("Organisation ", "2026-01-", "interview"):
            assert leak not in text
        for fmt, read in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
            frame, _ = read(str(datasets.export(s, "pool", tmp_path / f"pool.{fmt}")))
            assert list(frame.columns) == ["question_id", "question", "themes", "text"]
            assert sorted(frame["text"]) == sorted(said)
        book = load_workbook(datasets.export(s, "pool", tmp_path / "pool.xlsx"))
        assert [c.value for c in book.active[1]] == ["question_id", "question", "themes", "text"]
    finally:
        s.close()


def test_the_pool_export_holds_only_what_is_in_the_pool(tmp_path: Path):
    s = Study.create(tmp_path / "held.fieldkit", analysis_template(), title="Held")
    try:
        session = s.interviews.start(s.organisations.add("Only one"))
        session.save_answer("sector_barriers", "still held with its interview")
        session.complete()  # one interview: below k, so the answer waits with it
        assert datasets.pool(s).rows == ()
        assert "still held" not in (datasets.export(s, "interviews", tmp_path / "i.csv")
                                    .read_text(encoding="utf-8-sig"))
    finally:
        s.close()


# --- the registry and the command line ---------------------------------------------------------


def test_every_export_in_every_format_it_offers(study: Study, tmp_path: Path):
    for entry in datasets.EXPORTS.values():
        for fmt in entry.formats:
            path = datasets.export(study, entry.name, tmp_path / f"{entry.name}.{fmt}")
            assert path.stat().st_size > 0
    with pytest.raises(ExportError, match=r"codebook can be written as \.csv, \.xlsx or \.pdf \(not \.sav\)"):
        datasets.export(study, "codebook", tmp_path / "c.sav")
    with pytest.raises(ExportError, match="nothing called 'people'"):
        datasets.export(study, "people", tmp_path / "p.csv")


def test_the_command_line_exports_and_refuses_bad_combinations_in_one_line(study: Study, tmp_path: Path,
                                                                           capsys):
    path = study.path
    study.close()
    assert main(["export", str(path), "interviews", "-o", str(tmp_path / "i.sav")]) == 0
    assert "Wrote interviews to" in capsys.readouterr().out
    frame, meta = pyreadstat.read_sav(str(tmp_path / "i.sav"))
    assert list(frame["interview_id"]) == [1, 2, 3] and meta.variable_value_labels["size"][4] == "Medium"
    assert main(["export", str(path), "pool", "-o", str(tmp_path / "p.dta")]) == 0
    assert main(["export", str(path), "codebook", "-o", str(tmp_path / "c.pdf")]) == 0
    capsys.readouterr()
    for what, name in (("codebook", "c.sav"), ("pool", "p.pdf"), ("interviews", "i.txt"), ("interviews", "i")):
        assert main(["export", str(path), what, "-o", str(tmp_path / name)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err[-1].startswith(f"fieldkit export: {tmp_path / name}: ") and len(err) == 2  # usage + one line
        assert not (tmp_path / name).exists()
    assert main(["export", str(path), "interviews", "-o", str(tmp_path / "x.csv"), "--language", "Klingon"]) == 1
    assert "not written in 'Klingon'" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_pandas_and_pyreadstat_are_imported_only_to_write_such_a_file():
    code = ("import sys\nimport fieldkit.cli, fieldkit.datasets, fieldkit.codebook, fieldkit.statfiles, "
            "fieldkit.spreadsheets\n"
            "print(sorted(m for m in ('pandas', 'pyreadstat', 'numpy', 'openpyxl', 'reportlab') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stderr
