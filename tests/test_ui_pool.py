"""The Pool screen: grouped by theme and question, redaction by typing, tags, search, delete,
the answers still held with their interviews and moving them at the end of fieldwork, and
never a hint of who said what."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fieldkit.study import Study
from ui_typing import type_text

BARRIERS = ["Brak lokalu i pieniędzy na czynsz", "پیسے کی کمی اور جگہ نہیں", "没有场地，资金也很少"]
HELP = ["A named worker at the council who returns calls"]


@pytest.fixture
def study_path(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from studies import small_template

    path = tmp_path / "pool.fieldkit"
    with Study.create(path, small_template()) as study:
        answers = [
            {"sector_barriers": BARRIERS[0], "sector_engaged": "Low"},
            {"sector_barriers": BARRIERS[1], "sector_help": HELP[0], "sector_engaged": "Low"},
            {"sector_barriers": BARRIERS[2], "sector_engaged": "High"},
        ]
        for i, given in enumerate(answers):
            org = study.organisations.add(f"Organisation {i}", contacts=[{"name": f"Contact {i}"}])
            session = study.interviews.start(org, interviewer="Ruth")
            for qid, value in given.items():
                session.save_answer(qid, value)
            session.complete()
        study.held.move_now()  # three interviews are fewer than k: moved by hand, as at the end of fieldwork
    return path


def _tree(screen) -> dict[str, str]:
    out = {}
    for g in range(screen.groups.topLevelItemCount()):
        item = screen.groups.topLevelItem(g)
        out[item.text(0)] = item.text(1)
        for c in range(item.childCount()):
            out[f"{item.text(0)} / {item.child(c).text(0)}"] = item.child(c).text(1)
    return out


def _list(screen) -> list[str]:
    return [screen.list.item(i).text() for i in range(screen.list.count())]


def _comments(screen) -> list[str]:
    return [screen.list.item(i).text() for i in range(screen.list.count())
            if screen.list.item(i).data(screen_role()) is not None]


def screen_role():
    from fieldkit.ui.pool import _COMMENT

    return _COMMENT


def _group(screen, text: str):
    for g in range(screen.groups.topLevelItemCount()):
        item = screen.groups.topLevelItem(g)
        if item.text(0) == text:
            return item
        for c in range(item.childCount()):
            if item.child(c).text(0) == text:
                return item.child(c)
    raise KeyError(text)


def _select_comment(screen, text: str) -> None:
    for i in range(screen.list.count()):
        if screen.list.item(i).text() == text:
            screen.list.setCurrentRow(i)
            return
    raise KeyError(text)


def test_grouped_by_theme_and_question_with_counts_for_choices(window):
    from fieldkit.ui.qt import QLabel

    screen = window.show_screen("pool")
    assert _tree(screen) == {
        "All comments": "7",
        "Barriers": "3",
        "Barriers / What holds small groups back?": "3",
        "What would help": "1",
        "What would help / What would help them?": "1",
        "No theme": "3",
        "No theme / How engaged are small groups?": "3",
    }
    screen.groups.setCurrentItem(_group(screen, "Barriers"))
    assert screen.list_title.text() == "Barriers"
    assert _list(screen)[0] == "What holds small groups back?  ·  3 comments"
    assert sorted(_comments(screen)) == sorted(BARRIERS)
    # the scale question is counted overall, not listed answer by answer
    screen.groups.setCurrentItem(_group(screen, "No theme"))
    assert _comments(screen) == []
    widgets = [screen.list.itemWidget(screen.list.item(i)) for i in range(screen.list.count())]
    counts = [w for w in widgets if isinstance(w, QLabel) and w.accessibleName() == "Answers counted"]
    assert len(counts) == 1
    text = re.sub(r"<[^>]+>|&nbsp;", " ", counts[0].text())
    assert re.search(r"Low\s+2\b", text) and re.search(r"Medium\s+0\b", text) and re.search(r"High\s+1\b", text)


def test_redact_by_typing_is_stored_and_undoable(window, qtbot):
    from fieldkit.ui.qt import Qt

    screen = window.show_screen("pool")
    study = window.session.study
    screen.groups.setCurrentItem(_group(screen, "What holds small groups back?"))
    _select_comment(screen, BARRIERS[1])
    comment_id = screen._current.id
    screen.editor.setFocus()
    screen.editor.selectAll()
    redacted = "Brak pieniędzy · پیسے کی کمی · 资金很少 [name removed]"
    type_text(screen.editor, redacted)
    qtbot.waitUntil(lambda: study.pool.get(comment_id).text == redacted, timeout=3000)
    assert BARRIERS[1] not in _comments(screen) and redacted in _comments(screen)
    assert [c.id for c in study.pool.comments(search="资金很少")] == [comment_id]
    qtbot.keyClick(screen.editor, Qt.Key_Escape)
    assert screen.list.hasFocus()
    window.session.undo_stack.undo()
    assert study.pool.get(comment_id).text == BARRIERS[1]
    assert BARRIERS[1] in _comments(screen)
    window.session.undo_stack.redo()
    path = study.path
    window.close()
    with Study.open(path) as again:
        assert sorted(c.text for c in again.pool.comments(question_id="sector_barriers")) == sorted(
            [BARRIERS[0], redacted, BARRIERS[2]])


def test_an_edit_is_saved_when_moving_to_another_comment(window, qtbot):
    screen = window.show_screen("pool")
    study = window.session.study
    _select_comment(screen, HELP[0])
    comment_id = screen._current.id
    screen.editor.setFocus()
    screen.editor.moveCursor(screen.editor.textCursor().MoveOperation.End)
    type_text(screen.editor, " (in Coventry)")
    _select_comment(screen, BARRIERS[0])  # before the pause: saved on leaving
    assert study.pool.get(comment_id).text == HELP[0] + " (in Coventry)"


def test_tagging_with_themes(window, qtbot):
    from fieldkit.ui.qt import QPoint, Qt

    screen = window.show_screen("pool")
    study = window.session.study
    screen.groups.setCurrentItem(_group(screen, "Barriers"))
    _select_comment(screen, BARRIERS[2])
    comment_id = screen._current.id
    box = screen.theme_boxes["help"]
    assert screen.theme_boxes["barriers"].isChecked() and not box.isChecked()
    qtbot.mouseClick(box, Qt.LeftButton, pos=QPoint(6, box.height() // 2))  # on the tick box itself
    assert study.pool.get(comment_id).themes == ("barriers", "help")
    assert _tree(screen)["What would help"] == "2"
    assert screen._current.id == comment_id  # still on the same comment
    screen.theme_boxes["barriers"].setFocus()
    qtbot.keyClick(screen.theme_boxes["barriers"], Qt.Key_Space)
    assert study.pool.get(comment_id).themes == ("help",)
    assert _tree(screen)["Barriers"] == "2"
    window.session.undo_stack.undo()
    assert study.pool.get(comment_id).themes == ("barriers", "help")


def test_search_filters_with_the_pools_own_search(window, qtbot):
    screen = window.show_screen("pool")
    screen.search.setFocus()
    type_text(screen.search, "资金")
    qtbot.waitUntil(lambda: _comments(screen) == [BARRIERS[2]], timeout=3000)
    assert screen.found.text() == "1 comment found"
    assert _tree(screen)["All comments"] == "1"
    screen.search.clear()
    type_text(screen.search, "nothing like this")
    qtbot.waitUntil(lambda: screen.found.text() == "No comments found", timeout=3000)
    assert _comments(screen) == []
    screen.search.clear()
    qtbot.waitUntil(lambda: len(_comments(screen)) == 4, timeout=3000)


def test_delete_asks_first_and_undo_puts_it_back(window, qtbot, monkeypatch):
    from fieldkit.ui.qt import QMessageBox, Qt

    screen = window.show_screen("pool")
    study = window.session.study
    _select_comment(screen, HELP[0])
    answers = iter([QMessageBox.No, QMessageBox.Yes])
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: next(answers))
    screen.list.setFocus()
    qtbot.keyClick(screen.list, Qt.Key_Delete)
    assert len(study.pool.comments(question_id="sector_help")) == 1  # said no
    qtbot.keyClick(screen.list, Qt.Key_Delete)
    assert study.pool.comments(question_id="sector_help") == []
    assert HELP[0] not in _comments(screen)
    assert screen._current is not None  # the next comment is ready
    window.session.undo_stack.undo()
    assert [c.text for c in study.pool.comments(question_id="sector_help")] == HELP


def _all_texts(widget) -> list[str]:
    """Every piece of text the Pool screen shows or exposes: labels, buttons, fields, items,
    tool tips and accessible names."""
    from fieldkit.ui.qt import (QAbstractButton, QLabel, QLineEdit, QListWidget, QPlainTextEdit, QTreeWidget,
                                QWidget)

    texts = []
    for w in [widget] + widget.findChildren(QWidget):
        texts += [w.toolTip(), w.accessibleName(), w.accessibleDescription(), w.windowTitle()]
        if isinstance(w, (QLabel, QAbstractButton)):
            texts.append(w.text())
        if isinstance(w, QLineEdit):
            texts += [w.text(), w.placeholderText()]
        if isinstance(w, QPlainTextEdit):
            texts += [w.toPlainText(), w.placeholderText()]
        if isinstance(w, QListWidget):
            for i in range(w.count()):
                texts += [w.item(i).text(), w.item(i).toolTip()]
        if isinstance(w, QTreeWidget):
            stack = [w.topLevelItem(i) for i in range(w.topLevelItemCount())]
            while stack:
                item = stack.pop()
                texts += [item.text(c) for c in range(w.columnCount())]
                texts += [item.toolTip(c) for c in range(w.columnCount())]
                stack += [item.child(i) for i in range(item.childCount())]
    return [t for t in texts if t]


def test_nothing_on_the_pool_screen_names_who_said_what(qtbot, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from fieldkit.demo import build_demo
    from fieldkit.ui.main_window import MainWindow

    path = tmp_path / "demo.fieldkit"
    build_demo(path, organisations=60).close()
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_study(path)
    study = w.session.study
    screen = w.show_screen("pool")
    names: set[str] = set()
    for org in study.organisations.many(study.organisations.ids()):
        names |= {org.name, org.phone, org.email, org.address, org.website}
        for contact in study.organisations.contacts(org.id):
            names |= {contact.name, contact.phone, contact.email}
        for interview in study.interviews.for_organisation(org.id):
            names |= {interview.interviewer, interview.date}
    names = {n for n in names if n and len(n) > 3}
    assert len(names) > 100

    seen: list[str] = []
    groups = [screen.groups.topLevelItem(i) for i in range(screen.groups.topLevelItemCount())]
    groups += [g.child(i) for g in groups for i in range(g.childCount())]
    for group in groups:
        screen.groups.setCurrentItem(group)
        for row in (0, 1, 5):
            screen.list.setCurrentRow(row)
            seen += _all_texts(screen)
    assert len(seen) > 500
    leaks = sorted({n for n in names for text in seen if n in text})
    assert leaks == []
    # nor a date, time or interview number of any kind
    words = [re.sub(r"<[^>]+>", " ", t) for t in seen]  # the words of rich text, not its markup
    assert not [t for t in words if re.search(r"\d{4}-\d\d-\d\d|\d\d:\d\d|#\d+|\binterview(er)?\b", t, re.I)]
    w.close()


@pytest.fixture
def held_path(tmp_path: Path, monkeypatch) -> Path:
    """Three finished interviews and one unfinished hold answers to one question; one finished
    interview holds an answer to another. k is 5, so nothing has moved yet."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from studies import small_template

    path = tmp_path / "held.fieldkit"
    with Study.create(path, small_template()) as study:
        for i, text in enumerate(BARRIERS + ["Brak czasu"]):
            org = study.organisations.add(f"Organisation {i}", category="Network")
            session = study.interviews.start(org)
            session.save_answer("sector_barriers", text)
            if i == 0:
                session.save_answer("sector_help", HELP[0])
            if i < 3:
                session.complete()
    return path


def _held_rows(screen) -> list[list[str]]:
    tree = screen.held.tree
    return [[tree.topLevelItem(r).text(c) for c in range(tree.columnCount()) if not tree.isColumnHidden(c)]
            for r in range(tree.topLevelItemCount())]


def _answer_box(label: str, seen: list[str]) -> None:
    from fieldkit.ui.qt import QApplication, QMessageBox

    box = QApplication.activeModalWidget()
    assert isinstance(box, QMessageBox)
    seen.append(box.text())
    [button] = [b for b in box.buttons() if b.text() == label]
    button.click()


@pytest.fixture
def held_window(qtbot, held_path: Path):
    """The main window on the study with held answers (conftest's ``open_window``)."""
    from conftest import open_window

    w = open_window(qtbot, held_path)
    yield w
    w.close()


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_held_answers_are_listed_and_moved_at_the_end_of_fieldwork_after_a_warning(qtbot, held_window, held_path: Path):
    from fieldkit.ui.qt import QTimer

    w = held_window
    screen = w.show_screen("pool")
    assert _held_rows(screen) == [
        ["What holds small groups back?", "3 of 5 finished interviews", "1 unfinished"],
        ["What would help them?", "1 of 5 finished interviews", ""],
    ]
    assert screen.held.isVisible() and screen.held.tree.isVisible()
    assert screen.held.summary.text() == ("<b>Held with interviews</b> · 5 anonymous answers wait with their "
                                          "interviews until 5 finished interviews have answered the same question, "
                                          "then move to the pool together.")
    assert screen.held.move_button.isEnabled()
    assert _comments(screen) == []

    seen: list[str] = []
    QTimer.singleShot(0, lambda: _answer_box("Cancel", seen))
    assert screen.held.move_now() is False  # the warning first; Cancel moves nothing
    assert "its answers would be hidden among only 3 interviews" in seen[0]
    assert "“What would help them?”: its answers would be hidden among only 1 interview<" in seen[0]
    assert w.session.study.held.count() == 5

    QTimer.singleShot(0, lambda: _answer_box("Move to the pool anyway", seen))
    screen.held.move_button.click()
    assert sorted(_comments(screen)) == sorted(BARRIERS + HELP)  # the screen redrew
    assert _held_rows(screen) == [["What holds small groups back?", "0 of 5 finished interviews", "1 unfinished"]]
    assert not screen.held.move_button.isEnabled()  # only an unfinished interview holds anything
    assert screen.held.message.text() == "Moved 4 answers to the pool."
    w.close()
    with Study.open(held_path) as study:
        assert sorted(c.text for c in study.pool.comments()) == sorted(BARRIERS + HELP)
        assert [(g.question_id, g.finished, g.unfinished) for g in study.held.groups()] == [("sector_barriers", 0, 1)]


