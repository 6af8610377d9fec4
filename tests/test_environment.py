"""The test environment itself: Qt runs on the platform tests/conftest.py chose."""

import os

from PySide6.QtGui import QGuiApplication


def test_qt_platform_is_offscreen_unless_asked_otherwise(qapp):
    expected = os.environ.get("FIELDKIT_TEST_QPA") or "offscreen"
    assert QGuiApplication.platformName() == expected
