"""Study templates: the TOML files in ``forms/`` and their validated, immutable form.

A template carries the organisation vocabularies (categories, areas, exclusion reasons,
attempt outcomes), extra flags, targets, themes and the interview schedule. A study keeps
its own copy (``Template.to_dict``), so a study file never depends on the file it came from.
The format is documented in ``forms/README.md``.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldkit.errors import InvalidValueError, TemplateError

QUESTION_TYPES = (
    "short_text",
    "long_text",
    "single_choice",
    "multiple_choice",
    "yes_no",
    "scale",
    "number",
    "date",
)
CHOICE_TYPES = ("single_choice", "multiple_choice", "scale")
#: Question types that can be counted and crossed by category in summaries.
COUNTABLE_TYPES = ("single_choice", "multiple_choice", "yes_no", "scale")
#: What an anonymous countable question's answers may also be counted by (``count_by``).
COUNT_BY = ("category",)

BUILTIN_FLAGS = {
    "full_interview": "Full interview completed",
    "follow_up": "Keen for follow-up",
    "permission_to_list": "Permission to list",
}

DEFAULT_OUTCOMES = (
    "No answer",
    "Left a message",
    "Call back requested",
    "Interview arranged",
    "Interviewed",
    "Declined",
    "Wrong or disconnected number",
    "Email sent",
)

VOCABULARIES = ("categories", "areas", "exclusion_reasons", "outcomes")

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_IDENT_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_QUESTION_ID_RE = re.compile(r"^[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class Flag:
    id: str
    label: str


@dataclass(frozen=True)
class Theme:
    id: str
    label: str


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: str
    help: str = ""
    required: bool = False
    theme: str | None = None
    anonymous: bool = False
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    #: yes/no questions only: the flag a named answer ticks (Yes) or unticks (No).
    flag: str | None = None
    #: anonymous countable questions only: "category" also counts its answers per category
    #: of organisation (counts only, in steps of at least the study's anonymity_k interviews).
    count_by: str | None = None

    def clean(self, value: Any) -> Any:
        """Return ``value`` in the form stored for this question, or None for "no answer".

        Raises InvalidValueError with a one-line reason when the value does not fit.
        """
        if value is None:
            return None
        where = f"question '{self.id}'"
        t = self.type
        if t in ("short_text", "long_text"):
            if not isinstance(value, str):
                raise InvalidValueError(f"{where}: expected text, got {type(value).__name__}")
            if t == "short_text" and ("\n" in value.strip()):
                raise InvalidValueError(f"{where}: short text must be one line")
            return value if value.strip() else None
        if t in ("single_choice", "scale"):
            if not isinstance(value, str):
                raise InvalidValueError(f"{where}: expected one of the choices")
            if value == "":
                return None
            if value not in self.choices:
                raise InvalidValueError(f"{where}: '{value}' is not one of the choices")
            return value
        if t == "multiple_choice":
            if isinstance(value, str) or not isinstance(value, (list, tuple, set, frozenset)):
                raise InvalidValueError(f"{where}: expected a list of choices")
            if not all(isinstance(v, str) for v in value):
                raise InvalidValueError(f"{where}: expected a list of choices")
            chosen = set(value)
            unknown = sorted(str(v) for v in chosen if v not in self.choices)
            if unknown:
                raise InvalidValueError(f"{where}: not among the choices: {', '.join(unknown)}")
            ordered = [c for c in self.choices if c in chosen]
            return ordered or None
        if t == "yes_no":
            if not isinstance(value, bool):
                raise InvalidValueError(f"{where}: expected yes or no")
            return value
        if t == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InvalidValueError(f"{where}: expected a number")
            if isinstance(value, float) and not math.isfinite(value):
                raise InvalidValueError(f"{where}: expected a finite number")
            if self.min is not None and value < self.min:
                raise InvalidValueError(f"{where}: {value} is below the minimum {self.min:g}")
            if self.max is not None and value > self.max:
                raise InvalidValueError(f"{where}: {value} is above the maximum {self.max:g}")
            return value
        if t == "date":
            if isinstance(value, _dt.datetime):
                value = value.date()
            if isinstance(value, _dt.date):
                return value.isoformat()
            if isinstance(value, str):
                if value == "":
                    return None
                try:
                    return _dt.date.fromisoformat(value).isoformat()
                except ValueError:
                    raise InvalidValueError(f"{where}: '{value}' is not a date (YYYY-MM-DD)") from None
            raise InvalidValueError(f"{where}: expected a date")
        raise InvalidValueError(f"{where}: unknown type '{t}'")  # pragma: no cover - validated on load

    def as_text(self, value: Any) -> str:
        """A stored value as plain words, for the pool, search and printing."""
        if value is None:
            return ""
        if self.type == "yes_no":
            return "Yes" if value else "No"
        if self.type == "multiple_choice":
            return "; ".join(value)
        if self.type == "number":
            return f"{value:g}" if isinstance(value, float) else str(value)
        return str(value)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str = ""
    questions: tuple[Question, ...] = ()


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    description: str
    version: int = 1
    categories: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    exclusion_reasons: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = DEFAULT_OUTCOMES
    flags: tuple[Flag, ...] = ()
    targets: dict[str, int] = field(default_factory=dict)
    themes: tuple[Theme, ...] = ()
    sections: tuple[Section, ...] = ()

    def questions(self) -> list[Question]:
        """Every question of the schedule, in order."""
        return [q for s in self.sections for q in s.questions]

    def question(self, question_id: str) -> Question:
        for q in self.questions():
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def flag_ids(self) -> list[str]:
        """Built-in flags first, then the template's own."""
        return list(BUILTIN_FLAGS) + [f.id for f in self.flags]

    def flag_label(self, flag_id: str) -> str:
        if flag_id in BUILTIN_FLAGS:
            return BUILTIN_FLAGS[flag_id]
        for f in self.flags:
            if f.id == flag_id:
                return f.label
        raise KeyError(flag_id)

    def theme_label(self, theme_id: str) -> str:
        for t in self.themes:
            if t.id == theme_id:
                return t.label
        return theme_id

    def vocabulary(self, kind: str) -> tuple[str, ...]:
        """One of categories, areas, exclusion_reasons, outcomes."""
        if kind not in VOCABULARIES:
            raise KeyError(kind)
        return getattr(self, kind)

    def with_values(self, kind: str, values: list[str] | tuple[str, ...]) -> Template:
        """A copy with the vocabulary ``kind`` replaced by ``values`` (validated); a category
        that goes takes its target with it."""
        words = kind.replace("_", " ")
        seen: set[str] = set()
        for value in values:
            if not isinstance(value, str) or not value.strip():
                raise InvalidValueError(f"a value in the {words} cannot be empty")
            if value in seen:
                raise InvalidValueError(f"'{value}' is already one of the {words}")
            seen.add(value)
        data = self.to_dict()
        data["organisations"][kind] = list(values)
        if kind == "categories":
            data["targets"] = {c: n for c, n in self.targets.items() if c in seen}
        return template_from_dict(data, source=f"study template ({words})")

    def with_renamed_value(self, kind: str, old: str, new: str) -> Template:
        """A copy with ``old`` renamed to ``new`` in place in the vocabulary ``kind`` (and its
        target, for a category)."""
        values = list(self.vocabulary(kind))
        if old not in values:
            raise InvalidValueError(f"'{old}' is not one of the {kind.replace('_', ' ')}")
        values[values.index(old)] = new
        renamed_ = self.with_values(kind, values)
        if kind == "categories" and old in self.targets:
            targets = {new if c == old else c: n for c, n in self.targets.items()}
            renamed_ = renamed_.with_targets(targets)
        return renamed_

    def with_targets(self, targets: dict[str, int]) -> Template:
        """A copy with these targets per category (validated)."""
        data = self.to_dict()
        data["targets"] = dict(targets)
        return template_from_dict(data, source="study template (targets)")

    def with_flags(self, flags: list[Flag] | tuple[Flag, ...]) -> Template:
        """A copy with the template's own flags replaced by ``flags`` (validated). A flag a
        question ticks cannot go."""
        kept = {f.id for f in flags}
        for q in self.questions():
            if q.flag and q.flag not in BUILTIN_FLAGS and q.flag not in kept:
                raise InvalidValueError(f"cannot remove the flag '{self.flag_label(q.flag)}': "
                                        f"the question '{q.label}' ticks it")
        data = self.to_dict()
        data["flags"] = [{"id": f.id, "label": f.label} for f in flags]
        return template_from_dict(data, source="study template (flags)")

    def to_dict(self) -> dict[str, Any]:
        """The template as plain data in the TOML file's shape (what a study stores)."""
        sections = []
        for s in self.sections:
            qs = []
            for q in s.questions:
                d: dict[str, Any] = {"id": q.id, "type": q.type, "label": q.label}
                if q.help:
                    d["help"] = q.help
                if q.required:
                    d["required"] = True
                if q.theme:
                    d["theme"] = q.theme
                if q.anonymous:
                    d["anonymous"] = True
                if q.choices:
                    d["choices"] = list(q.choices)
                if q.min is not None:
                    d["min"] = q.min
                if q.max is not None:
                    d["max"] = q.max
                if q.flag:
                    d["flag"] = q.flag
                if q.count_by:
                    d["count_by"] = q.count_by
                qs.append(d)
            sd: dict[str, Any] = {"id": s.id, "title": s.title, "questions": qs}
            if s.intro:
                sd["intro"] = s.intro
            sections.append(sd)
        return {
            "template": {
                "name": self.name,
                "title": self.title,
                "description": self.description,
                "version": self.version,
            },
            "organisations": {k: list(getattr(self, k)) for k in VOCABULARIES},
            "flags": [{"id": f.id, "label": f.label} for f in self.flags],
            "targets": dict(self.targets),
            "themes": [{"id": t.id, "label": t.label} for t in self.themes],
            "sections": sections,
        }


