"""The study file's schema: numbered migrations, the one place tables are defined.

Each migration runs in one transaction that ends by setting ``PRAGMA user_version`` to its
number, so a study is always at exactly one schema version. Never edit a released step: add
the next one.

The pool tables hold comment text, the question it answers and theme tags, and nothing
else: no organisation, interview, contact or time, and a random id so that neither the id
nor the stored order follows the order comments were written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );

        -- Every version of the study's template; interviews point at the one they used.
        CREATE TABLE template_versions (
            version INTEGER PRIMARY KEY,
            definition TEXT NOT NULL,          -- JSON, the template's to_dict()
            created TEXT NOT NULL
        );

        CREATE TABLE organisations (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL CHECK (trim(name) <> ''),
            category TEXT,
            area TEXT,
            coverage TEXT,
            status TEXT NOT NULL DEFAULT 'identified' CHECK (status IN
                ('identified', 'contacting', 'interviewed', 'unreachable', 'declined', 'excluded')),
            exclusion_reason TEXT CHECK (exclusion_reason IS NULL OR status = 'excluded'),
            address TEXT,
            phone TEXT,
            email TEXT,
            website TEXT,
            referred_by INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
            notes TEXT,
            created TEXT NOT NULL,
            updated TEXT NOT NULL
        );
        CREATE INDEX organisations_category ON organisations(category);
        CREATE INDEX organisations_area ON organisations(area);
        CREATE INDEX organisations_status ON organisations(status);
        CREATE INDEX organisations_name ON organisations(name COLLATE NOCASE);
        CREATE INDEX organisations_referred_by ON organisations(referred_by);

        CREATE TABLE flags (
            organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
            flag TEXT NOT NULL,
            PRIMARY KEY (organisation_id, flag)
        ) WITHOUT ROWID;
        CREATE INDEX flags_flag ON flags(flag, organisation_id);

        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
            name TEXT NOT NULL DEFAULT '',
            role TEXT,
            phone TEXT,
            email TEXT,
            notes TEXT
        );
        CREATE INDEX contacts_organisation ON contacts(organisation_id);

        CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
            at TEXT NOT NULL,                  -- local time, ISO 8601 to the minute
            channel TEXT NOT NULL CHECK (channel IN ('phone', 'email', 'visit', 'letter')),
            outcome TEXT NOT NULL DEFAULT '',
            note TEXT,
            callback_at TEXT                   -- local time, ISO 8601, or NULL
        );
        CREATE INDEX attempts_organisation ON attempts(organisation_id, at);
        CREATE INDEX attempts_callback ON attempts(callback_at) WHERE callback_at IS NOT NULL;

        CREATE TABLE interviews (
            id INTEGER PRIMARY KEY,
            organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
            contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
            template_version INTEGER NOT NULL REFERENCES template_versions(version),
            date TEXT NOT NULL,
            mode TEXT NOT NULL CHECK (mode IN ('phone', 'face_to_face')),
            interviewer TEXT NOT NULL DEFAULT '',
            completed TEXT
        );
        CREATE INDEX interviews_organisation ON interviews(organisation_id);

        -- Named answers only: anonymous questions never have a row here.
        CREATE TABLE answers (
            interview_id INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            value TEXT NOT NULL,               -- JSON
            PRIMARY KEY (interview_id, question_id)
        ) WITHOUT ROWID;
        CREATE INDEX answers_question ON answers(question_id);

        -- The anonymous comment pool. id is random; nothing here points anywhere else.
        CREATE TABLE pool (
            id INTEGER PRIMARY KEY,
            question_id TEXT NOT NULL,
            value TEXT NOT NULL,               -- JSON, as the question stores it
            text TEXT NOT NULL                 -- the answer in words, editable for redaction
        );
        CREATE TABLE pool_themes (
            comment_id INTEGER NOT NULL REFERENCES pool(id) ON DELETE CASCADE,
            theme TEXT NOT NULL,
            PRIMARY KEY (comment_id, theme)
        ) WITHOUT ROWID;

        -- Full-text search. Text is normalised in Python (case, Latin accents) and indexed
        -- as trigrams, which finds words in every script, Chinese included.
        CREATE VIRTUAL TABLE search_index USING fts5(
            kind UNINDEXED, ref UNINDEXED, organisation_id UNINDEXED, text,
            tokenize = 'trigram'
        );
        CREATE VIRTUAL TABLE pool_search USING fts5(text, tokenize = 'trigram');
        """,
    ),
]

