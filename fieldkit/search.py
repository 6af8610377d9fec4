"""Full-text search over named records, and over the pool on its own.

Text is normalised in Python (case folded, accents on Latin letters removed, so "lodz"
finds "Łódź") and indexed with SQLite FTS5's trigram tokenizer, which matches any run of
three or more characters in any script: Chinese, which has no spaces between words,
included. Shorter terms (a one- or two-character Chinese word, say) fall back to a
substring scan of the same normalised text. Every term must match (AND), each anywhere in
the organisation's record, its contacts or its named answers.

The search index is maintained by the core on every write; ``rebuild`` recreates it.
"""

from __future__ import annotations

import json
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fieldkit.study import Study

# Latin letters with no Unicode decomposition that people type without the accent.
_LATIN_FOLD = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ı": "i", "ħ": "h", "æ": "ae", "œ": "oe",
                             "þ": "th", "ð": "d"})

# Row ids in search_index: one document per organisation (its fields and contacts) and one
# per interview (its named answers), interleaved so each can be replaced by rowid.
_ORG, _INTERVIEW = 0, 1
#: What an organisation's search entry is made of, in this order: its fields, then each contact's.
_ORG_FIELDS = ("name", "category", "area", "coverage", "address", "phone", "email", "website", "notes")
_CONTACT_FIELDS = ("name", "role", "phone", "email", "notes")


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


def _like_pattern(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class Search:
    def __init__(self, study: Study):
        self.study = study

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
        conn.execute(
            "INSERT INTO search_index(rowid, kind, ref, organisation_id, text) VALUES (?, 'organisation', ?, ?, ?)",
            (rowid, org_id, org_id, normalise("\n".join(parts))))

    def index_new_organisations(self, ids: list[int], rows: list[dict], contacts: list[list[dict]]) -> None:
        """Index organisations just added (``Organisations.add_many``) from the rows written, as
        ``index_organisation`` would from the tables: the same text, without reading it back."""
        docs = []
        for org_id, row, people in zip(ids, rows, contacts, strict=True):
            parts = [row.get(k) for k in _ORG_FIELDS]
            for c in people:
                parts.extend(c.get(k) for k in _CONTACT_FIELDS)
            docs.append((org_id * 2 + _ORG, org_id, org_id, normalise("\n".join(v for v in parts if v))))
        self.study.conn.executemany(
            "INSERT INTO search_index(rowid, kind, ref, organisation_id, text) VALUES (?, 'organisation', ?, ?, ?)",
            docs)

    def unindex_organisation(self, org_id: int) -> None:
        self.study.conn.execute("DELETE FROM search_index WHERE rowid = ?", (org_id * 2 + _ORG,))

    def index_interview(self, interview_id: int) -> None:
        """Re-index the named answers of one interview (called after each saved answer)."""
        conn = self.study.conn
        rowid = interview_id * 2 + _INTERVIEW
        conn.execute("DELETE FROM search_index WHERE rowid = ?", (rowid,))
        org = conn.execute("SELECT organisation_id FROM interviews WHERE id = ?", (interview_id,)).fetchone()
        if org is None:
            return
        words = []
        for (value,) in conn.execute("SELECT value FROM answers WHERE interview_id = ?", (interview_id,)):
            words.extend(_answer_words(json.loads(value)))
        if words:
            conn.execute(
                "INSERT INTO search_index(rowid, kind, ref, organisation_id, text) VALUES (?, 'interview', ?, ?, ?)",
                (rowid, interview_id, org[0], normalise("\n".join(words))))

    def unindex_interview(self, interview_id: int) -> None:
        self.study.conn.execute("DELETE FROM search_index WHERE rowid = ?", (interview_id * 2 + _INTERVIEW,))

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
            conn.execute("DELETE FROM search_index")
            conn.execute("DELETE FROM pool_search")
            for (org_id,) in conn.execute("SELECT id FROM organisations").fetchall():
                self.index_organisation(org_id)
            for (iv,) in conn.execute("SELECT id FROM interviews").fetchall():
                self.index_interview(iv)
            for cid, text in conn.execute("SELECT id, text FROM pool").fetchall():
                self.index_comment(cid, text)

    # --- querying ----------------------------------------------------------------------

    def _ids(self, table: str, column: str, query: str) -> list[int]:
        found: set[int] | None = None
        with self.study._mutex:
            for term in terms(query):
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

    def organisation_ids(self, query: str) -> list[int]:
        """Ids of organisations whose record, contacts or named answers hold every term."""
        return self._ids("search_index", "organisation_id", query)

    def comment_ids(self, query: str) -> list[int]:
        """Ids of pool comments that hold every term (the pool is searched on its own)."""
        return self._ids("pool_search", "rowid", query)


def _answer_words(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []
