"""Reports in the study's report language, and what they count.

A study built through the real creation path with a schedule in English and Urdu, choices
that have names distinct from their labels, a question asked only when an earlier answer is
"yes", and a question later removed from the schedule. Interviews are recorded through the
core (``study.interviews.start(...).save_answer(...)``). The report data, the tables, the
case sheet and the PDF read back are checked against hand counts:

    organisation   category        q1 (food bank?)    q2 (open every week?)   q_old (in version 1 only)
    Alpha          Network         yes                yes_really              often
    Beta           Network         yes -> no          sometimes (no longer asked once q1 is no)
    Gamma          Infrastructure  yes                yes_really              never

q2's "sometimes" has no Urdu label: an Urdu report prints it in English.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import pdfplumber
import pytest

from fieldkit import schedule, summary
from fieldkit.cli import main
from fieldkit.errors import InvalidValueError
from fieldkit.reports import tables
from fieldkit.reports.casesheet import render_casesheet
from fieldkit.reports.data import ReportOptions, build_report_data
from fieldkit.reports.pdf import render_report, render_report_bytes
from fieldkit.study import Study
from fieldkit.template_toml import template_from_dict

Q1_UR = "کیا آپ فوڈ بینک چلاتے ہیں؟"
Q2_EN = "Is the food bank open every week?"
Q2_UR = "کیا فوڈ بینک ہر ہفتے کھلا رہتا ہے؟"
YES_REALLY_UR = "جی ہاں، واقعی"
SECTION_UR = "فوڈ بینک کے بارے میں"
OLD_EN = "How often do volunteers meet?"
OLD_UR = "رضاکار کتنی بار ملتے ہیں؟"
OFTEN_UR = "اکثر"
ANON_UR = "کیا مانگ بڑھ رہی ہے؟"
RISING_UR = "بڑھ رہی ہے"
ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")

TEMPLATE = {
    "template": {"name": "languages", "title": "Food banks", "description": "For tests.",
                 "languages": ["English", "Urdu"]},
    "organisations": {"categories": ["Network", "Infrastructure"], "areas": ["Birmingham", "Coventry"]},
    "sections": [{
        "id": "A", "title": "About the food bank", "title::Urdu": SECTION_UR,
        "questions": [
            {"id": "q1", "type": "single_choice", "label": "Do you run a food bank?", "label::Urdu": Q1_UR,
             "choices": [{"name": "yes", "label": "Yes", "label::Urdu": "ہاں"},
                         {"name": "no", "label": "No", "label::Urdu": "نہیں"}]},
            {"id": "q2", "type": "single_choice", "label": Q2_EN, "label::Urdu": Q2_UR,
             "relevant": "${q1} = 'yes'",
             "choices": [{"name": "yes_really", "label": "Yes, really", "label::Urdu": YES_REALLY_UR},
                         {"name": "sometimes", "label": "Sometimes"}]},
            {"id": "q_old", "type": "single_choice", "label": OLD_EN, "label::Urdu": OLD_UR,
             "choices": [{"name": "often", "label": "Often", "label::Urdu": OFTEN_UR},
                         {"name": "never", "label": "Never", "label::Urdu": "کبھی نہیں"}]},
            {"id": "q_unanswered", "type": "yes_no", "label": "Do you deliver?"},
        ],
    }, {
        "id": "B", "title": "The wider sector",
        "questions": [
            {"id": "q_anon", "type": "single_choice", "anonymous": True, "label": "Is demand rising?",
             "label::Urdu": ANON_UR,
             "choices": [{"name": "rising", "label": "Rising", "label::Urdu": RISING_UR},
                         {"name": "steady", "label": "Steady", "label::Urdu": "مستحکم"}]},
        ],
    }],
}


def answer(study: Study, org_id: int, **answers) -> int:
    session = study.interviews.start(org_id, date="2026-03-02")
    for qid, value in answers.items():
        session.save_answer(qid, value)
    session.complete()
    session.close()
    return session.interview_id


@pytest.fixture
def study(tmp_path: Path):
    s = Study.create(tmp_path / "languages.fieldkit", template_from_dict(TEMPLATE, source="languages test"),
                     title="Food banks in the West Midlands")
    orgs = s.organisations
    alpha = orgs.add("Alpha Food Bank", category="Network", area="Birmingham")
    answer(s, alpha, q1="yes", q2="yes_really", q_old="often")
    beta = orgs.add("Beta Pantry", category="Network", area="Coventry")
    answer(s, beta, q1="yes", q2="sometimes")
    gamma = orgs.add("Gamma Larder", category="Infrastructure", area="Coventry")
    answer(s, gamma, q1="yes", q2="yes_really", q_old="never")
    s.ids = {"alpha": alpha, "beta": beta, "gamma": gamma}
    yield s
    s.close()


def crosstab(study: Study, qid: str, **options):
    data = build_report_data(study, ReportOptions(sections=("crosstabs",), small_numbers=None, **options))
    found = [x for x in data.crosstabs if x.question_id == qid]
    return found[0] if found else None


def make_irrelevant(study: Study, org_id: int) -> None:
    """Beta changes q1 to 'no': its q2 answer is kept but no longer asked."""
    iv = study.interviews.for_organisation(org_id)[0].id
    session = study.interviews.resume(iv)
    session.save_answer("q1", "no")
    session.close()
    assert study.interviews.irrelevant_answers(iv) == ["q2"]
    assert study.interviews.get(iv).answers["q2"] == "sometimes"  # kept


def remove_old_question(study: Study) -> None:
    study.update_template(schedule.remove_question(study.template, "q_old"))
    with pytest.raises(KeyError):
        study.template.question("q_old")


# --- reading the PDF back ----------------------------------------------------------------------


def same_letters(a: str, b: str) -> bool:
    return Counter(a) == Counter(b)


def pdf_lines(pdf: Path | bytes) -> list[tuple[int, list[dict]]]:
    """Every page's characters grouped into lines by baseline, each line left to right."""
    out = []
    with pdfplumber.open(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf) as doc:
        for number, page in enumerate(doc.pages, start=1):
            lines: list[list[dict]] = []
            for ch in sorted(page.chars, key=lambda c: (-c["matrix"][5], c["x0"])):
                if lines and abs(lines[-1][0]["matrix"][5] - ch["matrix"][5]) < 3:
                    lines[-1].append(ch)
                else:
                    lines.append([ch])
            out += [(number, sorted(line, key=lambda c: c["x0"])) for line in lines]
    return out


