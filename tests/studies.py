"""Fixtures that build studies through the real creation path (``Study.create``).

Registered from conftest.py with ``pytest_plugins``. There is one schema source: no test
writes its own CREATE TABLE.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from fieldkit.study import Study
from fieldkit.template_toml import find_template, template_from_dict
from fieldkit.templates import Template

#: A small template with every question type, named and anonymous, for precise tests.
SMALL_TEMPLATE = {
    "template": {"name": "small", "title": "Small test study", "description": "For tests."},
    "organisations": {
        "categories": ["Network", "Infrastructure", "Access point"],
        "areas": ["Birmingham", "Coventry", "Regional"],
        "exclusion_reasons": ["Outside the region", "Closed down"],
        "outcomes": ["No answer", "Left a message", "Call back requested", "Interview arranged"],
    },
    "flags": [{"id": "invite", "label": "Invite to the launch"}],
    "targets": {"Network": 4, "Infrastructure": 2},
    "themes": [
        {"id": "barriers", "label": "Barriers"},
        {"id": "help", "label": "What would help"},
    ],
    "sections": [
        {
            "id": "A",
            "title": "About you",
            "questions": [
                {"id": "role", "type": "short_text", "label": "Your role", "required": True},
                {"id": "story", "type": "long_text", "label": "Tell us about the organisation"},
                {"id": "size", "type": "single_choice", "label": "Size", "choices": ["Small", "Medium", "Large"],
                 "required": True},
                {"id": "work", "type": "multiple_choice", "label": "Areas of work",
                 "choices": ["Advice", "Youth", "Health"]},
                {"id": "board", "type": "yes_no", "label": "On a partnership board?"},
                {"id": "informed", "type": "scale", "label": "How informed",
                 "choices": ["Not at all", "A little", "Very"]},
                {"id": "staff", "type": "number", "label": "Paid staff", "min": 0},
                {"id": "founded", "type": "date", "label": "Founded"},
                {"id": "listing", "type": "yes_no", "label": "May we list you?", "flag": "permission_to_list"},
            ],
        },
        {
            "id": "B",
            "title": "The wider sector",
            "questions": [
                {"id": "sector_barriers", "type": "long_text", "label": "What holds small groups back?",
                 "anonymous": True, "theme": "barriers", "required": True},
                {"id": "sector_help", "type": "long_text", "label": "What would help them?",
                 "anonymous": True, "theme": "help"},
                {"id": "sector_engaged", "type": "scale", "label": "How engaged are small groups?",
                 "anonymous": True, "choices": ["Low", "Medium", "High"]},
            ],
        },
    ],
}


def small_template() -> Template:
    return template_from_dict(SMALL_TEMPLATE, source="small test template")


@pytest.fixture
def small_study(tmp_path: Path):
    study = Study.create(tmp_path / "small.fieldkit", small_template(), title="Small study")
    yield study
    study.close()


#: A West Midlands study's areas. The shipped regional-mapping template names no region and
#: has none: each study fills in its own (Study settings ▸ Vocabularies).
WEST_MIDLANDS_AREAS = (
    "Birmingham", "Coventry", "Wolverhampton", "Dudley", "Sandwell", "Solihull", "Walsall",
    "Stoke-on-Trent", "Herefordshire", "Shropshire", "Staffordshire", "Warwickshire",
    "Worcestershire", "Regional", "National",
)


def mapping_template() -> Template:
    """The shipped regional-mapping template with a West Midlands study's areas filled in."""
    return find_template("regional-mapping").with_values("areas", WEST_MIDLANDS_AREAS)


@pytest.fixture
def mapping_study(tmp_path: Path):
    """A regional-mapping study of the West Midlands (with its areas), open."""
    study = Study.create(tmp_path / "mapping.fieldkit", mapping_template())
    yield study
    study.close()


def pool_now(study: Study, *sessions) -> None:
    """Finish ``sessions`` and move every held anonymous answer into the pool at once, as the
    researcher's "Move to the pool now" does at the end of fieldwork (tests with fewer than
    k interviews that look at the pool)."""
    for session in sessions:
        session.complete()
    study.held.move_now()


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
