"""The rules of the grievance desk: the only code that files, works, appeals and reports on
grievances, and records breaches. Every deadline comes from marketplace.legal_clocks.

Each function checks everything before it changes anything; the caller commits once.
Functions that depend on the time take `now` (tests pass a controlled clock; otherwise
marketplace.db.utcnow; tests patch this module's `utcnow`).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
import statistics
import string
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any

from flask import current_app, url_for
from sqlalchemy import ColumnElement, and_, delete, func, or_, select

from marketplace import audit, desk, images
from marketplace.accounts import identity
from marketplace.accounts.models import Role, User, UserRole
from marketplace.credits.models import CreditOrder
from marketplace.db import IST, get_owned, utcnow
from marketplace.errors import Conflict, NotFound, TooManyRequests, ValidationFailed
from marketplace.extensions import db
from marketplace.grievances import policy
from marketplace.grievances.models import (
    CATEGORY_LABELS,
    DECIDED_STATUSES,
    Breach,
    BreachStatus,
    Category,
    DeskWarning,
    EventKind,
    Grievance,
    GrievanceAttachment,
    GrievanceEvent,
    GuestGrievance,
    RelatedKind,
    Status,
)
from marketplace.grievances.policy import Action
from marketplace.legal_clocks import clock
from marketplace.notifications import absolute_url, send_email
from marketplace.validation import MAX_ID, Input, Invalid, read_date

GUEST_CODE_TTL = timedelta(minutes=30)
GUEST_CODE_ATTEMPTS = 5
GUEST_CODES_PER_EMAIL_PER_HOUR = 5
GUEST_PURGE_AFTER = timedelta(days=1)
MAX_ATTACHMENTS = 4

# How long before a deadline the officers are warned (a day's notice for the 15 days).
WARN_BEFORE = {"acknowledge": timedelta(hours=6), "resolve": timedelta(days=2)}

# Which status the officer may move a grievance to from each status. Appealing is the
# complainant's own step (appeal()), never the officer's.
TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.RECEIVED: (Status.ACKNOWLEDGED, Status.IN_REVIEW, Status.RESOLVED, Status.REJECTED),
    Status.ACKNOWLEDGED: (Status.IN_REVIEW, Status.RESOLVED, Status.REJECTED),
    Status.IN_REVIEW: (Status.RESOLVED, Status.REJECTED),
    Status.RESOLVED: (Status.CLOSED,),
    Status.REJECTED: (Status.CLOSED,),
    Status.APPEALED: (Status.IN_REVIEW, Status.RESOLVED, Status.REJECTED, Status.CLOSED),
    Status.CLOSED: (),
}


def _now(now: datetime | None) -> datetime:
    return now if now is not None else utcnow()


def _choice(inp: Input, field: str, choices: type[Any], *, required: bool = True) -> Any:
    raw = inp.data.get(field)
    if raw is None or raw == "":
        if required:
            inp.fail(field, "this field is required")
        return None
    try:
        return choices(raw)
    except (ValueError, TypeError):
        allowed = ", ".join(str(choice) for choice in choices)
        inp.fail(field, f"must be one of: {allowed}")
        return None


def _new_reference(prefix: str, now: datetime) -> str:
    alphabet = string.ascii_uppercase.replace("O", "").replace("I", "") + "23456789"
    tail = "".join(secrets.choice(alphabet) for _ in range(6))
    return f"{prefix}-{now.astimezone(IST):%y%m}-{tail}"


# --- filing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Complaint:
    category: Category
    subject: str
    description: str
    related_kind: RelatedKind | None
    related_id: int | None


def _read_complaint(inp: Input, user: User | None) -> Complaint | None:
    category = _choice(inp, "category", Category)
    subject = inp.text("subject", min_length=4, max_length=200)
    description = inp.text("description", min_length=10, max_length=8000, multiline=True)
    related_kind, related_id = _read_related(inp, user)
    if inp.errors:
        return None
    return Complaint(category, subject, description, related_kind, related_id)


def _read_related(inp: Input, user: User | None) -> tuple[RelatedKind | None, int | None]:
    related = inp.nested("related", required=False)
    if related is None:
        return None, None
    given = [kind for kind in RelatedKind if related.has(f"{kind}_id")]
    if not given:
        return None, None
    if len(given) > 1:
        inp.fail("related", "name one of product_id, lead_id or order_id")
        return None, None
    kind = given[0]
    field = f"{kind}_id"
    number = related.integer(field, minimum=1, maximum=MAX_ID)
    if number is None:
        return None, None
    if not _related_exists(kind, number, user):
        related.fail(field, f"no such {kind} of yours" if kind != "product" else "no such product")
        return None, None
    return kind, number


def _related_exists(kind: RelatedKind, number: int, user: User | None) -> bool:
    from marketplace.catalog.models import Product
    from marketplace.leads.models import Lead

    if kind == RelatedKind.PRODUCT:
        return db.session.get(Product, number) is not None
    if user is None:
        return False  # a guest has no leads or orders of their own
    if kind == RelatedKind.LEAD:
        lead = db.session.get(Lead, number)
        if lead is None:
            return False
        return lead.buyer_id == user.id or (
            user.supplier is not None and lead.supplier_id == user.supplier.id
        )
    order = db.session.get(CreditOrder, number)
    return order is not None and user.supplier is not None and order.supplier_id == user.supplier.id


def _create(
    complaint: Complaint, *, name: str, email: str, user: User | None, now: datetime
) -> Grievance:
    acknowledge_by, resolve_by = deadlines(complaint.category, now)
    grievance = Grievance(
        reference=_new_reference("GR", now),
        complainant_id=user.id if user else None,
        complainant_name=name,
        complainant_email=email,
        category=complaint.category,
        subject=complaint.subject,
        description=complaint.description,
        related_kind=complaint.related_kind,
        related_id=complaint.related_id,
        status=Status.RECEIVED,
        received_at=now,
        acknowledge_by=acknowledge_by,
        resolve_by=resolve_by,
        updated_at=now,
    )
    db.session.add(grievance)
    _event(
        grievance=grievance,
        kind=EventKind.FILED,
        actor_id=user.id if user else None,
        status_to=Status.RECEIVED,
        created_at=now,
    )
    db.session.flush()
    audit.record(
        "grievance.filed",
        actor_id=user.id if user else None,
        subject=grievance,
        reference=grievance.reference,
        category=str(complaint.category),
    )
    send_email(
        email,
        f"Your complaint {grievance.reference} has been received",
        "grievance_received",
        grievance=grievance,
        url=absolute_url("grievances.mine" if user else "grievances.file"),
    )
    return grievance


def deadlines(category: Category, received_at: datetime) -> tuple[datetime, datetime]:
    """Acknowledge within 24 hours and resolve within 15 days (IT Rules 2021 r.3(2)); a privacy
    complaint is also held to the DPDP Rules' outer bound, whichever comes first."""
    acknowledge_by = clock("grievance_acknowledge").due(received_at)
    resolve_by = clock("grievance_resolve").due(received_at)
    if category == Category.PRIVACY:
        resolve_by = min(resolve_by, clock("privacy_request").due(received_at))
    return acknowledge_by, resolve_by


