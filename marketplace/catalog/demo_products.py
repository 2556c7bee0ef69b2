"""What the demo's suppliers sell: for each industry a few categories whose product names,
specifications, units, minimum orders, HSN codes and GST rates agree with one another.

Only `flask demo seed` reads this; the rates follow catalog.trade.GST_SLABS.
"""

from __future__ import annotations

from dataclasses import dataclass

Spec = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Variant:
    name: str
    specs: Spec
    price: tuple[int, int]  # rupees per unit


@dataclass(frozen=True)
class Line:
    leaf: str  # a leaf category's name
    unit: str
    hsn: str
    gst: str
    moqs: tuple[int, ...]
    variants: tuple[Variant, ...]
    brands: tuple[str, ...] = ()
    delivery: tuple[str, ...] = ("7 days", "10 days", "15 days")


def _v(name: str, low: int, high: int, **specs: str) -> Variant:
    return Variant(
        name, tuple((k.replace("_", " ").title(), v) for k, v in specs.items()), (low, high)
    )


LINES: dict[str, tuple[Line, ...]] = {
    "Metals and Alloys": (
        Line(
            "Stainless Steel Pipes",
            "kg",
            "73064000",
            "18",
            (100, 200, 500),
            (
                _v(
                    "SS 304 Seamless Pipe",
                    260,
                    320,
                    grade="SS 304",
                    size="1 inch NB",
                    schedule="SCH 40",
                    standard="ASTM A312",
                ),
                _v(
                    "SS 316L Seamless Pipe",
                    360,
                    420,
                    grade="SS 316L",
                    size="2 inch NB",
                    schedule="SCH 10",
                    standard="ASTM A312",
                ),
                _v(
                    "SS 202 ERW Pipe",
                    180,
                    220,
                    grade="SS 202",
                    size="1.5 inch OD",
                    thickness="1.2 mm",
                    finish="Polished",
                ),
            ),
            ("Jindal", "Ratnamani", "Shah Alloys"),
        ),
        Line(
            "Mild Steel Plates",
            "kg",
            "72085100",
            "18",
            (1000, 2000, 5000),
            (
                _v(
                    "MS Plate IS 2062 E250",
                    58,
                    68,
                    grade="IS 2062 E250",
                    thickness="10 mm",
                    size="2500 x 6300 mm",
                ),
                _v(
                    "MS Chequered Plate",
                    62,
                    74,
                    grade="IS 3502",
                    thickness="6 mm",
                    size="1250 x 2500 mm",
                ),
            ),
            ("SAIL", "JSW", "Tata Steel"),
        ),
        Line(
            "Copper Wires",
            "kg",
            "74081190",
            "18",
            (50, 100),
            (
                _v("Bare Copper Wire 8 SWG", 780, 900, material="ETP copper 99.9%", gauge="8 SWG"),
                _v(
                    "Enamelled Copper Winding Wire",
                    820,
                    960,
                    material="Copper",
                    gauge="22 SWG",
                    insulation="Class H",
                ),
            ),
        ),
    ),
    "Building and Construction Material": (
        Line(
            "TMT Bars",
            "tonne",
            "72142090",
            "18",
            (5, 10, 25),
            (
                _v(
                    "TMT Bar Fe 500D 12 mm",
                    52000,
                    61000,
                    grade="Fe 500D",
                    diameter="12 mm",
                    standard="IS 1786",
                ),
                _v(
                    "TMT Bar Fe 550D 16 mm",
                    54000,
                    63000,
                    grade="Fe 550D",
                    diameter="16 mm",
                    standard="IS 1786",
                ),
            ),
            ("Tata Tiscon", "JSW Neosteel", "Kamdhenu", "SRMB"),
        ),
        Line(
            "Cement",
            "bag",
            "25232930",
            "18",
            (100, 200, 500),
            (
                _v(
                    "OPC 53 Grade Cement, 50 kg",
                    360,
                    420,
                    type="OPC 53",
                    standard="IS 269",
                    weight="50 kg",
                ),
                _v("PPC Cement, 50 kg", 330, 390, type="PPC", standard="IS 1489", weight="50 kg"),
            ),
            ("UltraTech", "ACC", "Ambuja", "Shree"),
        ),
        Line(
            "GI Pipes",
            "metre",
            "73063090",
            "18",
            (100, 300),
            (
                _v(
                    "GI Pipe Medium Class 1 inch",
                    190,
                    240,
                    class_="Medium (B)",
                    size="25 mm NB",
                    standard="IS 1239",
                ),
                _v(
                    "GI Pipe Heavy Class 2 inch",
                    420,
                    520,
                    class_="Heavy (C)",
                    size="50 mm NB",
                    standard="IS 1239",
                ),
            ),
            ("Tata Structura", "Jindal", "Surya"),
        ),
    ),
    "Industrial Supplies and Tools": (
        Line(
            "Fasteners",
            "kg",
            "73181500",
            "18",
            (50, 100, 250),
            (
                _v(
                    "MS Hex Bolt M12, Grade 8.8",
                    110,
                    150,
                    size="M12 x 50 mm",
                    grade="8.8",
                    finish="Zinc plated",
                ),
                _v("SS 304 Hex Nut M10", 380, 460, size="M10", material="SS 304"),
            ),
            ("Unbrako", "LPS", "TVS"),
        ),
        Line(
            "Safety Helmets",
            "piece",
            "65061010",
            "18",
            (50, 100, 200),
            (
                _v(
                    "HDPE Safety Helmet with Ratchet",
                    120,
                    190,
                    material="HDPE",
                    standard="IS 2925",
                    colour="Yellow",
                ),
            ),
            ("Karam", "Udyogi", "3M"),
        ),
    ),
    "Chemicals": (
        Line(
            "Caustic Soda",
            "kg",
            "28151110",
            "18",
            (500, 1000),
            (
                _v(
                    "Caustic Soda Flakes 98%",
                    42,
                    60,
                    purity="98%",
                    form="Flakes",
                    packaging="50 kg bag",
                ),
                _v("Caustic Soda Lye 48%", 24, 34, purity="48%", form="Liquid", packaging="Tanker"),
            ),
            ("GACL", "Grasim", "DCW"),
        ),
        Line(
            "Hydrochloric Acid",
            "litre",
            "28061000",
            "18",
            (200, 500, 1000),
            (
                _v(
                    "Hydrochloric Acid 33%, Technical Grade",
                    9,
                    16,
                    concentration="33%",
                    grade="Technical",
                    packaging="35 L carboy",
                ),
            ),
        ),
        Line(
            "Adhesives",
            "kg",
            "35069999",
            "18",
            (20, 50, 100),
            (
                _v(
                    "Synthetic Rubber Adhesive",
                    160,
                    260,
                    base="Synthetic rubber",
                    packaging="20 kg drum",
                ),
                _v("PVA Wood Adhesive", 120, 190, base="Polyvinyl acetate", packaging="50 kg drum"),
            ),
            ("Pidilite Fevicol", "Jivanjor"),
        ),
    ),
    "Plastics and Polymers": (
        Line(
            "Water Tanks",
            "piece",
            "39251000",
            "18",
            (5, 10, 20),
            (
                _v(
                    "Triple Layer Water Tank, 1000 litre",
                    5200,
                    7400,
                    capacity="1000 litre",
                    layers="3",
                    material="LLDPE",
                ),
                _v(
                    "Loft Water Tank, 500 litre",
                    2600,
                    3600,
                    capacity="500 litre",
                    layers="2",
                    material="LLDPE",
                ),
            ),
            ("Sintex", "Supreme", "Vectus"),
        ),
        Line(
            "PVC Pipes",
            "metre",
            "39172390",
            "18",
            (300, 500, 1000),
            (
                _v(
                    "uPVC Pressure Pipe 63 mm, 6 kgf",
                    95,
                    140,
                    size="63 mm OD",
                    pressure="6 kgf/cm²",
                    standard="IS 4985",
                ),
                _v(
                    "SWR Pipe 110 mm",
                    120,
                    170,
                    size="110 mm OD",
                    type="Type B",
                    standard="IS 13592",
                ),
            ),
            ("Finolex", "Supreme", "Astral"),
        ),
        Line(
            "HDPE Granules",
            "kg",
            "39012000",
            "18",
            (1000, 5000),
            (
                _v(
                    "HDPE Blow Moulding Granules",
                    92,
                    118,
                    grade="Blow moulding",
                    mfi="0.3 g/10 min",
                ),
                _v("HDPE Pipe Grade Granules PE 100", 98, 124, grade="PE 100", mfi="0.25 g/10 min"),
            ),
            ("Reliance Relene", "GAIL", "Haldia"),
        ),
    ),
    "Packaging Material": (
        Line(
            "Corrugated Boxes",
            "piece",
            "48191010",
            "18",
            (500, 1000, 2000),
            (
                _v(
                    "3 Ply Corrugated Box 12 x 10 x 8 inch",
                    14,
                    24,
                    ply="3",
                    size="12 x 10 x 8 inch",
                    bursting_factor="18 BF",
                ),
                _v(
                    "5 Ply Export Carton",
                    38,
                    68,
                    ply="5",
                    size="18 x 12 x 12 inch",
                    bursting_factor="22 BF",
                ),
            ),
        ),
        Line(
            "PP Woven Sacks",
            "piece",
            "63053300",
            "5",
            (1000, 5000),
            (
                _v(
                    "PP Woven Sack 50 kg, Laminated",
                    9,
                    15,
                    capacity="50 kg",
                    gsm="90",
                    lamination="Yes",
                ),
                _v(
                    "PP Woven Sack 25 kg, Unlaminated",
                    5,
                    9,
                    capacity="25 kg",
                    gsm="70",
                    lamination="No",
                ),
            ),
        ),
        Line(
            "BOPP Tapes",
            "roll",
            "39191000",
            "18",
            (100, 500),
            (
                _v(
                    "BOPP Brown Tape 48 mm x 65 m",
                    28,
                    42,
                    width="48 mm",
                    length="65 m",
                    thickness="40 micron",
                ),
            ),
            ("Sellotape", "Wonder"),
        ),
    ),
    "Textiles and Apparel": (
        Line(
            "Cotton Fabric",
            "metre",
            "52083290",
            "5",
            (500, 1000, 3000),
            (
                _v(
                    "Cotton Cambric Fabric 60 x 60",
                    62,
                    95,
                    material="100% cotton",
                    count="60 x 60",
                    width="44 inch",
                    gsm="100",
                ),
                _v(
                    "Cotton Poplin Printed Fabric",
                    85,
                    140,
                    material="100% cotton",
                    width="58 inch",
                    gsm="120",
                    pattern="Printed",
                ),
            ),
        ),
        Line(
            "Women's Kurtis",
            "piece",
            "62044290",
            "5",
            (50, 100, 200),
            (
                _v(
                    "Rayon Printed Straight Kurti",
                    240,
                    420,
                    material="Rayon",
                    sizes="S to XXL",
                    length="44 inch",
                ),
                _v(
                    "Cotton Anarkali Kurti",
                    380,
                    640,
                    material="Cotton",
                    sizes="M to XXL",
                    work="Block print",
                ),
            ),
        ),
    ),
    "Home Textiles and Furnishings": (
        Line(
            "Quilts and Razai",
            "piece",
            "94049099",
            "5",
            (20, 50),
            (
                _v(
                    "Jaipuri Cotton Razai, Double Bed",
                    950,
                    1600,
                    size="90 x 100 inch",
                    filling="Cotton",
                    work="Hand block print",
                ),
            ),
        ),
        Line(
            "Blankets",
            "piece",
            "63014000",
            "5",
            (50, 100),
            (
                _v(
                    "Mink Blanket, Double Bed",
                    650,
                    1200,
                    material="Polyester mink",
                    size="85 x 90 inch",
                    weight="2.5 kg",
                ),
            ),
        ),
    ),
    "Electrical Equipment": (
        Line(
            "Electrical Cables",
            "metre",
            "85444999",
            "18",
            (100, 500, 1000),
            (
                _v(
                    "Copper Armoured Cable 4 Core 16 sq mm",
                    480,
                    620,
                    conductor="Copper",
                    cores="4",
                    size="16 sq mm",
                    voltage="1.1 kV",
                ),
                _v(
                    "Aluminium Armoured Cable 3.5 Core 95 sq mm",
                    340,
                    460,
                    conductor="Aluminium",
                    cores="3.5",
                    size="95 sq mm",
                ),
            ),
            ("Polycab", "Havells", "KEI", "Finolex"),
        ),
        Line(
            "Electric Motors",
            "piece",
            "85015210",
            "18",
            (1, 2, 5),
            (
                _v(
                    "3 Phase Induction Motor 5 HP, 1440 RPM",
                    14500,
                    21000,
                    power="5 HP",
                    speed="1440 RPM",
                    efficiency="IE2",
                ),
                _v(
                    "Single Phase Motor 1 HP",
                    5200,
                    7800,
                    power="1 HP",
                    speed="2880 RPM",
                    phase="Single",
                ),
            ),
            ("Crompton", "Kirloskar", "Siemens"),
        ),
    ),
    "Electronics and Components": (
        Line(
            "CCTV Cameras",
            "piece",
            "85258900",
            "18",
            (5, 10, 20),
            (
                _v(
                    "2 MP IP Dome Camera",
                    1900,
                    3200,
                    resolution="2 MP",
                    type="Dome",
                    night_vision="30 m",
                ),
                _v(
                    "4 MP Bullet Camera with PoE",
                    2900,
                    4600,
                    resolution="4 MP",
                    type="Bullet",
                    power="PoE",
                ),
            ),
            ("CP Plus", "Hikvision", "Godrej"),
        ),
        Line(
            "Inverter Batteries",
            "piece",
            "85072000",
            "18",
            (2, 5, 10),
            (
                _v(
                    "150 Ah Tall Tubular Inverter Battery",
                    11500,
                    15500,
                    capacity="150 Ah",
                    type="Tall tubular",
                    warranty="36 months",
                ),
            ),
            ("Exide", "Luminous", "Amaron"),
        ),
    ),
    "Agriculture": (
        Line(
            "Basmati Rice",
            "kg",
            "10063020",
            "5",
            (500, 1000, 5000),
            (
                _v(
                    "1121 Steam Basmati Rice",
                    88,
                    118,
                    variety="1121",
                    type="Steam",
                    grain_length="8.3 mm",
                ),
                _v("Pusa Sella Basmati Rice", 72, 96, variety="Pusa 1509", type="Golden sella"),
            ),
            ("India Gate", "Daawat", "Kohinoor"),
        ),
        Line(
            "Spices",
            "kg",
            "09103030",
            "5",
            (50, 100, 500),
            (
                _v(
                    "Turmeric Powder, Salem",
                    140,
                    210,
                    origin="Salem",
                    curcumin="3%",
                    packaging="25 kg bag",
                ),
                _v(
                    "Guntur Red Chilli Teja",
                    180,
                    260,
                    origin="Guntur",
                    variety="Teja S17",
                    form="Whole",
                ),
            ),
        ),
    ),
    "Food and Beverages": (
        Line(
            "Jaggery",
            "kg",
            "17019100",
            "5",
            (100, 500, 1000),
            (
                _v(
                    "Organic Jaggery Cubes",
                    58,
                    86,
                    form="Cubes",
                    origin="Kolhapur",
                    packaging="1 kg pouch",
                ),
                _v("Jaggery Powder", 52, 74, form="Powder", packaging="25 kg bag"),
            ),
        ),
        Line(
            "Edible Oils",
            "litre",
            "15079010",
            "5",
            (100, 500),
            (
                _v(
                    "Refined Soyabean Oil, 15 litre tin",
                    110,
                    140,
                    type="Refined soyabean",
                    packaging="15 litre tin",
                ),
                _v(
                    "Kachi Ghani Mustard Oil",
                    150,
                    190,
                    type="Cold pressed mustard",
                    packaging="15 litre tin",
                ),
            ),
            ("Fortune", "Dhara", "Engine"),
        ),
    ),
    "Pharmaceuticals and Healthcare": (
        Line(
            "Surgical Gloves",
            "box",
            "40151100",
            "5",
            (20, 50, 100),
            (
                _v(
                    "Latex Surgical Gloves, Powder Free",
                    420,
                    640,
                    material="Latex",
                    sizes="6.5 to 8",
                    count="50 pairs",
                ),
                _v(
                    "Nitrile Examination Gloves",
                    380,
                    560,
                    material="Nitrile",
                    sizes="S, M, L",
                    count="100 pieces",
                ),
            ),
        ),
        Line(
            "Face Masks",
            "box",
            "63079090",
            "5",
            (50, 100),
            (
                _v(
                    "3 Ply Surgical Mask with Melt Blown",
                    60,
                    120,
                    ply="3",
                    filter="Melt blown",
                    count="50 pieces",
                ),
            ),
        ),
    ),
    "Furniture": (
        Line(
            "Office Chairs",
            "piece",
            "94013000",
            "18",
            (5, 10, 20),
            (
                _v(
                    "Mesh Back Ergonomic Office Chair",
                    5200,
                    8900,
                    back="Mesh",
                    mechanism="Synchro tilt",
                    base="Nylon",
                ),
                _v(
                    "High Back Executive Chair",
                    7800,
                    14500,
                    upholstery="Leatherette",
                    mechanism="Knee tilt",
                ),
            ),
            ("Featherlite", "Godrej Interio", "Durian"),
        ),
        Line(
            "Steel Almirahs",
            "piece",
            "94031000",
            "18",
            (5, 10),
            (
                _v(
                    "Steel Almirah 4 Door with Locker",
                    11500,
                    17500,
                    height="78 inch",
                    doors="4",
                    sheet="0.8 mm CRCA",
                ),
            ),
            ("Godrej", "Nilkamal"),
        ),
    ),
    "Automobile Parts": (
        Line(
            "Brake Pads",
            "set",
            "87083000",
            "18",
            (20, 50, 100),
            (
                _v(
                    "Front Disc Brake Pads for Maruti Swift",
                    520,
                    880,
                    fits="Maruti Swift",
                    position="Front",
                    material="Semi-metallic",
                ),
            ),
            ("Bosch", "Rane", "Brakes India"),
        ),
        Line(
            "Bearings",
            "piece",
            "84821011",
            "18",
            (50, 100, 500),
            (
                _v(
                    "Deep Groove Ball Bearing 6205 ZZ",
                    80,
                    140,
                    number="6205 ZZ",
                    bore="25 mm",
                    seal="Metal shield",
                ),
            ),
            ("SKF", "NBC", "FAG"),
        ),
    ),
    "Industrial Machinery": (
        Line(
            "Welding Machines",
            "piece",
            "85153100",
            "18",
            (1, 2),
            (
                _v(
                    "Inverter ARC Welding Machine 400 A",
                    18500,
                    32000,
                    current="400 A",
                    input="3 phase 415 V",
                    process="MMA",
                ),
                _v("MIG Welding Machine 250 A", 42000, 68000, current="250 A", process="MIG/MAG"),
            ),
            ("ESAB", "Ador", "Lincoln Electric"),
        ),
        Line(
            "Air Compressors",
            "piece",
            "84148011",
            "18",
            (1,),
            (
                _v(
                    "Reciprocating Air Compressor 5 HP, 220 L",
                    42000,
                    62000,
                    power="5 HP",
                    tank="220 litre",
                    pressure="12 bar",
                ),
                _v(
                    "Screw Air Compressor 15 kW",
                    240000,
                    380000,
                    power="15 kW",
                    delivery="85 CFM",
                    pressure="8 bar",
                ),
            ),
            ("ELGi", "Ingersoll Rand", "Atlas Copco"),
        ),
    ),
    "Gems, Jewellery and Handicrafts": (
        Line(
            "Brass Handicrafts",
            "piece",
            "83062910",
            "5",
            (10, 25, 50),
            (
                _v(
                    "Brass Ganesha Idol 8 inch",
                    1600,
                    2800,
                    height="8 inch",
                    finish="Antique",
                    weight="1.6 kg",
                ),
                _v("Brass Diya Set of 5", 450, 850, finish="Polished", pieces="5"),
            ),
        ),
        Line(
            "Silver Jewellery",
            "gram",
            "71131110",
            "3",
            (100, 250),
            (_v("925 Sterling Silver Anklets", 95, 130, purity="925", hallmark="BIS"),),
        ),
    ),
}

