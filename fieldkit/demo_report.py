"""The researcher's side of the demo reports: words around the figures, chosen quotations, a cover.

``write(study)`` fills in the regional mapping demo's report the way a researcher would (a
background, aims, the findings of each theme, recommendations with who should act, conclusions,
a few chosen quotations), so the demo shows a report a client can read, not a data annex.
``confidential_study(path)`` builds a second example shaped like a London study in which no
response is attributed: targets against achieved interviews, findings by theme, recommendations
and models of practice. Everything goes through the same core calls the app makes.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path

from fieldkit import quotations
from fieldkit.reports import outline
from fieldkit.study import Study
from fieldkit.templates import find_template

MAPPING_BACKGROUND = """\
The voluntary and community sector in the region is large, varied and mostly small: most groups
have no paid staff and an income of under £10,000 a year. Commissioners and funders had no shared
picture of which organisations support smaller groups, where they work and what they need.

This study set out to map those organisations, to ask each of them about the help they give and
the help they need, and to hear, in confidence, what holds smaller groups back.[^1]

[^1]: The study followed the mapping exercise carried out for the same partnership in 2007.
"""
MAPPING_AIMS = """\
The study had three aims:

1. to identify the organisations that support community groups in the region, by category and area;
2. to describe what they do, who they work with and what holds them back;
3. to recommend what commissioners, funders and infrastructure bodies could do next.
"""
MAPPING_THEMES = {
    "barriers": "Funding was raised in **almost every interview**: short-term, project-based grants leave "
                "groups chasing the next bid instead of doing the work.",
    "group_help": "What groups asked for was practical and local: back-office help shared between groups, "
                  "small grants with simple forms, and somewhere affordable to meet.",
    "commissioning": "Organisations that had moved from grants to contracts described losing smaller "
                     "partners along the way.",
}
MAPPING_RECOMMENDATIONS = (
    ("Set up a small grants fund with a one-page application for groups with no paid staff.",
     "Funders and the council"),
    ("Publish the directory of the {listed} organisations that agreed to be listed, and keep it up to date.",
     "The partnership, with infrastructure bodies"),
    ("Break large contracts into lots that smaller organisations can bid for, with notice of tenders "
     "well before the deadline.", "Commissioners"),
    ("Offer shared back-office support (accounts, payroll, policies) to groups that ask for it.",
     "Infrastructure bodies"),
)
MAPPING_CONCLUSIONS = """\
The {on_database} organisations on the database are the backbone of support for community groups in
the region, and {interviewed} of them gave their time to this study. What they describe is not a
lack of commitment but a lack of stable, simple funding and of somewhere to turn for help with the
paperwork. The recommendations above are small, practical steps that would make a difference quickly.
"""
MAPPING_THANKS = "We thank every organisation that took part, and the partnership's steering group for its advice."


def create_demo(path: str | os.PathLike, **options: object) -> Study:
    """The demo study (``fieldkit.demo.build_demo`` with ``options``) with its report written; open."""
    from fieldkit.demo import build_demo

    study = build_demo(path, **options)  # type: ignore[arg-type]
    try:
        write(study)
    except BaseException:
        study.close()
        raise
    return study


def write(study: Study) -> None:
    """Write the demo's report as a researcher would: texts, recommendations, cover, chosen quotations."""
    themes = {t.id for t in study.template.themes}
    outline.set_text(study, "background", MAPPING_BACKGROUND)
    outline.set_text(study, "aims", MAPPING_AIMS)
    outline.set_text(study, "conclusions", MAPPING_CONCLUSIONS)
    outline.set_text(study, "acknowledgements", MAPPING_THANKS)
    outline.set_heading(study, "comments", "What organisations told us")
    outline.set_text(study, "comments", "Interviewees answered these questions in confidence. Their comments are "
                                        "printed without names, grouped by theme, in an order that does not follow "
                                        "the order of the interviews.")
    for theme, text in MAPPING_THEMES.items():
        if theme in themes:
            outline.set_theme_text(study, theme, text)
    if not outline.recommendations(study):
        for text, who in MAPPING_RECOMMENDATIONS:
            outline.add_recommendation(study, text, who)
    outline.set_cover(study, subtitle="A mapping of community infrastructure",
                      confidentiality="Prepared for the partnership and its members. Not for wider circulation "
                                      "before publication.")
    # Three quotations chosen by hand for the first theme with enough comments; the rest sampled.
    by_theme: dict[str, list[int]] = {}
    for c in study.pool.comments():
        for t in c.themes:
            by_theme.setdefault(t, []).append(c.id)
    for theme, ids in by_theme.items():
        if len(ids) >= 3:
            longest = sorted(ids, key=lambda i: -len(study.pool.get(i).text))[:3]
            quotations.set_chosen(study, theme, longest)
            break


# --- a study shaped like the London report ---------------------------------------------------

