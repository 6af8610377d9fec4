"""The interview schedule, changed in place: edits, and the rules that keep answers readable.

Every edit is a function from a template to a new template, made on the template's plain data
and validated again by the one loader (``template_from_dict``), so the editor, the command
line and a template file obey the same rules. ``Study.update_template`` stores the result as
a new version (interviews already taken keep theirs) after ``refusals`` has found nothing
that would break what was recorded:

- a question with answers cannot switch between named and anonymous, nor change its type:
  add a new question instead;
- a choice that answers use is renamed (its label changes, its stored name stays), not
  removed, unless the user confirms the removal;
- an anonymous question whose answers are still held, waiting to join the pool, cannot go.

A question removed from the schedule keeps its answers in the interviews that have them:
they are read with the template version they were taken with.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from collections import Counter
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w

from fieldkit.errors import InvalidValueError
from fieldkit.template_toml import template_from_dict
from fieldkit.templates import OTHER_CHOICE, OTHER_LABEL, Template, choice_to_dict, question_to_dict

if TYPE_CHECKING:
    from fieldkit.study import Study

_SOURCE = "interview schedule"


def _rebuilt(data: dict[str, Any]) -> Template:
    return template_from_dict(data, source=_SOURCE)


def _find(data: dict[str, Any], question_id: str) -> tuple[dict, int]:
    for section in data["sections"]:
        for i, q in enumerate(section["questions"]):
            if q["id"] == question_id:
                return section, i
    raise InvalidValueError(f"no question '{question_id}' in the schedule")


def _section(data: dict[str, Any], section_id: str) -> tuple[int, dict]:
    for i, s in enumerate(data["sections"]):
        if s["id"] == section_id:
            return i, s
    raise InvalidValueError(f"no section '{section_id}' in the schedule")


def question_data(template: Template, question_id: str) -> dict[str, Any]:
    """A question as the plain data an edit starts from."""
    return question_to_dict(template.question(question_id))


def ids_in_use(study: Study) -> set[str]:
    """Every question id any version of the study's schedule has had, and every id answers are
    stored under: a new question never takes one (it would share a removed question's answers)."""
    ids = {q.id for v in study.template_versions() for q in study.template_at(v).questions()}
    ids |= {s.id for s in study.template.sections}
    ids |= {r["question_id"] for r in study.query(
        "SELECT question_id FROM answers UNION SELECT question_id FROM held UNION SELECT question_id FROM pool")}
    return ids


def id_change_refusal(study: Study, old_id: str, new_id: str) -> str | None:
    """Why question ``old_id`` may not be renamed ``new_id`` (None: it may). Answers are stored
    under the id, so a question with answers keeps it; nor may a question take an id that
    another, since removed, had."""
    if old_id == new_id:
        return None
    n = answer_count(study, old_id)
    if n:
        return (f"question '{old_id}' has {n} answer{'s' if n != 1 else ''}: its id cannot change "
                "(the answers are stored under it); change its wording instead")
    if new_id in ids_in_use(study) and new_id not in {q.id for q in study.template.questions()}:
        return f"the id '{new_id}' belonged to a question removed from the schedule; choose another"
    return None


def free_id(template: Template, base: str, taken: Collection[str] = ()) -> str:
    """``base`` if no question or section has it yet (nor any id in ``taken``: pass
    ``ids_in_use(study)``), else ``base_2``, ``base_3``…"""
    used = {q.id for q in template.questions()} | {s.id for s in template.sections} | set(taken)
    base = re.sub(r"[^A-Za-z0-9_.-]+", "_", base).strip("_") or "q"
    if base not in used:
        return base
    stem = re.sub(r"_\d+$", "", base)
    n = 2
    while f"{stem}_{n}" in used:
        n += 1
    return f"{stem}_{n}"


def replace_question(template: Template, question_id: str, question: dict[str, Any]) -> Template:
    """The template with one question's declaration replaced by ``question``."""
    data = template.to_dict()
    section, i = _find(data, question_id)
    section["questions"][i] = copy.deepcopy(question)
    return _rebuilt(data)


def insert_question(template: Template, section_id: str, index: int, question: dict[str, Any]) -> Template:
    data = template.to_dict()
    _, section = _section(data, section_id)
    index = max(0, min(index, len(section["questions"])))
    section["questions"].insert(index, copy.deepcopy(question))
    return _rebuilt(data)


def remove_question(template: Template, question_id: str) -> Template:
    data = template.to_dict()
    section, i = _find(data, question_id)
    del section["questions"][i]
    return _rebuilt(data)


def move_question(template: Template, question_id: str, section_id: str, index: int) -> Template:
    """The question moved to position ``index`` of section ``section_id`` (counted without it)."""
    data = template.to_dict()
    section, i = _find(data, question_id)
    moving = section["questions"].pop(i)
    _, target = _section(data, section_id)
    index = max(0, min(index, len(target["questions"])))
    target["questions"].insert(index, moving)
    return _rebuilt(data)


def duplicate_question(template: Template, question_id: str,
                       taken: Collection[str] = ()) -> tuple[Template, str]:
    """A copy of the question just after it, with a fresh id (none of ``taken`` either) and no
    flag (one question ticks a flag). Returns the template and the copy's id."""
    data = template.to_dict()
    section, i = _find(data, question_id)
    twin = copy.deepcopy(section["questions"][i])
    twin["id"] = free_id(template, question_id, taken)
    twin.pop("flag", None)
    section["questions"].insert(i + 1, twin)
    return _rebuilt(data), twin["id"]


def replace_section(template: Template, section_id: str, section: dict[str, Any]) -> Template:
    """The section's own settings (id, title, intro, relevant, translations) replaced; its
    questions stay."""
    data = template.to_dict()
    i, old = _section(data, section_id)
    new = {k: v for k, v in section.items() if k != "questions"}
    new["questions"] = old["questions"]
    data["sections"][i] = new
    return _rebuilt(data)


def insert_section(template: Template, index: int, section: dict[str, Any]) -> Template:
    data = template.to_dict()
    new = copy.deepcopy(section)
    new.setdefault("questions", [])
    data["sections"].insert(max(0, min(index, len(data["sections"]))), new)
    return _rebuilt(data)


def remove_section(template: Template, section_id: str) -> Template:
    """The section gone with its questions."""
    data = template.to_dict()
    i, _ = _section(data, section_id)
    del data["sections"][i]
    return _rebuilt(data)


def move_section(template: Template, section_id: str, index: int) -> Template:
    data = template.to_dict()
    i, _ = _section(data, section_id)
    moving = data["sections"].pop(i)
    data["sections"].insert(max(0, min(index, len(data["sections"]))), moving)
    return _rebuilt(data)


def rename_choice(template: Template, question_id: str, name: str, label: str) -> Template:
    """The choice ``name`` shown as ``label`` from now on; answers keep the name, so they follow."""
    data = template.to_dict()
    section, i = _find(data, question_id)
    q = template.question(question_id)
    if q.choice(name) is None:
        raise InvalidValueError(f"'{name}' is not a choice of question '{question_id}'")
    if q.other and name == OTHER_CHOICE:  # the choice ``other = true`` adds: worded by other_label
        declared = section["questions"][i]
        if label == OTHER_LABEL:
            declared.pop("other_label", None)
        else:
            declared["other_label"] = label
        return _rebuilt(data)
    choices = []
    for c in q.options:
        if q.other and c.name == OTHER_CHOICE:
            continue
        d = choice_to_dict(c)
        if c.name == name:
            d = {"name": name, "label": label} if isinstance(d, str) else {**d, "label": label}
            if d["label"] == d["name"] and len(d) == 2:
                d = name
        choices.append(d)
    section["questions"][i]["choices"] = choices
    return _rebuilt(data)


def with_languages(template: Template, languages: list[str], default_language: str) -> Template:
    """The template declaring these languages (texts in a language dropped from the list go)."""
    data = template.to_dict()
    data["template"]["default_language"] = default_language
    data["template"]["languages"] = [default_language] + [x for x in languages if x != default_language]
    kept = set(data["template"]["languages"])

    def prune(table: dict) -> None:
        for key in [k for k in table if "::" in k and k.partition("::")[2] not in kept]:
            del table[key]

    for s in data["sections"]:
        prune(s)
        for q in s["questions"]:
            prune(q)
            for c in q.get("choices", []):
                if isinstance(c, dict):
                    prune(c)
    return _rebuilt(data)


# --- what an edit may not break ---------------------------------------------------------


def choice_use(study: Study, question_id: str) -> Counter[str]:
    """How many stored answers (named, held and pooled) pick each choice of a question."""
    used: Counter[str] = Counter()
    with study._mutex:
        for table in ("answers", "held", "pool"):
            for (value,) in study.conn.execute(f"SELECT value FROM {table} WHERE question_id = ?", (question_id,)):
                v = json.loads(value)
                for item in v if isinstance(v, list) else [v]:
                    if isinstance(item, str):
                        used[item] += 1
        for (choice, n) in study.conn.execute(
                "SELECT choice, sum(n) FROM pool_counts WHERE question_id = ? AND choice <> '' GROUP BY choice",
                (question_id,)):
            used[choice] = max(used[choice], n)
    return used


def refusals(study: Study, new: Template, *, remove_used_choices: bool = False) -> list[str]:
    """Why storing ``new`` as the study's schedule would break what was recorded (empty: fine)."""
    problems: list[str] = []
    asked: dict[str, Any] = {}
    for version in study.template_versions():
        for q in study.template_at(version).questions():
            asked[q.id] = q
    with study._mutex:  # a screen's saver thread may be writing
        answered = {qid for (qid,) in study.conn.execute(
            "SELECT DISTINCT question_id FROM answers UNION SELECT DISTINCT question_id FROM held "
            "UNION SELECT DISTINCT question_id FROM pool")}
        held = dict(study.conn.execute("SELECT question_id, count(*) FROM held GROUP BY question_id").fetchall())
    new_ids = {q.id for q in new.questions()}
    current_ids = {q.id for q in study.template.questions()}
    for qid, n in sorted(held.items()):
        if qid not in new_ids and qid in current_ids:  # this edit would take it away
            problems.append(f"question '{qid}' has {n} anonymous answer{'s' if n != 1 else ''} waiting to join "
                            "the pool; move them first (Pool ▸ Move to the pool now) or keep the question")
    for q in new.questions():
        before = asked.get(q.id)
        if before is None or q.id not in answered:
            continue
        if before.anonymous != q.anonymous:
            was = "anonymous" if before.anonymous else "named"
            problems.append(f"question '{q.id}' has answers recorded as {was}; it cannot become "
                            f"{'named' if before.anonymous else 'anonymous'} (add a new question instead)")
        elif before.type != q.type:
            problems.append(f"question '{q.id}' has answers recorded as {before.type}; it cannot become "
                            f"{q.type} (add a new question instead)")
        elif q.qtype.has_choices and not remove_used_choices and q.id in current_ids:
            lost = set(study.template.question(q.id).choices) - set(q.choices)
            if not lost:  # most edits: nothing to count, so no answers are read
                continue
            used = choice_use(study, q.id)
            for name, n in sorted((name, used[name]) for name in lost if used[name]):
                problems.append(f"the choice '{name}' of question '{q.id}' is in {n} answer{'s' if n != 1 else ''}: "
                                "rename it instead (its answers follow), or confirm its removal")
    return problems


def write_template(template: Template, path: str | Path) -> Path:
    """Write ``template`` as a template file a new study can start from (version 1)."""
    path = Path(path)
    data = template.to_dict()
    data["template"]["version"] = 1
    if not data["targets"]:
        del data["targets"]
    for key in ("flags", "themes"):
        if not data[key]:
            del data[key]
    # A comment is one line without control characters, whatever the title holds.
    title = " ".join("".join(c if c.isprintable() else " " for c in template.title).split())
    body = tomli_w.dumps(data, multiline_strings=True)
    if tomllib.loads(body) != data:  # a multi-line string does not keep "\r\n": escape line breaks instead
        body = tomli_w.dumps(data)
    text = (f"# {title}\n# A fieldkit study template: open it with File ▸ New study, or see "
            "forms/README.md for the format.\n\n") + body
    template_from_dict(tomllib.loads(text), source=str(path))  # never write what would not load
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def answer_count(study: Study, question_id: str) -> int:
    """How many stored answers a question has (named, held, pooled, and interviews counted
    for an anonymous count_by question), over every template version: what the editor asks
    about before deleting the question."""
    n = 0
    for table in ("answers", "held", "pool"):
        n += study.scalar(f"SELECT count(*) FROM {table} WHERE question_id = ?", (question_id,))
    counted = study.scalar("SELECT coalesce(sum(n), 0) FROM pool_counts WHERE question_id = ? AND choice = ''",
                           (question_id,))
    return max(n, counted)


def duplicate_section(template: Template, section_id: str,
                      taken: Collection[str] = ()) -> tuple[Template, str]:
    """A copy of the section just after it: fresh ids for it and its questions, no flags (one
    question ticks a flag), and ``${id}`` in the copy's expressions and texts pointing at the
    copy's own questions. Returns the template and the copy's id."""
    data = template.to_dict()
    i, section = _section(data, section_id)
    used = {q.id for q in template.questions()} | {s.id for s in template.sections} | set(taken)

    def fresh(base: str) -> str:
        stem, n = re.sub(r"_\d+$", "", base), 2
        while f"{stem}_{n}" in used or f"{stem}_{n}_other" in used:
            n += 1
        used.add(f"{stem}_{n}")
        return f"{stem}_{n}"

    twin = copy.deepcopy(section)
    twin["id"] = fresh(section_id)
    renamed = {q["id"]: fresh(q["id"]) for q in twin["questions"]}

    def point(text: Any) -> Any:
        if not isinstance(text, str):
            return text
        return re.sub(r"\$\{([^}]*)\}", lambda m: "${" + renamed.get(m[1], m[1]) + "}", text)

    for q in twin["questions"]:
        q["id"] = renamed[q["id"]]
        q.pop("flag", None)
        for key in [k for k in q if k in ("relevant", "constraint", "calculation", "choice_filter")
                    or k.partition("::")[0] in ("label", "help")]:
            q[key] = point(q[key])
    data["sections"].insert(i + 1, twin)
    return _rebuilt(data), twin["id"]