def words(line: list[dict]) -> list[str]:
    """A line's words as drawn, left to right (split at spaces and at gaps between cells)."""
    found, current, last = [], [], None
    for ch in line:
        if ch["text"].isspace() or (last is not None and ch["x0"] - last["x1"] > 6):
            if current:
                found.append(current)
            current = [] if ch["text"].isspace() else [ch]
        else:
            current.append(ch)
        last = ch
    if current:
        found.append(current)
    return ["".join(c["text"] for c in w) for w in found]


def rtl_lines(pdf: Path | bytes, sentence: str) -> list[tuple[int, list[dict]]]:
    """The lines on which ``sentence`` (right to left) is drawn, read right to left word by word,
    each word set in the Naskh font with its letters and no unmapped glyphs."""
    wanted = sentence.split()
    hits = []
    for page, line in pdf_lines(pdf):
        drawn = list(reversed(words(line)))
        for start in range(len(drawn) - len(wanted) + 1):
            if all(same_letters(seen, word) for seen, word in zip(drawn[start:], wanted, strict=False)):
                hits.append((page, line))
                break
    for _, line in hits:
        for ch in line:
            if ARABIC_SCRIPT.match(ch["text"]):
                assert "NotoNaskhArabic" in ch["fontname"], ch
    return hits


def text_of(pdf: Path | bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf) as doc:
        return " ".join(" ".join((page.extract_text() or "").split()) for page in doc.pages)


# --- the setting ---------------------------------------------------------------------------------


