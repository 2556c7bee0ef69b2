"""The grievance desk's part of an erasure (kept here until the desk registers its own): an
open grievance is a legal hold; a settled one keeps its facts for the officer's reports but
loses the complainant's name, email and every copy of their contact in its text; photos go.
Anyone's complaint that names the person (a supplier quoting a buyer's number, a buyer naming a
supplier's firm) loses those words too, however they were written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, delete, or_, select

from marketplace.catalog.models import Product
from marketplace.db import after_commit
from marketplace.extensions import db
from marketplace.grievances.models import (
    OPEN_STATUSES,
    Grievance,
    GrievanceAttachment,
    GrievanceEvent,
    GuestGrievance,
    RelatedKind,
)
from marketplace.leads.models import Lead
from marketplace.privacy.erasure import Eraser, Subject, redact_columns, register


def _theirs(subject: Subject):  # type: ignore[no-untyped-def]
    return or_(
        Grievance.complainant_id == subject.user.id,
        Grievance.complainant_email == subject.email,
    )


def _holds(subject: Subject) -> list[str]:
    return [
        f"grievance {row.reference} is still open ({row.status.value})"
        for row in db.session.scalars(
            select(Grievance).where(_theirs(subject), Grievance.status.in_(OPEN_STATUSES))
        )
    ]


def _about_them(subject: Subject) -> ColumnElement[bool]:
    """Grievances about the person: filed by them, or about their leads or their listings."""
    leads = select(Lead.id).where(
        or_(Lead.buyer_id == subject.user.id, Lead.supplier_id == subject.supplier_id)
        if subject.supplier_id
        else Lead.buyer_id == subject.user.id
    )
    about = [
        _theirs(subject),
        (Grievance.related_kind == RelatedKind.LEAD) & Grievance.related_id.in_(leads),
    ]
    if subject.supplier_id:
        products = select(Product.id).where(Product.supplier_id == subject.supplier_id)
        about.append(
            (Grievance.related_kind == RelatedKind.PRODUCT) & Grievance.related_id.in_(products)
        )
    return or_(*about)


def _redact_texts(subject: Subject) -> list[Any]:
    """Every complaint's words, anyone's (a supplier's complaint can quote the buyer's number):
    the person's identifiers replaced, and in complaints about them their name's parts too."""
    about = _about_them(subject)
    theirs = select(Grievance.id).where(about).scalar_subquery()
    return (
        redact_columns(
            subject, [Grievance.subject, Grievance.description, Grievance.response], about
        )
        + redact_columns(subject, [GrievanceEvent.text], GrievanceEvent.grievance_id.in_(theirs))
        + redact_columns(
            subject,
            [GrievanceAttachment.original_name],
            GrievanceAttachment.grievance_id.in_(theirs),
        )
        + redact_columns(subject, [GuestGrievance.name, GuestGrievance.payload])
    )


def _erase(subject: Subject) -> list[str]:
    redacted = len(_redact_texts(subject))
    rows = db.session.scalars(select(Grievance).where(_theirs(subject))).all()
    files = []
    for row in rows:
        row.complainant_id = None
        row.complainant_name = "Deleted account"
        row.complainant_email = f"erased-{subject.user.id}@erased.invalid"
        for attachment in db.session.scalars(
            select(GrievanceAttachment).where(GrievanceAttachment.grievance_id == row.id)
        ):
            files.append(
                Path(current_app.config["UPLOAD_PATH"]) / "grievances" / attachment.filename
            )
            db.session.delete(attachment)
    db.session.execute(delete(GuestGrievance).where(GuestGrievance.email == subject.email))

    def _unlink() -> None:
        for path in files:
            path.unlink(missing_ok=True)

    after_commit(_unlink)
    return [
        f"{len(rows)} grievances kept without the complainant's contact; photos deleted",
        f"{redacted} complaint texts naming the person redacted",
    ]


# Before the leads eraser (20), which unlinks the buyer from the leads complaints are about.
register(Eraser("grievances", holds=_holds, erase=_erase, order=15))
