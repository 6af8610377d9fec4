"""The UI's one path for changes: the session calls the core, reports changes, and undoes."""

from __future__ import annotations

import pytest

from fieldkit.study import Study


@pytest.fixture
def session(qtbot, small_study: Study, monkeypatch):
    from fieldkit.ui import errors
    from fieldkit.ui.session import StudySession

    warnings: list[tuple[str, str]] = []
    monkeypatch.setattr(errors, "warn", lambda parent, title, text: warnings.append((title, text)))
    s = StudySession(small_study)
    s.warnings = warnings
    return s


def test_edit_undo_redo(session, qtbot):
    orgs = session.study.organisations
    org = orgs.add("Old name", category="Network")
    seen = []
    session.changed.connect(seen.append)
    assert session.edit("rename", lambda: orgs.update(org, name="New name"),
                        lambda: orgs.update(org, name="Old name"), {"organisations"})
    assert orgs.get(org).name == "New name" and seen == [{"organisations"}]
    session.undo_stack.undo()
    assert orgs.get(org).name == "Old name"
    session.undo_stack.redo()
    assert orgs.get(org).name == "New name"
    assert len(seen) == 3


def test_refused_edit_warns_and_leaves_no_history(session):
    orgs = session.study.organisations
    org = orgs.add("Org", category="Network")
    assert not session.edit("category", lambda: orgs.update(org, category="Nonsense"),
                            lambda: orgs.update(org, category="Network"), {"organisations"})
    assert session.warnings == [("Not saved: category", "'Nonsense' is not one of the study's categories")]
    assert session.undo_stack.count() == 0
    assert orgs.get(org).category == "Network"


def test_call_returns_result_or_none(session):
    assert session.call(session.study.organisations.add, "Made", changes={"organisations"}) > 0
    assert session.call(session.study.organisations.add, " ", changes={"organisations"}) is None
    assert session.warnings[-1][1] == "an organisation needs a name"


def test_run_tells_a_change_made_from_one_refused(session):
    """For core calls that return None: True once made (and the screens told), False after
    the warning; never the None that ``call`` cannot tell from a refusal."""
    orgs = session.study.organisations
    org = orgs.add("Org", category="Network")
    seen = []
    session.changed.connect(seen.append)
    assert session.run(orgs.update, org, name="Renamed", changes={"organisations"}, what="the name") is True
    assert orgs.get(org).name == "Renamed" and seen == [{"organisations"}]
    assert session.run(orgs.update, org, category="Nonsense", changes={"organisations"}, what="the category") is False
    assert session.warnings == [("Not saved: the category", "'Nonsense' is not one of the study's categories")]
    assert orgs.get(org).category == "Network" and len(seen) == 1
