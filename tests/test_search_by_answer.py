"""The named search index holds one entry per named answer: saving an answer rewrites that
entry alone, removing an interview or an organisation removes its entries, ``rebuild`` and
the migration from the one-entry-per-interview layout lay entries out alike, and searching
finds exactly what it found before."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

import anonymity_attacks as A
from fieldkit import checks, collation, personal_data, search
from fieldkit.errors import StudyFileError
from fieldkit.interviews import InterviewSession
from fieldkit.search import Search, normalise
from fieldkit.storage import connection, schema
from fieldkit.study import Study
from studies import small_template


def _entries(study: Study) -> dict[int, tuple]:
    """search_index by row id: (kind, ref, question, organisation_id, text), once the entries of
    the answers just saved are written (``Search.write_pending``)."""
    study.search.write_pending()
    return {r[0]: tuple(r[1:]) for r in study.conn.execute(
        "SELECT rowid, kind, ref, question, organisation_id, text FROM search_index")}


def _answer_entries(study: Study, interview_id: int) -> dict[str, tuple[int, str]]:
    """An interview's answer entries by question: (row id, text)."""
    return {e[2]: (rowid, e[4]) for rowid, e in _entries(study).items() if e[0] == "answer" and e[1] == interview_id}


@pytest.fixture
def answered(small_study: Study) -> tuple[Study, int, int]:
    org = small_study.organisations.add("Coventry Youth Network", category="Network")
    session = small_study.interviews.start(org)
    session.save_answer("role", "Chair of the trustees")
    session.save_answer("story", "We run a homework club for refugee children")
    session.save_answer("work", ["Advice", "Youth"])
    session.save_answer("staff", 3)  # a number: no words, no entry
    session.save_answer("sector_help", "A shared minibus would help")  # anonymous: held, never indexed
    return small_study, org, session.interview_id


def test_each_worded_named_answer_has_an_entry_of_its_own(answered):
    study, org, iv = answered
    assert {q: text for q, (_rowid, text) in _answer_entries(study, iv).items()} == {
        "role": "chair of the trustees",
        "story": "we run a homework club for refugee children",
        "work": "advice\nyouth",  # a list answer: its choices, a line each
    }
    assert {e[3] for e in _entries(study).values()} == {org}
    assert "minibus" not in repr(_entries(study))


def test_saving_an_answer_rewrites_its_own_entry_and_no_other(answered):
    study, org, iv = answered
    session = study.interviews.resume(iv)
    before = _entries(study)
    session.save_answer("story", "We run a homework club and a lunch club")
    after = _entries(study)
    [changed] = [rowid for rowid in after if after[rowid] != before.get(rowid)]
    assert after[changed] == ("answer", iv, "story", org, "we run a homework club and a lunch club")
    assert set(after) == set(before)  # the same entries, the story's in its place
    assert study.search.organisation_ids("lunch") == [org]
    assert study.search.organisation_ids("refugee") == []

    role = _answer_entries(study, iv)["role"][0]
    session.save_answer("role", None)  # cleared: its entry goes, the others stay as they were
    cleared = _entries(study)
    assert cleared == {r: e for r, e in after.items() if r != role}

    session.save_answer("board", True)  # yes/no: no words, nothing written to the index
    session.save_answer("role", "Secretary")  # a new entry, in a free place of the interview's block
    again = _entries(study)
    [added] = set(again) - set(cleared)
    assert again[added] == ("answer", iv, "role", org, "secretary")
    assert {r: again[r] for r in cleared} == cleared


def _written_by_the_last_commit(study: Study) -> set[int]:
    """The row ids the newest segment of search_index holds entries for (added or deleted):
    what the last transaction wrote to the index (with merging off, see below)."""
    blocks = dict(study.conn.execute("SELECT id, block FROM search_index_data").fetchall())
    newest = [s for s in A.fts5_structure(blocks[A._FTS5_STRUCTURE_ROWID]) if s.level == 0][-1]
    return {rowid for page in range(newest.first_page, newest.last_page + 1)
            for rowid, _live in A.fts5_leaf_entries(blocks[(newest.segid << A._FTS5_SEGID_SHIFT) + page])}


