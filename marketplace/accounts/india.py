"""States and union territories as GST, ISO 3166-2:IN and India Post know them.

python-stdnum's own table predates Ladakh (38) and uses old names ("Orissa"), so the portal keeps
this one; stdnum still does the format, PAN and checksum work.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class State:
    name: str
    iso_code: str
    gst_codes: tuple[str, ...]  # the first is current; others are legacy codes still in use
    pincode_zones: tuple[str, ...]  # first digit of the state's PIN codes

    @property
    def gst_code(self) -> str:
        return self.gst_codes[0]


STATES: tuple[State, ...] = (
    State("Andaman and Nicobar Islands", "AN", ("35",), ("7",)),
    State("Andhra Pradesh", "AP", ("37", "28"), ("5",)),
    State("Arunachal Pradesh", "AR", ("12",), ("7",)),
    State("Assam", "AS", ("18",), ("7",)),
    State("Bihar", "BR", ("10",), ("8",)),
    State("Chandigarh", "CH", ("04",), ("1",)),
    State("Chhattisgarh", "CG", ("22",), ("4",)),
    State("Dadra and Nagar Haveli and Daman and Diu", "DH", ("26", "25"), ("3",)),
    State("Delhi", "DL", ("07",), ("1",)),
    State("Goa", "GA", ("30",), ("4",)),
    State("Gujarat", "GJ", ("24",), ("3",)),
    State("Haryana", "HR", ("06",), ("1",)),
    State("Himachal Pradesh", "HP", ("02",), ("1",)),
    State("Jammu and Kashmir", "JK", ("01",), ("1",)),
    State("Jharkhand", "JH", ("20",), ("8",)),
    State("Karnataka", "KA", ("29",), ("5",)),
    State("Kerala", "KL", ("32",), ("6",)),
    State("Ladakh", "LA", ("38",), ("1",)),
    State("Lakshadweep", "LD", ("31",), ("6",)),
    State("Madhya Pradesh", "MP", ("23",), ("4",)),
    State("Maharashtra", "MH", ("27",), ("4",)),
    State("Manipur", "MN", ("14",), ("7",)),
    State("Meghalaya", "ML", ("17",), ("7",)),
    State("Mizoram", "MZ", ("15",), ("7",)),
    State("Nagaland", "NL", ("13",), ("7",)),
    State("Odisha", "OD", ("21",), ("7",)),
    State("Puducherry", "PY", ("34",), ("5", "6")),  # Yanam lies in Andhra Pradesh's zone
    State("Punjab", "PB", ("03",), ("1",)),
    State("Rajasthan", "RJ", ("08",), ("3",)),
    State("Sikkim", "SK", ("11",), ("7",)),
    State("Tamil Nadu", "TN", ("33",), ("6",)),
    State("Telangana", "TS", ("36",), ("5",)),
    State("Tripura", "TR", ("16",), ("7",)),
    State("Uttar Pradesh", "UP", ("09",), ("2",)),
    State("Uttarakhand", "UK", ("05",), ("2",)),
    State("West Bengal", "WB", ("19",), ("7",)),
)

_BY_GST_CODE = {code: state for state in STATES for code in state.gst_codes}
_BY_KEY = {
    key: state
    for state in STATES
    for key in (state.name.lower(), state.iso_code.lower(), *state.gst_codes)
}
# Common alternative spellings people type.
_BY_KEY.update(
    {
        "orissa": _BY_KEY["odisha"],
        "chattisgarh": _BY_KEY["chhattisgarh"],
        "pondicherry": _BY_KEY["puducherry"],
        "new delhi": _BY_KEY["delhi"],
        "nct of delhi": _BY_KEY["delhi"],
        "tg": _BY_KEY["telangana"],
        "ut": _BY_KEY["uttarakhand"],
        "or": _BY_KEY["odisha"],
    }
)


def state_for_gst_code(code: str) -> State | None:
    return _BY_GST_CODE.get(code)


def find_state(text: str) -> State | None:
    """A state by its name, ISO code or GST code, as a person might type it."""
    return _BY_KEY.get(" ".join(text.replace("&", "and").split()).lower())
