"""The case sheet: one organisation's named record, read back from the PDF.

The study is built through the real API: two organisations, contacts in Polish and Chinese,
attempts, and interviews with named and anonymous answers, one interview taken before a
question was reworded and one after. The sheet must carry the named answers under the
wording each interview was asked with, and nothing from the comment pool or the other
organisation.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pdfplumber
import pytest

from fieldkit.errors import NotFoundError
from fieldkit.reports.casesheet import render_casesheet
from fieldkit.study import Study
from fieldkit.template_toml import template_from_dict
from studies import small_template

POOLED = {
    "Rent for a hall has doubled since the council sold the building.",
    "Small grants with simple forms would help more than anything.",
    "Nobody has time to write bids after a full day's work.",
}


def norm(text: str) -> str:
    return " ".join(text.split())


def _interview(study: Study, org_id: int, date: str, contact_id: int | None = None, **answers) -> None:
    began = dt.datetime.fromisoformat(f"{date}T11:00")
    session = study.interviews.start(org_id, date=date, contact_id=contact_id, interviewer="Tomasz Nowicki",
                                     started=began)
    for question, value in answers.items():
        session.save_answer(question, value)
    session.complete(at=began + dt.timedelta(minutes=32))
    session.close()


def _reword(study: Study, question_id: str, label: str) -> None:
    data = study.template.to_dict()
    for section in data["sections"]:
        for q in section["questions"]:
            if q["id"] == question_id:
                q["label"] = label
    study.update_template(template_from_dict(data, source="reworded"))


@pytest.fixture
def study(tmp_path: Path):
    s = Study.create(tmp_path / "sheet.fieldkit", small_template(), title="Mapping the West Midlands",
                     author="A. Researcher")
    orgs = s.organisations
    club = orgs.add("Łódź Polish Club", category="Network", area="Birmingham", phone="0121 496 0000",
                    notes="Meets on Saturdays at the parish hall.", opening_hours="Sat 10-4",
                    contacts=[{"name": "Anna Kowalska", "role": "Chair"}, {"name": "李伟", "role": "Treasurer"}])
    anna, li = (c.id for c in orgs.contacts(club))
    s.numbers.add(club, "phone", "0121 496 0001")
    # stored in E.164
    s.numbers.mark_wrong(next(n for n in s.numbers.for_organisation(club) if n.value == "+441214960001"))
    s.attempts.log(club, outcome="Left a message", note="Spoke to a volunteer; ring after six.",
                   at="2026-02-26T10:15:00", tried="0121 496 0000", seconds=95)
    _interview(s, club, "2026-03-02", contact_id=anna, role="Chair of the committee", size="Small",
               work=["Advice", "Youth"], board=True, staff=3, founded="2001-05-01", listing=True,
               story="Founded by families who arrived in the nineties.",
               sector_barriers=sorted(POOLED)[0], sector_help=sorted(POOLED)[1], sector_engaged="Low")
    _reword(s, "size", "How big is the organisation now?")
    _interview(s, club, "2026-04-20", contact_id=li, size="Medium", board=False)
    other = orgs.add("Northfield Youth Network", category="Network", area="Birmingham",
                     contacts=[{"name": "Gareth Holloway"}])
    _interview(s, other, "2026-03-03", role="Youth worker", size="Large", sector_barriers=sorted(POOLED)[2])
    s.held.move_now()  # fewer than k interviews: moved on purpose, so the pool holds them
    yield s, club
    s.close()


def _read(path: Path) -> tuple[list[str], dict]:
    with pdfplumber.open(path) as pdf:
        return [p.extract_text() or "" for p in pdf.pages], dict(pdf.metadata)


def test_case_sheet_has_the_named_record_and_nothing_from_the_pool(study, tmp_path: Path):
    s, club = study
    assert {c.text for c in s.pool.comments()} >= POOLED  # the pool really holds them
    path = render_casesheet(s, club, tmp_path / "club.pdf", today=dt.date(2026, 5, 14))
    if os.environ.get("FIELDKIT_SCREENSHOTS"):  # to look at the pages
        import shutil

        shutil.copy(path, Path(os.environ["FIELDKIT_SCREENSHOTS"]) / "casesheet.pdf")
    pages, meta = _read(path)
    text = norm(" ".join(pages))

    assert meta["Title"] == "Case sheet: Łódź Polish Club"
    for number in range(1, len(pages) + 1):
        assert f"Page {number} of {len(pages)}" in pages[number - 1]
    # details, flags, status, contacts, attempts
    for words in ("Łódź Polish Club", "0121 496 0000", "Meets on Saturdays at the parish hall.", "Interviewed",
                  "Anna Kowalska", "李伟", "Treasurer", "Spoke to a volunteer; ring after six.",
                  "26 Feb 2026, 10:15", "Left a message", "Permission to list Yes",
                  "Invite to the launch No", "Printed 14 May 2026", "Opening hours Sat 10-4",
                  "Other numbers 0121 496 0001 (wrong)", "Disposition 1.2 Partial interview",
                  "Left a message (2"):  # the call's length, "(2 min)", wraps in its cell
        assert words in text, words
    assert "Phone 0121 496 0000" in text and "+44" not in text  # numbers as the case form shows them
    # the first interview's named answers, worded as they were asked then
    first = text[text.index("Interview on 2 March 2026"):text.index("Interview on 20 April 2026")]
    for words in ("Interviewee Anna Kowalska", "Interviewer Tomasz Nowicki", "Your role Chair of the committee",
                  "Size Small", "Areas of work Advice; Youth", "On a partnership board? Yes", "Paid staff 3",
                  "Founded 2001-05-01", "May we list you? Yes",
                  "Tell us about the organisation Founded by families who arrived in the nineties.",
                  "Result Complete (AAPOR 1.1), finished 2 March 2026, 11:32", "Started 2 March 2026, 11:00",
                  "Time spent 32 min in 1 sitting", "Attempts before 1"):
        assert words in first, words
    assert "How big is the organisation now?" not in first
    # the second, after the rewording
    second = text[text.index("Interview on 20 April 2026"):]
    for words in ("Interviewee 李伟", "How big is the organisation now? Medium", "On a partnership board? No",
                  "Result Partial (AAPOR 1.2)"):
        assert words in second, words
    # nothing pooled, no anonymous question, nothing of the other organisation
    for words in (*POOLED, "What holds small groups back?", "What would help them?", "Low",
                  "Northfield Youth Network", "Gareth Holloway", "Youth worker"):
        assert words not in text, words


def test_case_sheet_replaces_a_file_whole_and_refuses_an_unknown_organisation(study, tmp_path: Path):
    s, club = study
    target = tmp_path / "out" / "sheet.pdf"
    target.parent.mkdir()
    target.write_bytes(b"an older sheet")
    render_casesheet(s, club, target)
    assert target.read_bytes().startswith(b"%PDF") and os.listdir(target.parent) == ["sheet.pdf"]
    with pytest.raises(NotFoundError):
        render_casesheet(s, 999, tmp_path / "out" / "nobody.pdf")
    assert os.listdir(target.parent) == ["sheet.pdf"]


def test_case_sheet_of_an_organisation_with_no_history(tmp_path: Path):
    s = Study.create(tmp_path / "empty.fieldkit", small_template())
    org = s.organisations.add("Aston Advice Network")
    pages, _ = _read(render_casesheet(s, org, tmp_path / "empty.pdf"))
    text = norm(" ".join(pages))
    for words in ("Aston Advice Network", "No contacts recorded.", "No attempts recorded.", "No interviews recorded."):
        assert words in text
    s.close()
