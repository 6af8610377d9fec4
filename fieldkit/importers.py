"""The one registry of what rows a file to import can hold: organisations, contact attempts
or interviews. The command line (``fieldkit import --records``) and the import wizard both
read it, so each importer is offered, mapped, checked and written the same way.

Every importer module provides ``fields_for(study)`` (or ``FIELDS``), ``plan_<noun>(study,
sheet, mapping)`` returning a plan with ``problems`` (``fieldkit.import_mapping.Problem``),
``unknown_values`` ({field: {value: count}}) and ``lines()``, and ``apply_<noun>(study, plan)``
which backs the study up and writes everything in one transaction, or nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fieldkit.import_mapping import Field, Mapping
    from fieldkit.sources import Sheet
    from fieldkit.study import Study


@dataclass(frozen=True)
class Importer:
    kind: str          # as in a mapping file's "kind" and ``--records``
    label: str         # what the wizard offers: "Organisations"
    row_is: str        # what one row of the file is, for the wizard's help text
    module: str
    noun: str          # plan_<noun>, apply_<noun>

    def _module(self) -> Any:
        return importlib.import_module(self.module)

    def fields(self, study: Study) -> tuple[Field, ...]:
        module = self._module()
        fields_for: Callable[[Study], tuple[Field, ...]] | None = getattr(module, "fields_for", None)
        return fields_for(study) if fields_for is not None else tuple(module.FIELDS)

    def guess(self, study: Study, header: list[str]) -> Mapping:
        """The mapping a file's headings suggest: the importer's own guess where it has one
        (``guess_mapping``: interviews read tools' column names), else by the fields' words."""
        own = getattr(self._module(), "guess_mapping", None)
        if own is not None:
            return own(study, header)
        from fieldkit.import_mapping import guess

        return guess(header, self.fields(study), self.kind)

    def value_choices(self, study: Study, field: str) -> list[tuple[str, str]] | None:
        """What a file's value in ``field`` may be mapped onto, as (label, value); None where
        such a value is put right in the file instead."""
        return self._module().value_choices(study, field)

    def plan(self, study: Study, sheet: Sheet, mapping: Mapping, **options: Any) -> Any:
        return getattr(self._module(), f"plan_{self.noun}")(study, sheet, mapping, **options)

    def apply(self, study: Study, plan: Any, **options: Any) -> Any:
        return getattr(self._module(), f"apply_{self.noun}")(study, plan, **options)


IMPORTERS: dict[str, Importer] = {i.kind: i for i in (
    Importer("organisations", "Organisations", "one organisation, with its contact if it has one",
             "fieldkit.organisation_import", "organisations"),
    Importer("attempts", "Contact attempts (a call log)", "one attempt to reach an organisation",
             "fieldkit.attempt_import", "attempts"),
    Importer("interviews", "Interviews (answers from another tool)", "one interview, a column per question",
             "fieldkit.interview_import", "interviews"),
)}
