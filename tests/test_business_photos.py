"""A business's photos on its storefront: added and removed through the API and the profile
page, checked and stored as product photos are (a real image, re-encoded as WebP without its
metadata), at most 8, the owner's alone, shown on the storefront, exported, and erased with the
account, rows and files."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from marketplace.accounts import photos
from marketplace.accounts.models import BusinessPhoto, User
from marketplace.audit import AuditEvent
from marketplace.db import utcnow
from marketplace.errors import ValidationFailed
from marketplace.extensions import db
from tests import factories
from tests.conftest import Api, csrf_token, sign_in_page
from tests.test_catalog import _image


def _upload(api, data: bytes, name: str = "factory.png", caption: str | None = None):
    """POST /me/photos as multipart, checked against the OpenAPI document like every call."""
    form: dict[str, object] = {"image": (io.BytesIO(data), name)}
    if caption is not None:
        form["caption"] = caption
    return api.post("/me/photos", data=form, content_type="multipart/form-data")


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(BusinessPhoto)) or 0


def _files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_PATH"], "business")
    return sorted(folder.glob("*")) if folder.exists() else []


# --- the API ---------------------------------------------------------------------------------


def test_a_supplier_adds_lists_and_removes_photos(app, ctx, supplier_api):
    added = _upload(supplier_api, _image(), caption="Our factory at Ludhiana")
    assert added.status_code == 201, added.get_json()
    body = added.get_json()
    assert set(body) == {"id", "url", "caption"}
    assert body["caption"] == "Our factory at Ludhiana"
    assert body["url"].startswith("/media/business/") and body["url"].endswith(".webp")
    second = _upload(supplier_api, _image("JPEG"), "shop.jpg").get_json()
    assert second["caption"] is None

    listed = supplier_api.get("/me").get_json()["supplier"]["photos"]
    assert listed == [body, second]  # in the order they were added
    served = supplier_api.client.get(body["url"])
    assert served.status_code == 200 and served.mimetype == "image/webp"
    assert len(_files(app)) == 2

    removed = supplier_api.delete(f"/me/photos/{body['id']}")
    assert removed.status_code == 204
    assert supplier_api.get("/me").get_json()["supplier"]["photos"] == [second]
    assert len(_files(app)) == 1  # the file went with the row
    assert supplier_api.client.get(body["url"]).status_code == 404
    again = supplier_api.delete(f"/me/photos/{body['id']}")  # once only
    assert again.status_code == 404
    assert again.get_json()["detail"] == "No such business photo."

    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("account.photo%"))
    ).all()
    assert sorted(actions) == [
        "account.photo_added",
        "account.photo_added",
        "account.photo_removed",
    ]


def test_photos_are_reencoded_as_webp_without_exif(supplier_api):
    original = _image("JPEG", (2400, 1800), exif=True)
    assert Image.open(io.BytesIO(original)).getexif()  # the upload carries a GPS position
    added = _upload(supplier_api, original, "gps.jpg")
    assert added.status_code == 201, added.get_json()
    served = supplier_api.client.get(added.get_json()["url"])
    stored = Image.open(io.BytesIO(served.data))
    assert stored.format == "WEBP" and not stored.getexif()
    assert stored.size == (1600, 1200)  # at most 1600 px, as product photos


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"GIF89a" + b"\x00" * 100, "x.gif", "JPEG, PNG or WebP"),
        (b"<?php echo 1; ?>", "x.png", "JPEG, PNG or WebP"),
        (b"", "empty.png", "JPEG, PNG or WebP"),
    ],
)
def test_a_non_image_is_a_422_naming_image_and_keeps_the_photos(
    app, ctx, supplier_api, data, name, message
):
    kept = _upload(supplier_api, _image()).get_json()
    refused = _upload(supplier_api, data, name, caption="Our office")
    assert refused.status_code == 422
    assert message in refused.get_json()["errors"]["image"][0]
    assert supplier_api.get("/me").get_json()["supplier"]["photos"] == [kept]
    assert _count() == 1 and len(_files(app)) == 1


def test_a_photo_over_5_mb_is_a_422_naming_image(app, ctx, supplier_api, monkeypatch):
    from marketplace import images

    kept = _upload(supplier_api, _image()).get_json()
    monkeypatch.setattr(images, "MAX_IMAGE_BYTES", 1000)  # a 5 MB file, in miniature
    too_big = _upload(supplier_api, _image(size=(800, 800)))
    assert too_big.status_code == 422
    assert "5 MB" in too_big.get_json()["errors"]["image"][0]
    assert supplier_api.get("/me").get_json()["supplier"]["photos"] == [kept]
    assert _count() == 1 and len(_files(app)) == 1


def test_a_missing_file_or_a_long_caption_is_refused_by_name(ctx, supplier_api):
    missing = supplier_api.post("/me/photos", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "image" in missing.get_json()["errors"]
    long = _upload(supplier_api, _image(), caption="x" * 121)
    assert long.status_code == 422 and set(long.get_json()["errors"]) == {"caption"}
    assert _count() == 0


def test_the_ninth_photo_is_refused(app, ctx, supplier_api):
    for number in range(photos.MAX_PHOTOS):
        assert _upload(supplier_api, _image(size=(64, 48)), caption=f"{number}").status_code == 201
    ninth = _upload(supplier_api, _image(size=(64, 48)))
    assert ninth.status_code == 422
    assert "at most 8 photos" in ninth.get_json()["errors"]["image"][0]
    assert _count() == 8 and len(_files(app)) == 8
    listed = supplier_api.get("/me").get_json()["supplier"]["photos"]
    assert [photo["caption"] for photo in listed] == [str(n) for n in range(8)]
    # Two removed, the next is added, and comes last (after the highest position, not at the
    # count, which would sort it before the older ones).
    for photo in listed[:2]:
        assert supplier_api.delete(f"/me/photos/{photo['id']}").status_code == 204
    assert _upload(supplier_api, _image(size=(64, 48)), caption="new").status_code == 201
    listed = supplier_api.get("/me").get_json()["supplier"]["photos"]
    assert [photo["caption"] for photo in listed] == [*map(str, range(2, 8)), "new"]


def test_another_suppliers_photo_is_not_found(api, ctx, supplier_api):
    mine = _upload(supplier_api, _image()).get_json()
    rival = api.sign_in(factories.supplier().email)
    assert rival.delete(f"/me/photos/{mine['id']}").status_code == 404
    assert rival.get("/me").get_json()["supplier"]["photos"] == []
    assert supplier_api.get("/me").get_json()["supplier"]["photos"] == [mine]


def test_a_buyer_has_no_business_photos(ctx, buyer_api, supplier_api):
    refused = _upload(buyer_api, _image())
    assert refused.status_code == 403
    mine = _upload(supplier_api, _image()).get_json()
    assert buyer_api.delete(f"/me/photos/{mine['id']}").status_code == 403
    assert buyer_api.get("/me").get_json()["supplier"] is None
    assert _count() == 1


def test_an_integration_key_needs_catalog_write(ctx, supplier_api):
    def key(scopes: list[str]):  # type: ignore[no-untyped-def]
        made = supplier_api.post("/api-keys", {"name": "CRM", "scopes": scopes})
        return Api(supplier_api.client, made.get_json()["key"])

    reader = key(["leads:read"])
    refused = _upload(reader, _image())
    assert refused.status_code == 403 and "catalog:write" in refused.get_json()["detail"]
    writer = key(["catalog:write"])
    added = _upload(writer, _image())
    assert added.status_code == 201
    assert reader.delete(f"/me/photos/{added.get_json()['id']}").status_code == 403
    assert writer.delete(f"/me/photos/{added.get_json()['id']}").status_code == 204


# --- the pages -------------------------------------------------------------------------------


def test_the_profile_page_uploads_and_removes_a_photo(app, ctx, supplier):
    client = app.test_client()
    sign_in_page(client, supplier)
    page = client.get("/account/").get_data(as_text=True)
    assert 'id="photos"' in page and "No photos yet" in page
    assert 'enctype="multipart/form-data"' in page
    buffer = io.BytesIO(_image(size=(300, 200)))
    added = client.post(
        "/account/photos",
        data={
            "csrf_token": csrf_token(page),
            "image": (buffer, "shop.png"),
            "caption": "Our shop in Chandni Chowk",
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    text = added.get_data(as_text=True)
    assert added.status_code == 200 and "Photo added." in text
    assert 'alt="Our shop in Chandni Chowk"' in text and "/media/business/" in text

    # Refusals are messages on the page, never a 500, and change nothing.
    for data, message in (
        ({"image": (io.BytesIO(b"not an image"), "x.png")}, "must be a JPEG, PNG or WebP image"),
        ({}, "choose a JPEG, PNG or WebP file"),
        (
            {"image": (io.BytesIO(_image()), "x.png"), "caption": "x" * 121},
            "the caption must be at most 120 characters",
        ),
    ):
        bad = client.post(
            "/account/photos",
            data={"csrf_token": csrf_token(text), **data},
            content_type="multipart/form-data",
            follow_redirects=True,
        )
        assert bad.status_code == 200
        assert f"Photo not added: {message}." in bad.get_data(as_text=True)
    assert _count() == 1

    # Without the CSRF token nothing happens.
    forged = client.post(
        "/account/photos",
        data={"image": (io.BytesIO(_image()), "x.png")},
        content_type="multipart/form-data",
    )
    assert forged.status_code == 400 and _count() == 1
    action = re.search(r'action="(/account/photos/\d+/delete)"', text).group(1)
    assert client.post(action).status_code == 400 and _count() == 1

    removed = client.post(action, data={"csrf_token": csrf_token(text)}, follow_redirects=True)
    assert "Photo removed." in removed.get_data(as_text=True)
    assert _count() == 0 and _files(app) == []


def test_the_profile_page_removes_only_ones_own_photos(app, ctx, supplier_api):
    mine = _upload(supplier_api, _image()).get_json()
    rival = factories.supplier()
    client = app.test_client()
    token = sign_in_page(client, rival)
    response = client.post(f"/account/photos/{mine['id']}/delete", data={"csrf_token": token})
    assert response.status_code == 404 and _count() == 1


def test_a_buyer_cannot_upload_through_the_page(app, ctx, buyer):
    client = app.test_client()
    token = sign_in_page(client, buyer)
    page = client.get("/account/").get_data(as_text=True)
    assert 'id="photos"' not in page
    response = client.post(
        "/account/photos",
        data={"csrf_token": token, "image": (io.BytesIO(_image()), "x.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403 and _count() == 0


def test_the_storefront_shows_the_gallery_only_with_photos(client, ctx, supplier, supplier_api):
    supplier_id = supplier_api.get("/me").get_json()["supplier"]["id"]
    company = db.session.get(User, supplier.id).supplier.company_name
    empty = client.get(f"/suppliers/{supplier_id}", follow_redirects=True).get_data(as_text=True)
    assert 'data-testid="business-photos"' not in empty
    captioned = _upload(supplier_api, _image(), caption="Our factory at Ludhiana").get_json()
    plain = _upload(supplier_api, _image()).get_json()
    page = client.get(f"/suppliers/{supplier_id}", follow_redirects=True).get_data(as_text=True)
    assert 'data-testid="business-photos"' in page
    for photo, alt in ((captioned, "Our factory at Ludhiana"), (plain, f"Photo of {company}")):
        tag = re.search(rf'<img src="{re.escape(photo["url"])}"[^>]*>', page).group(0)
        assert f'alt="{alt}"' in tag and 'loading="lazy"' in tag
    assert "<figcaption>Our factory at Ludhiana</figcaption>" in page


# --- privacy ---------------------------------------------------------------------------------


def _export(client: Api, person: factories.Registered) -> dict:  # type: ignore[type-arg]
    made = client.post("/privacy/requests", {"type": "access", "password": person.password})
    url = client.get(f"/privacy/requests/{made.get_json()['id']}").get_json()["download_url"]
    data = client.get(url.removeprefix("/api/v1")).data
    return json.loads(zipfile.ZipFile(io.BytesIO(data)).read("export.json"))


def test_the_access_export_lists_the_photos(ctx, supplier, supplier_api):
    added = _upload(supplier_api, _image(), caption="Our factory at Ludhiana").get_json()
    sections = _export(supplier_api, supplier)
    assert sections["business_photos"] == [
        {
            "id": added["id"],
            "caption": "Our factory at Ludhiana",
            "file": added["url"].rsplit("/", 1)[1],
            "uploaded_at": sections["business_photos"][0]["uploaded_at"],
        }
    ]
    uploaded = datetime.fromisoformat(sections["business_photos"][0]["uploaded_at"])
    assert abs(utcnow() - uploaded) < timedelta(minutes=5)  # a real time, in UTC


def test_erasing_a_supplier_deletes_its_photos_rows_and_files(
    app, ctx, api, supplier, supplier_api
):
    mine = _upload(supplier_api, _image(), caption="The team at Ludhiana").get_json()
    also_mine = _upload(supplier_api, _image()).get_json()
    other_api = api.sign_in(factories.supplier().email)
    theirs = _upload(other_api, _image()).get_json()
    assert _count() == 3 and len(_files(app)) == 3
    made = supplier_api.post(
        "/privacy/requests", {"type": "deletion", "password": supplier.password}
    )
    assert made.status_code == 202
    officer_api = api.sign_in(factories.staff().email)
    request_id = made.get_json()["id"]
    decided = officer_api.post(f"/privacy/requests/{request_id}/decision", {"decision": "approve"})
    assert decided.status_code == 200, decided.get_json()
    done = officer_api.get(f"/privacy/requests/{request_id}").get_json()
    assert done["status"].startswith("complete"), done
    db.session.remove()

    assert db.session.get(User, supplier.id).erased_at is not None
    remaining = db.session.scalars(select(BusinessPhoto)).all()
    assert [photo.id for photo in remaining] == [theirs["id"]]  # only the other business's
    assert [path.name for path in _files(app)] == [theirs["url"].rsplit("/", 1)[1]]
    for photo in (mine, also_mine):
        assert api.client.get(photo["url"]).status_code == 404
    assert api.client.get(theirs["url"]).status_code == 200


def test_the_service_names_every_problem_before_it_writes(app, ctx, supplier):
    owner = db.session.get(User, supplier.id)
    with pytest.raises(ValidationFailed) as refused:
        photos.add_photo(owner, io.BytesIO(b"nope"), {"caption": "\u202eevil"})
    assert set(refused.value.errors) == {"image", "caption"}  # every problem at once
    assert _files(app) == [] and _count() == 0
