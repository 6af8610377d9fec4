"""Full-text search over named records, and over the pool on its own.

Text is normalised in Python (case folded, accents on Latin letters removed, so "lodz"
finds "Łódź") and indexed with SQLite FTS5's trigram tokenizer, which matches any run of
three or more characters in any script: Chinese, which has no spaces between words,
included. Every term must match (AND), each anywhere in the organisation's record, its
contacts or its named answers.

A term shorter than three characters cannot be looked up as trigrams. One in Latin letters or
digits (what someone has typed so far: "p", "po") matches organisations with a word of their
name that starts with it, through the name's index: a substring scan of every record for "p"
finds nearly all of them, slowly. Any other short term (a one- or two-character Chinese word,
say) is a substring scan of the normalised text, as Chinese has no spaces to start words at.
In the pool, every short term is a substring scan.

The search index is maintained by the core on every write; ``rebuild`` recreates it.
"""

from __future__ import annotations

import itertools
import json
import unicodedata
from typing import TYPE_CHECKING, Any

from fieldkit.errors import FieldkitError

if TYPE_CHECKING:
    from fieldkit.study import Study

# Latin letters with no Unicode decomposition that people type without the accent.
_LATIN_FOLD = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ı": "i", "ħ": "h", "æ": "ae", "œ": "oe",
                             "þ": "th", "ð": "d"})

# Row ids in search_index: one entry per organisation (its fields, contacts and numbers) at
# organisation * 2, and one per named answer at ((organisation << 24) + slot) * 2 + 1, in its
# organisation's block, beside its interview (ref) and question. Saving an answer replaces
# that entry alone, and a match tells its organisation by the row id, with nothing more read.
# Slots are taken lowest free first (migration 7 and ``rebuild``: in interview, question order).
_ORG, _ANSWER = 0, 1
_SLOT_BITS = 24  # answers one organisation's interviews can have in the index: 16 million
_ORGANISATION_OF_ROWID = f"CASE rowid & 1 WHEN {_ANSWER} THEN rowid >> {_SLOT_BITS + 1} ELSE rowid >> 1 END"
#: What an organisation's search entry is made of, in this order: its fields, then each contact's.
_ORG_FIELDS = ("name", "category", "area", "coverage", "address", "phone", "email", "website", "notes")
_CONTACT_FIELDS = ("name", "role", "phone", "email", "notes")


def _phones_as_shown(parts: list[Any], country: str) -> list[str]:
    """Each phone number stored in E.164 as it is shown and dialled ("0113 496 0000" beside
    "+441134960000"), so typing it the usual way finds it (fieldkit.contact_details)."""
    from fieldkit.contact_details import display_phone

    return [shown for v in parts if isinstance(v, str) and v.startswith("+")
            and (shown := display_phone(v, country)) != v]


def normalise(text: str) -> str:
    """Fold case and strip accents from Latin letters; other scripts are left whole.

    Indic vowel signs and Arabic marks are combining characters too, but removing them
    would change the word, so only marks that follow a Latin letter are dropped.
    """
    if text.isascii():
        return text.lower()  # nothing to fold beyond case (the common case, and a quick one)
    text = unicodedata.normalize("NFD", text.casefold())
    out: list[str] = []
    base_is_latin = False
    for ch in text:
        if unicodedata.combining(ch):
            if base_is_latin:
                continue
        else:
            base_is_latin = ch < "\u0250"
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)).translate(_LATIN_FOLD)


def terms(query: str) -> list[str]:
    """Split a query into normalised terms; "quoted phrases" stay whole."""
    out: list[str] = []
    parts = query.split('"')
    for i, part in enumerate(parts):
        if i % 2:  # inside quotes
            if part.strip():
                out.append(normalise(" ".join(part.split())))
        else:
            out.extend(normalise(w) for w in part.split())
    return [t for t in out if t]


