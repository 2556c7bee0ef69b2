"""IndiaMART's Lead Manager "CRM API v2", spoken by our portal: a seller's connector (ERPNext,
Odoo, Zoho, LeadSquared, n8n, home-grown) moves here by changing one host name.

The pull answers every call with HTTP 200 and IndiaMART's envelope, as IndiaMART does; what
went wrong is in CODE and MESSAGE. Times are India Standard Time in every format connectors
send. The push format (a webhook with `"format": "indiamart"`) posts one lead in the envelope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any, Literal

from flask import current_app
from pydantic import BaseModel, Field
from sqlalchemy import or_, select, update
from typing_extensions import TypedDict

from marketplace.accounts import policy
from marketplace.accounts.api_keys import credential_for_bearer
from marketplace.accounts.models import ApiCredential, CredentialKind, Role, User
from marketplace.db import IST, utcnow
from marketplace.errors import Forbidden
from marketplace.extensions import db
from marketplace.leads import queries
from marketplace.leads.models import Lead, LeadType
from marketplace.leads.schemas import quantity_text

DEFAULT_WINDOW = timedelta(hours=24)
OLDEST_START = timedelta(days=365)
MAX_RECORDS = 10_000  # far beyond a week of any seller's leads; a bound all the same

FIELDS = (
    "UNIQUE_QUERY_ID",
    "QUERY_TYPE",
    "QUERY_TIME",
    "SENDER_NAME",
    "SENDER_MOBILE",
    "SENDER_EMAIL",
    "SUBJECT",
    "SENDER_COMPANY",
    "SENDER_ADDRESS",
    "SENDER_CITY",
    "SENDER_STATE",
    "SENDER_PINCODE",
    "SENDER_COUNTRY_ISO",
    "SENDER_MOBILE_ALT",
    "SENDER_PHONE",
    "SENDER_PHONE_ALT",
    "SENDER_EMAIL_ALT",
    "QUERY_PRODUCT_NAME",
    "QUERY_MESSAGE",
    "QUERY_MCAT_NAME",
    "CALL_DURATION",
    "RECEIVER_MOBILE",
)
# What each field holds here (the seller's page shows this mapping).
FIELD_NOTES = {
    "UNIQUE_QUERY_ID": "the lead's id: stable and unique, use it to skip leads already pulled",
    "QUERY_TYPE": "W for an enquiry sent to you, B for a BuyLead you unlocked",
    "QUERY_TIME": "when the lead arrived, YYYY-MM-DD HH:MM:SS in IST",
    "SENDER_NAME": "the buyer's name",
    "SENDER_MOBILE": "the buyer's mobile, +91-9876543210",
    "SENDER_EMAIL": "the buyer's email",
    "SUBJECT": "Requirement for <product>, or Enquiry from your storefront",
    "SENDER_COMPANY": "the buyer's registered business, when they have one",
    "SENDER_ADDRESS": "that business's address",
    "SENDER_CITY": "the delivery city the buyer gave, else the business's city",
    "SENDER_STATE": "the business's state",
    "SENDER_PINCODE": "the business's PIN code",
    "SENDER_COUNTRY_ISO": "IN",
    "SENDER_MOBILE_ALT": "empty (we keep one mobile)",
    "SENDER_PHONE": "empty (landlines are not collected)",
    "SENDER_PHONE_ALT": "empty",
    "SENDER_EMAIL_ALT": "empty (we keep one email)",
    "QUERY_PRODUCT_NAME": "the product asked about, as it was named then",
    "QUERY_MESSAGE": "the buyer's message, then the quantity",
    "QUERY_MCAT_NAME": "the product's category",
    "CALL_DURATION": "empty (no call leads)",
    "RECEIVER_MOBILE": "empty (no call leads)",
}
assert tuple(FIELD_NOTES) == FIELDS
QUERY_TYPES = {LeadType.ENQUIRY: "W", LeadType.BUYLEAD: "B"}

# One lead as IndiaMART writes it: every field a string, empty when we do not have it.
IndiaMartLead = TypedDict(  # type: ignore[misc]  (its fields are IndiaMART's list)
    "IndiaMartLead",
    {field: Annotated[str, Field(description=note)] for field, note in FIELD_NOTES.items()},
)


class IndiaMartEnvelope(TypedDict):
    """IndiaMART's envelope: CODE says what happened (200 leads, 204 none, 401 a key that is
    not valid or may not read leads, 400 bad times, 429 pulled too soon)."""

    CODE: int
    STATUS: Literal["SUCCESS", "FAILURE"]
    MESSAGE: str
    TOTAL_RECORDS: Annotated[int, Field(ge=0)]
    RESPONSE: list[IndiaMartLead]  # type: ignore[valid-type]


NO_LEADS = "There are no leads in the given time duration. Please try for a different duration."

# --- one lead as IndiaMART writes it -----------------------------------------------------------


def _mobile(phone: str | None) -> str:
    """+919876543210 -> +91-9876543210, as IndiaMART writes mobiles."""
    if not phone:
        return ""
    return f"+91-{phone[3:]}" if phone.startswith("+91") else phone


def lead_record(lead: Lead) -> dict[str, str]:
    """Every field IndiaMART sends, as strings; what we do not have is "", never missing."""
    buyer = lead.buyer
    business = buyer.supplier if buyer else None
    message = lead.message
    if lead.quantity is not None:
        message += f"\n\nQuantity: {quantity_text(lead.quantity)} {lead.unit or ''}".rstrip()
    product = lead.product
    record = dict.fromkeys(FIELDS, "")
    record.update(
        UNIQUE_QUERY_ID=str(lead.id),
        QUERY_TYPE=QUERY_TYPES[lead.type],
        QUERY_TIME=lead.created_at.astimezone(IST).strftime("%Y-%m-%d %H:%M:%S"),
        SENDER_NAME=buyer.name if buyer else "Deleted account",
        SENDER_MOBILE=_mobile(buyer.phone) if buyer else "",
        SENDER_EMAIL=buyer.email if buyer else "",
        SUBJECT=f"Requirement for {lead.product_name}" if lead.product_name else "Enquiry",
        SENDER_COMPANY=business.company_name if business else "",
        SENDER_ADDRESS=business.address_line1 if business else "",
        SENDER_CITY=lead.city or (business.city if business else ""),
        SENDER_STATE=business.state if business else "",
        SENDER_PINCODE=business.pincode if business else "",
        SENDER_COUNTRY_ISO="IN",
        QUERY_PRODUCT_NAME=lead.product_name or "",
        QUERY_MESSAGE=message,
        QUERY_MCAT_NAME=product.category.name if product else "",
    )
    return record


def push_body(lead: Lead) -> dict[str, Any]:
    """A webhook delivery in IndiaMART's push format: one lead in the envelope."""
    return {"CODE": 200, "STATUS": "SUCCESS", "RESPONSE": lead_record(lead)}


