"""The user guide shipped with fieldkit (docs/guide.md): where it is, and how its sections are named.

The guide is read offline inside the app (Help ▸ User guide). It is found as the other shipped
folders are (``fieldkit.templates.shipped_dir``): ``docs/`` in a checkout, ``fieldkit/_docs``
in the desktop bundle (packaging/bundle_layout.py puts it there with its screenshots and the
pages it links to).

Links between sections are written as GitHub names headings (``[…](#what-is-left-out-and-why)``),
so the same Markdown works on the web and in the app: ``heading_anchors`` names them alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from fieldkit.errors import NotFoundError
from fieldkit.templates import shipped_dir

GUIDE = "guide.md"

# Markdown images: ![alt](path "title"), the path up to a space or the closing bracket.
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?")


def docs_dir() -> Path:
    """The shipped documentation: ``docs/`` in a checkout, ``fieldkit/_docs`` in the bundle."""
    return shipped_dir("docs")


def guide_path() -> Path:
    """The user guide's file; NotFoundError, in one line, when this copy of fieldkit has none."""
    path = docs_dir() / GUIDE
    if not path.is_file():
        raise NotFoundError(f"The user guide is not included with this copy of fieldkit: {path} is missing.")
    return path


def heading_anchor(text: str) -> str:
    """The name GitHub gives a heading's anchor: lower case, punctuation dropped, spaces as hyphens
    ("2. Find the organisations" is ``2-find-the-organisations``)."""
    kept = "".join(c for c in text.strip().lower()
                   if c in " -_" or unicodedata.category(c)[0] in "LNM")
    return kept.replace(" ", "-")


def heading_anchors(headings: Iterable[str]) -> list[str]:
    """The anchor of each heading of one page, in order; a name used before gets ``-1``, ``-2``…"""
    seen: dict[str, int] = {}
    out = []
    for text in headings:
        name = heading_anchor(text)
        if name in seen:
            seen[name] += 1
            name = f"{name}-{seen[name]}"
        seen.setdefault(name, 0)
        out.append(name)
    return out


def images(markdown: str) -> list[str]:
    """The relative paths of the images a Markdown page shows (web addresses left out)."""
    return [p for p in _IMAGE.findall(markdown) if "://" not in p]
