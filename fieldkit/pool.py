"""The anonymous comment pool.

What an interviewee said in answer to an anonymous question is written here and nowhere
else: the comment's text, the question it answers, its value and theme tags. There is no
organisation, interview, contact or time, and the id is random, so neither the id nor the
order rows are stored in follows the order comments were written. The only link back is
the ``CommentHandle`` an open interview holds in memory, so the researcher can correct what
was just typed; it dies with the interview session.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fieldkit.errors import InvalidValueError, NotFoundError
from fieldkit.storage import sqlite
from fieldkit.templates import Question

if TYPE_CHECKING:
    from fieldkit.study import Study

_MAX_ID = 2**62


@dataclass(frozen=True)
class Comment:
    id: int
    question_id: str
    question_label: str
    text: str
    value: Any
    themes: tuple[str, ...]


@dataclass
class CommentHandle:
    """An open interview's private, in-memory pointer to the comment it just wrote."""

    comment_id: int


class Pool:
    def __init__(self, study: Study):
        self.study = study

    # --- written by interviews ---------------------------------------------------------

    def put(self, question: Question, value: Any, handle: CommentHandle | None) -> CommentHandle | None:
        """Write, replace or (value None) remove an anonymous answer. Returns the live handle.

        Called by an interview session inside its transaction; nothing about the session
        is passed in or stored.
        """
        if not question.anonymous:
            raise InvalidValueError(f"question '{question.id}' is named; it does not go to the pool")
        conn = self.study.conn
        if value is None:
            if handle is not None:
                conn.execute("DELETE FROM pool WHERE id = ?", (handle.comment_id,))
                self.study.search.index_comment(handle.comment_id, None)
            return None
        text = question.as_text(value)
        encoded = json.dumps(value, ensure_ascii=False)
        if handle is not None:
            cur = conn.execute("UPDATE pool SET value = ?, text = ? WHERE id = ?",
                               (encoded, text, handle.comment_id))
            if cur.rowcount:
                self.study.search.index_comment(handle.comment_id, text)
                return handle
        while True:
            comment_id = secrets.randbelow(_MAX_ID) + 1
            try:
                conn.execute("INSERT INTO pool(id, question_id, value, text) VALUES (?, ?, ?, ?)",
                             (comment_id, question.id, encoded, text))
                break
            except sqlite.IntegrityError:  # a random id already taken: draw again
                continue
        if question.theme:
            conn.execute("INSERT INTO pool_themes(comment_id, theme) VALUES (?, ?)", (comment_id, question.theme))
        self.study.search.index_comment(comment_id, text)
        return CommentHandle(comment_id)

    # --- reading and curating ----------------------------------------------------------

    def _label(self, question_id: str) -> str:
        for version in reversed(self.study.template_versions()):
            try:
                return self.study.template_at(version).question(question_id).label
            except KeyError:
                continue
        return question_id

    def comments(
        self,
        *,
        question_id: str | None = None,
        theme: str | None = None,
        search: str | None = None,
        ids: list[int] | None = None,
    ) -> list[Comment]:
        """Comments grouped by question (schedule order), each group in random-id order."""
        where, params = [], []
        if question_id is not None:
            where.append("p.question_id = ?")
            params.append(question_id)
        if theme is not None:
            where.append("EXISTS (SELECT 1 FROM pool_themes t WHERE t.comment_id = p.id AND t.theme = ?)")
            params.append(theme)
        for chosen in (ids, self.study.search.comment_ids(search) if search and search.strip() else None):
            if chosen is not None:
                # One JSON parameter, however many ids: SQLite caps the number of parameters.
                where.append("p.id IN (SELECT value FROM json_each(?))")
                params.append(json.dumps(list(chosen)))
        sql = "SELECT p.id, p.question_id, p.value, p.text FROM pool p"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self.study.query(sql + " ORDER BY p.id", params)
        if not rows:
            return []
        themes: dict[int, list[str]] = {}
        for r in self.study.query(
                "SELECT comment_id, theme FROM pool_themes WHERE comment_id IN (SELECT value FROM json_each(?)) "
                "ORDER BY theme", (json.dumps([r["id"] for r in rows]),)):
            themes.setdefault(r["comment_id"], []).append(r["theme"])
        order = {q.id: i for i, q in enumerate(self.study.template.questions())}
        labels: dict[str, str] = {}
        out = []
        for r in rows:
            qid = r["question_id"]
            if qid not in labels:
                labels[qid] = self._label(qid)
            out.append(Comment(r["id"], qid, labels[qid], r["text"], json.loads(r["value"]),
                               tuple(themes.get(r["id"], ()))))
        out.sort(key=lambda c: (order.get(c.question_id, len(order)), c.question_id))
        return out

    def get(self, comment_id: int) -> Comment:
        found = self.comments(ids=[comment_id])
        if not found:
            raise NotFoundError(f"no pool comment with id {comment_id}")
        return found[0]

    def edit(self, comment_id: int, text: str) -> None:
        """Change a comment's words (to redact a name or a detail that identifies someone)."""
        if not isinstance(text, str) or not text.strip():
            raise InvalidValueError("a comment cannot be empty; delete it instead")
        with self.study.transaction():
            cur = self.study.conn.execute("UPDATE pool SET text = ? WHERE id = ?", (text, comment_id))
            if not cur.rowcount:
                raise NotFoundError(f"no pool comment with id {comment_id}")
            self.study.search.index_comment(comment_id, text)

    def delete(self, comment_id: int) -> None:
        with self.study.transaction():
            cur = self.study.conn.execute("DELETE FROM pool WHERE id = ?", (comment_id,))
            if not cur.rowcount:
                raise NotFoundError(f"no pool comment with id {comment_id}")
            self.study.search.index_comment(comment_id, None)

    def restore(self, comment: Comment) -> None:
        """Put back a comment just deleted (to undo the delete): the same id, words and themes."""
        with self.study.transaction():
            try:
                self.study.conn.execute("INSERT INTO pool(id, question_id, value, text) VALUES (?, ?, ?, ?)",
                                        (comment.id, comment.question_id,
                                         json.dumps(comment.value, ensure_ascii=False), comment.text))
            except sqlite.IntegrityError:
                raise InvalidValueError("that comment is already in the pool") from None
            self.study.conn.executemany("INSERT INTO pool_themes(comment_id, theme) VALUES (?, ?)",
                                        [(comment.id, t) for t in comment.themes])
            self.study.search.index_comment(comment.id, comment.text)

    def tag(self, comment_id: int, theme: str) -> None:
        if theme not in {t.id for t in self.study.template.themes}:
            raise InvalidValueError(f"unknown theme '{theme}'")
        with self.study.transaction():
            if self.study.scalar("SELECT 1 FROM pool WHERE id = ?", (comment_id,)) is None:
                raise NotFoundError(f"no pool comment with id {comment_id}")
            self.study.conn.execute("INSERT OR IGNORE INTO pool_themes VALUES (?, ?)", (comment_id, theme))

    def untag(self, comment_id: int, theme: str) -> None:
        with self.study.transaction():
            self.study.conn.execute("DELETE FROM pool_themes WHERE comment_id = ? AND theme = ?",
                                    (comment_id, theme))

    def count(self) -> int:
        return self.study.scalar("SELECT count(*) FROM pool")

    def distribution(self, question_id: str) -> dict[str, int]:
        """Counts of each choice for an anonymous choice, yes/no or scale question, overall only.

        There is no crosstab by category for anonymous questions: that would tie answers
        back to kinds of organisation.
        """
        question = self.study.template.question(question_id)
        if question.type == "yes_no":
            counts = {"Yes": 0, "No": 0}
        elif question.choices:
            counts = {c: 0 for c in question.choices}
        else:
            raise InvalidValueError(f"question '{question_id}' has no choices to count")
        for (value,) in self.study.conn.execute("SELECT value FROM pool WHERE question_id = ?", (question_id,)):
            v = json.loads(value)
            for item in (v if isinstance(v, list) else [v]):
                key = question.as_text(item) if question.type == "yes_no" else item
                if key in counts:
                    counts[key] += 1
        return counts
