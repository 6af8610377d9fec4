"""Anonymous answers held with their interview, and moved into the pool in groups of k.

What a pooled answer may be narrowed down to is the group it moved with: these tests hold the
groups to at least k interviews, keep held answers out of every backup and copy, and check
the counts by category grow only in steps of k.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldkit import anonymity, checks
from fieldkit.errors import InvalidValueError
from fieldkit.storage import backups
from fieldkit.study import Study
from fieldkit.template_toml import template_from_dict
from studies import SMALL_TEMPLATE, small_template


def finish(study: Study, name: str, category: str | None = "Network", **answers) -> int:
    org = study.organisations.add(name, category=category)
    session = study.interviews.start(org)
    for question, value in answers.items():
        session.save_answer(question, value)
    session.complete()
    return session.interview_id


def raw(path: Path) -> bytes:
    return Path(path).read_bytes() if Path(path).exists() else b""


def holds(data: bytes, text: str) -> bool:
    return any(text.encode(codec) in data for codec in ("utf-8", "utf-16-le", "utf-16-be"))


def test_a_group_moves_when_k_finished_interviews_have_answered(small_study: Study):
    k = small_study.anonymity_k
    assert k == anonymity.DEFAULT_K == 5
    for i in range(k - 1):
        finish(small_study, f"Org {i}", sector_barriers=f"barrier {i}", sector_help=f"help {i}")
    # One unfinished interview does not count towards the group.
    open_one = small_study.interviews.start(small_study.organisations.add("Still talking"))
    open_one.save_answer("sector_barriers", "not finished yet")
    assert small_study.pool.count() == 0
    [barriers, help_] = small_study.held.groups()
    assert (barriers.question_id, barriers.finished, barriers.unfinished) == ("sector_barriers", k - 1, 1)
    assert (help_.question_id, help_.finished, help_.unfinished) == ("sector_help", k - 1, 0)
    finish(small_study, "Org last", sector_barriers="barrier last")  # answers one question only
    assert sorted(c.text for c in small_study.pool.comments(question_id="sector_barriers")) == sorted(
        [f"barrier {i}" for i in range(k - 1)] + ["barrier last"])
    # The other question waits: only k-1 finished interviews have answered it.
    assert small_study.pool.comments(question_id="sector_help") == []
    assert [(g.question_id, g.finished) for g in small_study.held.groups()] == [
        ("sector_barriers", 0), ("sector_help", k - 1)] or [
        (g.question_id, g.finished, g.unfinished) for g in small_study.held.groups()] == [
        ("sector_barriers", 0, 1), ("sector_help", k - 1, 0)]
    assert open_one.answer("sector_barriers") == "not finished yet"  # still held, still editable
    assert checks.problems(small_study) == []


def test_the_moved_answers_are_gone_from_the_held_rows_and_the_wal(small_study: Study):
    k = small_study.anonymity_k
    for i in range(k):
        finish(small_study, f"Org {i}", role=f"Role {i}", sector_barriers=f"moved words {i:03d}")
    assert small_study.held.count() == 0 and small_study.pool.count() == k
    wal = raw(Path(f"{small_study.path}-wal"))
    assert wal == b""  # emptied by the move (nothing else was reading)
    live = small_study.path.with_name("live.fieldkit")
    small_study.conn.execute("VACUUM INTO ?", (str(live),))  # only what the tables hold now
    small_study.close()
    data, expected = raw(small_study.path), raw(live)
    # The pool's own copies (text, value, search content) and no other: none left from the
    # held rows in freed space.
    for i in range(k):
        words = f"moved words {i:03d}".encode()
        assert data.count(words) == expected.count(words) == 3


def test_changing_k(small_study: Study):
    for i in range(3):
        finish(small_study, f"Org {i}", sector_barriers=f"b{i}")
    with pytest.raises(InvalidValueError, match="below 3"):
        anonymity.set_k(small_study, 2)
    assert small_study.pool.count() == 0
    anonymity.set_k(small_study, 3)  # lowering k moves what is now enough
    assert small_study.anonymity_k == 3 and small_study.pool.count() == 3
    assert anonymity.risk(1) and "one of only 1 interview" in anonymity.risk(1)
    anonymity.set_k(small_study, 1, accept_risk=True)
    assert small_study.anonymity_k == 1
    for bad in (0, 51, "5", True):
        with pytest.raises(InvalidValueError):
            anonymity.set_k(small_study, bad)  # type: ignore[arg-type]


def test_move_now_moves_small_groups_and_says_so(small_study: Study):
    finish(small_study, "Only one", sector_barriers="the only voice")
    assert anonymity.warnings(small_study) == []
    moved = small_study.held.move_now()
    assert moved.answers == 1 and moved.smallest == 1 and moved.checkpoint is not None and moved.checkpoint.done
    warnings = anonymity.warnings(small_study)
    assert len(warnings) == 1 and "1 interview at most" in warnings[0]
    assert any("1 interview at most" in p for p in checks.problems(small_study))


def test_a_question_from_a_later_template_version_waits_for_k_of_its_own(small_study: Study):
    for i in range(4):
        finish(small_study, f"Early {i}", sector_barriers=f"early {i}")
    data = small_study.template.to_dict()
    data["sections"][1]["questions"].append(
        {"id": "sector_new", "type": "long_text", "label": "Anything new?", "anonymous": True})
    small_study.update_template(template_from_dict(data, source="v2"))
    assert any("Anything new?" in w and "held until 5" in w for w in small_study.warnings)
    for i in range(4):
        finish(small_study, f"Later {i}", sector_new=f"new {i}")
    assert small_study.pool.comments(question_id="sector_new") == []  # 4 asked, fewer than k
    small_study.held.move_now()
    # Asked in only 4 interviews: the warning says so, however many interviews the study has.
    assert any("Anything new?" in w and "4 interviews at most" in w for w in anonymity.warnings(small_study))


def _counted_template():
    data = json.loads(json.dumps(SMALL_TEMPLATE))
    for q in data["sections"][1]["questions"]:
        if q["id"] == "sector_engaged":
            q["count_by"] = "category"
    return template_from_dict(data, source="counted")


def test_counts_by_category_grow_only_in_steps_of_k(tmp_path: Path):
    study = Study.create(tmp_path / "counted.fieldkit", _counted_template())
    k = study.anonymity_k
    seen = []
    for i in range(k + 2):
        finish(study, f"Network {i}", category="Network", sector_engaged="Low" if i % 2 else "High")
        finish(study, f"Infra {i}", category="Infrastructure", sector_engaged="Medium")
        if i < 3:
            finish(study, f"Access {i}", category="Access point", sector_engaged="High")
        seen.append(study.pool.by_category("sector_engaged"))
    # Every step of every category's "answered" count is a multiple of k.
    for snapshot in seen:
        for category, counts in snapshot.items():
            assert counts[""] % k == 0, (category, counts)
    final = study.pool.by_category("sector_engaged")
    assert set(final) == {"Network", "Infrastructure"}  # Access point: 3, fewer than k
    assert final["Infrastructure"] == {"": k, "Medium": k}
    assert final["Network"][""] == k and final["Network"]["Low"] + final["Network"]["High"] == k
    waiting = {g.category: g.finished for g in study.held.groups()}
    assert waiting == {"Network": 2, "Infrastructure": 2, "Access point": 3}
    # At the end of fieldwork the small category joins the overall counts, never its own row.
    study.held.move_now()
    assert set(study.pool.by_category("sector_engaged")) == {"Network", "Infrastructure"}
    assert sum(study.pool.distribution("sector_engaged").values()) == 2 * (k + 2) + 3
    assert not any("counts by category" in p for p in checks.problems(study))
    study.close()


def test_count_by_is_only_for_anonymous_countable_questions():
    data = json.loads(json.dumps(SMALL_TEMPLATE))
    data["sections"][0]["questions"][2]["count_by"] = "category"  # named single choice
    data["sections"][1]["questions"][0]["count_by"] = "category"  # anonymous long text
    data["sections"][1]["questions"][2]["count_by"] = "area"
    from fieldkit.errors import TemplateError

    with pytest.raises(TemplateError) as e:
        template_from_dict(data, source="bad")
    text = str(e.value)
    assert "'count_by' is for anonymous questions" in text
    assert "only for choice, yes_no and scale questions" in text
    assert "'count_by' must be one of: category" in text


def test_backups_and_copies_never_hold_held_answers(small_study: Study, tmp_path: Path):
    finish(small_study, "Waiting", role="Chair", sector_barriers="Ẇaiting wörds 等待 held")
    held_text = "Ẇaiting wörds 等待 held"
    assert holds(raw(small_study.path) + raw(Path(f"{small_study.path}-wal")), held_text)  # the study has it
    taken = small_study.backup("manual")
    copy = small_study.save_copy(tmp_path / "copy.fieldkit")
    for path in (taken, copy):
        assert not holds(raw(path) + raw(Path(f"{path}-wal")), held_text), path
        assert backups.held_count(path) == 0
        with Study.open(path, backup=False) as other:
            assert other.interviews.count() == 1 and other.held.count() == 0
    # The study itself keeps them.
    assert small_study.held.count() == 1
    assert checks.problems(small_study) == []


def test_check_finds_held_answers_in_a_backup_and_groups_left_behind(small_study: Study):
    for i in range(3):
        finish(small_study, f"Org {i}", sector_barriers=f"b{i}")
    # A backup made by a plain file copy holds the held answers: check names it.
    folder = backups.folder_for(small_study.path)
    folder.mkdir(parents=True, exist_ok=True)
    small_study.empty_wal()
    stray = folder / "20260101-000000-manual.fieldkit"
    stray.write_bytes(small_study.path.read_bytes())
    # k lowered behind the study's back: a group large enough is left behind.
    small_study.set_meta(anonymity.K_KEY, "3")
    found = checks.problems(small_study)
    assert any(str(stray) in p and "holds 3 anonymous answers" in p for p in found), found
    assert any("3 finished interviews hold answers" in p for p in found), found


def test_redaction_leaves_no_copy_of_the_words(small_study: Study):
    k = small_study.anonymity_k
    secret = "Ms Przybylska at Wąsowicz Trust told us 秘密"
    for i in range(k):
        finish(small_study, f"Org {i}", sector_barriers=secret if i == 2 else f"ordinary {i}")
    small_study.backup("manual")
    [comment] = [c for c in small_study.pool.comments() if c.text == secret]
    # A reader keeps a snapshot open during the redaction, as the Reports screen might.
    reader = small_study.open_reader()
    reader.conn.execute("BEGIN")
    reader.conn.execute("SELECT count(*) FROM pool").fetchone()
    small_study.pool.edit(comment.id, "[name] at [organisation] told us")
    reader.conn.execute("COMMIT")
    reader.close()
    small_study.pool.tag(comment.id, "help")  # the next save empties the -wal
    after = small_study.backup("manual")
    for word in ("Przybylska", "Wąsowicz", "秘密", "przybylska"):
        for path in (small_study.path, Path(f"{small_study.path}-wal"), after):
            assert not holds(raw(path), word), (word, path)
    got = small_study.pool.get(comment.id)
    assert got.text == got.value == "[name] at [organisation] told us"
    assert small_study.pool.comments(search="przybylska") == []
    assert [c.id for c in small_study.pool.comments(search="organisation")] == [comment.id]
    with pytest.raises(InvalidValueError, match="a choice"):
        finish(small_study, "Scale", sector_engaged="Low")
        small_study.held.move_now()
        [scale] = small_study.pool.comments(question_id="sector_engaged")
        small_study.pool.edit(scale.id, "Very")


def test_a_study_restored_from_a_backup_lacks_only_the_held_answers(small_study: Study):
    k = small_study.anonymity_k
    for i in range(k + 2):
        finish(small_study, f"Org {i}", sector_barriers=f"said {i}")
    taken = small_study.backup("manual")
    path = small_study.path
    small_study.close()
    backups.restore(path, taken)
    with Study.open(path) as restored:
        assert restored.pool.count() == k  # the first group
        assert restored.held.count() == 0  # the last two interviews' answers are not in the backup
        assert restored.interviews.count() == k + 2


def test_command_line_pool_k_and_move_now(tmp_path: Path, capsys):
    from fieldkit.cli import main

    path = tmp_path / "cli.fieldkit"
    with Study.create(path, small_template()) as study:
        for i in range(2):
            finish(study, f"Org {i}", sector_barriers=f"b{i}")
    assert main(["pool", str(path)]) == 0
    out = capsys.readouterr().out
    assert "0 answers in the pool; k = 5" in out and "“What holds small groups back?”: 2 of 5 finished" in out
    assert main(["pool", str(path), "--k", "2"]) == 1
    assert "one of only 2 interviews" in capsys.readouterr().err
    assert main(["pool", str(path), "--move-now"]) == 1  # says how few, moves nothing
    out = capsys.readouterr().out
    assert "“What holds small groups back?”: 2 interviews" in out and "Nothing was moved" in out
    with Study.open(path) as study:
        assert study.pool.count() == 0 and study.anonymity_k == 5
    assert main(["pool", str(path), "--move-now", "--yes"]) == 0
    captured = capsys.readouterr()
    assert "Moved 2 held answers to the pool" in captured.out
    assert "2 interviews at most (fewer than k = 5)" in captured.err
    # check and report say so too.
    assert main(["check", str(path)]) == 1
    assert "2 interviews at most" in capsys.readouterr().err
    assert main(["report", str(path), "-o", str(tmp_path / "r.pdf")]) == 0
    assert "warning: anonymity: the pooled answers" in capsys.readouterr().err
    assert main(["pool", str(path), "--k", "2", "--accept-risk"]) == 0
    assert "k is now 2" in capsys.readouterr().out
    assert main(["pool", str(path), "--yes"]) == 2  # --yes goes with --move-now


def test_the_report_shows_counted_questions_by_category(tmp_path: Path):
    from fieldkit.reports.data import OTHER_CATEGORIES, ReportOptions, build_report_data

    study = Study.create(tmp_path / "counted.fieldkit", _counted_template())
    k = study.anonymity_k
    for i in range(k):
        finish(study, f"Network {i}", category="Network", sector_engaged="Low" if i < 2 else "High")
    for i in range(2):
        finish(study, f"Access {i}", category="Access point", sector_engaged="Medium")
    # Small-number protection (on by default in reports) is off here: the counts themselves are the point.
    [table] = [t for t in build_report_data(study, ReportOptions(sections=("crosstabs",), small_numbers=None)).crosstabs
               if t.question_id == "sector_engaged"]
    assert table.by == "category" and table.choices == ("Low", "Medium", "High")
    assert [(r.group, r.counts, r.base_count) for r in table.rows] == [("Network", (2, 0, 3), k)]
    assert table.total.counts == (2, 0, 3)  # the two Access point answers are still held
    study.held.move_now()
    # Small-number protection (on by default in reports) is off here: the counts themselves are the point.
    [table] = [t for t in build_report_data(study, ReportOptions(sections=("crosstabs",), small_numbers=None)).crosstabs
               if t.question_id == "sector_engaged"]
    assert [(r.group, r.counts, r.base_count) for r in table.rows] == [
        ("Network", (2, 0, 3), k), (OTHER_CATEGORIES, (0, 2, 0), 2)]
    assert table.total.counts == (2, 2, 3) and table.total.base_count == k + 2
    protected = build_report_data(study, ReportOptions(sections=("crosstabs",), small_numbers=3)).crosstabs
    [table] = [t for t in protected if t.question_id == "sector_engaged"]
    assert table.protected and "*" in table.rows[1].cells  # the small row's 2 is hidden
    study.close()


def test_finishing_again_keeps_the_full_interview_tick_after_the_answers_moved(small_study: Study):
    k = small_study.anonymity_k
    ids = [finish(small_study, f"Org {i}", role="Chair", size="Small", sector_barriers=f"b{i}") for i in range(k)]
    org = small_study.interviews.get(ids[0]).organisation_id
    assert "full_interview" in small_study.organisations.get(org).flags
    assert small_study.pool.count() == k  # the required anonymous answer has moved
    again = small_study.interviews.resume(ids[0])
    assert [q.id for q in again.missing_required()] == ["sector_barriers"]
    assert again.complete() is True
    assert "full_interview" in small_study.organisations.get(org).flags


def test_an_interview_open_in_a_sitting_keeps_its_answers_until_it_closes(small_study: Study):
    k = small_study.anonymity_k
    first = finish(small_study, "Reopened", sector_barriers="first words")
    sitting = small_study.interviews.resume(first)  # the researcher is correcting it again
    for i in range(k - 1):
        finish(small_study, f"Org {i}", sector_barriers=f"b{i}")
    # k finished interviews hold an answer, but one is on screen: nothing moves under it.
    assert small_study.pool.count() == 0
    assert [(g.finished, g.unfinished) for g in small_study.held.groups()] == [(k - 1, 1)]
    assert sitting.answer("sector_barriers") == "first words"
    sitting.save_answer("sector_barriers", "corrected words")
    sitting.close()  # the sitting ends: the whole group moves, with the corrected words
    assert small_study.held.count() == 0
    texts = sorted(c.text for c in small_study.pool.comments())
    assert texts == sorted(["corrected words"] + [f"b{i}" for i in range(k - 1)])


def test_move_now_leaves_an_interview_open_in_a_sitting(small_study: Study):
    first = finish(small_study, "Reopened", sector_barriers="still on screen")
    sitting = small_study.interviews.resume(first)
    finish(small_study, "Other", sector_barriers="finished and closed")
    assert small_study.held.move_now().answers == 1
    assert sitting.answer("sector_barriers") == "still on screen"  # no second copy can follow
    assert [c.text for c in small_study.pool.comments()] == ["finished and closed"]


# --- deferring moves for a bulk write ---------------------------------------------------------------


def test_a_bulk_write_moves_once_at_its_end_inside_its_transaction(small_study: Study):
    """Inside ``deferred()`` nothing moves; at its end the whole group moves at once (k + 2
    interviews, where moving after each finish would have moved k and left two held), in the
    caller's transaction: no other reader sees the pool grow before the write commits."""
    import sqlite3

    k = small_study.anonymity_k
    reader = sqlite3.connect(f"file:{small_study.path}?mode=ro", uri=True)
    try:
        with small_study.transaction():
            with small_study.held.deferred():
                for i in range(k + 2):
                    finish(small_study, f"Org {i}", sector_barriers=f"b{i}")
                assert small_study.held.move_ready().answers == 0
                assert (small_study.pool.count(), small_study.held.count()) == (0, k + 2)
            assert (small_study.pool.count(), small_study.held.count()) == (k + 2, 0)
            assert reader.execute("SELECT count(*) FROM pool").fetchone()[0] == 0  # not committed yet
        assert reader.execute("SELECT count(*) FROM pool").fetchone()[0] == k + 2
    finally:
        reader.close()
    assert sorted(c.text for c in small_study.pool.comments()) == sorted(f"b{i}" for i in range(k + 2))


def test_a_failed_bulk_write_moves_nothing_and_defers_no_more(small_study: Study):
    k = small_study.anonymity_k
    with pytest.raises(RuntimeError), small_study.transaction(), small_study.held.deferred():
        for i in range(k):
            finish(small_study, f"Org {i}", sector_barriers=f"lost {i}")
        raise RuntimeError("a rule the checks did not know")
    assert (small_study.interviews.count(), small_study.held.count(), small_study.pool.count()) == (0, 0, 0)
    assert not small_study.interviews.open_sittings
    for i in range(k):  # moves as after every finish again
        finish(small_study, f"Again {i}", sector_barriers=f"b{i}")
    assert (small_study.pool.count(), small_study.held.count()) == (k, 0)


def test_nested_deferrals_move_once_at_the_outermost_end(small_study: Study):
    k = small_study.anonymity_k
    with small_study.held.deferred():
        with small_study.held.deferred():
            for i in range(k):
                finish(small_study, f"Org {i}", sector_barriers=f"b{i}")
        assert small_study.pool.count() == 0  # the inner block's end moves nothing
    assert (small_study.pool.count(), small_study.held.count()) == (k, 0)
