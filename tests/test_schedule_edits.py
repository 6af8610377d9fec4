"""Schedule edits never break what was recorded.

Studies are made through the real creation path (``Study.create``, with the organisation
vocabularies of ``studies.SMALL_TEMPLATE``), interviews are recorded through the core
(``study.interviews.start(...).save_answer(...)``, ``.complete()``), and the schedule is changed
only with ``fieldkit.schedule``'s edits and ``Study.update_template``.

1. A property test walks a study through random sequences of every kind of edit, interleaved
   with new interviews (and corrections of old ones) under each new version. A small model
   of its own (the answers saved, the template each version was given, what is held and
   pooled) predicts which edits the core must refuse and why, and after every step the study
   must agree with it: every interview's answers exactly as saved (plus its calculations),
   read with its own template version, every answer clean against that version, choice
   labels as its own version words them, the same versions after reopening, and crosstabs
   that count what the model counts.
2. Each refusal, by example, with its exact one-line reason.
3. ``schedule.write_template`` writes a file that loads back to the same template.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st
from studies import SMALL_TEMPLATE

from fieldkit import anonymity, schedule, summary
from fieldkit.errors import FieldkitError, InvalidValueError, TemplateError
from fieldkit.study import Study
from fieldkit.template_toml import load_template, template_from_dict
from fieldkit.templates import OTHER_LABEL, Template

#: Two sections; named single_choice, multiple_choice, yes_no, number and short_text
#: questions, an anonymous long_text one, one asked only when an earlier answer says so, and
#: a calculation.
SCHEDULE = [
    {"id": "A", "title": "About you", "questions": [
        {"id": "size", "type": "single_choice", "label": "Size", "required": True,
         "choices": [{"name": "small", "label": "Small"}, {"name": "medium", "label": "Medium"},
                     {"name": "large", "label": "Large"}]},
        {"id": "work", "type": "multiple_choice", "label": "Areas of work", "choices": ["Advice", "Youth", "Health"]},
        {"id": "board", "type": "yes_no", "label": "On a partnership board?"},
        {"id": "board_role", "type": "single_choice", "label": "Your part on the board", "relevant": "${board} = 'yes'",
         "choices": [{"name": "member", "label": "Member"}, {"name": "chair", "label": "Chair"}]},
        {"id": "staff", "type": "number", "label": "Paid staff", "min": 0},
        {"id": "total", "type": "calculate", "label": "Staff counted twice", "calculation": "${staff} * 2"},
    ]},
    {"id": "B", "title": "The wider sector", "questions": [
        {"id": "role", "type": "short_text", "label": "Your role"},
        {"id": "sector_story", "type": "long_text", "label": "What holds small groups back?", "anonymous": True},
    ]},
]


def base_data() -> dict[str, Any]:
    data = copy.deepcopy(SMALL_TEMPLATE)
    data["template"] = {**data["template"], "name": "edits", "title": "Schedule edits"}
    data["sections"] = copy.deepcopy(SCHEDULE)
    return data


def base_template() -> Template:
    return template_from_dict(base_data(), source="schedule edits test template")


def new_study(folder: Path) -> Study:
    return Study.create(folder / "edits.fieldkit", base_template(), title="Schedule edits")


def record(study: Study, answers: dict[str, Any], *, category: str | None = "Network", complete: bool = True,
           language: str | None = None) -> int:
    org = study.organisations.add(f"Organisation {study.organisations.count() + 1}", category=category)
    session = study.interviews.start(org, language=language)
    for qid, value in answers.items():
        session.save_answer(qid, value)
    if complete:
        session.complete()
    session.close()
    return session.interview_id


# --- the refusals' words (fieldkit.schedule.refusals) ------------------------------------------


def held_reason(qid: str, n: int) -> str:
    return (f"question '{qid}' has {n} anonymous answer{'s' if n != 1 else ''} waiting to join the pool; "
            "move them first (Pool ▸ Move to the pool now) or keep the question")


def anonymity_reason(qid: str, was_anonymous: bool) -> str:
    was, becomes = ("anonymous", "named") if was_anonymous else ("named", "anonymous")
    return f"question '{qid}' has answers recorded as {was}; it cannot become {becomes} (add a new question instead)"


def type_reason(qid: str, was: str, becomes: str) -> str:
    return f"question '{qid}' has answers recorded as {was}; it cannot become {becomes} (add a new question instead)"


def choice_reason(qid: str, name: str, n: int) -> str:
    return (f"the choice '{name}' of question '{qid}' is in {n} answer{'s' if n != 1 else ''}: "
            "rename it instead (its answers follow), or confirm its removal")


# --- plain-data helpers (the model reads the templates it gave, never the core's) ------------


def questions_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [q for s in data["sections"] for q in s["questions"]]


def question_in(data: dict[str, Any], qid: str) -> dict[str, Any] | None:
    return next((q for q in questions_of(data) if q["id"] == qid), None)


def choice_texts(q: dict[str, Any]) -> dict[str, tuple[str, dict[str, str]]]:
    """name -> (label, {language: label}) as a question's plain data declares its choices."""
    out: dict[str, tuple[str, dict[str, str]]] = {}
    for c in q.get("choices", []):
        if isinstance(c, str):
            out[c] = (c, {})
        else:
            out[c["name"]] = (c.get("label", c["name"]),
                              {k.partition("::")[2]: v for k, v in c.items() if k.startswith("label::")})
    if q.get("other"):
        out["other"] = (q.get("other_label") or OTHER_LABEL,
                        {k.partition("::")[2]: v for k, v in q.items() if k.startswith("other_label::")})
    return out


_REF = re.compile(r"\$\{([^}]+)\}")


def references(q: dict[str, Any]) -> set[str]:
    """The questions a question's plain data mentions as ``${id}``."""
    return {m for v in q.values() if isinstance(v, str) for m in _REF.findall(v)}


def referenced(data: dict[str, Any]) -> set[str]:
    return {r for q in questions_of(data) for r in references(q)}


def linked(data: dict[str, Any], qid: str) -> bool:
    """Whether a question refers to another or is referred to (moving it may break the logic)."""
    q = question_in(data, qid)
    return bool(q and references(q)) or qid in referenced(data)


