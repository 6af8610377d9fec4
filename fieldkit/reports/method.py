"""The method section of the client report: what fieldwork did, in words, a table of counts, and
the AAPOR response and cooperation rates it quotes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from fieldkit import dispositions as disposition_codes
from fieldkit import fieldwork, outcome_rates
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
    paragraphs: tuple[str, ...]        # the words before the table of counts
    counts: tuple[tuple[str, int], ...]  # the table of counts: (what, organisations)
    rates_text: str = ""               # the words before the rates: the source and e ("" with no rates)
    rates: tuple[RateLine, ...] = ()   # the rates quoted, each with a denominator


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


def _number(x: float) -> str:
    """2 as "2", 2.5 as "2.5"."""
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"


def _minutes(x: float) -> str:
    shown = round(x) if x >= 10 else round(x, 1)
    return f"{_number(shown)} minute{'' if shown == 1 else 's'}"


def method_section(study: Study, m: MethodSummary,
                    found: dict[int, disposition_codes.Disposition]) -> MethodSection:
    p = m.paradata or disposition_codes.paradata(study)
    rules = fieldwork.settings(study)
    classes = outcome_rates.class_counts(m.dispositions)
    complete, partial = classes["I"], classes["P"]
    without = p.interviewed_without_interview
    said = [f"{_n(m.total, 'organisation was', 'organisations were')} identified for the study, and "
            f"{m.contacted:,} of them contacted."]
    if m.excluded:
        said.append(f"{_n(m.excluded, 'organisation was', 'organisations were')} then excluded as outside "
                    f"the study's scope, leaving {_n(m.on_database, 'organisation', 'organisations')} "
                    "on the database.")
    else:
        said.append(f"None was excluded, so all {m.on_database:,} are on the database.")
    if m.interviewed:
        said.append(f"{_n(m.interviewed, 'organisation was', 'organisations were')} interviewed: "
                    f"{complete:,} complete and {partial:,} partial (AAPOR dispositions 1.1 and 1.2; "
                    f"{_sentence(rules.describe_partial())}).")
        if without:
            said.append(f"{without:,} of them {'was' if without == 1 else 'were'} recorded as interviewed from "
                        "earlier fieldwork, without the interview in the study.")
    else:
        said.append("No organisation has been interviewed yet.")
    if p.in_interview:
        said.append(f"{_n(p.in_interview, 'organisation is', 'organisations are')} in interview: begun but "
                    "not yet finished, so not counted as interviewed.")
    if p.break_offs:
        said.append(f"{_n(p.break_offs, 'interview was', 'interviews were')} broken off before the end.")
    if m.not_reached:
        said.append(f"{_n(m.not_reached, 'organisation', 'organisations')} could not be reached despite "
                    "repeated attempts.")
    if m.declined:
        said.append(f"{_n(m.declined, 'organisation', 'organisations')} declined to take part.")
    said.append(f"{_n(m.listed_with_permission, 'organisation has', 'organisations have')} given "
                "permission to be listed in the directory.")
    paragraphs = [" ".join(said)]
    timing = []
    if p.median_minutes is not None:
        timing.append(f"The median interview took {_minutes(p.median_minutes)}.")
    if p.median_attempts is not None:
        timing.append(f"The organisations interviewed needed a median of {_number(p.median_attempts)} "
                      f"attempt{'' if p.median_attempts == 1 else 's'} at contact before the interview.")
    if timing:
        paragraphs.append(" ".join(timing))
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
                      f"e = {e:.2f}, {how}.")
        temporary = sum(not d.final for d in found.values())
        if temporary:
            rates_text += (f" Fieldwork with {_n(temporary, 'organisation', 'organisations')} goes on, so the "
                           "rates can still change.")
    return MethodSection(
        complete=complete, partial=partial, recorded_without_interview=without, in_interview=p.in_interview,
        break_offs=p.break_offs, median_minutes=p.median_minutes, median_attempts=p.median_attempts,
        e=e, e_estimated=estimated, paragraphs=tuple(paragraphs), counts=tuple(counts),
        rates_text=rates_text, rates=rates)


def _sentence(text: str) -> str:
    """"Complete: every ... answered. Partial: any other ..." as a clause: lower case, no full stops."""
    return "; ".join(part.strip().rstrip(".").lower() for part in text.split(". ") if part.strip())


def disposition_lines(found: dict[int, disposition_codes.Disposition]) -> tuple[DispositionLine, ...]:
    by_code: dict[str, int] = {}
    for d in found.values():
        by_code[d.code] = by_code.get(d.code, 0) + 1
    rows = [DispositionLine(code, outcome_rates.label(code), n)
            for code, n in sorted(by_code.items(), key=lambda kv: outcome_rates.sort_key(kv[0]))]
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
