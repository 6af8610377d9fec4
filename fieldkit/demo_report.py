"""The researcher's side of the demo reports: words around the figures, chosen quotations, a cover.

``write(study)`` fills in the regional mapping demo's report the way a researcher would (a
background, aims, the findings of each theme, recommendations with who should act, conclusions,
chosen quotations), so the demo shows a report a client can read, not a data annex.
``confidential_study(path)`` builds a second example shaped like a London study in which no
response is attributed: targets against achieved interviews, findings by theme, recommendations
and models of practice. Everything goes through the same core calls the app makes.

The figures the texts quote are either live figures (``{interviewed}``), filled in whenever the
report is made, or, for answers to a question, read from the tables of answers as the report
prints them when the text is written: a figure the tables hide as a small number is never quoted.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
from collections.abc import Sequence
from pathlib import Path

from fieldkit import quotations, summary
from fieldkit.reports import outline
from fieldkit.study import Study
from fieldkit.template_toml import find_template

# --- reading the tables of answers, choosing quotations ------------------------------------------


class _Answers:
    """The tables of answers as the report prints them (small numbers hidden), to quote from."""

    def __init__(self, study: Study):
        from fieldkit.reports.data import ReportOptions, build_report_data

        data = build_report_data(study, ReportOptions(sections=("crosstabs",)))
        self.tables = {t.question_id: t for t in data.crosstabs}

    def count(self, question: str, *answers: str) -> tuple[int, int] | None:
        """How many gave any of ``answers`` (added up) and how many answered, both as printed
        in the table's total column; None when the table is missing or hides either."""
        table = self.tables.get(question)
        if table is None or table.total.base_count is None:
            return None
        n = 0
        for answer in answers:
            if answer not in table.choices:
                return None
            shown = table.total.counts[table.choices.index(answer)]
            if shown is None:
                return None
            n += shown
        return n, table.total.base_count

    def ranked(self, question: str, *, leave_out: Sequence[str] = ()) -> list[tuple[str, int]]:
        """The answers printed with a count, most often given first (ties in the schedule's order)."""
        table = self.tables.get(question)
        if table is None:
            return []
        shown = [(c, n) for c, n in zip(table.choices, table.total.counts, strict=True)
                 if n is not None and c not in leave_out]
        return sorted(shown, key=lambda item: -item[1])


def reflow(markdown: str) -> str:
    """Markdown as a researcher types it in the editor: each paragraph on one line (the texts
    here are wrapped to fit the source), lists, headings, quotations and tables left as they are."""
    blocks = []
    for block in markdown.strip().split("\n\n"):
        lines = block.split("\n")
        structured = any(re.match(r"\s*([-*>|#]|\d+\.|\[\^)", line) for line in lines)
        blocks.append(block if structured else " ".join(line.strip() for line in lines))
    return "\n\n".join(blocks) + "\n"


def _set_text(study: Study, key: str, markdown: str) -> None:
    outline.set_text(study, key, reflow(markdown))


def _share(found: tuple[int, int] | None, of: str = "organisations interviewed") -> str | None:
    """"27 of the 35 organisations interviewed (77%)", or None without a figure to quote."""
    if found is None or not found[1]:
        return None
    n, base = found
    return f"{n} of the {base} {of} ({summary.percent_text(summary.percent(n, base), base)})"


def _of(found: tuple[int, int] | None, of: str = "organisations interviewed") -> str | None:
    """"Of the 35 organisations interviewed, 21 (60%)", or None without a figure to quote."""
    if found is None or not found[1]:
        return None
    n, base = found
    return f"Of the {base} {of}, {n} ({summary.percent_text(summary.percent(n, base), base)})"


def _per_cent(found: tuple[int, int] | None) -> str | None:
    if found is None or not found[1]:
        return None
    return summary.percent_text(summary.percent(found[0], found[1]), found[1])


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:]