MIGRATIONS.append((
    2,
    """
    -- What changed in named records, and when: for the researcher and for subject access.
    -- Organisations and contacts only; nothing about the pool is ever logged.
    CREATE TABLE changes (
        id INTEGER PRIMARY KEY,
        organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        record TEXT NOT NULL,                  -- 'organisation', or 'contact' for one of its contacts
        contact_id INTEGER,                    -- which contact (no foreign key: kept after a removal)
        field TEXT NOT NULL,
        old TEXT,
        new TEXT,
        at TEXT NOT NULL
    );
    CREATE INDEX changes_organisation ON changes(organisation_id, at);
    """,
))

MIGRATIONS.append((
    3,
    """
    -- An interview's anonymous answers, held with it (visibly: the researcher sees and corrects
    -- them) until at least anonymity_k finished interviews have answered the same question;
    -- then they move into the pool together, shuffled, and these rows go. Never in a backup.
    CREATE TABLE held (
        interview_id INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
        question_id TEXT NOT NULL,
        value TEXT NOT NULL,               -- JSON, as the question stores it
        PRIMARY KEY (interview_id, question_id)
    ) WITHOUT ROWID;

    -- Answers to an anonymous question marked count_by = "category", counted per category of
    -- organisation: counts only, grown in steps of at least anonymity_k interviews of a category.
    CREATE TABLE pool_counts (
        question_id TEXT NOT NULL,
        category TEXT NOT NULL,            -- '' for organisations with no category
        choice TEXT NOT NULL,              -- '' counts the interviews that answered
        n INTEGER NOT NULL,
        PRIMARY KEY (question_id, category, choice)
    ) WITHOUT ROWID;

    -- Names of erased organisations or contacts that a pooled comment still contains (kept
    -- when the researcher chose not to redact), so the report's names check still flags it.
    CREATE TABLE pool_names (
        comment_id INTEGER NOT NULL REFERENCES pool(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        PRIMARY KEY (comment_id, name)
    ) WITHOUT ROWID;

    -- A deleted or reworded comment's words are removed from the index itself, not only hidden.
    INSERT INTO pool_search(pool_search, rank) VALUES ('secure-delete', 1);
    """,
))

MIGRATIONS.append((
    4,
    """
    -- Question logic: an answer whose question has become irrelevant (its 'relevant'
    -- expression is false for the answers given since) is kept but marked, and left out of
    -- counts and reports. Kept up to date by every save_answer of the interview.
    ALTER TABLE answers ADD COLUMN relevant INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE held ADD COLUMN relevant INTEGER NOT NULL DEFAULT 1;
    -- The language the interview is asked in (one of the template's), and the section the
    -- interviewer was last in, to resume there.
    ALTER TABLE interviews ADD COLUMN language TEXT;
    ALTER TABLE interviews ADD COLUMN section TEXT;
    """,
))

