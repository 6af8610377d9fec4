"""The anonymity promise, tested: nothing joins a pooled comment to a name, an interview or a time.

These tests look at the study file itself (every table and column), not just the API.
"""

from __future__ import annotations

import random
import sqlite3
from itertools import pairwise

import pytest

from fieldkit import checks
from fieldkit.storage.schema import POOL_COLUMNS
from fieldkit.study import Study

POOL_TABLES = set(POOL_COLUMNS) | {"pool_search"}


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE '%_data' AND name NOT LIKE '%_idx' AND name NOT LIKE '%_docsize' "
        "AND name NOT LIKE '%_config' AND name NOT LIKE '%_content'")]


def _snapshot(conn: sqlite3.Connection, skip: set[str]) -> dict[str, list[tuple]]:
    return {t: sorted(map(tuple, conn.execute(f"SELECT * FROM {t}")), key=repr)
            for t in _tables(conn) if t not in skip}


def _run_interviews(study: Study, count: int, seed: int = 7) -> list[str]:
    """Interview ``count`` organisations; return the anonymous texts in the order written."""
    rng = random.Random(seed)
    written = []
    for i in range(count):
        org = study.organisations.add(f"Organisation {i}", category=rng.choice(study.template.categories),
                                      contacts=[{"name": f"Contact Person {i}"}])
        session = study.interviews.start(org, interviewer="AK", date=f"2026-10-{1 + i % 28:02d}")
        session.save_answer("role", f"Role {i}")
        session.save_answer("size", rng.choice(["Small", "Medium", "Large"]))
        text = f"anonymous remark number {i} marker{i:04d}"
        session.save_answer("sector_barriers", text)
        written.append(text)
        session.save_answer("sector_engaged", rng.choice(["Low", "Medium", "High"]))
        session.complete()
    return written


def test_pool_tables_hold_no_link_columns(small_study: Study):
    _run_interviews(small_study, 5)
    conn = small_study.conn
    for table, allowed in POOL_COLUMNS.items():
        assert tuple(r[1] for r in conn.execute(f"PRAGMA table_info({table})")) == allowed
    # No table points into the pool, and the pool points nowhere but at itself.
    for table in _tables(conn):
        for fk in conn.execute(f"PRAGMA foreign_key_list('{table}')"):
            if table in POOL_COLUMNS:
                assert fk[2] in POOL_COLUMNS, (table, fk)
            else:
                assert fk[2] not in POOL_COLUMNS, (table, fk)
    # No trigger or view could copy pool rows elsewhere (the only triggers give named rows and
    # held answers their uid), and no AUTOINCREMENT counter exists.
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'view'").fetchone()[0] == 0
    for name, table, sql in conn.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"):
        assert table not in POOL_COLUMNS and "pool" not in sql.lower() and name == f"{table}_uid_given", name
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone()[0] == 0


def test_no_named_table_holds_pool_text_or_ids(small_study: Study):
    texts = _run_interviews(small_study, 30)
    conn = small_study.conn
    ids = {r[0] for r in conn.execute("SELECT id FROM pool")}
    assert len(ids) == 60  # two anonymous answers per interview
    for table, rows in _snapshot(conn, POOL_TABLES).items():
        for row in rows:
            for value in row:
                if isinstance(value, str):
                    assert not any(f"marker{i:04d}" in value for i in range(30)), (table, row)
                if isinstance(value, int) and value > 10**6:
                    assert value not in ids, (table, row)
    # The FTS shadow tables of the named search index hold no pool words either.
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'search_index_%'").fetchall():
        dump = repr(conn.execute(f"SELECT * FROM {name}").fetchall())
        assert "marker" not in dump
    assert {c.text for c in small_study.pool.comments(question_id="sector_barriers")} == set(texts)


def test_saving_an_anonymous_answer_touches_no_named_record(small_study: Study):
    org = small_study.organisations.add("Quiet Voices", category="Network")
    session = small_study.interviews.start(org)
    session.save_answer("role", "Chair")
    before = _snapshot(small_study.conn, POOL_TABLES | {"held"})
    session.save_answer("sector_barriers", "Funding rules shut small groups out")
    session.save_answer("sector_barriers", "Funding rules shut small groups out entirely")
    session.save_answer("sector_help", "Plain-English guidance")
    session.save_answer("sector_help", "")  # cleared again
    assert _snapshot(small_study.conn, POOL_TABLES | {"held"}) == before
    # Held with the interview (one row, the latest words), and nothing in the pool yet.
    assert small_study.held.for_interview(session.interview_id) == {
        "sector_barriers": "Funding rules shut small groups out entirely"}
    assert small_study.pool.count() == 0