def test_the_report_language_is_the_default_language_until_chosen_and_is_kept(study, tmp_path):
    assert study.template.languages == ("English", "Urdu")
    assert study.report_language == "English"
    study.set_report_language("Urdu")
    assert study.report_language == "Urdu"
    assert study.meta("report_language") == "Urdu"
    path = study.path
    study.close()
    with Study.open(path) as reopened:
        assert reopened.report_language == "Urdu"
        reopened.set_report_language("English")
        assert reopened.report_language == "English"


def test_a_language_the_schedule_is_not_written_in_is_refused_in_one_line(study):
    study.set_report_language("Urdu")
    with pytest.raises(InvalidValueError) as info:
        study.set_report_language("French")
    message = str(info.value)
    assert "French" in message and "English, Urdu" in message and "\n" not in message
    assert study.report_language == "Urdu"  # unchanged
    with pytest.raises(InvalidValueError):
        build_report_data(study, ReportOptions(language="French"))


def test_a_dropped_language_falls_back_to_the_default(study):
    study.set_report_language("Urdu")
    study.update_template(schedule.with_languages(study.template, ["English"], "English"))
    assert study.report_language == "English"
    assert crosstab(study, "q2").question_label == Q2_EN


# --- labels in the report data -------------------------------------------------------------------


def test_report_data_uses_english_labels_by_default(study):
    x = crosstab(study, "q2")
    assert x.question_label == Q2_EN
    assert x.choices == ("Yes, really", "Sometimes")
    assert x.keys == ("yes_really", "sometimes")  # counted under the names the answers store
    assert x.total.counts == (2, 1)
    assert [(r.group, r.counts) for r in x.rows] == [("Network", (1, 1)), ("Infrastructure", (1, 0))]
    assert build_report_data(study, ReportOptions(sections=("crosstabs",), small_numbers=None)).language == "English"


def test_report_data_uses_urdu_labels_after_set_report_language(study):
    study.set_report_language("Urdu")
    x = crosstab(study, "q2")
    assert x.question_label == Q2_UR
    assert x.choices == (YES_REALLY_UR, "Sometimes")  # no Urdu label: the default language's
    assert x.total.counts == (2, 1)  # the same counts
    assert crosstab(study, "q1").choices == ("ہاں", "نہیں")
    assert build_report_data(study, ReportOptions(sections=("crosstabs",), small_numbers=None)).language == "Urdu"
    # a report may ask for another language than the study's, for once
    assert crosstab(study, "q2", language="English").question_label == Q2_EN
    assert study.report_language == "Urdu"


def test_summary_tables_and_workbook_use_the_report_language(study, tmp_path):
    from openpyxl import load_workbook

    assert summary.crosstab(study, "q2").choices == ["Yes, really", "Sometimes"]
    study.set_report_language("Urdu")
    core = summary.crosstab(study, "q2")
    assert core.question_label == Q2_UR and core.choices == [YES_REALLY_UR, "Sometimes"]
    assert core.keys == ["yes_really", "sometimes"]
    table = tables.crosstab(study, "q2")
    assert table.title == Q2_UR
    assert table.head[:3] == ("Category", YES_REALLY_UR, f"{YES_REALLY_UR} %")
    csv_text = tables.write_csv(table, tmp_path / "q2.csv").read_text(encoding="utf-8-sig")
    assert YES_REALLY_UR in csv_text and "yes_really" not in csv_text
    book = load_workbook(tables.write_xlsx(tables.all_tables(study), tmp_path / "all.xlsx"))
    titles = [sheet["A1"].value for sheet in book.worksheets]
    assert Q2_UR in titles and Q2_EN not in titles


def test_a_renamed_choice_label_shows_for_old_answers(study):
    taken_with = study.template_version
    study.update_template(schedule.rename_choice(study.template, "q2", "yes_really", "Yes, every single week"))
    assert study.template_version > taken_with
    x = crosstab(study, "q2")
    assert x.choices == ("Yes, every single week", "Sometimes")
    assert x.total.counts == (2, 1)  # the old answers still count under the renamed choice
    assert tables.crosstab(study, "q2").head[1] == "Yes, every single week"


