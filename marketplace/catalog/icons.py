"""The picture a listing without a photo shows: its category's icon.

A leaf category with an icon of its own in LEAF_ICONS shows that (tyres a wheel, tractors a
tractor); a leaf Tabler has no honest picture for shows its industry's icon from INDUSTRY_ICONS;
anything else (no category, an unknown slug) shows DEFAULT_ICON.

The icons are Tabler Icons 3.51 (MIT licence, static/icons/categories/LICENSE-tabler-icons.txt),
outline style, copied unchanged from the @tabler/icons 3.51.0 npm package
(package/icons/outline/); only the SVGs named here are vendored, and they are served from static/.
"""

from __future__ import annotations

from flask import url_for
from markupsafe import Markup

from marketplace.catalog.categories import categories

# industry slug -> Tabler icon name; also the icon of each leaf not in LEAF_ICONS
INDUSTRY_ICONS: dict[str, str] = {
    "industrial-machinery": "settings-cog",
    "building-and-construction-material": "wall",
    "metals-and-alloys": "cylinder",
    "chemicals": "flask",
    "textiles-and-apparel": "shirt",
    "packaging-material": "package",
    "electrical-equipment": "plug",
    "electronics-and-components": "cpu",
    "agriculture": "wheat",
    "pharmaceuticals-and-healthcare": "pill",
    "furniture": "sofa",
    "automobile-parts": "car",
    "plastics-and-polymers": "bottle",
    "food-and-beverages": "tools-kitchen-2",
    "home-textiles-and-furnishings": "bed",
    "industrial-supplies-and-tools": "tool",
    "gems-jewellery-and-handicrafts": "diamond",
}