MIGRATIONS.append((
    5,
    """
    -- Fieldwork by the book. An interview's result: NULL while it goes on (the organisation is
    -- "in interview"), then complete or partial (AAPOR 1.1, 1.2) when finished, or break_off
    -- (2.12) when abandoned for good; ``completed`` is when it ended. Paradata, named side only:
    -- when the first sitting began, how many sittings, and the time spent in them.
    ALTER TABLE interviews ADD COLUMN result TEXT
        CHECK (result IS NULL OR result IN ('complete', 'partial', 'break_off'));
    ALTER TABLE interviews ADD COLUMN started TEXT;
    ALTER TABLE interviews ADD COLUMN sittings INTEGER;
    ALTER TABLE interviews ADD COLUMN seconds INTEGER;
    -- Interviews finished before: complete when the full-interview tick says so, else partial.
    UPDATE interviews SET result = CASE WHEN EXISTS (
            SELECT 1 FROM flags f WHERE f.organisation_id = interviews.organisation_id
            AND f.flag = 'full_interview') THEN 'complete' ELSE 'partial' END
        WHERE completed IS NOT NULL;
    -- An organisation was "interviewed" as soon as an interview began; one whose interviews
    -- are all unfinished goes back to contacting (in interview). One with no interview at all
    -- (recorded so from older fieldwork) stays interviewed.
    INSERT INTO changes(organisation_id, record, contact_id, field, old, new, at)
        SELECT o.id, 'organisation', NULL, 'status', 'interviewed', 'contacting',
               strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')
        FROM organisations o
        WHERE o.status = 'interviewed'
          AND EXISTS (SELECT 1 FROM interviews i WHERE i.organisation_id = o.id)
          AND NOT EXISTS (SELECT 1 FROM interviews i WHERE i.organisation_id = o.id
                          AND i.completed IS NOT NULL);
    UPDATE organisations SET status = 'contacting'
        WHERE status = 'interviewed'
          AND EXISTS (SELECT 1 FROM interviews i WHERE i.organisation_id = organisations.id)
          AND NOT EXISTS (SELECT 1 FROM interviews i WHERE i.organisation_id = organisations.id
                          AND i.completed IS NOT NULL);

    -- What an attempt tried (the number or address), and how long the call took.
    ALTER TABLE attempts ADD COLUMN tried TEXT;
    ALTER TABLE attempts ADD COLUMN seconds INTEGER;
    -- When an organisation can be called, as the researcher wrote it ("Mon-Fri 9-5").
    ALTER TABLE organisations ADD COLUMN opening_hours TEXT;

    -- Further phone numbers and email addresses of an organisation or one of its contacts
    -- (the first of each stays in its record). One found wrong is struck through, not deleted.
    CREATE TABLE numbers (
        id INTEGER PRIMARY KEY,
        organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        contact_id INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('phone', 'email')),
        value TEXT NOT NULL CHECK (trim(value) <> ''),
        label TEXT,
        wrong INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX numbers_organisation ON numbers(organisation_id);
    CREATE INDEX numbers_contact ON numbers(contact_id) WHERE contact_id IS NOT NULL;
    """,
))

MIGRATIONS.append((
    6,
    """
    -- The client report as the researcher writes it (named side). Each part of the report (a
    -- section of fieldkit.reports.sections, or "theme:<id>" for one theme's findings): where
    -- it comes in the report, whether it is printed, a heading and a Markdown text of the
    -- researcher's own (NULL: fieldkit's own).
    CREATE TABLE report_parts (
        key TEXT PRIMARY KEY,
        position INTEGER,
        included INTEGER NOT NULL DEFAULT 1 CHECK (included IN (0, 1)),
        title TEXT,
        body TEXT
    );
    -- The recommendations, each with who should act, in the researcher's order.
    CREATE TABLE report_recommendations (
        id INTEGER PRIMARY KEY,
        position INTEGER NOT NULL,
        text TEXT NOT NULL DEFAULT '',
        who TEXT NOT NULL DEFAULT ''
    );
    -- The logos on the cover: the client's and the author's (PNG or JPEG bytes).
    CREATE TABLE report_images (
        role TEXT PRIMARY KEY CHECK (role IN ('client', 'author')),
        name TEXT NOT NULL,
        data BLOB NOT NULL
    );
    -- Pool side: the comments chosen as quotations for the report, per theme ('' for comments
    -- without one), in the researcher's order; and comments merged into another as duplicates.
    -- Nothing but comment ids, a theme and an order; keyed so rows lie in key order, not in
    -- the order they were chosen.
    CREATE TABLE pool_quotes (
        theme TEXT NOT NULL,
        comment_id INTEGER NOT NULL REFERENCES pool(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        PRIMARY KEY (theme, comment_id)
    ) WITHOUT ROWID;
    CREATE TABLE pool_duplicates (
        comment_id INTEGER PRIMARY KEY REFERENCES pool(id) ON DELETE CASCADE,
        duplicate_of INTEGER NOT NULL REFERENCES pool(id) ON DELETE CASCADE
    ) WITHOUT ROWID;
    """,
))

