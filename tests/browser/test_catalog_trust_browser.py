"""A buyer's and a supplier's walk through the catalogue at desktop and phone sizes: search with
a city, a typo and a Hindi word; a product's trade details; a storefront's profile, photos and
its own search; a bulk upload with one bad row. Screenshots go to test-artifacts/."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.accounts import photos
from marketplace.accounts.models import SupplierProfile, User
from marketplace.catalog.models import Category, Product
from marketplace.db import commit
from marketplace.demo import DEMO_DOMAIN, DEMO_PASSWORD
from marketplace.extensions import db
from tests.browser.conftest import loaded, screenshot

SIZES = {"desktop": (1280, 900), "phone": (375, 812)}

SHEET = (
    "name,category,price,unit,moq,hsn_code,gst_rate,price_slabs,brand\n"
    "SS 304 Seamless Pipe 3 inch,stainless-steel-pipes,330,kg,100,73064000,18,"
    "100: 330; 1000: 310,Jindal\n"
    "Copper Earthing Strip,copper-wires,890,kg,25,74081190,18,,\n"
    "Mystery Liquid,no-such-category,12,litre,1,12345,12,,\n"
)


@pytest.fixture()
def demo(app, ctx):
    result = app.test_cli_runner().invoke(
        args=["demo", "seed", "--products", "900", "--suppliers", "24", "--buyers", "2"]
    )
    assert result.exit_code == 0, result.output
    # Every business has a photo of its works on its storefront (every other one captioned).
    owners = db.session.scalars(select(User).join(SupplierProfile)).all()
    for number, owner in enumerate(owners):
        caption = {"caption": f"Our works in {owner.supplier.city}"} if number % 2 else {}
        photos.add_photo(owner, _works_photo(number), caption)
    commit()
    # A supplier with pipes, to name its city in a search.
    row = db.session.execute(
        select(SupplierProfile.city, SupplierProfile.id)
        .join(Product, Product.supplier_id == SupplierProfile.id)
        .join(Category, Product.category_id == Category.id)
        .where(Category.slug.in_(("stainless-steel-pipes", "gi-pipes", "pvc-pipes")))
        .limit(1)
    ).one()
    return {"city": row.city, "supplier_id": row.id}


def _works_photo(number: int) -> io.BytesIO:
    """A JPEG of a shed under a sky, a little different for each business."""
    picture = Image.new("RGB", (800, 600), (150, 190, 225))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 420, 800, 600), fill=(120, 110, 95))
    draw.rectangle((120 + number * 7, 240, 560, 430), fill=(200, 90 + number * 5, 40))
    draw.polygon([(100 + number * 7, 250), (340, 150), (580, 250)], fill=(90, 90, 100))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    buffer.seek(0)
    return buffer


def _first_result_in_view(page, height: int) -> None:
    """No filter comes before the first result. On a phone the filters are in a drawer, so
    the first result is on the first screen; on a desktop they stand beside the results (how
    far down the first result starts then depends on the notices above it, which vary with
    the demo data)."""
    box = loaded(page).locator(".result").first.bounding_box()
    assert box is not None, "no result"
    facets = page.locator(".facets").first.bounding_box()
    wide = page.viewport_size["width"] >= 800
    if wide and facets is not None and facets["x"] + facets["width"] <= box["x"]:
        return  # a sidebar beside the results
    assert box["y"] < height, f"the first result starts at {box}"


@pytest.mark.parametrize("size", SIZES)
def test_a_buyer_searches_reads_trade_details_and_a_storefront(open_context, problems, demo, size):
    width, height = SIZES[size]
    page = open_context(width, height)

    # A city in the query becomes a location filter.
    page.goto("/")
    city = demo["city"]
    search = page.locator("#hero-search")  # the home page has the big search box only
    search.fill(f"pipe {city.lower()}")
    search.press("Enter")
    expect(page.get_by_test_id("place")).to_contain_text(city)
    for line in page.locator(".supplier-line .muted").all_inner_texts():
        assert line.startswith(city), line
    _first_result_in_view(page, height)
    screenshot(page, f"catalogue-search-city-{size}")

    # A typo is corrected, and says so, with a way back to the words as typed.
    page.goto("/search?q=stainles+steel+pipe")
    expect(page.get_by_test_id("corrected")).to_contain_text("stainless steel pipe")
    _first_result_in_view(page, height)
    screenshot(page, f"catalogue-search-typo-{size}")
    page.get_by_role("link", name="Search instead for").click()
    expect(page.get_by_test_id("corrected")).to_have_count(0)

    # A Hindi trade word finds the English listings.
    page.goto("/search?q=sariya")
    expect(page.locator(".result h3").first).to_contain_text("TMT")
    screenshot(page, f"catalogue-search-hindi-{size}")

    # On a phone the filters open in a drawer, and the header's links behind a menu button.
    if size == "phone":
        drawer = page.locator("#search-filters")
        expect(drawer).not_to_be_in_viewport()
        page.get_by_role("button", name=re.compile("^Filters")).click()
        expect(drawer).to_be_in_viewport()
        expect(drawer.get_by_role("heading", name="Category")).to_be_visible()
        screenshot(page, "catalogue-filters-drawer-phone")
        drawer.get_by_role("button", name="Close").click()
        expect(drawer).not_to_be_in_viewport()
        expect(page.get_by_role("link", name="Categories")).to_be_hidden()
        page.get_by_role("button", name="Menu").click()
        expect(page.get_by_role("link", name="Categories")).to_be_visible()
        page.get_by_role("button", name="Menu").click()

    # A product page with its trade details, priced without paise and with the GST note.
    page.locator(".result h3 a").first.click()
    details = page.get_by_test_id("trade-details")
    expect(details).to_contain_text("HSN code")
    expect(details).to_contain_text("GST")
    expect(page.locator(".product-price")).to_contain_text(re.compile(r"₹[\d,]+/tonne"))
    expect(page.locator(".product-price .gst-note")).to_contain_text("GST")
    screenshot(page, f"catalogue-product-{size}")

    # The storefront: the profile, GST status, member since, and a search of its own products.
    page.locator(".supplier-card h2 a").click()
    profile = page.get_by_test_id("business-profile")
    expect(profile).to_contain_text("Nature of business")
    expect(profile).to_contain_text("Established")
    expect(profile).to_contain_text("GST registration")
    expect(page.get_by_test_id("member-since")).to_contain_text("Member since")
    company = page.get_by_role("heading", level=1).inner_text()
    # Its photos, loaded lazily once scrolled to, each with a description for screen readers.
    photo = page.get_by_test_id("business-photos").locator("img").first
    photo.scroll_into_view_if_needed()
    expect(photo).to_be_visible()
    expect(photo).to_have_attribute("loading", "lazy")
    expect(photo).to_have_attribute(
        "alt", re.compile(f"^(Our works in .+|Photo of {re.escape(company)})$")
    )
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=photo.element_handle()
    )
    assert photo.evaluate("img => img.naturalWidth") > 0
    page.locator("#store-q").fill("tmt")
    page.locator("#store-q").press("Enter")
    results = page.get_by_test_id("storefront-results")
    expect(results).to_contain_text(f"from {company}")
    assert page.locator(".result").count() >= 1
    screenshot(page, f"catalogue-storefront-{size}")
    assert not problems.seen, problems.seen


@pytest.mark.parametrize("size", SIZES)
def test_a_supplier_uploads_a_sheet_with_one_bad_row(open_context, problems, demo, size, tmp_path):
    width, height = SIZES[size]
    page = open_context(width, height)
    page.goto("/account/sign-in")
    page.get_by_label("Email").fill(f"supplier1@{DEMO_DOMAIN}")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".nav-user")).to_be_attached()  # behind the menu on a phone

    # The new-product form: a category picked by typing, trade details and photos in one form.
    page.goto("/dashboard/products/new")
    page.get_by_label("Narrow the list by a word").fill("pipe")
    assert "pipe" in page.get_by_label("Category", exact=True).input_value()
    expect(page.get_by_label("HSN code")).to_be_visible()
    expect(page.get_by_label("Photos")).to_be_attached()

    sheet = tmp_path / "products.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    page.goto("/dashboard/products/upload")
    page.get_by_label("Products sheet (Excel or CSV)").set_input_files(str(sheet))
    page.get_by_role("button", name="Check the sheet").click()
    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text("2 of 3 rows can be listed")
    bad = page.locator("tr.row-error")
    expect(bad).to_have_count(1)
    expect(bad).to_contain_text("category")
    expect(bad).to_contain_text("hsn_code")
    screenshot(page, f"catalogue-bulk-upload-{size}")
    page.get_by_role("button", name="List 2 products").click()
    expect(page.get_by_text("2 products listed. 1 row with errors left out.")).to_be_visible()
    supplier = db.session.scalar(select(User).where(User.email == f"supplier1@{DEMO_DOMAIN}"))
    db.session.expire_all()
    names = set(
        db.session.scalars(select(Product.name).where(Product.supplier_id == supplier.supplier.id))
    )
    assert {"SS 304 Seamless Pipe 3 inch", "Copper Earthing Strip"} <= names
    screenshot(page, f"catalogue-dashboard-{size}")
    assert not problems.seen, problems.seen
