"""The Organisations screen: a paged list over the core, its filters, search, sort and counts."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from ui_typing import type_text

from fieldkit.demo import build_demo
from fieldkit.organisations import STATUS_LABELS, Organisations
from fieldkit.study import Study
from fieldkit.template_toml import find_template

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def demo_file(tmp_path: Path) -> Path:
    path = tmp_path / "demo.fieldkit"
    with build_demo(path, organisations=60) as study:
        # Names in other scripts, to search for.
        study.organisations.add("Stowarzyszenie Łódź Polonia", category=study.template.categories[1],
                                area="Coventry", status="contacting")
        study.organisations.add("长者会 Chinese Elders")  # no category or area recorded yet
    return path


@pytest.fixture
def study_path(demo_file: Path) -> Path:
    return demo_file


def loaded(qtbot, screen) -> None:
    qtbot.waitUntil(lambda: not screen.loader.busy and not screen._debounce.isActive(), timeout=3000)


def shown_names(screen) -> list[str]:
    model = screen.model
    return [model.data(model.index(row, 0)) for row in range(model.rowCount())]


def choose(qtbot, combo, text: str) -> None:
    """Pick ``text`` in a drop-down from the keyboard, as a person would (Home, then Down)."""
    from fieldkit.ui.qt import Qt

    target = combo.findText(text)
    assert target >= 0, text
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key_Home)
    for _ in range(target):
        qtbot.keyClick(combo, Qt.Key_Down)
    assert combo.currentText() == text


def counts_text(study: Study, **filters) -> str:
    c = study.organisations.status_counts(**filters)
    text = f"{c.on_database:,} on database · {c.interviewed:,} interviewed"
    return text + (f" · {c.in_interview:,} in interview" if c.in_interview else "")


def test_list_shows_every_organisation_with_counts(window):
    screen = window.screen_for("organisations")
    study = window.session.study
    ids = study.organisations.ids()
    assert screen.model.ids == ids
    assert shown_names(screen) == [o.name for o in study.organisations.many(ids)]
    c = study.organisations.status_counts()
    assert screen.counts.text() == f"{c.total} organisations · {counts_text(study)}"
    assert c.interviewed > 0 and c.excluded > 0  # the demo has both, so the numbers differ


def test_filters_by_category_area_status_and_flags(window, qtbot):
    screen = window.screen_for("organisations")
    study = window.session.study
    category = study.template.categories[1]

    choose(qtbot, screen.category, category)
    loaded(qtbot, screen)
    assert screen.model.ids == study.organisations.ids(category=category)
    assert screen.counts.text().endswith(counts_text(study, category=category))
    assert screen.counts.text().startswith(f"{len(screen.model.ids)} of {study.organisations.count()} organisations")

    choose(qtbot, screen.status, STATUS_LABELS["interviewed"])
    choose(qtbot, screen.flag_filters["follow_up"], "Ticked")
    loaded(qtbot, screen)
    expected = study.organisations.ids(category=category, status="interviewed", flags=["follow_up"])
    assert expected and screen.model.ids == expected
    for org in study.organisations.many(screen.model.ids):
        assert (org.category, org.status, "follow_up" in org.flags) == (category, "interviewed", True)

    choose(qtbot, screen.flag_filters["follow_up"], "Not ticked")
    loaded(qtbot, screen)
    assert screen.model.ids == study.organisations.ids(category=category, status="interviewed",
                                                       without_flags=["follow_up"])

    qtbot.mouseClick(screen.clear_button, _left())
    loaded(qtbot, screen)
    assert screen.model.ids == study.organisations.ids()

    choose(qtbot, screen.category, "Not recorded")
    loaded(qtbot, screen)
    assert screen.model.ids == study.organisations.ids(category="") != []
    choose(qtbot, screen.area, "Coventry")
    choose(qtbot, screen.category, "All categories")
    loaded(qtbot, screen)
    assert screen.model.ids == study.organisations.ids(area="Coventry")
    assert screen.counts.text().endswith(counts_text(study, area="Coventry"))


def _left():
    from fieldkit.ui.qt import Qt

    return Qt.LeftButton


def click_header(qtbot, screen, column: int) -> None:
    from fieldkit.ui.qt import QPoint

    header = screen.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), _left(), pos=QPoint(x, header.height() // 2))


def test_sorting_by_header_and_by_the_sort_drop_down(window, qtbot):
    screen = window.screen_for("organisations")
    orgs = window.session.study.organisations
    from fieldkit.ui.organisation_list import COLUMNS

    keys = [key for key, _ in COLUMNS]

    click_header(qtbot, screen, keys.index("status"))
    loaded(qtbot, screen)
    assert screen.model.ids == orgs.ids(order_by="status")
    click_header(qtbot, screen, keys.index("status"))
    loaded(qtbot, screen)
    assert screen.model.ids == orgs.ids(order_by="status", descending=True)
    assert screen.sort.currentText() == "Status" and screen.reverse.isChecked()

    click_header(qtbot, screen, keys.index("phone"))  # not sortable: the order stays
    loaded(qtbot, screen)
    assert screen.model.ids == orgs.ids(order_by="status", descending=True)
    assert screen.table.horizontalHeader().sortIndicatorSection() == keys.index("status")

    choose(qtbot, screen.sort, "Last changed")
    loaded(qtbot, screen)
    assert screen.model.ids == orgs.ids(order_by="updated", descending=True)  # newest first
    qtbot.mouseClick(screen.reverse, _left())
    loaded(qtbot, screen)
    assert screen.model.ids == orgs.ids(order_by="updated")

    click_header(qtbot, screen, keys.index("area"))
    choose(qtbot, screen.category, screen.category.itemText(2))
    loaded(qtbot, screen)
    assert screen.model.ids == orgs.ids(order_by="area", category=screen.category.currentData())


def test_search_filters_as_you_type_after_a_pause(window, qtbot):
    screen = window.screen_for("organisations")
    every = screen.model.ids
    screen.search.setFocus()
    type_text(screen.search, "łódź")
    assert screen._debounce.isActive() and screen.model.ids == every  # nothing asked yet
    loaded(qtbot, screen)
    assert shown_names(screen) == ["Stowarzyszenie Łódź Polonia"]
    assert screen.counts.text().startswith("1 of 62 organisations · 1 on database · 0 interviewed")

    screen.search.clear()
    type_text(screen.search, "lodz")  # without the accents
    loaded(qtbot, screen)
    assert shown_names(screen) == ["Stowarzyszenie Łódź Polonia"]

    screen.search.clear()
    type_text(screen.search, "长者")  # two Chinese characters, no spaces
    loaded(qtbot, screen)
    assert shown_names(screen) == ["长者会 Chinese Elders"]

    screen.search.clear()
    loaded(qtbot, screen)
    assert screen.model.ids == every


def test_the_search_finds_an_answer_just_saved(window, qtbot):
    """The list reads on a connection of its own: the entries of answers just saved, which wait
    to be written together, are written before it searches."""
    study = window.session.study
    org = study.organisations.ids()[5]
    session = study.interviews.start(org)
    question = next(q.id for q in study.template.questions() if q.type == "long_text" and not q.anonymous)
    session.save_answer(question, "A zebra crossing outside the hall")
    assert study.search.pending
    screen = window.screen_for("organisations")
    screen.search.setText("zebra crossing")
    loaded(qtbot, screen)
    assert screen.model.ids == [org]
    session.close()


def test_the_list_is_read_off_the_ui_thread(window, qtbot, monkeypatch):
    screen = window.screen_for("organisations")
    threads = []
    real = Organisations.ids_with_counts

    def spy(self, *query, **filters):
        threads.append(threading.current_thread())
        return real(self, *query, **filters)

    monkeypatch.setattr(Organisations, "ids_with_counts", spy)
    screen.search.setText("birmingham")
    loaded(qtbot, screen)
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert screen.model.ids == window.session.study.organisations.ids(search="birmingham")


def test_enter_and_double_click_open_the_case_form(window, qtbot):
    from fieldkit.ui.qt import Qt

    screen = window.screen_for("organisations")
    screen.search.setFocus()
    qtbot.keyClick(screen.search, Qt.Key_Down)  # from the search box into the list
    assert screen.table.hasFocus() and screen.table.currentIndex().row() == 0
    qtbot.keyClick(screen.table, Qt.Key_Down)
    qtbot.keyClick(screen.table, Qt.Key_Return)
    form = screen.case_form
    assert screen.pages.currentWidget() is form
    assert form.org_id == screen.model.ids[1]
    assert form.where.text() == f"2 of {len(screen.model.ids)}"
    qtbot.keyClick(form.fields["name"], Qt.Key_Escape)
    assert screen.pages.currentWidget() is screen.list_page
    assert screen.current_id() == screen.model.ids[1]

    rect = screen.table.visualRect(screen.model.index(4, 0))
    qtbot.mouseClick(screen.table.viewport(), Qt.LeftButton, pos=rect.center())  # a double click's first press
    qtbot.mouseDClick(screen.table.viewport(), Qt.LeftButton, pos=rect.center())
    assert screen.pages.currentWidget() is form and form.org_id == screen.model.ids[4]


def test_list_follows_changes_made_elsewhere(window, qtbot):
    screen = window.screen_for("organisations")
    study = window.session.study
    before = len(screen.model.ids)
    new = window.session.call(study.organisations.add, "Aardvark Community Hub", status="interviewed",
                              changes={"organisations"})
    loaded(qtbot, screen)
    assert len(screen.model.ids) == before + 1 and screen.model.ids[0] == new
    assert "· " + counts_text(study) in screen.counts.text()
    window.session.call(study.organisations.update, new, name="Zebra Crossing Group", changes={"organisations"})
    loaded(qtbot, screen)
    assert screen.model.ids == study.organisations.ids() and screen.model.ids[0] != new
    assert shown_names(screen)[screen.model.row_of(new)] == "Zebra Crossing Group"


def test_add_an_organisation(window, qtbot):
    from fieldkit.ui.qt import QDialogButtonBox

    screen = window.screen_for("organisations")
    study = window.session.study
    qtbot.mouseClick(screen.add_button, _left())
    dialog = screen._add_dialog
    type_text(dialog.name, "Wspólnota Polska ویلفیئر 社区")
    choose(qtbot, dialog.category, study.template.categories[0])
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok), _left())
    form = screen.case_form
    assert screen.pages.currentWidget() is form
    org = study.organisations.get(form.org_id)
    assert (org.name, org.category) == ("Wspólnota Polska ویلفیئر 社区", study.template.categories[0])
    assert form.fields["name"].text() == org.name


# --- the model, without a view ------------------------------------------------------------------


@pytest.fixture
def big_study(tmp_path: Path):
    study = Study.create(tmp_path / "big.fieldkit", find_template("regional-mapping"))
    cats = study.template.categories
    with study.transaction():
        for i in range(5000):
            study.organisations.add(f"Organisation {i:05d}", category=cats[i % len(cats)],
                                    flags=["follow_up"] if i % 3 == 0 else [])
    yield study
    study.close()


def test_model_reads_only_the_page_drawn(qapp, big_study: Study, monkeypatch):
    from fieldkit.ui.organisation_list import COLUMNS, PAGE, OrganisationTableModel
    from fieldkit.ui.qt import Qt

    asked: list[list[int]] = []
    real = big_study.organisations.many
    monkeypatch.setattr(big_study.organisations, "many", lambda ids: asked.append(list(ids)) or real(ids))
    model = OrganisationTableModel(big_study)
    ids = big_study.organisations.ids()
    model.set_ids(ids)
    assert model.rowCount() == 5000 and model.columnCount() == 8
    assert asked == []  # nothing read until a row is drawn

    assert model.data(model.index(2345, 0)) == "Organisation 02345"
    assert asked == [ids[2300:2300 + PAGE]]  # its page, and only its page
    keys = [key for key, _ in COLUMNS]
    assert model.data(model.index(2399, keys.index("full_interview"))) in ("", "✓")
    assert model.data(model.index(2301, keys.index("follow_up")), Qt.AccessibleTextRole) == "Yes"  # 2301 % 3 == 0
    assert model.data(model.index(2302, keys.index("disposition"))) == "3.11 Not attempted or worked"
    assert len(asked) == 1  # same page: no second read
    model.data(model.index(4999, 0))
    assert asked[-1] == ids[4900:5000] and len(asked) == 2

    model.set_ids(list(reversed(ids)))
    assert model.data(model.index(0, 0)) == "Organisation 04999"
    assert sum(len(a) for a in asked) == 3 * PAGE  # 300 of 5,000 rows read in all


def test_a_view_over_the_model_reads_only_the_rows_on_screen(qtbot, big_study: Study):
    from fieldkit.ui.organisation_list import OrganisationTableModel
    from fieldkit.ui.qt import QHeaderView, QTableView

    model = OrganisationTableModel(big_study)
    model.set_ids(big_study.organisations.ids())
    view = QTableView()
    qtbot.addWidget(view)
    view.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
    view.setModel(model)
    view.resize(800, 600)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: model.pages_read > 0)
    qtbot.wait(50)
    assert model.pages_read == 1
    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.pages_read == 2)
    assert len(model._cache) <= 200


def test_many_tick_boxes_do_not_make_the_screen_wider_than_a_laptop(qtbot, tmp_path):
    """The regional template's nine tick boxes (the directory's permission for each detail among
    them): their filters wrap onto a second line instead of widening the window."""
    from conftest import open_window
    from fieldkit.demo import build_demo

    path = tmp_path / "flags.fieldkit"
    build_demo(path, organisations=20).close()
    window = open_window(qtbot, path)
    screen = window.show_screen("organisations")
    assert len(screen.flag_filters) >= 8
    assert screen.minimumSizeHint().width() <= 1100
    window.resize(1180, 760)
    qtbot.wait(50)
    assert window.width() <= 1180
