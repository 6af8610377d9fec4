"""The study file's schema: numbered migrations, the one place tables are defined.

Each migration runs in one transaction that ends by setting ``PRAGMA user_version`` to its
number, so a study is always at exactly one schema version. Never edit a released step: add
the next one.

The pool tables hold comment text, the question it answers and theme tags, and nothing
else: no organisation, interview, contact or time, and a random id so that neither the id
nor the stored order follows the order comments were written.
"""

from __future__ import annotations

import hashlib
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

MIGRATIONS.append((
    10,
    """
    -- Stable identifiers, so that two copies of a study (two researchers sharing a calling list)
    -- can be merged back (fieldkit.merge): the study's own (meta 'study_uid', which a copy keeps)
    -- and one per organisation, contact, attempt, interview, change and held anonymous answer
    -- (hex of 16 bytes). A row written without one gets a random one from its trigger, which
    -- uses SQLite's own functions only and touches nothing but the row just written; the pool
    -- has none, and no trigger goes near it. What a study holds when it comes to this format is
    -- given identifiers made from what every copy of it keeps, so that two copies brought up to
    -- date apart, on two laptops, still know each other's rows: the study's from when it was
    -- made and its first template, each row's from the study's, its table, its id, its
    -- organisation's (or interview's) and when it was made (organisations.created, a contact's
    -- "added" entry in the change log, attempts.at, interviews.started or date, changes.at, a
    -- held answer's question). A study made at this format has nothing yet: its identifier is
    -- random. fieldkit_uid: 32 hex digits of the SHA-256 of a text (the connection provides it
    -- while it migrates).
    INSERT OR IGNORE INTO meta(key, value) SELECT 'study_uid', coalesce(
        (SELECT fieldkit_uid('study | ' || made.value || ' | ' || coalesce(name.value, '') || ' | '
                             || coalesce((SELECT definition FROM template_versions WHERE version = 1), ''))
         FROM meta made LEFT JOIN meta name ON name.key = 'template_name' WHERE made.key = 'created'),
        lower(hex(randomblob(16))));
    ALTER TABLE organisations ADD COLUMN uid TEXT;
    UPDATE organisations SET uid = fieldkit_uid((SELECT value FROM meta WHERE key = 'study_uid')
        || ' | organisations | ' || id || ' | ' || created);
    CREATE UNIQUE INDEX organisations_uid ON organisations(uid);
    CREATE TRIGGER organisations_uid_given AFTER INSERT ON organisations WHEN NEW.uid IS NULL BEGIN
        UPDATE organisations SET uid = lower(hex(randomblob(16))) WHERE rowid = NEW.rowid;
    END;
    ALTER TABLE contacts ADD COLUMN uid TEXT;
    UPDATE contacts SET uid = fieldkit_uid((SELECT value FROM meta WHERE key = 'study_uid')
        || ' | contacts | ' || id || ' | '
        || coalesce((SELECT o.uid FROM organisations o WHERE o.id = contacts.organisation_id), '') || ' | '
        || coalesce((SELECT min(c.at) FROM changes c WHERE c.record = 'contact' AND c.field = 'added'
                     AND c.contact_id = contacts.id AND c.organisation_id = contacts.organisation_id), ''));
    CREATE UNIQUE INDEX contacts_uid ON contacts(uid);
    CREATE TRIGGER contacts_uid_given AFTER INSERT ON contacts WHEN NEW.uid IS NULL BEGIN
        UPDATE contacts SET uid = lower(hex(randomblob(16))) WHERE rowid = NEW.rowid;
    END;
    ALTER TABLE attempts ADD COLUMN uid TEXT;
    UPDATE attempts SET uid = fieldkit_uid((SELECT value FROM meta WHERE key = 'study_uid')
        || ' | attempts | ' || id || ' | '
        || coalesce((SELECT o.uid FROM organisations o WHERE o.id = attempts.organisation_id), '') || ' | ' || at);
    CREATE UNIQUE INDEX attempts_uid ON attempts(uid);
    CREATE TRIGGER attempts_uid_given AFTER INSERT ON attempts WHEN NEW.uid IS NULL BEGIN
        UPDATE attempts SET uid = lower(hex(randomblob(16))) WHERE rowid = NEW.rowid;
    END;
    ALTER TABLE interviews ADD COLUMN uid TEXT;
    UPDATE interviews SET uid = fieldkit_uid((SELECT value FROM meta WHERE key = 'study_uid')
        || ' | interviews | ' || id || ' | '
        || coalesce((SELECT o.uid FROM organisations o WHERE o.id = interviews.organisation_id), '') || ' | '
        || coalesce(started, date));
    CREATE UNIQUE INDEX interviews_uid ON interviews(uid);
    CREATE TRIGGER interviews_uid_given AFTER INSERT ON interviews WHEN NEW.uid IS NULL BEGIN
        UPDATE interviews SET uid = lower(hex(randomblob(16))) WHERE rowid = NEW.rowid;
    END;
    ALTER TABLE changes ADD COLUMN uid TEXT;
    UPDATE changes SET uid = fieldkit_uid((SELECT value FROM meta WHERE key = 'study_uid')
        || ' | changes | ' || id || ' | '
        || coalesce((SELECT o.uid FROM organisations o WHERE o.id = changes.organisation_id), '') || ' | '
        || at || ' | ' || field);
    CREATE UNIQUE INDEX changes_uid ON changes(uid);
    CREATE TRIGGER changes_uid_given AFTER INSERT ON changes WHEN NEW.uid IS NULL BEGIN
        UPDATE changes SET uid = lower(hex(randomblob(16))) WHERE rowid = NEW.rowid;
    END;
    ALTER TABLE held ADD COLUMN uid TEXT;
    UPDATE held SET uid = fieldkit_uid((SELECT value FROM meta WHERE key = 'study_uid') || ' | held | '
        || coalesce((SELECT i.uid FROM interviews i WHERE i.id = held.interview_id), '') || ' | ' || question_id);
    CREATE UNIQUE INDEX held_uid ON held(uid);
    CREATE TRIGGER held_uid_given AFTER INSERT ON held WHEN NEW.uid IS NULL BEGIN
        UPDATE held SET uid = lower(hex(randomblob(16)))
            WHERE interview_id = NEW.interview_id AND question_id = NEW.question_id;
    END;
    """,
))

