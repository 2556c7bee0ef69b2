"""The identifier checks, one failure at a time, each with the message a person sees."""

from decimal import Decimal

import pytest

from marketplace.accounts import identity
from marketplace.accounts.india import find_state
from marketplace.formatting import mask_pan, mask_phone, rupees
from marketplace.validation import Invalid
from tests.factories import make_gstin


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("27AAPFU0939F1ZV", "27AAPFU0939F1ZV"),
        (" 27aapfu0939f1zv ", "27AAPFU0939F1ZV"),
        ("27-AAPFU-0939F-1ZV", "27AAPFU0939F1ZV"),
        ("27 AAPFU 0939 F1ZV", "27AAPFU0939F1ZV"),
    ],
)
def test_gstin_is_normalised(typed, stored):
    assert identity.check_gstin(typed) == stored


@pytest.mark.parametrize("state_code", ["01", "07", "27", "29", "33", "36", "37", "38"])
def test_gstin_of_every_kind_of_state_passes(state_code):
    gstin = make_gstin(state_code)
    assert identity.check_gstin(gstin) == gstin


@pytest.mark.parametrize(
    "gstin, message",
    [
        ("27AAPFU0939F1Z", "a GSTIN has 15 characters; this one has 14"),
        ("27AAPFU0939F1ZVX", "a GSTIN has 15 characters; this one has 16"),
        ("MHAAPFU0939F1ZV", "a GSTIN starts with the 2-digit state code"),
        ("99AAPFU0939F1ZV", "'99' is not a GST state code"),
        ("00AAPFU0939F1ZV", "'00' is not a GST state code"),
        ("271APFU0939F1ZV", "characters 3 to 12 must be the holder's PAN: a PAN is 5 letters"),
        ("27AAPDU0939F1ZV", "characters 3 to 12 must be the holder's PAN: the 4th character"),
        ("27AAPFU0000F1ZV", "the serial digits of a PAN cannot be 0000"),
        ("27AAPFU0939F0ZV", "the 13th character (the registration number) must be 1-9 or A-Z"),
        ("27AAPFU0939F1YV", "the 14th character of a GSTIN is always 'Z'"),
        ("27AAPFU0939F1ZW", "the check character (the last one) does not match"),
        ("27AAPFU0939F1Z!", "the check character (the last one) does not match"),
    ],
)
def test_gstin_failure_names_the_problem(gstin, message):
    with pytest.raises(Invalid) as refused:
        identity.check_gstin(gstin)
    assert message in str(refused.value)


def test_gstin_swapped_digits_fail_the_checksum():
    # The commonest typo: two neighbouring characters swapped.
    with pytest.raises(Invalid, match="check character"):
        identity.check_gstin("27AAPFU9039F1ZV")


@pytest.mark.parametrize(
    "pan, message",
    [
        ("AAPFU0939", "a PAN has 10 characters; this one has 9"),
        ("AAPF00939F", "a PAN is 5 letters, 4 digits and 1 letter"),
        ("AAPXU0939F", "'X' is not one"),
    ],
)
def test_pan_failures(pan, message):
    with pytest.raises(Invalid, match=message):
        identity.check_pan(pan)


def test_pan_is_normalised_and_masked():
    assert identity.check_pan("aapfu0939f") == "AAPFU0939F"
    assert mask_pan("AAPFU0939F") == "AAPFUXXXXF"


@pytest.mark.parametrize(
    "typed", ["9876543210", "+91 98765 43210", "098765 43210", "+919876543210", "91-98765-43210"]
)
def test_mobile_numbers_are_stored_in_e164(typed):
    assert identity.check_mobile(typed) == "+919876543210"


@pytest.mark.parametrize(
    "typed, message",
    [
        ("12345", "10-digit Indian mobile"),
        ("not a number", "10-digit Indian mobile"),
        ("+1 415 555 2671", "must be an Indian number"),
        ("+91 11 2345 6789", "must be a mobile number"),  # a Delhi landline
        ("5876543210", "must be a mobile number"),  # a fixed-line number
    ],
)
def test_mobile_failures(typed, message):
    with pytest.raises(Invalid, match=message):
        identity.check_mobile(typed)


def test_email_is_normalised_without_network():
    assert identity.check_email("Asha.Rao@Example.IN") == "asha.rao@example.in"
    with pytest.raises(Invalid, match="@"):
        identity.check_email("asha.example.in")
    with pytest.raises(Invalid):
        identity.check_email("asha@localhost")


def test_pincode_and_its_state():
    maharashtra = find_state("MH")
    assert identity.check_pincode("411 026") == "411026"
    identity.check_pincode_in_state("411026", maharashtra)
    with pytest.raises(Invalid, match="6 digits"):
        identity.check_pincode("041102")
    with pytest.raises(Invalid, match="PIN code 110001 is not in Maharashtra"):
        identity.check_pincode_in_state("110001", maharashtra)


@pytest.mark.parametrize("typed", ["Maharashtra", "maharashtra", "MH", "27", " Maharashtra "])
def test_states_are_found_by_name_or_code(typed):
    assert find_state(typed).name == "Maharashtra"


def test_old_state_names_and_codes_are_understood():
    assert find_state("Orissa").name == "Odisha"
    assert find_state("28").name == "Andhra Pradesh"
    assert find_state("Jammu & Kashmir").name == "Jammu and Kashmir"
    assert find_state("Atlantis") is None


@pytest.mark.parametrize(
    "password, message",
    [
        ("short1!", "at least 10 characters"),
        ("x" * 129, "at most 128 characters"),
        ("password123", "too weak"),
        ("qwertyuiop", "too weak"),
        ("asha.rao2026!", "must not contain your email"),
        ("1111111111", "too weak"),
    ],
)
def test_password_policy(password, message):
    with pytest.raises(Invalid, match=message):
        identity.check_password(password, personal=["asha.rao@example.in", "Asha Rao"])


def test_a_passphrase_passes_the_policy():
    assert identity.check_password("saffron-kettle-harbour-42", personal=["a@b.in"])


def test_formatting_of_money_and_masks():
    assert rupees(Decimal("1234567.5")) == "₹12,34,567.50"
    assert rupees(Decimal("999")) == "₹999.00"
    assert rupees(Decimal("100000")) == "₹1,00,000.00"
    assert mask_phone("+919876543210") == "+91 98XXXXXX10"
