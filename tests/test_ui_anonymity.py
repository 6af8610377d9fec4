"""The Reports screen's anonymity warnings: pooled questions whose answers hide among fewer
than k interviews (fieldkit.anonymity.warnings), and for a question counted by category, the
categories still short of k finished interviews (fieldkit.held)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from fieldkit.study import Study
from fieldkit.template_toml import template_from_dict
from studies import SMALL_TEMPLATE

FUNDING = "Knowledge of funding"


def counted_template():
    """The small template with an anonymous scale question counted by category."""
    data = copy.deepcopy(SMALL_TEMPLATE)
    data["sections"][1]["questions"].append(
        {"id": "sector_funding", "type": "scale", "label": FUNDING, "anonymous": True,
         "choices": ["Low", "Some", "Good"], "count_by": "category"})
    return template_from_dict(data, source="counted test template")


def interview(study: Study, name: str, category: str, answers: dict, *, finish: bool = True) -> int:
    org = study.organisations.add(name, category=category)
    session = study.interviews.start(org)
    for qid, value in answers.items():
        session.save_answer(qid, value)
    if finish:
        session.complete()
    return session.interview_id


@pytest.fixture
def study_path(tmp_path: Path, monkeypatch) -> Path:
    """Two interviews moved to the pool early (by hand, fewer than k), then two Infrastructure
    interviews and one Access point interview finished, and one Access point unfinished."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = tmp_path / "counted.fieldkit"
    with Study.create(path, counted_template(), title="Counted study") as study:
        for i in range(2):
            interview(study, f"Early {i}", "Network", {"sector_barriers": f"Za mało pieniędzy {i}",
                                                       "sector_funding": "Low"})
        study.held.move_now()
        for i in range(2):
            interview(study, f"Hub {i}", "Infrastructure", {"sector_funding": "Some"})
        interview(study, "Point 0", "Access point", {"sector_funding": "Good"})
        interview(study, "Point 1", "Access point", {"sector_funding": "Good"}, finish=False)
    return path


def test_reports_screen_warns_of_small_groups_and_categories_below_k(window, qtbot):
    from fieldkit import anonymity

    screen = window.show_screen("reports")
    study = window.session.study
    box = screen.anonymity
    assert box.isVisible()
    core = anonymity.warnings(study)
    assert len(core) == 2  # both pooled questions were moved in a group of 2
    assert box.lines[:2] == [line.removeprefix("anonymity: ")[0].upper() + line.removeprefix("anonymity: ")[1:] + "."
                             for line in core]
    assert "“What holds small groups back?” were moved to the pool in a group of 2 interviews" in box.text()
    assert box.lines[2] == (f"{FUNDING}: Infrastructure 2 of 5, Access point 1 of 5. Counted by category once 5 "
                            "finished interviews of a category have answered.")

    # three more Infrastructure interviews finish: that category reaches k and moves
    for i in range(2, 5):
        org = study.organisations.add(f"Hub {i}", category="Infrastructure")
        session = study.interviews.start(org)
        session.save_answer("sector_funding", "Good")
        window.session.call(session.complete, changes={"interviews"})
    assert box.lines[2].startswith(f"{FUNDING}: Access point 1 of 5. Counted by category")
    assert study.pool.by_category("sector_funding")["Infrastructure"][""] == 5
    assert "Infrastructure" not in box.text()


def test_no_warning_box_when_every_pooled_answer_hides_among_k(qtbot, tmp_path: Path, monkeypatch):
    from fieldkit.ui.main_window import MainWindow

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = tmp_path / "safe.fieldkit"
    with Study.create(path, counted_template()) as study:
        for i in range(5):
            interview(study, f"Network {i}", "Network", {"sector_barriers": f"Brak czasu {i}", "sector_funding": "Low"})
        assert study.held.count() == 0 and study.pool.count() == 10
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_study(path)
    w.show()
    screen = w.show_screen("reports")
    assert screen.anonymity.lines == [] and screen.anonymity.isHidden()
    w.close()