def file_grievance(
    user: User,
    data: Any,
    *,
    attachments: Sequence[tuple[str, IO[bytes]]] = (),
    now: datetime | None = None,
) -> Grievance:
    """A signed-in person's complaint: the clocks start now."""
    now = _now(now)
    inp = Input(data)
    complaint = _read_complaint(inp, user)
    pictures = _read_attachments(inp, attachments)
    inp.raise_if_invalid()
    assert complaint is not None
    grievance = _create(complaint, name=user.name, email=user.email, user=user, now=now)
    _store_attachments(grievance, pictures)
    return grievance


# --- guests confirm their email first ---------------------------------------------------------


def _code_digest(draft_id: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"grievance-code:{draft_id}:{code}".encode(), hashlib.sha256).hexdigest()


def start_guest_grievance(data: Any, *, now: datetime | None = None) -> GuestGrievance:
    """Check a guest's complaint and address, and mail a one-time code to the address. Nothing
    reaches the desk until the code comes back (attachments need an account)."""
    now = _now(now)
    inp = Input(data)
    name = inp.text("name", min_length=2, max_length=100)
    email = inp.text("email", max_length=254, check=identity.check_email)
    _read_complaint(inp, None)
    inp.raise_if_invalid()
    db.session.execute(
        delete(GuestGrievance).where(GuestGrievance.expires_at < now - GUEST_PURGE_AFTER)
    )
    recent = db.session.scalar(
        select(func.count()).where(
            GuestGrievance.email == email, GuestGrievance.created_at > now - timedelta(hours=1)
        )
    )
    if (recent or 0) >= GUEST_CODES_PER_EMAIL_PER_HOUR:
        raise TooManyRequests("Too many codes were sent to this address. Please try later.", 3600)
    code = f"{secrets.randbelow(10**6):06d}"
    draft = GuestGrievance(
        id=str(uuid.uuid4()),
        email=email,
        name=name,
        payload={
            key: inp.data.get(key)
            for key in ("category", "subject", "description", "related")
            if inp.data.get(key) not in (None, "")
        },
        expires_at=now + GUEST_CODE_TTL,
        created_at=now,
    )
    draft.code_digest = _code_digest(draft.id, code)
    db.session.add(draft)
    send_email(
        email,
        "Your code to confirm your complaint",
        "grievance_code",
        code=code,
        minutes=int(GUEST_CODE_TTL.total_seconds() // 60),
        url=absolute_url("grievances.confirm_guest", draft_id=draft.id),
    )
    return draft


class WrongCode(ValidationFailed):
    keep_writes = True  # the failed attempt counts even though the request is refused


def confirm_guest_grievance(draft_id: str, data: Any, *, now: datetime | None = None) -> Grievance:
    now = _now(now)
    # Locked: two confirms with the right code at once must not file the complaint twice.
    draft = db.session.get(GuestGrievance, draft_id, with_for_update=True)
    if draft is None or draft.created_at < now - GUEST_PURGE_AFTER:
        raise NotFound("No such confirmation. Please file the complaint again.")
    if draft.grievance_id is not None:
        raise Conflict("This code was already used: the complaint has been filed.")
    inp = Input(data)
    code = inp.text("code", max_length=12)
    inp.raise_if_invalid()
    if draft.expires_at <= now:
        raise ValidationFailed({"code": ["this code has expired; file the complaint again"]})
    if draft.attempts >= GUEST_CODE_ATTEMPTS:
        raise ValidationFailed({"code": ["too many wrong codes; file the complaint again"]})
    if not hmac.compare_digest(draft.code_digest, _code_digest(draft.id, code.strip())):
        draft.attempts += 1
        left = GUEST_CODE_ATTEMPTS - draft.attempts
        raise WrongCode(
            {"code": [f"the code is not right ({left} attempt{'s' if left != 1 else ''} left)"]}
        )
    complaint_input = Input(draft.payload)
    complaint = _read_complaint(complaint_input, None)
    complaint_input.raise_if_invalid()
    assert complaint is not None
    grievance = _create(complaint, name=draft.name, email=draft.email, user=None, now=now)
    draft.grievance_id = grievance.id
    draft.payload = {}  # the complaint now lives on the grievance only
    return grievance


# --- attachments -------------------------------------------------------------------------------


def attachment_folder() -> Path:
    return images.folder("grievances")


def _read_attachments(inp: Input, files: Sequence[tuple[str, IO[bytes]]]) -> list[Any]:
    """Check each file as every uploaded photo is checked (marketplace.images: a real JPEG, PNG
    or WebP, bounded in bytes and pixels), before anything is stored."""
    if len(files) > MAX_ATTACHMENTS:
        inp.fail("attachments", f"at most {MAX_ATTACHMENTS} files")
        return []
    pictures = []
    for original, stream in files:
        try:
            pictures.append((original[:200] or "attachment", images.read_upload(stream)))
        except ValidationFailed as refused:
            for message in refused.errors.get("image", []):
                inp.fail("attachments", f"{original[:60]}: {message}")
    return pictures


def _store_attachments(grievance: Grievance, pictures: list[Any]) -> None:
    for original, picture in pictures:
        stored = images.save(picture, "grievances")
        db.session.add(
            GrievanceAttachment(
                grievance=grievance,
                filename=stored.name,
                original_name=original,
                width=stored.width,
                height=stored.height,
            )
        )


def attachment_for(user: User, attachment_id: int) -> GrievanceAttachment:
    attachment = db.session.get(GrievanceAttachment, attachment_id)
    if attachment is None:
        raise NotFound("No such attachment.")
    grievance = attachment.grievance
    if not policy.is_officer(user) and grievance.complainant_id != user.id:
        raise NotFound("No such attachment.")
    return attachment


# --- reading -----------------------------------------------------------------------------------


def own_grievance(user: User, grievance_id: int) -> Grievance:
    return get_owned(Grievance, grievance_id, Grievance.complainant_id == user.id)


def grievance_for(user: User, grievance_id: int) -> Grievance:
    """The officer sees every grievance; anyone else only their own (others are not found)."""
    if policy.is_officer(user):
        found = db.session.get(Grievance, grievance_id)
        if found is None:
            raise NotFound("No such grievance.")
        return found
    return own_grievance(user, grievance_id)


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(Grievance.status == Status.RECEIVED, Grievance.acknowledge_by < now),
        and_(
            Grievance.status.in_((Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_REVIEW)),
            Grievance.resolve_by < now,
        ),
    )


