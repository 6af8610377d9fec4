"""The method section of the client report: what fieldwork did, in words, a table of counts, and
the AAPOR response and cooperation rates it quotes.

The words are Markdown with live figures (``{identified}``, ``{interviewed}``: ``fieldkit.reports.
figures``), so a researcher who starts their own method from fieldkit's keeps figures that follow
the study. They read in the order the counts add up: identified, less those excluded as outside
the study's scope, leaves those on the database, and each of those is interviewed, declined, not
reached, still being contacted or not yet contacted (an organisation in interview is one still
being contacted); "contacted" is every organisation identified but those not yet contacted, the
excluded included. No sentence starts with a figure, and nothing is said of a count of 0 but
"No organisation has yet ...". Which sentences there are, and their singular or plural, follow
the numbers when the words are made."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from fieldkit import dispositions as disposition_codes
from fieldkit import fieldwork, outcome_rates
from fieldkit.reports.figures import Figures
from fieldkit.summary import MethodSummary

if TYPE_CHECKING:
    from fieldkit.study import Study

TOTAL = "Total"


class DispositionLine(NamedTuple):
    code: str           # "3.13"; "" on the total row
    label: str          # "No answer" (fieldkit.outcome_rates.label); "Total"
    organisations: int


class RateLine(NamedTuple):
    """One outcome rate as the method section quotes it."""

    code: str          # "RR1"
    name: str          # "Response rate RR1"
    value: float       # the rate as an unrounded fraction
    text: str          # "61.1%"
    definition: str    # one sentence (fieldkit.outcome_rates.RATE_DEFINITIONS)


@dataclass(frozen=True)
class MethodSection:
    """What the method section says beyond the counts of ``ReportData.method``.

    ``complete`` and ``partial`` count organisations by disposition (1.1 and 1.2), so they add up
    to ``method.interviewed``; ``break_offs`` counts interviews broken off.
    """

    complete: int
    partial: int
    recorded_without_interview: int    # interviewed from earlier fieldwork, no interview in the study
    in_interview: int
    break_offs: int
    median_minutes: float | None       # None: unknown
    median_attempts: float | None      # attempts before an interviewed organisation's interview
    e: float                           # the share of unknown eligibility taken as eligible
    e_estimated: bool                  # True: estimated from the cases; False: set by the researcher
    paragraphs: tuple[str, ...]        # the words before the table of counts: Markdown with live figures
    counts: tuple[tuple[str, int], ...]  # the table of counts: (what, organisations)
    rates_text: str = ""               # the words before the rates, with live figures ("" with no rates)
    rates: tuple[RateLine, ...] = ()   # the rates quoted, each with a denominator
    filled: tuple[str, ...] = ()       # ``paragraphs`` as they read now (figures filled in)
    rates_filled: str = ""             # ``rates_text`` as it reads now


#: What each family of outcome rates is called in words.
RATE_KINDS = {"RR": "Response rate", "COOP": "Cooperation rate", "REF": "Refusal rate", "CON": "Contact rate"}
#: The rates the method section quotes; those in ``PARTIAL_RATES`` only when there are partial
#: interviews (with none they equal RR1, RR3 and COOP1).
QUOTED_RATES = ("RR1", "RR2", "RR3", "RR4", "COOP1", "COOP2")
PARTIAL_RATES = ("RR2", "RR4", "COOP2")
SOURCE = "AAPOR Standard Definitions (10th edition, 2023)"


def rate_name(code: str) -> str:
    """"Response rate RR1", "Cooperation rate COOP1", ... for a code of ``outcome_rates.RATE_ORDER``."""
    return f"{RATE_KINDS[code.rstrip('0123456789')]} {code}"


def _n(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def method_section(study: Study, m: MethodSummary, found: dict[int, disposition_codes.Disposition], *,
                   figures: Figures | None = None) -> MethodSection:
    """The method section's words, counts and rates from ``m`` and each organisation's disposition
    (``found``), its figures filled in from ``figures`` (the report's own, so that nothing is
    worked out twice; by default made from ``m`` and ``found``)."""
    p = m.paradata or disposition_codes.paradata(study)
    rules = fieldwork.settings(study)
    classes = outcome_rates.class_counts(m.dispositions)
    complete, partial = classes["I"], classes["P"]
    without = p.interviewed_without_interview
    paragraphs = _paragraphs(m, p, complete, partial, _sentence(rules.describe_partial()))
    counts = [("Organisations identified", m.total), ("Contacted", m.contacted), ("Excluded", m.excluded),
              ("On the database", m.on_database), ("Interviewed", m.interviewed),
              ("Interviewed: complete (1.1)", complete), ("Interviewed: partial (1.2)", partial)]
    if without:
        counts.append(("Interviewed: from earlier fieldwork", without))
    counts += [("In interview (not yet finished)", p.in_interview), ("Could not be reached", m.not_reached),
               ("Declined", m.declined), ("Still being contacted", m.still_contacting),
               ("Not yet contacted", m.not_yet_contacted), ("Listed with permission", m.listed_with_permission)]
    e = float(m.rates.get("e") or 0.0)
    estimated = rules.eligibility_rate is None
    quoted = [c for c in QUOTED_RATES if partial or c not in PARTIAL_RATES]
    rates = tuple(RateLine(c, rate_name(c), v, f"{100 * v:.1f}%", outcome_rates.RATE_DEFINITIONS[c])
                  for c in quoted if (v := m.rates.get(c)) is not None)
    rates_text = ""
    if rates:
        if not estimated:
            how = "set by the researcher"
        elif any(classes[k] for k in ("I", "P", "R", "NC", "O", "NE")):
            how = "estimated from the organisations whose eligibility was established"
        else:
            how = ("as no organisation's eligibility has been established yet, every organisation of unknown "
                   "eligibility is taken to be eligible")
        rates_text = (f"The rates below follow the {SOURCE}, counted from each organisation's disposition. "
                      "Organisations whose eligibility was never established (nobody answered, say) count in "
                      "full in RR1 and, as the share e of them taken to be eligible, in RR3: "
                      f"e = {{e}}, {how}.")
        temporary = sum(not d.final for d in found.values())
        if temporary:
            rates_text += (f" Fieldwork with {{not_final}} {'organisation' if temporary == 1 else 'organisations'} "
                           "goes on, so the rates can still change.")
    if figures is None:
        figures = Figures.of(study, m, dispositions=found)
    return MethodSection(
        complete=complete, partial=partial, recorded_without_interview=without, in_interview=p.in_interview,
        break_offs=p.break_offs, median_minutes=p.median_minutes, median_attempts=p.median_attempts,
        e=e, e_estimated=estimated, paragraphs=tuple(paragraphs), counts=tuple(counts),
        rates_text=rates_text, rates=rates,
        filled=tuple(figures.fill(x, "Method") for x in paragraphs),
        rates_filled=figures.fill(rates_text, "Method"))


def _is(n: float, one: str, many: str) -> str:
    return one if n == 1 else many


def _listed(items: list[str]) -> str:
    """"a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _paragraphs(m: MethodSummary, p: disposition_codes.Paradata, complete: int, partial: int,
                rule: str) -> list[str]:
    """The method's words as Markdown with live figures (the module's docstring says how they read)."""
    identified, excluded, on_database = m.total, m.excluded, m.on_database
    if identified == 0:
        return ["No organisation has been identified for the study yet."]
    said: list[str] = []
    if excluded == 0:
        said.append("Just {identified} organisation was identified for the study, and it is on the database."
                    if identified == 1 else
                    "All {identified} organisations identified for the study are on the database: none was "
                    "found to be outside its scope.")
    elif on_database == 0:
        said.append(("The organisation identified for the study was" if identified == 1 else
                     "All {identified} organisations identified for the study were")
                    + " excluded as outside its scope, so none is on the database.")
    else:
        said.append("Of the {identified} organisations identified for the study, {excluded} "
                    + _is(excluded, "was", "were") + " excluded as outside its scope, leaving {on_database} on the "
                    "database.")
    tried = on_database - m.interviewed - m.declined - m.not_reached - m.still_contacting - m.not_yet_contacted
    in_interview = p.in_interview
    aside = in_interview and in_interview <= m.still_contacting
    where = [  # (count, as one, as many): each organisation on the database in exactly one
        (m.interviewed, "{interviewed} was interviewed", "{interviewed} were interviewed"),
        (m.declined, "{declined} declined to take part", "{declined} declined to take part"),
        (m.not_reached, "{not_reached} could not be reached despite repeated attempts",
         "{not_reached} could not be reached despite repeated attempts"),
        (m.still_contacting, "{still_contacting} is still being contacted",
         "{still_contacting} are still being contacted"),
        (tried, "{identified_tried} has been tried but is not yet marked as being contacted",
         "{identified_tried} have been tried but are not yet marked as being contacted"),
        (m.not_yet_contacted, "{not_yet_contacted} has not yet been contacted",
         "{not_yet_contacted} have not yet been contacted"),
    ]
    parts = []
    for n, one, many in where:
        if n > 0:
            part = one if n == 1 else many
            if aside and "{still_contacting}" in part:
                part += (" ({in_interview} of them in an interview begun but not yet finished)"
                         if m.still_contacting > 1 else " (in an interview begun but not yet finished)")
            parts.append(part)
    if len(parts) == 1 and on_database > 0:
        part = parts[0].split(" ", 1)[1]  # without the figure: "were interviewed"
        if on_database == 1:
            said.append(f"It {part}." if excluded == 0 else f"The organisation on the database {part}.")
        elif part.startswith("have not yet been contacted"):
            said.append("None of them has been contacted yet.")
        else:
            said.append(f"All {{on_database}} on the database {part}.")
    elif parts:
        said.append("Of those {on_database}, " + _listed(parts) + ".")
    if in_interview and not aside:
        said.append("Of all these, {in_interview} " + _is(in_interview, "is", "are")
                    + " in an interview begun but not yet finished, so not counted as interviewed.")
    contacted = m.contacted
    if contacted and m.not_yet_contacted == 0 and contacted == identified:
        said.append("Every organisation identified has been contacted or screened ({contacted} in all)."
                    if identified > 1 else "It has been contacted.")
    elif contacted:
        said.append("In all, {contacted} of the {identified} organisations " + _is(contacted, "has", "have")
                    + " been contacted or screened: every one but the {not_yet_contacted} not yet contacted.")
    paragraphs = [" ".join(said)]

    said = []
    if m.interviewed == 0:
        if on_database:
            said.append("No organisation has been interviewed yet.")
    else:
        who = ("The organisation interviewed" if m.interviewed == 1 else
               "Of the {interviewed} organisations interviewed, " + ("all" if not (complete and partial) else ""))
        if complete and partial:
            said.append(who + "{complete} gave a complete interview and {partial} a partial one (AAPOR "
                        f"dispositions 1.1 and 1.2; {rule}).")
        elif complete or partial:
            kind, code = ("complete", "1.1") if complete else ("partial", "1.2")
            said.append(f"{who.rstrip(', ')} gave a {kind} interview (AAPOR disposition {code}; {rule})."
                        if m.interviewed == 1 else f"{who} gave a {kind} interview (AAPOR disposition {code}; {rule}).")
        without = p.interviewed_without_interview
        if without:
            said.append("It was recorded as interviewed from earlier fieldwork, with no interview in the study."
                        if m.interviewed == 1 else
                        "Among them, {earlier} " + _is(without, "was", "were") + " recorded as interviewed from "
                        "earlier fieldwork, with no interview in the study.")
    if p.break_offs:
        said.append("An interview was broken off before the end (its organisation is counted above by where it "
                    "stands now)." if p.break_offs == 1 else
                    "In all, {break_offs} interviews were broken off before the end (each organisation is counted "
                    "above by where it stands now).")
    if on_database:
        said.append("Of the organisations on the database, {listed} " + _is(m.listed_with_permission, "has", "have")
                    + " given permission to be listed in the directory." if m.listed_with_permission else
                    "No organisation has yet given permission to be listed in the directory.")
    if said:
        paragraphs.append(" ".join(said))

    timing = []
    shown = None if p.median_minutes is None else (
        round(p.median_minutes) if p.median_minutes >= 10 else round(p.median_minutes, 1))
    if shown:  # not "0 minutes": interviews entered after the event have no length to speak of
        timing.append("The median interview took {median_minutes} " + _is(shown, "minute", "minutes") + ".")
    if p.median_attempts is not None:
        timing.append("The organisations interviewed needed a median of {median_attempts} "
                      + _is(p.median_attempts, "attempt", "attempts") + " at contact before the interview.")
    if timing:
        paragraphs.append(" ".join(timing))
    return paragraphs


