"""The Pool screen shapes the report's quotations: a comment is quoted under a theme with a
tick, the "Report quotations" panel puts a theme's quotations in order, and comments that say
the same thing are merged (the duplicate stays in the pool, never quoted). The list keeps the
pool's own order throughout, and the built report prints exactly what was chosen."""

from __future__ import annotations

import re

import pytest
from studies import pool_now

from fieldkit import quotations
from fieldkit.reports.data import ReportOptions, build_report_data
from fieldkit.study import Study

#: Written in this order, one an interview; the pool's order (random ids) is another.
BARRIERS = [
    "Rent for a hall has doubled.",
    "Nobody has time to write bids.",
    "Funders want match funding we do not have.",
    "Trust between groups takes years to build.",
    "Nobody on the committee has the time to write the long bids funders now expect.",
    "Brak lokalu i pieniędzy na czynsz.",
    "没有场地，资金也很少。",
    "Volunteers leave once they find paid work.",
    "Insurance costs more every year.",
    "The council stopped the small grants.",
    "No one knows who to ask for advice.",
    "Transport to meetings is hard for older members.",
]
HELP = ["A shared office with other groups.", "Small grants with simple forms."]


@pytest.fixture
def window(qtbot, small_study: Study, warnings):
    """The main window on a small study whose finished interviews' answers were moved to the
    pool at the end of fieldwork, on the Pool screen."""
    from conftest import open_study_window

    sessions = []
    for k, text in enumerate(BARRIERS):
        org = small_study.organisations.add(f"Quotation Group {k}", category="Network",
                                            contacts=[{"name": f"Person Number {k}"}])
        session = small_study.interviews.start(org, interviewer="Ruth Interviewer")
        session.save_answer("sector_barriers", text)
        if k < len(HELP):
            session.save_answer("sector_help", HELP[k])
        sessions.append(session)
    pool_now(small_study, *sessions)
    w = open_study_window(qtbot, small_study, size=(1280, 800))
    w.show_screen("pool")
    yield w
    w.close()


def _screen(window):
    return window.screens["pool"]


def _rows(screen) -> list:
    """The comments of the main list, top to bottom (each a Comment)."""
    from fieldkit.ui.pool import _COMMENT

    return [screen.list.item(i).data(_COMMENT) for i in range(screen.list.count())
            if screen.list.item(i).data(_COMMENT) is not None]


def _row(screen, text: str):
    from fieldkit.ui.pool import _COMMENT

    for i in range(screen.list.count()):
        c = screen.list.item(i).data(_COMMENT)
        if c is not None and c.text == text:
            return screen.list.item(i)
    raise KeyError(text)


def _select(screen, text: str) -> int:
    from fieldkit.ui.qt import QItemSelectionModel

    screen.list.setCurrentItem(_row(screen, text), QItemSelectionModel.ClearAndSelect)
    assert screen._current.text == text
    return screen._current.id


def _id(study: Study, text: str) -> int:
    [c] = [c for c in study.pool.comments() if c.text == text]
    return c.id


