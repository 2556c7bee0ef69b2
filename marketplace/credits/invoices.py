"""GST tax invoices and credit notes: the tax split, numbering, issuing, and the PDF.

The rules (CGST Rules 2017, rule 46 for invoices and rule 53 for credit notes):
- each document names the supplier of the service (the portal) and the recipient (the business
  that bought credits) with their GSTINs and addresses, the SAC, the taxable value, the rate
  and amount of each tax, and the place of supply with its state;
- a serial number of at most 16 characters (letters, digits, "-" and "/"), unique in a
  financial year (April to March); ours is `TS/26-27/000123` (15), credit notes `CN/26-27/...`;
- the place of supply of a service to a registered business is where that business is
  registered (IGST Act s.12(2)(a)): the state in the first two digits of its GSTIN. In the
  portal's own state the 18% is CGST 9% + SGST 9%; anywhere else it is IGST 18%.
Documents are kept 72 months (CGST Act s.36): the privacy workflow archives them, never erases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from flask import Response, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from marketplace import legal_rules, locations
from marketplace.accounts.identity import normalise_gstin
from marketplace.accounts.india import State, state_for_gst_code
from marketplace.accounts.models import SupplierProfile
from marketplace.credits.models import (
    CreditOrder,
    Invoice,
    InvoiceKind,
    InvoiceSeries,
)
from marketplace.credits.wording import document_title, invoice_description
from marketplace.db import IST, utcnow
from marketplace.extensions import db
from marketplace.formatting import ist_date, rupees
from marketplace.i18n import in_language

PAISE = Decimal("0.01")
GST_RATE = Decimal(legal_rules.rule("gst_credit_packs").value)
HALF_RATE = GST_RATE / 2
ZERO = Decimal("0.00")
INVOICE_SERIES = "TS"
CREDIT_NOTE_SERIES = "CN"
MAX_NUMBER_LENGTH = 16  # rule 46(b)
RETENTION_MONTHS = 72  # CGST Act s.36: books and records, from the annual return's due date


@dataclass(frozen=True)
class TaxSplit:
    taxable_value: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal

    @property
    def total(self) -> Decimal:
        return self.taxable_value + self.cgst + self.sgst + self.igst

    @property
    def intra_state(self) -> bool:
        return self.igst == 0


def _tax(amount: Decimal, rate: Decimal) -> Decimal:
    """One tax, rounded to the paisa, half up (a half paisa is charged)."""
    return (amount * rate / 100).quantize(PAISE, rounding=ROUND_HALF_UP)


def unspent_share(order: CreditOrder, credits: int) -> TaxSplit:
    """What `credits` of the order's credits are worth, taxed as the order was: the whole order
    exactly when all of them; otherwise the taxable value pro rata, to the paisa, and each tax
    at the order's rate on it."""
    if credits >= order.credits:
        return TaxSplit(order.taxable_value, order.cgst, order.sgst, order.igst)
    taxable_value = (order.taxable_value * credits / order.credits).quantize(
        PAISE, rounding=ROUND_HALF_UP
    )
    if order.igst == 0:
        half = _tax(taxable_value, HALF_RATE)
        return TaxSplit(taxable_value, half, half, ZERO)
    return TaxSplit(taxable_value, ZERO, ZERO, _tax(taxable_value, GST_RATE))


def state_of_gstin(gstin: str) -> State:
    state = state_for_gst_code(gstin[:2])
    if state is None:
        raise ValueError(f"{gstin[:2]} is not a GST state code")
    return state


def portal_state() -> State:
    return state_of_gstin(normalise_gstin(current_app.config["PORTAL_GSTIN"]))


def tax_split(taxable_value: Decimal, recipient_gstin: str) -> TaxSplit:
    """CGST + SGST at 9% each when the recipient is registered in the portal's state (its GSTIN's
    first two digits; a state's older code counts as the state), IGST at 18% otherwise."""
    taxable_value = taxable_value.quantize(PAISE)
    if state_of_gstin(recipient_gstin) == portal_state():
        half = _tax(taxable_value, HALF_RATE)
        return TaxSplit(taxable_value, half, half, ZERO)
    return TaxSplit(taxable_value, ZERO, ZERO, _tax(taxable_value, GST_RATE))