# --- answers no longer asked ---------------------------------------------------------------------


def test_an_irrelevant_answer_is_not_counted(study, tmp_path):
    before = crosstab(study, "q2")
    assert before.total.counts == (2, 1) and before.total.respondents == 3
    make_irrelevant(study, study.ids["beta"])
    after = crosstab(study, "q2")
    assert after.total.counts == (2, 0)
    assert after.total.respondents == 2
    assert dict((r.group, r.counts) for r in after.rows)["Network"] == (1, 0)
    assert crosstab(study, "q1").total.counts == (2, 1)  # Beta's new "no" counts
    core = tables.crosstab(study, "q2")
    total = core.rows[-1]
    assert total[0] == "Total" and total[1] == 2 and total[3] == 0 and total[-1] == 2


def test_an_answer_no_longer_asked_is_on_the_case_sheet_marked(study, tmp_path):
    make_irrelevant(study, study.ids["beta"])
    sheet = text_of(render_casesheet(study, study.ids["beta"], tmp_path / "beta.pdf"))
    assert f"{Q2_EN} Sometimes (no longer asked)" in sheet
    assert "No (no longer asked)" not in sheet  # q1 is still asked
    alpha = text_of(render_casesheet(study, study.ids["alpha"], tmp_path / "alpha.pdf"))
    assert "no longer asked" not in alpha


def test_the_case_sheet_uses_the_report_language(study, tmp_path):
    study.set_report_language("Urdu")
    pdf = render_casesheet(study, study.ids["alpha"], tmp_path / "alpha.pdf")
    assert rtl_lines(pdf, SECTION_UR), "the section title in Urdu"
    assert rtl_lines(pdf, Q2_UR), "the question in Urdu"
    assert rtl_lines(pdf, YES_REALLY_UR), "the answer's choice label in Urdu"
    assert Q2_EN not in text_of(pdf)


# --- a question removed from the schedule --------------------------------------------------------


def test_a_removed_question_is_still_reported(study, tmp_path):
    remove_old_question(study)
    x = crosstab(study, "q_old")
    assert x is not None, "the removed question's crosstab is gone"
    assert x.question_label == OLD_EN
    assert x.choices == ("Often", "Never") and x.total.counts == (1, 1)
    assert [(r.group, r.counts) for r in x.rows] == [("Network", (1, 0)), ("Infrastructure", (0, 1))]
    data = build_report_data(study, ReportOptions(sections=("crosstabs",), small_numbers=None))
    assert [t.question_id for t in data.crosstabs] == ["q1", "q2", "q_old"]  # after the schedule's own
    assert "q_old" in tables.crosstab_questions(study)
    assert "q_unanswered" in tables.crosstab_questions(study)  # the schedule's: listed even with no answers
    assert OLD_EN in [t.title for t in tables.all_tables(study)]
    assert OLD_EN in text_of(render_report(data, tmp_path / "report.pdf"))
    study.set_report_language("Urdu")
    assert crosstab(study, "q_old").choices == (OFTEN_UR, "کبھی نہیں")


def test_a_removed_question_nobody_answered_is_not_reported(study):
    study.update_template(schedule.remove_question(study.template, "q_unanswered"))
    assert "q_unanswered" not in tables.crosstab_questions(study)
    assert crosstab(study, "q_unanswered") is None


def test_a_removed_question_whose_answers_are_all_no_longer_asked_is_not_reported(study, tmp_path):
    study.update_template(schedule.remove_question(study.template, "q2"))
    assert "q2" in tables.crosstab_questions(study)
    for name in ("alpha", "beta", "gamma"):
        iv = study.interviews.for_organisation(study.ids[name])[0].id
        study.conn.execute("UPDATE answers SET relevant = 0 WHERE interview_id = ? AND question_id = 'q2'", (iv,))
    assert "q2" not in tables.crosstab_questions(study)


# --- anonymous questions: counted overall, from the pool ----------------------------------------