def counted_keys(qtype: str, value: Any) -> list[str]:
    if qtype == "yes_no":
        return ["Yes" if value else "No"]
    return list(value) if isinstance(value, list) else [value]


# --- the model ---------------------------------------------------------------------------------


@dataclass
class Recorded:
    id: int
    version: int
    category: str | None
    completed: bool
    language: str | None
    named: dict[str, Any] = field(default_factory=dict)  # as saved, plus calculations
    held: dict[str, Any] = field(default_factory=dict)  # anonymous answers not yet pooled


@dataclass
class Model:
    k: int
    versions: dict[int, dict[str, Any]] = field(default_factory=dict)
    interviews: list[Recorded] = field(default_factory=list)
    pooled: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def current(self) -> dict[str, Any]:
        return self.versions[max(self.versions)]

    def answered(self) -> set[str]:
        ids = {qid for r in self.interviews for qid in (*r.named, *r.held)}
        return ids | {qid for qid, _ in self.pooled}

    def values(self, qid: str) -> list[Any]:
        out = [r.named[qid] for r in self.interviews if qid in r.named]
        out += [r.held[qid] for r in self.interviews if qid in r.held]
        return out + [v for q, v in self.pooled if q == qid]

    def choice_use(self, qid: str, name: str) -> int:
        return sum(1 for v in self.values(qid) for item in (v if isinstance(v, list) else [v]) if item == name)

    def latest(self, qid: str) -> dict[str, Any] | None:
        """The question as the newest version that has it declares it."""
        for v in sorted(self.versions, reverse=True):
            q = question_in(self.versions[v], qid)
            if q is not None:
                return q
        return None

    def expected_refusals(self, new: dict[str, Any], confirm: bool) -> list[str]:
        """What the rules of fieldkit.schedule say about storing ``new`` (worked out from the
        model's own record of the versions and answers)."""
        current = self.current
        if new == current:
            return []
        problems = []
        new_ids = {q["id"] for q in questions_of(new)}
        held = Counter(qid for r in self.interviews for qid in r.held)
        for qid, n in sorted(held.items()):
            if qid not in new_ids and question_in(current, qid) is not None:
                problems.append(held_reason(qid, n))
        answered = self.answered()
        for q in questions_of(new):
            before = self.latest(q["id"])
            if before is None or q["id"] not in answered:
                continue
            if bool(before.get("anonymous")) != bool(q.get("anonymous")):
                problems.append(anonymity_reason(q["id"], bool(before.get("anonymous"))))
            elif before["type"] != q["type"]:
                problems.append(type_reason(q["id"], before["type"], q["type"]))
            elif "choices" in q and not confirm:
                now = question_in(current, q["id"])
                if now is None:
                    continue
                for name in sorted(set(choice_texts(now)) - set(choice_texts(q))):
                    n = self.choice_use(q["id"], name)
                    if n:
                        problems.append(choice_reason(q["id"], name, n))
        return problems

    def move_ready(self) -> None:
        """fieldkit.held's rule: a question's held answers move once k finished interviews hold one."""
        for qid in sorted({qid for r in self.interviews for qid in r.held}):
            holders = [r for r in self.interviews if r.completed and qid in r.held]
            if len(holders) >= self.k:
                for r in holders:
                    self.pooled.append((qid, r.held.pop(qid)))


# --- checking the study against the model ------------------------------------------------------


def check(study: Study, model: Model) -> None:
    versions = study.template_versions()
    assert versions == sorted(model.versions)
    assert study.template_version == max(model.versions)
    for v in versions:
        assert study.template_at(v).to_dict() == model.versions[v], f"template version {v} changed"

    for r in model.interviews:
        got = study.interviews.get(r.id)
        assert got.template_version == r.version and got.language == r.language
        assert got.answers == r.named, f"interview {r.id}: stored answers differ from those saved"
        assert study.held.for_interview(r.id) == r.held, f"interview {r.id}: held answers differ"
        template = study.template_at(r.version)
        plain = model.versions[r.version]
        for qid, value in {**r.named, **r.held}.items():
            q = template.question(qid)  # its own version asks it
            assert q.clean(value) == value
            texts = choice_texts(question_in(plain, qid))
            if texts:
                names = value if isinstance(value, list) else [value]
                for name in names:
                    label, translated = texts[name]
                    assert q.choice_label(name) == label
                    for language in template.languages[1:]:
                        assert q.choice_label(name, language) == (translated.get(language) or label)
                assert q.as_text(value) == "; ".join(texts[n][0] for n in names)
        # The marks of answers no longer asked are those of the interview's own logic.
        state = template.logic.state({**r.named, **r.held})
        assert sorted(study.interviews.irrelevant_answers(r.id)) == sorted(
            qid for qid in {**r.named, **r.held} if qid not in state.relevant)

    pool = Counter(study.conn.execute("SELECT question_id, value FROM pool").fetchall())
    assert pool == Counter((qid, json.dumps(v, ensure_ascii=False)) for qid, v in model.pooled)

    check_crosstabs(study, model)


def check_crosstabs(study: Study, model: Model) -> None:
    current = model.current
    for q in study.template.questions():
        if not q.qtype.countable or q.anonymous:
            continue
        x = summary.crosstab(study, q.id, "category")
        plain = question_in(current, q.id)
        texts = choice_texts(plain)
        keys = ["Yes", "No"] if plain["type"] == "yes_no" else list(texts)
        assert list(x.keys) == keys
        assert list(x.choices) == [texts[k][0] if texts else k for k in keys]
        by_group: dict[str, list[int]] = {}
        total = [0] * len(keys)
        respondents = 0
        for r in model.interviews:
            if not r.completed:  # an interview under way is never counted
                continue
            if q.id not in r.named or q.id in study.interviews.irrelevant_answers(r.id):
                continue
            hits = [k for k in counted_keys(plain["type"], r.named[q.id]) if k in keys]
            if not hits:
                continue
            respondents += 1
            row = by_group.setdefault(r.category or summary.NOT_RECORDED, [0] * len(keys))
            for k in hits:
                row[keys.index(k)] += 1
                total[keys.index(k)] += 1
        assert list(x.total.counts) == total and x.total.respondents == respondents
        assert {row.group: list(row.counts) for row in x.rows if row.respondents} == by_group