# --- loading and validation -------------------------------------------------------------


class _Problems:
    def __init__(self, source: str):
        self.source = source
        self.items: list[str] = []

    def add(self, place: str, message: str) -> None:
        # A line break inside a key or an id would split one problem over several lines.
        text = f"{place}: {message}" if place else message
        self.items.append(f"{self.source}: " + text.replace("\r", "\\r").replace("\n", "\\n"))


def _check_keys(p: _Problems, place: str, data: dict, allowed: tuple[str, ...]) -> None:
    for key in data:
        if key not in allowed:
            p.add(place, f"unknown key '{key}' (expected one of {', '.join(allowed)})")


def _text(p: _Problems, place: str, data: dict, key: str, *, required: bool) -> str:
    value = data.get(key)
    if value is None:
        if required:
            p.add(place, f"'{key}' is missing")
        return ""
    if not isinstance(value, str):
        p.add(place, f"'{key}' must be text")
        return ""
    if required and not value.strip():
        p.add(place, f"'{key}' is empty")
    return value


def _bool(p: _Problems, place: str, data: dict, key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        p.add(place, f"'{key}' must be true or false")
        return False
    return value


def _string_list(p: _Problems, place: str, value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        p.add(place, f"'{key}' must be a list of text")
        return ()
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            p.add(place, f"'{key}' has an entry that is not non-empty text: {item!r}")
        elif item in out:
            p.add(place, f"'{key}' lists '{item}' twice")
        else:
            out.append(item)
    return tuple(out)


def _table_list(p: _Problems, place: str, data: dict, key: str) -> list[dict]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        p.add(place, f"'{key}' must be a list of tables ([[{key}]])")
        return []
    return value


def _number(p: _Problems, place: str, data: dict, key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or (isinstance(value, int) and not -2**63 <= value < 2**63)
            or not math.isfinite(value)):
        p.add(place, f"'{key}' must be a number")
        return None
    return value


def _question(p: _Problems, place: str, data: dict, theme_ids: set[str],
              flag_ids: set[str]) -> Question | None:
    _check_keys(p, place, data, ("id", "type", "label", "help", "required", "theme",
                                 "anonymous", "choices", "min", "max", "flag", "count_by"))
    qtype = data.get("type")
    if qtype is None:
        p.add(place, "'type' is missing")
    elif qtype not in QUESTION_TYPES:
        p.add(place, f"unknown type '{qtype}' (expected one of {', '.join(QUESTION_TYPES)})")
    label = _text(p, place, data, "label", required=True)
    help_ = _text(p, place, data, "help", required=False)
    required = _bool(p, place, data, "required")
    anonymous = _bool(p, place, data, "anonymous")
    theme = data.get("theme")
    if theme is not None:
        if not isinstance(theme, str):
            p.add(place, "'theme' must be text")
            theme = None
        elif theme not in theme_ids:
            known = ", ".join(sorted(theme_ids)) or "none are declared"
            p.add(place, f"unknown theme '{theme}' (themes: {known})")
    choices: tuple[str, ...] = ()
    if qtype in CHOICE_TYPES:
        if "choices" not in data:
            p.add(place, f"'choices' is missing (a {qtype} question needs at least two)")
        else:
            choices = _string_list(p, place, data["choices"], "choices")
            if len(choices) < 2 and isinstance(data["choices"], list):
                p.add(place, "'choices' needs at least two entries")
    elif "choices" in data and qtype in QUESTION_TYPES:
        p.add(place, f"'choices' is not allowed for a {qtype} question")
    low = high = None
    if qtype == "number":
        low = _number(p, place, data, "min")
        high = _number(p, place, data, "max")
        if low is not None and high is not None and low > high:
            p.add(place, f"'min' ({low:g}) is greater than 'max' ({high:g})")
    else:
        for key in ("min", "max"):
            if key in data and qtype in QUESTION_TYPES:
                p.add(place, f"'{key}' is only allowed for a number question")
    flag = data.get("flag")
    if flag is not None:
        if not isinstance(flag, str):
            p.add(place, "'flag' must be text")
            flag = None
        elif qtype != "yes_no":
            p.add(place, "'flag' is only allowed for a yes_no question")
            flag = None
        elif anonymous:
            p.add(place, "an anonymous question cannot tick a flag (that would link it to the organisation)")
            flag = None
        elif flag not in flag_ids:
            p.add(place, f"unknown flag '{flag}' (flags: {', '.join(sorted(flag_ids))})")
            flag = None
    if qtype not in QUESTION_TYPES:
        return None
    count_by = data.get("count_by")
    if count_by is not None:
        if count_by not in COUNT_BY:
            p.add(place, f"'count_by' must be one of: {', '.join(COUNT_BY)}")
            count_by = None
        elif not anonymous:
            p.add(place, "'count_by' is for anonymous questions (a named one is crossed by category already)")
            count_by = None
        elif qtype not in COUNTABLE_TYPES:
            p.add(place, "'count_by' is only for choice, yes_no and scale questions (text is never counted)")
            count_by = None
    return Question(id=data.get("id", ""), type=qtype, label=label, help=help_,
                    required=required, theme=theme, anonymous=anonymous, choices=choices,
                    min=low, max=high, flag=flag, count_by=count_by)


def template_from_dict(data: Any, *, source: str, default_name: str = "") -> Template:
    """Validate plain data (a parsed TOML file, or a study's stored copy) into a Template.

    Raises TemplateError listing every problem, each prefixed with ``source`` and its place.
    """
    p = _Problems(source)
    if not isinstance(data, dict):
        raise TemplateError([f"{source}: not a table of settings"])
    _check_keys(p, "", data, ("template", "organisations", "flags", "targets", "themes", "sections"))

    head = data.get("template")
    if not isinstance(head, dict):
        p.add("", "the [template] table is missing")
        head = {}
    _check_keys(p, "[template]", head, ("name", "title", "description", "version"))
    name = head.get("name")
    if name is None:
        name = default_name or "template"
    elif not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        p.add("[template]", f"'name' must be lower-case letters, digits and dashes, got {name!r}")
        name = default_name or "template"
    title = _text(p, "[template]", head, "title", required=True)
    description = _text(p, "[template]", head, "description", required=True)
    version = head.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        p.add("[template]", f"'version' must be a whole number of 1 or more, got {version!r}")
        version = 1

    orgs = data.get("organisations", {})
    if not isinstance(orgs, dict):
        p.add("", "'organisations' must be a table")
        orgs = {}
    _check_keys(p, "[organisations]", orgs, VOCABULARIES)
    vocab: dict[str, tuple[str, ...]] = {}
    for kind in VOCABULARIES:
        if kind in orgs:
            vocab[kind] = _string_list(p, "[organisations]", orgs[kind], kind)
    if not vocab.get("outcomes"):
        vocab["outcomes"] = DEFAULT_OUTCOMES

    flags: list[Flag] = []
    for i, f in enumerate(_table_list(p, "", data, "flags"), start=1):
        place = f"flag {i}"
        _check_keys(p, place, f, ("id", "label"))
        fid = f.get("id")
        if not isinstance(fid, str) or not _IDENT_RE.fullmatch(fid):
            p.add(place, f"'id' must be lower-case letters, digits and underscores, got {fid!r}")
            continue
        place = f"flag '{fid}'"
        if fid in BUILTIN_FLAGS:
            p.add(place, "is a built-in flag; choose another id")
        elif any(x.id == fid for x in flags):
            p.add(place, "is declared twice")
        flags.append(Flag(fid, _text(p, place, f, "label", required=True)))

    targets_in = data.get("targets", {})
    targets: dict[str, int] = {}
    if not isinstance(targets_in, dict):
        p.add("", "'targets' must be a table of category = number")
        targets_in = {}
    for cat, n in targets_in.items():
        if cat not in vocab.get("categories", ()):
            p.add("[targets]", f"'{cat}' is not one of the categories")
        elif isinstance(n, bool) or not isinstance(n, int) or n < 0:
            p.add("[targets]", f"'{cat}' must be a whole number of 0 or more, got {n!r}")
        else:
            targets[cat] = n

    themes: list[Theme] = []
    for i, t in enumerate(_table_list(p, "", data, "themes"), start=1):
        place = f"theme {i}"
        _check_keys(p, place, t, ("id", "label"))
        tid = t.get("id")
        if not isinstance(tid, str) or not _IDENT_RE.fullmatch(tid):
            p.add(place, f"'id' must be lower-case letters, digits and underscores, got {tid!r}")
            continue
        place = f"theme '{tid}'"
        if any(x.id == tid for x in themes):
            p.add(place, "is declared twice")
        themes.append(Theme(tid, _text(p, place, t, "label", required=True)))
    theme_ids = {t.id for t in themes}

    sections: list[Section] = []
    seen_questions: set[str] = set()
    for i, s in enumerate(_table_list(p, "", data, "sections"), start=1):
        sid = s.get("id")
        if not isinstance(sid, str) or not sid.strip():
            place = f"section {i}"
            p.add(place, "'id' is missing")
            sid = f"#{i}"
        else:
            place = f"section '{sid}'"
            if any(x.id == sid for x in sections):
                p.add(place, "is declared twice")
        _check_keys(p, place, s, ("id", "title", "intro", "questions"))
        stitle = _text(p, place, s, "title", required=True)
        intro = _text(p, place, s, "intro", required=False)
        questions: list[Question] = []
        for j, q in enumerate(_table_list(p, place, s, "questions"), start=1):
            qid = q.get("id")
            if not isinstance(qid, str) or not _QUESTION_ID_RE.fullmatch(qid):
                qplace = f"{place}, question {j}"
                p.add(qplace, f"'id' must be letters, digits, '_', '.' or '-', got {qid!r}")
            else:
                qplace = f"{place}, question '{qid}'"
                if qid in seen_questions:
                    p.add(qplace, "the id is used twice in this template")
                seen_questions.add(qid)
            question = _question(p, qplace, q, theme_ids, set(BUILTIN_FLAGS) | {f.id for f in flags})
            if question is not None:
                questions.append(question)
        sections.append(Section(sid, stitle, intro, tuple(questions)))

    if p.items:
        raise TemplateError(p.items)
    return Template(
        name=name, title=title, description=description, version=version,
        categories=vocab.get("categories", ()), areas=vocab.get("areas", ()),
        exclusion_reasons=vocab.get("exclusion_reasons", ()), outcomes=vocab["outcomes"],
        flags=tuple(flags), targets=targets, themes=tuple(themes), sections=tuple(sections),
    )


def load_template(path: str | Path) -> Template:
    """Read and validate a template file; raises TemplateError naming every problem."""
    path = Path(path)
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise TemplateError([f"{source}: cannot read the file ({e.strerror or e})"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TemplateError([f"{source}: not UTF-8 text"]) from None
    try:
        data = tomllib.loads(text)
    except (ValueError, RecursionError) as e:  # TOMLDecodeError, and what tomllib lets through
        raise TemplateError([f"{source}: not valid TOML: {' '.join(str(e).split()) or type(e).__name__}"]) from None
    return template_from_dict(data, source=source, default_name=_stem_name(path))


def _stem_name(path: Path) -> str:
    stem = re.sub(r"[^a-z0-9-]+", "-", path.stem.lower()).strip("-")
    return stem or "template"


def shipped_dir(name: str) -> Path:
    """A top-level folder shipped with fieldkit (``forms``, ``resources``): ``fieldkit/_<name>``
    in an installed wheel (see pyproject.toml's force-include), else ``<name>/`` in a checkout.

    The installed copy is looked for first: installed, the folder beside the package is
    site-packages, where another distribution may have put a ``resources/`` of its own.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / f"_{name}", here.parent / name):
        if candidate.is_dir():
            return candidate
    return here.parent / name


def forms_dir() -> Path:
    """The folder of shipped templates: ``forms/`` in a checkout, ``fieldkit/_forms`` installed."""
    return shipped_dir("forms")


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    title: str
    description: str
    path: Path


def shipped_templates() -> list[TemplateInfo]:
    """The templates in forms/, each loaded and checked, sorted by title."""
    found = []
    for path in sorted(forms_dir().glob("*.toml")):
        t = load_template(path)
        found.append(TemplateInfo(t.name, t.title, t.description, path))
    return sorted(found, key=lambda i: i.title.lower())


def find_template(name_or_path: str | Path) -> Template:
    """A shipped template by name (file stem), or any template file by path."""
    text = str(name_or_path)
    path = Path(text)
    if path.suffix == ".toml" or path.exists() or "/" in text or "\\" in text:
        return load_template(path)
    candidate = forms_dir() / f"{text}.toml"
    if candidate.is_file():
        return load_template(candidate)
    names = ", ".join(sorted(p.stem for p in forms_dir().glob("*.toml")))
    raise TemplateError([f"{text}: no such template (shipped templates: {names})"])
