"""Study templates: the validated, immutable form of the TOML files in ``forms/``.

A template carries the organisation vocabularies (categories, areas, exclusion reasons,
attempt outcomes), extra flags, targets, themes and the interview schedule. A study keeps
its own copy (``Template.to_dict``), so a study file never depends on the file it came from.
Reading and checking a file or its plain data is fieldkit.template_toml's; the format is
documented in ``forms/README.md``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldkit.errors import InvalidValueError
from fieldkit.outcome_rules import UNKNOWN_EXCLUSION, OutcomeRule, guess_exclusion, guess_outcome

if TYPE_CHECKING:
    from fieldkit.logic import Logic

from fieldkit import question_types
from fieldkit.question_types import QuestionType

QUESTION_TYPES = tuple(question_types.REGISTRY)
CHOICE_TYPES = tuple(n for n, t in question_types.REGISTRY.items() if t.has_choices)
#: Question types that can be counted and crossed by category in summaries.
COUNTABLE_TYPES = tuple(n for n, t in question_types.REGISTRY.items() if t.countable)
#: What an anonymous countable question's answers may also be counted by (``count_by``).
COUNT_BY = ("category",)
#: The texts a template may give in several languages, written ``label::Urdu`` as XLSForm does.
QUESTION_TEXTS = ("label", "help", "constraint_message", "required_message", "other_label", "yes_label",
                  "no_label")
#: What a yes/no question's two answers are called unless it says otherwise.
YES_NO_LABELS = {"yes_label": "Yes", "no_label": "No"}
SECTION_TEXTS = ("title", "intro")
DEFAULT_LANGUAGE = "English"
#: The choice an ``other = true`` question adds, and the text question that asks for the words.
OTHER_CHOICE = "other"
OTHER_LABEL = "Other, please specify"
#: Languages written right to left (by name or by the code XLSForm puts in brackets).
RTL_LANGUAGES = {"arabic", "urdu", "persian", "farsi", "dari", "pashto", "hebrew", "sindhi",
                 "kurdish (sorani)", "sorani", "dhivehi", "yiddish", "uyghur", "balochi"}
RTL_CODES = {"ar", "ur", "fa", "prs", "ps", "he", "iw", "sd", "ckb", "dv", "yi", "ug", "bal"}

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
#: An official (GSS) area code: a country letter and eight digits, as ``E08000025``.
GSS_CODE = re.compile(r"^[EWSN]\d{8}$")

_LANGUAGE_CODE_RE = re.compile(r"\(([A-Za-z-]+)\)\s*$")


def is_rtl(language: str) -> bool:
    """Whether ``language`` ("Urdu", "Urdu (ur)", "ar") is written right to left."""
    code = _LANGUAGE_CODE_RE.search(language)
    if code and code.group(1).lower().split("-")[0] in RTL_CODES:
        return True
    bare = _LANGUAGE_CODE_RE.sub("", language).strip().lower()
    return bare in RTL_LANGUAGES or bare in RTL_CODES


def _checked(data: dict[str, Any], *, source: str) -> Template:
    """``data`` (a template's plain data, edited) checked as a template file would be."""
    from fieldkit.template_toml import template_from_dict

    return template_from_dict(data, source=source)


def _translated(owner: Question | Section, key: str, language: str | None) -> str:
    """``owner``'s text ``key`` in ``language`` (its ``key::language`` translation), else the
    default language's."""
    if language:
        translated = owner.translations.get(f"{key}::{language}")
        if translated:
            return translated
    text = getattr(owner, key, "") or ""
    if not text and key in YES_NO_LABELS and isinstance(owner, Question) and owner.qtype.kind == "yes_no":
        return YES_NO_LABELS[key]
    return text


@dataclass(frozen=True)
class Flag:
    id: str
    label: str


@dataclass(frozen=True)
class Theme:
    id: str
    label: str


@dataclass(frozen=True)
class Choice:
    """One choice of a choice question: the name stored in answers, the label read out (in
    the template's default language, with translations), and attributes a ``choice_filter``
    can test. A choice written as plain text has the same name and label."""

    name: str
    label: str
    translations: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)

    def text(self, language: str | None = None) -> str:
        if language and self.translations.get(language):
            return self.translations[language]
        return self.label


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: str
    help: str = ""
    required: bool = False
    theme: str | None = None
    anonymous: bool = False
    options: tuple[Choice, ...] = ()
    min: float | None = None
    max: float | None = None
    #: yes/no questions only: the flag a named answer ticks (Yes) or unticks (No).
    flag: str | None = None
    #: anonymous countable questions only: "category" also counts its answers per category
    #: of organisation (counts only, in steps of at least the study's anonymity_k interviews).
    count_by: str | None = None
    #: Question logic, in XLSForm's spelling (see fieldkit.logic and forms/README.md).
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: str = ""
    required_message: str = ""
    calculation: str | None = None
    choice_filter: str | None = None
    default: Any = None
    #: choice questions: add an "Other, please specify" choice and a question for its words.
    other: bool = False
    other_label: str = ""
    #: yes/no questions: what the two answers are called (Yes and No unless given).
    yes_label: str = ""
    no_label: str = ""
    #: Texts in other languages: {"label::Urdu": "...", "help::Urdu": "..."}.
    translations: dict[str, str] = field(default_factory=dict)
    #: Set on the text question an ``other = true`` question adds: the id of that question.
    generated_from: str | None = None

    @property
    def qtype(self) -> QuestionType:
        return question_types.get(self.type)

    @property
    def choices(self) -> tuple[str, ...]:
        """The choice names, in order (what answers store)."""
        return tuple(c.name for c in self.options)

    def choice(self, name: str) -> Choice | None:
        for c in self.options:
            if c.name == name:
                return c
        return None

    def choice_label(self, name: str, language: str | None = None) -> str:
        """The label of the choice ``name`` (the name itself for one since removed)."""
        c = self.choice(name)
        return c.text(language) if c is not None else str(name)

    def text(self, key: str, language: str | None = None) -> str:
        """One of QUESTION_TEXTS in ``language``, falling back to the default language's."""
        return _translated(self, key, language)

    def clean(self, value: Any) -> Any:
        """Return ``value`` in the form stored for this question, or None for "no answer".

        Raises InvalidValueError with a one-line reason when the value does not fit.
        """
        if value is None:
            return None
        return self.qtype.clean(self, value)

    def as_text(self, value: Any, language: str | None = None) -> str:
        """A stored value as plain words, for the pool, search and printing."""
        if value is None:
            return ""
        return self.qtype.as_text(self, value, language)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str = ""
    questions: tuple[Question, ...] = ()
    #: The section is asked only when this expression over earlier answers is true.
    relevant: str | None = None
    #: {"title::Urdu": "...", "intro::Urdu": "..."}
    translations: dict[str, str] = field(default_factory=dict)

    def text(self, key: str, language: str | None = None) -> str:
        """``title`` or ``intro`` in ``language``, falling back to the default language's."""
        return _translated(self, key, language)


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    description: str
    version: int = 1
    categories: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    #: The official (GSS) code of each area that has one: ``{"Birmingham": "E08000025"}``.
    area_codes: dict[str, str] = field(default_factory=dict)
    #: Whether a new study made from the template offers to pick its areas from the official
    #: lists (fieldkit.areas) instead of taking ``areas`` as they are.
    pick_areas: bool = False
    exclusion_reasons: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = DEFAULT_OUTCOMES
    #: What each outcome means for fieldwork (its disposition code, retry delay, finality).
    outcome_rules: dict[str, OutcomeRule] = field(default_factory=dict)
    #: The "not eligible" disposition code (4.x) of each exclusion reason.
    exclusion_codes: dict[str, str] = field(default_factory=dict)
    flags: tuple[Flag, ...] = ()
    targets: dict[str, int] = field(default_factory=dict)
    themes: tuple[Theme, ...] = ()
    sections: tuple[Section, ...] = ()
    #: The language of the plain texts (``label``); others come from ``label::<language>``.
    default_language: str = DEFAULT_LANGUAGE
    #: Every language the schedule is written in, the default first.
    languages: tuple[str, ...] = (DEFAULT_LANGUAGE,)

    @cached_property
    def logic(self) -> Logic:
        """The schedule's compiled question logic (relevance, constraints, calculations)."""
        from fieldkit.logic import Logic

        return Logic(self)

    def missing_texts(self) -> dict[str, list[str]]:
        """For each language other than the default, the places that have no text in it."""
        missing: dict[str, list[str]] = {}
        for language in self.languages[1:]:
            places: list[str] = []
            for s in self.sections:
                for key in SECTION_TEXTS:
                    if getattr(s, key) and not s.translations.get(f"{key}::{language}"):
                        places.append(f"section '{s.id}' {key}")
                for q in s.questions:
                    if q.generated_from:
                        continue
                    for key in QUESTION_TEXTS:
                        if q.text(key) and not q.translations.get(f"{key}::{language}"):
                            places.append(f"question '{q.id}' {key.replace('_', ' ')}")
                    for c in q.options:
                        if not c.translations.get(language) and not (q.other and c.name == OTHER_CHOICE):
                            places.append(f"question '{q.id}' choice '{c.name}'")
            missing[language] = places
        return missing

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

    def outcome_rule(self, outcome: str) -> OutcomeRule:
        """The rule of an outcome; one no longer in the template is read from its words."""
        rule = self.outcome_rules.get(outcome)
        return rule if rule is not None else guess_outcome(outcome)

    def exclusion_code(self, reason: str | None) -> str:
        """The 4.x disposition code of an exclusion reason (4.90 when none is recorded)."""
        if reason is None:
            return UNKNOWN_EXCLUSION
        code = self.exclusion_codes.get(reason)
        return code if code is not None else guess_exclusion(reason)

    def with_outcome_rule(self, outcome: str, rule: OutcomeRule) -> Template:
        """A copy with ``outcome``'s rule replaced (validated as a template file would be)."""
        if outcome not in self.outcomes:
            raise InvalidValueError(f"'{outcome}' is not one of the attempt outcomes")
        data = self.to_dict()
        data["organisations"]["outcomes"] = [
            rule.as_dict(o) if o == outcome else self.outcome_rule(o).as_dict(o) for o in self.outcomes]
        return _checked(data, source="study template (outcomes)")

    def with_exclusion_code(self, reason: str, code: str) -> Template:
        """A copy with ``reason``'s disposition code replaced (a 4.x code)."""
        if reason not in self.exclusion_reasons:
            raise InvalidValueError(f"'{reason}' is not one of the exclusion reasons")
        data = self.to_dict()
        data["organisations"]["exclusion_reasons"] = [
            {"name": r, "disposition": code if r == reason else self.exclusion_code(r)}
            for r in self.exclusion_reasons]
        return _checked(data, source="study template (exclusion reasons)")

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
        if kind == "outcomes":  # each value keeps its rule (a new one is read from its words)
            data["organisations"][kind] = [self.outcome_rule(v).as_dict(v) for v in values]
        elif kind == "exclusion_reasons":
            data["organisations"][kind] = [{"name": v, "disposition": self.exclusion_code(v)} for v in values]
        else:
            data["organisations"][kind] = list(values)
        if kind == "areas":  # an area that stays keeps its code; one that goes takes it along
            codes = {a: c for a, c in self.area_codes.items() if a in seen}
            data["organisations"].pop("area_codes", None)
            if codes:
                data["organisations"]["area_codes"] = codes
        if kind == "categories":
            data["targets"] = {c: n for c, n in self.targets.items() if c in seen}
        return _checked(data, source=f"study template ({words})")

    def with_renamed_value(self, kind: str, old: str, new: str) -> Template:
        """A copy with ``old`` renamed to ``new`` in place in the vocabulary ``kind`` (and its
        target, for a category)."""
        values = list(self.vocabulary(kind))
        if old not in values:
            raise InvalidValueError(f"'{old}' is not one of the {kind.replace('_', ' ')}")
        values[values.index(old)] = new
        renamed_ = self.with_values(kind, values)
        if kind == "outcomes":
            renamed_ = renamed_.with_outcome_rule(new, self.outcome_rule(old))
        elif kind == "exclusion_reasons":
            renamed_ = renamed_.with_exclusion_code(new, self.exclusion_code(old))
        if kind == "categories" and old in self.targets:
            targets = {new if c == old else c: n for c, n in self.targets.items()}
            renamed_ = renamed_.with_targets(targets)
        if kind == "areas" and old in self.area_codes:
            renamed_ = renamed_.with_coded_areas(
                {a: (self.area_codes[old] if a == new else renamed_.area_codes.get(a)) for a in renamed_.areas})
        return renamed_

    def with_coded_areas(self, areas: dict[str, str | None]) -> Template:
        """A copy whose areas are exactly the keys of ``areas`` (in order), each with its
        official code, or None for one that has none (validated)."""
        data = self.to_dict()
        data["organisations"]["areas"] = list(areas)
        codes = {a: c for a, c in areas.items() if c}
        data["organisations"].pop("area_codes", None)
        if codes:
            data["organisations"]["area_codes"] = codes
        return _checked(data, source="study template (areas)")

    def with_targets(self, targets: dict[str, int]) -> Template:
        """A copy with these targets per category (validated)."""
        data = self.to_dict()
        data["targets"] = dict(targets)
        return _checked(data, source="study template (targets)")

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
        return _checked(data, source="study template (flags)")

    def to_dict(self) -> dict[str, Any]:
        """The template as plain data in the TOML file's shape (what a study stores)."""
        sections = []
        for s in self.sections:
            qs = [question_to_dict(q) for q in s.questions if not q.generated_from]
            sd: dict[str, Any] = {"id": s.id, "title": s.title}
            if s.intro:
                sd["intro"] = s.intro
            if s.relevant:
                sd["relevant"] = s.relevant
            sd.update(sorted(s.translations.items()))
            sd["questions"] = qs
            sections.append(sd)
        head: dict[str, Any] = {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "version": self.version,
        }
        if self.default_language != DEFAULT_LANGUAGE:
            head["default_language"] = self.default_language
        if len(self.languages) > 1:
            head["languages"] = list(self.languages)
        organisations: dict[str, Any] = {
            "categories": list(self.categories),
            "areas": list(self.areas),
            "exclusion_reasons": [{"name": r, "disposition": self.exclusion_code(r)}
                                  for r in self.exclusion_reasons],
            "outcomes": [self.outcome_rule(o).as_dict(o) for o in self.outcomes],
        }
        # Left out when unused, so a template without them stores what it always stored.
        if self.area_codes:
            organisations["area_codes"] = dict(self.area_codes)
        if self.pick_areas:
            organisations["pick_areas"] = True
        return {
            "template": head,
            "organisations": organisations,
            "flags": [{"id": f.id, "label": f.label} for f in self.flags],
            "targets": dict(self.targets),
            "themes": [{"id": t.id, "label": t.label} for t in self.themes],
            "sections": sections,
        }


