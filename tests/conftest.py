"""Shared pytest set-up for fieldkit's tests."""

import os

# --- Qt platform (keep this first: it must run before anything creates a QApplication) ----
# Tests draw offscreen, so a machine with no display (CI, ssh) can never abort the run.
# To watch them in real windows instead, set FIELDKIT_TEST_QPA, e.g. FIELDKIT_TEST_QPA=xcb.
os.environ["QT_QPA_PLATFORM"] = os.environ.get("FIELDKIT_TEST_QPA") or "offscreen"

# --- Shared fixtures (add below) ------------------------------------------------------------

pytest_plugins = ["studies"]  # study fixtures built through Study.create (tests/studies.py)