def pooled(study: Study) -> None:
    """Two more interviews answer the anonymous question, then every held answer moves into
    the pool at once (the end of fieldwork's "Move to the pool now")."""
    for name, value in (("Delta Hub", "rising"), ("Epsilon Kitchen", "steady"), ("Zeta Club", "rising")):
        answer(study, study.organisations.add(name, category="Network"), q1="no", q_anon=value)
    study.held.move_now()
    assert study.pool.distribution("q_anon") == {"rising": 2, "steady": 1}  # counted by name


def test_anonymous_counts_print_choice_labels_in_the_report_language(study):
    pooled(study)
    x = crosstab(study, "q_anon")
    assert x.by == "" and x.keys == ("rising", "steady")
    assert x.question_label == "Is demand rising?" and x.choices == ("Rising", "Steady")
    assert x.total.counts == (2, 1)
    study.set_report_language("Urdu")
    x = crosstab(study, "q_anon")
    assert x.question_label == ANON_UR and x.choices == (RISING_UR, "مستحکم") and x.total.counts == (2, 1)


def test_an_anonymous_question_removed_from_the_schedule_keeps_its_pooled_counts(study):
    pooled(study)
    study.update_template(schedule.remove_question(study.template, "q_anon"))
    x = crosstab(study, "q_anon")
    assert x is not None and x.choices == ("Rising", "Steady") and x.total.counts == (2, 1)
    assert study.pool.distribution("q_anon") == {"rising": 2, "steady": 1}


def test_the_pool_screen_counts_under_choice_labels(study):
    from fieldkit.ui.pool import choice_counts, distribution_html

    pooled(study)
    question = study.pool.question("q_anon")
    counts = choice_counts(question, study.pool.distribution("q_anon"))
    assert counts == {"Rising": 2, "Steady": 1}
    assert "Rising" in distribution_html(counts) and "rising" not in distribution_html(counts)


# --- the PDF -------------------------------------------------------------------------------------


def test_the_pdf_prints_english_labels_by_default(study, tmp_path):
    options = ReportOptions(sections=("crosstabs",), small_numbers=None)
    pdf = render_report(build_report_data(study, options), tmp_path / "en.pdf")
    text = text_of(pdf)
    assert Q2_EN in text and "Yes, really" in text
    assert "yes_really" not in text  # never the stored name
    assert not ARABIC_SCRIPT.search(text)


def test_the_pdf_prints_urdu_labels_shaped_right_to_left(study, tmp_path):
    study.set_report_language("Urdu")
    options = ReportOptions(sections=("crosstabs",), small_numbers=None)
    pdf = render_report(build_report_data(study, options), tmp_path / "ur.pdf")
    text = text_of(pdf)
    assert Q2_EN not in text and "Yes, really" not in text
    assert "Sometimes" in text  # no Urdu label: printed in English
    with pdfplumber.open(pdf) as doc:
        chars = [c for page in doc.pages for c in page.chars]
    assert not [c for c in chars if 0xE000 <= ord(c["text"][0]) <= 0xF8FF], "a shaped glyph lost its text"
    heading = rtl_lines(pdf, Q2_UR)
    assert heading, "the Urdu question label, right to left"
    for _, line in heading:
        assert all("NotoNaskhArabic" in c["fontname"] for c in line if ARABIC_SCRIPT.match(c["text"]))
    # the choice label: in the table and again beside the chart's bar
    assert len(rtl_lines(pdf, YES_REALLY_UR)) >= 2


