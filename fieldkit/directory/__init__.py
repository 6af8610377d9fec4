"""A consortium's shared directory of organisations, on a PostgreSQL server the members share.

Studies stay on their laptops; what is shared is one record per organisation that agreed to be
listed, holding only the details it agreed to, owned by the member body that published it
(row-level security on the server: every member reads every record, each writes only its own).
Nothing here connects unless the user asks for it in so many words (init, add-member, publish,
pull, withdraw, duplicates): the rest of fieldkit never imports the driver.

- ``fieldkit.directory.listing``: the study's side, which details each organisation agreed to
  have listed (migration 11), and where pulled organisations came from;
- ``fieldkit.directory.credentials``: connection strings, TLS rules and the keyring;
- ``fieldkit.directory.server``: the server's schema (its own numbered migrations), members;
- ``fieldkit.directory.publish`` and ``fieldkit.directory.pull``: the two directions.
"""

from __future__ import annotations

from fieldkit.errors import FieldkitError

#: The details of an organisation it may agree to have listed, beside its name (always listed):
#: (field, label), in the order they are shown and stored on the server.
FIELDS: tuple[tuple[str, str], ...] = (
    ("category", "Category"),
    ("area", "Area"),
    ("coverage", "Coverage"),
    ("address", "Address"),
    ("postcode", "Postcode"),
    ("website", "Website"),
    ("email", "Public email"),
    ("phone", "Public phone"),
    ("contact", "Contact's name"),
    ("charity_number", "Charity number"),
    ("company_number", "Company number"),
)
FIELD_NAMES: tuple[str, ...] = tuple(f for f, _ in FIELDS)
FIELD_LABELS: dict[str, str] = dict(FIELDS)


class DirectoryError(FieldkitError):
    """The shared directory cannot be reached or used: the server, the sign-in, TLS, the schema."""


def server_message(error: Exception) -> str:
    """The server's message for a failed statement (psycopg's primary diagnostic), on one line."""
    diag = getattr(error, "diag", None)
    text = getattr(diag, "message_primary", None) or str(error)
    return " ".join(str(text).split())
