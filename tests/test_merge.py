"""Merging two copies of a study: two researchers who split a calling list (fieldkit.merge).

Studies are built through Study.create and the demo builder; the second researcher's copy is
made as researchers make it (Study.save_copy, or copying the closed file), and both copies
are then changed through the real core functions.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_runs import run, run_with_passphrases
from studies import file_digest, small_template

from fieldkit import checks, merge
from fieldkit.errors import PassphraseError
from fieldkit.demo.builder import build_demo
from fieldkit.study import Study

UID_TABLES = ("organisations", "contacts", "attempts", "interviews", "changes", "held")


def _interview(study: Study, org: int, text: str, *, finish: bool = True, engaged: str | None = None) -> int:
    session = study.interviews.start(org, interviewer="AK", date="2026-10-01")
    session.save_answer("role", "Coordinator")
    session.save_answer("size", "Small")
    session.save_answer("sector_barriers", text)
    if engaged is not None:
        session.save_answer("sector_engaged", engaged)
    if finish:
        session.complete()
    return session.interview_id


def _pair(tmp_path: Path) -> tuple[Study, Study]:
    """A study with two organisations and its copy, both open."""
    mine = Study.create(tmp_path / "mine.fieldkit", small_template(), title="Advice mapping")
    mine.organisations.add(name="Alpha Advice", category="Network")
    mine.organisations.add(name="Beta Youth")
    other = Study.open(mine.save_copy(tmp_path / "theirs.fieldkit"))
    return mine, other


def _org(study: Study, name: str) -> int:
    (org_id,) = study.organisations.find_by_name(name)
    return org_id


def _plan(mine: Study, other: Study) -> merge.MergePlan:
    path = other.path
    other.close()
    return merge.plan(mine, path)


def test_every_write_path_gives_a_uid_and_a_copy_keeps_the_study_uid(tmp_path: Path):
    study = build_demo(tmp_path / "demo.fieldkit", organisations=12)
    for table in UID_TABLES:
        assert study.scalar(f"SELECT count(*) FROM {table}") > 0, table
        assert study.scalar(f"SELECT count(*) FROM {table} WHERE uid IS NULL OR length(uid) <> 32") == 0, table
        assert study.scalar(f"SELECT count(DISTINCT uid) = count(*) FROM {table}") == 1, table
    copy = Study.open(study.save_copy(tmp_path / "copy.fieldkit"))
    assert len(study.meta("study_uid")) == 32 and copy.meta("study_uid") == study.meta("study_uid")
    assert copy.scalar("SELECT group_concat(uid) FROM organisations ORDER BY id") == study.scalar(
        "SELECT group_concat(uid) FROM organisations ORDER BY id")
    other = Study.create(tmp_path / "other.fieldkit", small_template())
    assert other.meta("study_uid") != study.meta("study_uid")


def test_a_merge_brings_every_record_once_and_the_second_changes_nothing(tmp_path: Path):
    mine, other = _pair(tmp_path)
    alpha, beta = _org(mine, "Alpha Advice"), _org(mine, "Beta Youth")
    mine.attempts.log(alpha, outcome="No answer")
    other.attempts.log(beta, outcome="Left a message")
    other.organisations.add_contact(beta, "Sam Patel", role="Chair")
    other.organisations.update(beta, area="Coventry")
    for i in range(5):
        _interview(other, other.organisations.add(name=f"Group {i}", category="Network"), f"words of group {i}")
    assert other.pool.count() == 5
    other.close()
    theirs_before = file_digest(other.path)
    found = _plan(mine, other)
    assert (len(found.organisations), len(found.attempts), len(found.contacts), len(found.interviews),
            len(found.comments)) == (5, 1, 1, 5, 5)
    assert [e.field for e in found.edits] == ["area", "status"] and not found.conflicts
    done = merge.apply(mine, found)
    assert done.backup is not None and done.backup.exists()
    assert mine.organisations.get(beta).area == "Coventry" and mine.organisations.get(beta).status == "contacting"
    assert mine.scalar("SELECT count(*) FROM attempts") == 2
    assert [c.name for c in mine.organisations.contacts(beta)] == ["Sam Patel"]
    assert mine.pool.count() == 5 and mine.search.comment_ids("words of group 3")
    assert mine.organisations.ids(search="Group 4")
    assert checks.problems(mine) == []
    assert Path(f"{mine.path}-wal").stat().st_size == 0  # emptied after the pool was laid out again
    assert file_digest(other.path) == theirs_before  # the other copy is only read
    before = file_digest(mine.path)
    again = merge.plan(mine, found.other_path)
    assert again.empty and again.lines() == ["nothing to merge: the other copy holds nothing this study lacks"]
    assert merge.apply(mine, again).backup is None
    assert file_digest(mine.path) == before


def test_a_field_edited_in_both_is_a_conflict_that_must_be_settled(tmp_path: Path):
    mine, other = _pair(tmp_path)
    alpha = _org(mine, "Alpha Advice")
    mine.organisations.update(alpha, phone="0121 496 0000", website="alpha.example")
    other.organisations.update(alpha, phone="0121 496 0999", notes="Ring after 2")
    other.organisations.set_flag(alpha, "invite")
    found = _plan(mine, other)
    assert [(c.field, c.mine, c.theirs) for c in found.conflicts] == [("phone", "+441214960000", "+441214960999")]
    # shown as the case form shows numbers, in the dialog and the dry run alike
    assert (found.conflicts[0].mine_shown, found.conflicts[0].theirs_shown) == ("0121 496 0000", "0121 496 0999")
    assert "0121 496 0999" in found.conflicts[0].describe()
    assert {e.field for e in found.edits} == {"notes", "flag invite"}  # the other's alone: taken
    before = file_digest(mine.path)
    with pytest.raises(merge.MergeConflictError) as refused:
        merge.apply(mine, found)
    assert refused.value.conflicts == found.conflicts and "\n" not in str(refused.value)
    assert file_digest(mine.path) == before
    with pytest.raises(merge.MergeError, match="no such conflict"):
        merge.apply(mine, found, choices={"nope:phone": "theirs"})
    merge.apply(mine, found, choices={found.conflicts[0].key: "mine"})
    org = mine.organisations.get(alpha)
    assert (org.phone, org.website, org.notes, "invite" in org.flags) == (
        "+441214960000", "alpha.example", "Ring after 2", True)
    # The other's phone change came across in its log; the merge says it was put back.
    assert [(c.field, c.new) for c in mine.organisations.changes(alpha) if c.field == "phone"][-1] == (
        "phone", "+441214960000")
    assert merge.plan(mine, found.other_path).empty
    assert checks.problems(mine) == []


def test_taking_theirs_settles_a_conflict_their_way(tmp_path: Path):
    mine, other = _pair(tmp_path)
    alpha = _org(mine, "Alpha Advice")
    mine.organisations.set_status(alpha, "declined")
    other.organisations.set_status(alpha, "excluded", "Closed down")
    found = _plan(mine, other)
    assert [c.field for c in found.conflicts] == ["status"]
    assert [e.field for e in found.edits] == ["exclusion_reason"]  # set in the other alone: taken
    merge.apply(mine, found, take="theirs")
    org = mine.organisations.get(alpha)
    assert (org.status, org.exclusion_reason) == ("excluded", "Closed down")
    assert merge.plan(mine, found.other_path).empty


def test_a_copy_of_another_study_or_the_study_itself_is_refused_by_name(tmp_path: Path):
    mine = Study.create(tmp_path / "mine.fieldkit", small_template(), title="Advice mapping")
    stranger = Study.create(tmp_path / "stranger.fieldkit", small_template(), title="Youth clubs 2025")
    stranger.organisations.add(name="Gamma")
    stranger.close()
    before = file_digest(mine.path)
    with pytest.raises(merge.MergeError) as refused:
        merge.plan(mine, tmp_path / "stranger.fieldkit")
    assert str(refused.value) == (f"{tmp_path / 'stranger.fieldkit'} is a copy of a different study "
                                  "(“Youth clubs 2025”); nothing was merged")
    with pytest.raises(merge.MergeError, match="this study itself"):
        merge.plan(mine, mine.path)
    with pytest.raises(merge.MergeError, match="no such study file"):
        merge.plan(mine, tmp_path / "missing.fieldkit")
    assert file_digest(mine.path) == before


def test_organisations_added_in_both_are_offered_and_a_match_is_remembered(tmp_path: Path):
    mine, other = _pair(tmp_path)
    gamma = mine.organisations.add(name="Gamma Community Trust", phone="0121 496 0123")
    theirs = other.organisations.add(name="The Gamma Community Trust Ltd", email="hello@gamma.example")
    other.attempts.log(theirs, outcome="No answer")
    found = _plan(mine, other)
    (offer,) = found.matches
    assert offer.mine_uid == mine.scalar("SELECT uid FROM organisations WHERE id = ?", (gamma,))
    assert offer.reasons == ("same name",)
    merge.apply(mine, found, matches=[offer.key])
    assert mine.organisations.count() == 3  # joined, not added
    assert mine.organisations.get(gamma).email == "hello@gamma.example"  # a blank filled from the other
    assert len(mine.attempts.for_organisation(gamma)) == 1
    assert merge.plan(mine, found.other_path).empty  # the match is remembered
    assert checks.problems(mine) == []


def test_an_unticked_match_adds_the_organisation_as_its_own(tmp_path: Path):
    mine, other = _pair(tmp_path)
    mine.organisations.add(name="Gamma Community Trust")
    other.organisations.add(name="Gamma Community Trust")
    found = _plan(mine, other)
    assert len(found.matches) == 1
    merge.apply(mine, found)
    assert len(mine.organisations.find_by_name("Gamma Community Trust")) == 2


def test_held_answers_come_with_their_interviews_and_groups_reaching_k_move(tmp_path: Path):
    mine, other = _pair(tmp_path)
    for i in range(3):
        _interview(mine, mine.organisations.add(name=f"Mine {i}"), f"mine says {i}")
    for i in range(2):
        _interview(other, other.organisations.add(name=f"Theirs {i}"), f"theirs says {i}")
    assert (mine.held.count(), other.held.count(), mine.pool.count()) == (3, 2, 0)  # k = 5: all held
    found = _plan(mine, other)
    assert sum(len(iv["held"]) for iv in found.interviews) == 2
    done = merge.apply(mine, found)
    assert done.moved == 5 and mine.held.count() == 0 and mine.pool.count() == 5  # one group of 5
    assert sorted(c.text for c in mine.pool.comments()) == sorted(
        [f"mine says {i}" for i in range(3)] + [f"theirs says {i}" for i in range(2)])
    assert checks.problems(mine) == []


def _parted_with_held_answers(tmp_path: Path, engaged: list[str]) -> tuple[Study, Study]:
    """A study whose finished interviews' anonymous answers (one each in words, and
    ``engaged`` as choices) are still held (fewer than k), copied whole as a file."""
    mine = Study.create(tmp_path / "mine.fieldkit", small_template())
    for i, choice in enumerate(engaged):
        _interview(mine, mine.organisations.add(name=f"Before {i}"), f"said before parting {i}", engaged=choice)
    assert mine.held.count() == 2 * len(engaged)
    mine.close()
    shutil.copyfile(tmp_path / "mine.fieldkit", tmp_path / "theirs.fieldkit")  # the file, held answers and all
    return Study.open(tmp_path / "mine.fieldkit"), Study.open(tmp_path / "theirs.fieldkit")


def _engaged(study: Study) -> dict[str, int]:
    return study.pool.distribution("sector_engaged")


def test_an_answer_held_when_plain_copies_parted_and_pooled_in_both_is_one_comment(tmp_path: Path):
    mine, other = _parted_with_held_answers(tmp_path, ["Low", "Low", "High"])
    for i, choice in enumerate(["Medium", "Medium"]):
        _interview(mine, mine.organisations.add(name=f"Mine {i}"), f"mine after {i}", engaged=choice)
    for i, choice in enumerate(["High", "Low"]):
        _interview(other, other.organisations.add(name=f"Theirs {i}"), f"theirs after {i}", engaged=choice)
    assert mine.pool.count() == other.pool.count() == 10
    assert not {c.id for c in mine.pool.comments()} & {c.id for c in other.pool.comments()}  # ids: random
    found = _plan(mine, other)
    assert found.absorbed == 6 and len(found.comments) == 4 and not found.notes
    assert "pool: 6 comment(s) of the other copy left out: answers held when the copies parted, pooled in both" \
        in found.lines()
    merge.apply(mine, found)
    texts = [c.text for c in mine.pool.comments(question_id="sector_barriers")]
    assert len(texts) == len(set(texts)) == 7
    assert _engaged(mine) == {"Low": 3, "Medium": 2, "High": 2}
    assert checks.problems(mine) == [] and merge.plan(mine, found.other_path).empty
    # Merged back the other way, and again: the answers pooled in both are still found once.
    other = Study.open(tmp_path / "theirs.fieldkit")
    back = merge.plan(other, mine.path)
    assert back.absorbed == 6 and len(back.comments) == 4
    merge.apply(other, back)
    assert sorted(c.text for c in other.pool.comments(question_id="sector_barriers")) == sorted(texts)
    assert _engaged(other) == {"Low": 3, "Medium": 2, "High": 2}
    other.close()
    assert merge.plan(mine, tmp_path / "theirs.fieldkit").comments == []


def test_answers_pooled_in_both_among_equal_new_ones_keep_the_counts_and_say_so(tmp_path: Path):
    """Equal choices new in both copies cannot be told from the answers pooled in both:
    the number of comments is right, and the plan says the count of each may not be."""
    mine, other = _parted_with_held_answers(tmp_path, ["Low", "Low", "High"])
    for i, choice in enumerate(["Medium", "High"]):
        _interview(mine, mine.organisations.add(name=f"Mine {i}"), f"mine after {i}", engaged=choice)
    for i, choice in enumerate(["High", "Medium"]):
        _interview(other, other.organisations.add(name=f"Theirs {i}"), f"theirs after {i}", engaged=choice)
    found = _plan(mine, other)
    assert found.absorbed == 6
    assert any("answers to “sector_engaged” pooled in both copies had the same answer" in n for n in found.notes)
    merge.apply(mine, found)
    assert sum(_engaged(mine).values()) == 7 and mine.pool.count() == 14


def test_an_answer_deleted_here_after_it_was_pooled_in_both_is_said(tmp_path: Path):
    mine, other = _parted_with_held_answers(tmp_path, ["Low", "Low", "High"])
    for i in range(2):
        _interview(mine, mine.organisations.add(name=f"Mine {i}"), f"mine after {i}", engaged="Medium")
        _interview(other, other.organisations.add(name=f"Theirs {i}"), f"theirs after {i}", engaged="Medium")
    (gone,) = [c for c in mine.pool.comments() if c.text == "said before parting 1"]
    mine.pool.delete(gone.id)
    found = _plan(mine, other)
    assert any("1 answer(s) to “sector_barriers” pooled in both copies were not found in both pools" in n
               for n in found.notes)


def test_answers_pooled_before_parting_are_not_taken_for_answers_pooled_in_both(tmp_path: Path):
    """Both copies remember the answers moved before they parted, under the same marks: the
    same choice given in both copies since is two answers, not one."""
    mine = Study.create(tmp_path / "mine.fieldkit", small_template())
    for i in range(5):
        _interview(mine, mine.organisations.add(name=f"Before {i}"), f"pooled before parting {i}", engaged="Low")
    other = Study.open(mine.save_copy(tmp_path / "theirs.fieldkit"))
    for i in range(5):
        _interview(mine, mine.organisations.add(name=f"Mine {i}"), f"mine after {i}", engaged="Low")
        _interview(other, other.organisations.add(name=f"Theirs {i}"), f"theirs after {i}", engaged="Low")
    found = _plan(mine, other)
    assert found.absorbed == 0 and len(found.comments) == 10
    merge.apply(mine, found)
    assert _engaged(mine) == {"Low": 15, "Medium": 0, "High": 0}


def test_a_held_answer_the_other_copy_pooled_is_not_held_here_again(tmp_path: Path):
    mine, other = _parted_with_held_answers(tmp_path, ["Low", "Low", "High"])
    for i in range(2):
        _interview(other, other.organisations.add(name=f"Theirs {i}"), f"theirs after {i}", engaged="Medium")
    assert (mine.held.count(), other.held.count()) == (6, 0)
    held_uids = {uid for (uid,) in mine.conn.execute("SELECT uid FROM held")}
    found = _plan(mine, other)
    assert set(found.held_dropped) == held_uids and len(found.comments) == 10 and found.absorbed == 0
    merge.apply(mine, found)
    assert (mine.held.count(), mine.pool.count()) == (0, 10)
    assert _engaged(mine) == {"Low": 2, "Medium": 2, "High": 1}
    assert checks.problems(mine) == []
    # The other way round: the answers this copy still held are not brought into the other.
    other = Study.open(tmp_path / "theirs.fieldkit")
    assert merge.plan(other, mine.path).held == []


def test_an_interview_finished_in_the_other_copy_is_taken(tmp_path: Path):
    mine = Study.create(tmp_path / "mine.fieldkit", small_template())
    org = mine.organisations.add(name="Alpha")
    session = mine.interviews.start(org, interviewer="AK", date="2026-10-01")
    session.save_answer("role", "Chair")
    iv = session.interview_id
    session.close()
    other = Study.open(mine.save_copy(tmp_path / "theirs.fieldkit"))
    resumed = other.interviews.resume(iv)
    resumed.save_answer("size", "Large")
    resumed.complete()
    found = _plan(mine, other)
    assert [r["uid"] for r in found.interview_updates] == [mine.scalar("SELECT uid FROM interviews")]
    merge.apply(mine, found)
    assert mine.scalar("SELECT completed IS NOT NULL FROM interviews") == 1
    assert mine.scalar("SELECT value FROM answers WHERE question_id = 'size'") == '"Large"'


def test_a_contact_removed_here_is_not_brought_back(tmp_path: Path):
    mine = Study.create(tmp_path / "mine.fieldkit", small_template())
    org = mine.organisations.add(name="Alpha")
    contact = mine.organisations.add_contact(org, "Jo Bloggs")
    other = Study.open(mine.save_copy(tmp_path / "theirs.fieldkit"))
    mine.organisations.delete_contact(contact)
    other.organisations.add_contact(org, "Ali Khan")
    merge.apply(mine, _plan(mine, other))
    assert [c.name for c in mine.organisations.contacts(org)] == ["Ali Khan"]


def test_schedule_changes_in_one_copy_come_across_and_in_both_are_refused(tmp_path: Path):
    mine, other = _pair(tmp_path)
    other.add_vocabulary_values({"areas": ["Solihull"]})
    beta = _org(other, "Beta Youth")
    other.organisations.update(beta, area="Solihull")
    found = _plan(mine, other)
    assert [v for v, _, _ in found.templates] == [2]
    merge.apply(mine, found)
    assert "Solihull" in mine.template.vocabulary("areas") and checks.problems(mine) == []
    other = Study.open(found.other_path)
    other.add_vocabulary_values({"areas": ["Walsall"]})
    mine.add_vocabulary_values({"areas": ["Dudley"]})
    with pytest.raises(merge.MergeError, match="both copies changed the study's template"):
        _plan(mine, other)


def test_the_demo_study_and_its_copy_merge_clean(tmp_path: Path):
    mine = build_demo(tmp_path / "demo.fieldkit", organisations=16)
    other = Study.open(mine.save_copy(tmp_path / "theirs.fieldkit"))
    orgs = other.organisations.ids()
    for org in orgs[:4]:
        other.attempts.log(org, outcome=other.template.vocabulary("outcomes")[0])
    other.organisations.update(orgs[5], notes="Moved to new premises")
    found = _plan(mine, other)
    assert len(found.attempts) == 4 and [e.field for e in found.edits] == ["notes"]
    merge.apply(mine, found)
    assert checks.problems(mine) == [] and merge.plan(mine, found.other_path).empty


# --- the command line ------------------------------------------------------------------------

def test_the_dry_run_says_what_would_happen_and_changes_nothing(tmp_path: Path, capsys):
    mine, other = _pair(tmp_path)
    alpha = _org(mine, "Alpha Advice")
    other.attempts.log(alpha, outcome="No answer")
    mine.organisations.update(alpha, phone="0121 496 0000")
    other.organisations.update(alpha, phone="0121 496 0999")
    other.organisations.add(name="Delta Arts")
    uid = mine.scalar("SELECT uid FROM organisations WHERE id = ?", (alpha,))
    paths = mine.path, other.path
    mine.close()
    other.close()
    before = file_digest(paths[0])
    code, out, err = run(capsys, "merge", *paths, "--dry-run")
    assert code == 0 and err == ""
    assert "add: 1 organisation, 1 attempt, 2 change log entries" in out
    assert "add organisation “Delta Arts”" in out
    assert f"conflict: Alpha Advice [{uid}:phone]: phone: this copy “0121 496 0000”, the other “0121 496 0999”" in out
    assert file_digest(paths[0]) == before


def test_unsettled_conflicts_are_refused_then_chosen_one_by_one(tmp_path: Path, capsys):
    mine, other = _pair(tmp_path)
    alpha = _org(mine, "Alpha Advice")
    mine.organisations.update(alpha, phone="0121 496 0000")
    other.organisations.update(alpha, phone="0121 496 0999")
    uid = mine.scalar("SELECT uid FROM organisations WHERE id = ?", (alpha,))
    paths = mine.path, other.path
    mine.close()
    other.close()
    before = file_digest(paths[0])
    code, out, err = run(capsys, "merge", *paths)
    assert code == 1 and "1 field was edited differently in both copies" in err
    assert f"[{uid}:phone]" in err and "--choose UID:FIELD=mine|theirs" in err
    assert file_digest(paths[0]) == before
    code, out, err = run(capsys, "merge", *paths, "--choose", f"{uid}:phone=sideways")
    assert code == 2 and file_digest(paths[0]) == before
    code, out, err = run(capsys, "merge", *paths, "--choose", f"{uid}:phone=theirs")
    assert code == 0 and "merged" in out, err
    with Study.open(paths[0]) as study:
        assert study.organisations.get(alpha).phone == "+441214960999"
    code, out, err = run(capsys, "merge", *paths, "--take", "mine")
    assert code == 0 and "nothing to merge" in out


def test_a_copy_of_another_study_is_refused_in_one_line(tmp_path: Path, capsys):
    Study.create(tmp_path / "mine.fieldkit", small_template(), title="Advice mapping").close()
    Study.create(tmp_path / "stranger.fieldkit", small_template(), title="Youth clubs").close()
    before = file_digest(tmp_path / "mine.fieldkit")
    code, out, err = run(capsys, "merge", tmp_path / "mine.fieldkit", tmp_path / "stranger.fieldkit")
    assert code == 1 and err.count("\n") == 1 and "is a copy of a different study (“Youth clubs”)" in err
    assert file_digest(tmp_path / "mine.fieldkit") == before


def test_a_match_is_asked_for_on_the_command_line(tmp_path: Path, capsys):
    mine, other = _pair(tmp_path)
    mine.organisations.add(name="Gamma Trust")
    other.organisations.add(name="Gamma Trust")
    paths = mine.path, other.path
    found = _plan(mine, other)
    mine.close()
    code, out, err = run(capsys, "merge", *paths, "--match", found.matches[0].key)
    assert code == 0, err
    with Study.open(paths[0]) as study:
        assert study.organisations.count() == 3


def test_the_pool_is_laid_out_again_in_id_order_after_merging(tmp_path: Path):
    """The other copy's comments do not sit in the file after this copy's (which would tell
    them apart from the interviews of this copy): every pool page's cells, oldest first, run in
    id order, as after a move into the pool."""
    from anonymity_attacks import CELL_TABLES, cell_times

    mine, other = _pair(tmp_path)
    for i in range(5):
        _interview(mine, mine.organisations.add(name=f"Mine {i}"), f"this copy's remark {i}")
        _interview(other, other.organisations.add(name=f"Theirs {i}"), f"the other copy's remark {i}")
    merge.apply(mine, _plan(mine, other))
    assert mine.pool.count() == 10
    layout = cell_times(Path(mine.path).read_bytes())
    for table in CELL_TABLES:
        by_age = sorted(layout[table], key=lambda rowid: layout[table][rowid][0])
        assert by_age == sorted(by_age), table


def test_an_organisation_erased_here_is_not_brought_back_by_the_other_copy(tmp_path: Path):
    from fieldkit.personal_data import erase

    mine, other = _pair(tmp_path)
    beta = _org(mine, "Beta Youth")
    other.attempts.log(beta, outcome="No answer")
    other.organisations.add_contact(beta, "Pat Doe")
    _interview(other, beta, "beta's remark")
    erase(mine, beta)
    found = _plan(mine, other)
    assert not found.attempts and not found.contacts and not found.interviews and not found.edits
    assert any("deleted in this study are not brought back" in n and "Beta Youth" in n for n in found.notes)
    merge.apply(mine, found)
    assert mine.organisations.find_by_name("Beta Youth") == []
    assert mine.scalar("SELECT count(*) FROM held") == 0 and checks.problems(mine) == []


def test_the_other_copys_deletions_are_said_not_made(tmp_path: Path):
    mine, other = _pair(tmp_path)
    attempt = mine.attempts.log(_org(mine, "Alpha Advice"), outcome="No answer")
    other.close()
    other = Study.open(mine.save_copy(tmp_path / "later.fieldkit"))
    other.organisations.delete(_org(other, "Beta Youth"))
    other.attempts.delete(attempt)
    found = _plan(mine, other)
    assert any("the other copy deleted 1 organisation(s)" in n and "Beta Youth" in n for n in found.notes)
    assert "the other copy deleted 1 contact(s), attempt(s) or interview(s) this study still has" in found.notes
    merge.apply(mine, found)
    assert mine.organisations.find_by_name("Beta Youth") and mine.attempts.count() == 1


def test_a_comment_deleted_here_is_not_brought_back(tmp_path: Path):
    mine = Study.create(tmp_path / "mine.fieldkit", small_template())
    for i in range(5):
        _interview(mine, mine.organisations.add(name=f"Before {i}"), f"pooled before parting {i}")
    other = Study.open(mine.save_copy(tmp_path / "theirs.fieldkit"))
    (gone,) = [c for c in mine.pool.comments() if c.text == "pooled before parting 2"]
    mine.pool.delete(gone.id)
    other.pool.tag(gone.id, "help")
    found = _plan(mine, other)
    assert not found.comments and not found.pool_themes
    merge.apply(mine, found)
    assert "pooled before parting 2" not in [c.text for c in mine.pool.comments()]
    mine.pool.restore(gone)  # undone: no longer remembered as deleted
    assert merge.plan(mine, found.other_path).pool_themes == [(gone.id, "help")]


def test_encrypted_copies_merge_with_their_passphrase(tmp_path: Path, capsys, monkeypatch):
    secret = "correct horse battery staple"
    mine = Study.create(tmp_path / "mine.fieldkit", small_template(), passphrase=secret)
    alpha = mine.organisations.add(name="Alpha")
    copy = mine.save_copy(tmp_path / "theirs.fieldkit")
    mine.close()
    with Study.open(copy, passphrase=secret) as other:
        other.attempts.log(alpha, outcome="No answer")
    code, out, err = run_with_passphrases(capsys, monkeypatch, "merge", tmp_path / "mine.fieldkit", copy,
                                          passphrase=secret)
    assert code == 0 and "added 0 organisations, 1 attempt" in out, err
    with Study.open(tmp_path / "mine.fieldkit", passphrase=secret) as study:
        assert len(study.attempts.for_organisation(alpha)) == 1
        with pytest.raises(PassphraseError, match="does not open"):
            merge.plan(study, copy, passphrase="not the passphrase at all")


def test_a_plan_applied_twice_is_refused_the_second_time_and_changes_nothing(tmp_path: Path):
    mine, other = _pair(tmp_path)
    other.attempts.log(_org(other, "Alpha Advice"), outcome="No answer")
    found = _plan(mine, other)
    merge.apply(mine, found)
    before = file_digest(mine.path)
    with pytest.raises(merge.MergeError, match="changed since the merge was worked out"):
        merge.apply(mine, found)
    assert file_digest(mine.path) == before and mine.scalar("SELECT count(*) FROM attempts") == 1


def test_a_value_renamed_in_one_copy_is_renamed_in_both(tmp_path: Path):
    mine, other = _pair(tmp_path)
    added_here = mine.organisations.add(name="Delta Network", category="Network")
    other.rename_vocabulary_value("categories", "Network", "Networks and forums")
    added_there = other.organisations.add(name="Epsilon", category="Networks and forums")
    found = _plan(mine, other)
    assert found.renames == {"categories": {"Network": "Networks and forums"}} and not found.edits
    assert "rename the category “Network” to “Networks and forums”, as the other copy did" in found.lines()
    merge.apply(mine, found)
    alpha = _org(mine, "Alpha Advice")
    assert {mine.organisations.get(o).category for o in (alpha, added_here, _org(mine, "Epsilon"))} == {
        "Networks and forums"}
    assert checks.problems(mine) == [] and merge.plan(mine, found.other_path).empty
    assert added_there


def test_a_value_renamed_here_renames_what_the_other_copy_brings(tmp_path: Path):
    mine, other = _pair(tmp_path)
    mine.rename_vocabulary_value("categories", "Network", "Networks and forums")
    other.organisations.add(name="Epsilon", category="Network")
    merge.apply(mine, _plan(mine, other))
    assert mine.organisations.get(_org(mine, "Epsilon")).category == "Networks and forums"
    assert checks.problems(mine) == []


def test_attempts_interviews_and_contacts_deleted_here_are_not_brought_back(tmp_path: Path):
    mine = Study.create(tmp_path / "mine.fieldkit", small_template())
    org = mine.organisations.add(name="Alpha")
    attempt = mine.attempts.log(org, outcome="No answer")
    contact = mine.organisations.add_contact(org, "Jo Bloggs")
    interview = _interview(mine, org, "a remark held with its interview")
    other = Study.open(mine.save_copy(tmp_path / "theirs.fieldkit"))
    mine.attempts.delete(attempt)
    mine.interviews.delete(interview)
    mine.organisations.delete_contact(contact)
    found = _plan(mine, other)
    assert not found.attempts and not found.interviews and not found.contacts
    assert any("3 contact(s), attempt(s) or interview(s) deleted in this study" in n for n in found.notes)
    merge.apply(mine, found)
    assert (mine.attempts.count(), mine.interviews.count(), mine.organisations.contacts(org)) == (0, 0, [])


def test_a_difference_neither_copys_log_explains_keeps_this_studys_value(tmp_path: Path):
    """The other researcher stripped the personal data at the end of retention (which empties
    the change log): this study's phone numbers and contacts are not blanked by merging."""
    from fieldkit.personal_data import strip_personal_data

    mine = Study.create(tmp_path / "mine.fieldkit", small_template())
    org = mine.organisations.add(name="Alpha", phone="0121 496 0000")
    mine.organisations.add_contact(org, "Jo Bloggs", phone="0121 496 0001")
    other = Study.open(mine.save_copy(tmp_path / "theirs.fieldkit"))
    strip_personal_data(other)
    found = _plan(mine, other)
    assert found.edits == [] and found.conflicts == []
    merge.apply(mine, found)
    assert mine.organisations.get(org).phone == "+441214960000"
    assert [c.name for c in mine.organisations.contacts(org)] == ["Jo Bloggs"]