def is_overdue(grievance: Grievance, now: datetime) -> bool:
    if grievance.status == Status.RECEIVED and grievance.acknowledge_by < now:
        return True
    return (
        grievance.status in (Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_REVIEW)
        and grievance.resolve_by < now
    )


@dataclass(frozen=True)
class GrievanceFilter:
    status: Status | None = None
    overdue: bool | None = None
    category: Category | None = None
    q: str | None = None
    assigned_to_id: int | None = None


def read_filter(args: Mapping[str, Any]) -> GrievanceFilter:
    inp = Input(dict(args))
    status = _choice(inp, "status", Status, required=False)
    category = _choice(inp, "category", Category, required=False)
    overdue = inp.boolean("overdue") if inp.has("overdue") else None
    q = inp.text("q", required=False, max_length=100)
    assigned = inp.integer("assigned_to", required=False, minimum=1, maximum=MAX_ID)
    inp.raise_if_invalid()
    return GrievanceFilter(status, overdue, category, q, assigned)


def list_grievances(
    user: User,
    chosen: GrievanceFilter,
    *,
    page: int = 1,
    per_page: int = 20,
    own: bool = False,
    now: datetime | None = None,
) -> tuple[list[Grievance], int]:
    """A complainant's own grievances, newest first; for an officer (unless `own`), every
    grievance, nearest deadline first."""
    now = _now(now)
    query = select(Grievance)
    if policy.is_officer(user) and not own:
        order: Any = (Grievance.resolve_by, Grievance.id)
    else:
        query = query.where(Grievance.complainant_id == user.id)
        order = (Grievance.received_at.desc(), Grievance.id.desc())
    if chosen.status:
        query = query.where(Grievance.status == chosen.status)
    if chosen.category:
        query = query.where(Grievance.category == chosen.category)
    if chosen.overdue is not None:
        clause = overdue_clause(now)
        query = query.where(clause if chosen.overdue else ~clause)
    if chosen.assigned_to_id:
        query = query.where(Grievance.assigned_to_id == chosen.assigned_to_id)
    if chosen.q:
        pattern = f"%{chosen.q.lower()}%"
        query = query.where(
            or_(
                func.lower(Grievance.reference).like(pattern),
                func.lower(Grievance.subject).like(pattern),
                func.lower(Grievance.complainant_email).like(pattern),
                func.lower(Grievance.complainant_name).like(pattern),
            )
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.order_by(*order).offset((page - 1) * per_page).limit(per_page))
    return list(rows), total


