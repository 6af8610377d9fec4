"""Help ▸ User guide (F1): docs/guide.md read offline inside the app.

Qt renders the Markdown itself (a QTextBrowser given the file as a Markdown resource), so the
screenshots load from beside the guide and a link to another page of docs/ opens in the same
window. Qt gives headings no anchors; ``GuideBrowser`` names each as GitHub does
(``fieldkit.user_guide.heading_anchors``), so links to a section work here as on the web. Web
addresses, and files that are not pages (a PDF), go to the desktop (``open_url``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fieldkit import user_guide
from fieldkit.errors import FieldkitError
from fieldkit.ui import errors
from fieldkit.ui.qt import (
    QDesktopServices,
    QHBoxLayout,
    QImage,
    QLabel,
    QPixmap,
    QPoint,
    QPushButton,
    QSize,
    QSplitter,
    QTextBrowser,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTimer,
    QTreeWidget,
    QTreeWidgetItem,
    Qt,
    QUrl,
    QVBoxLayout,
    QWidget,
    Signal,
)

#: Opens a URL on the desktop: QDesktopServices.openUrl, or a stand-in that records the URL.
OpenUrl = Callable[[QUrl], object]
PAGES = {".md", ".markdown"}
#: The deepest heading listed in the contents (the guide's #### headings are too many to list).
CONTENTS_DEPTH = 3


def page_of(url: QUrl) -> QUrl:
    """``url`` without its #section: the page itself."""
    # Not url.adjusted(QUrl.UrlFormattingOption.RemoveFragment): PySide6 6.11 crashes on it.
    page = QUrl(url)
    page.setFragment(None)  # type: ignore[arg-type]  # None is Qt's null string: no fragment at all
    return page


class GuideBrowser(QTextBrowser):
    """A QTextBrowser for fieldkit's Markdown pages: headings carry anchors, pictures fit the width."""

    #: a page was shown and its headings named (its contents may have changed)
    pageShown = Signal()  # noqa: N815 - Qt's naming

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: [(level, text, anchor)] of the page shown
        self.headings: list[tuple[int, str, str]] = []
        self._natural: dict[str, QSize] = {}
        self._fit = QTimer(self)
        self._fit.setSingleShot(True)
        self._fit.setInterval(50)
        self._fit.timeout.connect(self.fit_images)
        self._revision = -1  # the document's revision once its headings were named
        self._keep: int | None = None  # the position at the top of the view before a resize
        self._page = QUrl()
        self.sourceChanged.connect(self._read)

    def _read(self, url: QUrl) -> None:
        # Qt has read a page (setSource, Back, Forward, Home; none of them calls a method a
        # subclass can take over) or only scrolled within the one shown.
        if self.document().revision() == self._revision:
            return
        self.document().setUndoRedoEnabled(False)
        self._name_headings()
        self._keep = None  # a place on the page before
        self.fit_images()
        self._revision = self.document().revision()
        if page_of(url) != self._page:
            self._page = page_of(url)
            self.pageShown.emit()
        if url.fragment():  # Qt looked for the anchor before the headings had their names
            self.scrollToAnchor(url.fragment())

    def _name_headings(self) -> None:
        found = []
        block = self.document().begin()
        while block.isValid():
            level = block.blockFormat().headingLevel()
            if level:
                found.append((block, level, block.text()))
            block = block.next()
        names = user_guide.heading_anchors(text for _, _, text in found)
        self.headings = []
        for (block, level, text), name in zip(found, names, strict=True):
            cursor = QTextCursor(block)
            cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
            anchor = QTextCharFormat()
            anchor.setAnchor(True)
            anchor.setAnchorNames([name])
            cursor.mergeCharFormat(anchor)
            self.headings.append((level, text, name))

    def fit_images(self) -> None:
        """Show each picture at its own size, or narrower where the window is narrower."""
        doc = self.document()
        room = max(200, self.viewport().width() - 2 * int(doc.documentMargin()) - 24)
        # What was at the top of the view stays there while the text and pictures above it change.
        keep, self._keep = self._keep, None
        if keep is None and self.verticalScrollBar().value():
            keep = self.cursorForPosition(QPoint(0, 0)).position()
        changed = False
        block = doc.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                it += 1
                if not fragment.charFormat().isImageFormat():
                    continue
                image = fragment.charFormat().toImageFormat()
                natural = self._natural_size(image.name())
                if natural is None or natural.isEmpty():
                    continue
                width = min(natural.width(), room)
                if abs(image.width() - width) < 1:
                    continue
                image.setWidth(width)
                image.setHeight(natural.height() * width / natural.width())
                cursor = QTextCursor(doc)
                cursor.setPosition(fragment.position())
                cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
                cursor.setCharFormat(image)
                changed = True
            block = block.next()
        if changed:
            # Laid out afresh: after pictures change size, Qt's partial relayout leaves the
            # blocks below them drawn away from where it says they are.
            doc.markContentsDirty(0, doc.characterCount())
        if keep is not None:
            top = QTextCursor(doc)
            top.setPosition(min(keep, doc.characterCount() - 1))
            bar = self.verticalScrollBar()
            bar.setValue(bar.value() + self.cursorRect(top).top())

    def _natural_size(self, name: str) -> QSize | None:
        url = self.source().resolved(QUrl(name))
        key = url.toString()
        if key not in self._natural:
            picture = self.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(name))
            if isinstance(picture, QPixmap | QImage) and not picture.isNull():
                self._natural[key] = picture.size()
            else:
                return None
        return self._natural[key]

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self._keep is None and self.verticalScrollBar().value():
            self._keep = self.cursorForPosition(QPoint(0, 0)).position()  # before the text flows anew
        super().resizeEvent(event)
        self._fit.start()