def financial_year(moment: datetime) -> str:
    """India's financial year of a moment, April to March in Indian time: '2026-27'."""
    local = moment.astimezone(IST)
    start = local.year if local.month >= 4 else local.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def document_number(series: str, year: str, serial: int) -> str:
    """'TS/26-27/000123': the series, the financial year, the serial; at most 16 characters."""
    number = f"{series}/{year[2:4]}-{year[5:7]}/{serial:06d}"
    if len(number) > MAX_NUMBER_LENGTH:
        raise RuntimeError(f"the {series} series of {year} is full at {serial - 1} documents")
    return number


def _next_serial(series: str, year: str) -> int:
    """The series' next serial, taken by an UPDATE of its counter row: concurrent issuers queue
    on the row lock, and a transaction that rolls back gives the number back."""

    def take() -> int | None:
        return db.session.execute(
            update(InvoiceSeries)
            .where(InvoiceSeries.series == series, InvoiceSeries.financial_year == year)
            .values(last_serial=InvoiceSeries.last_serial + 1)
            .returning(InvoiceSeries.last_serial)
            .execution_options(synchronize_session=False)
        ).scalar()

    serial = take()
    if serial is None:  # the year's first document in this series
        try:
            with db.session.begin_nested():
                db.session.add(InvoiceSeries(series=series, financial_year=year, last_serial=0))
        except IntegrityError:  # another issuer made the row first
            pass
        serial = take()
    assert serial is not None
    return serial


def _address(supplier: SupplierProfile) -> str:
    return f"{supplier.address_line1}, {supplier.city} {supplier.pincode}, {supplier.state}"


def _new_document(
    kind: InvoiceKind,
    series: str,
    order: CreditOrder,
    issued_at: datetime,
    *,
    credits: int,
    amounts: TaxSplit,
) -> Invoice:
    config = current_app.config
    year = financial_year(issued_at)
    serial = _next_serial(series, year)
    seller_gstin = normalise_gstin(config["PORTAL_GSTIN"])
    seller_state = state_of_gstin(seller_gstin)
    recipient: SupplierProfile = order.supplier
    # The registration and place of supply the order was priced for, whatever the supplier's
    # GSTIN is now: an invoice must state the place of supply its tax was charged for.
    recipient_gstin = order.recipient_gstin or recipient.gstin
    recipient_state = state_of_gstin(recipient_gstin)
    place_of_supply = state_of_gstin(order.place_of_supply_code)
    return Invoice(
        kind=kind,
        number=document_number(series, year, serial),
        series=series,
        financial_year=year,
        serial=serial,
        order_id=order.id,
        supplier_id=order.supplier_id,
        issued_at=issued_at,
        seller_name=config["PORTAL_LEGAL_NAME"],
        seller_gstin=seller_gstin,
        seller_address=config["PORTAL_ADDRESS"],
        seller_state=seller_state.name,
        seller_state_code=seller_state.gst_code,
        recipient_name=recipient.company_name,
        recipient_gstin=recipient_gstin,
        recipient_address=_address(recipient),
        recipient_state=recipient_state.name,
        recipient_state_code=recipient_gstin[:2],
        place_of_supply=place_of_supply.name,
        place_of_supply_code=order.place_of_supply_code,
        sac=config["GST_SAC"],
        description=f"{credits} BuyLead credits ({order.pack_id}) on TradeSetu",
        credits=credits,
        taxable_value=amounts.taxable_value,
        cgst_rate=HALF_RATE if amounts.intra_state else ZERO,
        cgst=amounts.cgst,
        sgst_rate=HALF_RATE if amounts.intra_state else ZERO,
        sgst=amounts.sgst,
        igst_rate=ZERO if amounts.intra_state else GST_RATE,
        igst=amounts.igst,
        total=amounts.total,
    )


def issue_invoice(order: CreditOrder) -> Invoice:
    """The tax invoice for a paid order: the amounts the order was charged, dated now."""
    invoice = _new_document(
        InvoiceKind.INVOICE,
        INVOICE_SERIES,
        order,
        order.paid_at or utcnow(),
        credits=order.credits,
        amounts=unspent_share(order, order.credits),
    )
    db.session.add(invoice)
    db.session.flush()
    return invoice