# --- drawing answers and edits -------------------------------------------------------------------

LABELS = ["Size of the group", "How big is it?", "Ms Ångström's question", "حجم", "New wording (2)"]
HELPS = ["Read the choices out.", "Ask gently.\nThen wait.", "مدد"]
TEXTS = ["Chair", "Treasurer and trustee", "جی ہاں", "Zoë"]
LONG_TEXTS = ["Funding.\nAnd time.", "Space to meet", "کچھ نہیں"]
URDU = ["سائز", "کام", "بورڈ", "عملہ"]


def draw_value(data: st.DataObject, q) -> tuple[Any, Any]:
    """(what is saved, what is stored) for one question."""
    if q.type in ("single_choice", "scale"):
        v = data.draw(st.sampled_from(q.choices))
        return v, v
    if q.type == "multiple_choice":
        picked = data.draw(st.lists(st.sampled_from(q.choices), min_size=1, unique=True))
        return picked, [c for c in q.choices if c in picked]
    if q.type == "yes_no":
        v = data.draw(st.booleans())
        return v, v
    if q.type == "number":
        v = data.draw(st.integers(0, 60))
        return v, v
    v = data.draw(st.sampled_from(LONG_TEXTS if q.type == "long_text" else TEXTS))
    return v, v


@dataclass
class Edit:
    what: str
    make: Callable[[Template], Template]
    may_fail: bool = False  # the loader may refuse it (it touches the schedule's logic)
    confirm: bool = False  # remove_used_choices
    then: Callable[[Template], None] | None = None  # more to check once stored


def edit_question(qid: str, change: Callable[[dict], None]) -> Callable[[Template], Template]:
    def make(t: Template) -> Template:
        qd = schedule.question_data(t, qid)
        change(qd)
        return schedule.replace_question(t, qid, qd)
    return make


