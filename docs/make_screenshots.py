"""Screenshots of every main screen on the demo study (and of the change history and the
personal-data reminder), for the README and the guide; and the main screens again in the dark
appearance (``NAME-dark.png``), as fieldkit shows them on a desktop set to dark.

    python docs/make_screenshots.py [--out docs/screenshots]

Runs on Qt's offscreen platform (no display needed) with a fresh demo study in a temporary
folder, so the pictures are the same on every machine and nothing of yours is touched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory() as tmp:
        for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):  # no saved window
            os.environ[variable] = str(Path(tmp) / variable.lower())  # state; backups not in yours
        from fieldkit.demo_report import create_demo
        from fieldkit.ui.main_window import SCREENS, MainWindow
        from fieldkit.ui.qt import QApplication

        app = QApplication.instance() or QApplication([])
        from fieldkit.ui.fonts import install_app_fonts

        install_app_fonts()
        path = Path(tmp) / "Demo study.fieldkit"
        create_demo(path, today=dt.date(2026, 11, 23)).close()  # with its report written, as `fieldkit demo`
        window = MainWindow()
        window.resize(1180, 760)
        window.show()

        def shot(name: str) -> None:
            for _ in range(5):
                app.processEvents()
            target = args.out / f"{name}.png"
            window.grab().save(str(target))
            print(target)

        shot("welcome")
        window.open_study(path)
        for key, *_ in SCREENS:
            screen = window.show_screen(key)
            if key == "reports":
                wait_for_preview(screen, app)
            shot(key)
            if key == "reports":  # writing the report: the method in the researcher's own words
                screen.tabs.setCurrentWidget(screen.write)
                screen.write.show_section("background")
                shot("report-writing")
                screen.tabs.setCurrentIndex(0)
        study = window.session.study
        ids = study.organisations.ids()
        interviewed = study.organisations.ids(status="interviewed")
        window.open_case(interviewed[0], ids)
        shot("case-form")
        contacting = study.organisations.ids(status="contacting")
        window.start_interview(contacting[0])
        shot("interview")
        runner = window.screen_for("interviews").runner
        runner.show_section(anonymous_section(study))  # the anonymous questions, in their own colours
        shot("interview-anonymous")
        history_of(window, study, app, args.out)
        import_wizard_of(window, app, args.out, Path(tmp))
        from fieldkit.ui.passphrase import new_study_dialog

        dialog = new_study_dialog(window, "Black Country mapping")
        dialog.show()
        for _ in range(5):
            app.processEvents()
        dialog.grab().save(str(args.out / "passphrase.png"))
        print(args.out / "passphrase.png")
        dialog.close()
        window.close_study()
        from fieldkit import personal_data
        from fieldkit.study import Study

        with Study.open(path) as reopened:  # a deletion date that has passed: the reminder shows
            personal_data.set_retention_date(reopened, dt.date(2026, 10, 31))
        window.open_study(path)
        window.show_screen("settings").show_retention()
        shot("personal-data")
        window.close()
        dark_shots(app, args.out, Path(tmp) / "dark")


def dark_shots(app, out: Path, folder: Path) -> None:
    """The main screens, the case form and an interview on a fresh demo study, under the dark
    palette fieldkit uses where the desktop gives none of its own (fieldkit.ui.palette)."""
    from fieldkit.demo_report import create_demo
    from fieldkit.ui import palette
    from fieldkit.ui.main_window import SCREENS, MainWindow

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "Demo study.fieldkit"
    create_demo(path, today=dt.date(2026, 11, 23)).close()
    palette.apply_scheme(app, dark=True)
    window = MainWindow()
    window.resize(1180, 760)
    window.show()

    def shot(name: str) -> None:
        for _ in range(5):
            app.processEvents()
        window.grab().save(str(out / f"{name}-dark.png"))
        print(out / f"{name}-dark.png")

    try:
        window.open_study(path)
        for key, *_ in SCREENS:
            screen = window.show_screen(key)
            if key == "reports":
                wait_for_preview(screen, app)
            shot(key)
        study = window.session.study
        window.open_case(study.organisations.ids(status="interviewed")[0], study.organisations.ids())
        shot("case-form")
        window.start_interview(study.organisations.ids(status="contacting")[0])
        window.screen_for("interviews").runner.show_section(anonymous_section(study))
        shot("interview-anonymous")
        window.close()
    finally:
        palette.apply_scheme(app, dark=False)


def anonymous_section(study) -> int:
    """The row of the demo schedule's all-anonymous section."""
    return next(row for row, s in enumerate(study.template.sections)
                if s.questions and all(q.anonymous for q in s.questions))


