"""Fault: the upload disk is full.

The uploads live on a filesystem of their own, a 1 MB tmpfs mounted for the test (as root),
filled by product photos until one no longer fits. That upload, and a business photo after it,
answer 507 problem+json naming the problem on the `image` field; the product page's form says
it; no row names a file that is missing, and no file is left that no row names (no partial
write).
"""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select

from marketplace.accounts.models import BusinessPhoto
from marketplace.catalog.models import ProductImage
from marketplace.extensions import db
from tests.conftest import Api, sign_in_page
from tests.private_services import missing
from tests.test_catalog import PIPE

NO_ROOM = "no room to store photos"


@pytest.fixture()
def small_disk(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    if os.geteuid() != 0:
        missing("root (to mount a small filesystem of the test's own)")
    mount = tmp_path / "uploads"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], check=True)
    monkeypatch.setitem(app.config, "UPLOAD_PATH", str(mount))
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def _noise(side: int = 700) -> bytes:
    """A photo WebP cannot shrink much: random pixels (about 0.4 MB once stored)."""
    picture = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def _post_image(api: Api, path: str):  # type: ignore[no-untyped-def]
    return api.client.post(
        f"/api/v1{path}",
        data={"image": (io.BytesIO(_noise()), "photo.png")},
        headers={"Authorization": f"Bearer {api.token}"},
        content_type="multipart/form-data",
    )


def _assert_no_room(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 507, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert NO_ROOM in response.get_json()["errors"]["image"][0]


def test_a_full_upload_disk_refuses_photos_cleanly(
    small_disk: Path, app: Flask, supplier_api: Api, supplier, categories, client
):
    product_id = supplier_api.post("/products", PIPE).get_json()["id"]
    answers = [_post_image(supplier_api, f"/products/{product_id}/images") for _ in range(5)]
    statuses = [answer.status_code for answer in answers]
    assert statuses[0] == 201 and 507 in statuses, statuses  # some fitted, then the disk filled
    _assert_no_room(answers[statuses.index(507)])
    _assert_no_room(_post_image(supplier_api, "/me/photos"))

    csrf = sign_in_page(client, supplier)
    page = client.post(
        f"/dashboard/products/{product_id}/images",
        data={"csrf_token": csrf, "image": (io.BytesIO(_noise()), "photo.png")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert page.status_code == 200 and NO_ROOM in page.get_data(as_text=True)

    with app.app_context():
        named = {
            "products": set(db.session.scalars(select(ProductImage.stored_name))),
            "business": set(db.session.scalars(select(BusinessPhoto.stored_name))),
        }
    assert len(named["products"]) == statuses.count(201)
    for kind, names in named.items():
        folder = small_disk / kind
        on_disk = {path.name for path in folder.iterdir()} if folder.exists() else set()
        assert on_disk == names, kind  # every row's file whole, and nothing half-written