LONDON_TITLE = "Knowledge, experience and views of local support"
LONDON_CLIENT = "London Borough of Southwark, Community Engagement Team"
LONDON_AUTHOR = "Northgate Social Research"
LONDON_AREAS = ("Peckham", "Camberwell", "Bermondsey", "Walworth", "Rotherhithe", "Dulwich")
_ANSWERS = {
    "a5": ["Mostly word of mouth, and the lead contact organisation's newsletter.",
           "Email lists from the council, but they go to whoever set up the account years ago.",
           "Facebook groups and other members at the mosque.", "We hear late, usually from another group."],
    "b2": ["The one-to-one help with our constitution was excellent; the training was too general.",
           "We were passed from one service to another and gave up.",
           "The worker who helped us has left and nobody replaced her.",
           "Good when we could get an appointment, but the waiting list was months long."],
    "b4": ["We were asked our views after the decision had been made.",
           "Meetings in the afternoon rule out anyone who works.",
           "It felt like a box-ticking exercise; we never heard what happened next.",
           "The small workshop was better than the big public meeting."],
    "c1": ["Forms written for organisations with a finance officer.", "No premises, so no address to register.",
           "Nobody has time: we are all volunteers with jobs.", "Match funding we cannot find."],
    "c2": ["Papers arrive a week before, in English only.", "We do not know who to ask to be invited.",
           "Partnership boards are full of the same large organisations."],
    "d1": ["Funding for three years, not one.", "One named person at the council who answers emails.",
           "A shared space groups can book for free.", "Simple small grants."],
    "d2": ["Come to us rather than asking us to come to them.", "Tell us what changed because of what we said.",
           "Fund the lead contact organisations properly so they can support us."],
}
LONDON_BACKGROUND = """\
The Community Engagement Team asked for an independent study of how well local organisations know,
use and rate the support, funding and consultation open to them. Because some organisations are
small enough to be recognised from what they say, **no response in this study is attributed**: every
answer was kept apart from the organisation's record from the moment it was given.
"""
LONDON_METHOD = """\
Organisations were identified from the council's grants database, the lead contact organisations'
membership lists and recommendations from those interviewed. Of the {on_database} organisations on
the database, {interviewed} were interviewed by telephone between June and August ({RR1} of those
eligible, AAPOR response rate RR1).

Targets were set for each kind of organisation so that the smaller community groups, who are
hardest to reach, were heard in proportion.

{table:targets}

## How the interviews were run

Each interview took about half an hour and followed the same schedule: knowledge of local support,
experience of it, barriers and suggestions for change.

{table:counts}
"""
LONDON_MODELS = """\
## Models of practice

Three arrangements came up in interviews as working well and are described here so that they can
be copied:

- **A named link officer** for each area, who answers emails and knows the groups by name.
- **Small grants with a one-page form**, decided within a month, for groups with no paid staff.
- **Consultation taken to the groups**: short sessions at existing meetings, in community languages,
  with a note afterwards of what changed.
"""
LONDON_RECOMMENDATIONS = (
    ("Give each area a named link officer for community groups.", "The council"),
    ("Run consultations at groups' own meetings, in the evening, with papers in community languages.",
     "The council and health partners"),
    ("Fund lead contact organisations for three years, with a duty to pass information on.", "Funders"),
    ("Report back to every group consulted on what changed as a result.", "All public bodies"),
)


def confidential_study(path: str | os.PathLike, *, seed: int = 2007, organisations: int = 70,
                       today: dt.date | None = None) -> Study:
    """A study in which no response is attributed, with its report written; returned open."""
    rng = random.Random(seed)
    template = find_template("confidential-interview").with_values("areas", LONDON_AREAS)
    study = Study.create(Path(path), template, title=LONDON_TITLE, client=LONDON_CLIENT, author=LONDON_AUTHOR)
    categories = list(template.categories)
    weights = [5, 2, 2, 1.2, 0.8][:len(categories)]
    questions = [q for q in template.questions()]
    day = (today or dt.date(2007, 8, 31)) - dt.timedelta(days=80)
    for n in range(organisations):
        category = rng.choices(categories, weights)[0]
        org = study.organisations.add(f"{rng.choice(LONDON_AREAS)} {category.split()[0]} organisation {n + 1}",
                                      category=category, area=rng.choice(LONDON_AREAS))
        roll = rng.random()
        if roll < 0.62:
            date = (day + dt.timedelta(days=rng.randrange(70))).isoformat()
            session = study.interviews.start(org, date=date)
            for q in questions:
                if q.type == "scale":
                    session.save_answer(q.id, rng.choice(q.choices))
                elif q.type == "yes_no":
                    session.save_answer(q.id, rng.random() < 0.55)
                elif q.id in _ANSWERS and rng.random() < 0.85:
                    session.save_answer(q.id, rng.choice(_ANSWERS[q.id]))
            session.complete()
            session.close()
        elif roll < 0.75:
            study.attempts.log(org, outcome="No answer")
        elif roll < 0.85:
            study.organisations.set_status(org, "declined")
    study.held.move_now()  # the end of fieldwork
    outline.set_cover(study, subtitle="A confidential study of local organisations", date="October 2007",
                      confidentiality="No response in this report is attributed to any organisation or person.")
    outline.set_text(study, "background", LONDON_BACKGROUND)
    outline.set_text(study, "method", LONDON_METHOD)
    outline.set_heading(study, "comments", "Findings")
    outline.set_text(study, "comments", "What organisations said, by theme. Nothing here is attributed.")
    outline.set_theme_text(study, "barriers", "Time, paperwork and premises were the barriers named most often.")
    outline.set_text(study, "appendices", LONDON_MODELS)
    for text, who in LONDON_RECOMMENDATIONS:
        outline.add_recommendation(study, text, who)
    # The method places the targets table itself ({table:targets}).
    outline.set_order(study, ["background", "method", "crosstabs", "comments", "recommendations", "appendices"])
    for key in ("tables", "targets", "dispositions", "directory", "aims", "conclusions", "acknowledgements"):
        outline.set_included(study, key, False)
    return study