def wait_for_preview(screen, app) -> None:
    """The Reports screen's preview of the real PDF is drawn in the background: wait for it."""
    import time

    deadline = time.monotonic() + 120
    while screen.report.preview_pdf is None and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.05)


def history_of(window, study, app, out: Path) -> None:
    """The change history of an organisation after a few edits, made at fixed times so the
    picture is the same on every run."""
    import fieldkit.study

    orgs = study.organisations
    org_id = next(i for i in orgs.ids() if len(orgs.contacts(i)) >= 2 and not orgs.changes(i))
    first, second = orgs.contacts(org_id)[:2]
    edits = [
        ("2026-11-16T10:12:00", lambda: orgs.update(org_id, phone="0121 496 0777")),
        ("2026-11-16T10:14:00", lambda: orgs.update_contact(first.id, role="Chair", phone="07700 900456")),
        ("2026-11-18T15:40:00", lambda: orgs.set_flag(org_id, "follow_up", True)),
        ("2026-11-20T09:05:00", lambda: orgs.delete_contact(second.id)),
        ("2026-11-20T09:06:00", lambda: orgs.update(org_id, email="hello@example.org")),
    ]
    real_now = fieldkit.study.now
    try:
        for stamp, edit in edits:
            fieldkit.study.now = lambda stamp=stamp: stamp
            edit()
    finally:
        fieldkit.study.now = real_now
    window.open_case(org_id)
    dialog = window.screen_for("organisations").case_form.show_history()
    dialog.table.selectRow(2)
    for _ in range(5):
        app.processEvents()
    target = out / "change-history.png"
    dialog.grab().save(str(target))
    print(target)
    dialog.close()


def import_wizard_of(window, app, out: Path, folder: Path) -> None:
    """File ▸ Import… on a small spreadsheet of organisations: its columns as guessed, and the
    check before importing, with the areas it abbreviates mapped and one tick box to put right."""
    import csv

    from fieldkit.ui.import_wizard import ImportWizard

    path = folder / "Groups met at the fair.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([
            ["Group", "Tel", "Town", "Post code", "Area", "Keen for follow up", "Ref"],
            ["Handsworth Carers Network", "0121 496 0712", "Handsworth", "B21 9AA", "Brum", "yes", "F01"],
            ["Walsall Food Share", "01922 960 441", "Walsall", "WS1 1AA", "Walsall", "no", "F02"],
            ["Penn Fields Allotment Society", "01902 960 118", "Wolverhampton", "WV3 7AA", "Wolves", "maybe", "F03"],
            ["Tipton Youth Forum", "0121 496 0398", "Tipton", "DY4 8AA", "Sandwell", "yes", "F04"],
            ["Kings Heath Community Choir", "0121 496 0855", "Kings Heath", "B14 7AA", "Brum", "", "F05"],
        ])
    wizard = ImportWizard(window.session.study, window)
    wizard.resize(900, 650)
    wizard.show()

    def shot(name: str) -> None:
        for _ in range(5):
            app.processEvents()
        wizard.grab().save(str(out / f"{name}.png"))
        print(out / f"{name}.png")

    wizard.set_path(path)
    wizard.next()
    wizard.columns_page.combos["Ref"].setCurrentIndex(0)  # not imported
    shot("import-columns")
    wizard.next()
    for (_, raw), combo in wizard.values_page.combos.items():
        combo.setCurrentIndex(combo.findData({"Brum": "Birmingham", "Wolves": "Wolverhampton"}[raw]))
    wizard.next()
    shot("import-preview")
    wizard.reject()


if __name__ == "__main__":
    main()