def draw_edit(data: st.DataObject, kind: str, model: Model, study: Study) -> Edit | None:
    t = study.template
    plain = model.current
    ever = {q["id"] for v in model.versions.values() for q in questions_of(v)} | model.answered()
    # The editor passes every id the study has used, so a new question never takes a removed
    # one's; the bare function (taken empty) may, and the refusals must still hold.
    taken = schedule.ids_in_use(study) if data.draw(st.booleans(), label="avoid used ids") else set()
    if taken:
        assert ever <= taken
    asked = [q for q in t.questions() if not q.generated_from]
    typed = [q for q in asked if not q.qtype.computed]
    with_choices = [q for q in asked if q.qtype.has_choices]
    sections = [s.id for s in t.sections]

    def pick(items):
        return data.draw(st.sampled_from(items)) if items else None

    def place() -> tuple[str, int]:
        sid = pick(sections)
        n = len(next(s for s in plain["sections"] if s["id"] == sid)["questions"])
        return sid, data.draw(st.integers(0, n + 1))

    if kind == "rename_choice" and with_choices:
        q = pick(with_choices)
        name, label = pick(list(q.choices)), pick(LABELS)

        def then(new: Template) -> None:
            assert new.question(q.id).choices == q.choices  # the stored names stay
            assert new.question(q.id).choice(name).label == label

        return Edit(f"rename choice {q.id}.{name} -> {label!r}",
                    lambda t: schedule.rename_choice(t, q.id, name, label), then=then)
    if kind == "add_choice" and with_choices:
        q = pick(with_choices)
        name = next(f"c{n}" for n in range(1, 99) if f"c{n}" not in q.choices)
        item = name if data.draw(st.booleans()) else {"name": name, "label": pick(LABELS)}
        return Edit(f"add choice {q.id}.{name}", edit_question(q.id, lambda d: d["choices"].append(item)))
    if kind == "reorder_choices" and with_choices:
        q = pick(with_choices)
        order = data.draw(st.permutations(range(len(q.choices))))

        def reorder(d: dict) -> None:
            d["choices"] = [d["choices"][i] for i in order]
        return Edit(f"reorder choices of {q.id}: {order}", edit_question(q.id, reorder))
    if kind == "remove_choice":
        q = pick([q for q in with_choices if len(q.choices) >= 3])
        if q is None:
            return None
        name = pick(list(q.choices))
        confirm = data.draw(st.booleans())

        def drop(d: dict) -> None:
            d["choices"] = [c for c in d["choices"] if (c if isinstance(c, str) else c["name"]) != name]
        return Edit(f"remove choice {q.id}.{name} (confirmed: {confirm})", edit_question(q.id, drop),
                    may_fail=q.id in referenced(plain), confirm=confirm)
    if kind == "relabel" and asked:
        q, label = pick(asked), pick(LABELS)
        return Edit(f"relabel {q.id} -> {label!r}", edit_question(q.id, lambda d: d.update(label=label)))
    if kind == "help" and asked:
        q, text = pick(asked), pick([None, *HELPS])
        return Edit(f"help of {q.id} -> {text!r}", edit_question(
            q.id, lambda d: d.pop("help", None) if text is None else d.update(help=text)))
    if kind == "add_question" and sections:
        qtype = pick(["short_text", "long_text", "yes_no", "number", "single_choice", "multiple_choice", "scale"])
        anonymous = qtype != "number" and data.draw(st.booleans())
        qid = schedule.free_id(t, pick(["extra", "size", "role"]), taken)
        assert not taken or qid not in ever
        qd: dict[str, Any] = {"id": qid, "type": qtype, "label": pick(LABELS)}
        if anonymous:
            qd["anonymous"] = True
        if qtype in ("single_choice", "multiple_choice", "scale"):
            qd["choices"] = ["One", {"name": "two", "label": "Two"}, "Three"]
        sid, index = place()
        return Edit(f"add {'anonymous ' if anonymous else ''}{qtype} {qid} at {sid}[{index}]",
                    lambda t: schedule.insert_question(t, sid, index, qd))
    if kind == "remove_question" and asked:
        q = pick(asked)
        return Edit(f"remove question {q.id}", lambda t: schedule.remove_question(t, q.id),
                    may_fail=q.id in referenced(plain))
    if kind == "move_question" and asked:
        q = pick(asked)
        sid, index = place()
        return Edit(f"move question {q.id} to {sid}[{index}]", lambda t: schedule.move_question(t, q.id, sid, index),
                    may_fail=linked(plain, q.id))
    if kind == "move_section" and sections:
        sid = pick(sections)
        index = data.draw(st.integers(0, len(sections)))
        inside = {q["id"] for s in plain["sections"] if s["id"] == sid for q in s["questions"]}
        crossing = any((q["id"] in inside) != (r in inside) for q in questions_of(plain) for r in references(q))
        return Edit(f"move section {sid} to {index}", lambda t: schedule.move_section(t, sid, index),
                    may_fail=crossing)
    if kind == "duplicate" and asked:
        q = pick(asked)

        def make(t: Template) -> Template:
            new, twin = schedule.duplicate_question(t, q.id, taken)
            ids = [x.id for x in new.questions()]
            assert ids[ids.index(q.id) + 1] == twin and twin not in [x.id for x in t.questions()]
            assert not taken or twin not in ever
            assert schedule.question_data(new, twin) == {**{k: v for k, v in schedule.question_data(t, q.id).items()
                                                            if k != "flag"}, "id": twin}
            return new
        return Edit(f"duplicate {q.id}", make)
    if kind == "add_section":
        sid = schedule.free_id(t, "S")
        index, title = data.draw(st.integers(0, len(sections))), pick(LABELS)
        return Edit(f"add section {sid} at {index}",
                    lambda t: schedule.insert_section(t, index, {"id": sid, "title": title}))
    if kind == "remove_section" and sections:
        sid = pick(sections)
        inside = {q["id"] for s in plain["sections"] if s["id"] == sid for q in s["questions"]}
        outside_refs = {r for q in questions_of(plain) if q["id"] not in inside for r in references(q)}
        return Edit(f"remove section {sid}", lambda t: schedule.remove_section(t, sid),
                    may_fail=bool(inside & outside_refs))
    if kind == "relevant":
        q = pick([q for q in typed if not q.anonymous])
        if q is None:
            return None
        earlier = [p for p in typed[:[x.id for x in typed].index(q.id)] if not p.anonymous]
        options: list[str | None] = [None, "true()"]
        for p in earlier:
            if p.type in ("single_choice", "scale"):
                options.append(f"${{{p.id}}} = '{p.choices[-1]}'")
            elif p.type == "multiple_choice":
                options.append(f"selected(${{{p.id}}}, '{p.choices[0]}')")
            elif p.type == "yes_no":
                options.append(f"${{{p.id}}} = 'yes'")
            elif p.type == "number":
                options.append(f"${{{p.id}}} > 1")
            else:
                options.append(f"${{{p.id}}} != ''")
        expr = pick(options)
        return Edit(f"relevant of {q.id} -> {expr!r}", edit_question(
            q.id, lambda d: d.pop("relevant", None) if expr is None else d.update(relevant=expr)))
    if kind == "translate" and asked:
        q, text = pick(asked), pick(URDU)
        choice = pick(list(q.choices)) if q.choices and data.draw(st.booleans()) else None

        def translate(t: Template) -> Template:
            if "Urdu" not in t.languages:
                t = schedule.with_languages(t, [*t.languages, "Urdu"], t.default_language)
            qd = schedule.question_data(t, q.id)
            qd["label::Urdu"] = text
            if choice is not None:
                qd["choices"] = [{"name": c, "label": c} if isinstance(c, str) else c for c in qd["choices"]]
                for c in qd["choices"]:
                    if c["name"] == choice:
                        c["label::Urdu"] = text + "؟"
            return schedule.replace_question(t, q.id, qd)
        return Edit(f"Urdu for {q.id} (choice {choice})", translate)
    if kind == "languages":  # Urdu declared (with no texts yet), or dropped with its texts
        if len(t.languages) > 1:
            return Edit("drop Urdu", lambda t: schedule.with_languages(t, [t.default_language], t.default_language))
        return Edit("declare Urdu", lambda t: schedule.with_languages(t, [t.default_language, "Urdu"],
                                                                      t.default_language))
    if kind == "required" and typed:
        q = pick(typed)
        return Edit(f"toggle required of {q.id}", edit_question(
            q.id, lambda d: d.pop("required") if d.get("required") else d.update(required=True)))
    if kind == "anonymity" and typed:
        q = pick([q for q in typed if not q.flag])
        if q is None:
            return None

        def switch(d: dict) -> None:
            if d.pop("anonymous", False) is False:
                d["anonymous"] = True
            d.pop("relevant", None)  # an anonymous question here is never one asked only sometimes
        return Edit(f"switch {q.id} to {'named' if q.anonymous else 'anonymous'}", edit_question(q.id, switch),
                    may_fail=q.id in referenced(plain))
    if kind == "type" and typed:
        q = pick(typed)
        becomes = {"short_text": "long_text", "long_text": "short_text", "single_choice": "multiple_choice",
                   "multiple_choice": "single_choice", "scale": "single_choice", "yes_no": "short_text",
                   "number": "short_text", "date": "short_text"}[q.type]

        def retype(d: dict) -> None:
            d["type"] = becomes
            for key in ("min", "max", "flag", "default"):
                d.pop(key, None)
        return Edit(f"type of {q.id}: {q.type} -> {becomes}", edit_question(q.id, retype),
                    may_fail=q.id in referenced(plain))
    if kind == "restore":
        gone = sorted({q["id"] for v in model.versions.values() for q in questions_of(v)}
                      - {q["id"] for q in questions_of(plain)})
        qid = pick(gone)
        if qid is None or not sections:
            return None
        qd = model.latest(qid)
        sid, index = place()
        return Edit(f"restore removed question {qid} at {sid}[{index}]",
                    lambda t: schedule.insert_question(t, sid, index, qd), may_fail=bool(references(qd)))
    return None


EDITS = ["rename_choice", "add_choice", "reorder_choices", "remove_choice", "relabel", "help", "add_question",
         "remove_question", "move_question", "move_section", "duplicate", "add_section", "remove_section",
         "relevant", "translate", "languages", "required", "anonymity", "type", "restore"]
