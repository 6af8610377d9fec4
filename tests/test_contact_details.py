"""Contact details checked as typed (fieldkit.contact_details): a warning, never a refusal; valid
phone numbers stored in E.164 by every write path (typing, contacts, further numbers, imports),
anything else exactly as given; shown in the national form for the study's country."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.contact_details import check_email, check_web, display_phone, phone, stored_phone
from fieldkit.errors import InvalidValueError
from fieldkit.organisation_import import import_organisations
from fieldkit.reports.directory import directory
from fieldkit.study import Study

# --- emails --------------------------------------------------------------------------------------


def test_an_email_with_nothing_after_the_at_sign_is_warned_about():
    warning = check_email("lodz.community@")
    assert warning is not None and "after the @" in warning


@pytest.mark.parametrize("address", ["a@b.org", " a@b.org ", "ania@łódź.pl", "józef@example.pl",
                                     "info@społeczność.org.pl", "李伟@例子.中国", ""])
def test_good_emails_and_international_ones_pass(address):
    assert check_email(address) is None


@pytest.mark.parametrize("address", ["a@b", "two words@example.org", "Ania <ania@example.org>", "@example.org",
                                     "a@@example.org", "a@example.org."])
def test_bad_emails_get_a_sentence(address):
    warning = check_email(address)
    assert warning and warning.endswith(".") and warning[0].isupper()


# --- web addresses -------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["www.example.org", "example.org.uk/about?x=1", "https://lodz.community.org.uk",
                                     "HTTP://Example.org:8080/", "łódź.pl", "https://xn--d1acufc.xn--p1ai",
                                     "http://192.0.2.10/", ""])
def test_web_addresses_with_or_without_a_scheme_pass(address):
    assert check_web(address) is None


@pytest.mark.parametrize(("address", "words"), [
    ("example", "dot"), ("http://", "no site name"), ("ftp://example.org", "http"),
    ("info@example.org", "email"), ("www.example .org", "spaces"), ("exa_mple.org", "exa_mple"),
    ("-x.org", "-x"), ("example.c", ".c"), ("http://example.org:port", "port"),
])
def test_bad_web_addresses_say_why(address, words):
    warning = check_web(address)
    assert warning is not None and words in warning


# --- phone numbers -------------------------------------------------------------------------------


def test_a_uk_number_is_stored_in_e164_and_shown_as_dialled():
    check = phone("0113 496 0000", "GB")
    assert (check.e164, check.display, check.warning) == ("+441134960000", "0113 496 0000", None)
    assert check.stored == "+441134960000"
    assert display_phone("+441134960000", "GB") == "0113 496 0000"
    for typed in ("01134960000", "+44 113 496 0000", "+44 (0)113 496 0000", "0044 113 496 0000", "0113-496-0000"):
        assert phone(typed, "GB").e164 == "+441134960000", typed


def test_a_polish_number_in_a_uk_study_stays_international():
    check = phone("+48 12 345 67 89", "GB")
    assert (check.e164, check.display) == ("+48123456789", "+48 12 345 67 89")
    assert display_phone("+48123456789", "GB") == "+48 12 345 67 89"
    assert display_phone("+48123456789", "PL") == "12 345 67 89"  # at home in a Polish study
    assert phone("12 345 67 89", "PL").e164 == "+48123456789"


@pytest.mark.parametrize(("typed", "words"), [
    ("ring the office", "Not a phone number as written"), ("0113", "Too short"),
    ("011349600001", "Too long"), ("07700 900123", "Not a phone number in use in the UK"),
    ("+999 123 456", "dialling code"),
])
def test_what_is_not_a_valid_number_is_kept_as_typed_with_a_warning(typed, words):
    check = phone(typed, "GB")
    assert check.e164 is None and check.stored == typed and check.shown == typed
    assert check.warning is not None and words in check.warning


def test_a_valid_number_with_more_beside_it_is_kept_whole_without_a_warning():
    for typed in ("0113 496 0000 ext 12", "Tel: 0113 496 0000"):
        check = phone(typed, "GB")
        assert (check.stored, check.warning) == (typed, None)
    assert stored_phone(None) is None and stored_phone("  ") == "  "
    assert display_phone("07700 900123", "GB") == "07700 900123"  # stored as typed: shown so


# --- the study's country -------------------------------------------------------------------------


def test_the_country_is_gb_until_set_and_is_checked(small_study: Study):
    assert small_study.country == "GB"
    small_study.set_country("pl")
    assert small_study.country == "PL"
    with pytest.raises(InvalidValueError, match="United Kingdom is GB"):
        small_study.set_country("UK")
    with pytest.raises(InvalidValueError, match="ISO 3166"):
        small_study.set_country("Poland")
    assert small_study.country == "PL"
    path = small_study.path
    small_study.close()
    with Study.open(path) as again:
        assert again.country == "PL"


def test_the_command_line_sets_the_country_on_a_new_study_and_an_old_one(tmp_path: Path, capsys):
    from cli_runs import run

    path = tmp_path / "polski.fieldkit"
    code, _, err = run(capsys, "new", path, "--country", "Poland")
    assert code != 0 and "'Poland' is not a two-letter ISO 3166 country code" in err
    assert not path.exists()  # refused before anything was made
    assert run(capsys, "new", path, "--country", "pl")[0] == 0
    code, out, _ = run(capsys, "country", path)
    assert (code, out.strip()) == (0, f"Phone numbers in {path} are dialled in PL (+48)")
    code, out, _ = run(capsys, "country", path, "ie")
    assert code == 0 and "now dialled in IE (+353)" in out
    code, _, err = run(capsys, "country", path, "UK")
    assert code != 0 and "the United Kingdom is GB" in err and "Traceback" not in err
    with Study.open(path) as study:
        assert study.country == "IE"


def test_numbers_are_read_for_the_study_country(small_study: Study):
    small_study.set_country("PL")
    org = small_study.organisations.add("Dom Polski", phone="12 345 67 89")
    assert small_study.organisations.get(org).phone == "+48123456789"


# --- every write path ------------------------------------------------------------------------------


def test_every_save_path_stores_valid_numbers_in_e164_and_others_as_typed(small_study: Study):
    orgs, numbers = small_study.organisations, small_study.numbers
    org = orgs.add("Leeds Polish Centre", phone="0113 496 0000",
                   contacts=[{"name": "Ania", "phone": "+48 12 345 67 89"}])
    assert orgs.get(org).phone == "+441134960000"
    [ania] = orgs.contacts(org)
    assert ania.phone == "+48123456789"
    orgs.update(org, phone="not known yet")
    assert orgs.get(org).phone == "not known yet"  # never lost
    orgs.update(org, phone="0113 496 0001")
    assert orgs.get(org).phone == "+441134960001"
    c = orgs.add_contact(org, "Basia", phone="0113 496 0002")
    assert orgs.contact(c).phone == "+441134960002"
    orgs.update_contact(c, phone="07700 900123")
    assert orgs.contact(c).phone == "07700 900123"
    orgs.update_contact(c, phone="+44 113 496 0003")
    assert orgs.contact(c).phone == "+441134960003"
    numbers.add(org, "phone", "0113 496 0009", label="reception")
    assert "+441134960009" in [n.value for n in numbers.for_organisation(org)]
    with pytest.raises(InvalidValueError, match="already listed"):
        numbers.add(org, "phone", "+44 113 496 0009")  # the same number however it is written
    [added] = [c for c in orgs.changes(org) if c.field == "phone" and c.new == "+441134960001"]
    assert added.old == "not known yet"


def test_an_import_stores_valid_numbers_in_e164(small_study: Study, tmp_path: Path):
    path = tmp_path / "orgs.csv"
    path.write_text("name,phone,email\n"
                    "Leeds Polish Centre,0113 496 0000,lodz.community@\n"
                    "Dom Polski,+48 12 345 67 89,\n"
                    "Somewhere Else,ring after six,\n", encoding="utf-8")
    import_organisations(small_study, path)
    orgs = small_study.organisations
    stored = {o.name: (o.phone, o.email) for o in orgs.many(orgs.ids())}
    assert stored == {"Leeds Polish Centre": ("+441134960000", "lodz.community@"),  # warned of, never refused
                      "Dom Polski": ("+48123456789", None), "Somewhere Else": ("ring after six", None)}


def test_a_number_is_found_as_it_is_dialled(small_study: Study):
    orgs = small_study.organisations
    org = orgs.add("Leeds Polish Centre", phone="0113 496 0000")
    small_study.numbers.add(org, "phone", "0113 496 0123")
    other = orgs.add("Other", phone="ring after six")
    assert small_study.search.organisation_ids("0113 496") == [org]
    assert small_study.search.organisation_ids("0113 496 0123") == [org]
    small_study.search.rebuild()
    assert small_study.search.organisation_ids("0113 496") == [org]
    assert small_study.search.organisation_ids("after six") == [other]


def test_the_directory_prints_a_number_as_it_is_dialled(mapping_study: Study):
    orgs = mapping_study.organisations
    org = orgs.add("Leeds Polish Centre", phone="0113 496 0000", flags=["permission_to_list", "list_phone"])
    assert orgs.get(org).phone == "+441134960000"
    [entry] = directory(mapping_study, include_person=False)
    assert entry.details == (("Phone", "0113 496 0000"),)