def _sentences(text: str, lead_ins: Sequence[str]) -> list[str]:
    """The sentences of a comment, lower case and without a spoken lead-in ("Honestly, "), so
    that the same point made twice is recognised."""
    out = []
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        s = sentence.strip().casefold()
        for lead in lead_ins:
            if s.startswith(lead.casefold()):
                s = s[len(lead):]
        if s:
            out.append(s)
    return out


def choose_quotations(study: Study, per_theme: int = 4, *, lead_ins: Sequence[str] = (),
                      fillers: Sequence[str] = ()) -> None:
    """Choose, for every theme with comments, up to ``per_theme`` quotations as a researcher
    would: no point made twice (two comments sharing a sentence are not both quoted), none that
    trails off into a stock phrase (``fillers``: "I see it every week."), each of the theme's
    questions in turn, the fuller comments first. Chosen by their words, so the same study
    always gives the same quotations."""
    from fieldkit.reports.data import text_comments

    stock = {f.strip().casefold() for f in fillers}
    order = {q.id: i for i, q in enumerate(study.template.questions())}
    by_theme: dict[str, dict[str, list]] = {}
    for c in text_comments(study):
        for theme in c.themes:
            by_theme.setdefault(theme, {}).setdefault(c.question_id, []).append(c)
    for theme, by_question in by_theme.items():
        queues = []
        for qid in sorted(by_question, key=lambda q: order.get(q, len(order))):
            comments = by_question[qid]
            comments.sort(key=lambda c: (-len(_sentences(c.text, lead_ins)), -len(c.text), c.text))
            queues.append(comments)
        used: set[str] = set()
        picked: list[int] = []
        while len(picked) < per_theme and any(queues):
            for queue in queues:
                while queue:
                    c = queue.pop(0)
                    said = set(_sentences(c.text, lead_ins))
                    if said and not said & (used | stock) and len(c.text) <= 320:
                        used |= said
                        picked.append(c.id)
                        break
                if len(picked) >= per_theme:
                    break
        if picked:
            quotations.set_chosen(study, theme, picked)


# --- the regional mapping demo ---------------------------------------------------------------

MAPPING_SUBTITLE = "Interim report on the mapping of community infrastructure"
MAPPING_CONFIDENTIALITY = ("Interim report for the partnership and its members. Not for wider circulation "
                           "before the final report is published.")
