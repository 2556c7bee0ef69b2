"""Clients of the GST registry: what it says about a GSTIN, read from a GST Suvidha Provider's
taxpayer search (`GST_REGISTRY=http`) or from the offline sandbox's fixture (`sandbox`).

Both speak the same JSON, GSTN's "Search Taxpayer" answer as GSPs pass it on (the field names are
GSTN's: `lgnm` the legal name, `tradeNam`, `sts` the status, `dty` the taxpayer type, `rgdt` the
registration date, `pradr.addr` the principal place with `stcd` its state and `pncd` its PIN),
so the sandbox exercises the same parser as production. A lookup returns a `Registration`, or
raises `NotRegistered` (the registry knows no such GSTIN) or `RegistryUnavailable` (no usable
answer: the caller records that it could not check and changes nothing).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from typing import Any, Protocol

import requests

from marketplace.accounts.gst_models import RegistryStatus

# GSTN's error codes for a GSTIN it does not know (a GSP passes them on in `error.error_cd`).
_UNKNOWN_GSTIN_CODES = {"SWEB_9035", "FO8000", "GSP_TP_NOT_FOUND"}
# The parts of a place of business, in the order an address is written.
_ADDRESS_PARTS = ("flno", "bno", "bnm", "st", "loc", "city", "dst")


class NotRegistered(Exception):
    """The registry answered that it knows no such GSTIN."""


class RegistryUnavailable(Exception):
    """No usable answer. `reason`: timeout, unreachable, http_error, malformed, not_in_sandbox."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class Registration:
    gstin: str
    legal_name: str
    trade_name: str | None
    status: RegistryStatus
    status_text: str
    taxpayer_type: str | None
    registered_on: date | None
    cancelled_on: date | None
    principal_address: str
    state: str
    pincode: str
    # The PIN codes of the additional places of business (a branch may be the one registered).
    other_pincodes: tuple[str, ...] = ()


class GstRegistry(Protocol):
    def lookup(self, gstin: str) -> Registration: ...


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int):
        raise RegistryUnavailable("malformed", "a text field holds something else")
    text = " ".join(str(value).split())
    return text if text and text.upper() != "NA" else None


def _date(value: Any) -> date | None:
    text = _text(value)
    if text is None:
        return None
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise RegistryUnavailable("malformed", f"a date the registry wrote as {text!r}")


def _status(text: str) -> RegistryStatus:
    lowered = text.lower()
    if lowered == "active":
        return RegistryStatus.ACTIVE
    if "suspend" in lowered:
        return RegistryStatus.SUSPENDED
    if "cancel" in lowered or "inactive" in lowered:
        return RegistryStatus.CANCELLED
    return RegistryStatus.OTHER


def _place(place: Any) -> Mapping[str, Any]:
    address = place.get("addr") if isinstance(place, Mapping) else None
    if not isinstance(address, Mapping):
        raise RegistryUnavailable("malformed", "a place of business without an address")
    return address


def parse_taxpayer(payload: Any, gstin: str) -> Registration:
    """A taxpayer search answer (bare, or in a GSP's `data` envelope) as a Registration."""
    if isinstance(payload, Mapping) and isinstance(payload.get("error"), Mapping):
        code = str(payload["error"].get("error_cd", ""))
        if code in _UNKNOWN_GSTIN_CODES:
            raise NotRegistered(gstin)
        raise RegistryUnavailable("http_error", f"the registry answered error {code or '?'}")
    if isinstance(payload, Mapping) and isinstance(payload.get("data"), Mapping):
        payload = payload["data"]
    if not isinstance(payload, Mapping):
        raise RegistryUnavailable("malformed", "the answer is not a taxpayer record")
    answered = _text(payload.get("gstin"))
    legal_name, status_text = _text(payload.get("lgnm")), _text(payload.get("sts"))
    if answered is None or legal_name is None or status_text is None:
        raise RegistryUnavailable("malformed", "the taxpayer record lacks gstin, lgnm or sts")
    if answered.upper() != gstin.upper():
        raise RegistryUnavailable("malformed", "the registry answered about another GSTIN")
    principal = _place(payload.get("pradr"))
    state, pincode = _text(principal.get("stcd")), _text(principal.get("pncd"))
    if state is None or pincode is None:
        raise RegistryUnavailable("malformed", "the principal place lacks stcd or pncd")
    others = payload.get("adadr") or []
    if not isinstance(others, list):
        raise RegistryUnavailable("malformed", "adadr is not a list")
    parts = [_text(principal.get(part)) for part in _ADDRESS_PARTS]
    return Registration(
        gstin=answered.upper(),
        legal_name=legal_name,
        trade_name=_text(payload.get("tradeNam")),
        status=_status(status_text),
        status_text=status_text,
        taxpayer_type=_text(payload.get("dty")),
        registered_on=_date(payload.get("rgdt")),
        cancelled_on=_date(payload.get("cxdt")),
        principal_address=", ".join(part for part in [*parts, state, pincode] if part),
        state=state,
        pincode=pincode,
        other_pincodes=tuple(p for p in (_text(_place(o).get("pncd")) for o in others) if p),
    )