def _match_expression(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _escaped(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like_pattern(term: str) -> str:
    return "%" + _escaped(term) + "%"


def _starts_a_name_word(term: str) -> bool:
    """True for a term matched against the start of the names' words (see the module's docstring)."""
    return len(term) < 3 and term.isascii()


#: An organisation's name has a word starting with the term (case aside, as LIKE compares ASCII).
NAME_WORD_START = "(o.name LIKE ? ESCAPE '\\' OR o.name LIKE ? ESCAPE '\\')"


def name_word_start_params(term: str) -> list[str]:
    return [_escaped(term) + "%", "% " + _escaped(term) + "%"]


#: The meta key that says answers' entries are waiting (for the next opening, after a crash).
PENDING_KEY = "search_pending"


class Search:
    def __init__(self, study: Study):
        self.study = study
        #: Named answers saved whose search entries wait: (interview, question) -> organisation.
        self._pending: dict[tuple[int, str], int] = {}
        self._noted = False  # PENDING_KEY written, in the transaction under way or committed
        self._undone = False  # a transaction was undone: what waits is read from the marks

    # --- answers' entries, written together after them -------------------------------------
    #
    # Writing an answer's entry in the answer's own commit cost FTS5 five or six pages (its new
    # segment, structure and averages records, its index and its content) against the answer's
    # one. A saved answer is marked (answers.indexed = 0) and the entries of those saved since
    # are written together, a segment for them all: before anyone searches the index, when an
    # interview is left or finished, and when the study is closed. The marks and PENDING_KEY,
    # written in the answers' own commits, let the next opening write what a crash left
    # unwritten: the answers themselves are never what waits.

    def answer_saved(self, interview_id: int, organisation_id: int, question_id: str) -> None:
        """A named answer was just written, marked as not yet indexed, in the caller's transaction."""
        self._pending[(interview_id, question_id)] = organisation_id
        if not self._noted:
            self.study.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, '1')", (PENDING_KEY,))
            self._noted = True

    def answer_cleared(self, interview_id: int, organisation_id: int, question_id: str) -> None:
        """A named answer was just cleared: its entry goes now."""
        self._pending.pop((interview_id, question_id), None)
        self.index_answer(interview_id, organisation_id, question_id, None)

    def write_pending(self) -> None:
        """Write every waiting answer's search entry now: before searching the index (from
        another connection too: the list's reader), leaving an interview, closing."""
        if self._undone:
            self.write_left_over()
        elif self._pending or self._noted:
            with self.study.transaction():
                self._write(list(self._pending.items()))

    def write_left_over(self) -> None:
        """Write the entries of every answer marked as waiting, if PENDING_KEY says there are any:
        at opening, those a crash left; after a transaction was undone, those it put back."""
        if self.study.scalar("SELECT 1 FROM meta WHERE key = ?", (PENDING_KEY,)) is None:
            self._pending.clear()
            self._undone = self._noted = False
            return
        with self.study.transaction():
            self._write([((iv, qid), org) for iv, qid, org in self.study.conn.execute(
                "SELECT a.interview_id, a.question_id, i.organisation_id FROM answers a "
                "JOIN interviews i ON i.id = a.interview_id WHERE NOT a.indexed").fetchall()])

    def rolled_back(self) -> None:
        """The caller's transaction (or savepoint) was undone: PENDING_KEY perhaps with it, and
        entries written in it. What waits is then read from the answers' marks (PENDING_KEY
        committed says there are some), and the key written again with the next answer."""
        self._noted = False
        self._undone = True

    @property
    def pending(self) -> int:
        """How many saved answers' entries wait."""
        return len(self._pending)

    def _write(self, waiting: list[tuple[tuple[int, str], int]]) -> None:
        conn = self.study.conn
        answers = []
        for (interview_id, question_id), organisation_id in waiting:
            row = conn.execute("SELECT value FROM answers WHERE interview_id = ? AND question_id = ? AND NOT indexed",
                               (interview_id, question_id)).fetchone()
            if row is not None:  # not undone, cleared or written since
                answers.append((interview_id, organisation_id, question_id, json.loads(row[0])))
        self.index_answers(answers)
        conn.executemany("UPDATE answers SET indexed = 1 WHERE interview_id = ? AND question_id = ?",
                         [(a[0], a[2]) for a in answers])
        conn.execute("DELETE FROM meta WHERE key = ?", (PENDING_KEY,))
        self._pending.clear()
        self._noted = self._undone = False

    # --- keeping the index -------------------------------------------------------------

    def index_organisation(self, org_id: int) -> None:
        """Re-index an organisation's own fields and its contacts."""
        conn = self.study.conn
        row = conn.execute(f"SELECT {', '.join(_ORG_FIELDS)} FROM organisations WHERE id = ?", (org_id,)).fetchone()
        rowid = org_id * 2 + _ORG
        conn.execute("DELETE FROM search_index WHERE rowid = ?", (rowid,))
        if row is None:
            return
        parts = [v for v in row if v]
        for contact in conn.execute(
                f"SELECT {', '.join(_CONTACT_FIELDS)} FROM contacts WHERE organisation_id = ?", (org_id,)):
            parts.extend(v for v in contact if v)
        # Further numbers and addresses too, struck-through ones included: a wrong number still finds its
        # organisation when someone rings back from it.
        parts.extend(v for (v,) in conn.execute("SELECT value FROM numbers WHERE organisation_id = ?", (org_id,)))
        parts += _phones_as_shown(parts, self.study.country)
        conn.execute(
            "INSERT INTO search_index(rowid, kind, ref, organisation_id, text) VALUES (?, 'organisation', ?, ?, ?)",
            (rowid, org_id, org_id, normalise("\n".join(parts))))

    def index_new_organisations(self, ids: list[int], rows: list[dict], contacts: list[list[dict]]) -> None:
        """Index organisations just added (``Organisations.add_many``) from the rows written, as
        ``index_organisation`` would from the tables: the same text, without reading it back."""
        docs = []
        country = self.study.country
        for org_id, row, people in zip(ids, rows, contacts, strict=True):
            parts = [v for k in _ORG_FIELDS if (v := row.get(k))]
            for c in people:
                parts += [v for k in _CONTACT_FIELDS if (v := c.get(k))]
            parts += _phones_as_shown(parts, country)
            docs.append((org_id * 2 + _ORG, org_id, normalise("\n".join(parts))))
        conn = self.study.conn
        insert = ("INSERT INTO search_index(rowid, kind, ref, organisation_id, text) "
                  "VALUES (?1, 'organisation', ?2, ?2, ?3)")
        # FTS5 gathers new entries in memory and writes them out as a segment whenever they pass
        # its 'hashsize' (1 MiB), merging segments as they pile up: 100,000 organisations (some
        # 50 MiB gathered) were written out fifty times, and merging took half the index's time.
        # A bulk load gathers up to 64 MiB instead. Setting the size back writes out what is
        # gathered, so the index is complete, and the setting as it was, before anything commits.
        if sum(len(text) for _, _, text in docs) * 5 < 1 << 20:  # (some 5 bytes an indexed character)
            conn.executemany(insert, docs)
            return
        (before,) = conn.execute("SELECT v FROM search_index_config WHERE k = 'hashsize'").fetchone() or (1 << 20,)
        conn.execute("INSERT INTO search_index(search_index, rank) VALUES ('hashsize', ?)", (64 << 20,))
        try:
            conn.executemany(insert, docs)
        finally:
            conn.execute("INSERT INTO search_index(search_index, rank) VALUES ('hashsize', ?)", (before,))

    def unindex_organisation(self, org_id: int) -> None:
        self.study.conn.execute("DELETE FROM search_index WHERE rowid = ?", (org_id * 2 + _ORG,))

    def index_interview(self, interview_id: int) -> None:
        """Re-index every named answer of one interview, an entry each (``rebuild``; a saved
        answer re-indexes itself alone, ``index_answer``)."""
        conn = self.study.conn
        self.unindex_interview(interview_id)
        org = conn.execute("SELECT organisation_id FROM interviews WHERE id = ?", (interview_id,)).fetchone()
        if org is None:
            return
        texts = [(qid, stored_answer_text(value)) for qid, value in conn.execute(
            "SELECT question_id, value FROM answers WHERE interview_id = ? ORDER BY question_id", (interview_id,))]
        worded = [(qid, text) for qid, text in texts if text]
        conn.executemany(
            "INSERT INTO search_index(rowid, kind, ref, question, organisation_id, text) "
            "VALUES (?, 'answer', ?, ?, ?, ?)",
            [(rowid, interview_id, qid, org[0], text)
             for rowid, (qid, text) in zip(self._free_rowids(org[0], len(worded)), worded, strict=True)])

    def index_answer(self, interview_id: int, organisation_id: int, question_id: str, value: Any) -> None:
        """Re-index one named answer as it is saved (``value`` None: it was cleared), touching
        no other answer's entry."""
        self.index_answers([(interview_id, organisation_id, question_id, value)])

    def index_answers(self, answers: list[tuple[int, int, str, Any]]) -> None:
        """Re-index named answers, each (interview, organisation, question, value; None: it was
        cleared), touching no other answer's entry.

        Each entry is found by a read first and then written by its row id, in row id order:
        FTS5 writes out what it holds in memory, a segment of the index, before any write to a
        row id lower than the last, and before a write whose WHERE scans the table; this way
        the answers written in one commit make one segment."""
        conn = self.study.conn
        writes: list[tuple[int, str | None, tuple[int, str, int] | None]] = []
        new: dict[int, list[tuple[int, str, str]]] = {}
        for interview_id, organisation_id, question_id, value in answers:
            text = answer_text(value)
            found = conn.execute(
                "SELECT rowid FROM search_index WHERE rowid BETWEEN ? AND ? AND ref = ? AND question = ?",
                (*_answer_rowids(organisation_id), interview_id, question_id)).fetchone()
            if found is not None:
                writes.append((found[0], text or None, None))
            elif text:
                new.setdefault(organisation_id, []).append((interview_id, question_id, text))
        for organisation_id, entries in new.items():
            for rowid, (interview_id, question_id, words) in zip(
                    self._free_rowids(organisation_id, len(entries)), entries, strict=True):
                writes.append((rowid, words, (interview_id, question_id, organisation_id)))
        for rowid, words_or_none, inserted in sorted(writes, key=lambda w: w[0]):
            if inserted is not None:
                conn.execute("INSERT INTO search_index(rowid, kind, ref, question, organisation_id, text) "
                             "VALUES (?, 'answer', ?, ?, ?, ?)", (rowid, *inserted, words_or_none))
            elif words_or_none is None:
                conn.execute("DELETE FROM search_index WHERE rowid = ?", (rowid,))
            else:
                conn.execute("UPDATE search_index SET text = ? WHERE rowid = ?", (words_or_none, rowid))

    def unindex_interview(self, interview_id: int) -> None:
        """Remove the entries of an interview's answers (before it, or its organisation, goes)."""
        conn = self.study.conn
        org = conn.execute("SELECT organisation_id FROM interviews WHERE id = ?", (interview_id,)).fetchone()
        if org is not None:
            conn.execute("DELETE FROM search_index WHERE rowid BETWEEN ? AND ? AND ref = ? AND kind = 'answer'",
                         (*_answer_rowids(org[0]), interview_id))

    def _free_rowids(self, org_id: int, n: int) -> list[int]:
        """The ``n`` lowest free row ids of the organisation's answer entries."""
        first, last = _answer_rowids(org_id)
        used = {r for (r,) in self.study.conn.execute(
            "SELECT rowid FROM search_index WHERE rowid BETWEEN ? AND ? AND kind = 'answer'", (first, last))}
        free = list(itertools.islice((r for r in range(first, last + 1, 2) if r not in used), n))
        if len(free) < n:
            raise FieldkitError(f"organisation {org_id}: more named answers than the search index holds "
                                f"for one organisation ({1 << _SLOT_BITS:,})")
        return free

    def index_comment(self, comment_id: int, text: str | None) -> None:
        """(Re-)index one pool comment under its own random id; None removes it."""
        conn = self.study.conn
        conn.execute("DELETE FROM pool_search WHERE rowid = ?", (comment_id,))
        if text is not None:
            conn.execute("INSERT INTO pool_search(rowid, text) VALUES (?, ?)", (comment_id, normalise(text)))

    def rebuild(self) -> None:
        """Recreate both indexes from the records (after an import, or to repair)."""
        with self.study.transaction():
            conn = self.study.conn
            conn.execute("UPDATE answers SET indexed = 1 WHERE NOT indexed")
            conn.execute("DELETE FROM meta WHERE key = ?", (PENDING_KEY,))
            self._pending.clear()
            self._noted = self._undone = False
            conn.execute("DELETE FROM search_index")
            conn.execute("DELETE FROM pool_search")
            for (org_id,) in conn.execute("SELECT id FROM organisations").fetchall():
                self.index_organisation(org_id)
            for (iv,) in conn.execute("SELECT id FROM interviews ORDER BY id").fetchall():
                self.index_interview(iv)
            for cid, text in conn.execute("SELECT id, text FROM pool").fetchall():
                self.index_comment(cid, text)

    # --- querying ----------------------------------------------------------------------

    def _ids(self, table: str, column: str, wanted: list[str]) -> list[int]:
        found: set[int] | None = None
        with self.study._mutex:
            for term in sorted(wanted, key=len, reverse=True):  # trigram terms narrow it first
                if len(term) >= 3:
                    sql = f"SELECT {column} FROM {table} WHERE {table} MATCH ?"
                    params: tuple = (_match_expression(term),)
                else:
                    sql = f"SELECT {column} FROM {table} WHERE text LIKE ? ESCAPE '\\'"
                    params = (_like_pattern(term),)
                ids = {r[0] for r in self.study.conn.execute(sql, params)}
                found = ids if found is None else found & ids
                if not found:
                    return []
        return sorted(found or ())

    def organisation_filter(self, query: str) -> tuple[list[str], list[Any]] | None:
        """SQL conditions on the organisations (as ``o``) that hold every term of ``query``, and
        their parameters; None when none can match. Short terms in Latin letters become
        conditions on the name's index, which the list's query reads in its own order."""
        wanted = terms(query)
        where: list[str] = []
        params: list[Any] = []
        indexed = [t for t in wanted if not _starts_a_name_word(t)]
        if indexed:
            self.write_pending()  # the answers just saved are found too
            ids = self._ids("search_index", _ORGANISATION_OF_ROWID, indexed)
            if not ids:
                return None
            # One JSON parameter, however many matches: SQLite caps the number of parameters.
            where.append("o.id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(ids))
        for term in wanted:
            if _starts_a_name_word(term):
                where.append(NAME_WORD_START)
                params.extend(name_word_start_params(term))
        return where, params

    def organisation_ids(self, query: str) -> list[int]:
        """Ids of organisations whose record, contacts or named answers hold every term."""
        found = self.organisation_filter(query)
        if found is None:
            return []
        where, params = found
        sql = "SELECT o.id FROM organisations o" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY o.id"
        with self.study._mutex:
            return [r[0] for r in self.study.conn.execute(sql, params)]

    def comment_ids(self, query: str) -> list[int]:
        """Ids of pool comments that hold every term (the pool is searched on its own)."""
        return self._ids("pool_search", "rowid", terms(query))


def answer_text(value: object) -> str:
    """What the search index holds of one answer: its words, normalised ('' for none)."""
    return normalise("\n".join(_answer_words(value)))


def stored_answer_text(value: str) -> str:
    """``answer_text`` of an answer as the answers table stores it (JSON)."""
    return answer_text(json.loads(value))


def _answer_rowids(org_id: int) -> tuple[int, int]:
    """The first and last row id of an organisation's block of answer entries."""
    first = (org_id << _SLOT_BITS) * 2 + _ANSWER
    return first, first + ((1 << _SLOT_BITS) - 1) * 2


def _answer_words(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []
