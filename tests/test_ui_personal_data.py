"""Personal data in the app: change history, subject access and erasure from the case form;
the deletion date, its reminder and the removal of personal details from Study settings.

Each test drives the real widgets with the mouse and keyboard, then closes the study and
reads the file back through the core.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from studies import pool_now, small_template
from ui_typing import type_text

from fieldkit import personal_data
from fieldkit.storage import backups
from fieldkit.study import Study

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise|grabbing)")

CONTACT = "Zdzisława Przybyszewska-Wąsowicz"
POOLED = "Funding rules shut small groups out"
TODAY = dt.date.today()


def _fill(s: Study, *, retention: dt.date | None = None) -> None:
    orgs = s.organisations
    alpha = orgs.add("Alpha Network", category="Network", area="Birmingham", phone="0121 496 0001",
                     contacts=[{"name": CONTACT, "role": "Coordinator", "phone": "07700 900111"}])
    interview = s.interviews.start(alpha)
    interview.save_answer("role", "Coordinator")
    interview.close()
    orgs.set_status(alpha, "contacting")  # to finish the interview another day
    s.attempts.log(alpha, outcome="Call back requested", note=f"{CONTACT} is away",
                   callback_at=dt.datetime.combine(TODAY + dt.timedelta(days=2), dt.time(10)))
    bravo = orgs.add("Bravo Forum", category="Infrastructure", phone="024 7696 0002",
                     contacts=[{"name": "Hodan Warsame", "phone": "07700 900222"}])
    s.attempts.log(bravo, outcome="No answer")
    orgs.add("Charlie Trust", category="Network", area="Coventry")
    earlier = s.interviews.start(bravo)  # an answer already in the pool, which nothing links back
    earlier.save_answer("sector_barriers", POOLED)
    pool_now(s, earlier)
    if retention is not None:
        personal_data.set_retention_date(s, retention)


@pytest.fixture
def retention() -> dt.date | None:
    return None


#: Pooled comments that name Alpha Network or its contact (and one that names nobody).
ABOUT_ALPHA = (("We had nowhere to meet until the Alpha Network lent us its back room, and the caretaker there "
                "stayed late every week so that we could finish."),
               "Ask Przybyszewska-Wąsowicz, she knows every funder in the city.")
ABOUT_NOBODY = "Nobody is named in this one."


@pytest.fixture
def pooled() -> tuple[str, ...]:
    return ()


@pytest.fixture
def study_path(tmp_path: Path, retention: dt.date | None, pooled: tuple[str, ...]) -> Path:
    path = tmp_path / "personal.fieldkit"
    with Study.create(path, small_template(), title="Personal data") as s:
        _fill(s, retention=retention)
        if pooled:  # each one finished interview's anonymous answer, moved into the pool
            charlie = s.organisations.find_by_name("Charlie Trust")[0]
            sessions = [s.interviews.start(charlie) for _ in pooled]
            for session, text in zip(sessions, pooled, strict=True):
                session.save_answer("sector_barriers", text)
            pool_now(s, *sessions)
    return path



def open_case(qtbot, window, name: str):
    """Select ``name`` in the list with the arrow keys and open it with Enter."""
    from fieldkit.ui.qt import Qt

    screen = window.screen_for("organisations")
    qtbot.waitUntil(lambda: not screen.loader.busy)
    names = [screen.model.data(screen.model.index(r, 0)) for r in range(screen.model.rowCount())]
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key_Home)
    for _ in range(names.index(name)):
        qtbot.keyClick(screen.table, Qt.Key_Down)
    qtbot.keyClick(screen.table, Qt.Key_Return)
    form = screen.case_form
    assert screen.pages.currentWidget() is form and form.title.text() == name
    return form


def choose(qtbot, button, text: str) -> None:
    """Click ``button`` and pick the menu item that starts with ``text`` with the keyboard."""
    from fieldkit.ui.qt import Qt, QTimer

    menu = button.menu()
    picked = []

    def pick() -> None:
        assert menu.isVisible()
        actions = [a for a in menu.actions() if not a.isSeparator()]
        for _ in actions:  # walk down to the item, as the arrow keys do
            qtbot.keyClick(menu, Qt.Key_Down)
            if menu.activeAction().text().startswith(text):
                break
        picked.append(menu.activeAction().text())
        qtbot.keyClick(menu, Qt.Key_Return)

    QTimer.singleShot(0, pick)
    qtbot.mouseClick(button, Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(picked))
    assert picked[0].startswith(text)


def reopen(window) -> Study:
    path = window.session.study.path
    window.close_study()
    return Study.open(path)


def raw_bytes(path: Path) -> bytes:
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


# --- change history ----------------------------------------------------------------------------


def test_change_history_shows_the_edits_made_newest_first_and_nothing_from_the_pool(window, qtbot):
    from fieldkit.ui.qt import Qt

    form = open_case(qtbot, window, "Alpha Network")
    phone = form.fields["phone"]
    phone.setFocus()
    qtbot.keyClick(phone, Qt.Key_A, Qt.ControlModifier)
    type_text(phone, "0121 496 0999")
    qtbot.keyClick(phone, Qt.Key_Tab)  # leaving the field saves it
    form.flag_boxes["follow_up"].setFocus()
    qtbot.keyClick(form.flag_boxes["follow_up"], Qt.Key_Space)
    form.status.setFocus()
    qtbot.keyClicks(form.status, "Dec")  # declined
    contacts = form.contacts.table
    contacts.setFocus()
    contacts.selectRow(0)
    qtbot.keyClick(contacts, Qt.Key_Return)  # Enter edits the contact
    dialog = form.contacts.dialog
    role = dialog.fields["role"]
    role.setFocus()
    role.selectAll()
    type_text(role, "Chair")
    qtbot.keyClick(role, Qt.Key_Return)
    assert form.study.organisations.contacts(form.org_id)[0].role == "Chair"

    qtbot.mouseClick(form.history_button, Qt.LeftButton)
    history = form.dialog
    qtbot.waitUntil(history.isVisible)
    rows = [row[1:] for row in history.texts()]
    assert rows[:4] == [
        (f"Contact: \u2068{CONTACT}\u2069", "Role", "Coordinator", "Chair"),
        ("Organisation", "Status", "Contacting", "Declined"),
        ("Organisation", "Tick box “Keen for follow-up”", "Not ticked", "Ticked"),
        ("Organisation", "Phone", "0121 496 0001", "0121 496 0999"),
    ]
    assert all(f" {TODAY.year}, " in row[0] for row in history.texts())  # "Tue 24 Nov 2026, 10:00"
    everything = " ".join(" ".join(row) for row in history.texts()) + history.detail.toPlainText()
    assert POOLED not in everything and "Funding" not in everything
    assert "Chair" in history.detail.toPlainText()  # the newest change, in full, below the list
    qtbot.keyClick(history.table, Qt.Key_Escape)
    assert not history.isVisible()


def test_change_history_of_an_untouched_organisation_says_so(window, qtbot):
    from fieldkit.ui.qt import Qt

    form = open_case(qtbot, window, "Charlie Trust")
    qtbot.mouseClick(form.history_button, Qt.LeftButton)
    history = form.dialog
    assert history.texts() == []
    assert history.empty.isVisibleTo(history) and not history.table.isVisibleTo(history)
    history.reject()


# --- subject access ----------------------------------------------------------------------------


def test_subject_access_saves_the_record_and_the_case_sheet_where_the_user_says(window, qtbot, tmp_path, monkeypatch):
    from fieldkit.ui import personal_data as ui

    folder = tmp_path / "requests"
    folder.mkdir()
    asked = []
    monkeypatch.setattr(ui.QFileDialog, "getExistingDirectory",
                        staticmethod(lambda parent, title, start: asked.append(title) or str(folder)))
    form = open_case(qtbot, window, "Alpha Network")
    choose(qtbot, form.personal_button, "Subject access")
    message = form.dialog
    assert asked == ["Save everything stored about Alpha Network in…"]
    [json_file], [pdf_file] = folder.glob("*.json"), folder.glob("*.pdf")
    assert json_file.name == f"Alpha Network - subject access {TODAY.isoformat()}.json"
    assert pdf_file.name == f"Alpha Network - case sheet {TODAY.isoformat()}.pdf"
    assert message.isVisible() and str(folder) in message.text()
    assert json_file.name in message.informativeText() and pdf_file.name in message.informativeText()
    data = json.loads(json_file.read_text(encoding="utf-8"))
    assert data["organisation"]["name"] == "Alpha Network"
    assert [c["name"] for c in data["contacts"]] == [CONTACT]
    assert POOLED not in json_file.read_text(encoding="utf-8")
    assert pdf_file.read_bytes().startswith(b"%PDF")
    message.done(0)

    choose(qtbot, form.personal_button, "Subject access")  # a second request the same day: new names
    assert len(list(folder.iterdir())) == 4
    form.dialog.done(0)


def test_subject_access_cancelled_writes_nothing(window, qtbot, tmp_path, monkeypatch):
    from fieldkit.ui import personal_data as ui

    monkeypatch.setattr(ui.QFileDialog, "getExistingDirectory", staticmethod(lambda *args: ""))
    form = open_case(qtbot, window, "Alpha Network")
    form.dialog = None
    choose(qtbot, form.personal_button, "Subject access")
    assert form.dialog is None
    assert not list(tmp_path.glob("*subject access*"))


def test_subject_access_that_cannot_be_written_says_why_and_leaves_nothing(window, qtbot, tmp_path, monkeypatch,
                                                                         warnings):
    from fieldkit.errors import FieldkitError
    from fieldkit.reports import casesheet
    from fieldkit.ui import personal_data as ui

    gone = tmp_path / "no such folder"
    monkeypatch.setattr(ui.QFileDialog, "getExistingDirectory", staticmethod(lambda *args: str(gone)))
    form = open_case(qtbot, window, "Alpha Network")
    choose(qtbot, form.personal_button, "Subject access")
    assert warnings and warnings[0][0] == "Subject access not saved" and str(gone) in warnings[0][1]
    assert not gone.exists()

    folder = tmp_path / "requests"
    folder.mkdir()
    monkeypatch.setattr(ui.QFileDialog, "getExistingDirectory", staticmethod(lambda *args: str(folder)))

    def broken(*args, **kwargs):
        raise FieldkitError("the disk is full")
    monkeypatch.setattr(casesheet, "render_casesheet", broken)
    choose(qtbot, form.personal_button, "Subject access")
    assert warnings[-1] == ("Subject access not saved", "the disk is full")
    assert list(folder.iterdir()) == []  # the record and the case sheet go together or not at all


# --- erasure -----------------------------------------------------------------------------------


def test_erasure_asks_for_the_name_then_erases_and_clears_the_undo_history(window, qtbot, warnings):
    from fieldkit.ui.qt import Qt

    study = window.session.study
    callbacks = window.screen_for("callbacks")
    assert "Alpha Network" in [cb.organisation_name for cb in callbacks._callbacks]
    pool_before = study.pool.count()
    form = open_case(qtbot, window, "Alpha Network")
    org_id = form.org_id
    form.fields["website"].setFocus()
    type_text(form.fields["website"], "https://alpha.example.org")
    qtbot.keyClick(form.fields["website"], Qt.Key_Tab)  # an undoable edit of the record about to go
    assert window.undo_action.isEnabled()

    choose(qtbot, form.personal_button, "Erase")
    dialog = form.dialog
    assert dialog.summary.text() == personal_data.erasure_summary(study, org_id)
    assert "1 contact, 1 attempt, 1 interview" in dialog.summary.text()
    assert not dialog.erase_button.isEnabled()
    assert dialog.cancel_button.isDefault() and not dialog.erase_button.isDefault()
    type_text(dialog.typed, "Alpha")
    assert not dialog.erase_button.isEnabled()
    type_text(dialog.typed, " network")  # case does not matter
    assert dialog.erase_button.isEnabled()
    qtbot.keyClick(dialog.typed, Qt.Key_Return)  # Enter in the name box erases nothing ...
    assert dialog.isVisible() and study.organisations.find_by_name("Alpha Network") == [org_id]
    assert dialog.erase_button.hasFocus()  # ... it moves to the red button
    qtbot.keyClick(dialog.erase_button, Qt.Key_Space)

    screen = window.screen_for("organisations")
    assert screen.pages.currentWidget() is screen.list_page
    qtbot.waitUntil(lambda: not screen.loader.busy)
    names = [screen.model.data(screen.model.index(r, 0)) for r in range(screen.model.rowCount())]
    assert names == ["Bravo Forum", "Charlie Trust"]
    assert screen.counts.text().startswith("2 organisations")
    assert "Alpha Network" not in [cb.organisation_name for cb in callbacks._callbacks]
    assert "Erased Alpha Network" in window.statusBar().currentMessage()
    assert window.session.undo_stack.count() == 0 and not window.undo_action.isEnabled()
    window.undo_action.trigger()  # Ctrl+Z: nothing to undo, and nothing tries to
    assert warnings == []

    study = reopen(window)
    assert [study.organisations.get(i).name for i in study.organisations.ids()] == ["Bravo Forum", "Charlie Trust"]
    assert study.pool.count() == pool_before and [c.text for c in study.pool.comments()] == [POOLED]
    assert study.attempts.callbacks() == []
    assert study.search.organisation_ids("Przybyszewska") == []
    assert any(b.reason == "before-erasure" for b in backups.list_backups(study.path))
    study.close()
    raw = raw_bytes(study.path)
    for trace in (CONTACT, "Alpha Network", "07700 900111", "0121 496 0001"):
        assert trace.encode("utf-8") not in raw, trace


def test_cancelled_erasure_changes_nothing(window, qtbot):
    from fieldkit.ui.qt import Qt

    study = window.session.study
    form = open_case(qtbot, window, "Bravo Forum")
    form.fields["website"].setFocus()
    type_text(form.fields["website"], "https://bravo.example.org")
    qtbot.keyClick(form.fields["website"], Qt.Key_Tab)
    choose(qtbot, form.personal_button, "Erase")
    dialog = form.dialog
    type_text(dialog.typed, "Bravo Forum")
    qtbot.mouseClick(dialog.cancel_button, Qt.LeftButton)
    assert not dialog.isVisible()
    screen = window.screen_for("organisations")
    assert screen.pages.currentWidget() is form and form.title.text() == "Bravo Forum"
    assert window.session.undo_stack.canUndo()

    choose(qtbot, form.personal_button, "Erase")
    type_text(form.dialog.typed, "Bravo Forum")
    qtbot.keyClick(form.dialog, Qt.Key_Escape)  # Escape cancels too
    assert not form.dialog.isVisible()

    study = reopen(window)
    bravo = study.organisations.find_by_name("Bravo Forum")
    assert len(bravo) == 1 and len(study.organisations.contacts(bravo[0])) == 1
    assert len(study.attempts.for_organisation(bravo[0])) == 1
    assert study.organisations.count() == 3
    assert not any(b.reason == "before-erasure" for b in backups.list_backups(study.path))
    study.close()


def test_erasing_an_organisation_whose_interview_is_open_closes_the_interview_first(window, qtbot):
    from fieldkit.ui.qt import Qt

    form = open_case(qtbot, window, "Bravo Forum")
    qtbot.mouseClick(form.interviews.start_button, Qt.LeftButton)
    interviews = window.screen_for("interviews")
    assert interviews.runner is not None and interviews.runner.interview.organisation_id == form.org_id
    window.open_case(form.org_id)
    choose(qtbot, form.personal_button, "Erase")
    type_text(form.dialog.typed, "Bravo Forum")
    qtbot.mouseClick(form.dialog.erase_button, Qt.LeftButton)
    assert interviews.runner is None
    study = reopen(window)
    assert study.organisations.find_by_name("Bravo Forum") == []
    assert study.interviews.for_organisation(2) == []
    study.close()


@pytest.mark.parametrize("pooled", [(*ABOUT_ALPHA, ABOUT_NOBODY)])
def test_erasure_lists_the_pooled_comments_naming_it_each_one_click_from_the_pool(window, qtbot, warnings):
    from fieldkit.reports.names import find_names_in_pool
    from fieldkit.ui.qt import Qt

    study = window.session.study
    form = open_case(qtbot, window, "Alpha Network")
    choose(qtbot, form.personal_button, "Erase")
    dialog = form.dialog
    rows = dialog.comment_rows()
    assert len(rows) == 2 and len(dialog.open_buttons) == 2
    assert "2 pooled comments name Alpha Network or its contact" in dialog.names_intro.text()
    assert "Pool screen" in dialog.names_intro.text()
    by_names = {names: (label, words) for label, names, words in rows}
    assert set(by_names) == {"Alpha Network", "Przybyszewska-Wąsowicz"}
    label, words = by_names["Alpha Network"]
    assert label == "What holds small groups back?"
    assert "Alpha Network lent us" in words and words != ABOUT_ALPHA[0]  # the words around the name
    assert by_names["Przybyszewska-Wąsowicz"][1] == f"“{ABOUT_ALPHA[1]}”"
    dialog.grab().save("/tmp/erase-dialog.png")

    # Open the one naming the contact: the dialog goes, nothing is erased, the Pool shows it.
    button = dialog.open_buttons[[r[1] for r in rows].index("Przybyszewska-Wąsowicz")]
    qtbot.mouseClick(button, Qt.LeftButton)
    assert not dialog.isVisible()
    assert study.organisations.find_by_name("Alpha Network")
    pool = window.screen_for("pool")
    assert window.stack.currentWidget() is pool
    assert pool._current is not None and pool._current.text == ABOUT_ALPHA[1]
    qtbot.waitUntil(lambda: pool.editor.hasFocus())  # ready to redact
    pool.editor.selectAll()
    type_text(pool.editor, "Ask [name removed], she knows every funder in the city.")
    pool.flush()

    form = open_case(qtbot, window, "Alpha Network")
    choose(qtbot, form.personal_button, "Erase")
    dialog = form.dialog
    assert [r[1] for r in dialog.comment_rows()] == ["Alpha Network"]  # the redacted one is no longer listed
    type_text(dialog.typed, "Alpha Network")
    qtbot.mouseClick(dialog.erase_button, Qt.LeftButton)
    assert study.organisations.find_by_name("Alpha Network") == []
    [(_title, text)] = warnings
    assert "1 pooled comment still names Alpha Network" in text and "Pool screen" in text
    assert "everything named about it" not in window.statusBar().currentMessage()
    assert [h.names for h in find_names_in_pool(study)] == [["Alpha Network"]]  # still flagged for the report


def test_erasure_while_another_connection_reads_says_what_is_left_on_the_disk(window, qtbot, warnings):
    from fieldkit.ui.qt import Qt

    study = window.session.study
    study.conn.execute("PRAGMA busy_timeout = 50")  # the reader never lets go: do not wait 5 s a try
    reader = study.open_reader()
    reader.conn.execute("BEGIN")
    reader.conn.execute("SELECT count(*) FROM contacts").fetchone()
    try:
        form = open_case(qtbot, window, "Alpha Network")
        choose(qtbot, form.personal_button, "Erase")
        type_text(form.dialog.typed, "Alpha Network")
        qtbot.mouseClick(form.dialog.erase_button, Qt.LeftButton)
        assert study.organisations.find_by_name("Alpha Network") == []
        [(_title, text)] = warnings
        assert "not yet from the disk" in text and f"{study.path}-wal" in text
        assert "the next save empties it" in text
        assert "everything named about it" not in window.statusBar().currentMessage()
        assert CONTACT.encode("utf-8") in raw_bytes(study.path) or CONTACT.encode("utf-16-le") in raw_bytes(study.path)
    finally:
        reader.close()
    study = reopen(window)
    study.close()
    raw = raw_bytes(study.path)
    for trace in (CONTACT, "Alpha Network", "07700 900111"):
        assert trace.encode("utf-8") not in raw and trace.encode("utf-16-le") not in raw, trace


# --- retention ---------------------------------------------------------------------------------


def test_deletion_date_is_saved_as_set_undone_and_cleared(window, qtbot):
    from fieldkit.ui.qt import QDate, QDateTimeEdit, Qt

    screen = window.show_screen("settings")
    panel = screen.retention
    assert not panel.has_date.isChecked() and not panel.date.isEnabled()
    assert panel.state.text() == "No date set."
    assert not window.retention_banner.isVisible()
    qtbot.mouseClick(panel.has_date, Qt.LeftButton)
    year_on = TODAY.replace(year=TODAY.year + 1) if not (TODAY.month == 2 and TODAY.day == 29) \
        else TODAY + dt.timedelta(days=365)
    assert personal_data.retention_date(window.session.study) == year_on  # ticking sets a date a year on
    assert panel.date.hasFocus()
    panel.date.setCurrentSection(QDateTimeEdit.YearSection)
    qtbot.keyClick(panel.date, Qt.Key_Up)  # one more year, with the arrow key
    qtbot.keyClick(panel.date, Qt.Key_Tab)  # leaving saves
    later = year_on.replace(year=year_on.year + 1)
    assert personal_data.retention_date(window.session.study) == later
    assert panel.state.text().startswith("In ")

    window.undo_action.trigger()  # Edit ▸ Undo puts the first date back
    assert personal_data.retention_date(window.session.study) == year_on
    assert panel.date.date() == QDate(year_on.year, year_on.month, year_on.day)
    study = reopen(window)
    assert personal_data.retention_date(study) == year_on
    study.close()

    assert window.open_study(study.path)
    panel = window.show_screen("settings").retention
    qtbot.waitUntil(panel.isVisible)  # a new study view is shown once events are processed
    assert panel.has_date.isChecked()
    qtbot.mouseClick(panel.has_date, Qt.LeftButton)  # unticked: no date
    study = reopen(window)
    assert personal_data.retention_date(study) is None
    study.close()


@pytest.mark.parametrize("retention", [TODAY + dt.timedelta(days=30)])
def test_no_reminder_before_the_date(window, retention):
    assert personal_data.retention_date(window.session.study) == retention
    assert not window.retention_banner.isVisible()
    assert window.show_screen("settings").retention.state.text() == "In 30 days."


@pytest.mark.parametrize("retention", [dt.date(2025, 3, 31)])
def test_reminder_leads_to_removing_personal_details_and_cancel_changes_nothing(window, qtbot, retention):
    from fieldkit.ui.qt import Qt

    banner = window.retention_banner
    assert banner.isVisible()
    assert "was to be deleted by 31 March 2025" in banner.text.text()
    study = window.session.study
    statuses = {study.organisations.get(i).name: study.organisations.get(i).status for i in study.organisations.ids()}
    form = open_case(qtbot, window, "Bravo Forum")  # an undoable edit before removing
    form.fields["website"].setFocus()
    type_text(form.fields["website"], "https://bravo.example.org")
    qtbot.keyClick(form.fields["website"], Qt.Key_Tab)

    qtbot.mouseClick(banner.remove_button, Qt.LeftButton)
    settings = window.screen_for("settings")
    assert window.stack.currentWidget() is settings
    box = settings.retention.confirmation
    assert box.isVisible() and box.defaultButton() is box.cancel_button
    words = box.informativeText()
    for line in personal_data_words():
        assert line in words
    qtbot.mouseClick(box.cancel_button, Qt.LeftButton)
    assert study.organisations.contacts(study.organisations.find_by_name("Bravo Forum")[0])[0].name == "Hodan Warsame"
    assert personal_data.retention_date(study) == retention and banner.isVisible()
    assert window.session.undo_stack.canUndo()

    qtbot.mouseClick(banner.remove_button, Qt.LeftButton)
    box = settings.retention.confirmation
    qtbot.mouseClick(box.remove_button, Qt.LeftButton)
    assert not banner.isVisible()
    assert settings.retention.state.text() == "No date set." and not settings.retention.has_date.isChecked()
    assert window.session.undo_stack.count() == 0 and not window.undo_action.isEnabled()
    assert "Removed the personal details of 2 contacts" in window.statusBar().currentMessage()

    study = reopen(window)
    orgs = study.organisations
    assert {orgs.get(i).name: orgs.get(i).status for i in orgs.ids()} == statuses
    contacts = [c for i in orgs.ids() for c in orgs.contacts(i)]
    assert [(c.name, c.role, c.phone) for c in contacts] == [("", None, None), ("", None, None)]
    assert [orgs.get(i).phone for i in orgs.ids()] == [None, None, None]
    assert all(orgs.changes(i) == [] for i in orgs.ids())
    assert orgs.get(orgs.find_by_name("Bravo Forum")[0]).website == "https://bravo.example.org"
    assert [c.text for c in study.pool.comments()] == [POOLED]
    assert personal_data.retention_date(study) is None
    assert any(b.reason == "before-erasure" for b in backups.list_backups(study.path))
    study.close()
    raw = raw_bytes(study.path)
    for trace in (CONTACT, "Hodan Warsame", "07700 900111", "07700 900222"):
        assert trace.encode("utf-8") not in raw, trace

    assert window.open_study(study.path)  # no reminder once done
    qtbot.waitUntil(lambda: window.nav.isVisible())
    assert not window.retention_banner.isVisible()


def personal_data_words() -> list[str]:
    from fieldkit.ui.personal_data import STRIP_GOES, STRIP_STAYS

    return list(STRIP_GOES + STRIP_STAYS)


@pytest.mark.parametrize("retention", [TODAY - dt.timedelta(days=10)])
def test_reminder_can_be_put_off_or_lead_to_the_date(window, qtbot, retention):
    from fieldkit.ui.qt import Qt

    banner = window.retention_banner
    qtbot.mouseClick(banner.date_button, Qt.LeftButton)
    panel = window.screen_for("settings").retention
    assert window.stack.currentWidget() is window.screen_for("settings") and panel.date.hasFocus()
    assert "passed" in panel.state.text()
    qtbot.mouseClick(banner.later_button, Qt.LeftButton)
    assert not banner.isVisible()
    assert personal_data.retention_date(window.session.study) == retention  # putting off changes nothing
    path = window.session.study.path
    window.close_study()
    assert window.open_study(path)
    qtbot.waitUntil(window.retention_banner.isVisible)  # it comes back at the next opening