def officers() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == Role.GRIEVANCE_OFFICER, User.is_active_account.is_(True))
            .order_by(User.name, User.id)
        ).unique()
    )


# --- the officer's work ------------------------------------------------------------------------


def update_grievance(
    officer: User, grievance_id: int, data: Any, *, now: datetime | None = None
) -> Grievance:
    """Change the status, reply to the complainant (`response`: shown and mailed), add an
    internal note (`note`) or assign (`assigned_to`: an officer's user id). All checked first."""
    policy.require(officer, Action.WORK_DESK)
    now = _now(now)
    grievance = grievance_for(officer, grievance_id)
    inp = Input(data)
    if isinstance(data, Mapping) and not any(
        key in data for key in ("status", "response", "note", "assigned_to")
    ):
        inp.fail("status", "send a status, a response, a note or assigned_to")
    new_status = _choice(inp, "status", Status, required=False)
    response = inp.text("response", required=False, max_length=8000, multiline=True)
    note = inp.text("note", required=False, max_length=8000, multiline=True)
    assignee: User | None = None
    assign = "assigned_to" in inp.data
    if assign and inp.data.get("assigned_to") not in (None, ""):
        assignee_id = inp.integer("assigned_to", minimum=1, maximum=MAX_ID)
        if assignee_id is not None:
            assignee = db.session.get(User, assignee_id)
            if assignee is None or not policy.is_officer(assignee):
                inp.fail("assigned_to", "must be a grievance officer")
    if new_status is not None and new_status != grievance.status:
        if new_status not in TRANSITIONS[grievance.status]:
            allowed = ", ".join(TRANSITIONS[grievance.status]) or "none (it is closed)"
            inp.fail(
                "status", f"cannot go from {grievance.status} to {new_status}; allowed: {allowed}"
            )
        elif new_status in DECIDED_STATUSES and not response:
            inp.fail("response", "tell the complainant the outcome and why")
    inp.raise_if_invalid()

    if new_status is not None and new_status != grievance.status:
        _move(grievance, new_status, officer, now)
    if response:
        grievance.response = response
        _event(
            grievance=grievance,
            kind=EventKind.REPLY,
            actor_id=officer.id,
            text=response,
            public=True,
            created_at=now,
        )
        send_email(
            grievance.complainant_email,
            f"Update on your complaint {grievance.reference}",
            "grievance_reply",
            grievance=grievance,
            response=response,
            status_label=str(grievance.status).replace("_", " "),
            can_appeal=grievance.status in DECIDED_STATUSES,
            url=absolute_url("grievances.mine") if grievance.complainant_id else None,
        )
    if note:
        _event(
            grievance=grievance,
            kind=EventKind.NOTE,
            actor_id=officer.id,
            text=note,
            public=False,
            created_at=now,
        )
    if assign and (assignee.id if assignee else None) != grievance.assigned_to_id:
        grievance.assigned_to_id = assignee.id if assignee else None
        _event(
            grievance=grievance,
            kind=EventKind.ASSIGNED,
            actor_id=officer.id,
            text=assignee.name if assignee else "nobody",
            public=False,
            created_at=now,
        )
        audit.record(
            "grievance.assigned",
            actor_id=officer.id,
            subject=grievance,
            reference=grievance.reference,
            assigned_to_id=assignee.id if assignee else None,  # an id: no personal data
        )
    grievance.updated_at = now
    db.session.flush()
    return grievance