MAPPING_BACKGROUND = """\
Community groups in the West Midlands range from faith and heritage groups run by a handful of
volunteers to established charities with paid staff. Most of the smaller ones depend on a layer of
support organisations (councils for voluntary service, BME networks, and the organisations that act
as a way in to particular communities) for advice, information, training and a voice with
decision-makers.

The West Midlands Voluntary Sector Partnership commissioned this study because commissioners and
funders had no shared picture of those support organisations: who they are, where they work, whom
they serve and what holds them back. The last mapping of this kind was carried out in 2007,[^1] and
much has changed since. Funding has moved from grants towards contracts, several infrastructure
bodies have merged or closed, and new communities have settled in the region.

This report sets out what we have found so far. It is written for the partnership's members and for
the commissioners and funders who will act on its recommendations.

[^1]: The 2007 mapping covered Birmingham and the Black Country only; this study covers the whole region.
"""
MAPPING_AIMS = """\
The study has four aims:

1. to identify the organisations that support community groups in the region, and to record them by
   category and by area;
2. to find out what they do, whom they work with and what holds them back;
3. to hear, in confidence, what they see of smaller community groups: the barriers those groups face
   and what would help them;
4. to recommend practical steps for commissioners, funders and infrastructure bodies.

A directory of the organisations that agreed to be listed is at the end of the report.
"""
MAPPING_FINDINGS_INTRO = """\
This chapter brings together what the {interviewed} organisations interviewed told us. The first
themes draw on their answers about their own work, shown in full in the tables of answers by
category. The rest draw on what they told us about smaller community groups and about commissioning.
Those answers were given in confidence: they are kept apart from the organisation's record, and the
quotations are printed without names, in an order that does not follow the order of the interviews.
"""
MAPPING_GROUP_THEMES = {
    "group_barriers": "Interviewees described groups run by volunteers in their spare time and held back "
                      "less by a lack of commitment than by paperwork written for organisations with "
                      "paid staff: application forms, compliance, bank accounts and constitutions. "
                      "Short-term, project-based funding and the loss of affordable meeting places came "
                      "up again and again.",
    "group_engagement": "Smaller groups take part when meetings are arranged around volunteers' lives, "
                        "when there is a person they trust at the other end, and when there is something "
                        "concrete to decide. Afternoon meetings in the council house, papers in jargon and "
                        "agendas set in advance keep them away.",
    "group_help": "What interviewees asked for was practical and local: small grants with simple forms, "
                  "core funding for rent and a coordinator, a shared back office, help with governance, "
                  "and somewhere affordable to meet.",
    "commissioning": "Organisations that had moved from grants to contracts described losing smaller "
                     "partners along the way: large lots, payment in arrears and monitoring out of "
                     "proportion to the contract's value. Where commissioning had worked, the commissioner "
                     "had taken time to understand the community.",
}
MAPPING_RECOMMENDATIONS_INTRO = "Our recommendations follow from what organisations told us. Each names who should act."
MAPPING_RECOMMENDATIONS = (
    (("Set up a small grants fund, with a one-page application and decisions within a month, for groups "
      "with no paid staff."), "Funders and the council"),
    (("Fund core costs (rent, telephone, a part-time coordinator) for at least three years, not only "
      "projects."), "Funders"),
    (("Offer a shared back office (accounts, payroll, policies) and help with governance to the groups "
      "that ask for it."), "Infrastructure bodies"),
    (("Break large contracts into lots that smaller organisations and consortia can bid for, give at "
      "least eight weeks' notice of tenders, and keep monitoring in proportion to the contract's value."),
     "Commissioners"),
    (("Hold partnership and consultation meetings in the evening, in community venues, with papers sent "
      "a week ahead in plain English and interpreters where needed."), "The council and health partners"),
    ("Publish the directory of the {listed} organisations that agreed to be listed, and keep it up to date.",
     "The partnership, with infrastructure bodies"),
)
MAPPING_CONCLUSIONS = """\
The {on_database} organisations on the database are the backbone of support for community groups in
the region, and {interviewed} of them gave their time to this study. What they describe is not a lack
of commitment but a lack of stable, simple funding, of affordable premises and of someone to turn to
for help with the paperwork. Smaller groups, in their account, will take part in local
decision-making when meetings are arranged around volunteers' lives and when they can see what
changed as a result.

None of the recommendations needs a new programme. Most ask funders, commissioners and the council to
do what they already do in a way that smaller groups can use.

This is an interim report: fieldwork with {not_final} organisations was still going on when it was
written, and the final report will bring the figures up to date.
"""
MAPPING_THANKS = ("We are grateful to everyone who gave up their time to be interviewed, often around other "
                  "commitments, and to the partnership's steering group for its advice throughout. Any errors "
                  "are ours.")


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


