"""Payment gateways: one small protocol and two backends, chosen by PAYMENT_GATEWAY.

- `sandbox` (the embedded default): the portal plays the gateway. Its checkout page has Pay and
  Fail buttons; the outcome is written as a gateway event in Razorpay's shape, signed with an
  HMAC, and goes through the same verification and handling as a real gateway's webhook. No
  money moves.
- `razorpay`: Razorpay's official SDK. The order is created server-side, Razorpay Checkout
  takes the payment in the browser, and the signature it hands back (HMAC-SHA256 of
  "<order_id>|<payment_id>" with the key secret) is verified before the payment is captured;
  the `payment.captured` webhook (HMAC-SHA256 of the raw body with the webhook secret) is the
  other way the same payment arrives. Either way, a captured payment grants credits once.

A callback whose signature is missing or wrong is a ForgedCallback (400) and nothing is done.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import razorpay
import requests
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from razorpay.errors import BadRequestError, GatewayError, ServerError, SignatureVerificationError

from marketplace.credits.models import CreditOrder
from marketplace.db import utcnow
from marketplace.errors import NotFound, ServiceError
from marketplace.notifications import absolute_url

log = logging.getLogger(__name__)

CURRENCY = "INR"
GATEWAY_TIMEOUT = 15  # seconds for one call to the gateway's API


class ForgedCallback(ServiceError):
    status = 400
    title = "Callback refused"


class GatewayUnavailable(ServiceError):
    status = 503
    title = "Payment gateway unavailable"
    retry_after = 30


@dataclass(frozen=True)
class PaymentEvent:
    """What a verified callback says happened."""

    outcome: str  # "captured", "failed" or "ignored" (an event we do not act on)
    event: str = ""
    gateway_order_id: str | None = None
    payment_id: str | None = None
    amount: int | None = None  # paise
    currency: str | None = None
    reason: str | None = None  # why a payment failed, as the gateway says it


class Gateway(Protocol):
    name: str

    def create_order(self, order: CreditOrder) -> str:
        """Register the order with the gateway; returns the gateway's order id."""

    def checkout(self, order: CreditOrder) -> dict[str, Any]:
        """What a client needs to pay: at least the `url` of a checkout page."""

    def verify_callback(self, body: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        """Check a callback's signature (ForgedCallback if wrong) and read its event."""

    def refund(self, order: CreditOrder) -> str:
        """Return the order's `refund_amount`; returns the gateway's refund id."""


def read_event(body: bytes) -> PaymentEvent:
    """A signed event in Razorpay's webhook shape (the sandbox writes the same shape):
    `{"event": "payment.captured", "payload": {"payment": {"entity": {...}}}}`."""
    try:
        document = json.loads(body)
        name = document["event"]
        payment = (document.get("payload") or {}).get("payment", {}).get("entity")
    except (ValueError, TypeError, KeyError, AttributeError):
        raise ServiceError(_("The callback is not a payment event.")) from None
    if not isinstance(name, str):
        raise ServiceError(_("The callback is not a payment event."))
    outcome = {
        "payment.captured": "captured",
        "order.paid": "captured",
        "payment.failed": "failed",
    }.get(name, "ignored")
    if outcome == "ignored":
        return PaymentEvent("ignored", name)
    if not isinstance(payment, dict) or not all(
        isinstance(payment.get(key), str) for key in ("id", "order_id", "currency")
    ):
        raise ServiceError(_("The payment event does not name its payment and order."))
    amount = payment.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ServiceError(_("The payment event's amount is not a whole number of paise."))
    reason = payment.get("error_description")
    return PaymentEvent(
        outcome,
        name,
        gateway_order_id=payment["order_id"],
        payment_id=payment["id"],
        amount=amount,
        currency=payment["currency"],
        reason=str(reason)[:300] if reason else None,
    )


def _signature_matches(secret: bytes, body: bytes, signature: str | None) -> bool:
    if not signature or not signature.isascii():
        return False
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.strip().lower())


REFUSED = _l(
    "The callback's signature is missing or does not match: it was refused and nothing "
    "was recorded."
)


# --- the sandbox -----------------------------------------------------------------------------