def question_to_dict(q: Question) -> dict[str, Any]:
    """One question as plain data in the TOML file's shape (defaults left out)."""
    d: dict[str, Any] = {"id": q.id, "type": q.type, "label": q.label}
    for key in ("help", "required_message", "constraint_message", "other_label", "yes_label", "no_label"):
        if getattr(q, key):
            d[key] = getattr(q, key)
    for key in ("required", "anonymous", "other"):
        if getattr(q, key):
            d[key] = True
    for key in ("theme", "flag", "count_by", "relevant", "constraint", "calculation", "choice_filter"):
        if getattr(q, key):
            d[key] = getattr(q, key)
    for key in ("min", "max", "default"):
        if getattr(q, key) is not None:
            d[key] = getattr(q, key)
    d.update(sorted(q.translations.items()))
    options = [c for c in q.options if not (q.other and c.name == OTHER_CHOICE)]
    if options:
        d["choices"] = [choice_to_dict(c) for c in options]
    return d


def choice_to_dict(c: Choice) -> str | dict[str, str]:
    """A choice as plain text when that says everything, else as a table."""
    if c.name == c.label and not c.translations and not c.attributes:
        return c.name
    d = {"name": c.name, "label": c.label}
    d.update({f"label::{lang}": text for lang, text in c.translations.items()})
    d.update(c.attributes)
    return d


def shipped_dir(name: str) -> Path:
    """A top-level folder shipped with fieldkit (``forms``, ``resources``): ``fieldkit/_<name>``
    in an installed wheel (see pyproject.toml's force-include), else ``<name>/`` in a checkout.

    The installed copy is looked for first: installed, the folder beside the package is
    site-packages, where another distribution may have put a ``resources/`` of its own.
    In a frozen app (the PyInstaller bundle of packaging/fieldkit.spec) the folders are unpacked
    at ``fieldkit/_<name>`` below ``sys._MEIPASS``, whatever path the modules themselves report.
    """
    here = Path(__file__).resolve().parent
    candidates = [here / f"_{name}", here.parent / name]
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        candidates.insert(0, Path(bundle) / "fieldkit" / f"_{name}")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return here.parent / name


def forms_dir() -> Path:
    """The folder of shipped templates: ``forms/`` in a checkout, ``fieldkit/_forms`` installed."""
    return shipped_dir("forms")