def _mapping_themes(answers: _Answers) -> dict[str, str]:
    """The write-ups of the themes answered on the record, with the figures of the tables."""
    out = {}
    funding = _share(answers.count("b2", "Somewhat", "Very much"))
    recognition = _per_cent(answers.count("b4", "Somewhat", "Very much"))
    premises = _per_cent(answers.count("b5", "No"))
    words = []
    if funding:
        words.append(f"Finding funding is the barrier that weighs most: {funding} said it holds them back "
                     "somewhat or very much"
                     + (f", and {recognition} said the same of a lack of recognition from funders and public "
                        "bodies." if recognition else "."))
    else:
        words.append("Finding funding was the barrier raised most often.")
    if premises:
        words.append(f"Premises are the other pressure: {premises} of those who answered have no suitable "
                     "premises they can afford.")
    out["barriers"] = " ".join(words)

    supported = _of(answers.count("b6", "Yes"))
    wanted = answers.ranked("b7", leave_out=("Other",))[:3]
    words = []
    if supported:
        words.append(f"{supported} had support from another infrastructure body "
                     "in the last year.")
    if len(wanted) >= 2:
        listed = [f"{_lower_first(label)} ({n})" for label, n in wanted]
        words.append("Asked which kinds of support would be most useful now, they chose "
                     + ", ".join(listed[:-1]) + f" and {listed[-1]} most often.")
    if words:
        out["needs"] = " ".join(words)

    uninformed = _of(answers.count("c1", "Not at all informed", "Slightly informed"))
    board = _per_cent(answers.count("c2", "Yes"))
    if uninformed:
        out["partnerships"] = (f"{uninformed} feel not at all or only slightly "
                               "informed about the strategic partnerships that affect their work"
                               + (f"; {board} have someone on a partnership board." if board else "."))
    engaged = answers.ranked("d2")
    table = answers.tables.get("d2")
    if engaged and table is not None and table.total.base_count:
        label, n = engaged[0]
        out["group_engagement"] = (f"Asked how engaged smaller groups are with the wider sector and with local "
                                   f"decision-making, the answer given most often was "
                                   f"\u201c{_lower_first(label)}\u201d "
                                   f"({n} of the {table.total.base_count} who answered). "
                                   + MAPPING_GROUP_THEMES["group_engagement"])
    return out


def write(study: Study) -> None:
    """Write the demo's report as a researcher would: texts, recommendations, cover, chosen quotations."""
    from fieldkit.demo import CLOSERS, OPENERS

    themes = {t.id for t in study.template.themes}
    _set_text(study, "background", MAPPING_BACKGROUND)
    _set_text(study, "aims", MAPPING_AIMS)
    _set_text(study, "conclusions", MAPPING_CONCLUSIONS)
    _set_text(study, "acknowledgements", MAPPING_THANKS)
    outline.set_heading(study, "comments", "What organisations told us")
    _set_text(study, "comments", MAPPING_FINDINGS_INTRO)
    written = {**MAPPING_GROUP_THEMES, **_mapping_themes(_Answers(study))}
    for theme, text in written.items():
        if theme in themes:
            outline.set_theme_text(study, theme, reflow(text))
    _set_text(study, "recommendations", MAPPING_RECOMMENDATIONS_INTRO)
    if not outline.recommendations(study):
        for text, who in MAPPING_RECOMMENDATIONS:
            outline.add_recommendation(study, text, who)
    outline.set_cover(study, subtitle=MAPPING_SUBTITLE, confidentiality=MAPPING_CONFIDENTIALITY)
    choose_quotations(study, 4, lead_ins=OPENERS, fillers=CLOSERS)


# --- a study shaped like the London report ---------------------------------------------------

