"""What merging another copy of a study does to the pool (fieldkit.merge_plan, make_plan).

The pool is united by comment id: comments pooled before the copies parted share theirs. Every
comment moves in under a fresh random id (fieldkit.held), so an answer held when the copies
parted that moved into the pool in both is two comments under two ids; each copy remembers
which held answers it moved (``fieldkit.held.moved``), and for each question as many of the
other copy's comments as it has answers moved in both are left out, each one whose answer
equals one of this copy's own (the other copy's tags, quotations and duplicate marks go to
that one). Nothing here looks at which interview wrote which comment: nothing can.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from fieldkit import deletions

if TYPE_CHECKING:
    from fieldkit.merge_plan import MergePlan, Snapshot


def plan_pool(plan: MergePlan, mine: Snapshot, theirs: Snapshot) -> None:
    """Comments the other copy pooled since parting; its tags, names, quotations, duplicate
    marks and counts by category; held answers it has that this copy lacks, and this copy's
    held answers that it has pooled already."""
    deleted_here, deleted_there = mine.deleted(deletions.COMMENTS), theirs.deleted(deletions.COMMENTS)
    absorbed = _pooled_in_both(plan, mine, theirs, deleted_here)
    plan.absorbed = len(absorbed)
    merged_ids = (set(mine.pool) | set(theirs.pool)) - deleted_here - set(absorbed)
    themes_of: dict[int, list[str]] = {}
    names_of: dict[int, list[str]] = {}
    for grouped, pairs in ((themes_of, theirs.themes), (names_of, theirs.names)):
        for c, value in pairs:  # by comment once, not searched again for each comment
            grouped.setdefault(c, []).append(value)
    for cid, r in sorted(theirs.pool.items()):
        if cid not in mine.pool and cid not in deleted_here and cid not in absorbed:  # one deleted here stays deleted
            plan.comments.append({**r, "themes": sorted(themes_of.get(cid, ())),
                                  "names": sorted(names_of.get(cid, ()))})
    reworded = sum(1 for cid, r in theirs.pool.items() if cid in mine.pool and mine.pool[cid]["text"] != r["text"])
    if reworded:
        plan.notes.append(f"{reworded} pooled comment(s) are worded differently in the two copies (redacted in "
                          "one?); this copy's words are kept: check them in the Pool")

    def here(cid: int) -> int:  # a comment left out is this copy's own of the same answer
        return absorbed.get(cid, cid)

    shared = set(mine.pool) & set(theirs.pool) | set(absorbed.values())
    plan.pool_themes = sorted({(here(c), t) for c, t in theirs.themes if here(c) in shared} - mine.themes)
    plan.pool_names = sorted({(here(c), n) for c, n in theirs.names if here(c) in shared} - mine.names)
    quotes = {(t, here(c)): p for (t, c), p in sorted(theirs.quotes.items(), key=lambda q: q[1])}
    plan.pool_quotes = sorted((k[0], p, k[1]) for k, p in quotes.items()
                              if k not in mine.quotes and k[1] in merged_ids)
    duplicates = {here(c): here(d) for c, d in theirs.duplicates.items()}
    plan.pool_duplicates = sorted((c, d) for c, d in duplicates.items()
                                  if c not in mine.duplicates and c in merged_ids and d in merged_ids and c != d)
    grew_here = {r["question_id"] for cid, r in mine.pool.items() if cid not in theirs.pool}
    grew_there = {r["question_id"] for cid, r in theirs.pool.items() if cid not in mine.pool and cid not in absorbed}
    inexact = set()
    for cell, n in sorted(theirs.counts.items()):
        if n > mine.counts.get(cell, 0):
            plan.pool_counts.append((*cell, n))
            if cell[0] in grew_here and cell[0] in grew_there:
                inexact.add(cell[0])
    if inexact:
        plan.notes.append(f"both copies added to the counts by category of {', '.join(sorted(inexact))}: the "
                          "merged study keeps the larger of each count, which may be short of the sum")
    small_here = json.loads(mine.meta.get("pool_small_groups") or "{}")
    for qid, n in json.loads(theirs.meta.get("pool_small_groups") or "{}").items():
        if n < small_here.get(qid, n + 1):
            plan.small_groups[qid] = n
    still_pooled = sum(1 for cid in deleted_there if cid in mine.pool)
    if still_pooled:
        plan.notes.append(f"the other copy deleted {still_pooled} pooled comment(s) this study still has: look "
                          "through the Pool")
    held_here = {(h["interview_id"], h["question_id"]) for h in mine.held.values()}
    for uid, h in theirs.held.items():
        iv_uid = theirs.interview_uid[h["interview_id"]]
        if iv_uid not in mine.interviews or uid in mine.held or f"{h['question_id']} {uid}" in mine.moved:
            continue  # new interviews bring theirs; the rest this copy holds or has pooled
        if (mine.interviews[iv_uid]["id"], h["question_id"]) not in held_here:
            plan.held.append({**h, "interview_uid": iv_uid})
    # This copy's held answers that the other pooled: its comment comes across with the rest.
    plan.held_dropped = sorted(uid for uid, h in mine.held.items() if f"{h['question_id']} {uid}" in theirs.moved)
    plan.moved_held = {e: mark for e, mark in sorted(theirs.moved.items()) if e not in mine.moved}


def _pooled_in_both(plan: MergePlan, mine: Snapshot, theirs: Snapshot, deleted_here: set[Any]) -> dict[int, int]:
    """The other copy's comments that are answers this copy pooled too, each with this copy's
    comment of the same answer: {their comment id: this copy's}.

    An answer held when the copies parted and moved into the pool in both is remembered in
    both (``Snapshot.moved``) under two different marks. For each question, as many of the
    other copy's comments new here as there are such answers are left out, each one whose
    value equals a value of one of this copy's comments new there (each of this copy's
    answers for one). Which of two equal answers is left out makes no difference to the
    pool; only when answers of different values could each be the one does the question's
    count of each choice stand in doubt, and the plan says so."""
    twice: dict[str, int] = {}
    for entry in mine.moved.keys() & theirs.moved.keys():
        if mine.moved[entry] != theirs.moved[entry]:
            qid = entry.rsplit(" ", 1)[0]
            twice[qid] = twice.get(qid, 0) + 1
    if not twice:
        return {}
    mine_new: dict[str, dict[str, list[int]]] = {}
    for cid, r in sorted(mine.pool.items()):
        if cid not in theirs.pool and r["question_id"] in twice:
            mine_new.setdefault(r["question_id"], {}).setdefault(r["value"], []).append(cid)
    out: dict[int, int] = {}
    for qid, n in sorted(twice.items()):
        values = mine_new.get(qid, {})
        incoming = [(cid, r) for cid, r in sorted(theirs.pool.items()) if r["question_id"] == qid
                    and cid not in mine.pool and cid not in deleted_here]
        overlap = Counter(r["value"] for _, r in incoming)
        overlap = Counter({v: min(c, len(values.get(v, ()))) for v, c in overlap.items()}) + Counter()
        left = n
        for cid, r in incoming:
            if left and values.get(r["value"]):
                out[cid] = values[r["value"]].pop()
                left -= 1
        label = f"“{qid}”"
        if left:
            plan.notes.append(f"{left} answer(s) to {label} pooled in both copies were not found in both pools "
                              "(deleted or reworded in one?): look through the Pool for the same answer twice")
        elif len(overlap) > 1 and sum(overlap.values()) > n:
            plan.notes.append(f"answers to {label} pooled in both copies had the same answer as others new in "
                              "each: the count of each of its answers may be off by a few; check them in the Pool")
    return out
