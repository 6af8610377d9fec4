"""AAPOR disposition codes and outcome rates, against hand-worked and published numbers.

The hand-worked fixtures below are counts by class; every rate is worked out in a comment as a
fraction, with

    interviews = I+P, eligible = (I+P)+(R+NC+O), unknown = UH+UO, all = eligible + unknown,
    estimated = eligible + e*unknown, contacted = (I+P)+R+O.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit import outcome_rates as oc
from fieldkit.errors import InvalidValueError

DOCS = Path(__file__).resolve().parent.parent / "docs" / "dispositions.md"

# --- Fixture A: every class present ---------------------------------------------------------
# I=30 P=10 R=20 NC=15 O=5 UH=10 UO=10 NE=20
# interviews 40, eligible 80, unknown 20, all 100, contacted 65
# e estimated = eligible / (eligible + NE) = 80/100 = 4/5, so estimated = 80 + 16 = 96
A = {"I": 30, "P": 10, "R": 20, "NC": 15, "O": 5, "UH": 10, "UO": 10, "NE": 20}
A_RATES = {
    "RR1": 30 / 100,  # 3/10
    "RR2": 40 / 100,  # 2/5
    "RR3": 30 / 96,  # 5/16
    "RR4": 40 / 96,  # 5/12
    "RR5": 30 / 80,  # 3/8
    "RR6": 40 / 80,  # 1/2
    "COOP1": 30 / 65,  # 6/13
    "COOP2": 40 / 65,  # 8/13
    "COOP3": 30 / 60,  # I/((I+P)+R) = 1/2
    "COOP4": 40 / 60,  # 2/3
    "REF1": 20 / 100,  # 1/5
    "REF2": 20 / 96,  # 5/24
    "REF3": 20 / 80,  # 1/4
    "CON1": 65 / 100,  # 13/20
    "CON2": 65 / 96,
    "CON3": 65 / 80,  # 13/16
    "e": 4 / 5,
}
# The same counts with e = 1/2 given: estimated = 80 + 10 = 90; only the e rates change.
A_HALF = dict(
    A_RATES,
    RR3=30 / 90,  # 1/3
    RR4=40 / 90,  # 4/9
    REF2=20 / 90,  # 2/9
    CON2=65 / 90,  # 13/18
    e=1 / 2,
)

# --- Fixture B: no unknown, no ineligible, P and O missing ----------------------------------
# I=12 R=4 NC=4: interviews 12, eligible 20, unknown 0, contacted 16; e = 20/20 = 1
B = {"I": 12, "R": 4, "NC": 4}
B_RATES = {
    **{f"RR{n}": 12 / 20 for n in range(1, 7)},  # 3/5 each: no partials, no unknowns
    **{f"COOP{n}": 12 / 16 for n in range(1, 5)},  # 3/4 each: no partials, no O
    **{f"REF{n}": 4 / 20 for n in range(1, 4)},  # 1/5 each
    **{f"CON{n}": 16 / 20 for n in range(1, 4)},  # 4/5 each
    "e": 1.0,
}

# --- Fixture C: nobody eligible, so most denominators are 0 ---------------------------------
# UH=3 UO=2 NE=5: eligible 0, unknown 5, all 5; e estimated = 0/(0+5) = 0, estimated = 0
C = {"UH": 3, "UO": 2, "NE": 5}
C_RATES = {
    "RR1": 0.0, "RR2": 0.0,  # 0/5
    "RR3": None, "RR4": None,  # 0/(0 + 0*5)
    "RR5": None, "RR6": None,  # 0/0
    "COOP1": None, "COOP2": None, "COOP3": None, "COOP4": None,  # 0/0
    "REF1": 0.0, "REF2": None, "REF3": None,  # 0/5, 0/0, 0/0
    "CON1": 0.0, "CON2": None, "CON3": None,  # 0/5, 0/0, 0/0
    "e": 0.0,
}  # fmt: skip
# With e = 1/2 given: estimated = 0 + 2.5, so RR3, RR4, REF2 and CON2 become 0/2.5 = 0.
C_HALF = dict(C_RATES, RR3=0.0, RR4=0.0, REF2=0.0, CON2=0.0, e=0.5)


def assert_rates(got, expected):
    assert list(got) == [*oc.RATE_ORDER, "e"]
    for name, value in expected.items():
        if value is None:
            assert got[name] is None, name
        else:
            assert got[name] == pytest.approx(value), name


@pytest.mark.parametrize(
    ("counts", "e", "expected"),
    [
        (A, None, A_RATES),
        (A, 0.5, A_HALF),
        (B, None, B_RATES),
        (C, None, C_RATES),
        (C, 0.5, C_HALF),
    ],
    ids=["A estimated e", "A e=1/2", "B", "C estimated e", "C e=1/2"],
)
def test_hand_worked_rates(counts, e, expected):
    assert_rates(oc.rates(counts, e=e), expected)


def test_e_at_its_bounds():
    # e = 0: RR3 = RR5 = 3/8, CON2 = CON3 = 13/16. e = 1: RR3 = RR1 = 3/10, REF2 = REF1 = 1/5.
    zero = oc.rates(A, e=0)
    assert zero["RR3"] == pytest.approx(3 / 8) and zero["CON2"] == pytest.approx(13 / 16)
    one = oc.rates(A, e=1)
    assert one["RR3"] == pytest.approx(3 / 10) and one["REF2"] == pytest.approx(1 / 5)
    assert zero["e"] == 0.0 and one["e"] == 1.0


def test_estimate_e():
    assert oc.estimate_e(A) == pytest.approx(4 / 5)
    # Unknown cases play no part: 3 eligible of 4 determined.
    assert oc.estimate_e({"I": 3, "NE": 1, "UH": 50}) == pytest.approx(3 / 4)
    assert oc.estimate_e(C) == 0.0
    # Nothing determined: every unknown case is taken as eligible.
    assert oc.estimate_e({"UH": 4, "UO": 1}) == 1.0
    assert oc.estimate_e({}) == 1.0


def test_nothing_determined_uses_e_of_one():
    # UH=4: all 4, eligible 0, e = 1 so estimated = 4: RR1 = RR3 = 0/4, CON2 = 0/4; RR5 0/0.
    got = oc.rates({"UH": 4})
    assert got["e"] == 1.0
    assert got["RR3"] == 0.0 and got["CON2"] == 0.0 and got["REF2"] == 0.0
    assert got["RR5"] is None and got["COOP1"] is None


def test_no_cases_at_all():
    got = oc.rates({})
    assert all(got[name] is None for name in oc.RATE_ORDER)
    assert got["e"] == 1.0


@pytest.mark.parametrize("e", [-0.01, 1.01, 2, float("nan"), "0.5", True])
def test_e_outside_zero_to_one_is_refused(e):
    with pytest.raises(InvalidValueError, match="between 0 and 1"):
        oc.rates(A, e=e)


@pytest.mark.parametrize(
    "counts",
    [{"X": 1}, {"I": -1}, {"I": "3"}, {"i": 3}, {"I": float("nan")}, {"NC": float("inf")}],
    ids=["class", "negative", "text", "lower case", "nan", "inf"],
)
def test_bad_counts_are_refused(counts):
    with pytest.raises(InvalidValueError):
        oc.rates(counts)


def test_formula_texts_compute_the_same_rates():
    # RATE_FORMULAS is what a report's method section prints; it must say what rates() does.
    for counts, e in ((A, None), (A, 0.3), (B, None)):
        got = oc.rates(counts, e=e)
        names = {k: counts.get(k, 0) for k in oc.CLASSES} | {"e": got["e"]}
        for rate, text in oc.RATE_FORMULAS.items():
            value = eval(text.replace("e(", "e*("), {"__builtins__": {}}, names)  # noqa: S307
            assert got[rate] == pytest.approx(value), rate


def test_every_rate_has_a_formula_and_a_definition():
    assert set(oc.RATE_FORMULAS) == set(oc.RATE_ORDER) == set(oc.RATE_DEFINITIONS)
    assert len(oc.RATE_ORDER) == 16
    for sentence in oc.RATE_DEFINITIONS.values():
        assert sentence.endswith(".") and "\n" not in sentence


# --- Published examples ---------------------------------------------------------------------


def test_outcomerate_readme_example():
    # R package outcomerate (Rafael Pilliard Hellwig, rOpenSci), README "Example":
    #   freq <- c(I = 4, P = 2, R = 1, NC = 1, O = 1, UH = 1, UO = 1, NE = 1)
    #   outcomerate(freq, e = eligibility_rate(freq))
    # prints the rates below to three decimals. Its eligibility_rate() is
    # (I+P+R+NC+O)/(I+P+R+NC+O+NE) "following the default used in the Excel-based AAPOR
    # Outcome Rate Calculator", here 9/10 -- the same estimate as our default e.
    freq = {"I": 4, "P": 2, "R": 1, "NC": 1, "O": 1, "UH": 1, "UO": 1, "NE": 1}
    published = {
        "RR1": 0.364, "RR2": 0.545, "RR3": 0.370, "RR4": 0.556, "RR5": 0.444, "RR6": 0.667,
        "COOP1": 0.500, "COOP2": 0.750, "COOP3": 0.571, "COOP4": 0.857,
        "REF1": 0.091, "REF2": 0.093, "REF3": 0.111,
        "CON1": 0.727, "CON2": 0.741, "CON3": 0.889,
    }  # fmt: skip
    assert oc.estimate_e(freq) == pytest.approx(0.9)
    got = oc.rates(freq)
    for name, value in published.items():
        assert got[name] == pytest.approx(value, abs=0.0005), name

    # The same fieldwork recorded by code goes through class_counts to the same numbers.
    by_code = {"1.1": 4, "1.2": 2, "2.112": 1, "2.21": 1, "2.33": 1, "3.13": 1, "3.21": 1,
               "4.51": 1}  # fmt: skip
    assert oc.class_counts(by_code) == freq
    assert oc.rates(oc.class_counts(by_code)) == got


def test_outcomerate_test_suite_exact_fractions():
    # outcomerate, tests/testthat/test-rate.R: the vector x1 = I P I NC UH I R UO I O P I R O P
    # NE (I=5 P=3 R=2 NC=1 O=2 UH=1 UO=1 NE=1) with e = 0.5 gives exactly these fractions.
    x1 = {"I": 5, "P": 3, "R": 2, "NC": 1, "O": 2, "UH": 1, "UO": 1, "NE": 1}
    published = {
        "RR1": 1 / 3, "RR2": 8 / 15, "RR3": 5 / 14, "RR4": 4 / 7, "RR5": 5 / 13, "RR6": 8 / 13,
        "COOP1": 5 / 12, "COOP2": 2 / 3, "COOP3": 1 / 2, "COOP4": 4 / 5,
        "REF1": 2 / 15, "REF2": 1 / 7, "REF3": 2 / 13,
        "CON1": 4 / 5, "CON2": 6 / 7, "CON3": 12 / 13,
    }  # fmt: skip
    assert_rates(oc.rates(x1, e=0.5), published)


def test_responserates_readme_examples():
    # R package responserates (Thomas J. Leeper), README: rates(c(rep("I", 100), rep("NC", 20)))
    # prints RR1-RR6 83.3%, COOP1-COOP4 100.0%, REF1-REF3 0.0%, CON1-CON3 83.3%. Its default e
    # is 1; with no unknown cases e plays no part, and our estimate is 120/120 = 1 as well.
    got = oc.rates({"I": 100, "NC": 20})
    expected = {
        **{f"RR{n}": 0.833 for n in range(1, 7)},
        **{f"COOP{n}": 1.0 for n in range(1, 5)},
        **{f"REF{n}": 0.0 for n in range(1, 4)},
        **{f"CON{n}": 0.833 for n in range(1, 4)},
    }
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, abs=0.0005), name
    assert got["e"] == 1.0

    # rates(list(i = 100, nc = 20, uo = 100, e = .25)): RR1, RR2 45.5%; RR3, RR4 69.0%;
    # RR5, RR6 83.3%; COOP 100.0%; REF 0.0%; CON1 45.5%, CON2 69.0%, CON3 83.3%.
    got = oc.rates({"I": 100, "NC": 20, "UO": 100}, e=0.25)
    expected = {
        "RR1": 0.455, "RR2": 0.455, "RR3": 0.690, "RR4": 0.690, "RR5": 0.833, "RR6": 0.833,
        "COOP1": 1.0, "COOP4": 1.0, "REF1": 0.0, "REF2": 0.0,
        "CON1": 0.455, "CON2": 0.690, "CON3": 0.833,
    }  # fmt: skip
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, abs=0.0005), name


# --- Codes ----------------------------------------------------------------------------------

REQUIRED_CODES = """
1.0 1.1 1.2 2.0 2.10 2.11 2.111 2.112 2.12 2.20 2.21 2.22 2.221 2.222 2.30 2.31 2.32 2.33 2.34
2.35 2.36 3.0 3.10 3.11 3.12 3.13 3.14 3.15 3.16 3.19 3.20 3.21 3.90 4.0 4.10 4.20 4.30 4.31
4.32 4.33 4.40 4.41 4.50 4.51 4.70 4.80 4.90
""".split()


def test_catalogue_covers_the_telephone_table():
    missing = [code for code in REQUIRED_CODES if code not in oc.CODES]
    assert missing == []
    assert oc.CODES["1.1"] == "Complete interview"
    assert oc.CODES["2.111"] == "Refusal by the organisation"
    assert oc.CODES["2.221"].endswith("no message left")
    assert oc.CODES["2.222"].endswith(", message left")
    assert all(label and label[0].isupper() for label in oc.CODES.values())


@pytest.mark.parametrize("code", [c for c in oc.CODES if c not in ("1.0", "2.0", "3.0")])
def test_every_catalogue_code_is_valid_as_written(code):
    assert oc.check_code(code) == code
    assert oc.label(code) == oc.CODES[code]


@pytest.mark.parametrize(
    ("given", "normal"),
    [
        ("1.1", "1.1"),
        (" 3.13 ", "3.13"),
        ("2.1", "2.10"),  # AAPOR writes the group heading 2.10
        ("2.110", "2.11"),  # trailing zeros do not count
        ("2.1110", "2.111"),
        ("4.9", "4.90"),
        ("4.00", "4.0"),
        ("1.10", "1.1"),
        ("2.1111", "2.1111"),  # a study's own refinement of 2.111
        ("4.52", "4.52"),  # under 4.50
        ("3.91", "3.91"),  # under 3.90
        ("1.11", "1.11"),  # under 1.1
    ],
)
def test_check_code_normalises(given, normal):
    assert oc.check_code(given) == normal


@pytest.mark.parametrize(
    "code",
    ["5.1", "0.1", "1.3", "2.4", "2.05", "3.3", "3.50", "4.6", "4.05", "2.11111", "21", "2.",
     ".1", "2,1", "x", "", "1.1a", "2.\u0661", "\u0662.10"],  # the last two: Arabic-Indic digits
)  # fmt: skip
def test_check_code_refuses(code):
    with pytest.raises(InvalidValueError, match="is not an AAPOR disposition code"):
        oc.check_code(code)


def test_check_code_message_is_one_line():
    with pytest.raises(InvalidValueError) as raised:
        oc.check_code("5.1")
    assert str(raised.value) == "'5.1' is not an AAPOR disposition code (1.1 to 4.90)"


@pytest.mark.parametrize(
    ("heading", "hint"), [("1.0", "1.1 or 1.2"), ("2.0", "2.10, 2.20 or 2.30"), ("2.00", "2.10")]
)
def test_group_headings_spanning_classes_are_refused(heading, hint):
    with pytest.raises(InvalidValueError, match="not a final disposition") as raised:
        oc.check_code(heading)
    assert hint in str(raised.value)


@pytest.mark.parametrize(
    ("code", "rate_class"),
    [
        ("1.1", "I"), ("1.11", "I"), ("1.2", "P"), ("1.21", "P"),
        ("2.10", "R"), ("2.111", "R"), ("2.1111", "R"), ("2.12", "R"),
        ("2.20", "NC"), ("2.21", "NC"), ("2.222", "NC"), ("2.29", "NC"),
        ("2.30", "O"), ("2.31", "O"), ("2.333", "O"), ("2.36", "O"), ("2.39", "O"),
        ("3.10", "UH"), ("3.11", "UH"), ("3.13", "UH"), ("3.19", "UH"),
        ("3.20", "UO"), ("3.21", "UO"), ("3.90", "UO"), ("3.91", "UO"),
        ("4.0", "NE"), ("4.10", "NE"), ("4.33", "NE"), ("4.52", "NE"), ("4.90", "NE"),
    ],
)  # fmt: skip
def test_rate_class(code, rate_class):
    assert oc.rate_class(code) == rate_class


def test_rate_class_refuses_invalid_codes():
    with pytest.raises(InvalidValueError):
        oc.rate_class("5.1")
    with pytest.raises(InvalidValueError):
        oc.rate_class("3.0")


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("2.1111", "Refusal by the organisation"),  # nearest parent 2.111
        ("4.52", "Not an eligible organisation"),  # nearest parent 4.50
        ("3.91", "Other unknown eligibility"),  # 3.90
        ("2.110", "Refusal"),  # the same code as 2.11
        ("1.11", "Complete interview"),
        ("2.2221", "Answering machine (organisation confirmed), message left"),
        ("2.29", "Non-contact"),
    ],
)
def test_label_of_sub_codes(code, label):
    assert oc.label(code) == label


def test_label_refuses_invalid_codes():
    with pytest.raises(InvalidValueError):
        oc.label("4.6")


def test_eligibility_helpers():
    assert [oc.is_eligible(c) for c in ("1.1", "1.2", "2.112", "2.21", "2.36", "3.13", "3.21",
                                        "4.32")] == [True] * 5 + [False] * 3  # fmt: skip
    assert [oc.is_known_eligibility(c) for c in ("1.1", "2.12", "3.13", "3.90", "4.0",
                                                 "4.80")] == [True, True, False, False, True,
                                                              True]  # fmt: skip


def test_class_counts():
    got = oc.class_counts({"1.1": 40, "1.2": 3, "2.111": 2, "2.112": 1, "2.12": 4, "2.221": 5,
                           "2.33": 1, "3.13": 5, "3.19": 2, "3.21": 1, "4.32": 6, "4.52": 1,
                           "2.110": 1})  # fmt: skip
    assert got == {"I": 40, "P": 3, "R": 8, "NC": 5, "O": 1, "UH": 7, "UO": 1, "NE": 7}
    assert list(got) == list(oc.CLASSES)
    assert oc.class_counts({}) == dict.fromkeys(oc.CLASSES, 0)


def test_class_counts_refuses_bad_codes_and_counts():
    with pytest.raises(InvalidValueError, match="'5.1'"):
        oc.class_counts({"1.1": 3, "5.1": 1})
    with pytest.raises(InvalidValueError):
        oc.class_counts({"1.1": -3})


def test_sort_key_follows_the_standard_definitions():
    assert sorted(reversed(list(oc.CODES)), key=oc.sort_key) == list(oc.CODES)
    mixed = ["2.36", "2.111", "4.0", "2.12", "1.2", "2.1111", "2.110", "3.9", "2.0"]
    assert sorted(mixed, key=oc.sort_key) == [
        "1.2", "2.0", "2.110", "2.111", "2.1111", "2.12", "2.36", "3.9", "4.0"
    ]
    with pytest.raises(InvalidValueError):
        oc.sort_key("x")


def test_classes_in_the_standard_definitions_order():
    assert list(oc.CLASSES) == ["I", "P", "R", "NC", "O", "UH", "UO", "NE"]


# --- The user guide page --------------------------------------------------------------------


def test_docs_list_every_code_and_rate():
    text = DOCS.read_text(encoding="utf-8")
    for code, label in oc.CODES.items():
        assert f"| {code} | {label} |" in text, code
    for rate, formula in oc.RATE_FORMULAS.items():
        assert f"{rate} = {formula}" in text, rate
    assert "## The shipped templates' outcomes" in text
    assert "Standard Definitions" in text and "10th edition, 2023" in text