def _event(**fields: Any) -> None:
    """One line of a complaint's history (public ones are shown to the complainant)."""
    db.session.add(GrievanceEvent(**fields))


def _move(grievance: Grievance, status: Status, actor: User, now: datetime) -> None:
    previous = grievance.status
    grievance.status = status
    if grievance.acknowledged_at is None and status != Status.RECEIVED:
        grievance.acknowledged_at = now  # any step past "received" acknowledges it
    if status in DECIDED_STATUSES:
        grievance.resolved_at = now
    if status == Status.CLOSED:
        grievance.closed_at = now
    _event(
        grievance=grievance,
        kind=EventKind.STATUS,
        actor_id=actor.id,
        status_from=previous,
        status_to=status,
        public=True,
        created_at=now,
    )
    audit.record(
        "grievance.status_changed",
        actor_id=actor.id,
        subject=grievance,
        reference=grievance.reference,
        status_from=str(previous),
        status_to=str(status),
    )


def appeal_by(grievance: Grievance) -> datetime | None:
    """The last day to appeal a decision (and to go to the Grievance Appellate Committee)."""
    if grievance.resolved_at is None or grievance.status not in DECIDED_STATUSES:
        return None
    return clock("appeal_window").due(grievance.resolved_at)


def appeal(user: User, grievance_id: int, data: Any, *, now: datetime | None = None) -> Grievance:
    """The complainant appeals a decision, within the appeal window."""
    now = _now(now)
    grievance = own_grievance(user, grievance_id)
    inp = Input(data)
    reason = inp.text("reason", min_length=10, max_length=8000, multiline=True)
    inp.raise_if_invalid()
    if grievance.status not in DECIDED_STATUSES:
        raise Conflict("Only a resolved or rejected complaint can be appealed.")
    deadline = appeal_by(grievance)
    if deadline is not None and now > deadline:
        raise Conflict("The 30 days to appeal this decision have passed.")
    previous = grievance.status
    grievance.status = Status.APPEALED
    grievance.appealed_at = now
    grievance.updated_at = now
    _event(
        grievance=grievance,
        kind=EventKind.APPEAL,
        actor_id=user.id,
        status_from=previous,
        status_to=Status.APPEALED,
        text=reason,
        public=True,
        created_at=now,
    )
    audit.record(
        "grievance.appealed", actor_id=user.id, subject=grievance, reference=grievance.reference
    )
    recipients = [grievance.assigned_to] if grievance.assigned_to else officers()
    for officer in recipients:
        send_email(
            officer.email,
            f"Appeal on {grievance.reference}",
            "grievance_appeal",
            officer=officer,
            grievance=grievance,
            reason=reason,
            url=absolute_url("grievances.desk_grievance", grievance_id=grievance.id),
        )
    db.session.flush()
    return grievance


def appeal_resolve_by(grievance: Grievance) -> datetime | None:
    """An appeal is decided on the same clock as a new complaint, from the appeal."""
    if grievance.status != Status.APPEALED or grievance.appealed_at is None:
        return None
    return clock("grievance_resolve").due(grievance.appealed_at)


# --- the desk ----------------------------------------------------------------------------------


