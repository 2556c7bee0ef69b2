"""A person's identifiers found however they were typed (marketplace.identifiers), and anyone's
contact details hidden until a supplier unlocks them."""

from __future__ import annotations

import pytest

from marketplace.identifiers import (
    EMAIL_HIDDEN,
    LINK_HIDDEN,
    PHONE_HIDDEN,
    PersonIdentifiers,
    mask_contacts,
)

X = "[X]"

RAVI = PersonIdentifiers.of(
    emails=["Ravi.Kumar@Example.in"],
    phones=["+919876543210"],
    gstins=["27AAPFU0939F1ZV"],
    names=["Ravi Kumar"],
    businesses=["Shree Ganesh Textiles Pvt. Ltd."],
    addresses=["12, MG Road, Andheri East"],
)

PHONE_FORMS = [
    "+91 98765 43210",
    "098765-43210",
    "98765 43210",
    "9876543210",
    "(+91) 98765-43210",
    "91-9876543210",
    "+91-98765-43210",
    "919876543210",
    "0091 98765 43210",
    "98765.43210",
    "+91 9876 543 210",
    "+91 (98765) 43210",
    "9 8 7 6 5 4 3 2 1 0",
]


@pytest.mark.parametrize("form", PHONE_FORMS)
def test_every_way_of_writing_the_phone_is_found(form: str) -> None:
    assert RAVI.replace(f"Call {form} today.", X) == f"Call {X} today."


def test_several_numbers_run_together_are_each_found() -> None:
    # libphonenumber's matcher gives up on this run; the person's own digits still match.
    assert RAVI.replace("98765 43210 98765 43211", X) == f"{X} 98765 43211"


@pytest.mark.parametrize(
    "form",
    [
        "27AAPFU0939F1ZV",
        "27aapfu0939f1zv",
        "27 AAPFU 0939F 1ZV",
        "27-AAPFU0939F-1ZV",
        "AAPFU0939F",
        "aapfu 0939 f",
        "RAVI.KUMAR@example.IN",
        "ravi.kumar @ example.in",
        "Shree Ganesh Textiles Pvt. Ltd",
        "shree  ganesh-textiles",
        "SHREE GANESH TEXTILES PVT LTD",
        "12 MG Road, Andheri East",
        "Ravi Kumar",
        "ravi  KUMAR",
    ],
)
def test_strong_identifiers_are_found_in_anyones_text(form: str) -> None:
    assert RAVI.replace(f"About {form}, nothing else.", X) == f"About {X}, nothing else."


def test_the_whole_business_name_goes_not_only_its_first_words() -> None:
    # (a last dot is punctuation: it stays)
    assert RAVI.replace("Shree Ganesh Textiles Pvt. Ltd. called", X) == f"{X}. called"


def test_a_name_part_alone_is_found_only_in_a_text_about_them() -> None:
    text = "Ravi asked; Kumar will call. Kumaran and ravioli stay."
    assert RAVI.replace(text, X) == text
    assert (
        RAVI.replace(text, X, about_them=True)
        == f"{X} asked; {X} will call. Kumaran and ravioli stay."
    )
    # A text naming them strongly is about them: its name parts go too.
    named = RAVI.replace("Ravi's number is 9876543210", X)
    assert named == f"{X}'s number is {X}"


def test_two_letter_name_parts_are_never_matched_alone() -> None:
    person = PersonIdentifiers.of(names=["Om Prakash Jha"])
    assert person.name_parts == ("Jha", "Prakash")
    assert person.replace("Om will go; Jha too", X, about_them=True) == f"Om will go; {X} too"


def test_numbers_that_are_not_the_persons_stay() -> None:
    text = "Order 123456 on 2026-01-02: 1000 pieces at 450, call 98765 43211, pin 400001."
    assert RAVI.replace(text, X, about_them=True) == text


def test_empty_text_and_an_empty_person() -> None:
    assert RAVI.replace("", X) == "" and RAVI.replace(None, X) is None
    nobody = PersonIdentifiers.of(emails=[None, ""], phones=[None], names=[""])
    assert nobody.replace("Ravi 9876543210", X, about_them=True) == "Ravi 9876543210"


def test_mentioned_in_tells_a_strong_mention() -> None:
    assert RAVI.mentioned_in("gst 27AAPFU0939F1ZV")
    assert not RAVI.mentioned_in("Ravi called")


# --- masking until unlock ----------------------------------------------------------------------


@pytest.mark.parametrize("form", [*PHONE_FORMS, "98765 43210 98765 43211", "022 2345 6789"])
def test_any_phone_is_hidden(form: str) -> None:
    assert mask_contacts(f"Need 500 kg. Call {form} today.") == (
        f"Need 500 kg. Call {PHONE_HIDDEN} today."
    )


@pytest.mark.parametrize(
    ("written", "hidden"),
    [
        ("mail buyer@example.com.", f"mail {EMAIL_HIDDEN}."),
        ("mail buyer @ example.co.in please", f"mail {EMAIL_HIDDEN} please"),
        ("whatsapp wa.me/919876543210, thanks", f"whatsapp {LINK_HIDDEN}, thanks"),
        ("see https://example.com/spec?id=4.", f"see {LINK_HIDDEN}."),
        ("see www.example.com", f"see {LINK_HIDDEN}"),
    ],
)
def test_emails_and_links_are_hidden(written: str, hidden: str) -> None:
    assert mask_contacts(written) == hidden


def test_quantities_dates_prices_and_pin_codes_are_not_hidden() -> None:
    text = "5000 pcs, 10 mm, at 450.50 each, by 2026-01-05, pin 400001, budget 150000, HSN 7306."
    assert mask_contacts(text) == text
    assert mask_contacts("") == "" and mask_contacts(None) is None
