"""The buyer's journey in Hindi through the test client: a guest searches, opens a product and
sends an enquiry; the JSON API's refusals come back in the language asked for (field names and
codes stay English); a language not offered reads English."""

from __future__ import annotations

import pytest

from tests.test_catalog import PIPE
from tests.test_leads import GUEST, _code, _enquiry

HINDI = {"Accept-Language": "hi-IN,hi;q=0.9,en;q=0.8"}
TAMIL = {"Accept-Language": "ta-IN,ta;q=0.9"}


@pytest.fixture()
def listed(supplier_api, categories) -> int:
    return supplier_api.post("/products", PIPE).get_json()["id"]


def test_a_guest_searches_and_opens_a_product_in_hindi(client, listed):
    home = client.get("/", headers=HINDI).text
    assert "पूरे भारत के सत्यापित सप्लायर खोजें" in home
    assert "अपनी ज़रूरत बताएं" in home and ">English</button>" in home

    found = client.get("/search?q=seamless+pipe", headers=HINDI).text
    assert "“seamless pipe” के नतीजे" in found
    assert "1 प्रोडक्ट" in found and "सप्लायर से संपर्क करें" in found
    assert "Results for" not in found  # nothing left in English around the results

    product = client.get(f"/products/{listed}/ss-304-seamless-pipe", headers=HINDI).text
    assert "सबसे अच्छा दाम पाएं" in product and "न्यूनतम ऑर्डर" in product
    assert "SS 304 Seamless Pipe" in product  # the supplier's own words stay as written
    assert "Get best price" not in product


def test_a_guest_sends_an_enquiry_in_hindi(app, client, api, listed):
    assert client.get(f"/enquiries/new?product_id={listed}", headers=HINDI).status_code == 200
    started = api.post("/enquiries/guest", {**GUEST, **_enquiry(listed)}, headers=HINDI)
    assert started.status_code == 202, started.get_json()
    verification = started.get_json()["verification_id"]
    code = _code(app)
    wrong = "000000" if code != "000000" else "111111"

    refused = api.post(f"/enquiries/guest/{verification}/confirm", {"code": wrong}, headers=HINDI)
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["code"][0].startswith("कोड सही नहीं है")
    assert refused.get_json()["detail"] == "कुछ फ़ील्ड सही नहीं हैं: code।"

    sent = api.post(f"/enquiries/guest/{verification}/confirm", {"code": code}, headers=HINDI)
    assert sent.status_code == 201, sent.get_json()


def test_an_api_refusal_reads_hindi_with_english_field_names(supplier_api, categories):
    body = {**PIPE, "price": "lots", "moq": "1.5"}
    del body["name"]
    refused = supplier_api.post("/products", body, headers=HINDI)
    assert refused.status_code == 422
    problem = refused.get_json()
    assert set(problem["errors"]) == {"name", "price", "moq"}  # the fields, in English
    assert problem["errors"]["name"] == ["यह भरना ज़रूरी है"]  # pydantic's "missing", ours
    assert problem["errors"]["price"] == ['रुपये में रकम होनी चाहिए, जैसे "1250.00"']
    assert problem["detail"] == "कुछ फ़ील्ड सही नहीं हैं: moq, name, price।"
    assert problem["status"] == 422


def test_a_body_that_is_not_an_object_reads_hindi(supplier_api, categories):
    refused = supplier_api.post("/products", ["not", "an", "object"], headers=HINDI)
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["body"] == ["JSON ऑब्जेक्ट होना चाहिए"]


def test_a_language_not_offered_reads_english(client, supplier_api, listed):
    refused = supplier_api.post("/products", {**PIPE, "price": "lots"}, headers=TAMIL)
    assert refused.get_json()["errors"]["price"] == ['must be an amount in rupees, e.g. "1250.00"']
    assert refused.get_json()["detail"] == "Some fields are not valid: price."
    product = client.get(f"/products/{listed}/ss-304-seamless-pipe", headers=TAMIL).text
    assert "Get best price" in product and "सबसे अच्छा दाम पाएं" not in product


def test_error_pages_and_the_sign_in_prompt_read_hindi(client, categories):
    missing = client.get("/products/999999/nothing", headers=HINDI)
    assert missing.status_code == 404
    assert "यह प्रोडक्ट लिस्ट नहीं है।" in missing.text and "होम पेज पर जाएं" in missing.text
    unknown = client.get("/no-such-page", headers=HINDI)
    assert unknown.status_code == 404 and "यह पेज मौजूद नहीं है।" in unknown.text
    assert "The requested URL" not in unknown.text
    prompted = client.get("/enquiries", headers=HINDI, follow_redirects=True)
    assert "आगे बढ़ने के लिए कृपया साइन इन करें।" in prompted.text