@desk.register_source
def _open_grievances() -> Iterable[desk.DeskItem]:
    rows = db.session.scalars(
        select(Grievance).where(
            Grievance.status.in_(
                (Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_REVIEW, Status.APPEALED)
            )
        )
    )
    for grievance in rows:
        appealed = grievance.status == Status.APPEALED
        yield desk.DeskItem(
            kind="grievance",
            id=grievance.id,
            reference=grievance.reference,
            subject=grievance.subject,
            status=str(grievance.status),
            received_at=grievance.received_at,
            acknowledge_by=grievance.acknowledge_by if grievance.acknowledged_at is None else None,
            resolve_by=appeal_resolve_by(grievance) if appealed else grievance.resolve_by,
            url=url_for("grievances.desk_grievance", grievance_id=grievance.id),
            assigned_to=grievance.assigned_to.name if grievance.assigned_to else None,
        )


@desk.register_source
def _open_breaches() -> Iterable[desk.DeskItem]:
    rows = db.session.scalars(
        select(Breach).where(Breach.status == BreachStatus.OPEN, Breach.board_report_at.is_(None))
    )
    for breach in rows:
        yield desk.DeskItem(
            kind="breach",
            id=breach.id,
            reference=breach.reference,
            subject=breach.nature[:120],
            status="report_due",
            received_at=breach.detected_at,
            acknowledge_by=None,
            resolve_by=breach.board_report_due,
            url=url_for("grievances.breach", breach_id=breach.id),
        )


def warn_deadlines(*, now: datetime | None = None) -> int:
    """Mail the officers about every desk deadline that falls within its warning window (or has
    passed), once per item and deadline. Idempotent: beat runs it often."""
    now = _now(now)
    recipients = officers()
    sent = 0
    for item in desk.open_items():
        for name, due in (("acknowledge", item.acknowledge_by), ("resolve", item.resolve_by)):
            if due is None or due - now > WARN_BEFORE[name]:
                continue
            already = db.session.scalar(
                select(DeskWarning.id).where(
                    DeskWarning.kind == item.kind,
                    DeskWarning.item_id == item.id,
                    DeskWarning.deadline == name,
                    DeskWarning.due_at == due,
                )
            )
            if already:
                continue
            db.session.add(
                DeskWarning(kind=item.kind, item_id=item.id, deadline=name, due_at=due, sent_at=now)
            )
            for officer in recipients:
                send_email(
                    officer.email,
                    f"{'Overdue' if due <= now else 'Due soon'}: {name} {item.reference}",
                    "grievance_deadline",
                    item=item,
                    deadline=name,
                    due=due,
                    overdue=due <= now,
                    url=absolute_url("grievances.desk_queue"),
                )
            sent += 1
    db.session.flush()
    return sent


# --- the compliance report ---------------------------------------------------------------------


# Days a report or a filter may name: the portal's records start after this.
EARLIEST_DAY = date(2000, 1, 1)


def read_period(args: Mapping[str, Any], *, today: date | None = None) -> tuple[date, date]:
    """`from` and `to` as dates (inclusive, days in India); the last 30 days by default."""
    today = today or utcnow().astimezone(IST).date()
    inp = Input(dict(args))
    start = read_date(inp, "from", earliest=EARLIEST_DAY, latest=today)
    end = read_date(inp, "to", earliest=EARLIEST_DAY, latest=today)
    start = start or (today - timedelta(days=29) if "from" not in inp.errors else None)
    end = end or (today if "to" not in inp.errors else None)
    if start and end and start > end:
        inp.fail("to", "must not be before 'from'")
    elif start and end and (end - start).days > 3660:
        inp.fail("from", "a period of at most ten years")
    inp.raise_if_invalid()
    assert start is not None and end is not None
    return start, end


def ist_day_start(day: date) -> datetime:
    """The UTC moment a day begins in India."""
    return datetime.combine(day, time.min, tzinfo=IST).astimezone(UTC)


