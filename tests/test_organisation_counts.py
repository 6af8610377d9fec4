"""Counts by status for a filtered list, unticked-flag filters, status order, restoring a contact."""

from __future__ import annotations

import random

import pytest

from fieldkit.errors import InvalidValueError
from fieldkit.organisations import STATUSES
from fieldkit.study import Study


@pytest.fixture
def mixed(small_study: Study) -> Study:
    """A few hundred organisations with statuses, categories, areas and flags drawn at random."""
    rng = random.Random(7)
    orgs = small_study.organisations
    template = small_study.template
    with small_study.transaction():
        for i in range(300):
            status = rng.choice(STATUSES)
            reason = rng.choice(template.exclusion_reasons) if status == "excluded" else None
            flags = [f for f in template.flag_ids() if rng.random() < 0.3]
            name = rng.choice(["Łódź Polish Club", "Mirpur اردو Forum", "华人 Elders", "Youth Trust"])
            orgs.add(f"{name} {i}", category=rng.choice(("",) + template.categories),
                     area=rng.choice(("",) + template.areas), status=status,
                     exclusion_reason=reason, flags=flags)
    return small_study


def brute(study: Study, ids: list[int]) -> dict[str, int]:
    counts = {s: 0 for s in STATUSES}
    for org in study.organisations.many(ids):
        counts[org.status] += 1
    return counts


FILTERS = [
    {},
    {"category": "Network"},
    {"category": ""},
    {"area": "", "status": "excluded"},
    {"flags": ["follow_up"], "without_flags": ["invite"]},
    {"search": "lodz"},
    {"search": "华人", "category": "Infrastructure"},
    {"search": "اردو"},
    {"search": "nothing like this"},
]


@pytest.mark.parametrize("filters", FILTERS)
def test_counts_match_the_rows(mixed: Study, filters):
    orgs = mixed.organisations
    ids = orgs.ids(**filters)
    expected = brute(mixed, ids)
    listed, counts = orgs.ids_with_counts(**filters, order_by="area", descending=True)
    assert listed == orgs.ids(**filters, order_by="area", descending=True)
    assert counts.by_status == expected
    assert orgs.status_counts(**filters).by_status == expected
    assert orgs.status_counts(ids=ids).by_status == expected
    assert counts.total == len(ids)
    assert counts.on_database == len(ids) - expected["excluded"]
    assert counts.interviewed == expected["interviewed"]


def test_counts_of_a_list_and_filters_together(mixed: Study):
    orgs = mixed.organisations
    some = orgs.ids()[::3]
    network = set(orgs.ids(category="Network"))
    both = [i for i in some if i in network]
    assert orgs.status_counts(ids=some, category="Network").by_status == brute(mixed, both)
    assert orgs.status_counts(ids=[]).total == 0


def test_without_flags_is_the_complement(mixed: Study):
    orgs = mixed.organisations
    every = set(orgs.ids())
    ticked = set(orgs.ids(flags=["follow_up"]))
    unticked = set(orgs.ids(without_flags=["follow_up"]))
    assert ticked and unticked and ticked | unticked == every and not ticked & unticked
    for org in orgs.many(sorted(unticked)):
        assert "follow_up" not in org.flags


def test_status_sorts_in_the_order_work_moves(small_study: Study):
    orgs = small_study.organisations
    made = {s: orgs.add(f"{s} org", status=s) for s in reversed(STATUSES)}
    assert orgs.ids(order_by="status") == [made[s] for s in STATUSES]
    assert orgs.ids(order_by="status", descending=True) == [made[s] for s in reversed(STATUSES)]
    assert orgs.ids(order_by="status", limit=2) == [made["identified"], made["contacting"]]


def test_a_search_matching_more_ids_than_sqlite_parameters(small_study: Study):
    """The search's matches go to SQLite as one JSON value, so there is no parameter cap
    (32,766 bound values in SQLite's default build): 40,000 matching organisations."""
    orgs = small_study.organisations
    with small_study.transaction():
        for i in range(10):
            orgs.add(f"Club {i}", category="Network" if i % 2 else None)
        conn = small_study.conn
        for _ in range(12):  # double the organisations 12 times: 10 * 4096 = 40,960
            conn.execute(
                "INSERT INTO organisations(name, category, status, created, updated) "
                "SELECT name, category, status, created, updated FROM organisations")
        for (org_id,) in conn.execute("SELECT id FROM organisations WHERE id > 10").fetchall():
            small_study.search.index_organisation(org_id)
    total = 10 * 2 ** 12
    assert total > 32_766
    ids, counts = orgs.ids_with_counts(search="club", category="Network")
    assert len(ids) == total // 2 and counts.by_status["identified"] == total // 2
    assert orgs.status_counts(ids=orgs.ids(search="club")).total == total


def test_restore_contact_keeps_its_id(small_study: Study):
    orgs = small_study.organisations
    org = orgs.add("People")
    c = orgs.add_contact(org, "Zofia Wójcik", role="Chair", phone="0121 496 0001")
    contact = orgs.contact(c)
    orgs.delete_contact(c)
    assert orgs.ids(search="wojcik") == []
    orgs.restore_contact(contact)
    assert orgs.contact(c) == contact
    assert orgs.ids(search="wojcik") == [org]
    with pytest.raises(InvalidValueError, match="already there"):
        orgs.restore_contact(contact)


def test_a_query_object_and_keywords_ask_for_the_same_list(mixed):
    from fieldkit.organisations import OrganisationQuery

    orgs = mixed.organisations
    flag = mixed.template.flag_ids()[0]
    query = OrganisationQuery(category=mixed.template.categories[0], without_flags=[flag], search="club",
                              order_by="status", descending=True)
    by_keywords = orgs.ids(category=mixed.template.categories[0], without_flags=(flag,), search="club",
                           order_by="status", descending=True)
    assert by_keywords and orgs.ids(query) == by_keywords
    assert orgs.ids_with_counts(query)[0] == by_keywords
    assert orgs.ids(query, status="excluded") == [i for i in by_keywords if i in set(orgs.ids(status="excluded"))]
    assert query.filtered and not OrganisationQuery().filtered and OrganisationQuery(search="  ").filtered is False
    assert query == OrganisationQuery(category=mixed.template.categories[0], without_flags=(flag,), search="club",
                                      order_by="status", descending=True)  # lists become tuples


def test_a_disposition_in_the_query_keeps_the_organisations_with_it(mixed):
    from fieldkit import dispositions
    from fieldkit.organisations import OrganisationQuery

    orgs = mixed.organisations
    for wanted in ("final", "3", "in_interview"):
        expected = set(dispositions.matching(mixed, wanted))
        got = orgs.ids(OrganisationQuery(disposition=wanted))
        assert set(got) == expected
        counts = orgs.ids_with_counts(OrganisationQuery(disposition=wanted))[1]
        assert sum(counts.by_status.values()) == len(expected)
    with pytest.raises(InvalidValueError):
        orgs.ids(OrganisationQuery(disposition="nonsense"))