def test_stored_order_does_not_follow_writing_order(small_study: Study):
    written = _run_interviews(small_study, 200)
    stored = [r[0] for r in small_study.conn.execute(  # physical (rowid) order
        "SELECT text FROM pool WHERE question_id = 'sector_barriers'")]
    assert sorted(stored) == sorted(written)
    position = {text: i for i, text in enumerate(written)}
    ranks = [position[t] for t in stored]
    n = len(ranks)
    # Spearman's rank correlation between writing order and stored order: near 0 when random.
    mean = (n - 1) / 2
    cov = sum((i - mean) * (r - mean) for i, r in enumerate(ranks))
    var = sum((i - mean) ** 2 for i in range(n))
    rho = cov / var
    assert abs(rho) < 0.3, rho  # ~4 standard deviations: a chance failure is about 1 in 50,000
    ids_in_written_order = [small_study.scalar("SELECT id FROM pool WHERE text = ?", (t,)) for t in written]
    assert ids_in_written_order != sorted(ids_in_written_order)
    # The API's order is unrelated to writing order as well.
    shown = [c.text for c in small_study.pool.comments(question_id="sector_barriers")]
    assert shown != written and sorted(shown) == sorted(written)


def test_pool_ids_are_random_not_sequential(small_study: Study):
    _run_interviews(small_study, 20)
    ids = sorted(r[0] for r in small_study.conn.execute("SELECT id FROM pool"))
    gaps = {b - a for a, b in pairwise(ids)}
    assert min(ids) > 2**32  # drawn from a 62-bit space
    assert 1 not in gaps


def test_held_answers_are_seen_on_resuming_until_they_move(small_study: Study):
    org = small_study.organisations.add("Talkative Trust", category="Network")
    session = small_study.interviews.start(org)
    session.save_answer("sector_barriers", "First thought")
    assert session.answer("sector_barriers") == "First thought"
    session.save_answer("sector_barriers", "Second thought")  # corrects, does not add
    session.close()
    resumed = small_study.interviews.resume(session.interview_id)
    assert resumed.answer("sector_barriers") == "Second thought"  # held with the interview
    assert "sector_barriers" in resumed.answered()
    resumed.complete()
    assert small_study.pool.count() == 0  # one finished interview: fewer than k
    for i in range(small_study.anonymity_k - 1):
        other = small_study.interviews.start(small_study.organisations.add(f"Other {i}", category="Network"))
        other.save_answer("sector_barriers", f"Other thought {i}")
        other.complete()
    # The k-th finished interview moves the whole group; after that nothing leads back.
    assert small_study.pool.count() == small_study.anonymity_k
    assert small_study.held.count() == 0
    again = small_study.interviews.resume(session.interview_id)
    assert again.answer("sector_barriers") is None
    again.save_answer("sector_barriers", "A new sitting adds a new answer")
    assert small_study.held.count() == 1 and small_study.pool.count() == small_study.anonymity_k


def test_deleting_an_organisation_leaves_the_pool_alone(small_study: Study):
    _run_interviews(small_study, 6)
    before = sorted(c.text for c in small_study.pool.comments())
    for org_id in small_study.organisations.ids():
        small_study.organisations.delete(org_id)
    assert small_study.organisations.count() == 0
    assert small_study.scalar("SELECT count(*) FROM answers") == 0
    assert sorted(c.text for c in small_study.pool.comments()) == before


def test_named_answers_never_include_anonymous_questions(small_study: Study):
    _run_interviews(small_study, 10)
    anonymous = {q.id for q in small_study.template.questions() if q.anonymous}
    stored = {r[0] for r in small_study.conn.execute("SELECT DISTINCT question_id FROM answers")}
    assert stored and not (stored & anonymous)
    assert checks.problems(small_study) == []


def test_check_finds_a_pool_that_links_back(small_study: Study):
    _run_interviews(small_study, 3)
    small_study.conn.execute("ALTER TABLE pool ADD COLUMN organisation_id INTEGER")
    small_study.conn.execute(
        "INSERT INTO answers(interview_id, question_id, value) "
        "VALUES (1, 'sector_help', '\"smuggled into a named record\"')")
    found = checks.problems(small_study)
    assert any("pool table has columns" in p for p in found)
    assert any("anonymous answer is stored against the organisation" in p for p in found)


