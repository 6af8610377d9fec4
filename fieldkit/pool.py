"""The anonymous comment pool.

What an interviewee said in answer to an anonymous question ends up here and nowhere else:
the comment's text, the question it answers, its value and theme tags. There is no
organisation, interview, contact or time, and the id is random. Answers arrive only in
groups of at least k interviews (fieldkit.held), and each arrival lays the pool out again in
random-id order with a fresh search index, so neither the stored order, the page layout nor
the index's segments follow the order comments were written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fieldkit import deletions
from fieldkit.errors import InvalidValueError, NotFoundError
from fieldkit.storage import sqlite
from fieldkit.templates import Question

if TYPE_CHECKING:
    from fieldkit.study import Study

_MAX_ID = 2**62
#: Question types whose pooled answers are words the researcher may reword (redact).


@dataclass(frozen=True)
class Comment:
    id: int
    question_id: str
    question_label: str
    text: str
    value: Any
    themes: tuple[str, ...]


class Pool:
    def __init__(self, study: Study):
        self.study = study

    # --- filled by moves from fieldkit.held --------------------------------------------

    def add(self, question: Question, value: Any) -> None:
        """Write one anonymous answer, with its search entry, under a fresh random id: nothing
        an interview or a held answer holds goes into it. Only for a move into the pool, inside
        its transaction, which ends with ``rewrite``."""
        import secrets  # (here: importing it, with hmac and hashlib, is not start-up's work)

        if not question.anonymous:
            raise InvalidValueError(f"question '{question.id}' is named; it does not go to the pool")
        conn = self.study.conn
        text = question.as_text(value)
        encoded = json.dumps(value, ensure_ascii=False)
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

    def rewrite(self) -> None:
        """Lay the pool out again in random-id order, inside the caller's transaction.

        Every table that holds pool rows (the pool, its themes and names, and the search
        index's content and document-size tables) is emptied and filled again in id order, so
        the order of cells within pages, which SQLite fills in the order rows arrive, follows
        the random ids and not the order anything was written; the search index is merged
        into one segment, whose entries are in id order too. Rows are copied, not re-indexed,
        so this costs a few hundred milliseconds at 20,000 comments (bench/pool_move.py).
        Freed space is zeroed (secure_delete); the caller empties the -wal after the commit.
        """
        conn = self.study.conn
        tables = {  # table: its key, the order rows go back in
            "pool": "id", "pool_themes": "comment_id, theme", "pool_names": "comment_id, name",
            "pool_quotes": "theme, comment_id", "pool_duplicates": "comment_id",
            "pool_search_content": "id", "pool_search_docsize": "id"}
        try:
            for table in tables:
                conn.execute(f"CREATE TEMP TABLE moving_{table} AS SELECT * FROM main.{table}")
            for table in ("pool_themes", "pool_names", "pool_quotes", "pool_duplicates", *tables):  # children first
                conn.execute(f"DELETE FROM main.{table}")
            for table, key in tables.items():
                conn.execute(f"INSERT INTO main.{table} SELECT * FROM temp.moving_{table} ORDER BY {key}")
            conn.execute("INSERT INTO pool_search(pool_search) VALUES ('optimize')")
        finally:
            for table in tables:
                conn.execute(f"DROP TABLE IF EXISTS temp.moving_{table}")

    # --- reading and curating ----------------------------------------------------------

    def question(self, question_id: str) -> Question | None:
        """The question as its newest template version has it (one removed from the schedule
        since is still found: its pooled answers stay), or None."""
        return self._question(question_id)

    def _question(self, question_id: str) -> Question | None:
        """The question as its newest template version has it."""
        for version in reversed(self.study.template_versions()):
            try:
                return self.study.template_at(version).question(question_id)
            except KeyError:
                continue
        return None

    def _label(self, question_id: str) -> str:
        question = self._question(question_id)
        return question.label if question is not None else question_id

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
        """Change a comment's words (to redact a name or a detail that identifies someone).

        Every stored copy of the old words goes: the text and the value, the search index
        (FTS5 secure-delete), freed space (secure_delete) and the -wal (emptied afterwards).
        """
        if not isinstance(text, str) or not text.strip():
            raise InvalidValueError("a comment cannot be empty; delete it instead")
        row = self.study.conn.execute("SELECT question_id FROM pool WHERE id = ?", (comment_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no pool comment with id {comment_id}")
        question = self._question(row[0])
        if question is not None and not question.qtype.worded:
            raise InvalidValueError(f"an answer to “{question.label}” is a choice, not words: it cannot be "
                                    "reworded (delete it instead)")
        if question is not None and question.qtype.one_line and "\n" in text.strip():
            raise InvalidValueError("an answer to a short-text question must be one line")
        with self.study.transaction():
            self.study.conn.execute("UPDATE pool SET text = ?, value = ? WHERE id = ?",
                                    (text, json.dumps(text, ensure_ascii=False), comment_id))
            self.study.search.index_comment(comment_id, text)
            from fieldkit.reports.names import written_in  # the names check's own matching

            for (name,) in self.study.conn.execute(
                    "SELECT name FROM pool_names WHERE comment_id = ?", (comment_id,)).fetchall():
                if written_in(text, name) is None:  # redacted: the erased name is no longer kept
                    self.study.conn.execute("DELETE FROM pool_names WHERE comment_id = ? AND name = ?",
                                            (comment_id, name))
        self.study.empty_wal(busy_ms=200)

    def delete(self, comment_id: int) -> None:
        """Delete a comment; its words leave the file and the -wal as with ``edit``."""
        with self.study.transaction():
            cur = self.study.conn.execute("DELETE FROM pool WHERE id = ?", (comment_id,))
            if not cur.rowcount:
                raise NotFoundError(f"no pool comment with id {comment_id}")
            deletions.remember(self.study, deletions.COMMENTS, comment_id)  # merging a copy never brings it back
            self.study.search.index_comment(comment_id, None)
        self.study.empty_wal(busy_ms=200)

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
            deletions.remember(self.study, deletions.COMMENTS, comment.id, forget=True)

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

    def by_category(self, question_id: str) -> dict[str, dict[str, int]]:
        """For a question marked ``count_by = "category"``: per category ('' for none), the
        count of each choice and, under '', of the interviews that answered. Categories appear
        only once k interviews of theirs have answered, and grow in steps of at least k."""
        out: dict[str, dict[str, int]] = {}
        for category, choice, n in self.study.conn.execute(
                "SELECT category, choice, n FROM pool_counts WHERE question_id = ?", (question_id,)):
            out.setdefault(category, {})[choice] = n
        return out

    def distribution(self, question_id: str) -> dict[str, int]:
        """Counts of each choice for an anonymous choice, yes/no or scale question, overall,
        keyed by what the answers store (the choice names; Yes and No), in the choices' order:
        ``question.qtype.key_label`` words a key for a reader. A question removed from the
        schedule is counted as its newest template version had it.

        A crosstab by category is kept only for questions marked ``count_by = "category"``
        (``by_category``), in steps of at least k interviews of a category. Answers whose
        question an interview's logic no longer asked never reach the pool (fieldkit.held).
        """
        question = self._question(question_id)
        if question is None:
            raise KeyError(question_id)
        if not question.qtype.countable:
            raise InvalidValueError(f"question '{question_id}' has no choices to count")
        counts = {key: 0 for key in question.qtype.count_keys(question)}
        for (value,) in self.study.conn.execute("SELECT value FROM pool WHERE question_id = ?", (question_id,)):
            for key in question.qtype.counted(question, json.loads(value)):
                if key in counts:
                    counts[key] += 1
        return counts
