"""Properties of merging two copies of a study, over random divergent work on each copy.

Each example builds a study through Study.create, does some work before the copies part
(interviews whose anonymous answers are still held), copies it as a researcher would (the
app's "Save a copy", or the closed file copied whole), then does random work on each copy
through the core (attempts, edits of the same fields on one or both sides, flags, new
organisations, interviews with anonymous answers) and merges. A model of what each side
edited says which fields must come out as conflicts and which values the merge must keep.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from studies import small_template

from fieldkit import checks, merge
from fieldkit.study import Study

FIELDS = ("notes", "website", "coverage")
VALUES = ("a", "b", "c")
BASE_ORGS = 3

_edit = st.tuples(st.just("edit"), st.integers(0, BASE_ORGS - 1), st.sampled_from(FIELDS), st.sampled_from(VALUES))
CHOICES = ("Low", "Medium", "High")  # sector_engaged, an anonymous choice
_interview = st.tuples(st.just("interview"), st.booleans(), st.sampled_from(CHOICES))
_op = st.one_of(  # edits and interviews weighted up, so that conflicts and moves into the pool are common
    st.tuples(st.just("attempt"), st.integers(0, BASE_ORGS - 1)), _edit, _edit,
    st.tuples(st.just("flag"), st.integers(0, BASE_ORGS - 1), st.booleans()),
    st.tuples(st.just("organisation"), st.integers(0, 3)), _interview, _interview,
)
_work = st.lists(_op, min_size=1, max_size=10)


class Side:
    """One copy, and what was done to it since the copies parted."""

    def __init__(self, study: Study, name: str, only: tuple[str, ...] = CHOICES):
        self.study, self.name = study, name
        self.only = only  # the choices this side's interviews give (CHOICES[i] becomes only[i % len(only)])
        self.edited: set[tuple[str, str]] = set()   # (organisation uid, field) changed since parting
        self.texts: list[str] = []                  # anonymous answers written since parting
        self.choices: list[str] = []                # and the anonymous choices
        self.serial = 0

    def value(self, uid: str, field: str) -> str | None:
        org = self.study.organisations.get(self.study.scalar("SELECT id FROM organisations WHERE uid = ?", (uid,)))
        if field.startswith("flag "):
            return "ticked" if field[5:] in org.flags else "not ticked"
        return getattr(org, field)

    def do(self, op: tuple, base: list[str]) -> None:
        study = self.study
        kind = op[0]
        org = study.scalar("SELECT id FROM organisations WHERE uid = ?", (base[op[1]],)) if kind in (
            "attempt", "edit", "flag") else None
        if kind == "attempt":
            before = study.organisations.get(org).status
            study.attempts.log(org, outcome="No answer")
            if before != study.organisations.get(org).status:
                self.edited.add((base[op[1]], "status"))
        elif kind == "edit":
            _, _, field, value = op
            if getattr(study.organisations.get(org), field) != value:
                self.edited.add((base[op[1]], field))
            study.organisations.update(org, **{field: value})
        elif kind == "flag":
            if ("invite" in study.organisations.get(org).flags) != op[2]:
                self.edited.add((base[op[1]], "flag invite"))
            study.organisations.set_flag(org, "invite", op[2])
        else:
            self.serial += 1
            new = study.organisations.add(name=f"{self.name} organisation {self.serial}", category="Network")
            if kind == "interview":
                text = f"{self.name} said thing {self.serial}"
                session = study.interviews.start(new, interviewer=self.name, date="2026-10-02")
                session.save_answer("role", "Chair")
                session.save_answer("size", "Medium")
                session.save_answer("sector_barriers", text)
                choice = self.only[CHOICES.index(op[2]) % len(self.only)]
                session.save_answer("sector_engaged", choice)
                self.choices.append(choice)
                if op[1]:
                    session.complete()
                else:
                    session.close()
                self.texts.append(text)


def _rows(study: Study, table: str) -> set[str]:
    return {uid for (uid,) in study.conn.execute(f"SELECT uid FROM {table}")}


def _anonymous_words(study: Study) -> list[str]:
    """Every anonymous long-text answer the study holds, pooled or still held."""
    import json

    pooled = [c.text for c in study.pool.comments(question_id="sector_barriers")]
    held = [json.loads(v) for (v,) in study.conn.execute(
        "SELECT value FROM held WHERE question_id = 'sector_barriers'")]
    return pooled + held


def _anonymous_choices(study: Study) -> list[str]:
    """Every anonymous choice the study holds, pooled or still held, sorted."""
    import json

    pooled = [c.value for c in study.pool.comments(question_id="sector_engaged")]
    held = [json.loads(v) for (v,) in study.conn.execute(
        "SELECT value FROM held WHERE question_id = 'sector_engaged'")]
    return sorted(pooled + held)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=st.integers(0, 4), plain_copy=st.booleans(), mine_work=_work, their_work=_work,
       both=st.lists(st.tuples(st.integers(0, BASE_ORGS - 1), st.sampled_from(FIELDS), st.sampled_from(VALUES),
                               st.sampled_from(VALUES)), max_size=2),
       interviews=st.tuples(st.lists(st.sampled_from(CHOICES), min_size=1, max_size=4),
                            st.lists(st.sampled_from(CHOICES), min_size=1, max_size=4)),
       before_choices=st.lists(st.sampled_from(CHOICES), min_size=4, max_size=4), apart=st.booleans(),
       take=st.sampled_from(["mine", "theirs"]))
@example(before=3, plain_copy=True, mine_work=[("attempt", 0)], their_work=[("attempt", 1)], both=[],
         interviews=(["Low", "High"], ["Medium", "Low"]), before_choices=["Low", "High", "Medium", "Low"],
         apart=True, take="mine")  # answers held at parting, pooled in both: found once, counts exact
@example(before=4, plain_copy=True, mine_work=[("interview", True, "Low")], their_work=[("flag", 0, True)], both=[],
         interviews=(["Low"], ["Low", "High"]), before_choices=["Low", "High", "Medium", "Low"],
         apart=False, take="theirs")  # and with equal choices new in both
def test_a_merge_is_the_union_with_every_conflict_surfaced(before: int, plain_copy: bool, mine_work: list,
                                                           their_work: list, both: list,
                                                           interviews: tuple[list[str], list[str]],
                                                           before_choices: list[str], apart: bool, take: str):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        study = Study.create(root / "mine.fieldkit", small_template(), title="Merging")
        base = [study.scalar("SELECT uid FROM organisations WHERE id = ?", (study.organisations.add(name=f"Base {i}"),))
                for i in range(BASE_ORGS)]
        before_texts = []
        for i in range(before):  # finished before parting; fewer than k, so still held
            org = study.organisations.add(name=f"Interviewed before {i}", category="Network")
            session = study.interviews.start(org, interviewer="AK", date="2026-10-01")
            session.save_answer("role", "Chair")
            session.save_answer("size", "Small")
            session.save_answer("sector_barriers", f"said before parting {i}")
            session.save_answer("sector_engaged", before_choices[i])
            session.complete()
            before_texts.append(f"said before parting {i}")
        if plain_copy:
            study.close()
            shutil.copyfile(root / "mine.fieldkit", root / "theirs.fieldkit")
            study = Study.open(root / "mine.fieldkit")
            other = Study.open(root / "theirs.fieldkit")
        else:
            other = Study.open(study.save_copy(root / "theirs.fieldkit"))
        # apart: the copies' new interviews give different choices, so that the answers pooled in
        # both can be told from them, and the count of each choice must come out exact.
        mine, theirs = Side(study, "Ana", ("Low", "Medium") if apart else CHOICES), Side(
            other, "Ben", ("High",) if apart else CHOICES)
        for org, field, a, b in both:  # the same field edited in both copies, to the same value or not
            mine_work = [("edit", org, field, a), *mine_work]
            their_work = [*their_work, ("edit", org, field, b)]
        mine_work += [("interview", True, c) for c in interviews[0]]  # finished, their answers held or pooled
        their_work += [("interview", True, c) for c in interviews[1]]
        for op in mine_work:
            mine.do(op, base)
        for op in their_work:
            theirs.do(op, base)
        expected_conflicts, expected = set(), {}
        for uid in base:
            for field in (*FIELDS, "status", "flag invite"):
                a, b = mine.value(uid, field), theirs.value(uid, field)
                here, there = (uid, field) in mine.edited, (uid, field) in theirs.edited
                if (a or None) != (b or None) and here and there:
                    expected_conflicts.add(f"{uid}:{field}")
                taken = (a or None) != (b or None) and there and (not here or take == "theirs")
                expected[(uid, field)] = b if taken else a
        tables = ("organisations", "attempts", "interviews", "contacts", "changes")
        union = {t: _rows(study, t) | _rows(other, t) for t in tables}
        pool_mine, pool_theirs = {c.id for c in study.pool.comments()}, {c.id for c in other.pool.comments()}
        other.close()

        found = merge.plan(study, root / "theirs.fieldkit")
        assert {c.key for c in found.conflicts} == expected_conflicts
        done = merge.apply(study, found, take=take)
        in_doubt = any("had the same answer as others" in n for n in found.notes)
        assert not any("were not found in both pools" in n for n in found.notes)
        event(f"conflicts: {bool(found.conflicts)}, edits taken: {bool(found.edits)}, "
              f"moved on merging: {done.moved > 0}, pooled in both: {found.absorbed > 0}, choices in doubt: {in_doubt}")

        for table in tables:  # the union: no row lost, none twice
            merged = _rows(study, table)
            assert merged >= union[table], table
            assert study.scalar(f"SELECT count(*) FROM {table}") == len(merged), table
        assert _rows(study, "organisations") == union["organisations"]
        assert _rows(study, "attempts") == union["attempts"]
        assert _rows(study, "interviews") == union["interviews"]
        for (uid, field), value in expected.items():
            assert (mine.value(uid, field) or None) == (value or None), (uid, field)
        words = _anonymous_words(study)
        assert sorted(words) == sorted(set(before_texts) | set(mine.texts) | set(theirs.texts))  # each once
        choices = _anonymous_choices(study)
        expected_choices = sorted(before_choices[:before] + mine.choices + theirs.choices)
        assert len(choices) == len(expected_choices)  # each answer once, choices too
        assert not (apart and in_doubt)
        if not in_doubt:
            assert choices == expected_choices
        merged_pool = {c.id for c in study.pool.comments()}
        assert pool_mine <= merged_pool and len(pool_theirs - merged_pool) == found.absorbed  # left out: pooled in both
        assert checks.problems(study) == []  # the k rule, the pool's invariants, the change log
        assert merge.plan(study, root / "theirs.fieldkit").empty

        # The other researcher merges the result back: no conflict is left, and the two agree.
        other = Study.open(root / "theirs.fieldkit")
        back = merge.plan(other, study.path)
        assert back.conflicts == []
        merge.apply(other, back)
        for table in tables:
            assert _rows(other, table) == _rows(study, table), table
        for uid, field in expected:
            assert (Side(other, "").value(uid, field) or None) == (mine.value(uid, field) or None), (uid, field)
        assert sorted(_anonymous_words(other)) == sorted(words)
        assert len(_anonymous_choices(other)) == len(choices)
        assert checks.problems(other) == []
        other.close()
        study.close()
