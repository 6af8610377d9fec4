"""Organisations ▸ Publish to directory… and Pull from directory… on a real PostgreSQL
(tests/pg_cluster.py): the preview is the dry run, publishing sends it, pulling brings it in."""

from __future__ import annotations

from pathlib import Path

import pytest
from studies import small_template

from fieldkit.directory.listing import set_listing
from fieldkit.study import Study


@pytest.fixture
def study_path(tmp_path: Path) -> Path:
    path = tmp_path / "york.fieldkit"
    with Study.create(path, small_template(), title="York") as s:
        mind = s.organisations.add("York Mind", phone="01904 643364", email="private@example.org",
                                   flags=["permission_to_list"])
        set_listing(s, mind, fields=["phone"])
        s.organisations.add("Not Listed Group")
    return path


def _menu_action(window, text: str):
    for menu_action in window.menuBar().actions():
        for action in menu_action.menu().actions():
            if action.text() == text:
                return action
    raise AssertionError(text)


def test_publish_previews_then_sends_and_pull_brings_it_in(window, qtbot, directory, tmp_path):
    _menu_action(window, "&Publish to directory…").trigger()
    dialog = window.directory_dialog
    try:
        table = dialog.table
        assert table.rowCount() == 1
        assert table.item(0, 0).text() == "York Mind" and table.item(0, 1).text() == "Public phone: +441904643364"
        assert "Nothing has been sent" in dialog.summary.text()
        dialog.start()  # no connection string: asks for one, sends nothing
        assert dialog.job is None and "connection string" in dialog.summary.text()
        member = directory.member("york")
        dsn, password = member.rsplit(" password=", 1)
        dialog.dsn.setText(dsn)
        dialog.password.setText(password)
        dialog.start()
        dialog.wait()
        assert "Published 1 organisation to" in dialog.summary.text() and "1 new" in dialog.summary.text()
        assert dialog.password.text() == ""
        dialog.grab().save(str(tmp_path / "directory-publish.png"))
    finally:
        dialog.close()
    with directory.admin() as conn:
        assert conn.execute("SELECT name, phone, email FROM records").fetchall() == [
            ("York Mind", "+441904643364", None)]
    # Another member pulls it into its own study, through the same dialog.
    reader_path = tmp_path / "reader.fieldkit"
    Study.create(reader_path, small_template(), title="Reader").close()
    assert window.open_study(reader_path)
    window.wait_for_checks()
    _menu_action(window, "P&ull from directory…").trigger()
    dialog = window.directory_dialog
    try:
        dialog.dsn.setText(directory.member("reader"))  # the password typed into the connection string
        dialog.start()
        assert "password" not in dialog.dsn.text()
        dialog.wait()
        assert "1 new" in dialog.summary.text(), dialog.summary.text()
        assert dialog.table.item(0, 0).text() == "York Mind" and dialog.table.item(0, 1).text() == "new"
        dialog.grab().save(str(tmp_path / "directory-pull.png"))
    finally:
        dialog.close()
    assert [o.name for o in window.session.study.organisations.many(window.session.study.organisations.ids())] == [
        "York Mind"]


def test_a_server_that_is_not_there_changes_nothing_and_says_so(window, qtbot, tmp_path, memory_keyring):
    _menu_action(window, "&Publish to directory…").trigger()
    dialog = window.directory_dialog
    try:
        dialog.dsn.setText(f"host={tmp_path / 'nowhere'} dbname=x user=y")
        dialog.start()
        dialog.wait()
        assert dialog.summary.text().startswith("Nothing was changed:") and "cannot reach" in dialog.summary.text()
        assert dialog.go.isEnabled()
    finally:
        dialog.close()


def test_only_the_servers_side_runs_off_the_study_s_thread(window, qtbot, directory):
    """A publish and a pull talk to the server on a thread of their own, but every statement
    on the study's connection runs on the thread that owns it (the app's), before or after."""
    import threading

    statements: list[tuple[str, str]] = []
    study = window.session.study
    study.conn.set_trace_callback(lambda sql: statements.append((threading.current_thread().name, sql)))
    try:
        for mode, text in (("publish", "&Publish to directory…"), ("pull", "P&ull from directory…")):
            _menu_action(window, text).trigger()
            dialog = window.directory_dialog
            try:
                dialog.dsn.setText(directory.member(f"york_{mode}"))
                dialog.start()
                dialog.wait()
                assert not dialog.summary.text().startswith("Nothing was changed"), dialog.summary.text()
            finally:
                dialog.close()
    finally:
        study.conn.set_trace_callback(None)
    assert any("listing" in sql for _, sql in statements)  # the study was read and written
    assert {name for name, _ in statements} == {threading.main_thread().name}


def test_the_connection_string_is_remembered_without_its_password(window, qtbot, directory, tmp_path):
    """The next publish or pull starts from the directory used last; the password typed into the
    connection string is kept nowhere in the settings."""
    from fieldkit.directory.credentials import without_password
    from fieldkit.ui.qt import QSettings

    member = directory.member("york_again")
    password = member.rsplit(" password=", 1)[1]
    _menu_action(window, "P&ull from directory…").trigger()
    dialog = window.directory_dialog
    try:
        dialog.dsn.setText(member)
        dialog.start()
        dialog.wait()
    finally:
        dialog.close()
    _menu_action(window, "&Publish to directory…").trigger()
    again = window.directory_dialog
    try:
        assert again.dsn.text() == without_password(member) and "password" not in again.dsn.text()
    finally:
        again.close()
    settings = QSettings("fieldkit", "fieldkit")
    settings.sync()
    stored = Path(settings.fileName()).read_bytes()
    assert b"york_again" in stored and password.encode() not in stored
