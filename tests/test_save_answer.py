"""``save_answer`` works from the answers as the study holds them, whoever wrote them last: a
session's own saves, another session's of the same interview, a transaction rolled back,
another program. (A session keeps what it wrote between saves while nothing else writes.)"""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest

from fieldkit.errors import InvalidValueError
from fieldkit.study import Study
from fieldkit.template_toml import template_from_dict
from test_logic import LOGIC


@pytest.fixture
def study(tmp_path: Path):
    s = Study.create(tmp_path / "logic.fieldkit", template_from_dict(LOGIC, source="logic"), title="Logic")
    yield s
    s.close()


def _stored(study: Study, interview_id: int) -> dict:
    return {(table, r[0]): (json.loads(r[1]), r[2]) for table in ("answers", "held") for r in study.conn.execute(
        f"SELECT question_id, value, relevant FROM {table} WHERE interview_id = ?", (interview_id,))}


def _total(study: Study, interview_id: int):
    return _stored(study, interview_id).get(("answers", "a4"), (None,))[0]


def test_a_save_sees_what_another_session_of_the_interview_saved(study: Study):
    one = study.interviews.start(study.organisations.add("Org", category="Group"))
    one.save_answer("a1", True)
    one.save_answer("a2", 5)
    assert _total(study, one.interview_id) == 5
    other = study.interviews.resume(one.interview_id)
    other.save_answer("a3", 10)
    assert _total(study, one.interview_id) == 15
    one.save_answer("a2", 6)
    assert _total(study, one.interview_id) == 16  # 6 staff and the other session's 10 volunteers


def test_a_save_sees_a_rolled_back_one_undone(study: Study):
    session = study.interviews.start(study.organisations.add("Org", category="Group"))
    session.save_answer("a1", True)
    session.save_answer("a2", 5)
    with pytest.raises(RuntimeError), study.transaction():
        session.save_answer("a3", 7)
        assert _total(study, session.interview_id) == 12
        raise RuntimeError("the import this save was part of failed")
    assert _total(study, session.interview_id) == 5
    session.save_answer("a2", 6)
    assert _total(study, session.interview_id) == 6  # not 13: the 7 volunteers were never saved


def test_a_save_sees_what_another_program_wrote(study: Study):
    session = study.interviews.start(study.organisations.add("Org", category="Group"))
    session.save_answer("a1", True)
    session.save_answer("a2", 5)
    other = sqlite3.connect(study.path, isolation_level=None)
    try:
        other.execute("UPDATE answers SET value = '20' WHERE interview_id = ? AND question_id = 'a3'",
                      (session.interview_id,))
    finally:
        other.close()
    session.save_answer("a2", 6)
    assert _total(study, session.interview_id) == 26


def test_one_session_for_many_saves_stores_what_a_session_for_each_would(tmp_path: Path):
    """Random saves (some refused, some clearing) through one session, and the same saves
    each through a session of its own: the same answers, marks, held answers and search entries."""
    rng = random.Random(20261001)
    values = {"a1": [True, False, None], "a2": [1, 12, 600, None], "a3": [0, 4, 30, None],
              "a5": ["mid", "north", None], "a6": ["bham", "leeds", None], "a7": [True, False],
              "b1": ["How the work is organised", None], "b2": ["The chair", None],
              "c1": ["Held remark", None], "c2": ["Staff remark", None], "d1": ["Volunteers", None]}
    saves = [(q, rng.choice(values[q])) for q in (rng.choice(list(values)) for _ in range(120))]
    outcomes = []
    for name, fresh in (("kept", False), ("fresh", True)):
        with Study.create(tmp_path / f"{name}.fieldkit", template_from_dict(LOGIC, source="logic")) as study:
            session = study.interviews.start(study.organisations.add("Org", category="Group"))
            steps = []
            for question, value in saves:
                if fresh:
                    session = study.interviews.resume(session.interview_id)
                try:
                    session.save_answer(question, value)
                except InvalidValueError:
                    steps.append("refused")
                    continue
                entries = study.conn.execute("SELECT kind, ref, question, text FROM search_index").fetchall()
                steps.append((_stored(study, session.interview_id), sorted(entries)))
            outcomes.append(steps)
    assert outcomes[0] == outcomes[1]
    assert "refused" in outcomes[0]  # the sequence has refused saves, marks of both kinds, held answers
    assert {mark for step in outcomes[0] if step != "refused" for _value, mark in step[0].values()} == {0, 1}
    assert any(table == "held" for step in outcomes[0] if step != "refused" for table, _q in step[0])