# Industries a supplier plausibly trades in together.
RELATED: dict[str, tuple[str, ...]] = {
    "Metals and Alloys": ("Building and Construction Material", "Industrial Supplies and Tools"),
    "Building and Construction Material": ("Metals and Alloys", "Plastics and Polymers"),
    "Industrial Supplies and Tools": ("Metals and Alloys", "Industrial Machinery"),
    "Chemicals": ("Plastics and Polymers", "Packaging Material"),
    "Plastics and Polymers": (
        "Packaging Material",
        "Chemicals",
        "Building and Construction Material",
    ),
    "Packaging Material": ("Plastics and Polymers",),
    "Textiles and Apparel": ("Home Textiles and Furnishings",),
    "Home Textiles and Furnishings": ("Textiles and Apparel", "Furniture"),
    "Electrical Equipment": ("Electronics and Components",),
    "Electronics and Components": ("Electrical Equipment",),
    "Agriculture": ("Food and Beverages",),
    "Food and Beverages": ("Agriculture",),
    "Pharmaceuticals and Healthcare": ("Chemicals",),
    "Furniture": ("Home Textiles and Furnishings",),
    "Automobile Parts": ("Industrial Supplies and Tools",),
    "Industrial Machinery": ("Industrial Supplies and Tools", "Electrical Equipment"),
    "Gems, Jewellery and Handicrafts": ("Home Textiles and Furnishings",),
}
