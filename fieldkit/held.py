"""Anonymous answers held with their interview, then moved into the pool in groups.

An anonymous answer is not written to the pool the moment it is typed: the pool would then
grow one interview at a time, and anyone holding two backups, the -wal, or the study file's
page layout could tell which interview wrote which comment. Instead it is **held** with its
interview (the researcher sees it and can correct it, also after resuming) until at least
``k`` finished interviews (the study's anonymity_k, 5 by default) hold an answer to the same
question. Then all of those answers move into the pool in one transaction, in shuffled order;
the held rows are deleted; the pool is laid out again in random-id order with a fresh search
index; and the -wal is checkpointed and emptied. So from any set of files, a pooled answer is
narrowed down to no fewer than ``k`` interviews: every answer of a group is one interview's,
and the group is at least ``k`` interviews large.

A question marked ``count_by = "category"`` waits for ``k`` finished interviews of the same
category of organisation, so its per-category counts (``pool_counts``) also grow only in steps
of at least ``k`` interviews.

Backups never contain held answers (fieldkit.storage.backups removes them from every copy), so
a study restored from a backup lacks the anonymous answers of interviews still waiting.

Each answer moves in under a fresh random id, never one that follows from its held row or its
interview. What the study keeps of a move is which held answers moved (``moved``: the question
and the held row's uid, each with a random mark), so that merging two copies of the study
counts once an answer held when they parted and moved in both (fieldkit.merge_plan).

A bulk write (importing interviews) runs inside ``deferred()``: every interview it finishes
would otherwise look through every held answer again, and the groups it completes move
together at its end, once.
"""

from __future__ import annotations

import contextlib
import json
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fieldkit.errors import InvalidValueError
from fieldkit.templates import Question

if TYPE_CHECKING:
    from fieldkit.storage.wal import Checkpoint
    from fieldkit.study import Study

#: The key under ``meta`` of the smallest group "Move to the pool now" ever moved, per question.
SMALL_GROUPS_KEY = "pool_small_groups"
#: The key under ``meta`` of the held answers moved into the pool (``moved``).
MOVED_KEY = "moved_held"


@dataclass(frozen=True)
class Group:
    """The held answers to one question (for a count_by question: from one category)."""

    question_id: str
    label: str
    #: None unless the question is counted by category: then the category ('' for none)
    category: str | None
    #: finished interviews holding an answer: they move when this reaches k
    finished: int
    #: interviews not yet finished (or open in a sitting again) holding an answer
    unfinished: int


@dataclass(frozen=True)
class Moved:
    """What one move into the pool did."""

    answers: int
    #: (question id, category or None, how many interviews' answers) for each group moved
    groups: tuple[tuple[str, str | None, int], ...]
    checkpoint: Checkpoint | None

    @property
    def smallest(self) -> int | None:
        return min((n for *_, n in self.groups), default=None)


_ROWS = ("SELECT h.interview_id, h.question_id, h.value, i.template_version, i.completed IS NOT NULL, "
         "coalesce(o.category, '') FROM held h JOIN interviews i ON i.id = h.interview_id "
         "JOIN organisations o ON o.id = i.organisation_id WHERE h.relevant")