# leaf slug -> Tabler icon name, where Tabler draws the thing itself (or the one object that
# stands for it). The leaves left out have no fitting Tabler icon and show their industry's.
LEAF_ICONS: dict[str, str] = {
    # Industrial Machinery (the rest: cnc, lathe, milling, presses, packaging machines,
    # compressors, boilers, injection moulding, welding, conveyors, pumps)
    "drilling-machines": "hammer-drill",
    "food-processing-machines": "blender",  # tagged food-processor
    "cutting-machines": "scissors",
    # Building and Construction Material (the rest: tmt bars, concrete, stone slabs, roofing,
    # waterproofing, sand, aggregates, gi pipes)
    "cement": "trowel",  # the mason's trowel that lays it
    "fly-ash-bricks": "wall",
    "red-clay-bricks": "wall",
    "aac-blocks": "wall",
    "plywood": "wood",
    "ceramic-tiles": "layout-grid",  # tagged tiles
    "vitrified-tiles": "layout-grid",
    # Metals and Alloys: Tabler draws no sheets, plates, angles, wire or rods; all show cylinder.
    # Chemicals (the rest: caustic soda, acids, solvents, textile chemicals, adhesives)
    "dyes-and-pigments": "color-swatch",
    "water-treatment-chemicals": "droplet",
    "industrial-gases": "scuba-diving-tank",  # a gas cylinder with its valve
    "paints-and-coatings": "paint",  # a paint roller
    "laboratory-chemicals": "test-pipe",
    "agrochemicals": "spray",
    # Textiles and Apparel (the rest: fabrics, sarees, kurtis, school uniforms, towels)
    "cotton-yarn": "yarn",
    "men-s-shirts": "shirt",
    "t-shirts": "shirt",
    "corporate-uniforms": "tie",
    "bed-sheets": "bed",
    "jute-bags": "shopping-bag",  # a tote
    # Packaging Material (the rest: sacks, films, tapes, bubble wrap, food containers, pallets)
    "corrugated-boxes": "package",
    "hdpe-bags": "shopping-bag",
    "pet-bottles": "bottle",
    "paper-bags": "paper-bag",
    # Electrical Equipment (the rest: transformers, cables, wires, mcbs and distribution boards,
    # generators, control panels, stabilizers)
    "electric-motors": "circuit-motor",
    "switchgear": "circuit-switch-open",
    "solar-panels": "solar-panel",
    "solar-inverters": "solar-electricity",
    "led-lights": "bulb",
    "industrial-fans": "propeller",  # tagged fan; a three-bladed fan
    # Electronics and Components (the rest: pcbs, sensors, power supplies, display modules)
    "cctv-cameras": "device-cctv",
    "lithium-batteries": "battery",
    "microcontrollers": "cpu",
    "connectors": "plug-connected",
    "biometric-attendance-machines": "fingerprint",
    "inverter-batteries": "battery-automotive",  # a lead-acid block battery
    # Agriculture (the rest: pulses, organic fertilizers, cashew nuts)
    "basmati-rice": "bowl-chopsticks",  # tagged rice
    "non-basmati-rice": "bowl-chopsticks",
    "wheat": "wheat",
    "spices": "pepper",  # a chilli
    "tea-leaves": "teapot",
    "coffee-beans": "coffee",
    "seeds": "seedling",
    "tractors": "tractor",
    "drip-irrigation-systems": "droplets",
    "fresh-vegetables": "carrot",
    # Pharmaceuticals and Healthcare (the rest: apis, surgical gloves)
    "tablets": "pills",
    "capsules": "pill",
    "syrups": "medicine-syrup",
    "face-masks": "face-mask",  # Tabler's "mask" is an image-editing layer mask
    "hospital-beds": "emergency-bed",
    "diagnostic-kits": "test-pipe",
    "ayurvedic-medicines": "leaf",  # herbal
    "medical-disposables": "vaccine",  # a syringe
    "veterinary-medicines": "paw",
    # Furniture (the rest: modular kitchens)
    "office-chairs": "armchair",
    "office-desks": "desk",
    "wardrobes": "hanger",
    "sofa-sets": "sofa",
    "school-furniture": "desk",
    "hospital-furniture": "emergency-bed",
    "wooden-beds": "bed",
    "steel-almirahs": "hanger",  # a clothes cupboard
    "outdoor-furniture": "picnic-table",
    # Automobile Parts (the rest: brake pads, clutch plates, engine oil, filters, bearings,
    # radiators, headlights, spark plugs)
    "automotive-batteries": "battery-automotive",
    "tyres": "wheel",  # tagged tire, tyre
    "shock-absorbers": "car-suspension",
    # Plastics and Polymers (the rest: granules, resin, pipes, crates, tanks, sheets,
    # masterbatches)
    "upvc-windows": "window",
    # Food and Beverages (the rest: edible oils, sugar, jaggery, snacks, ready-to-eat, dry fruits)
    "packaged-drinking-water": "bottle",
    "dairy-products": "milk",
    "honey": "hexagons",  # a honeycomb; Tabler has no honey jar
    "biscuits-and-cookies": "cookie",
    "frozen-foods": "snowflake",
    # Home Textiles and Furnishings (the rest: curtains, carpets, blankets, doormats, table
    # linen, quilts, wall hangings)
    "cushion-covers": "pillow",  # tagged cushion
    "pillows": "pillow",
    "mattresses": "bed-flat",
    # Industrial Supplies and Tools (the rest: safety helmets, valves, abrasives, hoses,
    # lubricants; Tabler's "helmet" is a motorcycle helmet)
    "hand-tools": "tool",  # a spanner
    "power-tools": "hammer-drill",
    "safety-shoes": "shoe",
    "fasteners": "nut",
    "material-handling-equipment": "forklift",
    "weighing-scales": "scale-outline",  # a platform scale
    "fire-extinguishers": "fire-extinguisher",
    # Gems, Jewellery and Handicrafts (the rest: jewellery, brass and marble handicrafts, idols)
    "gemstones": "diamond",
    "wooden-handicrafts": "chisel",  # a carving chisel
    "corporate-gifts": "gift",
}
DEFAULT_ICON = "package"


def icon_name(category_slug: str | None) -> str:
    """The leaf's own icon, else its industry's (an industry shows its own), else the default."""
    slug = category_slug or ""
    if slug in LEAF_ICONS:
        return LEAF_ICONS[slug]
    info = categories().get(slug)
    industry = (info.parent_slug or info.slug) if info else ""
    return INDUSTRY_ICONS.get(industry, DEFAULT_ICON)


def category_icon(category_slug: str | None, size: str = "") -> Markup:
    """A thumbnail-sized placeholder with the category's icon (decorative: the name is beside)."""
    src = url_for("static", filename=f"icons/categories/{icon_name(category_slug)}.svg")
    return Markup(
        '<span class="thumb thumb-empty thumb-icon {}" aria-hidden="true">'
        '<img src="{}" alt="" width="24" height="24"></span>'
    ).format(size, src)  # format() escapes what it fills in