def test_anonymous_choice_questions_are_counted_overall_only(small_study: Study):
    _run_interviews(small_study, 12)
    counts = small_study.pool.distribution("sector_engaged")
    assert sum(counts.values()) == 10 and list(counts) == ["Low", "Medium", "High"]  # two wait for three more
    small_study.held.move_now()
    assert sum(small_study.pool.distribution("sector_engaged").values()) == 12
    from fieldkit.errors import InvalidValueError
    from fieldkit.summary import crosstab

    with pytest.raises(InvalidValueError, match="anonymous"):
        crosstab(small_study, "sector_engaged")


def test_check_finds_pool_words_in_the_change_log(small_study: Study):
    _run_interviews(small_study, 5)
    org = small_study.organisations.ids()[0]
    small_study.organisations.update(org, notes="ordinary note")
    assert checks.problems(small_study) == []
    text = small_study.pool.comments()[0].text
    small_study.conn.execute(
        "INSERT INTO changes(organisation_id, record, field, old, new, at) "
        "VALUES (?, 'organisation', 'notes', NULL, ?, 'x')",
        (org, text))
    small_study.conn.execute(
        "INSERT INTO changes(organisation_id, record, field, old, new, at) "
        "VALUES (?, 'organisation', 'sector_help', NULL, 'x', 'x')",
        (org,))
    found = checks.problems(small_study)
    assert "the change log holds the words of a pooled comment" in found
    assert "the change log records 'sector_help', which is not a field of a named record" in found


def test_a_pooled_comments_id_follows_from_nothing_an_earlier_copy_holds(tmp_path):
    """Whoever kept the study file from while answers were held (their uids beside their
    interviews) cannot name the comments those answers became: each moves in under a fresh
    random id, in every copy, and what the study remembers of the move names no comment."""
    import json
    import shutil

    from studies import small_template

    study = Study.create(tmp_path / "study.fieldkit", small_template())
    for i in range(3):
        session = study.interviews.start(study.organisations.add(name=f"Group {i}"), date="2026-10-01")
        session.save_answer("role", "Chair")
        session.save_answer("size", "Small")
        session.save_answer("sector_barriers", f"held remark {i}")
        session.save_answer("sector_engaged", "Low")
        session.complete()
    study.close()
    shutil.copyfile(tmp_path / "study.fieldkit", tmp_path / "kept.fieldkit")  # the earlier copy someone keeps
    shutil.copyfile(tmp_path / "study.fieldkit", tmp_path / "copy.fieldkit")  # a second researcher's copy
    with sqlite3.connect(tmp_path / "kept.fieldkit") as kept:
        held = dict(kept.execute("SELECT uid, question_id FROM held").fetchall())
        earlier = [*held, *(uid for (uid,) in kept.execute("SELECT uid FROM interviews"))]
    assert len(held) == 6
    ids = {}
    for name in ("study", "copy"):
        with Study.open(tmp_path / f"{name}.fieldkit") as copy:
            for i in range(2):
                session = copy.interviews.start(copy.organisations.add(name=f"{name} {i}"), date="2026-10-02")
                session.save_answer("role", "Chair")
                session.save_answer("size", "Small")
                session.save_answer("sector_barriers", f"{name} remark {i}")
                session.complete()
            assert copy.held.count() == 3  # three held answers and two new moved; the choices wait
            ids[name] = {c.text: c.id for c in copy.pool.comments()}
            stored = copy.meta("moved_held")
            moved = {entry.split(" ")[1] for entry in json.loads(stored)}
            assert len(moved) == 5 and moved >= {u for u, q in held.items() if q == "sector_barriers"}
            assert not any(str(i) in stored for i in ids[name].values())  # no comment id is remembered
    derived = {int(uid[:16], 16) % 2**62 + 1 for uid in earlier}
    for name, found in ids.items():
        assert not derived & set(found.values()), name
        assert not any(uid in str(found) for uid in earlier)
    shared = [f"held remark {i}" for i in range(3)]
    assert all(ids["study"][text] != ids["copy"][text] for text in shared)  # moved in both: two random ids
