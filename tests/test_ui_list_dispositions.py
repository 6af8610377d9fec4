"""The Organisations list's Disposition column, "in interview" status and disposition filter."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from fieldkit import dispositions
from fieldkit.study import Study

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

NAMES = ("Brak Odpowiedzi", "Declined Trust", "Excluded Forum", "In Interview Hub", "Interviewed Group",
         "Untouched Network")


@pytest.fixture
def study_path(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from studies import small_template

    path = tmp_path / "dispositions.fieldkit"
    with Study.create(path, small_template()) as study:
        orgs = study.organisations
        no_answer = orgs.add("Brak Odpowiedzi", phone="0121 496 0001")
        study.attempts.log(no_answer, outcome="No answer", at="2026-11-20T10:00")
        declined = orgs.add("Declined Trust")
        orgs.set_status(declined, "declined")
        orgs.add("Excluded Forum", status="excluded", exclusion_reason="Outside the region")
        under_way = orgs.add("In Interview Hub")
        study.interviews.start(under_way).close()  # begun, not finished: contacting, in interview
        orgs.add("Interviewed Group", status="interviewed")
        orgs.add("Untouched Network")
    return path


def loaded(qtbot, screen) -> None:
    qtbot.waitUntil(lambda: not screen.loader.busy and not screen._debounce.isActive(), timeout=3000)


def column(key: str) -> int:
    from fieldkit.ui.organisation_list import COLUMNS

    return [k for k, _ in COLUMNS].index(key)


def cells(screen, key: str, role=None) -> dict[str, object]:
    """Organisation name -> the ``key`` column's data in ``role`` (display by default)."""
    from fieldkit.ui.qt import Qt

    model = screen.model
    role = Qt.ItemDataRole.DisplayRole if role is None else role
    return {model.data(model.index(row, 0)): model.data(model.index(row, column(key)), role)
            for row in range(model.rowCount())}


def choose(screen, qtbot, data) -> None:
    index = screen.disposition.findData(data)
    assert index >= 0, data
    screen.disposition.setCurrentIndex(index)
    screen.disposition.activated.emit(index)
    loaded(qtbot, screen)


def shown(screen) -> list[str]:
    return sorted(screen.model.data(screen.model.index(r, 0)) for r in range(screen.model.rowCount()))


def test_disposition_column_text_tooltip_and_muted_colour(window):
    from fieldkit.ui.qt import QGuiApplication, QPalette, Qt

    screen = window.screen_for("organisations")
    assert cells(screen, "disposition") == {
        "Brak Odpowiedzi": "3.13 No answer",
        "Declined Trust": "2.11 Refusal",
        "Excluded Forum": "4.10 Out of sample",
        "In Interview Hub": "2.12 In interview",
        "Interviewed Group": "1.1 Complete interview",
        "Untouched Network": "3.11 Not attempted or worked",
    }
    tips = cells(screen, "disposition", Qt.ItemDataRole.ToolTipRole)
    assert tips["Brak Odpowiedzi"] == "3.13 No answer (temporary) — latest attempt: No answer"
    assert tips["Excluded Forum"] == "4.10 Out of sample — excluded: Outside the region"
    assert tips["In Interview Hub"] == ("2.12 In interview, counted as a break-off until finished — "
                                        "in interview (not yet finished)")
    muted = QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)
    colours = {name: brush.color() if brush is not None else None
               for name, brush in cells(screen, "disposition", Qt.ItemDataRole.ForegroundRole).items()}
    assert colours == {"Brak Odpowiedzi": muted, "Declined Trust": None, "Excluded Forum": None,
                       "In Interview Hub": muted, "Interviewed Group": None, "Untouched Network": muted}
    assert cells(screen, "name", Qt.ItemDataRole.ForegroundRole)["Brak Odpowiedzi"] is None


def test_status_column_says_in_interview(window):
    screen = window.screen_for("organisations")
    assert cells(screen, "status") == {
        "Brak Odpowiedzi": "Contacting",
        "Declined Trust": "Declined",
        "Excluded Forum": "Excluded: Outside the region",
        "In Interview Hub": "Contacting · in interview",
        "Interviewed Group": "Interviewed",
        "Untouched Network": "Identified",
    }


def test_counts_line_mentions_those_in_interview(window, qtbot):
    screen = window.screen_for("organisations")
    study = window.session.study
    assert screen.counts.text() == "6 organisations · 5 on database · 1 interviewed · 1 in interview"
    hub = study.organisations.find_by_name("In Interview Hub")[0]
    session = study.interviews.resume(study.interviews.for_organisation(hub)[0].id)
    window.session.call(session.finish, "complete", changes={"interviews", "organisations"})
    session.close()
    loaded(qtbot, screen)
    assert screen.counts.text() == "6 organisations · 5 on database · 2 interviewed"


