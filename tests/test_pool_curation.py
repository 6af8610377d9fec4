"""Curating the pool: a deleted comment can be put back exactly, and only once."""

from __future__ import annotations

import pytest

from fieldkit.errors import InvalidValueError
from fieldkit.study import Study
from studies import pool_now


def test_restore_puts_back_a_deleted_comment(small_study: Study):
    org = small_study.organisations.add("A")
    session = small_study.interviews.start(org)
    session.save_answer("sector_barriers", "Brak czasu i pieniędzy")
    pool_now(small_study, session)
    [comment] = small_study.pool.comments()
    small_study.pool.tag(comment.id, "help")
    comment = small_study.pool.get(comment.id)
    small_study.pool.delete(comment.id)
    assert small_study.pool.comments() == []
    small_study.pool.restore(comment)
    assert small_study.pool.comments() == [comment]
    assert comment.themes == ("barriers", "help")
    assert [c.id for c in small_study.pool.comments(search="pieniędzy")] == [comment.id]
    with pytest.raises(InvalidValueError, match="already in the pool"):
        small_study.pool.restore(comment)