def _click_box(qtbot, box) -> None:
    from fieldkit.ui.qt import QPoint, Qt

    assert box.isVisible() and box.isEnabled()
    qtbot.mouseClick(box, Qt.LeftButton, pos=QPoint(6, box.height() // 2))  # on the tick itself


def _quote(qtbot, screen, text: str, theme: str = "barriers") -> int:
    comment_id = _select(screen, text)
    box = screen.quote_boxes.boxes[theme]
    assert not box.isChecked()
    _click_box(qtbot, box)
    return comment_id


def _panel(screen) -> list[str]:
    panel = screen.quotes
    return [panel.list.item(i).text() for i in range(panel.list.count())]


def _click_rows(qtbot, screen, *texts: str) -> None:
    """Click the first comment, Ctrl+click the others (as a person selects several)."""
    from fieldkit.ui.qt import Qt

    for n, text in enumerate(texts):
        item = _row(screen, text)
        screen.list.scrollToItem(item)
        qtbot.mouseClick(screen.list.viewport(), Qt.LeftButton, Qt.ControlModifier if n else Qt.NoModifier,
                         pos=screen.list.visualItemRect(item).center())


def test_ticking_the_box_saves_the_choice(window, qtbot, warnings):
    from fieldkit.ui.qt import Qt

    screen, study = _screen(window), window.session.study
    comment_id = _select(screen, BARRIERS[3])
    box = screen.quote_boxes.boxes["barriers"]
    assert box.text() == "Quote in the report under “Barriers”"
    assert box.accessibleName() == "Quote in the report under Barriers"
    assert not screen.quote_boxes.boxes["help"].isVisible()  # the comment is not under that theme
    assert "★" not in _row(screen, BARRIERS[3]).text()
    _click_box(qtbot, box)
    assert box.isChecked()
    assert quotations.chosen_for(study, "barriers") == [comment_id]
    assert _row(screen, BARRIERS[3]).text() == f"{BARRIERS[3]}\n★ In the report: Barriers"
    assert not [c for c in _rows(screen) if c.id != comment_id and "★" in _row(screen, c.text).text()]
    assert screen._current.id == comment_id  # still on the same comment

    box.setFocus()
    qtbot.keyClick(box, Qt.Key_Space)  # untick
    assert quotations.chosen_for(study, "barriers") == []
    assert _row(screen, BARRIERS[3]).text() == BARRIERS[3]
    window.session.undo_stack.undo()
    assert quotations.chosen_for(study, "barriers") == [comment_id]
    assert screen.quote_boxes.boxes["barriers"].isChecked()

    # a comment without a theme is quoted under "Other comments"
    other = _select(screen, BARRIERS[0])
    qtbot.keyClick(screen.theme_boxes["barriers"], Qt.Key_Space)  # untagged: no theme now
    assert study.pool.get(other).themes == ()
    _select(screen, BARRIERS[0])
    _click_box(qtbot, screen.quote_boxes.boxes[""])
    assert screen.quote_boxes.boxes[""].text() == "Quote in the report under “Other comments”"
    assert quotations.chosen_for(study, "") == [other]
    assert warnings == []

    path = study.path
    window.close()
    with Study.open(path) as again:
        assert quotations.chosen(again) == {"barriers": [comment_id], "": [other]}


def test_the_panel_puts_the_quotations_in_order_and_it_is_saved(window, qtbot, warnings):
    from fieldkit.ui.qt import QModelIndex, Qt

    screen, study = _screen(window), window.session.study
    panel = screen.quotes
    a, b, c = (_quote(qtbot, screen, BARRIERS[k]) for k in (2, 6, 9))
    assert panel.theme.currentText() == "Barriers"
    assert _panel(screen) == [f"1. {BARRIERS[2]}", f"2. {BARRIERS[6]}", f"3. {BARRIERS[9]}"]
    assert panel.summary.text().startswith("The report quotes these 3 under “Barriers”, in this order.")

    panel.list.setCurrentRow(2)
    assert not panel.down_button.isEnabled()
    panel.up_button.click()
    assert quotations.chosen_for(study, "barriers") == [a, c, b]
    assert _panel(screen) == [f"1. {BARRIERS[2]}", f"2. {BARRIERS[9]}", f"3. {BARRIERS[6]}"]
    assert panel.list.currentRow() == 1  # the moved quotation stays selected
    panel.list.setCurrentRow(0)
    panel.down_button.click()
    assert quotations.chosen_for(study, "barriers") == [c, a, b]
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key_Up, Qt.ControlModifier)  # the keyboard's Move up
    assert quotations.chosen_for(study, "barriers") == [a, c, b]
    # dragged into a new order
    assert panel.list.model().moveRow(QModelIndex(), 2, QModelIndex(), 0)
    qtbot.waitUntil(lambda: quotations.chosen_for(study, "barriers") == [b, a, c], timeout=3000)
    window.session.undo_stack.undo()
    assert quotations.chosen_for(study, "barriers") == [a, c, b]

    panel.list.setCurrentRow(1)
    panel.remove_button.click()
    assert quotations.chosen_for(study, "barriers") == [a, b]
    assert "★" not in _row(screen, BARRIERS[9]).text()  # the list and the comment's box follow
    assert study.pool.get(c).text == BARRIERS[9]        # it stays in the pool

    # double-click a quotation: the comment is found in the list, even when another group hid it
    from test_ui_pool import _group

    screen.groups.setCurrentItem(_group(screen, "What would help"))
    assert b not in [x.id for x in _rows(screen)]
    assert panel.theme.currentText() == "What would help"  # the panel follows the group chosen
    panel.show_theme("barriers")
    item = panel.list.item(1)
    pos = panel.list.visualItemRect(item).center()
    qtbot.mouseClick(panel.list.viewport(), Qt.LeftButton, pos=pos)  # a double click's first press
    qtbot.mouseDClick(panel.list.viewport(), Qt.LeftButton, pos=pos)
    assert screen._current.id == b and screen.list.hasFocus()
    assert warnings == []

    path = study.path
    window.close()
    with Study.open(path) as again:
        assert quotations.chosen_for(again, "barriers") == [a, b]


def test_a_theme_with_nothing_chosen_says_the_report_prints_a_fresh_sample(window, qtbot):
    screen, study = _screen(window), window.session.study
    panel = screen.quotes
    panel.show_theme("barriers")
    assert panel.summary.text() == (
        "Nothing is chosen under “Barriers”: the report prints a fresh random sample of up to 5 of its 12 "
        "comments, drawn anew on every export. Tick “Quote in the report” on a comment to choose.")
    assert panel.list.count() == 0 and not panel.remove_button.isEnabled()
    panel.show_theme("help")
    assert "up to 5 of its 2 comments" in panel.summary.text()
    quotations.set_per_theme(study, 3)
    window.session.notify({"pool"})
    assert "up to 3 of its 2 comments" in panel.summary.text()
    panel.show_theme("")
    assert panel.summary.text() == "Nothing is chosen under “Other comments”, and it has no comments to quote yet."


def test_merging_duplicates_saves_them_and_a_chosen_duplicate_gives_its_place(window, qtbot, warnings):
    from fieldkit.ui.qt import QApplication, QPalette, Qt, QTimer

    screen, study = _screen(window), window.session.study
    short, long_ = BARRIERS[1], BARRIERS[4]  # the same point, said twice
    first = _quote(qtbot, screen, BARRIERS[0])
    dup = _quote(qtbot, screen, short)
    last = _quote(qtbot, screen, BARRIERS[7])
    kept = _id(study, long_)
    count = study.pool.count()
    assert not screen.merge_button.isEnabled()  # one comment selected
    _click_rows(qtbot, screen, short, long_)
    assert screen.merge_button.isEnabled() and screen._current.id == kept  # the editor is on the one clicked last
    assert screen.editor.toPlainText() == long_

    seen: list[list[str]] = []

    def answer(accept: bool):
        dialog = QApplication.activeModalWidget()
        seen.append([dialog.list.item(i).text() for i in range(dialog.list.count())] +
                    [dialog.list.currentItem().text()])
        dialog.accept() if accept else dialog.reject()

    QTimer.singleShot(0, lambda: answer(False))
    screen.merge_button.click()  # Cancel: nothing changes
    assert quotations.duplicates(study) == {}
    QTimer.singleShot(0, lambda: answer(True))
    screen.merge_button.click()
    ordered = [c.text for c in _rows(screen) if c.text in (short, long_)]
    assert seen[-1] == ordered + [long_]  # the selected words in the list's order; the longest kept by default
    assert quotations.duplicates(study) == {dup: kept}
    assert quotations.chosen_for(study, "barriers") == [first, kept, last]  # the duplicate gave its place
    assert _panel(screen) == [f"1. {BARRIERS[0]}", f"2. {long_}", f"3. {BARRIERS[7]}"]
    assert study.pool.count() == count  # nothing deleted
    row = _row(screen, short)
    assert row.text() == f"{short}\n(duplicate, not quoted)"
    assert row.foreground().color() == screen.palette().color(QPalette.PlaceholderText)  # greyed
    assert _row(screen, long_).text() == f"{long_}\n★ In the report: Barriers"

    _select(screen, short)
    assert not screen.quote_boxes.boxes["barriers"].isEnabled()  # a duplicate is not quoted
    assert screen.unmerge_button.isEnabled()
    screen.unmerge_button.click()
    assert quotations.duplicates(study) == {}
    assert _row(screen, short).text() == short and row.data(Qt.ForegroundRole) is None
    assert screen.quote_boxes.boxes["barriers"].isEnabled()
    window.session.undo_stack.undo()  # the unmerge
    assert quotations.duplicates(study) == {dup: kept}
    window.session.undo_stack.undo()  # the merge: the choice comes back too
    assert quotations.duplicates(study) == {}
    assert quotations.chosen_for(study, "barriers") == [first, dup, last]
    window.session.undo_stack.redo()
    assert quotations.duplicates(study) == {dup: kept}
    assert warnings == []

    path = study.path
    window.close()
    with Study.open(path) as again:
        assert quotations.duplicates(again) == {dup: kept}
        assert quotations.chosen_for(again, "barriers") == [first, kept, last]
        assert sorted(c.text for c in again.pool.comments(question_id="sector_barriers")) == sorted(BARRIERS)
        [barriers] = [t for t in build_report_data(again, ReportOptions(seed=1)).comments if t.theme_id == "barriers"]
        assert barriers.quotations == (BARRIERS[0], long_, BARRIERS[7])
        assert barriers.available == len(BARRIERS) - 1  # the duplicate is not counted


def test_the_merge_dialog_keeps_the_longest_unless_told(qtbot, small_study: Study):
    from fieldkit.pool import Comment
    from fieldkit.ui.pool_quotations import MergeDialog

    short, long_ = (Comment(n, "sector_barriers", "What holds small groups back?", t, t, ("barriers",))
                    for n, t in ((1, BARRIERS[1]), (2, BARRIERS[4])))
    for comments in ([short, long_], [long_, short]):
        dialog = MergeDialog(comments)
        qtbot.addWidget(dialog)
        assert dialog.kept() is long_
        assert dialog.list.accessibleName() == "Comment to keep"
    dialog.list.setCurrentRow(1)
    assert dialog.kept() is short


def test_the_list_keeps_the_pools_order_after_choosing(window, qtbot):
    from fieldkit.ui.qt import QApplication, QTimer

    screen, study = _screen(window), window.session.study
    pool_order = [c.text for c in study.pool.comments(question_id="sector_barriers")]
    assert [c.text for c in _rows(screen) if c.question_id == "sector_barriers"] == pool_order
    ids = [c.id for c in study.pool.comments(question_id="sector_barriers")]
    assert ids == sorted(ids)          # the pool's own order: by random id
    assert pool_order != BARRIERS      # which is not the order they were written in
    for text in (pool_order[-1], pool_order[0], pool_order[5]):
        _quote(qtbot, screen, text)
    _click_rows(qtbot, screen, pool_order[3], pool_order[8])
    QTimer.singleShot(0, lambda: QApplication.activeModalWidget().accept())
    screen.merge_button.click()
    assert quotations.duplicates(study)
    assert [c.text for c in _rows(screen) if c.question_id == "sector_barriers"] == pool_order
    window.session.notify({"pool"})  # drawn afresh
    assert [c.text for c in _rows(screen) if c.question_id == "sector_barriers"] == pool_order


def test_the_report_prints_exactly_the_chosen_quotations_in_the_chosen_order(window, qtbot):
    screen, study = _screen(window), window.session.study
    x, y, z = (_quote(qtbot, screen, BARRIERS[k]) for k in (10, 0, 7))
    screen.quotes.list.setCurrentRow(1)
    screen.quotes.up_button.click()  # y, x, z
    assert quotations.chosen_for(study, "barriers") == [y, x, z]
    data = build_report_data(study, ReportOptions(seed=1))
    by_theme = {t.theme_id: t for t in data.comments}
    assert by_theme["barriers"].quotations == (BARRIERS[0], BARRIERS[10], BARRIERS[7])
    assert by_theme["barriers"].chosen and by_theme["barriers"].available == 12
    assert not by_theme["help"].chosen and sorted(by_theme["help"].quotations) == sorted(HELP)  # a sample


def test_nothing_the_quotations_show_says_who_said_what(window, qtbot):
    from test_ui_pool import _all_texts

    screen = _screen(window)
    for k in (0, 4, 8):
        _quote(qtbot, screen, BARRIERS[k])
    _click_rows(qtbot, screen, BARRIERS[1], BARRIERS[4])
    from fieldkit.ui.qt import QApplication, QTimer

    QTimer.singleShot(0, lambda: QApplication.activeModalWidget().accept())
    screen.merge_button.click()
    texts = []
    for text in (BARRIERS[1], BARRIERS[4], BARRIERS[8]):
        _select(screen, text)
        texts += _all_texts(screen)
    names = {"Quotation Group", "Person Number", "Ruth"}
    assert not [t for t in texts for n in names if n in t]
    assert not [t for t in texts if re.search(r"\d{4}-\d\d-\d\d|\d\d:\d\d|#\d+|\binterview(er)?\b", t, re.IGNORECASE)]


def test_undoing_a_delete_brings_back_its_quotation_and_its_duplicates(window, qtbot, monkeypatch):
    from fieldkit.ui.qt import QApplication, QMessageBox, QTimer

    screen, study = _screen(window), window.session.study
    chosen = [_quote(qtbot, screen, BARRIERS[k]) for k in (2, 4, 8)]
    _click_rows(qtbot, screen, BARRIERS[1], BARRIERS[4])
    QTimer.singleShot(0, lambda: QApplication.activeModalWidget().accept())  # keeps the longer, [4]
    screen.merge_button.click()
    merged = quotations.duplicates(study)
    assert merged == {_id(study, BARRIERS[1]): chosen[1]}
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    _select(screen, BARRIERS[4])
    screen.delete_button.click()
    assert quotations.chosen_for(study, "barriers") == [chosen[0], chosen[2]]
    assert quotations.duplicates(study) == {}  # its duplicate went with it
    window.session.undo_stack.undo()
    assert quotations.chosen_for(study, "barriers") == chosen
    assert quotations.duplicates(study) == merged
    assert _row(screen, BARRIERS[1]).text().endswith("(duplicate, not quoted)")