def test_filter_in_interview_a_code_a_group_and_a_state(window, qtbot):
    screen = window.screen_for("organisations")
    choose(screen, qtbot, "in_interview")
    assert shown(screen) == ["In Interview Hub"]
    assert screen.counts.text() == "1 of 6 organisations · 1 on database · 0 interviewed · 1 in interview"
    choose(screen, qtbot, "3.13")
    assert shown(screen) == ["Brak Odpowiedzi"]
    assert screen.counts.text().startswith("1 of 6 organisations")
    choose(screen, qtbot, "4")
    assert shown(screen) == ["Excluded Forum"]
    choose(screen, qtbot, "2.1")  # refusals and break-offs: the refusal, and the interview under way
    assert shown(screen) == ["Declined Trust", "In Interview Hub"]
    choose(screen, qtbot, "temporary")
    assert shown(screen) == ["Brak Odpowiedzi", "In Interview Hub", "Untouched Network"]
    choose(screen, qtbot, "final")
    assert shown(screen) == ["Declined Trust", "Excluded Forum", "Interviewed Group"]
    screen.search.setText("trust")  # the other filters and the search still apply
    loaded(qtbot, screen)
    assert shown(screen) == ["Declined Trust"]
    screen.clear_filters()
    loaded(qtbot, screen)
    assert len(shown(screen)) == 6 and screen.disposition.currentData() is None


def test_filter_lists_the_fixed_choices_then_each_code_the_study_has(window, qtbot):
    screen = window.screen_for("organisations")
    study = window.session.study
    box = screen.disposition
    texts = [box.itemText(i) for i in range(box.count()) if box.itemText(i)]  # separators have no text
    assert texts == [
        "All dispositions", "In interview", "Temporary (calling goes on)", "Final",
        "1 Interviews", "2.1 Refusals and break-offs", "2.2 Non-contacts", "2.3 Other eligible",
        "3 Unknown eligibility", "4 Not eligible",
        "1.1 Complete interview (1)", "2.11 Refusal (1)", "2.12 Break-off (1)", "3.11 Not attempted or worked (1)",
        "3.13 No answer (1)", "4.10 Out of sample (1)",
    ]
    choose(screen, qtbot, "3.13")
    # a change elsewhere: the codes are counted again, the one chosen stays chosen (even at none)
    org = study.organisations.find_by_name("Brak Odpowiedzi")[0]
    window.session.call(study.attempts.log, org, outcome="Left a message", changes={"attempts"})
    loaded(qtbot, screen)
    texts = [box.itemText(i) for i in range(box.count())]
    assert "3.14 Answering machine (don't know if eligible organisation) (1)" in texts
    assert box.currentText() == "3.13 No answer (0)" and shown(screen) == []
    choose(screen, qtbot, "3.14")
    assert shown(screen) == ["Brak Odpowiedzi"]
    assert "3.13 No answer (0)" not in [box.itemText(i) for i in range(box.count())]


def test_dispositions_are_matched_off_the_ui_thread_and_kept_while_nothing_changes(window, qtbot, monkeypatch):
    screen = window.screen_for("organisations")
    threads = []
    real = dispositions.matching

    def spy(study, wanted):
        threads.append(threading.current_thread())
        return real(study, wanted)

    monkeypatch.setattr(dispositions, "matching", spy)
    choose(screen, qtbot, "temporary")
    screen.search.setText("o")
    loaded(qtbot, screen)
    screen.search.setText("n")
    loaded(qtbot, screen)
    assert len(threads) == 1 and threads[0] is not threading.main_thread()  # worked out once
    study = window.session.study
    org = study.organisations.find_by_name("Untouched Network")[0]
    window.session.call(study.organisations.set_status, org, "unreachable", changes={"organisations"})
    loaded(qtbot, screen)
    assert len(threads) == 2  # the study changed: worked out again
    screen.search.clear()
    loaded(qtbot, screen)
    assert len(threads) == 2 and shown(screen) == ["Brak Odpowiedzi", "In Interview Hub"]


def test_the_model_reads_dispositions_for_the_page_drawn_only(qapp, tmp_path, monkeypatch):
    from studies import small_template

    from fieldkit.ui.organisation_list import PAGE, OrganisationTableModel

    with Study.create(tmp_path / "many.fieldkit", small_template()) as study:
        with study.transaction():
            for i in range(3 * PAGE):
                study.organisations.add(f"Organisation {i:04d}")
        asked: list[list[int]] = []
        real = dispositions.of_organisations
        monkeypatch.setattr(dispositions, "of_organisations",
                            lambda s, ids=None: asked.append(ids) or real(s, ids=ids))
        model = OrganisationTableModel(study)
        ids = study.organisations.ids()
        model.set_ids(ids)
        assert model.data(model.index(PAGE + 5, column("disposition"))) == "3.11 Not attempted or worked"
        assert asked == [ids[PAGE:2 * PAGE]]
        model.data(model.index(PAGE + 6, column("status")))
        assert len(asked) == 1  # cached with the rest of the row


def test_columns_leave_the_name_room_and_give_it_back_on_a_wide_window(window, qtbot):
    screen = window.screen_for("organisations")
    header = screen.table.horizontalHeader()
    metrics = screen.table.fontMetrics()
    disposition, status = column("disposition"), column("status")
    window.resize(1920, 1000)
    qtbot.waitUntil(lambda: header.sectionSize(disposition) == screen._natural["disposition"])
    assert screen._natural["disposition"] > metrics.horizontalAdvance("2.21 Respondent never available")
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: header.sectionSize(disposition) < screen._natural["disposition"])
    assert header.sectionSize(0) >= 220  # the name keeps its room
    assert header.sectionSize(status) > metrics.horizontalAdvance("Contacting · in interview")
    assert header.sectionSize(disposition) > metrics.horizontalAdvance("1.1 Complete interview")
    header.resizeSection(disposition, 300)  # the researcher's width is kept from then on
    window.resize(1400, 800)
    qtbot.wait(20)
    assert header.sectionSize(disposition) == 300
