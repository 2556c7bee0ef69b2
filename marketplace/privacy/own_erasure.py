"""The privacy domain's own part of an erasure: an officer's legal hold stops it; the person's
other requests lose their free text and export files, and anyone's export naming them is
withdrawn; the consent ledger stays, as the proof of what was consented to: each choice, when,
and the address and browser it came from."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from marketplace.db import after_commit
from marketplace.extensions import db
from marketplace.privacy.erasure import Eraser, Subject, redact_columns, register
from marketplace.privacy.models import LegalHold, PrivacyRequest, PrivacyRequestEvent


def _holds(subject: Subject) -> list[str]:
    return [
        f"legal hold: {hold.reason}"
        for hold in db.session.scalars(
            select(LegalHold).where(
                LegalHold.subject_id == subject.user.id, LegalHold.released_at.is_(None)
            )
        )
    ]


def _redact_texts(subject: Subject) -> list[Any]:
    """What anyone wrote on a privacy request or a hold (an officer's reasons, another person's
    objection) that names the person, however it was written."""
    theirs = select(PrivacyRequest.id).where(PrivacyRequest.user_id == subject.user.id)
    return (
        redact_columns(
            subject,
            [PrivacyRequest.details, PrivacyRequest.decision_reason, PrivacyRequest.hold_reason],
            PrivacyRequest.user_id == subject.user.id,
        )
        + redact_columns(
            subject, [PrivacyRequestEvent.note], PrivacyRequestEvent.request_id.in_(theirs)
        )
        + redact_columns(subject, [LegalHold.reason], LegalHold.subject_id == subject.user.id)
    )


def _names_them(subject: Subject, path: Path) -> bool:
    """Whether an export file (a ZIP of JSON and CSV) mentions the person anywhere."""
    try:
        with zipfile.ZipFile(path) as archive:
            return any(
                subject.known.mentioned_in(archive.read(member).decode("utf-8", "replace"))
                for member in archive.namelist()
            )
    except (OSError, zipfile.BadZipFile):
        return False


def _withdraw_exports(subject: Subject) -> tuple[list[PrivacyRequest], list[Path]]:
    """The person's own requests lose their free text and exports; another person's export
    that names them (an enquiry to the erased supplier) is withdrawn: its owner may ask again,
    and the new one is built from the redacted rows."""
    folder = Path(current_app.config["PRIVACY_EXPORT_PATH"])
    files = []
    own = []
    for row in db.session.scalars(
        select(PrivacyRequest).where(
            (PrivacyRequest.user_id == subject.user.id) | PrivacyRequest.export_name.is_not(None)
        )
    ):
        mine = row.user_id == subject.user.id
        if mine:
            own.append(row)
            if row.details:
                row.details = dict.fromkeys(row.details, "[erased]")
        if row.export_name and (mine or _names_them(subject, folder / row.export_name)):
            files.append(folder / row.export_name)
            row.export_name = None
            row.export_expires_at = None
    return own, files


def _erase(subject: Subject) -> list[str]:
    redacted = len(_redact_texts(subject))
    requests, files = _withdraw_exports(subject)

    def _unlink() -> None:
        for path in files:
            path.unlink(missing_ok=True)

    after_commit(_unlink)
    return [
        f"{len(requests)} privacy requests kept without their free text; "
        f"{len(files)} exports naming the person deleted",
        f"{redacted} privacy requests, notes and holds naming the person redacted",
        "consent choices kept, with the address and browser of each, as proof of consent",
    ]


register(Eraser("privacy", holds=_holds, erase=_erase, order=80))
