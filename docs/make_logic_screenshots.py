"""Screenshots of the interview with question logic, and of an interview in Urdu (right to
left), for docs/guide.md: a study from tests/forms/logic.toml, answered through the widgets.

    python docs/make_logic_screenshots.py [OUT_FOLDER]     # default: docs/screenshots

The schedule editor's screenshots are made by its test:
    FIELDKIT_SCREENSHOTS=docs/screenshots python -m pytest tests/test_ui_schedule.py -k screenshots
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
tmp = Path(tempfile.mkdtemp())
for v in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
    os.environ[v] = str(tmp / v.lower())
out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
out.mkdir(parents=True, exist_ok=True)

from fieldkit.ui.qt import QApplication, Qt  # noqa: E402
app = QApplication([])
from fieldkit.ui.fonts import install_app_fonts  # noqa: E402
install_app_fonts()
from fieldkit.study import Study  # noqa: E402
from fieldkit.template_toml import load_template  # noqa: E402
from fieldkit.ui.main_window import MainWindow  # noqa: E402
from ui_typing import type_text  # noqa: E402 - tests/ui_typing.py, after sys.path above


path = tmp / "Logic.fieldkit"
with Study.create(path, load_template(ROOT / "tests/forms/logic.toml"), title="Community groups 2026") as study:
    org = study.organisations.add("Alum Rock Community Forum", category="Network", area="Birmingham")
    org2 = study.organisations.add("Sparkbrook Women's Group", category="Network", area="Birmingham")
w = MainWindow()
w.resize(1280, 800)
w.show()
w.open_study(path)

def pump(n=10):
    for _ in range(n):
        app.processEvents()
        time.sleep(0.01)


def shot(name):
    pump()
    target = out / f"{name}.png"
    w.grab().save(str(target))
    print(target)


def settle(runner):
    for _ in range(200):
        runner.save_now()
        pump(1)
        if not runner.saver.busy() and not runner._dirty:
            break
    pump()

w.start_interview(org)
runner = w.screen_for("interviews").runner
pump()
type_text(runner.cards["contact_name"].field.editor, "Farida Begum")
runner.cards["paid"].field.buttons[0].click()   # Yes: "How many paid staff?" appears
staff = runner.cards["staff"].field.editor
staff.setFocus()
type_text(staff, "1")                           # one: "Does one of the staff manage..." stays hidden
vol = runner.cards["volunteers"].field.editor
vol.setFocus()
vol.selectAll()
type_text(vol, "6")  # 7 people: the Volunteers section is not asked
runner.cards["region"].field.buttons[1].click()       # the North: only Leeds and York offered
runner.cards["place"].field.buttons[2].click()
settle(runner)
staff.setFocus()
staff.selectAll()
type_text(staff, "0")   # breaks the constraint: said at the question, not saved
pump()
page = runner.pages.currentWidget()
page.verticalScrollBar().setValue(runner.cards["paid"].y() - 8)  # from "paid" down to the places offered
shot("runner-logic")
staff.selectAll()
type_text(staff, "4")
settle(runner)
runner.leave()
pump()

screen = w.screen_for("interviews")
runner = screen.start(org2, language="Urdu")
pump()
type_text(runner.cards["contact_name"].field.editor, "شازیہ خان")
runner.cards["paid"].field.buttons[0].click()
type_text(runner.cards["staff"].field.editor, "3")
runner.cards["region"].field.buttons[1].click()
runner.cards["manager"].field.buttons[0].setFocus(Qt.TabFocusReason)
settle(runner)
runner.pages.currentWidget().verticalScrollBar().setValue(0)
shot("runner-urdu")
runner.leave()
pump()
w.close()
