"""The changes Study settings makes to a study's template, as functions of the study: values of
a vocabulary added, removed (and put back, with a category's target), moved; flags added,
removed (and put back where they were), relabelled; a category's target set. Each is one new
template version through ``Study.update_template``, which refuses a change the study's records
forbid (a value still in use) with its reason. The app's undo replays these same functions.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from fieldkit.errors import InvalidValueError
from fieldkit.templates import BUILTIN_FLAGS, Flag

if TYPE_CHECKING:
    from fieldkit.study import Study


# --- vocabularies -------------------------------------------------------------------------------


def set_values(study: Study, kind: str, values: list[str], *, targets: dict[str, int] | None = None) -> None:
    """The vocabulary ``kind`` becomes ``values``; ``targets`` are put back for the categories
    among them (a category removed and put back comes back with its target)."""
    template = study.template.with_values(kind, values)
    if targets:
        returned = {c: n for c, n in targets.items() if c in template.categories}
        template = template.with_targets({**template.targets, **returned})
    study.update_template(template)


def add_value(study: Study, kind: str, value: str) -> None:
    set_values(study, kind, [*study.template.vocabulary(kind), value])


def remove_value(study: Study, kind: str, value: str) -> tuple[int, int | None]:
    """Take ``value`` out of the vocabulary; returns where it was and its target (a category's),
    which ``restore_value`` puts back."""
    values = list(study.template.vocabulary(kind))
    if value not in values:
        raise InvalidValueError(f"'{value}' is not one of the study's {kind.replace('_', ' ')}")
    index = values.index(value)
    target = study.template.targets.get(value) if kind == "categories" else None
    set_values(study, kind, [v for v in values if v != value])
    return index, target


def restore_value(study: Study, kind: str, value: str, index: int, target: int | None = None) -> None:
    """Put a removed value back at ``index``, with its target."""
    values = [v for v in study.template.vocabulary(kind) if v != value]
    values.insert(min(index, len(values)), value)
    set_values(study, kind, values, targets={value: target} if target is not None else None)


def move_value(study: Study, kind: str, value: str, by: int) -> None:
    """Move ``value`` ``by`` places (negative: up), stopping at either end."""
    values = list(study.template.vocabulary(kind))
    i = values.index(value)
    j = max(0, min(len(values) - 1, i + by))
    values.insert(j, values.pop(i))
    set_values(study, kind, values)


def set_target(study: Study, category: str, target: int | None) -> None:
    """A category's target number of interviews; None or 0 removes it."""
    targets = {c: t for c, t in study.template.targets.items() if c != category}
    if target:
        targets[category] = target
    study.update_template(study.template.with_targets(targets))


# --- flags ----------------------------------------------------------------------------------


def flag_id(label: str, taken: set[str]) -> str:
    """An id for a new flag made from its label ("Wants the newsletter" → wants_the_newsletter),
    or flag_1, flag_2, … when the label has no Latin letters."""
    base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    if not base or not base[0].isalpha():
        base = "flag" + (f"_{base}" if base else "")
    candidate, n = base, 1
    while candidate in taken or candidate in BUILTIN_FLAGS:
        n += 1
        candidate = f"{base}_{n}"
    return candidate


def suggested_flag_id(study: Study, label: str) -> str:
    """The id ``add_flag`` gives a flag labelled ``label`` when no id is typed."""
    return flag_id(label, {f.id for f in study.template.flags}) if label.strip() else ""


def add_flag(study: Study, label: str, fid: str | None = None) -> Flag:
    """A new tick box of the study's own, after the others (id from the label unless given)."""
    label = label.strip()
    if not label:
        raise InvalidValueError("a tick box needs a label")
    flag = Flag((fid or "").strip() or suggested_flag_id(study, label), label)
    study.update_template(study.template.with_flags(study.template.flags + (flag,)))
    return flag


def remove_flag(study: Study, fid: str) -> tuple[Flag, int]:
    """Take the study's own flag ``fid`` out; returns it and where it was, for ``restore_flag``."""
    flags = list(study.template.flags)
    index = next((i for i, f in enumerate(flags) if f.id == fid), None)
    if index is None:
        raise InvalidValueError(f"the study has no tick box '{fid}' of its own")
    study.update_template(study.template.with_flags([f for f in flags if f.id != fid]))
    return flags[index], index


def restore_flag(study: Study, flag: Flag, index: int) -> None:
    flags = [f for f in study.template.flags if f.id != flag.id]
    flags.insert(min(index, len(flags)), flag)
    study.update_template(study.template.with_flags(flags))


def relabel_flag(study: Study, fid: str, label: str) -> None:
    label = label.strip()
    if not label:
        raise InvalidValueError("a tick box needs a label")
    template = study.template
    study.update_template(template.with_flags([Flag(f.id, label) if f.id == fid else f for f in template.flags]))