MIGRATIONS.append((
    11,
    """
    -- A consortium's shared directory (fieldkit.directory). listing: what an organisation agreed
    -- to have listed there beside its name (a JSON array of fieldkit.directory.FIELDS), its
    -- registered charity and company numbers and its postcode (no other column holds them), the
    -- id of its record there (a random UUID, never the row id) and when and to which directory it
    -- was last published (NULL: it is not on one). Published only while "permission to list" is
    -- ticked; nothing from attempts, interviews, answers or the pool is ever listed.
    CREATE TABLE listing (
        organisation_id INTEGER PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
        record_id TEXT NOT NULL UNIQUE,
        fields TEXT NOT NULL DEFAULT '[]',
        charity_number TEXT,
        company_number TEXT,
        postcode TEXT,
        published TEXT,
        published_to TEXT
    );
    -- Organisations brought in from a directory: which directory, the member that listed it, its
    -- record there and when that last changed; withdrawn: when its member took it off the directory.
    CREATE TABLE listing_origin (
        organisation_id INTEGER PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
        directory TEXT NOT NULL,
        owner TEXT NOT NULL,
        record_id TEXT NOT NULL,
        changed TEXT NOT NULL,
        withdrawn TEXT,
        UNIQUE (directory, record_id)
    );
    """,
))

SCHEMA_VERSION = MIGRATIONS[-1][0]


def derived_uid(text: str | None) -> str | None:
    """A uid made from ``text`` (32 hex digits of its SHA-256): what migration 10 gives the rows
    a study already holds, from what every copy of the study keeps, so that copies brought up to
    date apart give each row the same one. None for None."""
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def sql_functions() -> dict[str, Callable[[Any], Any]]:
    """The functions of fieldkit's own that migrations call, by name (one argument each)."""
    from fieldkit.collation import sort_key_or_none  # a name's sort key (organisations.name_key)
    from fieldkit.search import stored_answer_text  # the words of an answer as search indexes them

    return {"fieldkit_answer_text": stored_answer_text, "fieldkit_sort_key": sort_key_or_none,
            "fieldkit_uid": derived_uid}


#: Columns the pool tables may have. ``fieldkit check`` and the tests hold the schema to this.
POOL_COLUMNS = {
    "pool": ("id", "question_id", "value", "text"),
    "pool_themes": ("comment_id", "theme"),
    "pool_counts": ("question_id", "category", "choice", "n"),
    "pool_names": ("comment_id", "name"),
    "pool_quotes": ("theme", "comment_id", "position"),
    "pool_duplicates": ("comment_id", "duplicate_of"),
}
