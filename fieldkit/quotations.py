"""The quotations a report prints: the pooled comments the researcher chose, theme by theme.

In the Pool the researcher picks which comments go into the report under each theme, puts them
in order, and merges a comment into another that says the same (the duplicate is not printed).
What is kept is pool-side only: a comment id, a theme and a position in ``pool_quotes``, and
two comment ids in ``pool_duplicates``; no time, no interview, and rows lie in key order, not
in the order they were chosen. A theme with no choice prints a sample of its comments (at
most ``per_theme``, the study's ``report.quotations_per_theme``; the same words said twice are
printed once), drawn afresh on every export, so the printed order never follows the order
comments were written.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fieldkit.errors import InvalidValueError, NotFoundError

if TYPE_CHECKING:
    from fieldkit.pool import Comment
    from fieldkit.study import Study

#: Quotations printed for a theme the researcher has not chosen for, unless the study says.
DEFAULT_PER_THEME = 5
#: The heading of comments that carry no theme (their theme is stored as "").
OTHER_COMMENTS = "Other comments"
PER_THEME_KEY = "report.quotations_per_theme"


@dataclass(frozen=True)
class ThemeQuotations:
    """One theme's quotations as a report prints them."""

    theme: str                    # the theme's id; "" for comments without a theme
    label: str                    # the theme's label; OTHER_COMMENTS for ""
    quotations: tuple[str, ...]   # the words, in the researcher's order or a fresh random one
    chosen: bool                  # the researcher chose them (else a sample)
    available: int                # comments under the theme, duplicates left out


def per_theme(study: Study) -> int:
    """How many quotations a theme without a choice prints (0: none)."""
    try:
        return max(0, int(study.meta(PER_THEME_KEY, str(DEFAULT_PER_THEME))))
    except ValueError:
        return DEFAULT_PER_THEME


def set_per_theme(study: Study, n: int) -> None:
    if not isinstance(n, int) or n < 0 or n > 1000:
        raise InvalidValueError(f"quotations per theme must be a whole number from 0 to 1000, not {n!r}")
    study.set_meta(PER_THEME_KEY, str(n))


def _theme_ok(study: Study, theme: str) -> None:
    if theme and theme not in {t.id for t in study.template.themes}:
        raise InvalidValueError(f"unknown theme '{theme}'")


def _comment_ok(study: Study, comment_id: int) -> None:
    if study.scalar("SELECT 1 FROM pool WHERE id = ?", (comment_id,)) is None:
        raise NotFoundError(f"no pool comment with id {comment_id}")


def chosen(study: Study) -> dict[str, list[int]]:
    """Each theme's chosen comment ids, in order."""
    out: dict[str, list[int]] = {}
    for theme, comment_id in study.conn.execute(
            "SELECT theme, comment_id FROM pool_quotes ORDER BY theme, position, comment_id").fetchall():
        out.setdefault(theme, []).append(comment_id)
    return out


def chosen_for(study: Study, theme: str) -> list[int]:
    return chosen(study).get(theme, [])


def set_chosen(study: Study, theme: str, comment_ids: Sequence[int]) -> None:
    """Make ``comment_ids`` the theme's quotations, in that order (an empty list: no choice)."""
    _theme_ok(study, theme)
    ids = list(dict.fromkeys(int(i) for i in comment_ids))
    with study.transaction():
        for comment_id in ids:
            _comment_ok(study, comment_id)
        study.conn.execute("DELETE FROM pool_quotes WHERE theme = ?", (theme,))
        study.conn.executemany("INSERT INTO pool_quotes(theme, comment_id, position) VALUES (?, ?, ?)",
                               [(theme, comment_id, n) for n, comment_id in enumerate(ids, 1)])


def choose(study: Study, theme: str, comment_id: int, position: int | None = None) -> None:
    """Add a comment to the theme's quotations, at ``position`` (1 first; None: last). A comment
    merged into another as its duplicate is refused: the one it was merged into stands for it."""
    if comment_id in duplicates(study):
        raise InvalidValueError("that comment is merged into another as a duplicate; quote the one kept")
    ids = [i for i in chosen_for(study, theme) if i != comment_id]
    ids.insert(len(ids) if position is None else max(0, position - 1), comment_id)
    set_chosen(study, theme, ids)


def unchoose(study: Study, theme: str, comment_id: int) -> None:
    set_chosen(study, theme, [i for i in chosen_for(study, theme) if i != comment_id])


def move(study: Study, theme: str, comment_id: int, by: int) -> None:
    """Move a chosen comment ``by`` places (negative: earlier)."""
    ids = chosen_for(study, theme)
    if comment_id not in ids:
        raise NotFoundError("that comment is not among the theme's quotations")
    i = ids.index(comment_id)
    j = max(0, min(len(ids) - 1, i + by))
    ids.insert(j, ids.pop(i))
    set_chosen(study, theme, ids)