class Held:
    """The held anonymous answers of a study's interviews (``study.held``)."""

    def __init__(self, study: Study):
        self.study = study
        #: How many ``deferred()`` blocks are open: while any is, ``move_ready`` moves nothing.
        self._deferred = 0

    # --- one interview's answers ---------------------------------------------------------

    def put(self, interview_id: int, question: Question, value: Any) -> None:
        """Hold (or, value None, drop) an interview's answer to an anonymous question.
        Called inside the caller's transaction."""
        if not question.anonymous:
            raise InvalidValueError(f"question '{question.id}' is named; it is not held for the pool")
        if value is None:
            self.study.conn.execute("DELETE FROM held WHERE interview_id = ? AND question_id = ?",
                                    (interview_id, question.id))
            return
        self.study.conn.execute(
            "INSERT INTO held(interview_id, question_id, value) VALUES (?, ?, ?) "
            "ON CONFLICT(interview_id, question_id) DO UPDATE SET value = excluded.value",
            (interview_id, question.id, json.dumps(value, ensure_ascii=False)))

    def for_interview(self, interview_id: int) -> dict[str, Any]:
        """The answers an interview holds, by question id."""
        return {qid: json.loads(value) for qid, value in self._execute(
            "SELECT question_id, value FROM held WHERE interview_id = ?", (interview_id,))}

    def count(self) -> int:
        return self.study.scalar("SELECT count(*) FROM held")

    # --- the groups ----------------------------------------------------------------------

    def groups(self) -> list[Group]:
        """Every group of held answers, in schedule order (within a question counted by
        category, in the study's order of categories, "no category" last): how far each is
        from moving."""
        finished: dict[tuple[str, str | None], int] = defaultdict(int)
        unfinished: dict[tuple[str, str | None], int] = defaultdict(int)
        sittings = self.study.interviews.open_sittings
        for iv, qid, _value, version, done, category in self._execute(_ROWS):
            key = _group_key(qid, self._question(qid, version), category)
            (finished if done and iv not in sittings else unfinished)[key] += 1
        order = {q.id: i for i, q in enumerate(self.study.template.questions())}
        places = {c: i for i, c in enumerate(self.study.template.categories)}
        keys = sorted(set(finished) | set(unfinished),
                      key=lambda k: (order.get(k[0], len(order)), k[0], k[1] == "",
                                     places.get(k[1] or "", len(places)), k[1] or ""))
        return [Group(qid, self.study.pool._label(qid), category, finished[(qid, category)],
                      unfinished[(qid, category)]) for qid, category in keys]

    def waiting_for(self, interview_id: int) -> dict[str, Group]:
        """For each answer an interview holds, the group it will move with."""
        held = self._execute("SELECT h.question_id, coalesce(o.category, ''), i.template_version FROM held h "
                             "JOIN interviews i ON i.id = h.interview_id JOIN organisations o "
                             "ON o.id = i.organisation_id WHERE h.interview_id = ?", (interview_id,))
        if not held:
            return {}
        groups = {(g.question_id, g.category): g for g in self.groups()}
        out = {}
        for qid, category, version in held:
            key = _group_key(qid, self._question(qid, version), category)
            if key in groups:
                out[qid] = groups[key]
        return out

    # --- moving into the pool ------------------------------------------------------------

    def move_ready(self) -> Moved:
        """Move every group that at least k finished interviews have answered; a no-op (and
        cheap) when none has. Called when an interview is finished, when a finished one's
        sitting closes, and when a study opens. Interviews open in a sitting wait: their
        answers may still be corrected on screen. Inside ``deferred()`` it moves nothing."""
        with self.study._mutex:
            if self._deferred:
                return Moved(0, (), None)
            return self._move(smallest=self.study.anonymity_k)

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Defer moves for a bulk write: inside, ``move_ready`` moves nothing, and at the end
        one ``move_ready`` moves every group that is then large enough, in one shuffled
        transaction (the caller's, when the block is inside one, so the write and the move
        commit together). A block that fails moves nothing; nested blocks move once, at the
        end of the outermost. The study's lock is held throughout, so no other thread's move
        runs in between."""
        with self.study._mutex:
            self._deferred += 1
            try:
                yield
            finally:
                self._deferred -= 1
            if not self._deferred:
                self.move_ready()

    def too_small(self) -> list[Group]:
        """The groups "Move to the pool now" would move with fewer than k interviews (to say
        so first); also what the Reports screen lists as still below k."""
        k = self.study.anonymity_k
        return [g for g in self.groups() if 0 < g.finished < k]

    def move_now(self) -> Moved:
        """Move every finished interview's held answers, however few (at the end of fieldwork).
        Groups smaller than k are recorded, and reported by ``fieldkit check`` and the report.
        A count_by question's answers from a category with fewer than k go into the pool's
        overall counts only, never its counts by category."""
        return self._move(smallest=1)

    def _move(self, *, smallest: int) -> Moved:
        """Move every group of at least ``smallest`` finished interviews."""
        study = self.study
        k = study.anonymity_k
        with study._mutex:
            self._drop_irrelevant()
            rows = [r for r in self._execute(_ROWS + " AND i.completed IS NOT NULL")
                    if r[0] not in study.interviews.open_sittings]  # still being corrected: not yet
            if not rows:
                return Moved(0, (), None)
            members: dict[tuple[str, str | None], list[tuple[int, Any, Question, str]]] = defaultdict(list)
            for iv, qid, value, version, _done, category in rows:
                question = self._question(qid, version)
                if question is None:  # not in its own schedule: check reports it
                    continue
                members[_group_key(qid, question, category)].append((iv, json.loads(value), question, category))
            chosen = {key: group for key, group in members.items() if len(group) >= smallest}
            if not chosen:
                return Moved(0, (), None)
            moving = [(key, member) for key, group in chosen.items() for member in group]
            random.SystemRandom().shuffle(moving)
            import secrets  # (here: importing it, with hmac and hashlib, is not start-up's work)

            uids = self._uids()
            with study.transaction():
                counts: dict[tuple[str, str, str], int] = defaultdict(int)
                entries: dict[str, str] = {}
                for (qid, by_category), (iv, value, question, category) in moving:
                    study.pool.add(question, value)
                    if uids.get((iv, qid)):
                        entries[f"{qid} {uids[(iv, qid)]}"] = secrets.token_hex(8)
                    if question.count_by and len(chosen[(qid, by_category)]) >= k:
                        for choice in _choices(question, value):
                            counts[(qid, category, choice)] += 1
                        counts[(qid, category, "")] += 1
                    study.conn.execute("DELETE FROM held WHERE interview_id = ? AND question_id = ?", (iv, qid))
                study.conn.executemany(
                    "INSERT INTO pool_counts(question_id, category, choice, n) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(question_id, category, choice) DO UPDATE SET n = n + excluded.n",
                    [(*key, n) for key, n in sorted(counts.items())])
                small = [(qid, len(group)) for (qid, _category), group in chosen.items() if len(group) < k]
                if small:  # only "Move to the pool now" moves these: recorded for the warnings
                    known = json.loads(study.meta(SMALL_GROUPS_KEY) or "{}")
                    for qid, n in small:
                        known[qid] = min(known.get(qid, n), n)
                    study.set_meta(SMALL_GROUPS_KEY, json.dumps(known, sort_keys=True))
                if entries:
                    study.set_meta(MOVED_KEY, json.dumps({**moved(study.meta(MOVED_KEY)), **entries}, sort_keys=True))
                study.pool.rewrite()
            checkpoint = study.empty_wal()
        groups = tuple(sorted((qid, category, len(group)) for (qid, category), group in chosen.items()))
        return Moved(len(moving), groups, checkpoint)

    def _drop_irrelevant(self) -> None:
        """A finished interview's held answers to questions its logic no longer asks never
        move (they are left out of counts and reports) and are not kept linked: they go."""
        sittings = list(self.study.interviews.open_sittings)
        if not self.study.scalar("SELECT count(*) FROM held WHERE NOT relevant"):
            return
        with self.study.transaction():
            self.study.conn.execute(
                "DELETE FROM held WHERE NOT relevant AND interview_id IN (SELECT id FROM interviews "
                f"WHERE completed IS NOT NULL) AND interview_id NOT IN ({','.join('?' * len(sittings))})",
                sittings)

    # --- helpers -------------------------------------------------------------------------

    def _question(self, question_id: str, version: int) -> Question | None:
        try:
            return self.study.template_at(version).question(question_id)
        except KeyError:
            return None

    def _uids(self) -> dict[tuple[int, str], str]:
        """Each held answer's uid by (interview, question); none in a held table older than
        study format 10 (as the tests of older formats make them through this code)."""
        with self.study._mutex:
            cursor = self.study.conn.execute("SELECT * FROM held")
            names = [d[0] for d in cursor.description]
            if "uid" not in names:
                return {}
            at = [names.index(n) for n in ("interview_id", "question_id", "uid")]
            return {(r[at[0]], r[at[1]]): r[at[2]] for r in cursor.fetchall()}

    def _execute(self, sql: str, params: Any = ()) -> list[tuple]:
        with self.study._mutex:
            return self.study.conn.execute(sql, params).fetchall()


def moved(stored: str | None) -> dict[str, str]:
    """The held answers moved into the pool, as ``meta`` keeps them (under ``MOVED_KEY``): for
    each, "QUESTION_ID HELD_UID" and a random mark drawn when it moved. Merging two copies of a
    study (fieldkit.merge_plan) finds there the answers held when the copies parted that moved
    into the pool in both (the same entry, two marks), so that each is one comment. An entry
    tells no more than the held row did (which interview answered which question), and the
    mark, random, nothing: no comment's id, words or place follows from either. The comment
    itself moves in under a fresh random id, as every one does."""
    return dict(json.loads(stored or "{}"))


def _group_key(question_id: str, question: Question | None, category: str) -> tuple[str, str | None]:
    """Which group an answer moves with: its question's, and for a question counted by
    category also its organisation's category."""
    return question_id, category if question is not None and question.count_by else None


def _choices(question: Question, value: Any) -> list[str]:
    """The choices an answer counts under (yes/no as "Yes"/"No")."""
    return question.qtype.counted(question, value)
