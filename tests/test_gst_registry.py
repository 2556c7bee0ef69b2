"""The GST registry clients: the HTTP client against a fake GSP on 127.0.0.1, the sandbox's
fixture, and the parser of GSTN's taxpayer search answer they share."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from marketplace.accounts.gst_models import RegistryStatus
from marketplace.accounts.gst_registry import (
    HttpRegistry,
    NotRegistered,
    RegistryUnavailable,
    SandboxRegistry,
    parse_taxpayer,
    registry_from_config,
)
from marketplace.accounts.models import SupplierProfile
from marketplace.config import ConfigError, load_config
from marketplace.config_rules import validate_config
from tests.conftest import free_port
from tests.gst_registry_server import FakeGsp, serving_fake_gsp, taxpayer

GSTIN = "27AAFCK4821M1Z9"
KEY = "gsp-secret-key-123"


def _profile() -> SupplierProfile:
    return SupplierProfile(
        gstin=GSTIN,
        company_name="Kulkarni Precision Engineering Private Limited",
        address_line1="Plot 12, MIDC Bhosari",
        city="Pune",
        state="Maharashtra",
        pincode="411026",
    )


@pytest.fixture()
def gsp() -> Iterator[FakeGsp]:
    with serving_fake_gsp() as fake:
        yield fake


def _client(fake: FakeGsp, timeout: float = 5) -> HttpRegistry:
    return HttpRegistry(fake.url, KEY, timeout)


def test_an_active_registration_is_read_with_every_field(gsp):
    answer = taxpayer(_profile(), tradeNam="Kulkarni Precision", rgdt="12/09/2018")
    answer["adadr"] = [{"addr": {"stcd": "Maharashtra", "pncd": "410501"}}]
    gsp.answer({"status_cd": "1", "data": answer})  # a GSP's envelope
    found = _client(gsp).lookup(GSTIN)
    assert found.legal_name == "KULKARNI PRECISION ENGINEERING PRIVATE LIMITED"
    assert found.trade_name == "Kulkarni Precision"
    assert (found.status, found.taxpayer_type) == (RegistryStatus.ACTIVE, "Regular")
    assert found.registered_on == date(2018, 9, 12) and found.cancelled_on is None
    assert (found.state, found.pincode, found.other_pincodes) == (
        "Maharashtra",
        "411026",
        ("410501",),
    )
    assert "Plot 12, MIDC Bhosari" in found.principal_address
    path, headers = gsp.requests[0]
    assert parse_qs(urlsplit(path).query) == {"action": ["TP"], "gstin": [GSTIN]}
    assert headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize(
    "sts, cxdt, status",
    [
        ("Suspended", "", RegistryStatus.SUSPENDED),
        ("Cancelled", "31/03/2025", RegistryStatus.CANCELLED),
        ("Cancelled suo-moto", "01-02-2026", RegistryStatus.CANCELLED),
        ("Inactive", "", RegistryStatus.CANCELLED),
        ("Provisional", "", RegistryStatus.OTHER),
    ],
)
def test_a_registration_that_is_not_active_says_so(gsp, sts, cxdt, status):
    gsp.answer(taxpayer(_profile(), sts=sts, cxdt=cxdt))
    found = _client(gsp).lookup(GSTIN)
    assert (found.status, found.status_text) == (status, sts)
    assert (found.cancelled_on is not None) == bool(cxdt)


def test_a_slow_registry_is_a_timeout(gsp):
    gsp.answer(taxpayer(_profile()), delay=1.5)
    with pytest.raises(RegistryUnavailable) as failed:
        _client(gsp, timeout=0.3).lookup(GSTIN)
    assert failed.value.reason == "timeout"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_is_an_http_error(gsp, status):
    gsp.answer({"message": "upstream GSTN is down"}, status=status)
    with pytest.raises(RegistryUnavailable) as failed:
        _client(gsp).lookup(GSTIN)
    assert failed.value.reason == "http_error"


def test_a_bare_404_is_an_http_error_not_an_unknown_gstin(gsp):
    """A wrong GST_REGISTRY_URL answers 404 too: it must not cost anyone a badge."""
    gsp.answer(b"<html>Not Found</html>", status=404)
    with pytest.raises(RegistryUnavailable) as failed:
        _client(gsp).lookup(GSTIN)
    assert failed.value.reason == "http_error"


@pytest.mark.parametrize("status", [200, 404])
def test_the_registrys_own_no_such_gstin_is_not_registered(gsp, status):
    gsp.answer(
        {"status_cd": "0", "error": {"error_cd": "SWEB_9035", "message": "Invalid GSTIN"}}, status
    )
    with pytest.raises(NotRegistered):
        _client(gsp).lookup(GSTIN)


def test_another_error_of_the_registry_is_an_http_error(gsp):
    gsp.answer({"status_cd": "0", "error": {"error_cd": "GSP_AUTH_FAILED", "message": "Bad key"}})
    with pytest.raises(RegistryUnavailable) as failed:
        _client(gsp).lookup(GSTIN)
    assert failed.value.reason == "http_error"


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        [1, 2, 3],
        {"gstin": GSTIN, "sts": "Active"},  # no legal name
        "just a string",
        {"lgnm": "X", "sts": "Active", "gstin": "29AADCB6610Q1Z9", "pradr": {"addr": {}}},
        {"lgnm": "X", "sts": "Active", "gstin": GSTIN, "pradr": {"addr": {"stcd": "Goa"}}},
        {"lgnm": "X", "sts": "Active", "gstin": GSTIN, "pradr": "Pune"},
        {"lgnm": ["X"], "sts": "Active", "gstin": GSTIN},
        {
            **{"lgnm": "X", "sts": "Active", "gstin": GSTIN},
            "rgdt": "July 2017",
            "pradr": {"addr": {"stcd": "Goa", "pncd": "403001"}},
        },
        {
            **{"lgnm": "X", "sts": "Active", "gstin": GSTIN},
            "adadr": "none",
            "pradr": {"addr": {"stcd": "Goa", "pncd": "403001"}},
        },
    ],
)
def test_a_malformed_answer_is_malformed(gsp, body):
    gsp.answer(body)
    with pytest.raises(RegistryUnavailable) as failed:
        _client(gsp).lookup(GSTIN)
    assert failed.value.reason == "malformed"


def test_a_registry_nobody_listens_on_is_unreachable():
    with pytest.raises(RegistryUnavailable) as failed:
        HttpRegistry(f"http://127.0.0.1:{free_port()}/search", KEY, 2).lookup(GSTIN)
    assert failed.value.reason == "unreachable"


def test_the_key_is_never_shown(gsp):
    client = _client(gsp)
    gsp.answer({"error": {"error_cd": "GSP_AUTH_FAILED"}}, status=401)
    with pytest.raises(RegistryUnavailable) as failed:
        client.lookup(GSTIN)
    assert KEY not in repr(client) and KEY not in str(failed.value)


def test_the_sandbox_answers_from_its_fixture():
    sandbox = SandboxRegistry()
    assert sandbox.lookup(GSTIN).status == RegistryStatus.ACTIVE
    assert sandbox.lookup("29AADCB6610Q1Z9").status == RegistryStatus.SUSPENDED
    cancelled = sandbox.lookup("09AEKFS3391H1ZK")
    assert (cancelled.status, cancelled.cancelled_on) == (
        RegistryStatus.CANCELLED,
        date(2025, 3, 31),
    )
    with pytest.raises(NotRegistered):
        sandbox.lookup("23AAUCM3390E1ZB")
    with pytest.raises(RegistryUnavailable) as timed_out:
        sandbox.lookup("08AJHPM6021L1Z1")
    assert timed_out.value.reason == "timeout"


def test_the_sandbox_never_says_a_gstin_it_lacks_is_unregistered():
    with pytest.raises(RegistryUnavailable) as failed:
        SandboxRegistry().lookup("27AAPFU0939F1ZV")
    assert failed.value.reason == "not_in_sandbox"


def test_the_configuration_chooses_the_client():
    config = {
        "GST_REGISTRY": "http",
        "GST_REGISTRY_URL": "https://gsp.example.in/search",
        "GST_REGISTRY_KEY": KEY,
        "GST_REGISTRY_TIMEOUT": 7,
    }
    client = registry_from_config(config)
    assert isinstance(client, HttpRegistry) and client.timeout == 7
    assert isinstance(registry_from_config({**config, "GST_REGISTRY": "sandbox"}), SandboxRegistry)


def test_parse_takes_the_bare_record_too():
    assert parse_taxpayer(taxpayer(_profile()), GSTIN.lower()).gstin == GSTIN


def test_the_http_registry_needs_its_url_and_key(tmp_path):
    config = load_config({"GST_REGISTRY": "http"}, str(tmp_path))
    with pytest.raises(ConfigError) as refused:
        validate_config({**config, "RATELIMIT_STORAGE_URI": "memory://"})
    assert "GST_REGISTRY=http needs GST_REGISTRY_URL" in str(refused.value)
    assert "GST_REGISTRY=http needs GST_REGISTRY_KEY" in str(refused.value)
    with pytest.raises(ConfigError, match="GST_REGISTRY_TIMEOUT must be between 1 and 60"):
        load_config({"GST_REGISTRY_TIMEOUT": "0"}, str(tmp_path))