def test_a_save_writes_index_entries_for_its_own_answer_alone(answered):
    study, _org, iv = answered
    study.conn.execute("INSERT INTO search_index(search_index, rank) VALUES ('automerge', 0)")  # one segment a save
    study.search.write_pending()
    session = study.interviews.resume(iv)
    session.save_answer("story", "A homework club, now twice a week")
    study.search.write_pending()
    assert _written_by_the_last_commit(study) == {_answer_entries(study, iv)["story"][0]}
    session.save_answer("work", ["Health"])
    session.save_answer("role", "Secretary of the trustees")  # the two written in one commit
    study.search.write_pending()
    entries = _answer_entries(study, iv)
    assert _written_by_the_last_commit(study) == {entries["work"][0], entries["role"][0]}


def test_the_index_saves_keep_is_the_one_rebuild_makes(answered):
    study, org, iv = answered
    session = study.interviews.resume(iv)
    session.save_answer("role", None)
    session.save_answer("work", ["Health"])
    session.save_answer("role", "Łódź contact")
    other = study.interviews.start(study.organisations.add("Second Group", contacts=[{"name": "Ayşe Yılmaz"}]))
    other.save_answer("story", "Homework help on Saturdays")
    kept = sorted(_entries(study).values(), key=repr)
    queries = ("homework", "lodz", "health", "ayse", "yı", "chair", "saturdays second", '"homework club"')
    found = {q: study.search.organisation_ids(q) for q in queries}
    study.search.rebuild()
    assert sorted(_entries(study).values(), key=repr) == kept
    assert {q: study.search.organisation_ids(q) for q in queries} == found


def test_removing_an_interview_or_an_organisation_removes_its_entries(answered):
    study, org, iv = answered
    keep = study.organisations.add("Kept Forum", category="Network")
    kept = study.interviews.start(keep)
    kept.save_answer("story", "A homework club as well")
    second = study.interviews.start(org)
    second.save_answer("story", "A second homework sitting")
    study.interviews.delete(second.interview_id)
    assert _answer_entries(study, second.interview_id) == {}
    assert _answer_entries(study, iv)  # the organisation's other interview keeps its entries
    personal_data.erase(study, org)
    assert {e[3] for e in _entries(study).values()} == {keep}
    assert study.search.organisation_ids("homework") == [keep]
    assert checks.problems(study) == []


# --- studies from before: one entry per interview -----------------------------------------------

QUERIES = (
    "homework",                  # a named answer
    "coventry homework",         # every term, across the record and an answer
    "refugee lodz",              # across two answers of one interview
    "trustees",                  # in a second interview of the same organisation
    "chair advice",              # across two interviews
    "yılmaz", "yilmaz", "ayşe",  # a contact, folded
    "7696",                      # a number in the record
    "07700",                     # a further number
    "华人",                       # two characters: the substring scan
    "yo",                        # two letters
    '"homework club"',           # a phrase
    '"children łódź"',           # not across two answers (each its own words)
    "youth",                     # a list answer's choice, and a name
    "minibus",                   # anonymous: never found
    "laptops",                   # held: never found
    "nowhere",
)


def _format_6_study(path: Path, monkeypatch) -> dict[str, list[int]]:
    """A study made at format 6 through the real creation path, its search index laid out as
    fieldkit then kept it (one entry per interview at interview * 2 + 1: its answers' words,
    one to a line, normalised together), with what the queries found in it."""
    monkeypatch.setattr(connection, "MIGRATIONS", schema.MIGRATIONS[:6])
    monkeypatch.setattr(connection, "SCHEMA_VERSION", 6)
    # The answers are written by today's code; their entries as format 6 wrote them, below,
    # and searched as format 6 did, by the organisation column.
    monkeypatch.setattr(Search, "index_answer", lambda *args: None)
    monkeypatch.setattr(search, "_ORGANISATION_OF_ROWID", "organisation_id")

    def store(session, question_id, cleaned):  # format 6's answers had no mark for their entries
        session.study.conn.execute(
            "INSERT INTO answers(interview_id, question_id, value) VALUES (?, ?, ?) "
            "ON CONFLICT(interview_id, question_id) DO UPDATE SET value = excluded.value",
            (session.interview_id, question_id, json.dumps(cleaned, ensure_ascii=False)))

    monkeypatch.setattr(InterviewSession, "_store", store)
    # Nor did its organisations have sort keys (format 9): with none, the column is left out.
    monkeypatch.setattr(collation, "sort_keys", lambda names: [None] * len(names))
    with Study.create(path, small_template(), title="Old study") as study:
        assert study.scalar("PRAGMA user_version") == 6
        orgs = study.organisations
        plain = orgs.add("Coventry Youth Network", category="Network", phone="024 7696 0123")
        study.numbers.add(plain, "phone", "07700 900123", label="Mobile")
        polish = orgs.add("Polskie Stowarzyszenie", contacts=[{"name": "Ayşe Yılmaz"}])
        chinese = orgs.add("伯明翰华人社区协会")
        first = study.interviews.start(plain)
        first.save_answer("story", "We run a homework club for refugee children")
        first.save_answer("role", "Łódź contact")
        first.save_answer("work", ["Advice", "Youth"])
        first.save_answer("sector_help", "A shared minibus would help")
        first.complete()
        second = study.interviews.start(plain)
        second.save_answer("role", "Chair of the trustees")
        third = study.interviews.start(polish)
        third.save_answer("story", "Zajęcia dla dzieci, a homework club")
        third.save_answer("sector_barriers", "Held: a lending library of laptops")
        study.interviews.start(chinese)  # no answers with words
        study.held.move_now()
        for iv, org in study.conn.execute("SELECT id, organisation_id FROM interviews").fetchall():
            words = []
            for (value,) in study.conn.execute("SELECT value FROM answers WHERE interview_id = ?", (iv,)):
                decoded = json.loads(value)
                words.extend([decoded] if isinstance(decoded, str) else
                             [str(v) for v in decoded] if isinstance(decoded, list) else [])
            if words:
                study.conn.execute("INSERT INTO search_index(rowid, kind, ref, organisation_id, text) "
                                   "VALUES (?, 'interview', ?, ?, ?)",
                                   (iv * 2 + 1, iv, org, normalise("\n".join(words))))
        found = {q: study.search.organisation_ids(q) for q in QUERIES}
    monkeypatch.undo()
    return found