LONDON_TITLE = "Knowledge, experience and views of local support"
LONDON_CLIENT = "London Borough of Southwark, Community Engagement Team"
LONDON_AUTHOR = "Northgate Social Research"
LONDON_AREAS = ("Peckham", "Camberwell", "Bermondsey", "Walworth", "Rotherhithe", "Dulwich")
#: How the answers to each scale lean (weights of its choices, lowest first); others: evenly.
_SCALE_WEIGHTS = {"a1": (2, 3, 3, 2), "a2": (3, 3, 2, 1), "a3": (4, 3, 2, 1), "a4": (3, 3, 2, 2)}
#: How often each yes/no question is answered yes.
_YES = {"b1": 0.6, "b3": 0.45}
_ANSWERS = {
    "a5": ["Mostly word of mouth, and the lead contact organisation's newsletter when it arrives.",
           "The council's email list, but it goes to whoever set up the account years ago.",
           "WhatsApp groups, and other members at the mosque.",
           "Usually late, and usually from another group rather than from the council.",
           "The library noticeboard and the community centre. We are not on any list that I know of.",
           "Our vicar hears about things at the deanery and passes them on.",
           "The volunteer centre's bulletin is the one thing that reaches us regularly.",
           "If it is not on Facebook, most of our members will never see it."],
    "b2": [("The one-to-one help with our constitution was excellent; the training courses were too general "
            "to be of use."),
           "We were passed from one service to another and in the end we gave up.",
           "The development worker who helped us has left and nobody has replaced her.",
           "Good when we could get an appointment, but the waiting list was months long.",
           "The funding advice surgery got us our first grant. We would not have applied without it.",
           "Everything is online now, and half our committee does not use email.",
           "They were helpful, but they kept pointing us to funds we were not eligible for.",
           "We have not used any. Nobody told us they existed."],
    "b4": ["We were asked for our views after the decision had been made.",
           "Meetings in the afternoon rule out anyone who works.",
           "It felt like a box-ticking exercise; we never heard what happened next.",
           "The small workshop was far better than the big public meeting. People actually spoke.",
           "We were consulted three times on the same plan by three different departments.",
           "The questionnaire was forty pages long and only in English.",
           "For once the officer came back and told us what had changed. It made all the difference."],
    "c1": ["Application forms are written for organisations with a finance officer.",
           "We have no premises, so we have no address to register with half the funders.",
           "Nobody has time: we are all volunteers with jobs and families.",
           "Match funding, which we simply cannot find.",
           "Every funder wants something new. Nobody will pay to keep a good thing going.",
           "The eligibility rules change every year and nobody tells us.",
           "Our accounts are simple, but funders ask for audited accounts we cannot afford."],
    "c2": ["Papers arrive a week before the meeting, in English only.",
           "We do not know whom to ask to be invited.",
           "Partnership boards are full of the same large organisations.",
           "The jargon. Half the meeting is acronyms.",
           "We cannot send someone in working hours without closing the project for the day.",
           "We went for two years and nothing changed, so we stopped going."],
    "d1": ["Funding for three years, not one.",
           "One named person at the council who answers emails.",
           "A shared space that groups can book for free.",
           "Simple small grants, decided quickly.",
           "Being told what happened after we gave our views.",
           "Help with the paperwork from someone who understands small groups."],
    "d2": ["Come to us rather than asking us to come to them.",
           "Tell us what changed because of what we said.",
           "Fund the lead contact organisations properly so that they can support us.",
           "Talk to each other. We get the same questions from three departments.",
           "Translate the key documents into the main community languages.",
           "Hold meetings in the evening, and pay travel and childcare for volunteers."],
}
LONDON_SUBTITLE = "A confidential study of local organisations"
LONDON_DATE = "October 2007"
LONDON_CONFIDENTIALITY = "No response in this report is attributed to any organisation or person."
LONDON_BACKGROUND = """\
Southwark's community organisations range from tenants' and residents' associations and faith groups
to the lead contact organisations funded to support others. The council's Community Engagement Team
asked for an independent study of how well these organisations know, use and rate the support,
funding and consultation open to them, so that its new engagement strategy could be built on their
experience rather than on assumptions.

Because many of the organisations are small enough to be recognised from what they say, **no
response in this study is attributed**. Every answer was kept apart from the organisation's record
from the moment it was given; answers are counted by kind of organisation only where enough of that
kind were interviewed, and the quotations are printed without names.

The report describes how the study was done, what organisations told us under four themes
(knowledge and awareness, experience of support and consultation, barriers, and suggestions for
change) and what we recommend. An appendix describes three models of practice that interviewees
said work well.
"""
LONDON_METHOD = """\
Organisations were identified from the council's grants database, the membership lists of the lead
contact organisations and suggestions from those interviewed: {identified} in all, of which
{on_database} remained on the database once those outside the study's scope ({excluded}) were set
aside. Between FIELDWORK, {interviewed} of them were interviewed by telephone, {complete} in full
and {partial} in part; {declined} declined to take part and {not_reached} could not be reached
despite repeated calls.

{table:counts}

Every interview followed the same schedule: knowledge of local support, experience of it, barriers,
and suggestions for change. The median interview took {median_minutes} minutes. The response rate
(AAPOR RR1: complete interviews as a share of all eligible organisations and those whose eligibility
is unknown) was {RR1}; the cooperation rate (COOP1: complete interviews as a share of the eligible
organisations contacted) was {COOP1}.

## Targets and interviews achieved

Targets were set for each kind of organisation, so that the smaller community groups, who are the
hardest to reach, would be heard in proportion to their number. TARGETS_MET

TARGETS
"""
LONDON_FINDINGS_INTRO = """\
What organisations said, by theme. Nothing here is attributed: the figures are those of the tables of
answers, and the quotations are printed without names, in an order that does not follow the order of
the interviews.
"""
_KNOWLEDGE = {"a1": "the local support services open to them", "a2": "funding opportunities",
              "a3": "how the council and other public bodies consult local organisations",
              "a4": "the local networks and forums they could join"}