class SandboxGateway:
    """The portal's own pretend gateway: a checkout page with Pay and Fail buttons."""

    name = "sandbox"
    SIGNATURE_HEADER = "X-Sandbox-Signature"

    def __init__(self, secret: bytes) -> None:
        self.secret = secret

    def create_order(self, order: CreditOrder) -> str:
        return f"order_sbx{secrets.token_hex(6)}"

    def checkout(self, order: CreditOrder) -> dict[str, Any]:
        return {"url": absolute_url("credits.sandbox_checkout", order_id=order.id)}

    def sign(self, body: bytes) -> str:
        return hmac.new(self.secret, body, hashlib.sha256).hexdigest()

    def verify_callback(self, body: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        if not _signature_matches(self.secret, body, headers.get(self.SIGNATURE_HEADER)):
            raise ForgedCallback(str(REFUSED))
        return read_event(body)

    def simulate(self, order: CreditOrder, *, pay: bool) -> tuple[bytes, dict[str, str]]:
        """The gateway's side of the checkout page: the signed event that the payer's choice
        produces, as a webhook delivery would carry it."""
        payment = {
            "id": f"pay_sbx{secrets.token_hex(6)}",
            "entity": "payment",
            "amount": order.paise,
            "currency": CURRENCY,
            "status": "captured" if pay else "failed",
            "order_id": order.gateway_order_id,
            "method": "sandbox",
            "error_description": None if pay else "The payer chose Fail on the sandbox page.",
        }
        event = {
            "entity": "event",
            "event": "payment.captured" if pay else "payment.failed",
            "contains": ["payment"],
            "payload": {"payment": {"entity": payment}},
            "created_at": int(utcnow().timestamp()),
        }
        body = json.dumps(event, separators=(",", ":")).encode()
        return body, {self.SIGNATURE_HEADER: self.sign(body), "Content-Type": "application/json"}

    def refund(self, order: CreditOrder) -> str:
        return f"rfnd_sbx{secrets.token_hex(6)}"


# --- Razorpay --------------------------------------------------------------------------------


class _Session(requests.Session):
    """The SDK sets no timeout: a hung gateway must not hang a web worker."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs.setdefault("timeout", GATEWAY_TIMEOUT)
        return super().request(method, url, *args, **kwargs)


_UNAVAILABLE = (requests.RequestException, BadRequestError, GatewayError, ServerError, ValueError)


class RazorpayGateway:
    name = "razorpay"
    SIGNATURE_HEADER = "X-Razorpay-Signature"

    def __init__(self, key_id: str, key_secret: str, webhook_secret: str) -> None:
        self.key_id = key_id
        self.webhook_secret = webhook_secret
        self.client = razorpay.Client(session=_Session(), auth=(key_id, key_secret))
        self.client.set_app_details({"title": "TradeSetu", "version": "1"})

    def _call(self, what: str, call: Any) -> Any:
        try:
            return call()
        except _UNAVAILABLE as error:
            log.warning("razorpay: %s failed: %s", what, error)
            raise GatewayUnavailable(
                _(
                    "The payment gateway could not be reached or refused the request. "
                    "Nothing was charged; please try again in a minute."
                )
            ) from None

    def create_order(self, order: CreditOrder) -> str:
        created = self._call(
            "creating an order",
            lambda: self.client.order.create(
                {
                    "amount": order.paise,
                    "currency": CURRENCY,
                    "receipt": f"tradesetu-order-{order.id}",
                    "notes": {"order": str(order.id), "pack": order.pack_id},
                }
            ),
        )
        if not isinstance(created, dict) or not isinstance(created.get("id"), str):
            raise GatewayUnavailable(_("The payment gateway's answer had no order id."))
        return str(created["id"])

    def checkout(self, order: CreditOrder) -> dict[str, Any]:
        return {
            "url": absolute_url("credits.razorpay_checkout", order_id=order.id),
            "key_id": self.key_id,
            "order_id": order.gateway_order_id,
            "amount": order.paise,
            "currency": CURRENCY,
        }

    def verify_callback(self, body: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        """The webhook: Razorpay signs the exact body with the webhook secret."""
        signature = headers.get(self.SIGNATURE_HEADER)
        try:
            if not signature or not signature.isascii():
                raise SignatureVerificationError("unsigned")
            self.client.utility.verify_webhook_signature(
                body.decode("utf-8"), signature, self.webhook_secret
            )
        except (SignatureVerificationError, UnicodeDecodeError):
            raise ForgedCallback(str(REFUSED)) from None
        return read_event(body)

    def verify_checkout(self, params: Mapping[str, str]) -> PaymentEvent:
        """What Razorpay Checkout hands back in the browser: the signature proves the payment
        belongs to the order; the payment is then read (and captured if only authorised)."""
        fields = ("razorpay_order_id", "razorpay_payment_id", "razorpay_signature")
        values = {field: params.get(field) or "" for field in fields}
        try:
            if not all(value.isascii() and value for value in values.values()):
                raise SignatureVerificationError("incomplete")
            self.client.utility.verify_payment_signature(values)
        except SignatureVerificationError:
            raise ForgedCallback(str(REFUSED)) from None
        payment_id = values["razorpay_payment_id"]
        payment = self._call("reading a payment", lambda: self.client.payment.fetch(payment_id))
        if payment.get("status") == "authorized":
            payment = self._call(
                "capturing a payment",
                lambda: self.client.payment.capture(
                    payment_id, payment["amount"], {"currency": payment["currency"]}
                ),
            )
        status = payment.get("status")
        outcome = {"captured": "captured", "failed": "failed"}.get(status, "ignored")
        return PaymentEvent(
            outcome,
            f"checkout.{status}",
            gateway_order_id=values["razorpay_order_id"],
            payment_id=payment_id,
            amount=payment.get("amount"),
            currency=payment.get("currency"),
            reason=payment.get("error_description"),
        )

    def refund(self, order: CreditOrder) -> str:
        payment_id = order.payment_id or ""
        refunded = self._call(
            "refunding a payment",
            lambda: self.client.payment.refund(
                payment_id, {"amount": order.refund_paise, "notes": {"order": str(order.id)}}
            ),
        )
        return str(refunded.get("id", ""))


# --- choosing one ----------------------------------------------------------------------------


def sandbox_secret() -> bytes:
    """The sandbox's signing key, derived from SECRET_KEY: the same on every node."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"payment-sandbox-callbacks", hashlib.sha256).digest()


def configured() -> Gateway:
    """The gateway new orders use (PAYMENT_GATEWAY)."""
    config = current_app.config
    if config["PAYMENT_GATEWAY"] == "razorpay":
        return RazorpayGateway(
            config["RAZORPAY_KEY_ID"],
            config["RAZORPAY_KEY_SECRET"],
            config["RAZORPAY_WEBHOOK_SECRET"],
        )
    return SandboxGateway(sandbox_secret())


def named(name: str) -> Gateway:
    """The gateway a callback names; only the configured one is listened to (a sandbox
    callback is not money, so production must never accept one)."""
    gateway = configured()
    if gateway.name != name:
        raise NotFound(_("The %(name)s gateway is not in use here.", name=name))
    return gateway
