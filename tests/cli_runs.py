"""Running fieldkit's command line inside a test, as a user would type it."""

from __future__ import annotations

from fieldkit.cli import main


def run(capsys, *argv: object) -> tuple[int, str, str]:
    """``fieldkit ARGV…``: its exit status and what it printed on stdout and stderr."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_with_passphrases(capsys, monkeypatch, *argv: object, passphrase: str | None = None,
                         new: str | None = None) -> tuple[int, str, str]:
    """``run``, with the passphrase (and a new one) given as scripts give them: in
    FIELDKIT_PASSPHRASE and FIELDKIT_NEW_PASSPHRASE (unset when None)."""
    for var, value in (("FIELDKIT_PASSPHRASE", passphrase), ("FIELDKIT_NEW_PASSPHRASE", new)):
        if value is None:
            monkeypatch.delenv(var, raising=False)
        else:
            monkeypatch.setenv(var, value)
    return run(capsys, *argv)