def issue_credit_note(order: CreditOrder, invoice: Invoice, reason: str, credits: int) -> Invoice:
    """A credit note for the `credits` of a refunded order that were not spent, reversing that
    share of its invoice (rule 53: it names the invoice it adjusts)."""
    note = _new_document(
        InvoiceKind.CREDIT_NOTE,
        CREDIT_NOTE_SERIES,
        order,
        utcnow(),
        credits=credits,
        amounts=unspent_share(order, credits),
    )
    note.original_invoice_id = invoice.id
    note.reason = reason
    db.session.add(note)
    db.session.flush()
    return note


# --- the PDF ---------------------------------------------------------------------------------

# Every label in English and in Hindi, one above the other's slash: a bilingual tax invoice.
# Latin is drawn with DejaVu and Devanagari with Noto (fpdf2's fallback picks the font per
# character), shaped by HarfBuzz so that conjuncts and matras join as they are written.
ORIGINAL = _l("Original for recipient")
LABELS = {
    "date": _l("Date"),
    "place": _l("Place of supply"),
    "reverse": _l("Tax payable on reverse charge"),
    "no": _l("No"),
    "order": _l("Order"),
    "against": _l("Against invoice"),
    "reason": _l("Reason"),
    "supplier": _l("Supplier"),
    "recipient": _l("Recipient"),
    "description": _l("Description"),
    "qty": _l("Qty"),
    "rate": _l("Rate"),
    "amount": _l("Amount"),
    "taxable": _l("Taxable value"),
    "total": _l("Total"),
}


def _both(make: Callable[[], str]) -> str:
    """A text in English, then in Hindi: 'Date / तारीख' (once when both read the same)."""
    with in_language("en"):
        english = str(make())
    with in_language("hi"):
        hindi = str(make())
    return english if english == hindi else f"{english} / {hindi}"


def _label(key: str) -> str:
    return _both(lambda: str(LABELS[key]))


def _title(invoice: Invoice) -> str:
    return _both(lambda: document_title(invoice.kind))


