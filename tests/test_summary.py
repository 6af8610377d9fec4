"""Summary queries against a hand-counted fixture.

The fixture (built through the real API) is, by category:

    name  category        area        status       flags                 answers (size / board / work)
    N1    Network         Birmingham  interviewed  full, listed          Small / yes / Advice+Youth
    N2    Network         Birmingham  interviewed  full                  Small / no  / Youth
    N3    Network         Coventry    contacting   -                     -
    N4    Network         Coventry    excluded (Outside the region)      -
    I1    Infrastructure  Regional    interviewed  listed                Large / yes / Advice
    I2    Infrastructure  Birmingham  unreachable  listed                -
    I3    Infrastructure  -           declined     -                     -
    X1    -               Coventry    interviewed  -                     Medium / - / Health   (no category)
    X2    -               -           identified   -                     -
    X3    -               Regional    excluded (Closed down)             -
    X4    Access point    Regional    excluded (no reason recorded)      -

Hand counts: 11 organisations; excluded 3 (Outside the region 1, Closed down 1, not recorded 1);
on database 8; interviewed 4; not reached 1; declined 1; listed with permission 3 (I2 counts:
unreachable but on the database); contacted 10 (all but X2, which has no attempt).
"""

from __future__ import annotations

import pytest

from fieldkit import summary
from fieldkit.errors import InvalidValueError
from fieldkit.study import Study


@pytest.fixture
def counted(small_study: Study) -> Study:
    s = small_study
    orgs = s.organisations

    def interview(org_id: int, **answers):
        session = s.interviews.start(org_id)
        for q, v in answers.items():
            session.save_answer(q, v)
        session.complete()

    n1 = orgs.add("N1", category="Network", area="Birmingham", flags=["permission_to_list"])
    interview(n1, role="Chair", size="Small", board=True, work=["Advice", "Youth"], sector_barriers="Rent")
    n2 = orgs.add("N2", category="Network", area="Birmingham")
    interview(n2, role="Chair", size="Small", board=False, work=["Youth"], sector_barriers="Time")
    n3 = orgs.add("N3", category="Network", area="Coventry")
    s.attempts.log(n3, outcome="No answer")
    orgs.add("N4", category="Network", area="Coventry", status="excluded", exclusion_reason="Outside the region")
    i1 = orgs.add("I1", category="Infrastructure", area="Regional", flags=["permission_to_list"])
    interview(i1, size="Large", board=True, work=["Advice"], sector_barriers="Money")  # role (required) missing
    orgs.add("I2", category="Infrastructure", area="Birmingham", status="unreachable",
             flags=["permission_to_list"])
    orgs.add("I3", category="Infrastructure", status="declined")
    x1 = orgs.add("X1", area="Coventry")
    interview(x1, role="Manager", size="Medium", work=["Health"], sector_barriers="Trust")
    orgs.add("X2")
    orgs.add("X3", area="Regional", status="excluded", exclusion_reason="Closed down")
    orgs.add("X4", category="Access point", area="Regional", status="excluded")
    return s


def test_by_category(counted: Study):
    result = summary.by_group(counted, "category").as_json(targets=True)
    assert result == {
        "by": "category",
        "rows": [
            {"group": "Network", "on_database": 3, "interviewed": 2, "target": 4},
            {"group": "Infrastructure", "on_database": 3, "interviewed": 1, "target": 2},
            {"group": "Access point", "on_database": 0, "interviewed": 0, "target": 0},
            {"group": "Not recorded", "on_database": 2, "interviewed": 1, "target": 0},
        ],
        "total": {"on_database": 8, "interviewed": 4, "target": 6},
    }


def test_by_area_lists_empty_values_with_zeros(counted: Study):
    result = summary.by_group(counted, "area").as_json()
    assert result["rows"] == [
        {"group": "Birmingham", "on_database": 3, "interviewed": 2},
        {"group": "Coventry", "on_database": 2, "interviewed": 1},
        {"group": "Regional", "on_database": 1, "interviewed": 1},
        {"group": "Not recorded", "on_database": 2, "interviewed": 0},
    ]
    assert result["total"] == {"on_database": 8, "interviewed": 4}


def test_empty_study_has_all_rows_at_zero(small_study: Study):
    result = summary.by_group(small_study, "category").as_json(targets=True)
    assert [r["group"] for r in result["rows"]] == ["Network", "Infrastructure", "Access point"]
    assert all(r["on_database"] == r["interviewed"] == 0 for r in result["rows"])
    assert result["total"] == {"on_database": 0, "interviewed": 0, "target": 6}