LONDON_THEMES = {
    "awareness": "Most organisations hear about support, funding and consultations by word of mouth, "
                 "through a lead contact organisation or from another group, and often too late to act.",
    "experience": "Where support was personal and sustained it was valued highly; where it depended on one "
                  "worker, it ended when that worker left. Consultation was too often a meeting in working "
                  "hours about a decision already made, with no word afterwards of what had changed.",
    "barriers": "The barriers interviewees named were the time volunteers have, paperwork designed for "
                "organisations with paid staff, and the lack of premises. Meetings held in working hours, "
                "in jargon and dominated by the same large organisations keep smaller groups out of "
                "consultations and partnerships.",
    "suggestions": "The changes asked for were modest: longer funding, a named person at the council, simple "
                   "small grants, and being told what happened to the views they gave.",
}
LONDON_MODELS = """\
Three arrangements came up in interviews as working well. They are described here so that they can
be adopted elsewhere in the borough; none is attributed to the organisation or the area that
described it.

## A named link officer

One officer for each area, who answers emails and knows the groups by name. Interviewees contrasted
this with being passed from one service to another. Where a link officer was in post, groups heard
about funding and consultations in time to act, and had someone to ask when a form did not fit their
circumstances. The arrangement depends on the post being filled: where the officer left and was not
replaced, the contact was lost.

## Small grants with a one-page form

Grants of a few hundred pounds, applied for on a single page and decided within a month, for groups
with no paid staff. They reach groups that cannot meet the demands of larger funds (audited
accounts, match funding, a registered address), and a first small grant can be the start of a
group's record with funders.

## Consultation taken to the groups

Short sessions at groups' existing meetings, in the evening and in community languages, followed by
a note of what changed as a result. Interviewees found small workshops of this kind far more useful
than large public meetings, and the note afterwards was what persuaded them that taking part was
worth their time.
"""
LONDON_RECOMMENDATIONS_INTRO = "Our recommendations follow from what organisations told us. Each names who should act."
LONDON_RECOMMENDATIONS = (
    ("Give each area a named link officer for community groups, who answers emails within a week.",
     "The council"),
    (("Run consultations at groups' own meetings, in the evening, with papers sent two weeks ahead in the "
      "main community languages."), "The council and health partners"),
    ("Co-ordinate consultations across departments, so that groups are not asked the same questions twice.",
     "The council"),
    ("Fund lead contact organisations for three years, with a duty to pass information on to smaller groups.",
     "Funders and the council"),
    ("Offer small grants with a one-page form, decided within a month, for groups with no paid staff.",
     "Funders"),
    ("Report back to every group consulted on what changed as a result.", "All public bodies"),
)


