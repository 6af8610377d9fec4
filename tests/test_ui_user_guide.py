"""Help ▸ User guide (F1): docs/guide.md inside the app, with its pictures, its section links and its other pages."""

from __future__ import annotations

from pathlib import Path

from ui_dialogs import answer_modals

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "guide.md"


def _window(qtbot, opened: list | None = None):
    from fieldkit.ui.user_guide import GuideWindow

    window = GuideWindow(GUIDE, open_url=(opened if opened is not None else []).append)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _shows_heading(browser, text: str) -> bool:
    """Whether the page is scrolled to the heading ``text``: at the top of the view, or in view
    with the page scrolled as far as it goes."""
    from fieldkit.ui.qt import QTextCursor

    bar = browser.verticalScrollBar()
    block = browser.document().begin()
    while block.isValid():
        if block.blockFormat().headingLevel() and block.text() == text:
            y = browser.cursorRect(QTextCursor(block)).top()
            return 0 <= y < 30 or (bar.value() == bar.maximum() > 0 and 0 <= y < browser.viewport().height())
        block = block.next()
    raise AssertionError(f"no heading {text!r}")


def _images(browser) -> list:
    """(name, width) of every picture on the page shown."""
    out = []
    block = browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat():
                out.append((fmt.toImageFormat().name(), fmt.toImageFormat().width()))
            it += 1
        block = block.next()
    return out


def test_the_guide_loads_with_its_pictures(qtbot):
    from fieldkit.ui.qt import QTextDocument, QUrl

    window = _window(qtbot)
    browser = window.browser
    assert Path(browser.source().toLocalFile()) == GUIDE
    assert browser.document().toPlainText().startswith("The fieldkit guide")
    images = _images(browser)
    assert len(images) >= 5 and "screenshots/passphrase.png" in [name for name, _ in images]
    for name, _ in images:
        picture = browser.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(name))
        assert picture is not None and not picture.isNull(), name
    # Wide screenshots are shown no wider than the page, once the window has its size.
    qtbot.waitUntil(lambda: all(0 < w <= browser.viewport().width() for _, w in _images(browser)))
    assert max(w for _, w in _images(browser)) < 1180  # the widest screenshot was narrowed
    # ...and the page is laid out for the narrowed pictures: as tall as when laid out afresh.
    qtbot.waitUntil(lambda: not browser._fit.isActive())
    qtbot.wait(100)
    layout = browser.document().documentLayout()
    height = layout.documentSize().height()
    browser.document().markContentsDirty(0, browser.document().characterCount())
    assert layout.documentSize().height() == height


def test_the_place_read_stays_in_view_when_the_window_is_resized(qtbot):
    from fieldkit.ui.qt import QUrl

    window = _window(qtbot)
    browser = window.browser
    qtbot.waitUntil(lambda: all(0 < w <= browser.viewport().width() for _, w in _images(browser)))
    window.follow(QUrl("#5-the-comment-pool"))
    assert _shows_heading(browser, "5. The comment pool")
    window.resize(760, 560)
    qtbot.waitUntil(lambda: all(0 < w <= browser.viewport().width() for _, w in _images(browser)))
    qtbot.wait(120)  # the pictures are fitted a moment after the last resize
    assert _shows_heading(browser, "5. The comment pool")


def test_a_link_to_a_section_scrolls_to_its_heading(qtbot):
    from fieldkit.ui.qt import QUrl

    window = _window(qtbot)
    browser = window.browser
    assert browser.verticalScrollBar().value() == 0
    window.follow(QUrl("#3-contact-them"))
    assert browser.verticalScrollBar().value() > 0
    assert _shows_heading(browser, "3. Contact them")
    assert not _shows_heading(browser, "4. Interview")
    window.follow(QUrl("guide.md#protect-it-with-a-passphrase"))  # the same page named in full
    assert _shows_heading(browser, "Protect it with a passphrase")


