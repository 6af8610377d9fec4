"""The report's data object, against a study built through the real API and counted by hand.

    name                      category        area        status       listed  interviews (answers)
    Łódź Polish Club          Network         Birmingham  interviewed  yes*    Small / yes / Advice+Youth / Very
    Northfield Youth Network  Network         Birmingham  interviewed  no      Small / no / Youth / A little
    Coventry Carers Network   Network         Coventry    contacting   -       -
    Outside Town Forum        Network         Coventry    excluded (Outside the region), permission ticked
    Regional Chinese Network  Infrastructure  Regional    interviewed  yes     Large / yes / Advice / Very
    Aston Advice Network      Infrastructure  Birmingham  unreachable  yes     -
    Declined Trust            Infrastructure  -           declined     yes     -
    Moseley Community Hub     -               Birmingham  interviewed  yes     Large; later Medium / - / Health /
                                                                              Not at all
    Unplaced Group            -               -           identified   -       -
    Closed Down Society       -               Regional    excluded (Closed down)
    Birmingham Access Point   Access point    Birmingham  excluded (no reason), permission ticked

    * ticked by answering "May we list you?" yes.

Hand counts: 11 organisations, 10 contacted, 3 excluded (one for each reason, one with none),
8 on the database, 4 interviewed (3 full: the Chinese network skipped a required question),
1 not reached, 1 declined, 1 still being contacted, 1 not yet contacted, 5 listed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fieldkit.demo import build_demo
from fieldkit.errors import InvalidValueError
from fieldkit.reports.data import (ALL_SECTIONS, CrosstabTable, DirectoryEntry, ReportOptions, ThemeComments,
                                   build_report_data)
from fieldkit.reports.suppression import NHS, custom_rule
from fieldkit.study import Study
from fieldkit.summary import GroupRow
from studies import small_template

TODAY = dt.date(2026, 5, 14)
BARRIERS = {
    "Rent for a hall has doubled.",
    "Nobody has time to write bids.",
    "Funders want match funding we do not have.",
    "Trust between groups takes years to build.",
}


def interview(study: Study, org_id: int, *, date: str, contact_id: int | None = None, complete: bool = True,
              **answers) -> None:
    session = study.interviews.start(org_id, date=date, contact_id=contact_id)
    for question, value in answers.items():
        session.save_answer(question, value)
    if complete:
        session.complete()
    session.close()


@pytest.fixture
def study(tmp_path: Path):
    s = Study.create(tmp_path / "report.fieldkit", small_template(), title="Mapping the West Midlands",
                     client="Regional Council", author="A. Researcher")
    orgs = s.organisations
    n1 = orgs.add("Łódź Polish Club", category="Network", area="Birmingham",
                  contacts=[{"name": "Anna Kowalska"}, {"name": "Piotr Nowak"}])
    piotr = orgs.contacts(n1)[1].id
    interview(s, n1, date="2026-03-02", contact_id=piotr, role="Chair", size="Small", board=True,
              work=["Advice", "Youth"], informed="Very", listing=True,
              sector_barriers="Rent for a hall has doubled.", sector_help="A shared office with other groups.",
              sector_engaged="Low")
    n2 = orgs.add("Northfield Youth Network", category="Network", area="Birmingham")
    interview(s, n2, date="2026-03-03", role="Chair", size="Small", board=False, work=["Youth"],
              informed="A little", listing=False, sector_barriers="Nobody has time to write bids.",
              sector_help="Small grants with simple forms.", sector_engaged="High")
    n3 = orgs.add("Coventry Carers Network", category="Network", area="Coventry")
    s.attempts.log(n3, outcome="No answer")
    orgs.add("Outside Town Forum", category="Network", area="Coventry", status="excluded",
             exclusion_reason="Outside the region", flags=["permission_to_list"])
    i1 = orgs.add("Regional Chinese Network", category="Infrastructure", area="Regional",
                  contacts=[{"name": "李伟"}])
    interview(s, i1, date="2026-03-04", size="Large", board=True, work=["Advice"], informed="Very",
              sector_barriers="Funders want match funding we do not have.", sector_engaged="High")
    orgs.set_flag(i1, "permission_to_list")
    orgs.add("Aston Advice Network", category="Infrastructure", area="Birmingham", status="unreachable",
             flags=["permission_to_list"])
    orgs.add("Declined Trust", category="Infrastructure", status="declined", flags=["permission_to_list"],
             contacts=[{"name": "Mary Ward"}, {"name": "Bernadette Quinn"}])
    x1 = orgs.add("Moseley Community Hub", area="Birmingham", flags=["permission_to_list"],
                  contacts=[{"name": "Zofia Wójcik"}])
    interview(s, x1, date="2026-01-10", contact_id=orgs.contacts(x1)[0].id, size="Large", complete=False)
    ayse = orgs.add_contact(x1, "Ayşe Yılmaz")
    interview(s, x1, date="2026-04-01", contact_id=ayse, role="Manager", size="Medium", work=["Health"],
              informed="Not at all", sector_barriers="Trust between groups takes years to build.")
    orgs.add("Unplaced Group")
    orgs.add("Closed Down Society", area="Regional", status="excluded", exclusion_reason="Closed down")
    orgs.add("Birmingham Access Point", category="Access point", area="Birmingham", status="excluded",
             flags=["permission_to_list"])
    s.held.move_now()  # the end of fieldwork: four interviews, fewer than k, moved on purpose
    # One pooled comment loses its theme: it is printed under "Other comments".
    grants = next(c for c in s.pool.comments(question_id="sector_help") if c.text.startswith("Small grants"))
    s.pool.untag(grants.id, "help")
    yield s
    s.close()


def test_cover(study: Study):
    data = build_report_data(study, ReportOptions(), today=TODAY)
    assert (data.title, data.client, data.author, data.date) == (
        "Mapping the West Midlands", "Regional Council", "A. Researcher", TODAY)
    assert data.sections == ALL_SECTIONS
    # Small numbers are protected unless the researcher turns it off: the study's setting, by
    # default counts of 1 to 4 hidden and every other figure exact.
    assert data.page_size == "a4" and data.small_numbers == custom_rule(5) and data.notes
    assert build_report_data(study).date == dt.date.today()


def test_method_summary(study: Study):
    m = build_report_data(study, today=TODAY).method
    assert (m.total, m.contacted, m.excluded, m.on_database, m.interviewed, m.full_interviews) == (11, 10, 3, 8, 4, 3)
    assert m.excluded_by_reason == [("Outside the region", 1), ("Closed down", 1), ("Not recorded", 1)]
    assert (m.not_reached, m.declined, m.still_contacting, m.not_yet_contacted) == (1, 1, 1, 1)
    assert m.listed_with_permission == 5


def test_tables_by_category_and_area(study: Study):
    data = build_report_data(study, today=TODAY)
    assert data.by_category == (
        GroupRow("Network", 3, 2, 4),
        GroupRow("Infrastructure", 3, 1, 2),
        GroupRow("Access point", 0, 0, None),
        GroupRow("Not recorded", 2, 1, None),
        GroupRow("Total", 8, 4, 6),
    )
    assert data.by_area == (
        GroupRow("Birmingham", 4, 3),
        GroupRow("Coventry", 1, 0),
        GroupRow("Regional", 1, 1),
        GroupRow("Not recorded", 2, 0),
        GroupRow("Total", 8, 4),
    )


def test_targets_against_achieved(study: Study):
    data = build_report_data(study, today=TODAY)
    assert [(r.group, r.target, r.interviewed) for r in data.targets] == [
        ("Network", 4, 2), ("Infrastructure", 2, 1), ("Total", 6, 3)]


def test_no_targets_no_rows(tmp_path: Path):
    template = small_template().with_targets({})
    with Study.create(tmp_path / "t.fieldkit", template) as s:
        assert build_report_data(s, today=TODAY).targets == ()


def crosstab(data, question_id: str) -> CrosstabTable:
    return next(t for t in data.crosstabs if t.question_id == question_id)


#: The answers in full (small-number protection off), for the tests of what is counted.
FULL = ReportOptions(small_numbers=None)


def test_crosstabs_of_named_answers_by_category(study: Study):
    data = build_report_data(study, FULL, today=TODAY)
    assert [t.question_id for t in data.crosstabs] == ["size", "work", "board", "informed", "listing",
                                                       "sector_engaged"]
    size = crosstab(data, "size")
    assert (size.question_label, size.choices, size.by, size.multiple, size.protected) == (
        "Size", ("Small", "Medium", "Large"), "category", False, False)
    assert [(r.group, r.cells, r.base) for r in size.rows] == [
        ("Network", ("2 (100%)", "0 (0%)", "0 (0%)"), "2"),    # whole percentages of a base under 100
        ("Infrastructure", ("0 (0%)", "0 (0%)", "1 (100%)"), "1"),
        ("Access point", ("0", "0", "0"), "0"),     # no respondents: no percentages of nothing
        ("Not recorded", ("0 (0%)", "1 (100%)", "0 (0%)"), "1"),  # the latest interview counts
    ]
    assert size.rows[2].percentages == (None, None, None)
    assert (size.total.group, size.total.cells, size.total.base) == (
        "Total", ("2 (50%)", "1 (25%)", "1 (25%)"), "4")
    assert size.notes == ()  # every row adds up to 100: no note about rounding
    assert size.total.counts == (2, 1, 1) and size.total.base_count == size.total.respondents == 4

    board = crosstab(data, "board")
    assert board.choices == ("Yes", "No")
    # No organisation without a category answered it: no "Not recorded" row.
    assert [(r.group, r.counts) for r in board.rows] == [("Network", (1, 1)), ("Infrastructure", (1, 0)),
                                                         ("Access point", (0, 0))]
    assert board.total.cells == ("2 (67%)", "1 (33%)")
    assert sum(board.total.percentages) == pytest.approx(100.0)

    informed = crosstab(data, "informed")  # 25 + 25 + 50
    assert informed.ordered
    assert [r.counts for r in informed.rows] == [(0, 1, 1), (0, 0, 1), (0, 0, 0), (1, 0, 0)]
    assert informed.total.percentages == (25.0, 25.0, 50.0)
    assert crosstab(data, "listing").total.counts == (1, 1)


def test_multiple_choice_percentages_are_of_respondents(study: Study):
    work = crosstab(build_report_data(study, FULL, today=TODAY), "work")
    assert work.multiple
    assert work.rows[0].cells == ("1 (50%)", "2 (100%)", "0 (0%)")
    assert work.total.cells == ("2 (50%)", "2 (50%)", "1 (25%)") and work.total.base == "4"
    assert any("more than one answer" in n for n in work.notes)
    assert "Percentages may not add to 100 because of rounding." not in work.notes  # they never would


def test_anonymous_questions_are_counted_overall_only(study: Study):
    engaged = crosstab(build_report_data(study, FULL, today=TODAY), "sector_engaged")
    assert engaged.anonymous and engaged.by == "" and engaged.rows == ()
    assert engaged.total.counts == (1, 0, 2) and engaged.total.base == "3"
    assert engaged.total.cells == ("1 (33%)", "0 (0%)", "2 (67%)")


def test_questions_nobody_answered_are_left_out(tmp_path: Path):
    with Study.create(tmp_path / "empty.fieldkit", small_template()) as s:
        s.organisations.add("Quiet Group", category="Network")
        data = build_report_data(s, today=TODAY)
        assert data.crosstabs == () and data.comments == () and data.directory == ()


def test_comments_by_theme_without_names_or_order(study: Study):
    data = build_report_data(study, ReportOptions(seed=3), today=TODAY)
    assert [t.theme for t in data.comments] == ["Barriers", "What would help", "Other comments"]
    barriers, helps, other = data.comments
    assert set(barriers.quotations) == BARRIERS and len(barriers.quotations) == 4
    assert helps.quotations == ("A shared office with other groups.",)
    assert other.quotations == ("Small grants with simple forms.",)
    # Only the words: no ids, no question, no organisation.
    assert ThemeComments._fields == ("theme", "quotations", "write_up", "chosen", "available", "theme_id")
    assert all(type(q) is str for t in data.comments for q in t.quotations)
    text = repr(data.comments)
    for comment in study.pool.comments():
        assert str(comment.id) not in text
    for name in ("Łódź", "Northfield", "Regional Chinese", "Moseley"):
        assert name not in text


@pytest.fixture
def chatty(tmp_path: Path):
    """Twelve interviews, each leaving one pooled comment, entered in a known order."""
    s = Study.create(tmp_path / "chatty.fieldkit", small_template())
    for k in range(1, 13):
        org = s.organisations.add(f"Group {k}", category="Network")
        interview(s, org, date=f"2026-02-{k:02d}", sector_barriers=f"Comment number {k}.")
    s.held.move_now()  # the last two, held until now
    yield s
    s.close()


def barrier_order(study: Study, seed: int | None) -> tuple[str, ...]:
    data = build_report_data(study, ReportOptions(sections=("comments",), seed=seed, quotations=50), today=TODAY)
    return data.comments[0].quotations


def test_quotations_are_reshuffled_on_every_export(chatty: Study):
    entry_order = tuple(f"Comment number {k}." for k in range(1, 13))
    assert sorted(barrier_order(chatty, 7)) == sorted(entry_order)
    # A seed gives the same order every time (for tests), and never the order of entry.
    assert barrier_order(chatty, 7) == barrier_order(chatty, 7)
    assert barrier_order(chatty, 7) != entry_order
    assert barrier_order(chatty, 7) != barrier_order(chatty, 8)
    # Without one, every export draws a new order from the system's random source.
    first, second = barrier_order(chatty, None), barrier_order(chatty, None)
    assert first != second
    assert entry_order not in (first, second)


def test_directory_lists_only_organisations_with_permission(study: Study):
    data = build_report_data(study, ReportOptions(include_person=True), today=TODAY)
    assert data.directory == (
        # By area, then name ignoring accents: Łódź sorts under L.
        DirectoryEntry("Birmingham", "Aston Advice Network", None),
        DirectoryEntry("Birmingham", "Łódź Polish Club", "Piotr Nowak"),          # named on its interview
        DirectoryEntry("Birmingham", "Moseley Community Hub", "Ayşe Yılmaz"),     # the latest interview's
        DirectoryEntry("Regional", "Regional Chinese Network", "李伟"),            # its first contact
        DirectoryEntry("Not recorded", "Declined Trust", "Mary Ward"),                # its first contact
    )
    listed = {e.name for e in data.directory}
    assert "Outside Town Forum" not in listed and "Birmingham Access Point" not in listed  # excluded
    assert "Northfield Youth Network" not in listed                                      # said no
    assert len(data.directory) == data.method.listed_with_permission
    plain = build_report_data(study, today=TODAY)
    assert [e.person for e in plain.directory] == [None] * 5
    assert [(e.area, e.name) for e in plain.directory] == [(e.area, e.name) for e in data.directory]


def test_sections_and_the_directory_option(study: Study):
    data = build_report_data(study, ReportOptions(sections=["comments", "method"]), today=TODAY)
    assert data.sections == ("method", "comments")
    assert data.method is not None and data.comments
    assert data.by_category == () and data.crosstabs == () and data.directory == () and data.targets == ()
    left_out = build_report_data(study, ReportOptions(directory=False), today=TODAY)
    assert "directory" not in left_out.sections and left_out.directory == ()


@pytest.mark.parametrize("bad", [
    dict(sections=("method", "appendix")), dict(page_size="a5"), dict(small_numbers="hhs"), dict(small_numbers=2),
])
def test_bad_options_are_refused(bad):
    with pytest.raises(InvalidValueError):
        ReportOptions(**bad)


def test_options_normalise():
    options = ReportOptions(page_size="Letter", small_numbers="ONS")
    assert options.page_size == "letter" and options.rule.key == "ons"


def test_small_number_protection_nhs(study: Study):
    data = build_report_data(study, ReportOptions(small_numbers="nhs"), today=TODAY)
    assert data.small_numbers is NHS
    assert data.notes[0].startswith("Counts of 1 to 7 are shown as * and other counts are rounded to the nearest 5")
    size = crosstab(data, "size")
    assert size.protected and size.notes[0] == data.notes[0]
    # Only 4 answered, itself a small count: the table is withheld, every figure shown as *
    # with no percentage, zeros included (shown, they could pin the counts), and the note
    # under it says that here a * can be 0.
    assert [(r.group, r.cells, r.base) for r in size.rows] == [
        ("Network", ("*", "*", "*"), "*"),
        ("Infrastructure", ("*", "*", "*"), "*"),
        ("Access point", ("*", "*", "*"), "*"),
        ("Not recorded", ("*", "*", "*"), "*"),
    ]
    assert size.total.cells == ("*", "*", "*") and size.total.base == "*"
    assert size.rows[0].counts == (None, None, None) and size.rows[0].percentages == (None, None, None)
    assert size.rows[0].respondents == "*" and size.rows[2].respondents == "*"
    assert size.notes[-1] == ("Fewer than 8 answered, so every figure in this table, 0 included, is shown as *: "
                              "here a * stands for any number from 0 to 7.")
    for table in data.crosstabs:  # anonymous overall counts too
        assert table.protected and all(c in ("*", "0") for r in table.rows + (table.total,) for c in r.cells)
    # The tables of organisations are not altered.
    assert data.by_category[0] == GroupRow("Network", 3, 2, 4)


def test_small_number_protection_custom_threshold(study: Study):
    data = build_report_data(study, ReportOptions(small_numbers=3), today=TODAY)
    assert data.small_numbers == custom_rule(3)
    size = crosstab(data, "size")
    assert size.notes[0] == ("Counts of 1 to 2 are shown as * to protect the people who answered; "
                             "other counts are exact.")
    # Each category's respondents are public (the table of organisations prints them), so a
    # category where fewer than 3 answered is withheld but for that number: shown as
    # ("*", "0", "0") beside Network's 2 interviewed, both would be Small.
    assert [r.cells for r in size.rows] == [("*", "*", "*"), ("*", "*", "*"), ("0", "0", "0"), ("*", "*", "*")]
    assert [r.base for r in size.rows] == ["2", "1", "0", "1"]
    assert size.total.base == "4"  # 4 is not a small count
    off = build_report_data(study, ReportOptions(small_numbers=None), today=TODAY)
    assert not crosstab(off, "size").protected and crosstab(off, "size").notes == ()


def test_protected_demo_tables_cannot_be_differenced(tmp_path: Path):
    """On realistic data no printed row or column of a protected table leaves exactly one
    hidden count beside exact figures."""
    study = build_demo(tmp_path / "demo.fieldkit", organisations=150)
    try:
        data = build_report_data(study, ReportOptions(small_numbers=5, sections=("crosstabs",)), today=TODAY)
        assert any(t.secondary for t in data.crosstabs)
        assert "some other figures are also shown as *" in " ".join(data.notes)
        for table in data.crosstabs:
            lines = [(list(r.cells), r.base) for r in table.rows + (table.total,)] if not table.multiple else []
            for j in range(len(table.choices)):
                lines.append(([r.cells[j] for r in table.rows], table.total.cells[j]))
            lines.append(([r.base for r in table.rows], table.total.base))
            for cells, total in lines:
                hidden = [c for c in cells + [total] if c == "*"]
                assert len(hidden) != 1, (table.question_label, cells, total)
            for r in table.rows + (table.total,):
                for count, pct, cell in zip(r.counts, r.percentages, r.cells, strict=True):
                    assert (count is None) == (cell == "*")
                    if count is None:
                        assert pct is None
    finally:
        study.close()


def test_dispositions_are_worked_out_once_per_report(study: Study):
    """The method's counts and rates, the dispositions table and its notes, and every {not_final}
    in the researcher's words take the dispositions from one reading of the attempts, so they
    agree and a report costs one pass however many parts quote them."""
    from fieldkit import dispositions
    from fieldkit.reports import outline

    outline.set_text(study, "background", "Fieldwork with {not_final} organisations goes on; {RR1} so far.")
    outline.add_recommendation(study, "Call the {not_final} again", "{complete} interviewed in full")
    statements: list[str] = []
    study.conn.set_trace_callback(statements.append)
    try:
        data = build_report_data(study, ReportOptions(sections=ALL_SECTIONS), today=TODAY)
    finally:
        study.conn.set_trace_callback(None)
    facts = "SELECT a.organisation_id, a.at, a.id, a.outcome FROM attempts"  # fieldkit.dispositions' reading
    assert len([s for s in statements if s.startswith(facts)]) == 1
    not_final = sum(not d.final for d in dispositions.of_organisations(study).values())
    assert not_final and data.recommendations[0].text == f"Call the {not_final} again"
    assert data.method.dispositions == {d.code: d.organisations for d in data.dispositions[:-1]}