#: Up to eight edits, each after a few interviews, corrections or reopenings (or none).
STEPS = st.lists(st.tuples(st.lists(st.sampled_from(["record", "record", "record", "resume", "reopen"]), max_size=2),
                           st.sampled_from(EDITS)), min_size=1, max_size=8)


class Walk:
    def __init__(self, study: Study, data: st.DataObject):
        self.study = study
        self.data = data
        self.model = Model(k=study.anonymity_k, versions={1: study.template.to_dict()})

    def record(self) -> None:
        study, data = self.study, self.data
        t = study.template
        saved: dict[str, Any] = {}
        named: dict[str, Any] = {}
        held: dict[str, Any] = {}
        asked_in = {q.id: s for s in t.sections for q in s.questions}
        for q in t.questions():
            if q.qtype.computed or q.generated_from or not data.draw(st.booleans()):
                continue
            if q.anonymous and (q.relevant or asked_in[q.id].relevant):
                continue  # its answer may never reach the pool: not this test's business
            saved[q.id], stored = draw_value(data, q)
            (held if q.anonymous else named)[q.id] = stored
        language = data.draw(st.sampled_from(t.languages))
        complete = data.draw(st.booleans())
        category = data.draw(st.sampled_from([*t.categories, None]))
        iv = record(study, saved, category=category, complete=complete, language=language)
        state = t.logic.state({**named, **held})
        for q in t.questions():
            value = state.calculated.get(q.id)
            if value is not None:
                named[q.id] = value
                if q.calculation == "${staff} * 2" and "staff" in state.relevant and "staff" in named:
                    assert value == 2 * named["staff"]
        stored_language = None if language == t.default_language else language
        self.model.interviews.append(Recorded(iv, study.template_version, category, complete, stored_language,
                                              named, held))
        self.model.move_ready()
        note(f"record interview {iv} (v{study.template_version}, {'finished' if complete else 'unfinished'}): "
             f"{saved}")

    def resume(self) -> None:
        """Correct an old interview: its own version's questions and choices, whatever the
        schedule says now."""
        if not self.model.interviews:
            return
        r = self.data.draw(st.sampled_from(self.model.interviews))
        t = self.study.template_at(r.version)
        choices = [q for q in t.questions() if not q.anonymous and not q.qtype.computed]
        if not choices:
            return
        q = self.data.draw(st.sampled_from(choices))
        saved, stored = draw_value(self.data, q)
        session = self.study.interviews.resume(r.id)
        assert session.template.to_dict() == self.model.versions[r.version]
        session.save_answer(q.id, saved)
        session.close()
        r.named[q.id] = stored
        state = t.logic.state({**r.named, **r.held})
        for c in t.questions():
            if c.qtype.computed:
                if state.calculated.get(c.id) is None:
                    r.named.pop(c.id, None)
                else:
                    r.named[c.id] = state.calculated[c.id]
        note(f"resume interview {r.id} (v{r.version}): {q.id} = {saved!r}")

    def reopen(self) -> None:
        before = {v: self.study.template_at(v).to_dict() for v in self.study.template_versions()}
        path = self.study.path
        self.study.close()
        self.study = Study.open(path, backup=False)
        assert {v: self.study.template_at(v).to_dict() for v in self.study.template_versions()} == before
        note("reopen")

    def edit(self, kind: str) -> None:
        study = self.study
        t = study.template
        edit = draw_edit(self.data, kind, self.model, study)
        if edit is None:
            return
        version, before = study.template_version, t.to_dict()
        try:
            new = edit.make(t)
        except (TemplateError, InvalidValueError) as e:
            note(f"{edit.what}: not a valid schedule: {e}")
            event(f"{kind}: not a valid schedule")
            assert edit.may_fail, f"{edit.what}: refused by the loader: {e}"
            assert study.template_version == version and study.template.to_dict() == before
            return
        expected = self.model.expected_refusals(new.to_dict(), edit.confirm)
        try:
            stored = study.update_template(new, remove_used_choices=edit.confirm)
        except FieldkitError as e:
            note(f"{edit.what}: refused: {e}")
            event(f"{kind}: refused")
            assert expected, f"{edit.what}: refused, but nothing it breaks: {e}"
            assert str(e) == "; ".join(expected)
            assert "\n" not in str(e)
            assert study.template_version == version and study.template.to_dict() == before
            assert study.template_versions() == sorted(self.model.versions)
            return
        note(f"{edit.what}: stored as version {stored}")
        assert not expected, f"{edit.what}: stored, but should be refused: {expected}"
        if new.to_dict() == before:
            event(f"{kind}: changes nothing")
            assert stored == version
            return
        event(f"{kind}: stored")
        assert stored == version + 1 == study.template_version
        assert study.template.to_dict() == new.to_dict()
        self.model.versions[stored] = new.to_dict()
        if edit.then is not None:
            edit.then(study.template)

    def step(self, kind: str) -> None:
        if kind == "record":
            self.record()
        elif kind == "resume":
            self.resume()
        elif kind == "reopen":
            self.reopen()
        else:
            self.edit(kind)
        check(self.study, self.model)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_old_interviews_read_correctly_after_every_kind_of_schedule_edit(tmp_path_factory, data):
    study = new_study(tmp_path_factory.mktemp("walk"))
    k = data.draw(st.sampled_from([5, 2]), label="anonymity k")
    if k != study.anonymity_k:
        anonymity.set_k(study, k, accept_risk=True)
    walk = Walk(study, data)
    try:
        for _ in range(data.draw(st.integers(1, 3), label="interviews first")):
            walk.step("record")
        for before, kind in data.draw(STEPS, label="steps"):
            for other in before:
                walk.step(other)
            walk.step(kind)
        walk.step("record")  # and one more under the last version
        walk.step("reopen")
    finally:
        walk.study.close()


# --- 2. each refusal, with its reason ------------------------------------------------------------


@pytest.fixture
def study(tmp_path):
    s = new_study(tmp_path)
    s.first = record(s, {"size": "large", "work": ["Youth"], "board": True, "board_role": "chair",
                         "staff": 4, "role": "Chair", "sector_story": "Funding."})
    s.second = record(s, {"size": "large", "work": ["Advice", "Youth"], "staff": 1,
                          "sector_story": "Time."}, category="Infrastructure")
    yield s
    s.close()