# --- copies of a study made before it had uids, brought up to date apart -----------------------

def _at_format_9(monkeypatch) -> None:
    """Study.create and Study.open as the fieldkit before uids (format 9) had them."""
    from fieldkit.storage import connection, schema

    monkeypatch.setattr(connection, "MIGRATIONS", schema.MIGRATIONS[:9])
    monkeypatch.setattr(connection, "SCHEMA_VERSION", 9)


def test_copies_of_an_older_study_brought_up_to_date_apart_still_merge(tmp_path: Path, monkeypatch):
    import fieldkit.study

    _at_format_9(monkeypatch)
    old = Study.create(tmp_path / "mine.fieldkit", small_template(), title="Advice mapping")
    alpha = old.organisations.add(name="Alpha Advice", category="Network")
    old.organisations.add_contact(alpha, "Jo Bloggs")
    old.attempts.log(alpha, outcome="No answer")
    for i in range(3):  # finished, their anonymous answers held (fewer than k)
        _interview(old, old.organisations.add(name=f"Before {i}"), f"said before parting {i}", engaged="Low")
    assert old.scalar("PRAGMA user_version") == 9 and not old.meta("study_uid")
    old.close()
    shutil.copyfile(tmp_path / "mine.fieldkit", tmp_path / "theirs.fieldkit")
    # Before either is brought up to date, each copy adds an organisation: the same id, another time.
    for name, stamp in (("mine", "2026-10-05T09:00:00"), ("theirs", "2026-10-05T09:30:00")):
        monkeypatch.setattr(fieldkit.study, "now", lambda stamp=stamp: stamp)
        with Study.open(tmp_path / f"{name}.fieldkit") as copy:
            added = copy.organisations.add(name=f"Added in {name}")
        assert added == 5
    monkeypatch.undo()

    mine, other = Study.open(tmp_path / "mine.fieldkit"), Study.open(tmp_path / "theirs.fieldkit")  # migrated apart
    assert mine.scalar("PRAGMA user_version") == other.scalar("PRAGMA user_version") == 11
    assert len(mine.meta("study_uid")) == 32 and mine.meta("study_uid") == other.meta("study_uid")
    for table in UID_TABLES:
        key = "interview_id || ' ' || question_id" if table == "held" else "id"
        mine_uids = dict(mine.conn.execute(f"SELECT {key}, uid FROM {table}").fetchall())
        their_uids = dict(other.conn.execute(f"SELECT {key}, uid FROM {table}").fetchall())
        assert all(len(u) == 32 for u in mine_uids.values()), table
        same = {r for r in mine_uids if their_uids.get(r) == mine_uids[r]}
        assert same == set(mine_uids) - ({5} if table == "organisations" else set()), table
    # Each goes on; the answers held when they parted move into the pool in both.
    mine.organisations.update(alpha, notes="Ring after two")
    other.attempts.log(alpha, outcome="Left a message")
    for i in range(2):
        _interview(mine, mine.organisations.add(name=f"Mine {i}"), f"mine after {i}", engaged="Medium")
        _interview(other, other.organisations.add(name=f"Theirs {i}"), f"theirs after {i}", engaged="High")
    found = _plan(mine, other)
    assert sorted(o["name"] for o in found.organisations) == ["Added in theirs", "Theirs 0", "Theirs 1"]
    assert "add organisation “Added in theirs”" in "\n".join(found.lines())
    assert (len(found.attempts), len(found.contacts), found.absorbed, found.conflicts) == (1, 0, 6, [])
    merge.apply(mine, found)
    assert mine.organisations.find_by_name("Added in mine") and mine.organisations.find_by_name("Added in theirs")
    assert mine.organisations.count() == 10 and mine.interviews.count() == 7
    assert len(mine.organisations.contacts(alpha)) == 1 and len(mine.attempts.for_organisation(alpha)) == 2
    assert sorted(c.text for c in mine.pool.comments(question_id="sector_barriers")) == sorted(
        [f"said before parting {i}" for i in range(3)] + [f"mine after {i}" for i in range(2)]
        + [f"theirs after {i}" for i in range(2)])
    assert _engaged(mine) == {"Low": 3, "Medium": 2, "High": 2}
    assert checks.problems(mine) == [] and merge.plan(mine, found.other_path).empty