class GuideWindow(QWidget):
    """The user guide in a window of its own: contents on the left, the page on the right.

    ``open_url`` is what opens web addresses and files that are not pages (QDesktopServices's
    openUrl unless given).
    """

    def __init__(self, path: Path, parent: QWidget | None = None, *, open_url: OpenUrl | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("User guide — fieldkit")
        self.setAccessibleName("User guide")
        self._open_url: OpenUrl = open_url or QDesktopServices.openUrl
        self.path = path
        layout = QVBoxLayout(self)

        bar = QHBoxLayout()
        self.back_button = QPushButton("Back")
        self.back_button.setAccessibleName("Back")
        self.forward_button = QPushButton("Forward")
        self.forward_button.setAccessibleName("Forward")
        self.home_button = QPushButton("Guide")
        self.home_button.setAccessibleName("Back to the start of the guide")
        self.home_button.setToolTip("The start of the user guide")
        for button in (self.back_button, self.forward_button, self.home_button):
            bar.addWidget(button)
        #: why the last link was not followed (a page this copy of fieldkit does not include)
        self.message = QLabel("")
        self.message.setAccessibleName("Message")
        bar.addWidget(self.message, 1)
        layout.addLayout(bar)

        split = QSplitter()
        self.contents = QTreeWidget()
        self.contents.setHeaderHidden(True)
        self.contents.setAccessibleName("Contents")
        self.contents.itemActivated.connect(self._go_to_heading)
        self.contents.itemClicked.connect(self._go_to_heading)
        split.addWidget(self.contents)
        self.browser = GuideBrowser()
        self.browser.setAccessibleName("Guide page")
        self.browser.setOpenLinks(False)  # every link goes through follow()
        self.browser.anchorClicked.connect(self.follow)
        self.browser.pageShown.connect(self._fill_contents)
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        self.browser.forwardAvailable.connect(self.forward_button.setEnabled)
        self.back_button.clicked.connect(self.browser.backward)
        self.forward_button.clicked.connect(self.browser.forward)
        self.home_button.clicked.connect(self.browser.home)
        self.back_button.setEnabled(False)
        self.forward_button.setEnabled(False)
        split.addWidget(self.browser)
        split.setStretchFactor(1, 1)
        split.setSizes([300, 800])
        layout.addWidget(split, 1)
        self.resize(1100, 760)

        self.browser.setSearchPaths([str(path.parent)])
        self.browser.setSource(QUrl.fromLocalFile(str(path)), QTextDocument.ResourceType.MarkdownResource)

    def follow(self, url: QUrl) -> None:
        """Follow a link: a section or another page here, anything else on the desktop."""
        self.message.setText("")
        target = self.browser.source().resolved(url)
        if not target.isLocalFile():
            self._open_url(url)
            return
        file = Path(target.toLocalFile())
        if target.fragment() and page_of(target) == page_of(self.browser.source()):
            # A section of the page shown: scrolled to, not read again (Qt would read the whole
            # page again, since naming the headings changed it).
            self.browser.scrollToAnchor(target.fragment())
        elif not file.exists():
            self.message.setText(f"{file.name} is not included with this copy of fieldkit.")
        elif file.suffix.lower() in PAGES:
            self.browser.setSource(target, QTextDocument.ResourceType.MarkdownResource)
        else:
            self._open_url(page_of(target))

    def _fill_contents(self) -> None:
        self.contents.clear()
        parents: dict[int, QTreeWidgetItem] = {}
        for level, text, name in self.browser.headings:
            if level > CONTENTS_DEPTH:
                continue
            parent = next((parents[up] for up in range(level - 1, 0, -1) if up in parents), None)
            item = QTreeWidgetItem([text])
            item.setData(0, Qt.ItemDataRole.UserRole, name)
            item.setToolTip(0, text)
            if parent is None:
                self.contents.addTopLevelItem(item)
            else:
                parent.addChild(item)
            parents[level] = item
            for deeper in [k for k in parents if k > level]:
                del parents[deeper]
        self.contents.expandToDepth(0)

    def _go_to_heading(self, item: QTreeWidgetItem) -> None:
        self.browser.scrollToAnchor(item.data(0, Qt.ItemDataRole.UserRole))


def show_guide(parent: QWidget | None = None, *, open_url: OpenUrl | None = None) -> GuideWindow | None:
    """Open the user guide in a window of its own, or bring back the one ``parent`` already has
    (where it was left); without the guide, say so in one line."""
    window = parent.findChild(GuideWindow) if parent is not None else None
    if window is None:
        try:
            path = user_guide.guide_path()
        except FieldkitError as e:
            errors.warn(parent, "User guide", str(e))
            return None
        window = GuideWindow(path, parent, open_url=open_url)
    window.show()
    window.raise_()
    window.activateWindow()
    return window
