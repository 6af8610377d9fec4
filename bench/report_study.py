"""The study the report benchmarks lay out: the demo, with its report written as ``fieldkit demo``
writes it but with no quotations chosen (so a report can print every comment), and its pool
topped up to a number of comments (each a demo comment with a number after it, so no two are
the same)."""

from __future__ import annotations

import random
from pathlib import Path


def report_study(path: Path, *, organisations: int, comments: int = 0):
    """The demo study at ``path`` with ``organisations`` and at least ``comments`` pooled; open."""
    from fieldkit.demo_report import create_demo

    from fieldkit import quotations

    study = create_demo(path, organisations=organisations)
    for theme in quotations.chosen(study):  # no choice: a theme prints as many as it is asked to
        quotations.set_chosen(study, theme, [])
    rng = random.Random(3)
    texts = [c.text for c in study.pool.comments()]
    anonymous = [q for q in study.template.questions() if q.anonymous and q.type == "long_text"]
    if study.pool.count() < comments:
        with study.transaction():
            while study.pool.count() < comments:
                study.pool.add(rng.choice(anonymous), rng.choice(texts) + f" ({rng.randrange(10**6)})")
            study.pool.rewrite()
    return study