def report(start: date, end: date) -> dict[str, Any]:
    """Complaints received in the period (days in India, both ends included), and how they
    were handled against the clocks."""
    rows = list(
        db.session.scalars(
            select(Grievance).where(
                Grievance.received_at >= ist_day_start(start),
                Grievance.received_at < ist_day_start(end + timedelta(days=1)),
            )
        )
    )
    acknowledged_on_time = sum(
        1 for g in rows if g.acknowledged_at is not None and g.acknowledged_at <= g.acknowledge_by
    )
    resolved = [g for g in rows if g.resolved_at is not None]
    resolved_on_time = sum(1 for g in resolved if g.resolved_at <= g.resolve_by)  # type: ignore[operator]
    hours = [(g.resolved_at - g.received_at).total_seconds() / 3600 for g in resolved]  # type: ignore[operator]
    by_category = {str(category): 0 for category in Category}
    for g in rows:
        by_category[str(g.category)] += 1
    by_status = {str(status): 0 for status in Status}
    for g in rows:
        by_status[str(g.status)] += 1
    # Privacy requests share the desk and the clocks: the report counts them by type too.
    from marketplace.privacy.models import PrivacyRequest, RequestType

    privacy_by_type = {str(kind): 0 for kind in RequestType}
    for kind, count in db.session.execute(
        select(PrivacyRequest.type, func.count())
        .where(
            PrivacyRequest.created_at >= ist_day_start(start),
            PrivacyRequest.created_at < ist_day_start(end + timedelta(days=1)),
        )
        .group_by(PrivacyRequest.type)
    ):
        privacy_by_type[str(kind)] = count
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "received": len(rows),
        "acknowledged_on_time": acknowledged_on_time,
        "resolved": len(resolved),
        "resolved_on_time": resolved_on_time,
        "appealed": sum(1 for g in rows if g.appealed_at is not None),
        "by_category": by_category,
        "by_status": by_status,
        "median_hours_to_resolve": round(statistics.median(hours), 1) if hours else None,
        "privacy_requests_by_type": privacy_by_type,
    }


def report_csv(figures: Mapping[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["measure", "value"])
    for key in (
        "from",
        "to",
        "received",
        "acknowledged_on_time",
        "resolved",
        "resolved_on_time",
        "appealed",
        "median_hours_to_resolve",
    ):
        value = figures[key]
        writer.writerow([key, "" if value is None else value])
    for category, count in figures["by_category"].items():
        writer.writerow([f"category:{category}", count])
    for status, count in figures["by_status"].items():
        writer.writerow([f"status:{status}", count])
    for kind, count in figures["privacy_requests_by_type"].items():
        writer.writerow([f"privacy_request:{kind}", count])
    return out.getvalue()


def category_label(category: str) -> str:
    return CATEGORY_LABELS.get(Category(category), category)


# --- breaches ----------------------------------------------------------------------------------


def _read_moment(inp: Input, field: str, *, required: bool, now: datetime) -> datetime | None:
    raw = inp.data.get(field)
    if raw in (None, ""):
        if required:
            inp.fail(field, "this field is required")
        return None
    if not isinstance(raw, str) or len(raw) > 40:
        inp.fail(field, "must be a date and time, e.g. 2026-11-22T10:15:00Z")
        return None
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        inp.fail(field, "must be a date and time, e.g. 2026-11-22T10:15:00Z")
        return None
    if moment.year < EARLIEST_DAY.year:  # checked first: year 1 cannot be moved to UTC
        inp.fail(field, "must be after 2000")
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=IST)  # a time typed on the page is India's
    if moment.date() > now.date() + timedelta(days=1):  # before converting: year 9999 cannot
        inp.fail(field, "must not be in the future")
        return None
    moment = moment.astimezone(UTC)
    if moment > now + timedelta(minutes=5):
        inp.fail(field, "must not be in the future")
        return None
    return moment


def _read_list(inp: Input, field: str, *, required: bool) -> list[str] | None:
    raw = inp.data.get(field)
    if isinstance(raw, str):  # a textarea: one per line or comma-separated
        raw = [part for part in raw.replace(",", "\n").splitlines() if part.strip()]
    if raw in (None, []):
        if required:
            inp.fail(field, "name at least one kind of data")
        return None if raw is None else []
    if not isinstance(raw, list) or len(raw) > 50:
        inp.fail(field, "must be a list of at most 50 strings")
        return None
    values = []
    for item in raw:
        item_input = Input({"value": item}, prefix="")
        value = item_input.text("value", max_length=100)
        if value is None:
            inp.fail(field, "each entry must be text of at most 100 characters")
            return None
        values.append(value)
    return values