def test_moving_now_says_so_when_the_log_could_not_be_emptied(held_window, held_path: Path, monkeypatch):
    from fieldkit.storage.wal import Checkpoint
    from fieldkit.ui import errors
    from fieldkit.ui.qt import QTimer

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(errors, "warn", lambda parent, title, text: shown.append((title, text)))
    w = held_window
    study = w.session.study
    wal = Path(f"{held_path}-wal")
    monkeypatch.setattr(study, "empty_wal", lambda **kw: Checkpoint(False, 7, wal))  # another reader, say
    screen = w.show_screen("pool")
    QTimer.singleShot(0, lambda: _answer_box("Move to the pool anyway", []))
    assert screen.held.move_now()
    [(title, text)] = shown
    assert title == "The move is not finished on disk"
    assert "still holds 7 page image(s)" in text and str(wal) in text


def test_the_held_list_follows_interviews_finished_elsewhere(held_window):
    from fieldkit import anonymity

    w = held_window
    screen = w.show_screen("pool")
    study = w.session.study
    anonymity.set_k(study, 4)
    [unfinished] = [r.id for r in study.interviews.listing(completed=False)]
    w.session.call(study.interviews.resume(unfinished).complete, changes={"interviews"})  # the 4th: they move
    assert _held_rows(screen) == [["What would help them?", "1 of 4 finished interviews"]]
    assert sorted(_comments(screen)) == sorted(BARRIERS + ["Brak czasu"])