def _weekdays(start: dt.date, end: dt.date) -> list[dt.date]:
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    return [d for d in days if d.weekday() < 5]


def _at(rng: random.Random, day: dt.date) -> dt.datetime:
    """A moment in office hours on ``day``, to the quarter hour."""
    return dt.datetime.combine(day, dt.time(9, 30)) + dt.timedelta(minutes=15 * rng.randrange(27))


def _month_range(first: dt.date, last: dt.date) -> str:
    """ "June and August 2007"; "May 2007 and January 2008"."""
    if first.year == last.year:
        return f"{first:%B} and {last:%B %Y}"
    return f"{first:%B %Y} and {last:%B %Y}"


def _targets_table(study: Study) -> str:
    """Target and achieved for each category with a target, in Markdown with live figures."""
    targets = study.template.targets
    rows = [c for c in study.template.categories if c in targets]
    lines = ["| Kind of organisation | Target | Achieved |", "|---|--:|--:|"]
    lines += [f"| {c} | {{target:{c}}} | {{achieved:{c}}} |" for c in rows]
    lines.append(f"| Total | {sum(targets[c] for c in rows)} | {{interviewed}} |")
    return "\n".join(lines)


def _plural(category: str) -> str:
    word = _lower_first(category)
    return word if word.endswith("s") else word + "s"


def _targets_met(study: Study) -> str:
    """A sentence on which targets were met, with the live figures of those that were not."""
    rows = summary.targets(study)
    short = [r.group for r in rows if r.target is not None and r.interviewed < r.target]
    if not rows:
        return ""
    if not short:
        return "Every target was met."
    met = [_plural(r.group) for r in rows if r.group not in short]
    missed = _and([f"{_plural(c)} ({{achieved:{c}}} of {{target:{c}}})" for c in short])
    if not met:
        return f"No target was met in full: {missed} interviews were achieved."
    return f"The targets were met for {_and(met)}; {missed} fell short."


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _london_themes(answers: _Answers) -> dict[str, str]:
    out = dict(LONDON_THEMES)
    low = {q: answers.count(q, "Very low", "Low") for q in _KNOWLEDGE}
    known = {q: found for q, found in low.items() if found is not None and found[1]}
    if len(known) >= 2:
        least = max(known, key=lambda q: known[q][0] / known[q][1])
        most = min(known, key=lambda q: known[q][0] / known[q][1])
        out["awareness"] = (f"Organisations knew least about {_KNOWLEDGE[least]}: "
                            f"{_share(known[least], 'who answered')} rated their knowledge low or very low. "
                            f"They knew most about {_KNOWLEDGE[most]}, though even there "
                            f"{_per_cent(known[most])} rated their knowledge low or very low. "
                            + LONDON_THEMES["awareness"])
    used, consulted = _of(answers.count("b1", "Yes"), "who answered"), _per_cent(answers.count("b3", "Yes"))
    if used:
        out["experience"] = (f"{used} had used a local support service in the last two "
                             "years" + (f", and {consulted} had taken part in a consultation run by the council "
                                        "or another public body. " if consulted else ". ")
                             + LONDON_THEMES["experience"])
    return out


