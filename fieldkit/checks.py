"""``fieldkit check``: SQLite's integrity check plus fieldkit's own invariants.

The invariants that matter most are the pool's: nothing in the pool may point at an
organisation, interview, contact or time, and no anonymous answer may sit among the
named ones.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from fieldkit.errors import InvalidValueError
from fieldkit.storage import sqlite
from fieldkit.storage.schema import POOL_COLUMNS

if TYPE_CHECKING:
    from fieldkit.study import Study


def problems(study: Study) -> list[str]:
    """Everything wrong with the study, one line each; an empty list means all is well."""
    found: list[str] = []
    conn = study.conn
    with study._mutex:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            found.extend(f"integrity: {line}" for line in integrity)
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
            found.append(f"{table} row {rowid} points at a missing {parent} record")
        for table in ("search_index", "pool_search"):
            try:
                conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
            except sqlite.DatabaseError as e:
                found.append(f"search index '{table}' is out of step ({e}); it can be rebuilt")
        found.extend(_pool_problems(study))
        found.extend(_held_problems(study))
        found.extend(_change_log_problems(study))
        found.extend(_answer_problems(study))
        found.extend(_vocabulary_problems(study))
    found.extend(_backup_problems(study))
    from fieldkit import anonymity

    found.extend(anonymity.warnings(study))
    return found


def _backup_problems(study: Study) -> list[str]:
    """Every backup must pass its integrity check under the study's own passphrase (or none):
    a backup left readable without the passphrase would undo the encryption."""
    from fieldkit.storage import backups

    found = []
    for b in backups.list_backups(study.path):
        problem = backups.key_problem(b.path, study._key)
        if problem:
            found.append(f"backup {b.path} {problem}")
            continue
        held = backups.held_count(b.path, study._key)
        if held:
            found.append(f"backup {b.path} holds {held} anonymous answer{'s' if held != 1 else ''} not yet in the "
                         "pool, linked to their interviews; delete it")
    return found


def _held_problems(study: Study) -> list[str]:
    """Held answers are anonymous answers of their own interview's schedule, and none is left
    behind once its group is large enough to move."""
    out = []
    for r in study.query("SELECT h.interview_id, h.question_id, i.template_version FROM held h "
                         "JOIN interviews i ON i.id = h.interview_id"):
        try:
            question = study.template_at(r["template_version"]).question(r["question_id"])
        except KeyError:
            out.append(f"interview {r['interview_id']} holds an answer to '{r['question_id']}', which is not in "
                       "the schedule it was taken with")
            continue
        if not question.anonymous:
            out.append(f"interview {r['interview_id']} holds an answer to '{r['question_id']}' for the pool, "
                       "but the question is named")
    k = study.anonymity_k
    for group in study.held.groups():
        if group.finished >= k:
            where = f" from {group.category or 'organisations with no category'}" if group.category is not None else ""
            out.append(f"{group.finished} finished interviews hold answers to “{group.label}”{where} that should "
                       f"have moved to the pool (k = {k}); opening the study moves them")
    counted = {q.id for v in study.template_versions() for q in study.template_at(v).questions() if q.count_by}
    for qid, category, n in study.conn.execute(
            "SELECT question_id, category, n FROM pool_counts WHERE choice = '' ORDER BY question_id, category"):
        if qid not in counted:
            out.append(f"the pool counts answers to '{qid}' by category, but the question is not marked count_by")
        elif n < k:
            out.append(f"anonymity: the counts by category for '{qid}' include {category or 'no category'} with only "
                       f"{n} interview{'s' if n != 1 else ''} (fewer than k = {k})")
    return out


def _pool_problems(study: Study) -> list[str]:
    conn = study.conn
    out = []
    for table, allowed in POOL_COLUMNS.items():
        columns = tuple(r[1] for r in conn.execute(f"PRAGMA table_info({table})"))
        if columns != allowed:
            out.append(f"the {table} table has columns {', '.join(columns)}; only "
                       f"{', '.join(allowed)} are allowed")
    for name, kind, sql in conn.execute(
            "SELECT name, type, sql FROM sqlite_master WHERE type IN ('trigger', 'view') AND sql IS NOT NULL"):
        if "pool" in sql.lower():
            out.append(f"the {kind} '{name}' touches the pool, which must stand alone")
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        if table in POOL_COLUMNS:
            continue
        for fk in conn.execute(f"PRAGMA foreign_key_list('{table}')"):
            if fk[2] in POOL_COLUMNS:
                out.append(f"the {table} table points into the pool")
    anonymous = {q.id for v in study.template_versions() for q in study.template_at(v).questions() if q.anonymous}
    for (qid,) in conn.execute("SELECT DISTINCT question_id FROM pool"):
        if qid not in anonymous:
            out.append(f"the pool holds answers to question '{qid}', which is not anonymous")
    ids = [r[0] for r in conn.execute("SELECT id FROM pool ORDER BY id")]
    if len(ids) >= 3 and ids[-1] - ids[0] == len(ids) - 1:
        out.append("pool comment ids are consecutive; they must be random")
    return out


def _answer_problems(study: Study) -> list[str]:
    out = []
    for version in study.template_versions():
        questions = {q.id: q for q in study.template_at(version).questions()}
        for r in study.query(
            "SELECT a.interview_id, a.question_id, a.value FROM answers a "
            "JOIN interviews i ON i.id = a.interview_id WHERE i.template_version = ?", (version,)):
            q = questions.get(r["question_id"])
            where = f"interview {r['interview_id']}, question '{r['question_id']}'"
            if q is None:
                out.append(f"{where}: not in the schedule the interview was taken with")
            elif q.anonymous:
                out.append(f"{where}: an anonymous answer is stored against the organisation")
            else:
                try:
                    q.clean(json.loads(r["value"]))
                except (ValueError, InvalidValueError) as e:
                    out.append(f"{where}: stored value does not fit the question ({e})")
    return out


def _vocabulary_problems(study: Study) -> list[str]:
    template = study.template
    out = []
    for column, kind in (("category", "categories"), ("area", "areas"), ("exclusion_reason", "exclusion_reasons")):
        allowed = set(template.vocabulary(kind))
        for r in study.query(f"SELECT DISTINCT {column} AS v FROM organisations WHERE {column} IS NOT NULL"):
            if r["v"] not in allowed:
                out.append(f"organisations use {column.replace('_', ' ')} '{r['v']}', which is not in the "
                           f"study's {kind.replace('_', ' ')}")
    flags = set(template.flag_ids())
    for r in study.query("SELECT DISTINCT flag FROM flags"):
        if r["flag"] not in flags:
            out.append(f"flag '{r['flag']}' is ticked but not defined in the study's template")
    return out


def _change_log_problems(study: Study) -> list[str]:
    """The change log records named fields only: never a question, never pool words."""
    from fieldkit.directory.listing import CHANGES as LISTING_CHANGES
    from fieldkit.numbers import CHANGES as NUMBER_CHANGES
    from fieldkit.organisations import CONTACT_FIELDS, TEXT_FIELDS, VOCABULARY_FIELDS

    allowed = set(TEXT_FIELDS) | set(VOCABULARY_FIELDS) | set(CONTACT_FIELDS) | set(NUMBER_CHANGES) | {
        *LISTING_CHANGES.values(),
        "status", "exclusion_reason", "referred_by", "added", "removed", "restored"}
    out = []
    for r in study.query("SELECT DISTINCT field FROM changes"):
        field = r["field"]
        if field not in allowed and not field.startswith("flag "):
            out.append(f"the change log records '{field}', which is not a field of a named record")
    pool_texts = {row[0] for row in study.conn.execute("SELECT text FROM pool")}
    if pool_texts:
        for r in study.query("SELECT old, new FROM changes"):
            if r["old"] in pool_texts or r["new"] in pool_texts:
                out.append("the change log holds the words of a pooled comment")
                break
    return out