def test_the_contents_go_to_each_section(qtbot):
    window = _window(qtbot)
    top = window.contents.topLevelItem(0)
    assert top.text(0) == "The fieldkit guide"
    sections = [top.child(i).text(0) for i in range(top.childCount())]
    assert sections[:3] == ["1. Start a study", "2. Find the organisations", "3. Contact them"]
    item = top.child(4)  # 5. The comment pool
    window.contents.itemClicked.emit(item, 0)
    assert item.text(0) == "5. The comment pool"
    assert _shows_heading(window.browser, "5. The comment pool")


def test_a_link_to_another_page_opens_it_here_with_back_and_its_own_sections(qtbot):
    from fieldkit.ui.qt import QUrl

    opened: list = []
    window = _window(qtbot, opened)
    browser = window.browser
    window.follow(QUrl("archive-format.md"))
    assert Path(browser.source().toLocalFile()) == ROOT / "docs" / "archive-format.md"
    assert window.contents.topLevelItem(0).text(0) == "The study archive format"
    assert window.back_button.isEnabled()
    window.follow(QUrl("#encryption"))  # a link of that page to one of its own sections
    assert _shows_heading(browser, "Encryption")
    assert not _shows_heading(browser, "The files in the archive")
    window.back_button.click()
    window.back_button.click()
    assert Path(browser.source().toLocalFile()) == GUIDE
    assert window.contents.topLevelItem(0).text(0) == "The fieldkit guide"
    assert opened == []


def test_web_addresses_and_files_that_are_not_pages_go_to_the_desktop(qtbot):
    from fieldkit.ui.qt import QUrl

    opened: list = []
    window = _window(qtbot, opened)
    window.follow(QUrl("https://example.org/help#start"))
    window.follow(QUrl("report-examples/mapping-report.pdf"))
    pdf = QUrl.fromLocalFile(str(ROOT / "docs" / "report-examples" / "mapping-report.pdf"))
    assert [u.toString() for u in opened] == ["https://example.org/help#start", pdf.toString()]
    assert Path(window.browser.source().toLocalFile()) == GUIDE  # the guide stays where it was


def test_a_link_to_a_page_not_shipped_says_so(qtbot):
    from fieldkit.ui.qt import QUrl

    opened: list = []
    window = _window(qtbot, opened)
    window.follow(QUrl("no-such-page.md"))
    assert window.message.text() == "no-such-page.md is not included with this copy of fieldkit."
    assert Path(window.browser.source().toLocalFile()) == GUIDE and opened == []


def test_f1_opens_the_guide_with_no_study_open_and_again_brings_it_back(qtbot):
    from fieldkit.ui.main_window import MainWindow
    from fieldkit.ui.qt import QKeySequence
    from fieldkit.ui.user_guide import GuideWindow

    window = MainWindow()
    qtbot.addWidget(window)
    [action] = [a for m in window.menuBar().actions() if m.text() == "&Help"
                for a in m.menu().actions() if a.text() == "&User guide"]
    assert action.shortcut() == QKeySequence("F1")
    action.trigger()
    guide = window.findChild(GuideWindow)
    assert guide is not None and guide.isVisible()
    assert Path(guide.browser.source().toLocalFile()) == GUIDE
    guide.close()
    action.trigger()
    assert window.findChildren(GuideWindow) == [guide] and guide.isVisible()


def test_a_missing_guide_is_said_in_one_line(qtbot, tmp_path: Path, monkeypatch):
    from fieldkit import user_guide
    from fieldkit.ui.qt import QMessageBox
    from fieldkit.ui.user_guide import show_guide

    monkeypatch.setattr(user_guide, "docs_dir", lambda: tmp_path)
    texts: list[str] = []

    def read(box):
        assert isinstance(box, QMessageBox)
        texts.append(box.text())
        box.accept()

    seen = answer_modals(read)
    assert show_guide(None) is None
    assert len(seen) == 1
    [text] = texts
    assert "user guide is not included" in text and str(tmp_path / "guide.md") in text and "\n" not in text