def test_a_study_from_before_finds_what_it_found(tmp_path: Path, monkeypatch):
    path = tmp_path / "old.fieldkit"
    found = _format_6_study(path, monkeypatch)
    plain, polish, chinese = 1, 2, 3
    assert found["homework"] == found['"homework club"'] == [plain, polish]
    assert found["coventry homework"] == found["refugee lodz"] == found["chair advice"] == [plain]
    assert found["yilmaz"] == [polish] and found["华人"] == [chinese]
    assert found["minibus"] == found["laptops"] == found['"children łódź"'] == []
    with Study.open(path) as study:
        assert study.scalar("PRAGMA user_version") == schema.SCHEMA_VERSION
        assert {q: study.search.organisation_ids(q) for q in QUERIES} == found
        migrated = _entries(study)
        assert {e[0] for e in migrated.values()} == {"organisation", "answer"}
        assert sum(e[0] == "answer" for e in migrated.values()) == 5  # one per worded named answer
        study.search.rebuild()
        assert _entries(study) == migrated  # the layout rebuild makes, row ids and all
        assert [p for p in checks.problems(study) if not p.startswith("anonymity:")] == []  # (a tiny pool)
        # And the study goes on: a save rewrites its answer's entry alone.
        [iv] = [r[0] for r in study.conn.execute("SELECT id FROM interviews WHERE organisation_id = ?", (polish,))]
        study.interviews.resume(iv).save_answer("story", "Zajęcia i korepetycje")
        assert study.search.organisation_ids("korepetycje") == [polish]
        assert study.search.organisation_ids("homework") == [plain]
        assert {r: e for r, e in _entries(study).items() if e[2] != "story" or e[1] != iv} == \
            {r: e for r, e in migrated.items() if e[2] != "story" or e[1] != iv}


def test_a_migration_cut_short_leaves_the_study_as_it_was(tmp_path: Path, monkeypatch):
    path = tmp_path / "old.fieldkit"
    found = _format_6_study(path, monkeypatch)

    def fails_on_the_polish_answer(value: str) -> str:
        if "dzieci" in value:
            raise ValueError("cut short")
        return search.stored_answer_text(value)

    monkeypatch.setattr(search, "stored_answer_text", fails_on_the_polish_answer)
    with pytest.raises(StudyFileError, match="cannot use the study file"):
        Study.open(path)
    monkeypatch.undo()
    conn = sqlite3.connect(path)
    try:  # still format 6, its index whole: one entry per interview
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 6
        kinds = dict(conn.execute("SELECT kind, count(*) FROM search_index GROUP BY kind").fetchall())
        assert kinds == {"organisation": 3, "interview": 3}
    finally:
        conn.close()
    with Study.open(path) as study:
        assert study.scalar("PRAGMA user_version") == schema.SCHEMA_VERSION
        assert {q: study.search.organisation_ids(q) for q in QUERIES} == found
