"""The call list: the calling queue at one moment as a printable PDF, and `fieldkit calllist`.

The study is built through the real API with organisations the queue takes (a due call-back,
fresh ones, one tried before) and ones it must leave out (a later call-back, one closed now,
one declined, one whose calling a final outcome ended). The PDF is read back with pdfplumber.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pdfplumber
import pytest

from cli_runs import run
from fieldkit import calling
from fieldkit.callback_times import format_when
from fieldkit.reports.call_list import NOW, build_call_list, write_call_list
from fieldkit.study import Study
from fieldkit.template_toml import template_from_dict
from studies import pool_now, small_template

#: A Wednesday morning.
AT = dt.datetime(2026, 11, 25, 10, 0)
POOLED = "The rent for the hall doubled when the council sold it."
NOTE = "Spoke to the caretaker, who keeps the keys."
DUE = ["Due Call-back Trust", "Infra Fresh", "Tried Once Group", "Network Fresh"]
LEFT_OUT = ["Later Call-back Ltd", "Closed Mornings Club", "Declined Society", "Refused Outright"]


def pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)


def pdf_pages(path: Path) -> int:
    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


def _fill(study: Study) -> dict[str, int]:
    data = study.template.to_dict()
    data["organisations"]["outcomes"] += [{"name": "Refused", "disposition": "2.11", "final": True}]
    study.update_template(template_from_dict(data, source="with a final outcome"))
    orgs, attempts = study.organisations, study.attempts
    ids = {}
    ids["Due Call-back Trust"] = orgs.add("Due Call-back Trust", category="Access point", phone="0121 496 0101",
                                          contacts=[{"name": "Zofia Wiśniewska"}])
    attempts.log(ids["Due Call-back Trust"], outcome="Call back requested", at="2026-11-24T10:00",
                 callback_at="2026-11-25T09:30", note=NOTE)
    ids["Infra Fresh"] = orgs.add("Infra Fresh", category="Infrastructure", phone="0121 496 0102")
    ids["Tried Once Group"] = orgs.add("Tried Once Group", category="Infrastructure")
    attempts.log(ids["Tried Once Group"], outcome="No answer", at="2026-11-20T16:05")
    ids["Network Fresh"] = orgs.add("Network Fresh", category="Network", phone="0121 496 0104")
    later = orgs.add("Later Call-back Ltd", category="Infrastructure")
    attempts.log(later, outcome="Call back requested", at="2026-11-24T10:00", callback_at="2026-11-26T09:30")
    orgs.add("Closed Mornings Club", category="Infrastructure", opening_hours="Mon-Fri 14-17")
    declined = orgs.add("Declined Society", category="Network")
    orgs.set_status(declined, "declined")
    refused = orgs.add("Refused Outright", category="Network")
    attempts.log(refused, outcome="Refused", at="2026-11-20T10:00")
    done = orgs.add("Done Network", category="Network")
    session = study.interviews.start(done)
    session.save_answer("sector_barriers", POOLED)
    pool_now(study, session)
    return ids


@pytest.fixture
def study(tmp_path: Path):
    s = Study.create(tmp_path / "calls.fieldkit", small_template(), title="Calling the West Midlands")
    ids = _fill(s)
    yield s, ids
    s.close()


def test_the_data_is_the_calling_queue_with_attempts_and_last_outcome(study):
    s, ids = study
    data = build_call_list(s, AT)
    assert [r.name for r in data.rows] == DUE == [c.name for c in calling.queue(s, AT)]
    assert [r.position for r in data.rows] == [1, 2, 3, 4]
    due, fresh, tried, _ = data.rows
    assert (due.organisation_id, due.phone, due.contact) == (ids["Due Call-back Trust"], "0121 496 0101",
                                                            "Zofia Wiśniewska")
    assert due.next_call == format_when("2026-11-25T09:30", year=None)  # "Wed 25 Nov, 09:30"
    assert due.attempts == 1
    assert due.last_outcome == f"Call back requested, {format_when('2026-11-24T10:00', year=None)}"
    assert (fresh.next_call, fresh.attempts, fresh.last_outcome) == (NOW, 0, None)
    assert (tried.phone, tried.attempts) == (None, 1)
    assert tried.last_outcome == f"No answer, {format_when('2026-11-20T16:05', year=None)}"


def test_the_pdf_lists_the_due_organisations_in_order_and_nothing_pooled(study, tmp_path: Path):
    s, _ = study
    out = write_call_list(s, tmp_path / "calls.pdf", now=AT)
    text = pdf_text(out)
    places = [text.find(name) for name in DUE]
    assert -1 not in places, text
    assert places == sorted(places)  # in the queue's order
    for name in LEFT_OUT + ["Done Network"]:
        assert name not in text
    assert "Ask for Zofia Wiśniewska" in text and "0121 496 0101" in text
    assert "no working number" in text and "not tried yet" in text
    assert "Call back requested" in text and "No answer" in text
    assert "4 organisations to phone as of Wed 25 Nov 2026, 10:00" in text
    assert POOLED not in text and "doubled" not in text  # the pool is never read
    assert NOTE not in text and "caretaker" not in text  # nor attempt notes: a list to carry, not the record


def test_a_long_list_runs_onto_more_pages_with_every_organisation(tmp_path: Path):
    with Study.create(tmp_path / "many.fieldkit", small_template(), title="Many") as s:
        names = [f"Organisation number {i:03d}" for i in range(90)]
        for name in names:
            s.organisations.add(name, category="Network", phone="0121 496 0000")
        out = write_call_list(s, tmp_path / "many.pdf", now=AT)
    text = pdf_text(out)
    assert pdf_pages(out) >= 3
    assert all(name in text for name in names)
    assert text.count("Last outcome") == pdf_pages(out)  # the header row on every page


def test_nobody_to_call_says_so(tmp_path: Path):
    with Study.create(tmp_path / "none.fieldkit", small_template(), title="Nobody") as s:
        out = write_call_list(s, tmp_path / "none.pdf", now=AT)
    assert "No one to call" in pdf_text(out)


# --- fieldkit calllist ----------------------------------------------------------------------------


def test_the_command_writes_the_list_for_the_moment_given(capsys, study, tmp_path: Path):
    s, _ = study
    path = s.path
    s.close()
    out = tmp_path / "out" / "calls"
    out.parent.mkdir()
    code, said, err = run(capsys, "calllist", path, "-o", out, "--at", "2026-11-25 10:00")
    assert code == 0, err
    written = out.with_name("calls.pdf")
    assert said.strip() == f"Wrote the call list (4 organisations to phone) to {written}"
    text = pdf_text(written)
    places = [text.find(name) for name in DUE]
    assert -1 not in places and places == sorted(places)
    assert not any(name in text for name in LEFT_OUT)
    # In the afternoon the club open 14-17 joins the list.
    code, said, err = run(capsys, "calllist", path, "-o", written, "--at", "2026-11-25T15:00")
    assert code == 0, err
    assert "Closed Mornings Club" in pdf_text(written)


def test_the_command_refuses_bad_input_with_one_line(capsys, study, tmp_path: Path):
    s, _ = study
    path = s.path
    s.close()
    out = tmp_path / "calls.pdf"
    code, said, err = run(capsys, "calllist", path, "-o", out, "--at", "next tuesday")
    assert code == 1
    assert err == "fieldkit calllist: --at 'next tuesday': not a date and time; write it as 2026-11-25 10:00\n"
    code, said, err = run(capsys, "calllist", tmp_path / "missing.fieldkit", "-o", out)
    assert code == 1 and len(err.splitlines()) == 1 and err.startswith("fieldkit calllist: ")
    assert "missing.fieldkit" in err
    code, said, err = run(capsys, "calllist", path, "-o", tmp_path / "no such folder" / "calls.pdf")
    assert code == 1 and len(err.splitlines()) == 1 and "no such folder" in err
    assert not out.exists() and said == ""