def confidential_study(path: str | os.PathLike, *, seed: int = 2007, organisations: int = 70,
                       today: dt.date | None = None) -> Study:
    """A study in which no response is attributed, with its report written; returned open.
    Fieldwork runs over the eleven weeks before ``today`` (default: 31 August 2007) and is over:
    every organisation ends interviewed, declined, unreachable or excluded."""
    rng = random.Random(seed)
    clock = random.Random(f"confidential study times {seed}")
    template = find_template("confidential-interview").with_values("areas", LONDON_AREAS)
    study = Study.create(Path(path), template, title=LONDON_TITLE, client=LONDON_CLIENT, author=LONDON_AUTHOR)
    categories = list(template.categories)
    weights = [5, 2, 2, 1.2, 0.8][:len(categories)]
    questions = list(template.questions())
    end = (today or dt.date(2007, 8, 31)) - dt.timedelta(days=3)
    days = _weekdays(end - dt.timedelta(days=76), end)
    interviewed_on: list[dt.date] = []
    for n in range(organisations):
        category = rng.choices(categories, weights)[0]
        area = rng.choice(LONDON_AREAS)
        org = study.organisations.add(f"{area} {category.split()[0]} organisation {n + 1}",
                                      category=category, area=area)
        roll = rng.random()
        tries = sorted(clock.sample(days, 5))
        if n % 25 == 12:  # found on screening to be closed or outside the borough
            study.organisations.set_status(org, "excluded", rng.choice(("Closed down", "Outside the study area")))
        elif roll < 0.67:
            calls = tries[:rng.randint(2, 5)]  # a few calls, the last to arrange the interview
            for day in calls[:-2]:
                study.attempts.log(org, outcome=rng.choice(("No answer", "Left a message")), at=_at(clock, day))
            day = calls[-1]
            started = _at(clock, day)
            study.attempts.log(org, outcome="Interview arranged", at=_at(clock, calls[-2]), callback_at=started)
            minutes = rng.choice((25, 30, 30, 35, 40, 45))
            study.attempts.log(org, outcome="Interview done", at=started + dt.timedelta(minutes=minutes))
            session = study.interviews.start(org, date=day, started=started)
            for q in questions:
                if q.type == "scale":
                    session.save_answer(q.id, rng.choices(q.choices, _SCALE_WEIGHTS.get(q.id))[0])
                elif q.type == "yes_no":
                    session.save_answer(q.id, rng.random() < _YES.get(q.id, 0.5))
                elif q.id in _ANSWERS and rng.random() < 0.85:
                    session.save_answer(q.id, rng.choice(_ANSWERS[q.id]))
            session.complete(at=started + dt.timedelta(minutes=minutes))
            session.close()
            interviewed_on.append(day)
        elif roll < 0.86:
            for day in tries:
                study.attempts.log(org, outcome=rng.choice(("No answer", "Left a message", "Call back requested")),
                                   at=_at(clock, day))
            study.organisations.set_status(org, "unreachable")
        else:
            calls = tries[:rng.randrange(1, 4)]
            for day in calls:
                study.attempts.log(org, outcome="Declined" if day == calls[-1] else "No answer", at=_at(clock, day))
            study.organisations.set_status(org, "declined")
    study.held.move_now()  # the end of fieldwork
    outline.set_cover(study, subtitle=LONDON_SUBTITLE, date=LONDON_DATE, confidentiality=LONDON_CONFIDENTIALITY)
    _set_text(study, "background", LONDON_BACKGROUND)
    fieldwork = _month_range(min(interviewed_on), max(interviewed_on)) if interviewed_on else "June and August 2007"
    _set_text(study, "method", LONDON_METHOD.replace("FIELDWORK", fieldwork)
                     .replace("TARGETS_MET", _targets_met(study)).replace("TARGETS", _targets_table(study)))
    outline.set_heading(study, "comments", "Findings")
    _set_text(study, "comments", LONDON_FINDINGS_INTRO)
    for theme, text in _london_themes(_Answers(study)).items():
        outline.set_theme_text(study, theme, reflow(text))
    outline.set_heading(study, "appendices", "Appendix: models of practice")
    _set_text(study, "appendices", LONDON_MODELS)
    _set_text(study, "recommendations", LONDON_RECOMMENDATIONS_INTRO)
    for text, who in LONDON_RECOMMENDATIONS:
        outline.add_recommendation(study, text, who)
    choose_quotations(study, 4)
    outline.set_order(study, ["background", "method", "crosstabs", "comments", "recommendations", "appendices"])
    for key in ("tables", "targets", "dispositions", "directory", "aims", "conclusions", "acknowledgements"):
        outline.set_included(study, key, False)
    return study