# --- reading the times connectors send ---------------------------------------------------------

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_TIME = r"(?:\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
_PATTERNS = (  # (regex, the order of day, month, year among the groups)
    (re.compile(rf"^(\d{{1,2}})-([A-Za-z]{{3}})-(\d{{4}}){_TIME}$"), "dmy"),
    (re.compile(rf"^(\d{{1,2}})-(\d{{1,2}})-(\d{{4}}){_TIME}$"), "dmy"),
    (re.compile(rf"^(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_TIME}$"), "ymd"),
)
FORMATS_HELP = "DD-Mon-YYYY, DD-Mon-YYYY HH:MM:SS, DD-MM-YYYY HH:MM:SS or YYYY-MM-DD HH:MM:SS (IST)"


class PullQuery(BaseModel):
    """The window asked for, read by `pull` (a time it cannot read is answered in the
    envelope, never refused with another status)."""

    start_time: str = Field("", description=FORMATS_HELP)
    end_time: str = Field("", description=FORMATS_HELP)


class BadTime(ValueError):
    pass


def read_time(raw: str, *, end: bool) -> datetime:
    """A connector's time, in IST. A date alone is the whole day: its first second for a start,
    its last for an end. Returns UTC; an end is returned exclusive (one second past)."""
    text = raw.strip()
    for pattern, order in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        first, second, third, hour, minute, sec = match.groups()
        day, month, year = (first, second, third) if order == "dmy" else (third, second, first)
        month_number = _MONTHS.get(month.lower()) if month.isalpha() else int(month)
        try:
            if month_number is None:
                raise ValueError
            moment = datetime(int(year), month_number, int(day), tzinfo=IST)
            if hour is not None:
                moment = datetime.combine(
                    moment.date(), time(int(hour), int(minute), int(sec or 0)), IST
                )
            elif end:
                moment = datetime.combine(moment.date(), time(23, 59, 59), IST)
            return (moment + timedelta(seconds=1) if end else moment).astimezone(UTC)
        except ValueError:
            raise BadTime(f"{raw!r} is not a date that exists") from None
        except OverflowError:  # year 1 before India's offset, or the second after 9999
            raise BadTime(f"{raw!r} is out of range") from None
    raise BadTime(f"{raw!r} is not a time we read; send {FORMATS_HELP}")


