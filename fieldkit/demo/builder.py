"""Building a demo study: ``build_demo`` creates it through the core's own API and plays out the plan.

The study comes from the shipped "regional-mapping" template (which names no region: the
demo gives it the region's areas, ``AREAS``) and is filled the way a researcher would fill
it: organisations and their contacts, attempts with call-backs, interviews answered question
by question (anonymous answers go to the pool like any other), flags, referrals and notes.

Everything is drawn from seeded ``random.Random`` streams: one decides what happens, another
when (in the weeks before ``today``). A seed therefore always gives the same organisations,
contacts, statuses, answers, comments and summary numbers, whatever day the demo is built; only
the dates move with ``today``, and the stamps the core writes itself ("created", "updated",
"completed") and the pool's random comment ids differ between builds.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path
from typing import Any

from fieldkit.demo.data import (
    ACCESS_POINT,
    ANSWER_SHARE,
    ANYTHING_ELSE,
    AREAS,
    ATTEMPT_NOTES,
    AUTHOR,
    BME_INFRA,
    BME_NETWORK,
    CITY_AREAS,
    CLIENT,
    CLOSERS,
    COMMUNITIES,
    GENERAL_INFRA,
    GENERAL_NETWORK,
    INTERVIEWERS,
    LISTING_SHARE,
    OPENERS,
    OTHER_COMMUNITIES,
    OWN_BARRIERS,
    OWN_NEEDS,
    PARTNERSHIPS_HELP,
    PARTNERSHIPS_OFF_BOARD,
    PARTNERSHIPS_ON_BOARD,
    ROLES,
    SECOND_ROLES,
    SECTOR_QUOTES,
    SHOWCASE,
    STATUS_NOTES,
    TITLE,
)
from fieldkit.demo.people import _contact, _details, _Emails, _Numbers, _person, _Unique
from fieldkit.demo.plan import _make_plan, _Plan, _scope
from fieldkit.errors import InvalidValueError, StudyFileError
from fieldkit.storage.files import with_sidecars
from fieldkit.study import SUFFIX, Study, default_folder, move_into_place
from fieldkit.template_toml import find_template

TEMPLATE_NAME = "regional-mapping"


def demo_path() -> Path:
    """Where ``fieldkit demo`` puts the demo study unless told otherwise."""
    return default_folder() / f"Demo study{SUFFIX}"


def _weekdays(lo: dt.date, hi: dt.date) -> list[dt.date]:
    """Working days from ``lo`` to ``hi``; every day if the span holds no working day."""
    days = [lo + dt.timedelta(days=k) for k in range((hi - lo).days + 1)]
    return [d for d in days if d.weekday() < 5] or days


def _moment(rng: random.Random, day: dt.date, start: int = 9 * 60 + 15, end: int = 17 * 60) -> dt.datetime:
    minutes = rng.randrange(start, end, 5)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60))


def _days(rng: random.Random, lo: dt.date, hi: dt.date, k: int) -> list[dt.date]:
    """``k`` working days from ``lo`` to ``hi``, in order; an empty span (``hi`` before ``lo``)
    puts them all on ``lo``, so that how many attempts happen never depends on the calendar."""
    if k <= 0:
        return []
    pool = _weekdays(lo, hi) or [lo]
    if k <= len(pool):
        return sorted(rng.sample(pool, k))
    return sorted(rng.choice(pool) for _ in range(k))


class _Builder:
    """Adds the planned organisations through the core API.

    Two random streams: ``rng`` decides what happens (outcomes, notes, answers, flags) and
    ``clock`` decides when. What happens never depends on ``today``, so a seed gives the
    same organisations, statuses and summary numbers whatever day the demo is built.
    """

    def __init__(self, study: Study, rng: random.Random, clock: random.Random, plans: list[_Plan],
                 today: dt.date):
        self.study = study
        self.rng = rng
        self.clock = clock
        self.plans = plans
        self.today = today
        weeks = 6 if len(plans) <= 100 else min(26, 6 + len(plans) // 50)
        self.start = today - dt.timedelta(weeks=weeks)
        self.numbers = _Numbers(rng)
        self.emails = _Emails()
        self.sites = _Unique()
        self.people: set[str] = {showcase[6][0] for showcase in SHOWCASE}
        self.quotes: set[str] = set()
        self.ids: list[int] = []
        self.callback_turn = 0
        self.template = study.template

    # --- pieces -----------------------------------------------------------------------

    def attempt(self, outcome: str, first: str, *, channel: str | None = None,
                note: str | None = None) -> tuple[str, str, str | None]:
        """What one attempt was: (outcome, channel, note)."""
        if channel is None:
            channel = "email" if outcome == "Email sent" else "phone"
        if note is None:
            text = self.rng.choice(ATTEMPT_NOTES.get(outcome, (None,)))
            note = text.format(first=first) if text else None
        return outcome, channel, note

    def early(self, first: str, count: int) -> list[tuple[str, str, str | None]]:
        """Attempts that did not get through yet."""
        outcomes = self.rng.choices(
            ("No answer", "Left a message", "Line busy", "Email sent", "Call back requested",
             "Contact away (illness or holiday)", "No way to leave a message"),
            weights=(6, 5, 2, 3, 3, 1, 1), k=count)
        return [self.attempt(o, first) for o in outcomes]

    def log(self, org_id: int, what: tuple[str, str, str | None], when: dt.datetime | dt.date,
            callback: dt.datetime | None = None) -> None:
        if not isinstance(when, dt.datetime):
            when = _moment(self.clock, when)
        outcome, channel, note = what
        self.study.attempts.log(org_id, outcome=outcome, channel=channel, note=note, at=when,
                                callback_at=callback)

    def log_on_days(self, org_id: int, attempts: list[tuple[str, str, str | None]], lo: dt.date,
                    hi: dt.date) -> None:
        for what, day in zip(attempts, _days(self.clock, lo, hi, len(attempts)), strict=True):
            self.log(org_id, what, day)

    # --- one organisation ---------------------------------------------------------------

    def add(self, index: int) -> None:
        rng, plan = self.rng, self.plans[index]
        _details(rng, plan, self.numbers, self.emails, self.sites)
        if index < len(SHOWCASE):
            (name, latin), role = SHOWCASE[index][6], SHOWCASE[index][7]
            latin = latin or name
        else:
            name, latin = _person(rng, plan.community, self.people)
            role = rng.choice(ROLES[plan.category])
        first = _contact(rng, self.numbers, self.emails, name, latin, role, native=name != latin)
        contacts = [first]
        if rng.random() < 0.35:
            name2, latin2 = _person(rng, plan.community, self.people)
            role2 = rng.choice([r for r in SECOND_ROLES if r != role])
            contacts.append(_contact(rng, self.numbers, self.emails, name2, latin2, role2, native=name2 != latin2))

        attempts = rng.randint(4, 9) if plan.status == "unreachable" else 0
        notes = []
        if plan.referrer is not None:
            notes.append(f"Suggested by {self.plans[plan.referrer].name}.")
        if plan.status in STATUS_NOTES and rng.random() < 0.45:
            notes.append(rng.choice(STATUS_NOTES[plan.status]).format(attempts=attempts))
        if plan.status == "excluded":
            notes.append(self.exclusion_note(plan))
        flags = []
        if plan.status == "unreachable" and rng.random() < 0.5:
            flags.append("permission_to_list")
            notes.append("Agreed by email to be listed in the directory.")
        if plan.status in ("interviewed", "unreachable", "contacting") and rng.random() < 0.4:
            flags.append("invite_to_event")
        # Desk research rules some out before any call: duplicates always, others now and then.
        screened_on_paper = plan.status == "excluded" and (
            plan.exclusion_reason in ("Duplicate of another record", None) or rng.random() < 0.3)
        org_id = self.study.organisations.add(
            plan.name, category=plan.category, area=plan.area,
            status="excluded" if screened_on_paper else "identified",
            exclusion_reason=plan.exclusion_reason if screened_on_paper else None,
            flags=flags, referred_by=None if plan.referrer is None else self.ids[plan.referrer],
            contacts=contacts, notes=" ".join(notes) or None, **plan.fields)
        self.ids.append(org_id)

        first_name = latin.split()[0]  # as the researcher writes it in a note
        if plan.status == "interviewed":
            self.interviewed(org_id, plan, first_name, role)
        elif plan.status == "contacting":
            self.contacting(org_id, first_name)
        elif plan.status == "unreachable":
            self.unreachable(org_id, first_name, attempts)
            self.study.organisations.set_status(org_id, "unreachable")
        elif plan.status == "declined":
            self.declined(org_id, first_name)
            self.study.organisations.set_status(org_id, "declined")
        elif plan.status == "excluded" and not screened_on_paper:
            self.screened(org_id, plan, first_name)
            self.study.organisations.set_status(org_id, "excluded", plan.exclusion_reason)

    def exclusion_note(self, plan: _Plan) -> str:
        rng, reason = self.rng, plan.exclusion_reason
        if plan.related is not None:
            other = self.plans[plan.related].name
        else:
            other = f"a larger {plan.area} organisation" if _scope(plan.area) == "local" else "a national charity"
        return {
            "Not an infrastructure body": "A single-project charity; it does not support other groups.",
            "Service provider only": "Provides services directly; no support or representation role.",
            "Outside the region": f"Based in {plan.place}; works in the region only now and then.",
            "Closed down": "Wound up last year according to the Charity Commission.",
            "Merged into another organisation": f"Merged into {other} in {self.today.year - rng.randint(1, 3)}.",
            "Duplicate of another record": f"Same organisation as {other} (listed twice).",
        }.get(reason or "", "Excluded after screening.")

    def interviewed(self, org_id: int, plan: _Plan, first: str, role: str) -> None:
        rng, clock = self.rng, self.clock
        face_to_face = rng.random() < 0.25
        booked_ahead = rng.random() < 0.8  # otherwise interviewed on the first call that got through
        early = self.early(first, rng.choice((0, 1, 1, 2, 2, 3) if booked_ahead else (0, 1, 2)))
        arranged = self.attempt("Interview arranged", first, channel="phone" if rng.random() < 0.8 else "email")
        done = self.attempt("Interview done", first, channel="visit" if face_to_face else "phone")
        minutes = rng.choice((25, 35, 45, 60))
        interviewer = rng.choices([n for n, _ in INTERVIEWERS], weights=[w for _, w in INTERVIEWERS])[0]

        day = clock.choice(_weekdays(self.start + dt.timedelta(days=5), self.today - dt.timedelta(days=1)))
        when = _moment(clock, day, 9 * 60 + 30, 16 * 60)
        if booked_ahead:
            booked = clock.choice(_weekdays(max(self.start, day - dt.timedelta(days=10)),
                                            day - dt.timedelta(days=1)))
            self.log_on_days(org_id, early, self.start, booked - dt.timedelta(days=1))
            self.log(org_id, arranged, booked, callback=when)
        else:
            self.log_on_days(org_id, early, self.start, day - dt.timedelta(days=1))
        self.log(org_id, done, when + dt.timedelta(minutes=minutes))

        contact_id = self.study.organisations.contacts(org_id)[0].id
        session = self.study.interviews.start(org_id, mode="face_to_face" if face_to_face else "phone",
                                              interviewer=interviewer, date=day, contact_id=contact_id,
                                              started=when)
        # One in ten is cut short after the named sections (so no "full interview" tick);
        # a few of those are not even marked complete yet.
        sections = self.template.sections
        cut_short = rng.random() < 0.1
        state: dict[str, Any] = {"role": role}
        for section in sections[:3] if cut_short else sections:
            for question in section.questions:
                value = self.answer(question.id, plan, state)
                if value is not None:
                    session.save_answer(question.id, value)
        if not cut_short or rng.random() < 0.7:
            session.complete(at=when + dt.timedelta(minutes=minutes))
        session.close()

    def contacting(self, org_id: int, first: str) -> None:
        """Still being contacted: the latest attempt leaves a call-back overdue, due today,
        due later, or (now and then) none at all."""
        rng, clock, today = self.rng, self.clock, self.today
        order = ("today", "overdue", "upcoming")
        if self.callback_turn < len(order):
            bucket = order[self.callback_turn]
        else:
            bucket = rng.choice(("overdue", "today", "upcoming", "upcoming", "none"))
        self.callback_turn += 1
        last_outcomes = {
            "overdue": ("Call back requested", "Left a message", "Contact away (illness or holiday)"),
            "today": ("Call back requested", "Call back requested", "Interview arranged"),
            "upcoming": ("Call back requested", "Interview arranged", "Contact away (illness or holiday)"),
            "none": ("Left a message", "Email sent", "No answer"),
        }[bucket]
        early = self.early(first, rng.randint(0, 3))
        last = self.attempt(rng.choice(last_outcomes), first)

        yesterday = today - dt.timedelta(days=1)
        due: dt.date | None
        if bucket == "overdue":
            due = clock.choice(_weekdays(today - dt.timedelta(days=8), yesterday))
            last_day = clock.choice(_weekdays(due - dt.timedelta(days=7), due - dt.timedelta(days=1)))
        elif bucket == "upcoming":
            due = clock.choice(_weekdays(today + dt.timedelta(days=1), today + dt.timedelta(days=12)))
            last_day = clock.choice(_weekdays(today - dt.timedelta(days=6), yesterday))
        else:
            due = today if bucket == "today" else None
            last_day = clock.choice(_weekdays(today - dt.timedelta(days=7), yesterday))
        self.log_on_days(org_id, early, self.start, last_day - dt.timedelta(days=1))
        callback = _moment(clock, due, 10 * 60, 16 * 60) if due else None
        self.log(org_id, last, last_day, callback=callback)

    def unreachable(self, org_id: int, first: str, count: int) -> None:
        rng = self.rng
        outcomes = ("No answer", "No answer", "Line busy", "Left a message", "No way to leave a message",
                    "Email sent", "Contact away (illness or holiday)", "Post vacant", "Wrong or disconnected number")
        attempts = []
        for k in range(count):
            if k == 0 and rng.random() < 0.2:
                attempts.append(self.attempt("No answer", first, channel="letter",
                                             note="Introductory letter posted; no reply."))
            elif rng.random() < 0.05:
                attempts.append(self.attempt("No answer", first, channel="visit",
                                             note="Called at the centre; nobody there."))
            else:
                attempts.append(self.attempt(rng.choice(outcomes), first))
        self.log_on_days(org_id, attempts, self.start, self.today - dt.timedelta(days=2))

    def declined(self, org_id: int, first: str) -> None:
        attempts = self.early(first, self.rng.randint(0, 2))
        if self.rng.random() < 0.5 and "Not now (soft refusal)" in self.template.outcomes:
            attempts.append(self.attempt("Not now (soft refusal)", first))  # asked again a week on
        attempts.append(self.attempt("Declined", first))
        self.log_on_days(org_id, attempts, self.start, self.today - dt.timedelta(days=2))

    def screened(self, org_id: int, plan: _Plan, first: str) -> None:
        """The attempt through which the researcher learnt the organisation does not qualify."""
        reason = plan.exclusion_reason
        if reason in ("Closed down", "Merged into another organisation"):
            what = self.attempt("Wrong or disconnected number", first, note="Number no longer in use.")
        elif reason == "Outside the region":
            what = self.attempt("Email sent", first,
                                note="Emailed the screening questions; their work is outside the region.")
        else:
            what = self.attempt("Email sent", first,
                                note="Emailed the screening questions; the reply shows it does not qualify.")
        self.log(org_id, what, self.clock.choice(_weekdays(self.start, self.today - dt.timedelta(days=2))))

    # --- answers ------------------------------------------------------------------------

    def answer(self, qid: str, plan: _Plan, state: dict[str, Any]) -> Any:
        """A plausible answer to question ``qid`` for this organisation, or None to skip it."""
        rng = self.rng
        community = COMMUNITIES[plan.community]
        category, area = plan.category, plan.area
        staff_range = {ACCESS_POINT: (0, 3), BME_NETWORK: (0, 4), GENERAL_NETWORK: (0, 3),
                       BME_INFRA: (1, 12), GENERAL_INFRA: (4, 35)}[category]
        if qid == "a1":
            return state["role"]
        if qid == "a2":
            if rng.random() < 0.1:
                return None
            low, high = community.founded
            return rng.randint(low, min(high, self.today.year - 1))
        if qid == "a3":
            chosen = set(community.choices)
            if plan.community == "multi":
                chosen = set(rng.sample(("African", "African Caribbean", "Bangladeshi", "Indian", "Pakistani",
                                         "Kashmiri", "Somali", "Chinese", "Eastern European",
                                         "Refugees and people seeking asylum", "People of mixed heritage"),
                                        rng.randint(3, 6)))
            elif plan.community != "general" and rng.random() < 0.25:
                chosen.add(rng.choice(("Refugees and people seeking asylum", "People of mixed heritage",
                                       "All communities")))
            if plan.community != "general" and not community.other and rng.random() < 0.15:
                chosen.add("Other")
                state["other"] = rng.choice(OTHER_COMMUNITIES)
            state["a3"] = chosen
            return sorted(chosen)
        if qid == "a4":
            if "Other" not in state.get("a3", ()):
                return None
            return community.other or state.get("other")
        if qid == "a5":
            scope = _scope(area)
            if scope == "national":
                return "England or the UK"
            if scope == "regional":
                return rng.choice(("The whole region",) * 3
                                  + ("Several cities or counties in the region",))
            if category == ACCESS_POINT:
                if area in CITY_AREAS:
                    return rng.choice(("A neighbourhood or ward", "A neighbourhood or ward", "A town or city"))
                return rng.choice(("A town or city", "A neighbourhood or ward"))
            if area in CITY_AREAS:
                return rng.choice(("A town or city",) * 4 + ("Several cities or counties in the region",))
            return rng.choice(("A county",) * 3 + ("A town or city",))
        if qid == "a6":
            staff = rng.randint(*staff_range)
            return staff + (rng.randint(5, 40) if _scope(area) == "national" else 0)
        if qid == "a7":
            return rng.randint(3, 40) if category == ACCESS_POINT else rng.randint(5, 150)
        if qid == "a8":
            if rng.random() < 0.08:
                return "Prefer not to say"
            bands = ("Under £10,000", "£10,000 to £49,999", "£50,000 to £99,999", "£100,000 to £249,999",
                     "£250,000 to £999,999", "£1 million or more")
            level = {ACCESS_POINT: 0, BME_NETWORK: 1, GENERAL_NETWORK: 1, BME_INFRA: 2, GENERAL_INFRA: 4}[category]
            level += rng.choice((-1, 0, 0, 1)) + (1 if _scope(area) == "national" else 0)
            return bands[max(0, min(len(bands) - 1, level))]
        if qid == "b1":
            return " ".join(rng.sample(OWN_BARRIERS, rng.choice((1, 2, 2, 3))))
        if qid in ("b2", "b3", "b4"):
            weights = {"b2": (1, 2, 4, 8), "b3": (2, 4, 4, 3), "b4": (2, 3, 4, 4)}[qid]
            return rng.choices(("Not at all", "A little", "Somewhat", "Very much"), weights=weights)[0]
        if qid == "b5":
            return rng.random() < (0.65 if category == GENERAL_INFRA else 0.35)
        if qid == "b6":
            return rng.random() < 0.55
        if qid == "b7":
            choices = [c for c in self.template.question("b7").choices if c != "Other"]
            picked = rng.sample(choices, rng.randint(1, 4))
            if rng.random() < 0.05:
                picked.append("Other")
            return picked
        if qid == "b8":
            return " ".join(rng.sample(OWN_NEEDS, rng.choice((1, 1, 2))))
        if qid == "c1":
            weights = {GENERAL_INFRA: (5, 15, 45, 35), BME_INFRA: (10, 35, 40, 15),
                       ACCESS_POINT: (35, 40, 20, 5)}.get(category, (15, 35, 35, 15))
            state["informed"] = rng.choices(range(4), weights=weights)[0]
            return self.template.question("c1").choices[state["informed"]]
        if qid == "c2":
            state["board"] = rng.random() < (0.05, 0.2, 0.5, 0.8)[state.get("informed", 1)]
            return state["board"]
        if qid == "c3":
            if rng.random() < 0.15:
                return None
            pool = PARTNERSHIPS_ON_BOARD if state.get("board") else PARTNERSHIPS_OFF_BOARD
            where = area if _scope(area) == "local" else "West Midlands"
            return rng.choice(pool).format(area=where)
        if qid == "c4":
            return None if rng.random() < 0.2 else " ".join(rng.sample(PARTNERSHIPS_HELP, rng.choice((1, 1, 2))))
        if qid in SECTOR_QUOTES:
            if rng.random() >= ANSWER_SHARE[qid]:
                return None
            return self.quote(qid)
        if qid == "d2":
            if rng.random() >= ANSWER_SHARE[qid]:
                return None
            return rng.choices(self.template.question("d2").choices, weights=(3, 5, 3, 1))[0]
        if qid == "e1":
            return rng.random() < 0.45
        if qid == "e2":
            state["listed"] = rng.random() < 0.75
            return state["listed"]
        if qid in LISTING_SHARE:  # what the directory may print: a stream of its own, so adding
            if not state.get("listed"):  # these questions left every other answer as it was
                return None
            listing = random.Random(f"fieldkit demo listing {plan.name} {qid}")
            return listing.random() < LISTING_SHARE[qid]
        if qid == "e3":
            return rng.choice(ANYTHING_ELSE) if rng.random() < 0.3 else None
        return None  # a question this demo does not know (a newer template)

    def quote(self, qid: str) -> str:
        """One or two of the sector quotations, now and then with an opener or a closing
        remark; the same words twice only once the combinations run out."""
        rng = self.rng
        for _ in range(10):
            parts = rng.sample(SECTOR_QUOTES[qid], 1 if rng.random() < 0.65 else 2)
            first = parts[0]
            if rng.random() < 0.15 and not first.split()[0].isupper() and not first.startswith(("I ", "I'")):
                parts[0] = rng.choice(OPENERS) + first[0].lower() + first[1:]
            if rng.random() < 0.15:
                parts.append(rng.choice(CLOSERS))
            text = " ".join(parts)
            if text not in self.quotes:
                break
        self.quotes.add(text)
        return text


def build_demo(
    path: str | os.PathLike,
    *,
    seed: int = 2026,
    organisations: int = 60,
    today: dt.date | None = None,
) -> Study:
    """Create a made-up mapping study at ``path`` and return it open.

    Refuses to overwrite an existing file. The study is built under a temporary name beside
    ``path`` and renamed into place when complete, so an interrupted build leaves nothing
    that looks like a finished demo.
    """
    if isinstance(organisations, bool) or not isinstance(organisations, int) or organisations < 1:
        raise InvalidValueError("a demo study needs at least one organisation")
    today = today or dt.date.today()
    path = Path(path)
    if path.suffix != SUFFIX:
        path = path.with_name(path.name + SUFFIX)
    if path.exists():
        raise StudyFileError(f"{path}: a file with that name already exists")

    template = find_template(TEMPLATE_NAME).with_values("areas", AREAS)

    rng = random.Random(seed)
    clock = random.Random(f"fieldkit demo times {seed}")
    plans = _make_plan(rng, organisations, template)

    building = path.with_name(f".{path.stem}.building{SUFFIX}")
    _remove(building)
    study = Study.create(building, template, title=TITLE, client=CLIENT, author=AUTHOR)
    try:
        builder = _Builder(study, rng, clock, plans, today)
        # One transaction, and the pool's moves deferred to one at its end (as a bulk import
        # does): moving each group as it fills lays the whole pool out again every time.
        with study.transaction(), study.held.deferred():
            for index in range(len(plans)):
                builder.add(index)
        study.close()
        move_into_place(building, path)
    except BaseException:
        study.close()
        _remove(building)
        raise
    return Study.open(path)


def _remove(path: Path) -> None:
    for p in with_sidecars(path):
        p.unlink(missing_ok=True)