MIGRATIONS.append((
    7,
    """
    -- The named search index with an entry per named answer instead of one per interview, so
    -- that saving an answer re-indexes that answer alone. An organisation's entry keeps its row
    -- id (organisation * 2) and its words; an answer's is ((organisation << 24) + slot) * 2 + 1
    -- (fieldkit.search), its slots numbered in interview, question order, with its interview
    -- (ref) and question beside it. Entries' sizes, which only ranking reads, are no longer
    -- kept. fieldkit_answer_text: the words of a stored answer, normalised as fieldkit.search
    -- does (the connection provides it while it migrates).
    CREATE VIRTUAL TABLE search_index_7 USING fts5(
        kind UNINDEXED, ref UNINDEXED, question UNINDEXED, organisation_id UNINDEXED, text,
        tokenize = 'trigram', columnsize = 0
    );
    INSERT INTO search_index_7(rowid, kind, ref, organisation_id, text)
        SELECT rowid, kind, ref, organisation_id, text FROM search_index WHERE kind = 'organisation';
    INSERT INTO search_index_7(rowid, kind, ref, question, organisation_id, text)
        SELECT ((organisation_id << 24)
                + row_number() OVER (PARTITION BY organisation_id ORDER BY interview_id, question_id) - 1) * 2 + 1,
               'answer', interview_id, question_id, organisation_id, text
        FROM (SELECT a.interview_id, a.question_id, i.organisation_id, fieldkit_answer_text(a.value) AS text
              FROM answers a JOIN interviews i ON i.id = a.interview_id)
        WHERE text <> '';
    DROP TABLE search_index;
    ALTER TABLE search_index_7 RENAME TO search_index;
    """,
))

MIGRATIONS.append((
    8,
    """
    -- Whether a named answer's search entry has been written (fieldkit.search, answer_saved):
    -- entries are written a few seconds after their answers, several in one commit, and those a
    -- crash left unwritten are written at the next opening, found through this mark.
    ALTER TABLE answers ADD COLUMN indexed INTEGER NOT NULL DEFAULT 1;
    """,
))

MIGRATIONS.append((
    9,
    """
    -- Organisations sort by name as their readers expect, by the Unicode Collation Algorithm
    -- (fieldkit.collation): Łódź with L, Ökumene with O, case and accents only breaking ties,
    -- Greek and Cyrillic each in its own order. name_key is the name's sort key as bytes, whose
    -- BLOB order is that order, written with the name by fieldkit.organisations (no trigger can
    -- make it: a study's schema runs none of fieldkit's functions, fieldkit.storage.schema_check).
    -- fieldkit_sort_key: that key (the connection provides it while it migrates).
    ALTER TABLE organisations ADD COLUMN name_key BLOB;
    UPDATE organisations SET name_key = fieldkit_sort_key(name);
    -- The list reads the names in that order from this index (short searches match the start
    -- of their words in it); the index of names without case, which the list read before, goes:
    -- finding one name ignoring case (fieldkit.organisations, find_by_name) reads the table.
    CREATE INDEX organisations_name_key ON organisations(name_key, name);
    DROP INDEX organisations_name;
    """,
))

SCHEMA_VERSION = MIGRATIONS[-1][0]


def sql_functions() -> dict[str, Callable[[Any], Any]]:
    """The functions of fieldkit's own that migrations call, by name (one argument each)."""
    from fieldkit.collation import sort_key_or_none  # a name's sort key (organisations.name_key)
    from fieldkit.search import stored_answer_text  # the words of an answer as search indexes them

    return {"fieldkit_answer_text": stored_answer_text, "fieldkit_sort_key": sort_key_or_none}


#: Columns the pool tables may have. ``fieldkit check`` and the tests hold the schema to this.
POOL_COLUMNS = {
    "pool": ("id", "question_id", "value", "text"),
    "pool_themes": ("comment_id", "theme"),
    "pool_counts": ("question_id", "category", "choice", "n"),
    "pool_names": ("comment_id", "name"),
    "pool_quotes": ("theme", "comment_id", "position"),
    "pool_duplicates": ("comment_id", "duplicate_of"),
}
