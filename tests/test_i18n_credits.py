"""Credits in Hindi: the supplier's credits page, an admin's refund confirmation and its
refusals, and the bilingual tax invoice (every label in English and Hindi, Devanagari drawn with
the shipped Noto font and shaped into its conjuncts)."""

from __future__ import annotations

import re
import zlib

from marketplace.accounts.models import User
from marketplace.credits import gateways, invoices, ledger, orders, payments, queries
from marketplace.credits.inputs import OrderIn
from marketplace.credits.models import CreditOrder
from marketplace.db import commit
from marketplace.extensions import db
from marketplace.i18n import in_language
from tests import factories
from tests.conftest import sign_in_page

HINDI = {"Accept-Language": "hi"}


def _paid_order(person: factories.Registered) -> CreditOrder:
    user = db.session.get(User, person.id)
    order, _checkout = orders.create_order(user, OrderIn.model_validate({"pack": "credits-10"}))
    commit()
    sandbox = gateways.SandboxGateway(gateways.sandbox_secret())
    body, headers = sandbox.simulate(order, pay=True)
    result = payments.receive_callback("sandbox", body, headers)
    commit()
    assert result.result == "granted"
    return result.order


def test_the_credits_page_reads_in_hindi(ctx, client, supplier):
    _paid_order(supplier)
    sign_in_page(client, supplier)
    page = client.get("/credits", headers=HINDI).get_data(as_text=True)
    assert "<h1>क्रेडिट</h1>" in page
    assert "क्रेडिट खरीदें" in page and "बैलेंस" in page and "लेजर" in page
    assert "10 क्रेडिट खरीदे (ऑर्डर #" in page  # the ledger's English record, said in Hindi
    assert "टैक्स इनवॉइस" in page and ">पेड<" in page  # the order's status
    assert "Buy credits" not in page and "Bought 10 credits" not in page
    english = client.get("/credits", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Bought 10 credits (order #" in english and ">Paid<" in english


def test_an_admin_confirms_a_refund_in_hindi_and_is_refused_in_hindi(app, ctx, client, supplier):
    order = _paid_order(supplier)
    supplier_id = db.session.get(User, supplier.id).supplier.id
    for n in range(3):
        ledger.spend_credit(supplier_id, reason="Unlocked", reference=f"buylead:{n}")
    commit()
    token = sign_in_page(client, factories.staff("admin"))
    asked = {"csrf_token": token, "reason": "बैंक ने दो बार पैसे काटे"}
    facts = client.post(f"/admin/credit-orders/{order.id}/refund", data=asked, headers=HINDI)
    text = facts.get_data(as_text=True)
    assert facts.status_code == 200
    assert f"ऑर्डर #{order.id} का रिफ़ंड करें?" in text
    assert "बैलेंस से 7 बिना खर्च हुए क्रेडिट वापस लिए जाएंगे" in text
    assert "पहले खर्च हो चुके 3 क्रेडिट" in text and "₹825.18" in text
    done = client.post(
        f"/admin/credit-orders/{order.id}/refund",
        data={**asked, "confirmed": "yes"},
        headers=HINDI,
        follow_redirects=True,
    ).get_data(as_text=True)
    assert f"ऑर्डर #{order.id} का रिफ़ंड हो गया: 7 बिना खर्च हुए क्रेडिट वापस लिए गए" in done
    # Refunding it again is refused, in Hindi, on the page and in the API's detail.
    again = client.post(
        f"/admin/credit-orders/{order.id}/refund",
        data={**asked, "confirmed": "yes"},
        headers=HINDI,
        follow_redirects=True,
    ).get_data(as_text=True)
    assert f"रिफ़ंड सिर्फ़ पेड ऑर्डर का हो सकता है; ऑर्डर #{order.id} की स्थिति: रिफ़ंड हुआ।" in again


def test_a_supplier_is_refused_the_admins_orders_in_hindi(ctx, client, supplier):
    sign_in_page(client, supplier)
    refused = client.get("/admin/credit-orders", headers=HINDI)
    assert refused.status_code == 403
    assert "सभी सप्लायरों के क्रेडिट ऑर्डर सिर्फ़ एडमिन देख सकते हैं।" in refused.text


# --- the PDF: its text read back through each font's ToUnicode map ---------------------------


def _streams(pdf: bytes) -> dict[int, bytes]:
    """Every object's stream, by object number, read by its /Length and inflated."""
    found = {}
    for match in re.finditer(rb"(\d+) 0 obj\s*<<((?:(?!endobj).)*?)>>\s*stream\r?\n", pdf, re.S):
        length = re.search(rb"/Length (\d+)", match[2])
        if length is None:
            continue
        data = pdf[match.end() : match.end() + int(length[1])]
        found[int(match[1])] = zlib.decompress(data) if b"FlateDecode" in match[2] else data
    return found


def _unicode_maps(pdf: bytes, streams: dict[int, bytes]) -> dict[bytes, dict[int, str]]:
    """Each font resource name (/F1...) -> glyph id -> the text it draws (a conjunct's glyph
    draws several characters)."""

    def cmap(data: bytes) -> dict[int, str]:
        mapping = {}
        for glyph, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", data):
            mapping[int(glyph, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
        return mapping

    maps = {}
    fonts = dict(re.findall(rb"/(F\d+) (\d+) 0 R", pdf))
    for name, font_object in fonts.items():
        body = re.search(rb"\b" + font_object + rb" 0 obj(.*?)endobj", pdf, re.S)
        assert body is not None
        unicode_ref = re.search(rb"/ToUnicode (\d+) 0 R", body[1])
        assert unicode_ref is not None
        maps[name] = cmap(streams[int(unicode_ref[1])])
    return maps


ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _literal(body: bytes) -> bytes:
    """A PDF literal string's bytes: backslash escapes and octal codes undone."""

    def undo(match: re.Match[bytes]) -> bytes:
        escaped = match[1]
        if escaped[:1].isdigit():
            return bytes([int(escaped, 8)])
        return ESCAPES.get(escaped, escaped)

    return re.sub(rb"\\([0-7]{1,3}|.)", undo, body, flags=re.S)


TOKENS = re.compile(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj|\bET\b", re.S)


def _text(pdf: bytes) -> str:
    """The text the page draws, glyph by glyph through the font in use (fpdf2 writes each
    glyph's id in two bytes; a conjunct's glyph maps to all the characters it draws)."""
    streams = _streams(pdf)
    maps = _unicode_maps(pdf, streams)
    drawn = []
    for data in streams.values():
        if b" Tf" not in data:
            continue
        font: dict[int, str] = {}
        for token in TOKENS.finditer(data):
            if token[1]:
                font = maps[token[1]]
            elif token[2] is not None:
                glyphs = _literal(token[2])
                drawn += [
                    font.get(int.from_bytes(glyphs[i : i + 2]), "")
                    for i in range(0, len(glyphs), 2)
                ]
            else:
                drawn.append(" ")  # the end of a line of text
    return re.sub(r"\s+", " ", "".join(drawn))


def test_the_tax_invoice_pdf_is_bilingual_with_the_devanagari_font_embedded(ctx, supplier):
    order = _paid_order(supplier)
    invoice = queries.invoice_of(order)
    with in_language("hi"):  # a Hindi reader gets the same document as an English one
        pdf = invoices.render_pdf(invoice)
    assert pdf == invoices.render_pdf(invoice)
    assert b"/FontName /" in pdf and re.search(rb"/FontName /[A-Z]{6}\+NotoSansDevanagari", pdf)
    assert re.search(rb"/FontFile2 \d+ 0 R", pdf)  # embedded, not merely named
    text = _text(pdf)
    for label in (
        "TAX INVOICE / टैक्स इनवॉइस",
        "Original for recipient / प्राप्तकर्ता के लिए मूल प्रति",
        "Place of supply / सप्लाई का स्थान",
        "Tax payable on reverse charge / रिवर्स चार्ज पर देय टैक्स",
        "SUPPLIER / सप्लायर",
        "Taxable value / टैक्स योग्य मूल्य",
        "Total / कुल",
        "10 BuyLead credits (credits-10) on TradeSetu / TradeSetu पर 10 BuyLead क्रेडिट (credits-10)",
    ):
        assert label in text, label
    assert invoice.number in text and "₹999.00" in text


def test_the_api_refuses_a_forged_payment_callback_in_the_callers_language(ctx, api):
    def forged(language: str):  # type: ignore[no-untyped-def]
        return api.client.post(
            "/api/v1/payments/sandbox/webhook",
            data=b'{"event": "payment.captured"}',
            headers={"Content-Type": "application/json", "Accept-Language": language},
        )

    hindi, english = forged("hi"), forged("en")
    assert hindi.status_code == english.status_code == 400
    assert hindi.get_json()["detail"].startswith("कॉलबैक का सिग्नेचर नहीं है या मेल नहीं खाता")
    assert english.get_json()["detail"].startswith("The callback's signature is missing")


def test_the_admins_orders_name_each_status_and_keep_an_unknown_filter_as_typed(ctx, client):
    sign_in_page(client, factories.staff("admin"))
    tabs = client.get("/admin/credit-orders", headers=HINDI).text
    assert ">पेमेंट बाकी<" in tabs and ">रिफ़ंड हुआ<" in tabs
    unknown = client.get("/admin/credit-orders?status=bogus", headers=HINDI)
    assert unknown.status_code == 200 and "0 ऑर्डर, स्थिति: bogus।" in unknown.text
