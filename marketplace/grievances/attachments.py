"""Pictures a signed-in complainant attaches to a complaint: checked like every upload, stored
beside the other images, and shown only to the complainant and the officers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from flask_babel import gettext as _

from marketplace import images
from marketplace.accounts.models import User
from marketplace.errors import FieldErrors, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.grievances import policy
from marketplace.grievances.models import Grievance, GrievanceAttachment

MAX_ATTACHMENTS = 4


def attachment_folder() -> Path:
    return images.folder("grievances")


def read_attachments(files: Sequence[tuple[str, IO[bytes]]]) -> list[Any]:
    """Check each file as every uploaded photo is checked (marketplace.images: a real JPEG, PNG
    or WebP, bounded in bytes and pixels), before anything is stored; every refusal at once."""
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationFailed(
            {"attachments": [_("at most %(count)s files", count=MAX_ATTACHMENTS)]}
        )
    pictures = []
    errors = FieldErrors()
    for original, stream in files:
        try:
            pictures.append((original[:200] or "attachment", images.read_upload(stream)))
        except ValidationFailed as refused:
            for message in refused.errors.get("image", []):
                errors.add(
                    "attachments", _("%(file)s: %(problem)s", file=original[:60], problem=message)
                )
    errors.raise_if_any()
    return pictures


def store_attachments(grievance: Grievance, pictures: list[Any]) -> None:
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
        raise NotFound(_("No such attachment."))
    grievance = attachment.grievance
    if not policy.is_officer(user) and grievance.complainant_id != user.id:
        raise NotFound(_("No such attachment."))
    return attachment
