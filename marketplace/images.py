"""Uploaded photos, for every domain that takes them (products, a business's storefront,
grievance attachments): one check and one way to store them.

A photo must be a real JPEG, PNG or WebP of at most 5 MB and 24 megapixels (read from the
header before any pixel is decoded; a JPEG is decoded at reduced scale). It is stored at most
1600 px on its longer side, re-encoded as WebP, which drops its metadata: a phone photo's EXIF
can carry the GPS position of the shop. Problems are reported on the field `image`.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import struct
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps

from marketplace.db import after_commit
from marketplace.errors import ValidationFailed

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 5 * 1024 * 1024
# A 24-megapixel camera photo is the largest anyone needs to upload (it is stored at most
# 1600 px wide); a PNG or WebP is decoded whole at 4 bytes a pixel, so this also bounds one
# upload's memory.
MAX_IMAGE_PIXELS = 24_000_000
IMAGE_SIZE = (1600, 1600)
_IMAGE_FORMATS = ("JPEG", "PNG", "WEBP")
# What Pillow raises on damaged or hostile data while decoding (a PNG text chunk that inflates
# past its limit is a ValueError): the upload's fault, so a 422 and never a 500.
_UNREADABLE = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error)


@dataclass(frozen=True)
class StoredImage:
    name: str  # the file's name in its folder (a random hex name, .webp)
    size_bytes: int
    width: int
    height: int


def folder(kind: str) -> Path:
    """Where one kind of upload lives: `products`, `business`, `grievances`."""
    path = Path(current_app.config["UPLOAD_PATH"]) / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def read_upload(stream: IO[bytes] | None) -> Image.Image:
    """The photo in an uploaded file, checked and decoded; ValidationFailed on `image`."""
    if stream is None:
        raise ValidationFailed({"image": [_("choose a JPEG, PNG or WebP file")]})
    data = stream.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationFailed({"image": [_("must be at most 5 MB")]})
    return decode(data)


def decode(data: bytes) -> Image.Image:
    """Decode a photo at no more than the size it is stored at: its header is checked before
    any pixel is decoded, and a JPEG is decoded at 1/2 to 1/8 scale when that still covers it."""
    refused = ValidationFailed({"image": [_("must be a JPEG, PNG or WebP image")]})
    too_large = ValidationFailed(
        {
            "image": [
                _("is too large: at most %(count)s megapixels", count=MAX_IMAGE_PIXELS // 1_000_000)
            ]
        }
    )
    try:
        with Image.open(BytesIO(data), formats=_IMAGE_FORMATS) as probe:
            if probe.format not in _IMAGE_FORMATS:
                raise refused
            if probe.width * probe.height > MAX_IMAGE_PIXELS:
                raise too_large
            probe.verify()
        picture = Image.open(BytesIO(data), formats=_IMAGE_FORMATS)
        mode = "RGBA" if picture.mode in ("RGBA", "LA", "P") else "RGB"
        scale = max(picture.width / IMAGE_SIZE[0], picture.height / IMAGE_SIZE[1])
        if scale > 1:  # JPEG only; other formats ignore a draft
            picture.draft(None, (int(picture.width / scale), int(picture.height / scale)))
        if picture.mode in ("1", "P"):  # a palette is resized pixel by pixel: colours first
            picture = picture.convert(mode)
        picture.thumbnail(IMAGE_SIZE)  # reduces by whole steps before resampling the rest
        picture = ImageOps.exif_transpose(picture)
        return picture.convert(mode)
    except Image.DecompressionBombError:
        raise too_large from None
    except ValueError as error:
        # Pillow's words (they vary by version) for a PNG text chunk or chunks inflating too far
        if re.search("decompressed data too large|text chunk", str(error), re.IGNORECASE):
            raise ValidationFailed(
                {"image": [_("carries too much embedded text (metadata) to be read safely")]}
            ) from None
        raise refused from None
    except _UNREADABLE:
        raise refused from None


class StorageFull(ValidationFailed):
    """The photo was fine but the upload disk has no room: the operator's problem, not the
    user's, and said so (507); a form shows it on its `image` field like any refusal."""

    status = 507
    title = "Insufficient storage"


_NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT})


def save(picture: Image.Image, kind: str) -> StoredImage:
    """Write a decoded photo as WebP (no metadata) under a new random name in `kind`'s folder.
    The file appears whole or not at all: it is written under a temporary name and renamed,
    and a write the disk cannot hold leaves nothing behind (StorageFull)."""
    name = f"{uuid.uuid4().hex}.webp"
    buffer = BytesIO()
    picture.save(buffer, "WEBP", quality=82, method=4)
    partial: Path | None = None
    try:
        target = folder(kind) / name
        partial = target.with_name(f".{name}.partial")
        with open(partial, "wb") as file:
            file.write(buffer.getvalue())
            file.flush()
            os.fsync(file.fileno())  # a full disk may only say so here
        partial.replace(target)
    except OSError as error:
        if partial is not None:
            partial.unlink(missing_ok=True)
        if error.errno not in _NO_ROOM:
            raise
        log.error("no room for an upload in %s: %s", kind, error)
        message = _("the server has no room to store photos just now; please try again later")
        detail = _("Photo not stored: %(problem)s", problem=message)
        raise StorageFull({"image": [message]}, detail) from None
    return StoredImage(name, buffer.tell(), picture.width, picture.height)


def delete_after_commit(paths: Iterable[Path]) -> None:
    """Delete these files once the rows that named them are gone for good (the commit); a
    rolled-back request keeps them."""
    doomed = list(paths)

    def _unlink() -> None:
        for path in doomed:
            path.unlink(missing_ok=True)

    after_commit(_unlink)