# --- the pull ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    code: int
    message: str
    leads: list[Lead]

    def envelope(self) -> IndiaMartEnvelope:
        records = [lead_record(lead) for lead in self.leads]
        return {
            "CODE": self.code,
            "STATUS": "SUCCESS" if self.code in (200, 204) else "FAILURE",
            "MESSAGE": self.message,
            "TOTAL_RECORDS": len(records),
            "RESPONSE": records,
        }


def _key(raw: str | None) -> policy.Bearer | Answer:
    key = credential_for_bearer(raw) if raw else None
    if key is None or key.kind != CredentialKind.INTEGRATION:
        return Answer(401, "The key is not valid, was revoked or has expired.", [])
    try:
        policy.authorize(key, roles=(Role.SUPPLIER,), scope=policy.Scope.LEADS_READ)
    except Forbidden as refused:
        return Answer(401, refused.detail, [])
    return key


def _window(start_raw: str, end_raw: str) -> tuple[datetime, datetime] | Answer:
    now = utcnow()
    try:
        end = read_time(end_raw, end=True) if end_raw else now
        start = read_time(start_raw, end=False) if start_raw else end - DEFAULT_WINDOW
    except BadTime as error:
        return Answer(400, f"Bad start_time or end_time: {error}.", [])
    if end <= start:
        return Answer(400, "end_time must be later than start_time.", [])
    if end - start > queries.MAX_PULL_WINDOW + timedelta(seconds=1):
        return Answer(400, "The time window can be at most 7 days; please ask for less.", [])
    if start < now - OLDEST_START:
        return Answer(400, "start_time can be at most 365 days back.", [])
    return start, min(end, now - queries.PULL_SETTLE)  # as the native pull, for the same reason


def _claim_interval(key: policy.Bearer) -> int:
    """Record this call if the key's interval has passed, atomically (two connectors on one key
    cannot both pass); otherwise return the seconds left to wait."""
    interval = timedelta(seconds=current_app.config["CRM_PULL_INTERVAL_SECONDS"])
    now = utcnow()
    claimed = db.session.execute(
        update(ApiCredential)
        .where(
            ApiCredential.id == key.credential_id,
            or_(
                ApiCredential.crm_pulled_at.is_(None),
                ApiCredential.crm_pulled_at <= now - interval,
            ),
        )
        .values(crm_pulled_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if claimed:
        return 0
    last = (
        db.session.scalar(
            select(ApiCredential.crm_pulled_at).where(ApiCredential.id == key.credential_id)
        )
        or now
    )
    return max(1, int((last + interval - now).total_seconds()) + 1)


def pull(key: str | None, start_raw: str, end_raw: str) -> Answer:
    """One call of the pull API: the key, then the interval, then the window."""
    caller = _key(key)
    if isinstance(caller, Answer):
        return caller
    wait = _claim_interval(caller)
    if wait:
        minutes = current_app.config["CRM_PULL_INTERVAL_SECONDS"] // 60 or 1
        return Answer(
            429,
            f"It is advised to call this API once every {minutes} minutes; this key called "
            f"sooner. Please try again after {wait} seconds.",
            [],
        )
    window = _window(start_raw, end_raw)
    if isinstance(window, Answer):
        return window
    start, end = window
    supplier = db.session.get_one(User, caller.user_id).supplier
    assert supplier is not None  # authorize required the supplier role
    chosen = queries.LeadFilter(start=start, end=end)
    leads, _ = queries.page_of_leads(
        queries.supplier_leads_query(supplier.id, chosen),
        oldest_first=True,
        page=1,
        per_page=MAX_RECORDS,
    )
    if not leads:
        return Answer(204, NO_LEADS, [])
    return Answer(200, "", leads)
