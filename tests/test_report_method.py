"""The report's method section: interviews by result, paradata, outcome rates and dispositions.

A study built through the real path (``Study.create``, interviews started and finished through
``InterviewSession``, attempts through ``study.attempts.log``), counted by hand:

    organisation        what happened                                   disposition
    Complete One        2 attempts, then a 30-minute complete interview  1.1
    Complete Two        1 attempt, then a 40-minute complete interview   1.1
    Partial Three       3 attempts, then a 50-minute partial interview   1.2
    Earlier Fieldwork   recorded as interviewed, no interview here       1.1
    Under Way           an interview begun, not finished                 2.12 (temporary)
    Broke Off           an interview broken off                          2.12
    No Answer           one attempt, no answer                           3.13 (temporary)
    Outside             excluded: Outside the region                     4.10
    Never Tried         nothing yet                                      3.11 (temporary)

Classes: I 3, P 1, R 2, UH 2, NE 1. e (estimated) = eligible / determined = 6 / 7.
RR1 = 3/8 = 37.5%, RR2 = 4/8 = 50.0%, RR3 = 3/(6 + 2e) = 38.9%, RR4 = 4/(6 + 2e) = 51.9%,
COOP1 = 3/6 = 50.0%, COOP2 = 4/6 = 66.7%. Medians: 40 minutes, 2 attempts before the interview.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pdfplumber
import pytest

from fieldkit import fieldwork, outcome_rates
from fieldkit.reports import tables
from fieldkit.reports.data import (ALL_SECTIONS, SECTIONS, SOURCE, DispositionLine, ReportOptions,
                                   build_report_data)
from fieldkit.reports.pdf import SECTIONS as PDF_SECTIONS
from fieldkit.reports.pdf import render_report
from fieldkit.study import Study

TODAY = dt.date(2026, 5, 14)
T = dt.datetime(2026, 3, 2, 10, 0)


def finished(study: Study, name: str, *, attempts: int, minutes: int, complete: bool) -> int:
    org = study.organisations.add(name, category="Network")
    for i in range(attempts):
        study.attempts.log(org, outcome="No answer", at=T - dt.timedelta(days=attempts - i))
    session = study.interviews.start(org, started=T)
    session.save_answer("role", "Chair")
    if complete:
        session.save_answer("size", "Small")
        session.save_answer("sector_barriers", "Rent for a hall has doubled.")
    assert session.finish(at=T + dt.timedelta(minutes=minutes)) == ("complete" if complete else "partial")
    session.close()
    return org


@pytest.fixture
def study(small_study: Study) -> Study:
    s = small_study
    finished(s, "Complete One", attempts=2, minutes=30, complete=True)
    finished(s, "Complete Two", attempts=1, minutes=40, complete=True)
    finished(s, "Partial Three", attempts=3, minutes=50, complete=False)
    s.organisations.add("Earlier Fieldwork", status="interviewed")
    s.interviews.start(s.organisations.add("Under Way")).close()
    broke = s.interviews.start(s.organisations.add("Broke Off"))
    broke.break_off()
    broke.close()
    s.attempts.log(s.organisations.add("No Answer"), outcome="No answer")
    s.organisations.add("Outside", status="excluded", exclusion_reason="Outside the region")
    s.organisations.add("Never Tried")
    return s


def method_words(data) -> str:
    """The method's words as they read now (figures filled in)."""
    w = data.method_section
    return " ".join([*w.filled, w.rates_filled])


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (no sentence ends inside a figure like "1.1" or "0.86")."""
    return [x for x in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text) if x]


def test_interviews_by_result_and_paradata(study: Study):
    data = build_report_data(study, today=TODAY)
    m, w = data.method, data.method_section
    assert (m.total, m.interviewed, m.declined, m.excluded) == (9, 4, 1, 1)
    assert (w.complete, w.partial, w.recorded_without_interview, w.in_interview, w.break_offs) == (3, 1, 1, 1, 1)
    assert w.median_minutes == pytest.approx(40)
    assert w.median_attempts == 2
    said = " ".join(w.filled)
    assert ("Of the 4 organisations interviewed, 3 gave a complete interview and 1 a partial one (AAPOR "
            "dispositions 1.1 and 1.2" in said)
    assert "Among them, 1 was recorded as interviewed from earlier fieldwork, with no interview in the study." in said
    assert "2 are still being contacted (1 of them in an interview begun but not yet finished)" in said
    assert "An interview was broken off before the end" in said
    assert "The median interview took 40 minutes." in said
    assert "a median of 2 attempts at contact before the interview" in said
    assert "full interview" not in said
    counts = dict(w.counts)
    assert (counts["Interviewed"], counts["Interviewed: complete (1.1)"], counts["Interviewed: partial (1.2)"],
            counts["Interviewed: from earlier fieldwork"], counts["In interview (not yet finished)"]) == (4, 3, 1, 1, 1)


def test_nothing_said_of_what_did_not_happen(small_study: Study):
    finished(small_study, "Complete One", attempts=0, minutes=30, complete=True)
    w = build_report_data(small_study, today=TODAY).method_section
    said = " ".join(w.filled)
    assert "Just 1 organisation was identified for the study, and it is on the database. It was interviewed." in said
    assert "The organisation interviewed gave a complete interview (AAPOR disposition 1.1" in said
    for absent in ("earlier fieldwork", "in an interview", "broken off", "partial one", " 0 organisation"):
        assert absent not in said
    assert "No organisation has yet given permission to be listed in the directory." in said
    assert "a median of 0 attempts" in said  # known: none was logged before the interview


def test_rates_quoted_with_their_definitions_and_e(study: Study):
    w = build_report_data(study, today=TODAY).method_section
    assert [(r.code, r.text) for r in w.rates] == [
        ("RR1", "37.5%"), ("RR2", "50.0%"), ("RR3", "38.9%"), ("RR4", "51.9%"), ("COOP1", "50.0%"),
        ("COOP2", "66.7%")]
    assert w.rates[2].value == pytest.approx(3 / (6 + 2 * 6 / 7))
    assert all(r.definition == outcome_rates.RATE_DEFINITIONS[r.code] for r in w.rates)
    assert [r.name for r in w.rates][::4] == ["Response rate RR1", "Cooperation rate COOP1"]
    assert w.e == pytest.approx(6 / 7) and w.e_estimated
    assert "e = 0.86, estimated from the organisations whose eligibility was established" in w.rates_filled
    assert "Fieldwork with 3 organisations goes on" in w.rates_filled
    assert "e = {e}," in w.rates_text and "Fieldwork with {not_final} organisations" in w.rates_text  # live
    assert method_words(build_report_data(study, today=TODAY)).count(SOURCE) == 1
    assert SOURCE == "AAPOR Standard Definitions (10th edition, 2023)"


def test_e_set_by_the_researcher(study: Study):
    fieldwork.set_settings(study, eligibility_rate=0.5)
    w = build_report_data(study, today=TODAY).method_section
    assert not w.e_estimated and w.e == 0.5
    assert "e = 0.50, set by the researcher" in w.rates_filled
    assert dict((r.code, r.text) for r in w.rates)["RR3"] == "42.9%"  # 3 / (6 + 0.5 * 2)


def test_without_partial_interviews_the_partial_rates_are_not_quoted(small_study: Study):
    finished(small_study, "Complete One", attempts=1, minutes=30, complete=True)
    small_study.attempts.log(small_study.organisations.add("No Answer"), outcome="No answer")
    w = build_report_data(small_study, today=TODAY).method_section
    assert [r.code for r in w.rates] == ["RR1", "RR3", "COOP1"]


def test_a_rate_without_a_denominator_is_left_out(small_study: Study):
    small_study.organisations.add("Never Tried")
    small_study.organisations.add("Not Tried Either")
    w = build_report_data(small_study, today=TODAY).method_section
    # Nobody contacted: no cooperation rate; nothing established, so e is taken as 1.
    assert [(r.code, r.text) for r in w.rates] == [("RR1", "0.0%"), ("RR3", "0.0%")]
    assert "e = 1.00, as no organisation's eligibility has been established yet" in w.rates_filled
    assert "None of them has been contacted yet." in w.filled[0]
    assert "No organisation has been interviewed yet." in w.filled[1]


def test_no_rates_no_words_about_them(small_study: Study):
    small_study.organisations.add("Outside", status="excluded", exclusion_reason="Outside the region")
    w = build_report_data(small_study, today=TODAY).method_section
    assert w.rates == () and w.rates_text == "" and w.rates_filled == ""


def test_the_method_words_add_up_as_read(study: Study):
    """The hand-counted study: 9 identified, 1 excluded, so 8 on the database; of those 8, 4
    interviewed, 1 declined, 2 still being contacted (1 in interview) and 1 not yet contacted;
    8 contacted or screened, every one but that 1. A reader can check each step."""
    w = build_report_data(study, today=TODAY).method_section
    first = w.filled[0]
    found = re.search(r"Of the (\d+) organisations identified for the study, (\d+) was excluded as outside its "
                      r"scope, leaving (\d+) on the database\.", first)
    assert found, first
    identified, excluded, on_database = map(int, found.groups())
    assert (identified, excluded, on_database) == (9, 1, 8) and identified - excluded == on_database
    found = re.search(r"Of those (\d+), (\d+) were interviewed, (\d+) declined to take part, (\d+) are still being "
                      r"contacted \((\d+) of them in an interview begun but not yet finished\) and (\d+) has not yet "
                      r"been contacted\.", first)
    assert found, first
    of, interviewed, declined, contacting, in_interview, not_yet = map(int, found.groups())
    assert of == on_database == interviewed + declined + contacting + not_yet  # each counted once
    assert in_interview <= contacting
    found = re.search(r"In all, (\d+) of the (\d+) organisations have been contacted or screened: every one but "
                      r"the (\d+) not yet contacted\.", first)
    assert found, first
    contacted, of, but = map(int, found.groups())
    assert (of, but) == (identified, not_yet) and contacted == identified - not_yet == 8
    found = re.search(r"Of the (\d+) organisations interviewed, (\d+) gave a complete interview and (\d+) a partial "
                      r"one", w.filled[1])
    assert found and int(found[1]) == interviewed == int(found[2]) + int(found[3])
    # Words first, never a figure; nothing said of a count of 0.
    for sentence in sentences(" ".join([*w.filled, w.rates_filled])):
        assert not sentence[0].isdigit(), sentence
    assert not re.search(r"\b0 organisations?\b", method_words(build_report_data(study, today=TODAY)))
    assert "No organisation has yet given permission to be listed in the directory." in w.filled[1]


def test_the_method_words_keep_their_figures_live(study: Study):
    """fieldkit's words are Markdown with figure fields, so words a researcher starts from them
    follow the study: the figures of the words taken today are those of the study tomorrow."""
    from fieldkit.reports import outline
    from fieldkit.reports.figures import fields_in
    from fieldkit.reports.method import method_markdown

    data = build_report_data(study, today=TODAY)
    words = data.method_section
    assert "{identified}" in words.paragraphs[0] and "{on_database}" in words.paragraphs[0]
    used = {name for p in words.paragraphs for name in fields_in(p)}
    assert {"identified", "excluded", "on_database", "interviewed", "declined", "still_contacting",
            "in_interview", "not_yet_contacted", "contacted", "complete", "partial", "earlier",
            "median_minutes", "median_attempts"} <= used
    assert not re.search(r"(?<![{\w.])\d+ (organisations?|were|was|of them)", " ".join(words.paragraphs))
    outline.set_text(study, "method", method_markdown(words, data.method))  # the researcher's own, from fieldkit's
    finished(study, "Complete Four", attempts=1, minutes=20, complete=True)
    text = " ".join(build_report_data(study, today=TODAY).method_text.plain())
    assert "Of the 10 organisations identified for the study" in text and "Of those 9, 5 were interviewed" in text


def test_dispositions_table(study: Study):
    data = build_report_data(study, today=TODAY)
    assert data.dispositions == (
        DispositionLine("1.1", "Complete interview", 3),
        DispositionLine("1.2", "Partial interview", 1),
        DispositionLine("2.12", "Break-off", 2),
        DispositionLine("3.11", "Not attempted or worked", 1),
        DispositionLine("3.13", "No answer", 1),
        DispositionLine("4.10", "Out of sample", 1),
        DispositionLine("", "Total", 9),
    )
    assert data.dispositions_notes == (
        "Fieldwork goes on: 3 organisations are shown with the disposition so far, not yet final.",
        "1 of them is in interview, counted under 2.12 (break-off) until the interview is finished.",
    )


def test_dispositions_is_a_section_of_its_own_after_the_method(study: Study):
    assert ALL_SECTIONS.index("dispositions") == ALL_SECTIONS.index("method") + 1 and PDF_SECTIONS == ALL_SECTIONS
    assert [s.name for s in SECTIONS if s.runs_on] == ["dispositions", "targets"]
    without = build_report_data(study, ReportOptions(sections=("method", "tables")), today=TODAY)
    assert without.dispositions == () and without.method_section is not None
    alone = build_report_data(study, ReportOptions(sections=("dispositions",)), today=TODAY)
    assert alone.dispositions[-1] == ("", "Total", 9) and alone.method is None and alone.method_section is None


def test_method_table_for_spreadsheets(study: Study):
    t = tables.method(study)
    assert t.head == ("Measure", "Organisations", "%") and t.percent_columns == frozenset({2})
    rows = {r[0]: r[1:] for r in t.rows}
    assert rows["Complete interviews (1.1)"] == (3, None)
    assert rows["Partial interviews (1.2)"] == (1, None)
    assert rows["In interview"] == (1, None)
    assert rows["Interviews broken off"] == (1, None)
    assert rows["Recorded as interviewed without an interview"] == (1, None)
    rates = [label for label, n, pct in t.rows if n is None]
    assert [label.split()[-1] for label in rates[:-1]] == list(outcome_rates.RATE_ORDER)  # every rate, then e
    assert rows["Response rate RR1"] == (None, 37.5)
    assert rows["Cooperation rate COOP2"] == (None, 66.7)
    assert rows["Refusal rate REF1"] == (None, 25.0)  # 2 / 8
    assert rows["Contact rate CON3"] == (None, 100.0)  # every eligible organisation was contacted
    assert rows["e: share of organisations of unknown eligibility taken as eligible (estimated)"] == (None, 85.7)


def test_pdf_smoke(study: Study, tmp_path: Path):
    data = build_report_data(study, ReportOptions(sections=("method", "dispositions")), today=TODAY)
    path = render_report(data, tmp_path / "method.pdf")
    with pdfplumber.open(path) as pdf:
        text = " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)
        for page in pdf.pages:
            assert all(c["x0"] >= 0 and c["x1"] <= page.width and c["bottom"] <= page.height for c in page.chars)
        words = next(w for w in (p.extract_words() for p in pdf.pages) if any(x["text"] == "Code" for x in w))
    # the counts line up on the right under their heading; the dispositions' names on the left
    code = next(w for w in words if w["text"] == "Code")
    head = next(w for w in words if w["text"] == "Organisations" and abs(w["top"] - code["top"]) < 2)
    total = next(w for w in words if w["text"] == "9" and w["top"] > head["top"])
    assert total["x1"] == pytest.approx(head["x1"], abs=1)
    assert next(w for w in words if w["text"] == "Break-off")["x1"] < head["x0"] - 50
    assert "Response and cooperation rates" in text and "Final dispositions" in text
    assert "Response rate RR3 38.9%" in text and "Cooperation rate COOP1 50.0%" in text
    assert "1.1 Complete interview 3" in text and "4.10 Out of sample 1" in text and "Total 9" in text
    assert text.count(SOURCE) == 1
    assert "3 gave a complete interview and 1 a partial one" in text

    alone = build_report_data(study, ReportOptions(sections=("dispositions",)), today=TODAY)
    with pdfplumber.open(render_report(alone, tmp_path / "alone.pdf")) as pdf:
        text = " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)
    assert "Final dispositions" in text and "Method" not in text and SOURCE in text  # cited where it stands alone
