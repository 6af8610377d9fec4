"""The official lists of areas (resources/areas, fieldkit.areas) and a new study's areas taken
from them: by Study.create's template and by ``fieldkit new --areas`` / ``--areas-from``."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from fieldkit.areas import KINDS, AreaList, read_areas, shipped_areas, with_areas
from fieldkit.errors import FieldkitError, InvalidValueError, TemplateError
from fieldkit.study import Study
from fieldkit.template_toml import find_template, template_from_dict
from cli_runs import run
from studies import mapping_template

ROOT = Path(__file__).resolve().parents[1]
AREAS_CSV = ROOT / "resources" / "areas" / "areas.csv"

#: What the shipped file holds of each kind (resources/areas/SOURCE.md): the counts ONS publishes
#: for the areas in use since April 2023.
COUNTS = {"county": 21, "unitary": 63, "metropolitan": 36, "london_borough": 33, "district": 164,
          "welsh_council": 22, "region": 9, "scottish_council": 32, "ni_council": 11}
PREFIX = {k.id: k.prefix for k in KINDS}


def test_the_shipped_file_has_each_kind_in_its_official_number_with_well_formed_codes():
    rows = list(csv.DictReader(AREAS_CSV.open(encoding="utf-8", newline="")))
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["kind"]] = counts.get(row["kind"], 0) + 1
        assert re.fullmatch(PREFIX[row["kind"]] + r"\d{6}", row["code"]), row
        assert row["name"].strip() == row["name"] and row["name"], row
    assert counts == COUNTS
    assert len({r["code"] for r in rows}) == len(rows) == len(shipped_areas())
    named = {r["code"]: r["name"] for r in rows}
    # England's regions, Scotland's councils and Northern Ireland's districts, named in
    # build_areas.py (SOURCE.md), each under its own code.
    assert named["E12000005"] == "West Midlands" and named["E12000003"] == "Yorkshire and The Humber"
    assert named["S12000049"] == "Glasgow City" and named["S12000036"] == "City of Edinburgh"
    assert named["N09000003"] == "Belfast"
    assert len(set(named.values())) == len(named)  # no name given twice


def test_districts_lie_within_their_counties_and_nothing_else_has_a_parent():
    areas = shipped_areas()
    for area in areas:
        if area.kind == "district":
            parent = areas.get(area.parent_code)
            assert parent is not None and parent.kind == "county", area
        else:
            assert area.parent_code == "", area
    assert {a.kind for a in areas.parents()} == {"county"}
    assert [a.name for a in areas.within("E10000034")] == [
        "Bromsgrove", "Malvern Hills", "Redditch", "Worcester", "Wychavon", "Wyre Forest"]
    # Counties abolished in April 2023 and their districts are gone; what replaced them is there.
    assert areas.get("E10000006") is None and areas.get("E07000028") is None  # Cumbria, Carlisle
    assert areas.get("E06000063").name == "Cumberland"
    assert {a.code for a in areas.of_kind("london_borough")} == {f"E0900{n:04d}" for n in range(1, 34)}


def test_known_areas_carry_their_official_codes():
    areas = shipped_areas()
    expected = {"E08000025": "Birmingham", "E09000033": "Westminster", "W06000015": "Cardiff",
                "E06000019": "Herefordshire, County of", "E10000028": "Staffordshire"}
    assert {code: areas.get(code).name for code in expected} == expected
    assert areas.get(" e08000025 ").name == "Birmingham"  # typed loosely on a command line


def test_a_study_made_with_chosen_areas_has_exactly_those_with_their_codes(tmp_path: Path):
    chosen = shipped_areas().find(["E08000026", "E08000025", "E10000034"])
    template = with_areas(find_template("regional-mapping"), chosen)
    with Study.create(tmp_path / "wm.fieldkit", template) as study:
        pass
    with Study.open(tmp_path / "wm.fieldkit") as study:
        assert study.template.areas == ("Coventry", "Birmingham", "Worcestershire")
        assert study.template.area_codes == {"Coventry": "E08000026", "Birmingham": "E08000025",
                                             "Worcestershire": "E10000034"}
        study.organisations.add("Coventry CVS", area="Coventry")


def test_none_chosen_gives_none_and_no_choice_keeps_the_templates(tmp_path: Path):
    shipped = find_template("regional-mapping")
    assert shipped.areas == () and shipped.pick_areas  # as the template has always been: no region
    own = shipped.with_values("areas", ["North", "South"])
    assert with_areas(own, None) is own
    with Study.create(tmp_path / "none.fieldkit", with_areas(own, [])) as study:
        assert study.template.areas == () and study.template.area_codes == {}


def test_renaming_an_area_keeps_its_code_and_removing_it_takes_the_code_along():
    template = with_areas(find_template("blank"), shipped_areas().find(["E06000019", "E08000025"]))
    renamed = template.with_renamed_value("areas", "Herefordshire, County of", "Herefordshire")
    assert renamed.area_codes == {"Herefordshire": "E06000019", "Birmingham": "E08000025"}
    trimmed = renamed.with_values("areas", ["Herefordshire", "Regional"])
    assert trimmed.area_codes == {"Herefordshire": "E06000019"}
    assert template_from_dict(trimmed.to_dict(), source="copy").area_codes == trimmed.area_codes
    # A template without codes stores what it always stored.
    assert "area_codes" not in find_template("blank").to_dict()["organisations"]


def test_a_template_with_bad_area_codes_is_refused_naming_each():
    data = find_template("blank").to_dict()
    data["organisations"]["areas"] = ["Leeds", "York"]
    data["organisations"]["area_codes"] = {"Leeds": "E8000035", "Hull": "E06000010", "York": "E06000014"}
    data["organisations"]["pick_areas"] = "yes"
    with pytest.raises(TemplateError) as e:
        template_from_dict(data, source="t.toml")
    assert e.value.problems == [
        "t.toml: [organisations] area_codes 'Leeds': must be a GSS code (a letter and eight digits, "
        "as E08000025), got 'E8000035'",
        "t.toml: [organisations] area_codes 'Hull': is not one of the areas",
        "t.toml: [organisations]: 'pick_areas' must be true or false, got 'yes'",
    ]


def test_unknown_codes_are_refused_in_one_line_naming_them():
    with pytest.raises(InvalidValueError) as e:
        shipped_areas().find(["E08000025", "E99999999", "S12000099"])
    message = str(e.value)
    assert "\n" not in message and message.startswith("E99999999, S12000099: not area codes")
    with pytest.raises(InvalidValueError, match=r"^E08000025 \(Birmingham\): no area in the list lies within it"):
        shipped_areas().within("E08000025")


def test_a_damaged_areas_file_is_refused_with_its_line(tmp_path: Path):
    path = tmp_path / "areas.csv"
    header = "code,name,kind,parent_code\n"
    for body, problem in (("E08000025,Birmingham,metropolitan,\nE0800002,Coventry,metropolitan,\n",
                           "line 3: 'E0800002' is not a GSS code"),
                          ("E08000025,Birmingham,county,\n",
                           "line 2: E08000025 is not the code of a county (those start E10)"),
                          ("E07000234,Bromsgrove,district,E10000034\n",
                           "E07000234 lies within E10000034, which is not"),
                          ("E08000025,Birmingham,metropolitan,\nE08000025,Brum,metropolitan,\n",
                           "line 3: E08000025 is listed twice")):
        path.write_text(header + body, encoding="utf-8")
        with pytest.raises(FieldkitError, match=re.escape(problem)):
            read_areas(path)
    assert isinstance(read_areas(AREAS_CSV), AreaList)


# --- the command line ------------------------------------------------------------------------

def test_new_with_areas_by_code(capsys, tmp_path: Path):
    code, _, err = run(capsys, "new", tmp_path / "wm", "--template", "regional-mapping",
                       "--areas", "E08000025, e10000028")
    assert code == 0, err
    with Study.open(tmp_path / "wm.fieldkit") as study:
        assert study.template.area_codes == {"Birmingham": "E08000025", "Staffordshire": "E10000028"}


def test_new_with_the_areas_within_a_county(capsys, tmp_path: Path):
    code, _, err = run(capsys, "new", tmp_path / "staffs", "--template", "regional-mapping",
                       "--areas-from", "E10000028")
    assert code == 0, err
    with Study.open(tmp_path / "staffs.fieldkit") as study:
        assert len(study.template.areas) == 8 and "Tamworth" in study.template.areas
        assert set(study.template.area_codes.values()) == {a.code for a in shipped_areas().within("E10000028")}


def test_new_with_an_empty_list_has_no_areas(capsys, tmp_path: Path):
    with Study.create(tmp_path / "west.fieldkit", mapping_template()):
        pass
    code, _, err = run(capsys, "new", tmp_path / "none", "--from-study", tmp_path / "west.fieldkit", "--areas", "")
    assert code == 0, err
    with Study.open(tmp_path / "none.fieldkit") as study:
        assert study.template.areas == () and study.template.categories == mapping_template().categories


def test_new_with_an_unknown_code_says_so_in_one_line_and_leaves_no_file(capsys, tmp_path: Path):
    code, out, err = run(capsys, "new", tmp_path / "bad", "--template", "regional-mapping",
                         "--areas", "E08000025,E12000010")
    assert code == 1 and out == ""
    assert err.strip().splitlines() == ["fieldkit new: E12000010: not an area code fieldkit knows "
                                        "(see 'fieldkit areas' for the list)"]
    assert list(tmp_path.iterdir()) == []


def test_areas_lists_codes_by_kind_and_within(capsys):
    code, out, _ = run(capsys, "areas", "--within", "E10000034")
    assert code == 0 and out.splitlines()[0] == "E07000234\tBromsgrove\tdistrict" and len(out.splitlines()) == 6
    code, out, _ = run(capsys, "areas", "--kind", "welsh_council")
    assert code == 0 and len(out.splitlines()) == 22 and "W06000015\tCardiff\twelsh_council" in out.splitlines()


def test_the_desktop_bundle_carries_the_areas_and_their_source():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bundle_layout", ROOT / "packaging" / "bundle_layout.py")
    layout = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(layout)
    shipped = {(Path(src).relative_to(ROOT).as_posix(), dest) for src, dest in layout.data_files(ROOT)}
    assert ("resources/areas/areas.csv", "fieldkit/_resources/areas") in shipped
    assert ("resources/areas/SOURCE.md", "fieldkit/_resources/areas") in shipped
    assert not any(src.endswith("build_areas.py") for src, _ in shipped)