def test_urdu_labels_are_drawn_shaped(study, tmp_path):
    """The Urdu labels are drawn in HarfBuzz's joined forms, not as the isolated letters an
    unshaped string would show: each word takes the width of its shaped glyphs, which is far
    narrower than its letters set one by one."""
    from reportlab.pdfbase import pdfmetrics

    from fieldkit.reports import scripts

    study.set_report_language("Urdu")
    options = ReportOptions(sections=("crosstabs",), small_numbers=None)
    pdf = render_report(build_report_data(study, options), tmp_path / "ur.pdf")
    scripts.register_fonts()
    checked = 0
    for word in ("ہفتے", "واقعی"):  # from the question label and from the choice label
        shaped = scripts.shape("FieldkitArabic", word, True)[1]
        isolated = pdfmetrics.stringWidth(word, "FieldkitArabic", 1000)
        assert isolated - shaped > 200  # the check can tell the two apart
        for _, line in pdf_lines(pdf):
            for group in _naskh_words(line):
                if same_letters("".join(c["text"] for c in group), word):
                    size = group[0]["size"]
                    drawn = max(c["x1"] for c in group) - min(c["x0"] for c in group)
                    assert drawn == pytest.approx(shaped * size / 1000, abs=0.6), (word, drawn)
                    checked += 1
    assert checked >= 3  # the heading, the table and the chart


def _naskh_words(line: list[dict]) -> list[list[dict]]:
    """Runs of characters set in the Naskh font, split at spaces."""
    out, current = [], []
    for ch in line:
        if "NotoNaskhArabic" in ch["fontname"] and not ch["text"].isspace():
            current.append(ch)
        elif current:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def test_the_cli_report_takes_a_language(study, tmp_path, capsys):
    path = study.path
    study.close()
    out = tmp_path / "urdu.pdf"
    code = main(["report", str(path), "-o", str(out), "--sections", "crosstabs", "--language", "Urdu"])
    assert code == 0, capsys.readouterr().err
    assert rtl_lines(out, Q2_UR)
    assert Q2_EN not in text_of(out)
    with Study.open(path, read_only=True) as again:
        assert again.report_language == "English"  # for this report only: the setting is unchanged
    code = main(["report", str(path), "-o", str(tmp_path / "fr.pdf"), "--language", "French"])
    err = capsys.readouterr().err
    assert code == 1 and "French" in err and "English, Urdu" in err
    assert not (tmp_path / "fr.pdf").exists()
    code = main(["report", str(path), "-o", str(tmp_path / "default.pdf"), "--sections", "crosstabs"])
    assert code == 0 and Q2_EN in text_of(tmp_path / "default.pdf")


# --- the Reports screen --------------------------------------------------------------------------


def test_the_reports_screen_offers_the_language_and_saves_it_through_the_core(qtbot, study):
    from conftest import open_window

    path = study.path
    study.close()
    w = open_window(qtbot, path)
    try:
        screen = w.show_screen("reports")
        screen.tabs.setCurrentWidget(screen.report)
        panel = screen.report
        assert panel.language.isVisibleTo(panel) and panel.language_label.isVisibleTo(panel)
        assert [panel.language.itemText(i) for i in range(panel.language.count())] == ["English", "Urdu"]
        assert panel.language.currentData() == "English"
        panel.language.setCurrentIndex(1)
        assert w.session.study.report_language == "Urdu"
        assert panel.options().language == "Urdu"
        qtbot.waitUntil(lambda: panel.preview_pdf is not None and Q2_EN not in text_of(refreshed(panel)),
                        timeout=60_000)
        assert rtl_lines(panel.preview_pdf, Q2_UR)
        # a schedule in one language: no choice shown
        w.session.call(w.session.study.update_template,
                       schedule.with_languages(w.session.study.template, ["English"], "English"),
                       changes={"template"})
        assert not panel.language.isVisibleTo(panel)
        assert panel.options().language is None
    finally:
        w.close()


def refreshed(panel) -> bytes:
    panel.update_preview()
    panel.worker.wait()
    return panel.preview_pdf


def test_a_one_language_schedule_shows_no_language_choice(qtbot, small_study):
    from conftest import open_window

    path = small_study.path
    small_study.close()
    w = open_window(qtbot, path)
    try:
        panel = w.show_screen("reports").report
        assert not panel.language.isVisibleTo(panel)
        assert not panel.language_label.isVisibleTo(panel)
    finally:
        w.close()


def test_rendering_in_memory_matches_the_file(study):
    study.set_report_language("Urdu")
    data = build_report_data(study, ReportOptions(sections=("crosstabs",), small_numbers=None))
    assert rtl_lines(render_report_bytes(data), Q2_UR)