def record_breach(officer: User, data: Any, *, now: datetime | None = None) -> Breach:
    policy.require(officer, Action.BREACHES)
    now = _now(now)
    inp = Input(data)
    detected_at = _read_moment(inp, "detected_at", required=True, now=now)
    nature = inp.text("nature", min_length=10, max_length=8000, multiline=True)
    data_affected = _read_list(inp, "data_affected", required=True)
    users_affected = inp.integer("users_affected", minimum=0, maximum=10**9)
    measures = inp.text("measures", required=False, max_length=8000, multiline=True)
    consequences = inp.text("consequences", required=False, max_length=8000, multiline=True)
    safety = inp.text("user_safety_steps", required=False, max_length=8000, multiline=True)
    inp.raise_if_invalid()
    assert detected_at is not None
    breach = Breach(
        reference=_new_reference("BR", now),
        detected_at=detected_at,
        nature=nature,
        data_affected=data_affected or [],
        users_affected=users_affected or 0,
        measures=measures or "",
        consequences=consequences or "",
        user_safety_steps=safety or "",
        board_report_due=clock("breach_report").due(detected_at),
        recorded_by_id=officer.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(breach)
    db.session.flush()
    audit.record(
        "breach.recorded",
        actor_id=officer.id,
        subject=breach,
        reference=breach.reference,
        users_affected=breach.users_affected,
    )
    return breach


_BREACH_NOTICES = ("board_intimated_at", "board_report_at")


def update_breach(
    officer: User, breach_id: int, data: Any, *, now: datetime | None = None
) -> Breach:
    """Record the notices to the Board, change the description, notify the affected users
    (`notify_emails`: the addresses to tell), or close the breach."""
    policy.require(officer, Action.BREACHES)
    now = _now(now)
    breach = db.session.get(Breach, breach_id)
    if breach is None:
        raise NotFound("No such breach.")
    inp = Input(data)
    changes: dict[str, Any] = {}
    for field in _BREACH_NOTICES:
        if field in inp.data:
            moment = _read_moment(inp, field, required=True, now=now)
            if moment is not None and moment < breach.detected_at:
                inp.fail(field, "must not be before the breach was detected")
            changes[field] = moment
    for field in ("nature", "measures", "consequences", "user_safety_steps"):
        if field in inp.data:
            changes[field] = (
                inp.text(
                    field,
                    required=field == "nature",
                    min_length=10 if field == "nature" else 1,  # as when recorded
                    max_length=8000,
                    multiline=True,
                )
                or ""
            )
    if "data_affected" in inp.data:
        changes["data_affected"] = _read_list(inp, "data_affected", required=True)
    if "users_affected" in inp.data:
        changes["users_affected"] = inp.integer("users_affected", minimum=0, maximum=10**9)
    status = _choice(inp, "status", BreachStatus, required=False)
    emails: list[str] = []
    if "notify_emails" in inp.data:
        raw = inp.data.get("notify_emails")
        if isinstance(raw, str):
            raw = [part.strip() for part in raw.replace(",", "\n").splitlines() if part.strip()]
        if not isinstance(raw, list) or not raw or len(raw) > 10_000:
            inp.fail("notify_emails", "must be a list of email addresses")
        else:
            for entry in raw:
                try:
                    if not isinstance(entry, str):
                        raise Invalid("")
                    emails.append(identity.check_email(entry.strip()))
                except Invalid:
                    inp.fail("notify_emails", f"not an email address: {str(entry)[:60]}")
                    break
    if status == BreachStatus.CLOSED and not (
        changes.get("board_report_at") or breach.board_report_at
    ):
        inp.fail("status", "record the detailed report to the Board before closing")
    if not inp.errors and not changes and status is None and not emails:
        inp.fail("status", "send something to change")
    inp.raise_if_invalid()

    for field, value in changes.items():
        setattr(breach, field, value)
    if emails:
        for address in sorted(set(emails)):
            send_email(
                address,
                "Important: a personal data breach may affect you",
                "breach_notice",
                breach=breach,
                officer_name=current_app.config["GRIEVANCE_OFFICER_NAME"],
                officer_email=current_app.config["GRIEVANCE_OFFICER_EMAIL"],
            )
        breach.users_notified += len(set(emails))
        breach.users_notified_at = now
    if status is not None and status != breach.status:
        breach.status = status
        breach.closed_at = now if status == BreachStatus.CLOSED else None
    breach.updated_at = now
    audit.record(
        "breach.updated",
        actor_id=officer.id,
        subject=breach,
        reference=breach.reference,
        changed=sorted([*changes, *(["status"] if status else [])]),
        users_notified=len(set(emails)),
    )
    db.session.flush()
    return breach


def list_breaches(officer: User, *, page: int = 1, per_page: int = 20) -> tuple[list[Breach], int]:
    policy.require(officer, Action.BREACHES)
    total = db.session.scalar(select(func.count(Breach.id))) or 0
    rows = db.session.scalars(
        select(Breach)
        .order_by(Breach.detected_at.desc(), Breach.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return list(rows), total


def breach_for(officer: User, breach_id: int) -> Breach:
    policy.require(officer, Action.BREACHES)
    breach = db.session.get(Breach, breach_id)
    if breach is None:
        raise NotFound("No such breach.")
    return breach


def closed_breaches() -> list[Breach]:
    """What the public page lists: breaches that are closed."""
    return list(
        db.session.scalars(
            select(Breach)
            .where(Breach.status == BreachStatus.CLOSED)
            .order_by(Breach.detected_at.desc())
        )
    )
