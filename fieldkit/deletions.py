"""What a study deleted, remembered by identifier, so that merging another copy of it
(fieldkit.merge) does not bring it back.

Each kind of record keeps a sorted list of the uids (for pooled comments, the random ids) it
deleted under its own key in ``meta``. An identifier is random: once its record is gone it
names nobody and points at nothing. Undoing a deletion takes the identifier off the list.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fieldkit.study import Study

#: The meta key of each kind's list.
ORGANISATIONS = "deleted_organisations"
CONTACTS = "deleted_contacts"
ATTEMPTS = "deleted_attempts"
INTERVIEWS = "deleted_interviews"
COMMENTS = "deleted_comments"


def remember(study: Study, key: str, uid: Any, *, forget: bool = False) -> None:
    """Add ``uid`` to (with ``forget``, take it off) the list under ``key``, inside the
    caller's transaction. A record without one (None) is not remembered."""
    if uid is None:
        return
    known = set(json.loads(study.meta(key) or "[]"))
    known = known - {uid} if forget else known | {uid}
    study.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, json.dumps(sorted(known))))


def deleted(meta: dict[str, str], key: str) -> set[Any]:
    """The identifiers under ``key`` in a study's meta table (as a dict)."""
    return set(json.loads(meta.get(key) or "[]"))
