"""The shipped user guide (fieldkit.user_guide): found, its pictures beside it, its sections named as on GitHub."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fieldkit import user_guide
from fieldkit.errors import NotFoundError

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


@pytest.mark.parametrize(("heading", "anchor"), [
    ("2. Find the organisations", "2-find-the-organisations"),
    ("What is left out, and why", "what-is-left-out-and-why"),
    ("Step by step: File ▸ Import…", "step-by-step-file--import"),
    ("Importing from Microsoft Access (.mdb, .accdb)", "importing-from-microsoft-access-mdb-accdb"),
    ("10. Personal data: access, erasure and retention", "10-personal-data-access-erasure-and-retention"),
    ("manifest.json", "manifestjson"),
    ("snake_case and hy-phen", "snake_case-and-hy-phen"),
    ("Ça va — déjà", "ça-va--déjà"),
])
def test_heading_anchors_are_named_as_github_names_them(heading: str, anchor: str):
    assert user_guide.heading_anchor(heading) == anchor


def test_a_heading_repeated_on_a_page_gets_a_number():
    assert user_guide.heading_anchors(["Notes", "Other", "Notes", "Notes"]) == ["notes", "other", "notes-1", "notes-2"]


def test_the_guide_is_found_in_a_checkout():
    assert user_guide.guide_path() == DOCS / "guide.md"


def test_a_missing_guide_is_said_in_one_line(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(user_guide, "docs_dir", lambda: tmp_path)
    with pytest.raises(NotFoundError) as caught:
        user_guide.guide_path()
    message = str(caught.value)
    assert "user guide" in message and str(tmp_path / "guide.md") in message and "\n" not in message


def test_every_picture_the_guide_shows_is_shipped_beside_it():
    shown = user_guide.images((DOCS / "guide.md").read_text(encoding="utf-8"))
    assert len(shown) >= 5
    assert all(p.startswith("screenshots/") for p in shown)
    missing = [p for p in shown if not (DOCS / p).is_file()]
    assert missing == []
    assert user_guide.images("![a](http://example.org/x.png) ![b](<pics/b.png> \"B\")") == ["pics/b.png"]


def _headings(markdown: str) -> list[str]:
    """ATX headings outside code blocks, their inline marks dropped (as a renderer shows them)."""
    out, fenced = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)):
            out.append(re.sub(r"[`*]", "", m.group(1)))
    return out


def test_every_link_to_a_section_of_the_docs_lands_on_a_heading():
    """A renamed heading breaks the links to it, in the app as on the web: every ``page.md#name``
    and ``#name`` link among the docs the guide shows names a heading of its page."""
    checked = 0
    for page in sorted(DOCS.glob("*.md")):
        for target, name in re.findall(r"\]\(([^)#\s]*)#([^)\s]+)\)", page.read_text(encoding="utf-8")):
            linked = (page.parent / target).resolve() if target else page
            if not linked.is_file() or linked.suffix != ".md":
                continue
            anchors = user_guide.heading_anchors(_headings(linked.read_text(encoding="utf-8")))
            assert name in anchors, (page.name, target, name)
            checked += 1
    assert checked >= 4
