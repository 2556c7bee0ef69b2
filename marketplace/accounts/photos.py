"""The rules of a business's photos (its factory, shop, team at work), which its storefront
shows beside the business profile: the only code that adds or removes them.

Photos are checked and stored as every uploaded photo is (marketplace.images: a real JPEG, PNG
or WebP, re-encoded as WebP without its metadata); a business has at most MAX_PHOTOS. Each
function checks everything before it changes anything; the caller commits once.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel
from sqlalchemy import select

from marketplace import audit, images
from marketplace.accounts import policy
from marketplace.accounts.business import Right
from marketplace.accounts.models import BusinessPhoto, SupplierProfile, User
from marketplace.db import get_owned
from marketplace.errors import FieldErrors, ValidationFailed
from marketplace.extensions import db
from marketplace.fields import Text
from marketplace.validation import validated

MAX_PHOTOS = 8
MAX_CAPTION = 120


class PhotoIn(BaseModel):
    """What goes with a photo of the business, beside the image itself."""

    caption: Text(max_length=MAX_CAPTION, required=False) = None


FOLDER = "business"


def photo_folder() -> Path:
    return images.folder(FOLDER)


def business_of(user: User) -> SupplierProfile:
    """The caller's business, or a 403: only suppliers have a business profile."""
    return policy.business_of(user, _l("change the business's photos"), Right.CATALOGUE)


def business_photos(supplier: SupplierProfile) -> list[BusinessPhoto]:
    """A business's photos in the order they were added (its storefront, its owner's page)."""
    return list(supplier.photos)


def add_photo(user: User, stream: IO[bytes] | None, data: Any = None) -> BusinessPhoto:
    """Add a photo, with an optional caption ("Our factory at Ludhiana"). The caption, the
    number of photos and the image are all checked before the file is written."""
    supplier = business_of(user)
    # Two uploads at once must not make a ninth photo: they queue on the business's row, and
    # the second counts the first one's photo. FOR NO KEY UPDATE: rows that refer to the
    # business (its leads, products) are still written meanwhile.
    db.session.execute(
        select(SupplierProfile.id)
        .where(SupplierProfile.id == supplier.id)
        .with_for_update(key_share=True)
    )
    db.session.expire(supplier, ["photos"])
    problems = FieldErrors()  # the caption's and the image's, named together
    caption = None
    try:
        caption = validated(PhotoIn, data if data is not None else {}).caption
    except ValidationFailed as refused:
        problems.errors.update(refused.errors)
    picture = None
    if len(supplier.photos) >= MAX_PHOTOS:
        problems.add(
            "image",
            _("a business has at most %(count)s photos: remove one first", count=MAX_PHOTOS),
        )
    else:
        try:
            picture = images.read_upload(stream)
        except ValidationFailed as refused:
            for message in refused.errors.get("image", []):
                problems.add("image", message)
    problems.raise_if_any()
    assert picture is not None
    stored = images.save(picture, FOLDER)
    photo = BusinessPhoto(
        stored_name=stored.name,
        caption=caption,
        width=stored.width,
        height=stored.height,
        position=max((p.position for p in supplier.photos), default=-1) + 1,  # the last
    )
    supplier.photos.append(photo)
    db.session.flush()
    # Changes to the business profile are audited (account.updated); its photos are part of it.
    audit.record("account.photo_added", actor_id=user.id, subject=photo)
    return photo


def delete_photo(user: User, photo_id: int) -> None:
    """Remove one of one's own photos (another business's is not found); its file goes once
    the row has gone, at the commit."""
    supplier = business_of(user)
    photo = get_owned(BusinessPhoto, photo_id, BusinessPhoto.supplier_id == supplier.id)
    audit.record("account.photo_removed", actor_id=user.id, subject=photo)
    supplier.photos.remove(photo)
    images.delete_after_commit([photo_folder() / photo.stored_name])


def delete_all(supplier: SupplierProfile) -> int:
    """Remove every photo of a business (its erasure); the files go at the commit. Returns how
    many there were."""
    gone = list(supplier.photos)
    supplier.photos.clear()
    images.delete_after_commit(photo_folder() / photo.stored_name for photo in gone)
    return len(gone)