def test_method_summary(counted: Study):
    m = summary.method(counted)
    assert m.total == 11
    assert m.excluded == 3
    assert m.excluded_by_reason == [("Outside the region", 1), ("Closed down", 1), ("Not recorded", 1)]
    assert m.on_database == 8
    assert m.interviewed == 4
    assert m.full_interviews == 3  # I1 missed a required question
    assert m.not_reached == 1
    assert m.declined == 1
    assert m.still_contacting == 1
    assert m.not_yet_contacted == 1
    assert m.contacted == 10
    assert m.listed_with_permission == 3


def test_targets_vs_achieved(counted: Study):
    rows = summary.targets(counted)
    assert [(r.group, r.target, r.interviewed) for r in rows] == [("Network", 4, 2), ("Infrastructure", 2, 1)]


def test_crosstab_single_choice(counted: Study):
    t = summary.crosstab(counted, "size")
    assert t.choices == ["Small", "Medium", "Large"]
    rows = {r.group: (r.counts, r.respondents, r.percentages) for r in t.rows}
    assert rows == {
        "Network": ([2, 0, 0], 2, [100.0, 0.0, 0.0]),
        "Infrastructure": ([0, 0, 1], 1, [0.0, 0.0, 100.0]),
        "Access point": ([0, 0, 0], 0, [0.0, 0.0, 0.0]),
        "Not recorded": ([0, 1, 0], 1, [0.0, 100.0, 0.0]),
    }
    assert (t.total.counts, t.total.respondents, t.total.percentages) == ([2, 1, 1], 4, [50.0, 25.0, 25.0])


def test_crosstab_yes_no_and_multiple_choice(counted: Study):
    board = summary.crosstab(counted, "board")
    assert board.choices == ["Yes", "No"]
    assert board.total.counts == [2, 1] and board.total.respondents == 3
    assert sum(board.total.percentages) == pytest.approx(100.0)
    work = summary.crosstab(counted, "work")
    assert work.multiple
    assert work.total.counts == [2, 2, 1] and work.total.respondents == 4
    assert work.total.percentages == [50.0, 50.0, 25.0]


def test_crosstab_counts_latest_interview_once_per_organisation(counted: Study):
    n1 = counted.organisations.find_by_name("N1")[0]
    again = counted.interviews.start(n1, date="2099-01-01")
    again.save_answer("size", "Large")
    t = summary.crosstab(counted, "size")
    network = next(r for r in t.rows if r.group == "Network")
    assert network.counts == [2, 0, 0], "an interview under way is not counted"
    again.complete()
    t = summary.crosstab(counted, "size")
    network = next(r for r in t.rows if r.group == "Network")
    assert network.counts == [1, 0, 1] and network.respondents == 2


def test_each_fraction_is_one_percentage_everywhere():
    # Rounded on their own, half away from zero: the same fraction of the same base is always
    # the same figure, however the rest of its row falls (no forcing rows to add up to 100).
    assert summary.percentages([4, 9], 13) == [31, 69] and summary.percentages([4, 4, 5], 13) == [31, 31, 38]
    assert summary.percentages([3, 4], 7) == [43, 57] and summary.percentages([3, 3, 1], 7) == [43, 43, 14]
    assert summary.percentages([1, 1, 1], 3) == [33, 33, 33]  # adds up to 99: a table says so in a note
    assert summary.percent(1, 8) == 13 and summary.percent(5, 8) == 63  # 12.5 and 62.5: halves go up
    assert summary.percent(-1, 8) == -13  # away from zero, either way
    assert summary.percentages([0, 0], 0) == [0, 0] and summary.percent(3, 0) is None


def test_whole_percentages_under_a_base_of_100_one_decimal_from_100():
    assert summary.percent_places(99) == 0 and summary.percent_places(100) == 1
    assert summary.percent(40, 130) == 30.8 and summary.percent(13, 130) == 10.0
    assert summary.percent(1, 400) == 0.3 and summary.percent(1, 200) == 0.5  # 0.25 up to 0.3
    # As printed: the base decides the places, so "2 (100%)" beside "30.8%" of 130.
    assert summary.percent_text(summary.percent(2, 2), 2) == "100%"
    assert summary.percent_text(summary.percent(4, 13), 13) == "31%"
    assert summary.percent_text(summary.percent(130, 130), 130) == "100.0%"
    assert summary.percent_text(summary.percent(40, 130), 130) == "30.8%"
    assert summary.percent_text(None, 13) == ""
    assert summary.add_up([31, 69]) and not summary.add_up([33, 33, 33]) and not summary.add_up([50, None])
    assert summary.add_up([30.8, 69.2]) and not summary.add_up([33.3, 33.3, 33.3])


def test_crosstab_refuses_text_and_unknown_questions(counted: Study):
    with pytest.raises(InvalidValueError, match="only choice"):
        summary.crosstab(counted, "story")
    with pytest.raises(InvalidValueError, match="no question"):
        summary.crosstab(counted, "nope")
    with pytest.raises(InvalidValueError, match="category or area"):
        summary.by_group(counted, "colour")