class SandboxRegistry:
    """Answers from a fixture of registrations (gst_sandbox.json beside this module): no network,
    for development, the demo and tests. A GSTIN the fixture lacks cannot be checked (never "not
    registered": that would cost a real business its badge). An entry {"simulate": "timeout"}
    (or malformed, http_error) fails as the real registry can; {"simulate": "not_found"} answers
    as the registry does for a GSTIN it does not know."""

    def __init__(self, fixture: Mapping[str, Any] | None = None) -> None:
        if fixture is None:
            text = resources.files(__package__).joinpath("gst_sandbox.json").read_text("utf-8")
            fixture = json.loads(text)["registrations"]
        self.fixture = fixture

    def lookup(self, gstin: str) -> Registration:
        entry = self.fixture.get(gstin.upper())
        if entry is None:  # the sandbox is not the registry: it cannot say the GSTIN is unknown
            raise RegistryUnavailable("not_in_sandbox", "the sandbox's fixture lacks this GSTIN")
        if entry.get("simulate") == "not_found":
            raise NotRegistered(gstin)
        if "simulate" in entry:
            raise RegistryUnavailable(entry["simulate"], "the sandbox's simulated failure")
        return parse_taxpayer(entry, gstin)


class HttpRegistry:
    """A GSP's taxpayer search: GET <url>?action=TP&gstin=<GSTIN>, the key as a bearer token."""

    def __init__(self, url: str, key: str, timeout: float) -> None:
        self.url = url
        self._key = key
        self.timeout = timeout

    def __repr__(self) -> str:  # never the key: this object may reach a log or an error report
        return f"HttpRegistry({self.url!r})"

    def lookup(self, gstin: str) -> Registration:
        try:
            response = requests.get(
                self.url,
                params={"action": "TP", "gstin": gstin},
                headers={"Authorization": f"Bearer {self._key}", "Accept": "application/json"},
                timeout=self.timeout,
            )
        except requests.Timeout:
            raise RegistryUnavailable("timeout", f"no answer within {self.timeout:g} s") from None
        except requests.RequestException as error:
            raise RegistryUnavailable("unreachable", type(error).__name__) from None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if response.status_code != 200:
            # Only the registry's own "no such GSTIN" is an answer; a bare 404 may be a wrong
            # URL, which must not cost anyone a badge.
            if isinstance(payload, Mapping) and isinstance(payload.get("error"), Mapping):
                return parse_taxpayer(payload, gstin)
            raise RegistryUnavailable("http_error", f"HTTP {response.status_code}")
        if payload is None:
            raise RegistryUnavailable("malformed", "the answer is not JSON")
        return parse_taxpayer(payload, gstin)


def registry_from_config(config: Mapping[str, Any]) -> GstRegistry:
    if config["GST_REGISTRY"] == "http":
        return HttpRegistry(
            config["GST_REGISTRY_URL"], config["GST_REGISTRY_KEY"], config["GST_REGISTRY_TIMEOUT"]
        )
    return SandboxRegistry()