def _start(invoice: Invoice) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(invoice.issued_at)
    with in_language("en"):  # the document's metadata: English, as its number and names
        pdf.set_title(f"{document_title(invoice.kind)} {invoice.number}")
    pdf.set_author(invoice.seller_name)
    latin, devanagari = locations.FONTS, locations.DEVANAGARI_FONTS
    pdf.add_font("DejaVu", "", str(latin / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(latin / "DejaVuSans-Bold.ttf"))
    pdf.add_font("NotoDevanagari", "", str(devanagari / "NotoSansDevanagari-Regular.ttf"))
    pdf.add_font("NotoDevanagari", "B", str(devanagari / "NotoSansDevanagari-Bold.ttf"))
    pdf.set_fallback_fonts(["NotoDevanagari"])
    pdf.set_text_shaping(True)
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    return pdf


def render_pdf(invoice: Invoice) -> bytes:
    """The document as an A4 PDF, drawn from the stored row (the same bytes every time),
    amounts and dates in en_IN whoever asks."""
    with in_language("en"):
        pdf = _start(invoice)
        _draw_head(pdf, invoice)
        _draw_parties(pdf, invoice)
        _draw_lines(pdf, invoice)
        return bytes(pdf.output())


def _line(pdf: FPDF, text: str, size: float = 9, style: str = "", height: float = 4.8) -> None:
    pdf.set_font("DejaVu", style, size)
    pdf.multi_cell(pdf.epw, height, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _draw_head(pdf: FPDF, invoice: Invoice) -> None:
    _line(pdf, _title(invoice).upper(), 16, "B", 9)
    _line(pdf, _both(lambda: str(ORIGINAL)), 8)
    pdf.ln(2)
    number = _both(lambda: _("%(title)s number", title=document_title(invoice.kind)))
    facts = [
        (number, invoice.number),
        (_label("date"), ist_date(invoice.issued_at)),
        (_label("place"), f"{invoice.place_of_supply} ({invoice.place_of_supply_code})"),
        (_label("reverse"), _label("no")),
        (_label("order"), f"#{invoice.order_id}"),
    ]
    if invoice.original is not None:
        facts.append((_label("against"), invoice.original.number))
    if invoice.reason:
        facts.append((_label("reason"), invoice.reason))
    pdf.set_font("DejaVu", "", 9)
    bold = FontFace(emphasis="BOLD")
    with pdf.table(
        col_widths=(80, 100), borders_layout="NONE", first_row_as_headings=False, padding=0.8
    ) as table:
        for label, value in facts:
            row = table.row()
            row.cell(label, style=bold)
            row.cell(value)
    pdf.ln(3)


def _draw_parties(pdf: FPDF, invoice: Invoice) -> None:
    top = pdf.get_y()
    column = (pdf.epw - 6) / 2
    parties = (
        (
            _label("supplier"),
            invoice.seller_name,
            invoice.seller_gstin,
            invoice.seller_address,
            invoice.seller_state,
            invoice.seller_state_code,
        ),
        (
            _label("recipient"),
            invoice.recipient_name,
            invoice.recipient_gstin,
            invoice.recipient_address,
            invoice.recipient_state,
            invoice.recipient_state_code,
        ),
    )
    bottom = top
    for index, (heading, name, gstin, address, state, code) in enumerate(parties):
        pdf.set_xy(pdf.l_margin + index * (column + 6), top)
        where = _both(
            lambda state=state, code=code: _("State: %(state)s (%(code)s)", state=state, code=code)
        )
        for text, style, size in (
            (heading.upper(), "B", 9),
            (name, "B", 10),
            (address, "", 9),
            (where, "", 9),
            (f"GSTIN: {gstin}", "", 9),
        ):
            pdf.set_font("DejaVu", style, size)
            pdf.multi_cell(column, 4.8, text, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        bottom = max(bottom, pdf.get_y())
    pdf.set_y(max(bottom, top + 30) + 4)


def _draw_lines(pdf: FPDF, invoice: Invoice) -> None:
    pdf.set_font("DejaVu", "", 9)
    taxes = (
        [("CGST", invoice.cgst_rate, invoice.cgst), ("SGST", invoice.sgst_rate, invoice.sgst)]
        if invoice.intra_state
        else [("IGST", invoice.igst_rate, invoice.igst)]
    )
    with pdf.table(
        col_widths=(74, 18, 24, 28, 36),
        text_align=("LEFT", "CENTER", "RIGHT", "RIGHT", "RIGHT"),
        first_row_as_headings=True,
    ) as table:
        table.row((_label("description"), "SAC", _label("qty"), _label("rate"), _label("amount")))
        table.row(
            (
                _both(lambda: invoice_description(invoice)),
                invoice.sac,
                str(invoice.credits),
                rupees(unit_rate(invoice)),
                rupees(invoice.taxable_value),
            )
        )
        table.row((_label("taxable"), "", "", "", rupees(invoice.taxable_value)))
        for name, rate, amount in taxes:
            table.row((name, "", "", f"{rate.normalize():f}%", rupees(amount)))
        pdf.set_font("DejaVu", "B", 9)
        table.row((_label("total"), "", "", "", rupees(invoice.total)))
    pdf.ln(4)
    tax = rupees(invoice.cgst + invoice.sgst + invoice.igst)
    _line(pdf, _both(lambda: _("Total tax: %(tax)s. Amounts in Indian rupees.", tax=tax)), 9)
    pdf.ln(6)
    _line(pdf, _both(lambda: _("For %(seller)s", seller=invoice.seller_name)), 9, "B")
    _line(pdf, _both(lambda: _("Authorised signatory (a computer-generated document).")), 8)


def unit_rate(invoice: Invoice) -> Decimal:
    """The taxable value of one credit, which the PDF's rate column states (Rule 46(h))."""
    if not invoice.credits:
        return invoice.taxable_value
    return (invoice.taxable_value / invoice.credits).quantize(PAISE, rounding=ROUND_HALF_UP)


def pdf_response(invoice: Invoice) -> Response:
    """The PDF, named by its number (TS-26-27-000123.pdf), shown in the browser."""
    response = Response(render_pdf(invoice), mimetype="application/pdf")
    filename = invoice.number.replace("/", "-") + ".pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
