"""Screenshots of every main screen on the demo study, for the README and the guide.

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
        os.environ["XDG_CONFIG_HOME"] = str(Path(tmp) / "config")  # no saved window state
        from fieldkit.demo import build_demo
        from fieldkit.ui.main_window import SCREENS, MainWindow
        from fieldkit.ui.qt import QApplication

        app = QApplication.instance() or QApplication([])
        from fieldkit.ui.fonts import install_app_fonts

        install_app_fonts()
        path = Path(tmp) / "Demo study.fieldkit"
        build_demo(path, today=dt.date(2026, 11, 23)).close()
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
            if key == "reports":  # the preview of the real PDF is drawn in the background
                import time

                deadline = time.monotonic() + 120
                while screen.report.preview_pdf is None and time.monotonic() < deadline:
                    app.processEvents()
                    time.sleep(0.05)
            shot(key)
        study = window.session.study
        ids = study.organisations.ids()
        interviewed = study.organisations.ids(status="interviewed")
        window.open_case(interviewed[0], ids)
        shot("case-form")
        contacting = study.organisations.ids(status="contacting")
        window.start_interview(contacting[0])
        shot("interview")
        window.close()


if __name__ == "__main__":
    main()