def duplicates(study: Study) -> dict[int, int]:
    """comment id -> the comment it duplicates (which is printed in its place)."""
    return dict(study.conn.execute("SELECT comment_id, duplicate_of FROM pool_duplicates").fetchall())


def merge(study: Study, duplicate: int, into: int) -> None:
    """Mark ``duplicate`` as saying what ``into`` says: only ``into`` is printed, and a chosen
    ``duplicate`` gives its place to ``into``. Chains collapse onto the comment kept."""
    if duplicate == into:
        raise InvalidValueError("a comment cannot be merged into itself")
    found = duplicates(study)
    keep = into
    while keep in found:
        keep = found[keep]
    if keep == duplicate:
        raise InvalidValueError("that comment is already merged into this one")
    with study.transaction():
        _comment_ok(study, duplicate)
        _comment_ok(study, keep)
        study.conn.execute("INSERT OR REPLACE INTO pool_duplicates(comment_id, duplicate_of) VALUES (?, ?)",
                           (duplicate, keep))
        study.conn.execute("UPDATE pool_duplicates SET duplicate_of = ? WHERE duplicate_of = ?", (keep, duplicate))
        for theme, ids in chosen(study).items():
            if duplicate in ids:
                replaced = [keep if i == duplicate else i for i in ids]
                set_chosen(study, theme, list(dict.fromkeys(replaced)))


def unmerge(study: Study, comment_id: int) -> None:
    with study.transaction():
        study.conn.execute("DELETE FROM pool_duplicates WHERE comment_id = ?", (comment_id,))


def restorer(study: Study) -> Callable[[], None]:
    """What puts the chosen quotations and the duplicates back as they are now, in one
    transaction: the undo of a change to them, or of a comment's delete (which takes its
    quotations and merges with it)."""
    duplicates_before, chosen_before = duplicates(study), chosen(study)

    def restore() -> None:
        with study.transaction():
            now = duplicates(study)
            for comment_id, kept in now.items():
                if duplicates_before.get(comment_id) != kept:
                    unmerge(study, comment_id)
            for comment_id, kept in duplicates_before.items():
                if now.get(comment_id) != kept:
                    merge(study, comment_id, into=kept)
            now_chosen = chosen(study)
            for theme in set(now_chosen) | set(chosen_before):
                if now_chosen.get(theme, []) != chosen_before.get(theme, []):
                    set_chosen(study, theme, chosen_before.get(theme, []))
    return restore


def available(study: Study, comments: Sequence[Comment]) -> dict[str, int]:
    """How many of ``comments`` each theme has to quote from ("" for those without one),
    duplicates left out."""
    merged = duplicates(study)
    out: dict[str, int] = {}
    for c in comments:
        if c.id not in merged:
            for theme in c.themes or ("",):
                out[theme] = out.get(theme, 0) + 1
    return out


def for_report(study: Study, comments: Sequence[Comment], *, limit: int | None = None,
               seed: int | None = None) -> tuple[ThemeQuotations, ...]:
    """Each theme's quotations from ``comments`` (the pooled answers a report may quote), in
    the template's theme order, comments without a theme last: the chosen ones in their order,
    else a fresh random sample of at most ``limit`` (default: the study's ``per_theme``)."""
    rng: random.Random = random.Random(seed) if seed is not None else random.SystemRandom()
    limit = per_theme(study) if limit is None else limit
    merged = duplicates(study)
    by_id = {c.id: c for c in comments}
    grouped: dict[str, list[Comment]] = {}
    for c in comments:
        if c.id in merged:
            continue
        for theme in c.themes or ("",):
            grouped.setdefault(theme, []).append(c)
    picks = chosen(study)
    template = study.template
    known = [t.id for t in template.themes]
    order = [t for t in known if t in grouped or t in picks]
    order += sorted(t for t in set(grouped) | set(picks) if t and t not in known)
    if "" in grouped or "" in picks:
        order.append("")
    out = []
    for theme in order:
        pool = grouped.get(theme, [])
        # A chosen comment prints under a theme it still carries (one untagged since is not).
        ids = [i for i in picks.get(theme, []) if i in by_id and i not in merged
               and theme in (by_id[i].themes or ("",))]
        if ids:
            words = tuple(by_id[i].text.strip() for i in ids)
            was_chosen = True
        else:
            sample = list(pool)
            rng.shuffle(sample)
            distinct: dict[str, str] = {}  # the same words said twice are printed once
            for c in sample:
                if len(distinct) >= limit:
                    break
                distinct.setdefault(" ".join(c.text.split()).casefold(), c.text.strip())
            words = tuple(distinct.values())
            was_chosen = False
        if not words and not pool:
            continue
        label = template.theme_label(theme) if theme else OTHER_COMMENTS
        out.append(ThemeQuotations(theme, label, words, was_chosen, len(pool)))
    return tuple(out)