def refused(study: Study, new: Template, reason: str, **options) -> None:
    """``new`` is refused with exactly ``reason``, and the study is left as it was."""
    version, before = study.template_version, study.template.to_dict()
    assert schedule.refusals(study, new, **options) == [reason]
    with pytest.raises(FieldkitError) as e:
        study.update_template(new, **options)
    assert str(e.value) == reason
    assert study.template_version == version and study.template.to_dict() == before
    assert study.template_versions() == list(range(1, version + 1))


def test_the_calculation_is_stored_with_the_answers(study):
    assert study.interviews.get(study.first).answers == {
        "size": "large", "work": ["Youth"], "board": True, "board_role": "chair", "staff": 4, "total": 8,
        "role": "Chair"}
    assert study.held.for_interview(study.first) == {"sector_story": "Funding."}


def test_an_answered_named_question_cannot_become_anonymous(study):
    new = schedule.replace_question(study.template, "role", {**schedule.question_data(study.template, "role"),
                                                             "anonymous": True})
    refused(study, new, "question 'role' has answers recorded as named; it cannot become anonymous "
                        "(add a new question instead)")


def test_an_unanswered_named_question_can_become_anonymous(tmp_path):
    s = new_study(tmp_path)
    try:
        record(s, {"size": "small"})
        new = schedule.replace_question(s.template, "role", {**schedule.question_data(s.template, "role"),
                                                             "anonymous": True})
        assert s.update_template(new) == 2 and s.template.question("role").anonymous
    finally:
        s.close()


def test_an_answered_anonymous_question_cannot_become_named_even_once_pooled(study):
    study.held.move_now()
    assert study.held.for_interview(study.first) == {} and study.pool.count() == 2
    new = schedule.replace_question(study.template, "sector_story",
                                    {k: v for k, v in schedule.question_data(study.template, "sector_story").items()
                                     if k != "anonymous"})
    refused(study, new, "question 'sector_story' has answers recorded as anonymous; it cannot become named "
                        "(add a new question instead)")


def test_an_answered_question_cannot_change_its_type(study):
    new = schedule.replace_question(study.template, "size", {**schedule.question_data(study.template, "size"),
                                                             "type": "multiple_choice"})
    refused(study, new, "question 'size' has answers recorded as single_choice; it cannot become multiple_choice "
                        "(add a new question instead)")
    new = schedule.replace_question(study.template, "role", {**schedule.question_data(study.template, "role"),
                                                             "type": "long_text"})
    refused(study, new, "question 'role' has answers recorded as short_text; it cannot become long_text "
                        "(add a new question instead)")


def test_a_removed_answered_question_cannot_come_back_as_another_type(study):
    study.update_template(schedule.remove_question(study.template, "role"))
    back = {"id": "role", "type": "long_text", "label": "Your role, at length"}
    refused(study, schedule.insert_question(study.template, "B", 0, back),
            "question 'role' has answers recorded as short_text; it cannot become long_text "
            "(add a new question instead)")


def test_an_unanswered_question_may_change_its_type_and_is_then_held_to_its_new_one(tmp_path):
    with new_study(tmp_path) as s:
        record(s, {"size": "small"})
        retyped = schedule.replace_question(s.template, "role", {**schedule.question_data(s.template, "role"),
                                                                 "type": "long_text"})
        assert s.update_template(retyped) == 2
        record(s, {"role": "Chair\nand treasurer"})
        back = schedule.replace_question(s.template, "role", {**schedule.question_data(s.template, "role"),
                                                              "type": "short_text"})
        refused(s, back, type_reason("role", "long_text", "short_text"))


def test_several_refusals_are_given_together_in_one_line(study):
    t = schedule.replace_question(study.template, "size", {**schedule.question_data(study.template, "size"),
                                                           "type": "scale"})
    t = schedule.remove_question(t, "sector_story")
    message = "; ".join([held_reason("sector_story", 2), type_reason("size", "single_choice", "scale")])
    with pytest.raises(FieldkitError) as e:
        study.update_template(t)
    assert str(e.value) == message and "\n" not in message
    assert study.template_version == 1


def test_removing_a_choice_used_in_answers_needs_confirming(study):
    def without(name):
        qd = schedule.question_data(study.template, "size")
        qd["choices"] = [c for c in qd["choices"] if c["name"] != name]
        return schedule.replace_question(study.template, "size", qd)

    refused(study, without("large"), "the choice 'large' of question 'size' is in 2 answers: rename it instead "
                                     "(its answers follow), or confirm its removal")
    version = study.update_template(without("large"), remove_used_choices=True)
    assert version == 2 and study.template.question("size").choices == ("small", "medium")
    for iv in (study.first, study.second):  # old interviews still read their answer
        got = study.interviews.get(iv)
        q = study.template_at(got.template_version).question("size")
        assert got.answers["size"] == "large" and q.clean("large") == "large"
        assert q.choice_label("large") == "Large" and q.as_text("large") == "Large"
    x = summary.crosstab(study, "size", "category")  # the removed choice is no longer counted
    assert x.keys == ["small", "medium"] and x.total.counts == [0, 0]
    new = record(study, {"size": "medium"})
    with pytest.raises(InvalidValueError):
        study.interviews.start(study.organisations.add("Late")).save_answer("size", "large")
    assert study.interviews.get(new).template_version == 2


def test_a_choice_used_once_is_counted_singly_and_an_unused_one_goes_freely(study):
    qd = schedule.question_data(study.template, "work")
    qd["choices"] = ["Advice", "Health"]  # Youth, in 2 answers, goes
    refused(study, schedule.replace_question(study.template, "work", qd),
            choice_reason("work", "Youth", 2))
    qd["choices"] = ["Youth", "Health"]  # Advice, in 1 answer
    refused(study, schedule.replace_question(study.template, "work", qd),
            "the choice 'Advice' of question 'work' is in 1 answer: rename it instead (its answers follow), "
            "or confirm its removal")
    qd["choices"] = ["Advice", "Youth"]  # Health, in none
    assert study.update_template(schedule.replace_question(study.template, "work", qd)) == 2