def _sentence(text: str) -> str:
    """"Complete: every ... answered. Partial: any other ..." as a clause: lower case, no full stops."""
    return "; ".join(part.strip().rstrip(".").lower() for part in text.split(". ") if part.strip())


def disposition_lines(found: dict[int, disposition_codes.Disposition]) -> tuple[DispositionLine, ...]:
    rows = [DispositionLine(code, outcome_rates.label(code), n)
            for code, n in disposition_codes.tally(found).items()]
    return (*rows, DispositionLine("", TOTAL, len(found)))


def disposition_notes(found: dict[int, disposition_codes.Disposition]) -> tuple[str, ...]:
    temporary = sum(not d.final for d in found.values())
    in_interview = sum(d.in_interview for d in found.values())
    notes = []
    if temporary:
        notes.append(f"Fieldwork goes on: {_n(temporary, 'organisation is', 'organisations are')} shown with "
                     "the disposition so far, not yet final.")
    if in_interview:
        notes.append(f"{in_interview:,} of them {'is' if in_interview == 1 else 'are'} in interview, counted "
                     "under 2.12 (break-off) until the interview is finished.")
    return tuple(notes)


def method_markdown(words: MethodSection, m: MethodSummary) -> str:
    """The method section as Markdown, with fieldkit's generated tables placed by name: what the
    report prints when the researcher has not written the method, and where their editing starts."""
    out = list(words.paragraphs) + ["{table:counts}"]
    if m.excluded_by_reason:
        out += ["## Organisations excluded, by reason", "{table:excluded}"]
    if words.rates:
        out += ["## Response and cooperation rates", words.rates_text, "{table:rates}"]
    return "\n\n".join(out) + "\n"
