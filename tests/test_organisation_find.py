"""Finding the organisation a person means, by id or by exact name: what the command line's
casesheet, access and erase commands ask the core."""

from __future__ import annotations

import pytest

from fieldkit.errors import InvalidValueError, NotFoundError
from fieldkit.study import Study


def test_by_id_by_name_ignoring_case_and_refusing_what_is_ambiguous(small_study: Study):
    orgs = small_study.organisations
    link_a = orgs.add("Community Link")
    link_b = orgs.add("community link")
    forum = orgs.add("Hillfields Forum")
    numbered = orgs.add(str(forum + 100))  # an organisation whose name is a number
    assert orgs.find(str(forum)) == forum
    assert orgs.find("  hillfields FORUM ") == forum
    assert orgs.find(str(forum + 100)) == numbered  # no such id: then the name
    ambiguous = rf"2 organisations are named 'Community Link' \(ids {link_a}, {link_b}\)"
    with pytest.raises(InvalidValueError, match=ambiguous):
        orgs.find("Community Link")
    with pytest.raises(NotFoundError, match="no organisation named 'Nobody'"):
        orgs.find("Nobody")
    with pytest.raises(NotFoundError, match="no organisation with the id 999 or that name"):
        orgs.find("999")