def test_a_renamed_choice_keeps_its_answers_and_old_interviews_their_label(study):
    study.update_template(schedule.rename_choice(study.template, "size", "large", "Big"))
    got = study.interviews.get(study.first)
    assert got.answers["size"] == "large"
    assert study.template_at(1).question("size").choice_label("large") == "Large"
    assert study.template.question("size").choice_label("large") == "Big"
    x = summary.crosstab(study, "size", "category")
    assert x.choices == ["Small", "Medium", "Big"] and x.total.counts == [0, 0, 2]
    with pytest.raises(InvalidValueError, match="'huge' is not a choice of question 'size'"):
        schedule.rename_choice(study.template, "size", "huge", "Huge")


def test_an_anonymous_question_with_held_answers_cannot_go_until_they_are_pooled(study):
    unfinished = record(study, {"sector_story": "Rent."}, complete=False)
    gone = schedule.remove_question(study.template, "sector_story")
    refused(study, gone, "question 'sector_story' has 3 anonymous answers waiting to join the pool; move them first "
                         "(Pool ▸ Move to the pool now) or keep the question")
    refused(study, schedule.remove_section(study.template, "B"), held_reason("sector_story", 3))
    study.held.move_now()  # moves the finished interviews' answers only
    refused(study, gone, "question 'sector_story' has 1 anonymous answer waiting to join the pool; move them first "
                         "(Pool ▸ Move to the pool now) or keep the question")
    study.interviews.resume(unfinished).complete()
    study.held.move_now()
    assert study.held.count() == 0 and study.pool.count() == 3
    assert study.update_template(gone) == 2
    pooled = study.conn.execute("SELECT value FROM pool WHERE question_id = 'sector_story'").fetchall()
    assert sorted(json.loads(v) for (v,) in pooled) == ["Funding.", "Rent.", "Time."]


def test_a_question_removed_from_the_schedule_keeps_its_answers_in_old_interviews(study):
    version = study.update_template(schedule.remove_question(schedule.remove_question(study.template, "board_role"),
                                                             "board"))
    assert version == 2
    got = study.interviews.get(study.first)
    assert got.answers["board"] is True and got.answers["board_role"] == "chair"
    old = study.template_at(got.template_version)
    assert old.question("board").clean(True) is True
    assert old.question("board_role").as_text("chair") == "Chair"
    assert "board_role" not in study.interviews.irrelevant_answers(study.first)
    with pytest.raises(KeyError):
        study.template.question("board")
    # A new interview cannot answer it; the old one, resumed, still can.
    session = study.interviews.start(study.organisations.add("Later"))
    with pytest.raises(InvalidValueError, match="question 'board' is not in this interview's schedule"):
        session.save_answer("board", False)
    session.close()
    old_session = study.interviews.resume(study.second)
    old_session.save_answer("board", False)
    old_session.close()
    assert study.interviews.get(study.second).answers["board"] is False
    # Still crossed, worded as the newest version that had it.
    x = summary.crosstab(study, "board", "category")
    assert x.total.counts == [1, 1]
    # Reopened, every version is the same.
    before = {v: study.template_at(v).to_dict() for v in study.template_versions()}
    path = study.path
    study.close()
    with Study.open(path, backup=False) as again:
        assert {v: again.template_at(v).to_dict() for v in again.template_versions()} == before
        assert again.interviews.get(again.interviews.listing()[-1].id).answers["board"] is True


def test_an_edit_that_changes_nothing_stores_no_version(study):
    t = schedule.move_question(study.template, "size", "A", 0)
    assert study.update_template(t) == 1 and study.template_versions() == [1]


def test_rename_choice_of_the_other_choice_changes_its_label():
    data = base_data()
    data["sections"][0]["questions"][0]["other"] = True
    t = template_from_dict(data, source="other")
    renamed = schedule.rename_choice(t, "size", "other", "Something else")
    assert renamed.question("size").choice_label("other") == "Something else"
    assert renamed.question("size_other").label == "Something else"
    assert renamed.question("size").choices == t.question("size").choices
    assert schedule.rename_choice(renamed, "size", "other", OTHER_LABEL).to_dict() == t.to_dict()


def test_the_words_of_an_anonymous_other_answer_reach_the_pool(tmp_path):
    data = base_data()
    data["sections"][1]["questions"].append({"id": "need", "type": "single_choice", "anonymous": True,
                                             "other": True, "label": "Biggest need", "choices": ["Money", "Time"]})
    with Study.create(tmp_path / "other.fieldkit", template_from_dict(data, source="anonymous other")) as s:
        iv = record(s, {"need": "other", "need_other": "Volunteers"}, complete=False)
        assert s.interviews.irrelevant_answers(iv) == []
        s.interviews.resume(iv).complete()
        s.held.move_now()
        pooled = s.conn.execute("SELECT question_id, value FROM pool ORDER BY question_id").fetchall()
        assert pooled == [("need", '"other"'), ("need_other", '"Volunteers"')]


def test_a_duplicate_never_takes_the_id_of_a_removed_question_with_answers(study):
    t, twin = schedule.duplicate_question(study.template, "role")
    study.update_template(t)
    record(study, {twin: "Treasurer"})
    study.update_template(schedule.remove_question(study.template, twin))
    t, again = schedule.duplicate_question(study.template, "role", schedule.ids_in_use(study))
    assert again != twin


def test_an_answered_question_keeps_its_id(study):
    before = schedule.answer_count(study, "role")
    record(study, {"role": "Chair"})
    assert schedule.answer_count(study, "role") == before + 1
    assert schedule.id_change_refusal(study, "role", "position") == (
        f"question 'role' has {before + 1} answers: its id cannot change (the answers are stored under it); "
        "change its wording instead")
    t, twin = schedule.duplicate_question(study.template, "role")
    study.update_template(t)
    assert schedule.id_change_refusal(study, twin, "role_x") is None  # no answers yet
    study.update_template(schedule.remove_question(study.template, twin))
    t, other = schedule.duplicate_question(study.template, "role", schedule.ids_in_use(study))
    study.update_template(t)
    assert other != twin
    assert schedule.id_change_refusal(study, other, twin) == (
        f"the id '{twin}' belonged to a question removed from the schedule; choose another")


# --- 3. write_template and load_template -------------------------------------------------------

