"""A named answer's search entry is written after the answer, with the others saved since: before
anyone searches, when the interview is left or finished, when the study closes, and at the next
opening for those a crash left. The answer itself never waits; searching always finds it."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from fieldkit import checks
from fieldkit.search import PENDING_KEY
from fieldkit.study import Study
from studies import small_template


def _marked(study: Study) -> list[tuple[int, str]]:
    """The answers whose entries wait."""
    return study.conn.execute("SELECT interview_id, question_id FROM answers WHERE NOT indexed "
                              "ORDER BY question_id").fetchall()


def _entries(study: Study) -> set[tuple[int, str]]:
    return set(study.conn.execute("SELECT ref, question FROM search_index WHERE kind = 'answer'").fetchall())


@pytest.fixture
def typed(tmp_path: Path):
    """A study with an interview under way: two named answers saved, their entries waiting."""
    study = Study.create(tmp_path / "study.fieldkit", small_template(), title="Pending")
    org = study.organisations.add("Coventry Youth Network", category="Network")
    session = study.interviews.start(org)
    session.save_answer("role", "Chair of the trustees")
    session.save_answer("story", "We run a homework club for refugee children")
    yield study, org, session
    study.close()


def test_a_saved_answer_is_marked_and_its_entry_waits(typed):
    study, _org, session = typed
    iv = session.interview_id
    assert _marked(study) == [(iv, "role"), (iv, "story")]
    assert _entries(study) == set()
    assert study.meta(PENDING_KEY) == "1"
    assert study.search.pending == 2


def test_searching_writes_the_waiting_entries_first(typed):
    study, org, session = typed
    assert study.search.organisation_ids("homework") == [org]
    assert study.organisations.ids(search="trustees") == [org]
    assert _marked(study) == [] and study.meta(PENDING_KEY) == ""
    assert _entries(study) == {(session.interview_id, "role"), (session.interview_id, "story")}
    session.save_answer("story", "A lunch club now")  # saved again: its entry follows again
    assert study.search.organisation_ids("lunch") == [org]
    assert study.search.organisation_ids("refugee") == []


def test_leaving_or_finishing_the_interview_writes_them(typed):
    study, _org, session = typed
    session.close()
    assert _marked(study) == [] and len(_entries(study)) == 2
    again = study.interviews.resume(session.interview_id)
    again.save_answer("work", ["Advice", "Youth"])
    assert _marked(study) == [(session.interview_id, "work")]
    again.complete()
    assert _marked(study) == [] and len(_entries(study)) == 3


def test_a_cleared_answer_loses_its_entry_at_once(typed):
    study, org, session = typed
    study.search.write_pending()
    session.save_answer("story", None)
    assert _entries(study) == {(session.interview_id, "role")}
    assert study.search.organisation_ids("homework") == []
    assert study.search.organisation_ids("trustees") == [org]


def test_closing_the_study_writes_them(typed, tmp_path: Path):
    study, org, _session = typed
    study.close()
    conn = sqlite3.connect(tmp_path / "study.fieldkit")  # the file as closing left it, no opening since
    try:
        assert conn.execute("SELECT count(*) FROM answers WHERE NOT indexed").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM meta WHERE key = ?", (PENDING_KEY,)).fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM search_index_content WHERE c0 = 'answer'").fetchone() == (2,)
    finally:
        conn.close()


def test_the_entries_a_crash_left_unwritten_are_written_at_the_next_opening(typed, tmp_path: Path):
    study, org, session = typed
    # What a crash leaves: the committed answers in the file and its -wal, their entries unwritten.
    crashed = tmp_path / "crashed.fieldkit"
    with study._mutex:
        shutil.copyfile(study.path, crashed)
        shutil.copyfile(f"{study.path}-wal", f"{crashed}-wal")
    with Study.open(crashed, backup=False) as after:
        assert _marked(after) == [] and after.meta(PENDING_KEY) == ""
        assert _entries(after) == {(session.interview_id, "role"), (session.interview_id, "story")}
        reader = after.open_reader()  # another connection finds them with nothing to write first
        try:
            assert reader.search.organisation_ids("homework") == [org]
        finally:
            reader.close()
        assert checks.problems(after) == []


def test_an_undone_transaction_leaves_nothing_unfound(typed, tmp_path: Path):
    study, org, session = typed
    with pytest.raises(RuntimeError), study.transaction():
        study.search.write_pending()  # written, then undone with the rest
        raise RuntimeError("undone")
    assert _marked(study) == [(session.interview_id, "role"), (session.interview_id, "story")]
    assert study.search.organisation_ids("homework") == [org]  # read back from the marks
    assert _marked(study) == []

    with pytest.raises(RuntimeError), study.transaction():  # the key, written with this answer, undone
        session.save_answer("work", ["Advice"])
        raise RuntimeError("undone")
    session.save_answer("work", ["Youth"])  # the key written again with the next one
    assert study.meta(PENDING_KEY) == "1"
    crashed = tmp_path / "crashed.fieldkit"
    with study._mutex:
        shutil.copyfile(study.path, crashed)
        shutil.copyfile(f"{study.path}-wal", f"{crashed}-wal")
    with Study.open(crashed, backup=False) as after:
        assert after.search.organisation_ids("youth") == [org]