def test_studies_made_at_this_format_get_random_uids(tmp_path: Path):
    first = Study.create(tmp_path / "a.fieldkit", small_template(), title="Same")
    second = Study.create(tmp_path / "b.fieldkit", small_template(), title="Same")
    assert first.meta("study_uid") != second.meta("study_uid")


# --- the consortium directory's consent and origins ---------------------------------------------

def _pulled(record_id: str, name: str, changed: str = "2026-11-30T10:00:00+00:00") -> dict:
    return {"record_id": record_id, "owner": "york_cvs", "name": name, "category": "Network", "area": None,
            "coverage": None, "address": None, "postcode": "YO1 7HH", "website": None, "email": None, "phone": None,
            "contact": None, "charity_number": None, "company_number": None, "changed": changed}


def test_directory_listings_and_origins_come_across_by_organisation(tmp_path: Path):
    from fieldkit.directory.listing import listing, set_listing
    from fieldkit.directory.pull import bring_in

    mine, other = _pair(tmp_path)
    alpha, beta = _org(mine, "Alpha Advice"), _org(mine, "Beta Youth")
    set_listing(mine, alpha, fields=["phone"], charity_number="1234567")
    bring_in(mine, "York", [_pulled("5b0d1c3e-8f7a-4a39-9a37-2f1d1b0c9e11", "Pulled Group")])
    other.close()
    other = Study.open(mine.save_copy(tmp_path / "later.fieldkit"))
    pulled = _org(mine, "Pulled Group")
    set_listing(other, beta, fields=["website"], postcode="YO1 7HH")  # only in the other copy: comes across
    set_listing(other, alpha, fields=["phone", "email"])  # differs: this study's is kept, and said
    bring_in(other, "York", [_pulled("5b0d1c3e-8f7a-4a39-9a37-2f1d1b0c9e11", "Pulled Group",
                                     "2026-12-01T10:00:00+00:00")])
    delta = other.organisations.add(name="Delta Arts")  # new, with its listing
    set_listing(other, delta, fields=["area"], company_number="07654321")
    bring_in(other, "Leeds", [_pulled("0f8fad5b-d9cb-469f-a165-70867728950e", "Leeds Group")])  # new, with its origin
    beta_there, delta_there = listing(other, beta), listing(other, delta)
    found = _plan(mine, other)
    assert [r["record_id"] for r in found.listings] == [beta_there.record_id] and found.origins == []
    notes = "\n".join(found.notes)
    assert ("the directory listing of “Alpha Advice” differs in the other copy (listed details); this copy's is "
            "kept") in notes
    assert "the directory origin of “Pulled Group” differs in the other copy (changed); this copy's is kept" in notes
    assert "add: 2 organisations" in found.lines()[0] and "3 directory listings, 1 directory origin" in found.lines()[0]
    merge.apply(mine, found)
    got = listing(mine, beta)
    assert (got.fields, got.record_id, got.postcode) == (("website",), beta_there.record_id, "YO1 7HH")
    assert listing(mine, alpha).fields == ("phone",) and listing(mine, alpha).charity_number == "1234567"
    added = listing(mine, _org(mine, "Delta Arts"))
    assert (added.fields, added.record_id, added.company_number) == (("area",), delta_there.record_id, "07654321")
    origin, kept = listing(mine, _org(mine, "Leeds Group")).origin, listing(mine, pulled).origin
    assert origin is not None and (origin.directory, origin.record_id) == (
        "Leeds", "0f8fad5b-d9cb-469f-a165-70867728950e")
    assert kept is not None and kept.changed == "2026-11-30T10:00:00+00:00"
    assert checks.problems(mine) == []
    again = merge.plan(mine, found.other_path)
    assert again.listings == [] and again.origins == [] and again.organisations == []


def test_an_organisation_pulled_in_both_copies_keeps_one_origin(tmp_path: Path):
    from fieldkit.directory.listing import listing
    from fieldkit.directory.pull import bring_in

    mine, other = _pair(tmp_path)
    record = _pulled("9c8e2f7a-1b3d-4e5f-8a9b-0c1d2e3f4a5b", "Shared Group")
    bring_in(mine, "York", [record])
    bring_in(other, "York", [record])  # the same record, pulled apart: two organisations
    found = _plan(mine, other)
    assert [o["name"] for o in found.organisations] == ["Shared Group"] and len(found.matches) == 1
    assert any("the directory origin of “Shared Group” in the other copy is another organisation's here" in n
               for n in found.notes)
    merge.apply(mine, found, matches=[found.matches[0].key])
    (shared,) = mine.organisations.find_by_name("Shared Group")
    assert listing(mine, shared).origin is not None and checks.problems(mine) == []