RICH = {
    "template": {"name": "rich", "title": "Everything a schedule says", "description": "Round trip.",
                 "default_language": "English", "languages": ["English", "Urdu", "Polish"]},
    "organisations": copy.deepcopy(SMALL_TEMPLATE["organisations"]),
    "flags": copy.deepcopy(SMALL_TEMPLATE["flags"]),
    "targets": copy.deepcopy(SMALL_TEMPLATE["targets"]),
    "themes": copy.deepcopy(SMALL_TEMPLATE["themes"]),
    "sections": [
        {"id": "where", "title": "Where you work", "title::Urdu": "آپ کہاں کام کرتے ہیں",
         "intro": "Two lines\nof introduction.", "intro::Urdu": "تعارف",
         "questions": [
             {"id": "region", "type": "single_choice", "label": "Region", "label::Urdu": "علاقہ",
              "required": True, "required_message": "Pick a region", "required_message::Urdu": "علاقہ چنیں",
              "default": "wm",
              "choices": [{"name": "wm", "label": "West Midlands", "label::Urdu": "ویسٹ مڈلینڈز",
                           "label::Polish": "Zachodnie Midlands", "nation": "england"},
                          {"name": "wales", "label": "Wales", "nation": "wales"},
                          "Elsewhere"]},
             {"id": "town", "type": "single_choice", "label": "Town", "help": "The main office's town.",
              "help::Polish": "Miasto", "choice_filter": "nation = ${region}",
              "choices": [{"name": "brum", "label": "Birmingham", "nation": "wm", "size": "3"},
                          {"name": "cardiff", "label": "Cardiff", "nation": "wales", "size": "2"}]},
             {"id": "services", "type": "multiple_choice", "label": "Services", "other": True,
              "other_label": "Something else", "other_label::Urdu": "کچھ اور", "default": ["Advice"],
              "choices": ["Advice", {"name": "food", "label": "Food", "label::Urdu": "کھانا"}]},
             {"id": "staff", "type": "number", "label": "Paid staff", "min": 0, "max": 1.5e3,
              "constraint": ". >= 0 and . < 1000", "constraint_message": "Fewer than a thousand, please",
              "constraint_message::Urdu": "ایک ہزار سے کم"},
             {"id": "doubled", "type": "calculate", "label": "Staff doubled", "calculation": "${staff} * 2"},
             {"id": "board", "type": "yes_no", "label": "May we list you?", "flag": "invite", "default": False},
             {"id": "since", "type": "date", "label": "Founded", "relevant": "${board} = 'yes'",
              "default": "2001-02-03"},
         ]},
        {"id": "sector", "title": "The wider sector", "relevant": "${staff} > 0",
         "questions": [
             {"id": "engaged", "type": "scale", "label": "How engaged?", "anonymous": True, "count_by": "category",
              "theme": "barriers", "choices": ["Low", "Medium", "High"]},
             {"id": "story", "type": "long_text", "label": "What holds groups back?", "anonymous": True,
              "theme": "help", "required": True, "help": "Quote:\n\"in their words\" \\ as said."},
         ]},
    ],
}


def round_trip(t: Template, path: Path) -> Template:
    written = schedule.write_template(t, path)
    assert written == path and not path.with_name(path.name + ".part").exists()
    return load_template(path)


def same_apart_from_version(a: Template, b: Template) -> None:
    da, db = a.to_dict(), b.to_dict()
    da["template"].pop("version")
    db["template"].pop("version")
    assert da == db


def test_a_written_template_loads_back_the_same(tmp_path):
    t = template_from_dict(RICH, source="rich")
    back = round_trip(t, tmp_path / "rich.toml")
    same_apart_from_version(t, back)
    assert back.languages == ("English", "Urdu", "Polish") and back.version == 1
    assert back.question("region").choice("wm").translations == {"Urdu": "ویسٹ مڈلینڈز",
                                                                 "Polish": "Zachodnie Midlands"}
    assert back.question("town").choice("brum").attributes == {"nation": "wm", "size": "3"}
    assert back.question("services").choice_label("other", "Urdu") == "کچھ اور"
    assert back.question("since").default == "2001-02-03" and back.question("staff").max == 1500


def test_the_generated_other_question_is_not_written(tmp_path):
    t = template_from_dict(RICH, source="rich")
    assert t.question("services_other").generated_from == "services"
    path = tmp_path / "rich.toml"
    back = round_trip(t, path)
    text = path.read_text(encoding="utf-8")
    assert "services_other" not in text
    assert [q.id for q in back.questions()].count("services_other") == 1
    assert text.count('"other"') == 0  # neither the added choice


def test_a_study_schedule_after_edits_is_written_as_version_1(study, tmp_path):
    study.update_template(schedule.rename_choice(study.template, "size", "small", "Tiny"))
    study.update_template(schedule.with_languages(study.template, ["English", "Urdu"], "English"))
    back = round_trip(study.template, tmp_path / "study.toml")
    assert back.version == 1
    same_apart_from_version(study.template, back)
    with Study.create(tmp_path / "from-file.fieldkit", back) as fresh:
        same_apart_from_version(fresh.template, study.template)


#: Text a researcher may type or paste: any characters, line breaks of every kind included.
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30).filter(
    lambda s: s.strip() and "${" not in s)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_TEXT, label=_TEXT, help_=_TEXT, choice=_TEXT, urdu=_TEXT)
@example(title="Two\nlines = 1", label="x", help_="y", choice="z", urdu="w")  # the title's comment line
@example(title="0\x1f", label="x", help_="y", choice="z", urdu="w")  # a control character in a comment
@example(title="t", label="x", help_="Pasted\r\nfrom Windows", choice="z\r", urdu="w")  # kept, not made \n
def test_any_template_that_loads_is_written_to_a_file_that_loads_the_same(tmp_path_factory, title, label, help_,
                                                                          choice, urdu):
    data = copy.deepcopy(RICH)
    data["template"]["title"] = title
    q = data["sections"][0]["questions"][1]
    q.update({"label": label, "help": help_, "label::Urdu": urdu})
    q["choices"][0]["label"] = choice
    try:
        t = template_from_dict(data, source="typed")
    except TemplateError:
        return
    same_apart_from_version(t, round_trip(t, tmp_path_factory.mktemp("typed") / "typed.toml"))
